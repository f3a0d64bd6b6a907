import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/adapters/db/database.ts";
import {
  type AccessExecutor,
  type AccessJob,
  createAccessWorker,
} from "../../../src/app/access/accessWorker.ts";
import { listDeadJobs, retryDeadJobs } from "../../../src/app/access/deadJobs.ts";
import { wantAccess } from "../../../src/app/access/jobs.ts";
import { createLeaseQueue } from "../../../src/app/queue.ts";
import type { JobResult } from "../../../src/app/worker.ts";
import { signedWebhook } from "../../standins/stripe-webhooks.ts";
import { BACKENDS, type Harness, startHarness, WEBHOOK_SECRET } from "../harness.ts";
import { fanPays, newUserId, setupTiers, silverRoleKey, type Tiers, wishesOf } from "./fixtures.ts";

/** An executor that records what it was asked to do, answering with `answer` (default: done). */
function recordingExecutor(
  answer: (job: AccessJob) => JobResult | Promise<JobResult> = () => ({ outcome: "done" }),
) {
  const seen: AccessJob[] = [];
  const executor: AccessExecutor = {
    platform: "discord",
    execute: async (job) => {
      seen.push(job);
      return answer(job);
    },
  };
  return { executor, seen };
}

async function post(h: Harness, body: string, headers: Record<string, string>) {
  const res = await fetch(h.webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, body: await res.text() };
}

