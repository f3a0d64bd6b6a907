import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../../src/app/db.ts";
import { isEntitledNow } from "../../../src/app/membership/entitlement.ts";
import { getCreatorStats, getGoalProgress } from "../../../src/app/stats.ts";
import { BILLING_STATUSES } from "../../../src/core/membership.ts";
import { prng } from "../../support/helpers.ts";
import { openMigratedDb } from "../../support/postgres.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** A Wednesday: the current ISO week is two and a half days old. */
const NOW = new Date("2026-11-25T12:00:00.000Z");
const GRACE_DAYS = 3; // the default setting

interface Price {
  id: string;
  tierId: string;
  kind: "recurring" | "lifetime";
  amount: number;
  currency: string;
  interval: string | null;
}
const PRICES: Price[] = [
  {
    id: "price_gold_m",
    tierId: "tier_gold",
    kind: "recurring",
    amount: 1000,
    currency: "eur",
    interval: "month",
  },
  {
    id: "price_gold_y",
    tierId: "tier_gold",
    kind: "recurring",
    amount: 9999,
    currency: "eur",
    interval: "year",
  },
  {
    id: "price_gold_usd",
    tierId: "tier_gold",
    kind: "recurring",
    amount: 1200,
    currency: "usd",
    interval: "month",
  },
  {
    id: "price_silver_m",
    tierId: "tier_silver",
    kind: "recurring",
    amount: 500,
    currency: "eur",
    interval: "month",
  },
  {
    id: "price_gold_life",
    tierId: "tier_gold",
    kind: "lifetime",
    amount: 30000,
    currency: "eur",
    interval: null,
  },
  {
    id: "price_silver_life",
    tierId: "tier_silver",
    kind: "lifetime",
    amount: 15000,
    currency: "usd",
    interval: null,
  },
];

/** What happened to one subscription, as the generator decided it (the events), and its row. */
interface GenSub {
  id: string;
  memberId: string;
  price: Price;
  start: Date;
  /** When access ended, as the events say (null: it still runs). */
  accessEnd: Date | null;
  /** Never paid its first invoice: no membership at all. */
  neverPaid: boolean;
  status: string;
  endedAt: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  pastDueSince: Date | null;
  refundedAt: Date | null;
  trial: { end: Date; paidAt: Date | null } | null;
  history: { from: string | null; to: string; at: Date }[];
}

interface GenMember {
  id: string;
  excluded: "deleted" | "suspended" | null;
  subs: GenSub[];
}

/**
 * A year of a tribe: members joining at random moments, some with a trial (converted or not), some
 * switching tier with no gap, leaving, coming back after a while, failing a payment (inside or past
 * the grace period), canceling at period end, refunded, unpaid, or never paying at all.
 */
