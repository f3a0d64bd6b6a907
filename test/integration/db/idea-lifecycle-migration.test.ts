import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "../../../src/adapters/db/migrator.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";

/**
 * The idea lifecycle migration keeps the ideas a tribe already has: "open" becomes proposed,
 * "accepted" shortlisted; an idea in a running poll is in_poll; once its poll closed, the one winner
 * is won (or in the works / shipped as the creator committed), the others lost; declined and merged
 * ideas stay; each idea's history starts with its proposal.
 */
describe("the idea lifecycle migration on existing rows", () => {
  const db = new PGlite();
  const target = "_idea_lifecycle";
  const q = async <R>(text: string) => (await db.query<R>(text)).rows;

  beforeAll(async () => {
    const all = await readMigrations(MIGRATIONS_DIR);
    const at = all.findIndex((m) => m.name.endsWith(target));
    expect(at).toBeGreaterThan(0);
    for (const m of all.slice(0, at)) await db.exec(m.sql);
    const poll = (
      id: string,
      ideas: string[],
      closed: boolean,
      winners: number[],
      commitment: string | null,
    ) =>
      `INSERT INTO poll (id, question, options, mode, tier_ids, opens_at, closes_at, closed_at, result, commitment, commitment_at, idea_ids, created_by, created_at)
       VALUES ('${id}', 'Q', ARRAY[${ideas.map((i) => `'${i}'`).join(",")}], 'single', '{}', now(), now() + interval '1 day',
       ${closed ? "now()" : "NULL"}, ${closed ? `'{"mode":"single","counts":[],"winners":[${winners.join(",")}]}'::jsonb` : "NULL"},
       ${commitment ? `'${commitment}'` : "NULL"}, ${commitment ? "now()" : "NULL"}, ARRAY[${ideas.map((i) => `'${i}'`).join(",")}]::text[], 'discord:1', now())`;
    await db.exec(`
      INSERT INTO member (id, updated_at) VALUES ('m1', now());
      INSERT INTO idea (id, title, author_member_id, status, updated_at) VALUES
        ('open', 'Open', 'm1', 'open', now()), ('accepted', 'Accepted', 'm1', 'accepted', now()),
        ('declined', 'Declined', 'm1', 'declined', now()), ('running', 'Running', 'm1', 'open', now()),
        ('winner', 'Winner', 'm1', 'accepted', now()), ('loser', 'Loser', 'm1', 'open', now()),
        ('shipped', 'Shipped', 'm1', 'open', now()), ('beaten', 'Tied', 'm1', 'open', now());
      ${poll("p-open", ["running"], false, [], null)};
      ${poll("p-closed", ["loser", "winner"], true, [1], null)};
      ${poll("p-shipped", ["shipped", "beaten"], true, [0], "shipped")};
    `);
    await db.exec(all[at]!.sql);
  });
  afterAll(async () => {
    await db.close();
  });

  it("places every idea in the lifecycle", async () => {
    const rows = await q<{ id: string; status: string; poll_id: string | null }>(
      "SELECT id, status, poll_id FROM idea ORDER BY id",
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.poll_id]]))).toEqual({
      accepted: ["shortlisted", null],
      declined: ["declined", null],
      loser: ["lost", "p-closed"],
      open: ["proposed", null],
      running: ["in_poll", "p-open"],
      shipped: ["shipped", "p-shipped"],
      beaten: ["lost", "p-shipped"],
      winner: ["won", "p-closed"],
    });
    const [dated] = await q<{ shipped_at: Date | null }>(
      "SELECT shipped_at FROM poll WHERE id = 'p-shipped'",
    );
    expect(dated?.shipped_at).toBeInstanceOf(Date);
  });

  it("starts each idea's history with its proposal, then where it stands", async () => {
    const rows = await q<{ idea_id: string; to_status: string }>(
      "SELECT idea_id, to_status FROM idea_transition ORDER BY idea_id, id",
    );
    expect(rows.filter((r) => r.idea_id === "winner").map((r) => r.to_status)).toEqual(["proposed", "won"]);
    expect(rows.filter((r) => r.idea_id === "open").map((r) => r.to_status)).toEqual(["proposed"]);
    expect(new Set(rows.map((r) => r.idea_id)).size).toBe(8);
  });
});
