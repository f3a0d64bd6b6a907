/**
 * The webhook's intake under a burst (issue #14): the events that arrive together are written in one
 * statement (group commit), every one durable with its customer's task, a copy answered `duplicate`,
 * and a batch the database refuses refused for every event in it (5xx: Stripe retries each).
 */
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeEventIntake, STRIPE_EVENTS_TASK } from "../../../src/app/billing/stripeEvents.ts";
import type { Db } from "../../../src/app/db.ts";
import { makeEvent, subscription } from "../../standins/stripe-objects.ts";
import { deliverWebhook } from "../../standins/stripe-webhooks.ts";
import { BACKENDS, type Harness, startHarness, WEBHOOK_SECRET } from "../harness.ts";

let seq = 0;
/** A subscription update for a customer the bot does not know (the worker fails it for good: fine here). */
const updateFor = (customer: string): Stripe.Event =>
  makeEvent(
    "customer.subscription.updated",
    subscription({ id: `sub_TGintake${++seq}`, customer }),
  ) as Stripe.Event;

/** `db`, counting the statements sent through $queryRaw. */
function counting(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "$queryRaw" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: wrapped, statements: () => n };
}

describe.each(BACKENDS)("webhook intake: group commit, on %s", (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ backend });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("answers a burst of concurrent deliveries: each event recorded once with its customer's task, copies answered duplicate", async () => {
    // 30 customers, 2 events each, every event delivered twice, all at once.
    const events = Array.from({ length: 30 }, (_, i) => `cus_TGburst${seq}x${i}`).flatMap((c) => [
      updateFor(c),
      updateFor(c),
    ]);
    const answers = await Promise.all(
      [...events, ...events].map(async (e) => ({
        id: e.id,
        ...(await deliverWebhook(h.webhookUrl, e, WEBHOOK_SECRET)),
      })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const statuses = new Map<string, string[]>();
    for (const a of answers)
      statuses.set(a.id, [...(statuses.get(a.id) ?? []), (JSON.parse(a.body) as { status: string }).status]);
    for (const e of events) expect(statuses.get(e.id)?.sort()).toEqual(["duplicate", "queued"]);

    const rows = await h.deps.db.stripeEvent.findMany({
      where: { id: { in: events.map((e) => e.id) } },
      select: { id: true, queueKey: true },
    });
    expect(rows).toHaveLength(events.length);
    const keys = [...new Set(rows.map((r) => r.queueKey))];
    expect(keys).toHaveLength(30);
    const tasks = await h.deps.db.task.count({
      where: { key: { in: keys.map((k) => `${STRIPE_EVENTS_TASK}:${k}`) } },
    });
    expect(tasks).toBe(30);
    await h.stripeSettled();
  });

  it("writes the events accepted in the same moment in one statement, and a lone event at once", async () => {
    const { db, statements } = counting(h.deps.db);
    const intake = createStripeEventIntake({ ...h.deps, livemode: false }, { db });
    const events = Array.from({ length: 25 }, (_, i) => updateFor(`cus_TGtogether${seq}x${i % 5}`));
    const copy = events[3]!;
    const results = await Promise.all([...events, copy].map((e) => intake.accept(e)));
    expect(statements()).toBe(1);
    expect(results.filter((r) => r.status === "queued")).toHaveLength(25);
    expect(results.at(-1)?.status).toBe("duplicate");
    expect(await h.deps.db.stripeEvent.count({ where: { id: { in: events.map((e) => e.id) } } })).toBe(25);

    const lone = await intake.accept(updateFor(`cus_TGlone${seq}`));
    expect(lone.status).toBe("queued");
    expect(statements()).toBe(2);
    expect((await intake.accept(copy)).status).toBe("duplicate");
    await h.stripeSettled();
  });

  it("the database refusing one event of a batch fails every event of it, stores none, and a retry records them", async () => {
    const intake = createStripeEventIntake({ ...h.deps, livemode: false });
    const customers = Array.from({ length: 6 }, (_, i) => `cus_TGrefused${seq}x${i}`);
    const events = customers.map(updateFor);
    const poisoned = events[4]!.id;
    await h.deps.db.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION tg_test_fail_one() RETURNS trigger AS $$
      BEGIN IF NEW.id = '${poisoned}' THEN RAISE EXCEPTION 'simulated database failure'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql`);
    await h.deps.db.$executeRawUnsafe(
      "CREATE TRIGGER tg_test_fail_one BEFORE INSERT ON stripe_event FOR EACH ROW EXECUTE FUNCTION tg_test_fail_one()",
    );
    try {
      const settled = await Promise.allSettled(events.map((e) => intake.accept(e)));
      expect(settled.map((s) => s.status)).toEqual(events.map(() => "rejected"));
      expect(await h.deps.db.stripeEvent.count({ where: { id: { in: events.map((e) => e.id) } } })).toBe(0);
      expect(
        await h.deps.db.task.count({
          where: { key: { in: customers.map((c) => `${STRIPE_EVENTS_TASK}:${c}`) } },
        }),
      ).toBe(0);
      // Over HTTP the same refusal is a 500 for each delivery of the batch, so Stripe retries each.
      const answers = await Promise.all(events.map((e) => deliverWebhook(h.webhookUrl, e, WEBHOOK_SECRET)));
      expect(answers.filter((a) => a.status === 500).length).toBeGreaterThanOrEqual(1);
      expect(answers.find((_, i) => events[i]!.id === poisoned)?.status).toBe(500);
    } finally {
      await h.deps.db.$executeRawUnsafe("DROP TRIGGER tg_test_fail_one ON stripe_event");
    }
    const retried = await Promise.all(events.map((e) => deliverWebhook(h.webhookUrl, e, WEBHOOK_SECRET)));
    expect(retried.every((a) => a.status === 200)).toBe(true);
    expect(await h.deps.db.stripeEvent.count({ where: { id: { in: events.map((e) => e.id) } } })).toBe(6);
    await h.stripeSettled();
  });
});