function generateLedger(seed: number, count: number): GenMember[] {
  const rnd = prng(seed);
  const minutes = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
  const at = (ms: number) => new Date(minutes(ms));
  const members: GenMember[] = [];
  let subN = 0;
  for (let i = 0; i < count; i++) {
    const member: GenMember = {
      id: `mem_${i}`,
      excluded: rnd.chance(0.03) ? "deleted" : rnd.chance(0.03) ? "suspended" : null,
      subs: [],
    };
    let start = NOW.getTime() - rnd.int(0, 365 * 24 * 60) * MINUTE;
    const stays = rnd.int(1, 3);
    for (let k = 0; k < stays && start < NOW.getTime(); k++) {
      const lifetime = rnd.chance(0.08);
      const recurring = PRICES.filter((p) => p.kind === "recurring");
      const lifetimes = PRICES.filter((p) => p.kind === "lifetime");
      const price = lifetime
        ? (lifetimes[rnd.int(0, lifetimes.length - 1)] as Price)
        : (recurring[rnd.int(0, recurring.length - 1)] as Price);
      const s: GenSub = {
        id: `sub_${subN++}`,
        memberId: member.id,
        price,
        start: at(start),
        accessEnd: null,
        neverPaid: false,
        status: "active",
        endedAt: null,
        currentPeriodEnd: null,
        cancelAtPeriodEnd: false,
        pastDueSince: null,
        refundedAt: null,
        trial: null,
        history: [],
      };
      const startMs = s.start.getTime();
      const first = (to: string) => s.history.push({ from: null, to, at: s.start });
      if (lifetime) {
        s.status = "lifetime";
        first("lifetime");
        if (rnd.chance(0.25)) {
          const r = startMs + rnd.int(1, 40 * 24 * 60) * MINUTE;
          if (r <= NOW.getTime()) {
            s.refundedAt = at(r);
            s.accessEnd = s.refundedAt;
          }
        }
      } else if (rnd.chance(0.05)) {
        // The first payment never went through.
        s.neverPaid = true;
        s.status = "incomplete_expired";
        s.endedAt = at(startMs + DAY);
        first("incomplete");
        s.history.push({ from: "incomplete", to: "incomplete_expired", at: s.endedAt });
      } else {
        let paidFrom = startMs;
        let over = false;
        if (rnd.chance(0.3)) {
          const trialEnd = startMs + 7 * DAY;
          first("trialing");
          if (trialEnd > NOW.getTime()) {
            s.status = "trialing";
            s.currentPeriodEnd = at(trialEnd);
            s.trial = { end: at(trialEnd), paidAt: null };
            over = true; // still in trial
          } else if (rnd.chance(0.35)) {
            // The trial ended unpaid: the subscription is canceled.
            s.trial = { end: at(trialEnd), paidAt: null };
            s.status = "canceled";
            s.endedAt = at(trialEnd);
            s.accessEnd = s.endedAt;
            s.history.push({ from: "trialing", to: "canceled", at: s.endedAt });
            over = true;
          } else if (rnd.chance(0.2)) {
            // The first charge failed, then went through two days later (if that is not after now).
            const paid = trialEnd + 2 * DAY;
            s.history.push({ from: "trialing", to: "past_due", at: at(trialEnd) });
            if (paid <= NOW.getTime()) {
              s.history.push({ from: "past_due", to: "active", at: at(paid) });
              s.trial = { end: at(trialEnd), paidAt: at(paid) };
              paidFrom = paid;
            } else {
              s.trial = { end: at(trialEnd), paidAt: null };
              s.status = "past_due";
              s.pastDueSince = at(trialEnd);
              over = true; // inside the grace period now
            }
          } else {
            s.history.push({ from: "trialing", to: "active", at: at(trialEnd) });
            s.trial = { end: at(trialEnd), paidAt: at(trialEnd) };
            paidFrom = trialEnd;
          }
        } else {
          first("active");
        }
        if (!over) {
          const outcome = rnd.int(0, 5);
          const later = (maxDays: number) => paidFrom + rnd.int(1, maxDays * 24 * 60) * MINUTE;
          if (outcome === 0) {
            const e = later(200);
            if (e <= NOW.getTime()) {
              s.status = "canceled";
              s.endedAt = at(e);
              s.accessEnd = s.endedAt;
              s.history.push({ from: "active", to: "canceled", at: s.endedAt });
            }
          } else if (outcome === 1) {
            // A failed payment: access lasts the grace period unless it is paid again.
            const p = Math.max(paidFrom + MINUTE, NOW.getTime() - rnd.int(0, 10 * 24 * 60) * MINUTE);
            if (p <= NOW.getTime()) {
              s.status = "past_due";
              s.pastDueSince = at(p);
              s.history.push({ from: "active", to: "past_due", at: s.pastDueSince });
              const graceEnd = s.pastDueSince.getTime() + GRACE_DAYS * DAY;
              if (graceEnd <= NOW.getTime()) s.accessEnd = new Date(graceEnd);
            }
          } else if (outcome === 2) {
            // Canceled at the end of the paid period, which may be over (Stripe not heard of since).
            const c = Math.max(
              paidFrom + MINUTE,
              NOW.getTime() + rnd.int(-20 * 24 * 60, 20 * 24 * 60) * MINUTE,
            );
            s.cancelAtPeriodEnd = true;
            s.currentPeriodEnd = at(c);
            if (c <= NOW.getTime()) s.accessEnd = s.currentPeriodEnd;
          } else if (outcome === 3 && paidFrom + 40 * DAY < NOW.getTime()) {
            // Unpaid after failed retries: access ended with the last paid period.
            const c = later(30);
            s.status = "unpaid";
            s.currentPeriodEnd = at(c);
            s.accessEnd = s.currentPeriodEnd;
            s.history.push({ from: "active", to: "unpaid", at: s.currentPeriodEnd });
          } else if (outcome === 4 && rnd.chance(0.3)) {
            // Refunded in full (the subscription canceled a little later, or not).
            const r = later(60);
            if (r <= NOW.getTime()) {
              s.refundedAt = at(r);
              s.accessEnd = s.refundedAt;
              if (rnd.chance(0.5)) {
                s.status = "canceled";
                s.endedAt = at(Math.min(NOW.getTime(), r + 3 * DAY));
              }
            }
          }
          // else: still active.
        }
      }
      member.subs.push(s);
      if (s.accessEnd === null && !s.neverPaid) break; // still a member: no next subscription
      const end = (s.accessEnd ?? s.endedAt ?? s.start).getTime();
      // A tier switch (the next one starts as this one ends), or a return after a while.
      start = rnd.chance(0.25) ? end : end + rnd.int(1, 60 * 24 * 60) * MINUTE;
    }
    members.push(member);
  }
  return members;
}

