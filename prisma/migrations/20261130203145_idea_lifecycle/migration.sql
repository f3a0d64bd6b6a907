-- AlterTable
ALTER TABLE "idea" ADD COLUMN     "decline_reason" TEXT,
ADD COLUMN     "poll_id" TEXT,
ALTER COLUMN "status" SET DEFAULT 'proposed';

-- AlterTable
ALTER TABLE "member" ADD COLUMN     "credit_name" TEXT;

-- AlterTable
ALTER TABLE "poll" ADD COLUMN     "in_the_works_at" TIMESTAMPTZ(3),
ADD COLUMN     "shipped_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "idea_transition" (
    "id" BIGSERIAL NOT NULL,
    "idea_id" TEXT NOT NULL,
    "from_status" TEXT,
    "to_status" TEXT NOT NULL,
    "poll_id" TEXT,
    "detail" TEXT,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idea_transition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "idea_transition_idea_id_at_idx" ON "idea_transition"("idea_id", "at");

-- AddForeignKey
ALTER TABLE "idea_transition" ADD CONSTRAINT "idea_transition_idea_id_fkey" FOREIGN KEY ("idea_id") REFERENCES "idea"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing ideas take their place in the lifecycle (src/core/ideaLifecycle.ts).
UPDATE "idea" SET "status" = 'proposed' WHERE "status" = 'open';
UPDATE "idea" SET "status" = 'shortlisted' WHERE "status" = 'accepted';

-- The commitment of a closed poll, dated.
UPDATE "poll" SET "in_the_works_at" = "commitment_at" WHERE "commitment" = 'in_the_works';
UPDATE "poll" SET "shipped_at" = "commitment_at" WHERE "commitment" = 'shipped';

-- An idea still open for the tribe that went into a poll: in the poll while it runs; once it
-- closed, won (then in the works or shipped as the creator said) when it was the one winner, else lost.
WITH placed AS (
  SELECT DISTINCT ON (x.idea_id) x.idea_id, x.pos, p.id AS poll_id, p.closed_at, p.result, p.commitment
  FROM "poll" p CROSS JOIN LATERAL unnest(p.idea_ids) WITH ORDINALITY AS x(idea_id, pos)
  ORDER BY x.idea_id, p.created_at DESC
)
UPDATE "idea" i SET
  "poll_id" = placed.poll_id,
  "status" = CASE
    WHEN placed.closed_at IS NULL THEN 'in_poll'
    WHEN jsonb_array_length(COALESCE(placed.result -> 'winners', '[]'::jsonb)) = 1
      AND (placed.result -> 'winners' ->> 0)::int = placed.pos - 1
      THEN COALESCE(placed.commitment, 'won')
    ELSE 'lost'
  END
FROM placed
WHERE i.id = placed.idea_id AND i.status IN ('proposed', 'shortlisted');

-- The history starts with each idea's proposal, then where it stands now (dated by its last change).
INSERT INTO "idea_transition" ("idea_id", "from_status", "to_status", "actor", "at")
SELECT "id", NULL, 'proposed', 'system', "created_at" FROM "idea";
INSERT INTO "idea_transition" ("idea_id", "from_status", "to_status", "poll_id", "detail", "actor", "at")
SELECT "id", 'proposed', "status", "poll_id", "merged_into", 'system', "updated_at" FROM "idea" WHERE "status" <> 'proposed';
