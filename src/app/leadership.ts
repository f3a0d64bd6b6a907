import type { Db } from "./db.ts";
import { recordFeed } from "./feed.ts";

/**
 * Who holds the platforms' gateways, as the ledger remembers it (one row): a process that becomes
 * the leader (src/adapters/db/leader.ts) writes itself in. When the row names another process that
 * never gave the lead up (it died, or lost its database connection), this is a failover: the
 * creator's feed says so, in the same transaction. A first start (no row), the same process getting
 * the lead back, or a hand-over by a process that stopped cleanly (rolling deploy) are not failovers.
 */
export async function takeLeadership(
  db: Db,
  input: { holder: string; now: Date },
): Promise<{ failover: boolean; previous: string | null }> {
  const { holder, now } = input;
  return db.$transaction(async (tx) => {
    // The row locked: two processes cannot both read the same predecessor (one leads at a time,
    // but a leader that just lost the lead may still be writing its own row).
    await tx.$executeRaw`INSERT INTO leadership (id, holder, acquired_at) VALUES (1, ${holder}, ${now}) ON CONFLICT (id) DO NOTHING`;
    const rows = await tx.$queryRaw<{ holder: string; released_at: Date | null }[]>`
      SELECT holder, released_at FROM leadership WHERE id = 1 FOR UPDATE`;
    const prev = rows[0];
    await tx.leadership.update({
      where: { id: 1 },
      data: { holder, acquiredAt: now, releasedAt: null },
    });
    // A first start finds the row it has just inserted: its own.
    const failover = prev !== undefined && prev.holder !== holder && prev.released_at === null;
    if (failover)
      await recordFeed(
        tx,
        { kind: "failover", params: { holder, previous: prev.holder, at: now.toISOString() } },
        now,
      );
    return { failover, previous: prev && prev.holder !== holder ? prev.holder : null };
  });
}

/** The leader stops cleanly and gives the lead up: the next leader's takeover is a hand-over. */
export async function releaseLeadership(db: Db, input: { holder: string; now: Date }): Promise<void> {
  await db.leadership.updateMany({
    where: { id: 1, holder: input.holder },
    data: { releasedAt: input.now },
  });
}