async function writeLedger(db: Db, members: readonly GenMember[]): Promise<void> {
  await db.tier.createMany({
    data: [
      { id: "tier_gold", slug: "gold", name: "Gold" },
      { id: "tier_silver", slug: "silver", name: "Silver" },
    ],
  });
  await db.tierPrice.createMany({
    data: PRICES.map((p) => ({
      stripePriceId: p.id,
      tierId: p.tierId,
      kind: p.kind,
      amount: p.amount,
      currency: p.currency,
      interval: p.interval,
    })),
  });
  await db.member.createMany({
    data: members.map((m) => ({
      id: m.id,
      stripeCustomerId: `cus_${m.id}`,
      deletedAt: m.excluded === "deleted" ? NOW : null,
      suspendedAt: m.excluded === "suspended" ? NOW : null,
    })),
  });
  const subs = members.flatMap((m) => m.subs);
  await db.subscription.createMany({
    data: subs.map((s) => ({
      id: s.id,
      memberId: s.memberId,
      tierId: s.price.tierId,
      stripePriceId: s.price.id,
      kind: s.price.kind,
      status: s.status,
      currentPeriodEnd: s.currentPeriodEnd,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      pastDueSince: s.pastDueSince,
      amount: s.price.amount,
      currency: s.price.currency,
      interval: s.price.interval,
      syncedAt: NOW,
      startedAt: s.start,
      endedAt: s.endedAt,
    })),
  });
  await db.paymentHold.createMany({
    data: subs.flatMap((s) =>
      s.refundedAt
        ? [
            {
              id: `ch_${s.id}`,
              subscriptionId: s.id,
              reason: "refunded",
              chargeId: `ch_${s.id}`,
              createdAt: s.refundedAt,
            },
          ]
        : [],
    ),
  });
  await db.memberHistory.createMany({
    data: subs.flatMap((s) =>
      s.history.map((h) => ({
        memberId: s.memberId,
        actor: "stripe",
        action: "subscription.status",
        subscriptionId: s.id,
        fromState: h.from === null ? null : `${h.from} (${s.price.tierId})`,
        toState: `${h.to} (${s.price.tierId})`,
        reason: `subscription ${s.id}: ${h.from ?? "new"} → ${h.to}`,
        createdAt: h.at,
      })),
    ),
  });
}

/** Monday 00:00 UTC of the week holding `t` (written here again, plainly). */
function mondayOf(t: number): number {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = new Date(midnight).getUTCDay(); // 0 = Sunday
  const back = weekday === 0 ? 6 : weekday - 1;
  return midnight - back * DAY;
}

