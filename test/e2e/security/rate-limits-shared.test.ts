import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeIdleBuckets, RATE_LIMITS, spendToken } from "../../../src/app/rateLimits.ts";
import { DomainError } from "../../../src/errors.ts";
import { createTestDatabase, type TestDatabase } from "../../support/postgres.ts";
import { type Harness, startHarness } from "../harness.ts";

/**
 * ATTACK: a script fires the same costly action many times at once, at several bot processes
 * sharing one PostgreSQL. The bucket is read and written under a row lock, so exactly `capacity`
 * of them pass, whichever process took them; PGlite (one process) gives the same count.
 */

const outcome = (p: Promise<void>) =>
  p.then(
    () => "ok",
    (err: unknown) => (err instanceof DomainError ? err.code : `unexpected: ${String(err)}`),
  );

describe("a rate bucket shared by two processes on one PostgreSQL", () => {
  let db: TestDatabase;
  let one: Harness;
  let two: Harness;

  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startHarness({ backend: "postgres", databaseUrl: db.url });
    two = await startHarness({ backend: "postgres", databaseUrl: db.url });
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await db?.drop();
  });

  it("a burst split across both processes passes exactly capacity times; a restart keeps the count; another account is free", async () => {
    const who = { platform: "telegram" as const, userId: "424242" };
    const { capacity } = RATE_LIMITS.claim;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => outcome(spendToken((i % 2 ? one : two).deps, "claim", who))),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(capacity);
    expect(results.filter((r) => r === "rate_limited")).toHaveLength(12 - capacity);

    await one.restart();
    expect(await outcome(spendToken(one.deps, "claim", who))).toBe("rate_limited");
    expect(await outcome(spendToken(two.deps, "claim", { platform: "telegram", userId: "7" }))).toBe("ok");
    // The same number on the other platform is another account.
    expect(await outcome(spendToken(two.deps, "claim", { platform: "discord", userId: "424242" }))).toBe(
      "ok",
    );

    // One token every window / capacity, by the process's clock.
    one.clock.advance(RATE_LIMITS.claim.windowMs / capacity);
    expect(await outcome(spendToken(one.deps, "claim", who))).toBe("ok");
    expect(await outcome(spendToken(one.deps, "claim", who))).toBe("rate_limited");
    const refusals = [...one.logs.events("ratelimit.refused"), ...two.logs.events("ratelimit.refused")];
    expect(refusals.length).toBe(12 - capacity + 2);
    expect(refusals.every((l) => l.action === "claim" && l.account === "telegram:424242")).toBe(true);
  });
});

describe("the same burst on PGlite", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ backend: "pglite" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("passes exactly capacity times", async () => {
    const who = { platform: "discord" as const, userId: "99" };
    const results = await Promise.all(
      Array.from({ length: 40 }, () => outcome(spendToken(h.deps, "upvote", who))),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(RATE_LIMITS.upvote.capacity);
    expect(results.filter((r) => r !== "ok")).toEqual(
      Array(40 - RATE_LIMITS.upvote.capacity).fill("rate_limited"),
    );
  });

  it("buckets idle for longer than the longest window are forgotten; recent ones are kept", async () => {
    const idle = { platform: "discord" as const, userId: "5150" };
    const busy = { platform: "discord" as const, userId: "5151" };
    await spendToken(h.deps, "idea", idle);
    const longest = Math.max(...Object.values(RATE_LIMITS).map((r) => r.windowMs));
    h.clock.advance(longest + 1_000);
    await spendToken(h.deps, "idea", busy);
    const accounts = async () =>
      (await h.deps.db.rateBucket.findMany({ where: { action: "idea" } })).map((b) => b.account).sort();
    expect(await accounts()).toEqual(["discord:5150", "discord:5151"]);
    expect(await purgeIdleBuckets(h.deps)).toBeGreaterThanOrEqual(1);
    expect(await accounts()).toEqual(["discord:5151"]);
    // Forgetting a full bucket changes nothing for its account: a whole bucket again.
    for (let i = 0; i < RATE_LIMITS.idea.capacity; i++) await spendToken(h.deps, "idea", idle);
    await expect(spendToken(h.deps, "idea", idle)).rejects.toThrow(DomainError);
  });
});
