import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../../src/adapters/db/database.ts";
import { migrate } from "../../../src/adapters/db/migrator.ts";
import type { Db } from "../../../src/app/db.ts";
import {
  FEED_BURST_MS,
  FEED_MAX_LINES,
  type FeedLine,
  type FeedPoster,
  feedTaskHandlers,
  nextWeeklySummary,
  recordFeed,
} from "../../../src/app/feed.ts";
import { releaseLeadership, takeLeadership } from "../../../src/app/leadership.ts";
import type { TaskRow } from "../../../src/app/tasks.ts";
import { feedText } from "../../../src/i18n/index.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";
import { createLogger } from "../../../src/log.ts";
import { createTestDataDir, type TestDataDir } from "../../support/postgres.ts";

/**
 * The feed's ledger side on a real (embedded) database: the failover line (a new leader finding an
 * earlier one that never let go), the burst gathered once into one task per destination, "+K more",
 * and the weekly summary's timer.
 */
describe("the creator's feed in the ledger", () => {
  let dataDir: TestDataDir;
  let database: Database;
  let db: Db;
  const log = createLogger({ level: "silent" });
  let now = new Date("2026-12-01T10:00:00Z");
  const clock = { now: () => now };
  const sent: { destination: string; lines: readonly FeedLine[]; more: number }[] = [];
  const poster: FeedPoster = {
    platform: "telegram",
    destinations: () => ["111", "222"],
    post: async (destination, lines, more) => {
      sent.push({ destination, lines, more });
      return { outcome: "done" };
    },
  };
  const task = (kind: string): TaskRow => ({ id: 0n, key: kind, kind, payload: {}, version: 1, attempts: 1 });

  beforeAll(async () => {
    dataDir = await createTestDataDir();
    database = await openDatabase({ dataDir: dataDir.dir, log });
    await migrate(database, { migrationsDir: MIGRATIONS_DIR, log });
    db = database.prisma;
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await dataDir?.remove();
  });
  beforeEach(async () => {
    sent.length = 0;
    await db.feedItem.deleteMany();
    await db.task.deleteMany();
  });

  it("a failover is reported once; a first start, the same process again, or a clean hand-over are not", async () => {
    expect(await takeLeadership(db, { holder: "a", now })).toEqual({ failover: false, previous: null });
    // The same process getting the lead back (it lost its connection a moment).
    expect((await takeLeadership(db, { holder: "a", now })).failover).toBe(false);
    // "a" dies without letting go: "b" takes over.
    now = new Date(now.getTime() + 5_000);
    expect(await takeLeadership(db, { holder: "b", now })).toEqual({ failover: true, previous: "a" });
    const items = await db.feedItem.findMany();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: "failover",
      params: { holder: "b", previous: "a", at: now.toISOString() },
    });
    // The line is gathered after the burst window.
    expect(await db.task.findUnique({ where: { key: "feed:flush" } })).toMatchObject({
      state: "pending",
      runAfter: new Date(now.getTime() + FEED_BURST_MS),
    });
    // "b" stops cleanly (a rolling deploy): "c" takes over by hand-over, no line.
    await releaseLeadership(db, { holder: "b", now });
    expect(await takeLeadership(db, { holder: "c", now })).toEqual({ failover: false, previous: "b" });
    expect(await db.feedItem.count()).toBe(1);

    const text = feedText("en", [items[0] as unknown as FeedLine], 0, (d) => d.toISOString());
    expect(text).toContain("Failover: the Discord and Telegram connections moved to process b");
    expect(text).toContain("the previous leader, a,");
    expect(feedText("fr", [items[0] as unknown as FeedLine], 0, (d) => d.toISOString())).toContain(
      "Bascule : les connexions Discord et Telegram sont passées au processus b",
    );
  });

  it("a burst is gathered once: one task per destination, at most FEED_MAX_LINES lines then +K more", async () => {
    const total = FEED_MAX_LINES + 4;
    await db.$transaction(async (tx) => {
      for (let i = 0; i < total; i++)
        await recordFeed(
          tx,
          { kind: "payment_failed", params: { who: `fan${i} (Telegram)`, tier: "Gold" } },
          new Date(now.getTime() + i),
        );
    });
    // The later lines joined the first one's flush: its time did not move.
    expect((await db.task.findUniqueOrThrow({ where: { key: "feed:flush" } })).runAfter).toEqual(
      new Date(now.getTime() + FEED_BURST_MS),
    );
    const handlers = feedTaskHandlers({ db, clock, posters: [poster], log });
    expect((await handlers["feed.flush"]!({}, task("feed.flush"))).outcome).toBe("done");
    const sends = await db.task.findMany({ where: { kind: "feed.send" }, orderBy: { key: "asc" } });
    expect(sends.map((s) => s.key.split(":").slice(0, 4).join(":"))).toEqual([
      "feed:send:telegram:111",
      "feed:send:telegram:222",
    ]);
    for (const s of sends)
      await handlers["feed.send"]!(s.payload, { ...task("feed.send"), payload: s.payload });
    expect(sent).toHaveLength(2);
    expect(sent[0]!.lines).toHaveLength(FEED_MAX_LINES);
    expect(sent[0]!.more).toBe(4);
    expect(feedText("en", sent[0]!.lines, sent[0]!.more, String)).toMatch(/\n\+4 more$/);
    // A second flush finds nothing left: no message twice.
    await handlers["feed.flush"]!({}, task("feed.flush"));
    expect(await db.task.count({ where: { kind: "feed.send" } })).toBe(2);
  });

  it("the weekly summary counts the week and comes back next Monday", async () => {
    expect(nextWeeklySummary(new Date("2026-12-01T10:00:00Z"))).toEqual(new Date("2026-12-07T09:00:00Z"));
    expect(nextWeeklySummary(new Date("2026-12-07T08:00:00Z"))).toEqual(new Date("2026-12-07T09:00:00Z"));
    expect(nextWeeklySummary(new Date("2026-12-07T09:00:00Z"))).toEqual(new Date("2026-12-14T09:00:00Z"));
    await db.$transaction(async (tx) => {
      await recordFeed(tx, { kind: "member_new", params: { who: "x", tier: "Gold", trial: false } }, now);
      await recordFeed(tx, { kind: "member_new", params: { who: "y", tier: "Gold", trial: true } }, now);
      await recordFeed(
        tx,
        { kind: "cancellation", params: { who: "x", tier: "Gold", ended: true, endsOn: null } },
        now,
      );
      await recordFeed(tx, { kind: "payment_failed", params: { who: "y", tier: "Gold" } }, now);
    });
    now = new Date(now.getTime() + 60_000);
    const handlers = feedTaskHandlers({ db, clock, posters: [poster], log });
    await handlers["feed.weekly"]!({}, task("feed.weekly"));
    const summary = await db.feedItem.findFirstOrThrow({ where: { kind: "weekly_summary" } });
    expect(summary.params).toEqual({ joined: 2, ended: 1, failed: 1, recovered: 0, members: 0 });
    expect((await db.task.findUniqueOrThrow({ where: { key: "feed:weekly" } })).runAfter).toEqual(
      nextWeeklySummary(now),
    );
  });
});