/** The expected figures, computed straight from the generated events (no production code). */
function expected(members: readonly GenMember[]) {
  const now = NOW.getTime();
  const counted = members.filter((m) => m.excluded === null);
  const spansOf = (m: GenMember) =>
    m.subs
      .filter((s) => !s.neverPaid)
      .map((s) => ({
        s,
        start: s.start.getTime(),
        end: s.accessEnd === null ? null : s.accessEnd.getTime(),
      }));
  const holds = (m: GenMember, t: number) =>
    spansOf(m).filter((x) => x.start <= t && (x.end === null || x.end > t));
  const isActive = (m: GenMember, t: number) => holds(m, t).length > 0;

  const activeNow = counted.filter((m) => isActive(m, now));
  const perTier: Record<string, number> = {};
  let trialing = 0;
  let pastDue = 0;
  const mrr: Record<string, number> = {};
  const revenue: Record<string, { mrr: number; oneOff: number; oneOffPurchases: number }> = {};
  const rev = (tier: string, currency: string) => {
    const key = `${tier}/${currency}`;
    revenue[key] ??= { mrr: 0, oneOff: 0, oneOffPurchases: 0 };
    return revenue[key];
  };
  for (const m of activeNow) {
    const live = holds(m, now).map((x) => x.s);
    for (const tier of new Set(live.map((s) => s.price.tierId))) perTier[tier] = (perTier[tier] ?? 0) + 1;
    for (const s of live) {
      if (s.status === "trialing") trialing++;
      if (s.status === "past_due") pastDue++;
      if (s.status === "trialing" || s.price.kind !== "recurring") continue;
      const monthly = s.price.interval === "year" ? Math.round(s.price.amount / 12) : s.price.amount;
      rev(s.price.tierId, s.price.currency).mrr += monthly;
      mrr[s.price.currency] = (mrr[s.price.currency] ?? 0) + monthly;
    }
  }
  const oneOff: Record<string, number> = {};
  for (const m of members) {
    for (const s of m.subs) {
      const t = s.start.getTime();
      if (s.price.kind !== "lifetime" || s.refundedAt || t <= now - 30 * DAY || t > now) continue;
      const r = rev(s.price.tierId, s.price.currency);
      r.oneOff += s.price.amount;
      r.oneOffPurchases++;
      oneOff[s.price.currency] = (oneOff[s.price.currency] ?? 0) + s.price.amount;
    }
  }

  const windowStart = now - 30 * DAY;
  const was = counted.filter((m) => isActive(m, windowStart));
  const lost = was.filter((m) => !isActive(m, now)).length;
  const gained = activeNow.filter((m) => !isActive(m, windowStart)).length;

  const firstWeek = mondayOf(now) - 11 * 7 * DAY;
  const weeks = new Map<number, { joined: number; lost: number }>();
  for (let i = 0; i < 12; i++) weeks.set(firstWeek + i * 7 * DAY, { joined: 0, lost: 0 });
  for (const m of counted) {
    const moments = new Set<number>();
    for (const x of spansOf(m)) {
      moments.add(x.start);
      if (x.end !== null) moments.add(x.end);
    }
    for (const t of moments) {
      if (t < firstWeek || t > now) continue;
      const before = isActive(m, t - 1);
      const after = isActive(m, t);
      const week = weeks.get(mondayOf(t));
      if (!week) throw new Error("a moment outside the 12 weeks");
      if (after && !before) week.joined++;
      if (before && !after) week.lost++;
    }
  }

  let trialsEnded = 0;
  let trialsConverted = 0;
  for (const m of members) {
    for (const s of m.subs) {
      if (!s.trial) continue;
      const end = s.trial.end.getTime();
      if (end > now || end <= windowStart) continue;
      trialsEnded++;
      if (s.trial.paidAt && s.trial.paidAt.getTime() <= now) trialsConverted++;
    }
  }

  return {
    activeMembers: activeNow.length,
    perTier,
    trialing,
    pastDue,
    mrr,
    oneOff,
    revenue,
    activeAtWindowStart: was.length,
    churnedLast30Days: lost,
    newLast30Days: gained,
    churnRate: was.length ? lost / was.length : null,
    weeks: [...weeks].map(([t, w]) => ({
      weekStart: new Date(t),
      joined: w.joined,
      lost: w.lost,
      net: w.joined - w.lost,
    })),
    trialsEnded,
    trialsConverted,
  };
}