describe.each(BACKENDS)("memberships: webhooks, faults and durable jobs, on %s", (backend) => {
  let h: Harness;
  let tiers: Tiers;

  beforeAll(async () => {
    h = await startHarness({ backend });
    tiers = await setupTiers(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("refuses unsigned, badly signed, stale and malformed webhooks with 400, storing nothing", async () => {
    const paid = await fanPays(h, tiers.silver.slug, { deliver: false });
    const [event] = h.stripe.events.slice(-1) as [Stripe.Event];
    const before = await h.deps.db.stripeEvent.count();
    const good = signedWebhook(event, WEBHOOK_SECRET);
    expect((await post(h, good.body, {})).status).toBe(400);
    expect((await post(h, good.body, signedWebhook(event, "whsec_wrongsecret").headers)).status).toBe(400);
    const stale = signedWebhook(event, WEBHOOK_SECRET, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await post(h, stale.body, stale.headers)).status).toBe(400);
    const tampered = signedWebhook(event, WEBHOOK_SECRET);
    expect(
      (await post(h, tampered.body.replace(paid.customerId, "cus_someoneelse"), tampered.headers)).status,
    ).toBe(400);
    const notJson = signedWebhook("this is not json", WEBHOOK_SECRET);
    expect((await post(h, notJson.body, notJson.headers)).status).toBe(400);
    const notEvent = signedWebhook(JSON.stringify({ hello: "world" }), WEBHOOK_SECRET);
    expect((await post(h, notEvent.body, notEvent.headers)).status).toBe(400);
    expect(await h.deps.db.stripeEvent.count()).toBe(before);
    expect(h.logs.events("stripe.webhook.rejected").length).toBeGreaterThanOrEqual(6);
    expect(h.logs.raw.join("\n")).not.toContain(good.headers["stripe-signature"]!);
    await h.deliverAll();
  });

  it("answers 200 to event types it does not handle, and records nothing", async () => {
    const event = {
      ...(h.stripe.events.at(-1) as Stripe.Event),
      id: "evt_TGunhandled1",
      type: "product.created",
    } as Stripe.Event;
    const res = await h.deliver(event);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ignored: true });
    expect(await h.deps.db.stripeEvent.findUnique({ where: { id: event.id } })).toBeNull();
  });

  it("a replayed event answers 200 and changes nothing", async () => {
    const paid = await fanPays(h, tiers.silver.slug, { deliver: false });
    const events = h.stripe.events.filter((e) => JSON.stringify(e.data.object).includes(paid.customerId));
    await h.deliverAll();
    const history = await h.deps.db.memberHistory.count({ where: { memberId: paid.memberId } });
    const jobs = await h.deps.db.accessJob.findMany({ where: { platformUserId: paid.userId } });
    for (const e of events) {
      const res = await h.deliver(e);
      const body = JSON.parse(res.body) as { status?: string; ignored?: boolean };
      expect([res.status, body.ignored ? "ignored" : body.status]).toEqual([
        200,
        e.type.startsWith("customer.created") ? "ignored" : "duplicate",
      ]);
    }
    expect(await h.deps.db.memberHistory.count({ where: { memberId: paid.memberId } })).toBe(history);
    expect(await h.deps.db.accessJob.findMany({ where: { platformUserId: paid.userId } })).toEqual(jobs);
  });

  it("events delivered twice and in reverse order end in the same ledger as one ordered delivery", async () => {
    const ordered = await fanPays(h, tiers.silver.slug);
    const shuffled = await fanPays(h, tiers.silver.slug, { deliver: false });
    const script = (subId: string) => [
      h.stripe.updateSubscription(subId, { status: "past_due" }).event,
      h.stripe.updateSubscription(subId, { status: "active" }).event,
      h.stripe.updateSubscription(subId, { cancel_at_period_end: true }).event,
      h.stripe.updateSubscription(subId, { status: "canceled", ended_at: Math.floor(Date.now() / 1000) })
        .event,
    ];
    script(ordered.subscriptionId);
    await h.deliverAll();
    const late = [
      ...h.stripe.events.filter((e) => JSON.stringify(e.data.object).includes(shuffled.customerId)),
    ];
    late.push(...script(shuffled.subscriptionId));
    await h.deliverAll(); // moves the stand-in's delivery cursor; these deliveries are for `shuffled` only
    for (const e of [...late].reverse()) expect((await h.deliver(e)).status).toBe(200);
    for (const e of late) expect((await h.deliver(e)).status).toBe(200);
    const [a, b] = await Promise.all(
      [ordered, shuffled].map((p) =>
        h.deps.db.subscription.findUniqueOrThrow({ where: { id: p.subscriptionId } }),
      ),
    );
    expect({ status: b!.status, cancel: b!.cancelAtPeriodEnd, tier: b!.tierId }).toEqual({
      status: a!.status,
      cancel: a!.cancelAtPeriodEnd,
      tier: a!.tierId,
    });
    expect(a!.status).toBe("canceled");
    expect(await wishesOf(h, shuffled.userId)).toEqual(await wishesOf(h, ordered.userId));
    expect(await wishesOf(h, ordered.userId)).toEqual({ [silverRoleKey]: "revoke" });
  });

  it("Stripe failing while events are applied: they are acknowledged, kept queued, and the worker's retry applies them", async () => {
    const userId = newUserId();
    const paid = await fanPays(h, tiers.silver.slug, { userId, deliver: false });
    h.stripe.failNext({ method: "GET", path: "/v1/subscriptions" }, { kind: "status", status: 500 }, 100);
    const first = await h.deliverAll();
    expect(first.map((d) => d.status)).toEqual(first.map(() => 200));
    const handled = first.filter((d) => d.event.type !== "customer.created");
    for (const d of handled)
      expect((await h.deps.db.stripeEvent.findUniqueOrThrow({ where: { id: d.event.id } })).status).toBe(
        "queued",
      );
    expect(h.logs.events("stripe.events.retry").length).toBeGreaterThan(0);
    // The signed, paid checkout opened access already; the ledger waits for Stripe's confirmation.
    expect(await wishesOf(h, userId)).toEqual({ [silverRoleKey]: "grant" });
    const early = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect([early.status, early.currentPeriodEnd]).toEqual(["active", null]);
    h.stripe.clearFaults();
    h.clock.advance(15 * 60_000); // the worker's backoff runs out
    await h.stripeSettled();
    for (const d of handled)
      expect((await h.deps.db.stripeEvent.findUniqueOrThrow({ where: { id: d.event.id } })).status).toBe(
        "applied",
      );
    const confirmed = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect(confirmed.status).toBe("active");
    expect(confirmed.currentPeriodEnd).not.toBeNull();
    expect(await wishesOf(h, userId)).toEqual({ [silverRoleKey]: "grant" });
    const grants = await h.deps.db.memberHistory.count({
      where: { memberId: paid.memberId, action: "subscription.status" },
    });
    expect(grants).toBe(1);
  });

  it("the database failing: an event it cannot record is answered 500; one it cannot apply stays queued, nothing half-applied, and the retry applies it", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    const historyBefore = await h.deps.db.memberHistory.count({ where: { memberId: paid.memberId } });
    await h.deps.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION tg_test_fail() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'simulated database failure'; END; $$ LANGUAGE plpgsql`);
    // The event cannot even be recorded: 500, nothing stored, Stripe retries.
    await h.deps.db.$executeRawUnsafe(
      "CREATE TRIGGER tg_test_fail BEFORE INSERT ON stripe_event FOR EACH ROW EXECUTE FUNCTION tg_test_fail()",
    );
    const { event } = h.stripe.updateSubscription(paid.subscriptionId, {
      status: "canceled",
      ended_at: Math.floor(Date.now() / 1000),
    });
    const [refused] = await h.deliverAll();
    expect(refused?.status).toBe(500);
    expect(await h.deps.db.stripeEvent.findUnique({ where: { id: event.id } })).toBeNull();
    expect(h.logs.events("stripe.webhook.failed").length).toBeGreaterThan(0);
    await h.deps.db.$executeRawUnsafe("DROP TRIGGER tg_test_fail ON stripe_event");
    // Recorded, then the database fails in the middle of the worker's transaction (after the
    // subscription update was written).
    await h.deps.db.$executeRawUnsafe(
      "CREATE TRIGGER tg_test_fail BEFORE INSERT ON member_history FOR EACH ROW EXECUTE FUNCTION tg_test_fail()",
    );
    expect((await h.deliver(event)).status).toBe(200);
    await expect.poll(() => h.logs.events("stripe.events.retry").length).toBeGreaterThan(0);
    expect((await h.deps.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe(
      "queued",
    );
    expect(
      (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } })).status,
    ).toBe("active");
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "grant" });
    await h.deps.db.$executeRawUnsafe("DROP TRIGGER tg_test_fail ON member_history");
    h.clock.advance(15 * 60_000); // the worker's backoff runs out
    await h.stripeSettled();
    expect((await h.deps.db.stripeEvent.findUniqueOrThrow({ where: { id: event.id } })).status).toBe(
      "applied",
    );
    expect(
      (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } })).status,
    ).toBe("canceled");
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
    expect(await h.deps.db.memberHistory.count({ where: { memberId: paid.memberId } })).toBeGreaterThan(
      historyBefore,
    );
  });

  it("a crash between recording an event and running its jobs loses nothing: after a restart the jobs run once", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    await h.restart();
    const jobs = await h.deps.db.accessJob.findMany({ where: { platformUserId: paid.userId } });
    expect(jobs.map((j) => [j.action, j.state])).toEqual([["grant", "pending"]]);
    const { executor, seen } = recordingExecutor();
    const worker = createAccessWorker({
      db: h.deps.db,
      executors: [executor],
      log: h.deps.log,
      clock: h.clock,
      owner: "after-restart",
    });
    await worker.drain();
    await worker.drain();
    expect(seen.filter((j) => j.userId === paid.userId).map((j) => [j.action, j.target])).toEqual([
      ["grant", { platform: "discord", guildId: expect.any(String), roleId: expect.any(String) }],
    ]);
    const done = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: paid.userId } });
    expect(done.state).toBe("done");
    expect(
      await h.deps.db.memberHistory.findFirst({
        where: { memberId: paid.memberId, action: "access.granted" },
      }),
    ).not.toBeNull();
    expect(h.logs.events("access.granted").some((l) => l.userId === paid.userId)).toBe(true);
  });

  it("a job whose process died mid-run is claimed again when its lease runs out", async () => {
    const userId = newUserId();
    await h.deps.db.$transaction((tx) =>
      wantAccess(tx, {
        identity: { platform: "discord", userId },
        target: { platform: "discord", guildId: "1", roleId: "2" },
        memberId: null,
        action: "grant",
        reason: "test",
        stripeEventId: null,
        now: h.clock.now(),
      }),
    );
    const queue = createLeaseQueue(h.deps.db, "access_job");
    const ghost = await queue.claim<{
      id: bigint;
      version: number;
      attempts: number;
      platform_user_id: string;
    }>({
      owner: "ghost",
      limit: 1000,
      leaseMs: 60_000,
      now: h.clock.now(),
    });
    const mine = ghost.find((j) => j.platform_user_id === userId)!;
    expect(mine).toBeDefined();
    const { executor, seen } = recordingExecutor();
    const worker = createAccessWorker({
      db: h.deps.db,
      executors: [executor],
      log: h.deps.log,
      clock: h.clock,
      owner: "survivor",
    });
    await worker.drain();
    expect(seen.some((j) => j.userId === userId)).toBe(false); // leased to the ghost
    h.clock.advance(61_000);
    await worker.drain();
    expect(seen.filter((j) => j.userId === userId)).toHaveLength(1);
    // The ghost comes back: its lease is gone, it cannot mark anything.
    expect(
      await queue.complete({ id: mine.id, owner: "ghost", version: mine.version, now: h.clock.now() }),
    ).toBe("lost");
    for (const j of ghost.filter((x) => x.platform_user_id !== userId)) {
      await queue.fail({
        id: j.id,
        owner: "ghost",
        version: j.version,
        now: h.clock.now(),
        error: "released",
        retryAt: h.clock.now(),
        dead: false,
      });
    }
  });

  it("a revoke waits for a grant of the same account not tried yet (a tier switch); a grant retried later holds it no more", async () => {
    const userId = newUserId();
    const want = (action: "grant" | "revoke", roleId: string) =>
      h.deps.db.$transaction((tx) =>
        wantAccess(tx, {
          identity: { platform: "discord", userId },
          target: { platform: "discord", guildId: "1", roleId },
          memberId: null,
          action,
          reason: "switch",
          stripeEventId: null,
          now: h.clock.now(),
        }),
      );
    // The old tier's row is the older one (lower id): claimed by id alone, its revoke would run first.
    await want("revoke", "old");
    await want("grant", "new");
    const order: string[] = [];
    let grantAnswer: JobResult = { outcome: "done" };
    const { executor } = recordingExecutor(async (job) => {
      if (job.userId !== userId) return { outcome: "done" };
      order.push(`${job.action} start`);
      if (job.action === "grant") await new Promise((r) => setTimeout(r, 100));
      order.push(`${job.action} end`);
      return job.action === "grant" ? grantAnswer : { outcome: "done" };
    });
    const worker = createAccessWorker({
      db: h.deps.db,
      executors: [executor],
      log: h.deps.log,
      clock: h.clock,
      owner: "switch",
      concurrency: 4,
    });
    await worker.drain();
    expect(order).toEqual(["grant start", "grant end", "revoke start", "revoke end"]);

    // A grant that keeps failing is retried later: the revoke due now does not wait for it.
    order.length = 0;
    grantAnswer = { outcome: "retry", error: "platform down" };
    await want("revoke", "old2");
    await want("grant", "new2");
    await worker.drain();
    expect(order.filter((x) => x.endsWith("start"))).toEqual(["grant start", "revoke start"]);
    const jobs = await h.deps.db.accessJob.findMany({ where: { platformUserId: userId } });
    expect(jobs.find((j) => j.targetKey === "discord:1:old2")?.state).toBe("done");
    expect(jobs.find((j) => j.targetKey === "discord:1:new2")?.state).toBe("pending");
  });

  it("a newer wish arriving while a job runs is run next, never overwritten by the older one", async () => {
    const userId = newUserId();
    const target = { platform: "discord" as const, guildId: "1", roleId: "3" };
    const wish = (action: "grant" | "revoke") =>
      h.deps.db.$transaction((tx) =>
        wantAccess(tx, {
          identity: { platform: "discord", userId },
          target,
          memberId: null,
          action,
          reason: action,
          stripeEventId: null,
          now: h.clock.now(),
        }),
      );
    await wish("grant");
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { executor, seen } = recordingExecutor(async (job) => {
      if (job.userId === userId && job.action === "grant") await gate;
      return { outcome: "done" };
    });
    const worker = createAccessWorker({
      db: h.deps.db,
      executors: [executor],
      log: h.deps.log,
      clock: h.clock,
      owner: "w",
    });
    const running = worker.drain();
    await expect.poll(() => seen.some((j) => j.userId === userId)).toBe(true);
    await wish("revoke"); // the fan lapsed while the grant was in flight
    release();
    await running;
    await worker.drain();
    expect(seen.filter((j) => j.userId === userId).map((j) => j.action)).toEqual(["grant", "revoke"]);
    const row = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: userId } });
    expect([row.action, row.state]).toEqual(["revoke", "done"]);
  });

  it("retries with backoff, then dead-letters for the creator, who can retry it", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    let calls = 0;
    const { executor } = recordingExecutor((job) => {
      if (job.userId !== paid.userId) return { outcome: "done" };
      calls++;
      return { outcome: "retry", error: "Discord answered 502" };
    });
    const worker = createAccessWorker({
      db: h.deps.db,
      executors: [executor],
      log: h.deps.log,
      clock: h.clock,
      owner: "flaky",
      maxAttempts: 3,
      retryBaseMs: 1_000,
    });
    await worker.drain();
    const first = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: paid.userId } });
    expect(first).toMatchObject({ state: "pending", attempts: 1, lastError: "Discord answered 502" });
    expect(first.runAfter.getTime()).toBeGreaterThan(h.clock.now().getTime()); // backoff
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      await worker.drain();
    }
    expect(calls).toBe(3);
    const dead = await listDeadJobs(h.deps.db);
    expect(dead.find((j) => j.platformUserId === paid.userId)).toMatchObject({
      state: "dead",
      lastError: "Discord answered 502",
    });
    expect(h.logs.events("access.dead").some((l) => l.userId === paid.userId)).toBe(true);
    expect(await retryDeadJobs(h.deps.db, { now: h.clock.now() })).toBeGreaterThan(0);
    const again = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: paid.userId } });
    expect(again).toMatchObject({ state: "pending", attempts: 0 });
  });
});

describe("memberships: several workers on one PostgreSQL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ backend: "postgres" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("several worker processes on one PostgreSQL never run the same job twice", async () => {
    const users = Array.from({ length: 300 }, () => newUserId());
    await h.deps.db.$transaction(async (tx) => {
      for (const userId of users) {
        await wantAccess(tx, {
          identity: { platform: "discord", userId },
          target: { platform: "discord", guildId: "9", roleId: "9" },
          memberId: null,
          action: "grant",
          reason: "load",
          stripeEventId: null,
          now: h.clock.now(),
        });
      }
    });
    const counts = new Map<string, number>();
    const dbs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        openDatabase({ databaseUrl: h.config.databaseUrl, dataDir: "/nonexistent", log: h.deps.log }),
      ),
    );
    try {
      await Promise.all(
        dbs.map((db, i) => {
          const { executor } = recordingExecutor(async (job) => {
            counts.set(job.userId, (counts.get(job.userId) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, Math.random() * 3));
            return { outcome: "done" };
          });
          return createAccessWorker({
            db: db.prisma,
            executors: [executor],
            log: h.deps.log,
            clock: h.clock,
            owner: `proc-${i}`,
            concurrency: 8,
          }).drain();
        }),
      );
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
    expect(users.filter((u) => counts.get(u) !== 1)).toEqual([]);
  });
});
