import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../../src/app/db.ts";
import { entitledTierIds, voterStanding } from "../../../src/app/polls.ts";
import { BILLING_STATUSES } from "../../../src/core/membership.ts";
import { prng } from "../../support/helpers.ts";
import { openMigratedDb } from "../../support/postgres.ts";

/**
 * A vote reads the voter's standing in one statement (voterStanding); it must say exactly what the
 * separate reads it replaced say: the identity's member, the tiers frozen when the poll opened, and
 * the tiers owed now by the membership rule (entitledTierIds: subscriptions, open payment holds,
 * pauses, the grace setting, deleted and suspended members). Compared over a seeded random ledger.
 */
const NOW = new Date("2026-11-25T12:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIERS = ["tier_gold", "tier_silver", "tier_bronze"];

describe.each(["pglite", "postgres"] as const)("a voter's standing in one statement (%s)", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  const members: { id: string; discord: string; telegram: string | null }[] = [];

  beforeAll(async () => {
    ({ db, close } = await openMigratedDb(backend));
    const rng = prng(1_612);
    for (const id of TIERS) await db.tier.create({ data: { id, slug: id.slice(5), name: id } });
    await db.poll.create({
      data: {
        id: "poll_1",
        question: "Next?",
        options: ["A", "B"],
        mode: "single",
        tierIds: [],
        opensAt: new Date(NOW.getTime() - DAY),
        closesAt: new Date(NOW.getTime() + DAY),
        createdBy: "test",
      },
    });
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)] as T;
    for (let m = 0; m < 160; m++) {
      const id = `mem_${m}`;
      await db.member.create({
        data: {
          id,
          deletedAt: rng.chance(0.05) ? NOW : null,
          suspendedAt: rng.chance(0.05) ? NOW : null,
        },
      });
      const discord = String(700_000_000_000_000_000n + BigInt(m));
      const telegram = rng.chance(0.5) ? String(5_000_000 + m) : null;
      await db.identity.create({ data: { platform: "discord", platformUserId: discord, memberId: id } });
      if (telegram)
        await db.identity.create({ data: { platform: "telegram", platformUserId: telegram, memberId: id } });
      members.push({ id, discord, telegram });
      if (rng.chance(0.6))
        await db.pollVoter.create({
          data: { pollId: "poll_1", memberId: id, tierIds: TIERS.filter(() => rng.chance(0.4)) },
        });
      for (let s = rng.int(0, 3); s > 0; s--) {
        const status = pick([...BILLING_STATUSES, "mystery"]);
        const paused = rng.chance(0.15);
        await db.subscription.create({
          data: {
            id: `sub_${m}_${s}`,
            memberId: id,
            tierId: rng.chance(0.9) ? pick(TIERS) : null,
            stripePriceId: "price_1",
            kind: status === "lifetime" ? "lifetime" : "recurring",
            status,
            currentPeriodEnd: pick([null, new Date(NOW.getTime() - HOUR), new Date(NOW.getTime() + HOUR)]),
            cancelAtPeriodEnd: rng.chance(0.3),
            pastDueSince: pick([
              null,
              new Date(NOW.getTime() - 2 * DAY),
              new Date(NOW.getTime() - 4 * DAY),
              new Date(NOW.getTime() - 6 * DAY),
            ]),
            pausedSince: paused ? new Date(NOW.getTime() - DAY) : null,
            pauseKeepsAccess: paused && rng.chance(0.5),
            syncedAt: NOW,
            startedAt: new Date(NOW.getTime() - 40 * DAY),
            holds: {
              create: Array.from({ length: rng.int(0, 2) }, (_, h) => ({
                id: `hold_${m}_${s}_${h}`,
                reason: pick(["refunded", "disputed"]),
                chargeId: `ch_${m}_${s}_${h}`,
                liftedAt: rng.chance(0.5) ? NOW : null,
              })),
            },
          },
        });
      }
    }
  }, 180_000);
  afterAll(async () => {
    await close?.();
  });

  const compare = async () => {
    let owing = 0;
    for (const m of members) {
      const frozen = await db.pollVoter.findUnique({
        where: { pollId_memberId: { pollId: "poll_1", memberId: m.id } },
      });
      const want = {
        memberId: m.id,
        tierIdsAtOpen: frozen?.tierIds ?? null,
        tierIdsNow: (await entitledTierIds(db, m.id, NOW)).sort(),
      };
      if (want.tierIdsNow.length > 0) owing++;
      for (const who of [
        { platform: "discord" as const, userId: m.discord },
        ...(m.telegram ? [{ platform: "telegram" as const, userId: m.telegram }] : []),
      ]) {
        const got = await voterStanding(db, "poll_1", who, NOW);
        expect({ ...got, tierIdsNow: [...(got?.tierIdsNow ?? [])].sort() }, m.id).toEqual(want);
      }
    }
    return owing;
  };

  it("says what the separate reads say, for every member, with the default grace and another", async () => {
    const owingDefault = await compare();
    // Some members owe a tier and some do not, so the comparison means something.
    expect(owingDefault).toBeGreaterThan(20);
    expect(owingDefault).toBeLessThan(members.length - 20);
    // A longer grace keeps more past-due members in: the setting is read, not assumed.
    await db.setting.create({ data: { key: "graceDays", value: 5 } });
    const owingLonger = await compare();
    expect(owingLonger).toBeGreaterThan(owingDefault);
    // An unknown account has no standing.
    expect(await voterStanding(db, "poll_1", { platform: "discord", userId: "1" }, NOW)).toBeNull();
  }, 180_000);
});