describe.each(["pglite", "postgres"] as const)("creator stats from a generated ledger (%s)", (backend) => {
  let db: Db;
  let close: () => Promise<void>;
  let members: GenMember[];
  beforeAll(async () => {
    ({ db, close } = await openMigratedDb(backend));
    members = generateLedger(20261125, 400);
    await writeLedger(db, members);
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it("a year of a few hundred members: every figure matches a plain count of the events", async () => {
    const want = expected(members);
    // The generator made every kind of story at least a few times.
    const subs = members.flatMap((m) => m.subs);
    expect(subs.length).toBeGreaterThan(500);
    expect(want.activeMembers).toBeGreaterThan(100);
    expect(want.churnedLast30Days).toBeGreaterThan(3);
    expect(want.trialsEnded).toBeGreaterThan(5);
    expect(want.trialsConverted).toBeLessThan(want.trialsEnded);
    expect(want.weeks.filter((w) => w.joined > 0 && w.lost > 0).length).toBeGreaterThan(6);
    expect(Object.keys(want.oneOff).length).toBeGreaterThan(0);
    expect(subs.some((s) => s.trial && s.status === "trialing")).toBe(true);

    const got = await getCreatorStats(db, NOW);
    expect(got.activeMembers).toBe(want.activeMembers);
    expect(Object.fromEntries(got.perTier.map((p) => [p.tierId, p.members]))).toEqual(want.perTier);
    expect(got.trialing).toBe(want.trialing);
    expect(got.pastDue).toBe(want.pastDue);
    expect(got.mrr).toEqual(want.mrr);
    expect(got.oneOff).toEqual(want.oneOff);
    expect(
      Object.fromEntries(
        got.revenue.map((r) => [
          `${r.tierId}/${r.currency}`,
          { mrr: r.mrr, oneOff: r.oneOff, oneOffPurchases: r.oneOffPurchases },
        ]),
      ),
    ).toEqual(want.revenue);
    expect(got.activeAtWindowStart).toBe(want.activeAtWindowStart);
    expect(got.churnedLast30Days).toBe(want.churnedLast30Days);
    expect(got.newLast30Days).toBe(want.newLast30Days);
    expect(got.churnRate).toBeCloseTo(want.churnRate ?? Number.NaN, 12);
    expect(got.weeks).toEqual(want.weeks);
    expect(got.trialsEnded).toBe(want.trialsEnded);
    expect(got.trialsConverted).toBe(want.trialsConverted);
    expect(got.trialConversion).toBeCloseTo(want.trialsConverted / want.trialsEnded, 12);
    expect(got.goal).toBe(1000);
    expect(got.goalProgress).toBeCloseTo(want.activeMembers / 1000, 12);
    expect(got.tierNames).toEqual({ tier_gold: "Gold", tier_silver: "Silver" });
    // The tribe's page counts the same members.
    expect(await getGoalProgress(db, NOW)).toEqual({
      members: want.activeMembers,
      goal: 1000,
      progress: want.activeMembers / 1000,
    });
  });
});

describe("the stats' SQL owes access exactly as the membership rule does", () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openMigratedDb());
    await db.tier.create({ data: { id: "tier_gold", slug: "gold", name: "Gold" } });
    await db.member.create({ data: { id: "mem_1" } });
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it("every status × cancel at period end × period end × failed payment × refund or dispute × pause", async () => {
    const hour = 60 * MINUTE;
    const periodEnds = [null, new Date(NOW.getTime() - hour), new Date(NOW.getTime() + hour)];
    const pastDue = [
      null,
      new Date(NOW.getTime() - (GRACE_DAYS * DAY - hour)),
      new Date(NOW.getTime() - (GRACE_DAYS * DAY + hour)),
    ];
    const holds: { reason: string; lifted: boolean }[][] = [
      [],
      [{ reason: "refunded", lifted: false }],
      [{ reason: "disputed", lifted: false }],
      [{ reason: "disputed", lifted: true }],
    ];
    // Not paused; paused with access lost; paused with access kept (the creator's choice).
    const pauses = [
      { pausedSince: null, pauseKeepsAccess: false },
      { pausedSince: new Date(NOW.getTime() - 2 * DAY), pauseKeepsAccess: false },
      { pausedSince: new Date(NOW.getTime() - 2 * DAY), pauseKeepsAccess: true },
    ];
    let checked = 0;
    let owed = 0;
    for (const status of [...BILLING_STATUSES, "mystery"]) {
      for (const cancelAtPeriodEnd of [false, true]) {
        for (const currentPeriodEnd of periodEnds) {
          for (const pastDueSince of pastDue) {
            for (const hold of holds) {
              for (const pause of pauses) {
                const row = {
                  status,
                  currentPeriodEnd,
                  cancelAtPeriodEnd,
                  pastDueSince,
                  ...pause,
                  holds: hold.map((h) => ({ reason: h.reason, liftedAt: h.lifted ? NOW : null })),
                };
                await db.subscription.deleteMany({});
                await db.subscription.create({
                  data: {
                    id: "sub_1",
                    memberId: "mem_1",
                    tierId: "tier_gold",
                    stripePriceId: "price_1",
                    kind: status === "lifetime" ? "lifetime" : "recurring",
                    status,
                    currentPeriodEnd,
                    cancelAtPeriodEnd,
                    pastDueSince,
                    ...pause,
                    syncedAt: NOW,
                    startedAt: new Date(NOW.getTime() - 40 * DAY),
                    holds: {
                      create: hold.map((h, i) => ({
                        id: `hold_${i}`,
                        reason: h.reason,
                        chargeId: `ch_${i}`,
                        liftedAt: h.lifted ? NOW : null,
                        createdAt: new Date(NOW.getTime() - DAY),
                      })),
                    },
                  },
                });
                const want = isEntitledNow(row, GRACE_DAYS, NOW) ? 1 : 0;
                const got = (await getGoalProgress(db, NOW)).members;
                expect(got, JSON.stringify(row)).toBe(want);
                checked++;
                owed += want;
              }
            }
          }
        }
      }
    }
    expect(checked).toBe(10 * 2 * 3 * 3 * 4 * 3);
    expect(owed).toBeGreaterThan(50);
  }, 300_000);
});
