import type { APIUser } from "discord-api-types/v10";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HANDLED_EVENT_TYPES } from "../../../src/app/billing/eventTypes.ts";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { setSetting } from "../../../src/app/settings.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import { botRole, guild, member, role, user } from "../../standins/discord-payloads.ts";
import { signedWebhook } from "../../standins/stripe-webhooks.ts";
import { type Cluster, findPostgresBin, startCluster } from "../../support/global-setup.ts";
import { until } from "../../support/helpers.ts";
import { type DiscordHarness, startHarness, WEBHOOK_SECRET } from "../harness.ts";
import { deliverAllUntil2xx, newStats } from "./support.ts";

/**
 * FAULT: the database goes away for a while (its PostgreSQL server is stopped, then started again on
 * the same port and data). Meanwhile Stripe's webhooks are answered 5xx, quickly (never 2xx, never a
 * hang), /readyz says the database is the problem and /healthz stays up. Once PostgreSQL is back,
 * Stripe's redeliveries are applied, nothing is lost, and the access worker, which failed to claim
 * jobs during the outage, runs them without a restart.
 *
 * The file runs its own PostgreSQL cluster: stopping the shared test server would break the other files.
 */

/** A webhook answer must come back within this: Stripe gives up on an endpoint after ~10-30 s. */
const ANSWER_WITHIN_MS = 12_000;

async function post(url: string, event: Stripe.Event): Promise<{ status: number; ms: number }> {
  const { body, headers } = signedWebhook(event, WEBHOOK_SECRET);
  const t0 = Date.now();
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(30_000) });
    await res.text();
    return { status: res.status, ms: Date.now() - t0 };
  } catch (err) {
    throw new Error(`no answer to ${event.type} within ${Date.now() - t0} ms: ${(err as Error).message}`);
  }
}

describe("FAULT: the database unavailable for a while (PostgreSQL stopped, then started again)", () => {
  let cluster: Cluster;
  let h: DiscordHarness;

  beforeAll(async () => {
    const bin = findPostgresBin();
    if (!bin) {
      throw new Error(
        "This test stops and restarts its own PostgreSQL server and needs the server binaries " +
          "(apt-get install -y postgresql, or TEST_POSTGRES_BIN=<dir of pg_ctl>).",
      );
    }
    cluster = await startCluster(bin);
    h = await startHarness({ backend: "postgres", databaseUrl: cluster.url, discord: true });
    await h.discord.waitForReady();
  });
  afterAll(async () => {
    await h?.stop();
    await cluster?.stop();
  });

  it("webhooks answer 5xx during the outage; afterwards Stripe's retries are applied, nothing is lost, the workers recover by themselves", async () => {
    const t0 = Date.now();
    // -- a server with the tier's role below the bot's; six fans in it
    const goldRole = role({ name: "Gold", position: 1 });
    const fans = Array.from({ length: 6 }, (_, i) => user({ username: `fan${i}` }));
    const g = guild({ members: fans.map((u) => member({ user: u })), roles: [goldRole] });
    await setSetting(h.deps.db, "discordHomeGuildIds", [g.id]);
    h.discord.addGuild(g, { botRole: botRole({ position: 5 }) });
    await expect.poll(() => h.app.discord!.client.guilds.cache.has(g.id)).toBe(true);
    await createTier(h.deps, { name: "Gold", slug: "gold", amount: 500, currency: "eur", interval: "month" });
    await addTierAccess(h.deps, "gold", { platform: "discord", guildId: g.id, roleId: goldRole.id }, "Gold");
    const holdsGold = (userId: string) =>
      h.discord.member(g.id, userId)?.roles.includes(goldRole.id) ?? false;
    const checkout = async (u: APIUser) => {
      const out = await startCheckout(h.deps, {
        who: { platform: "discord", userId: u.id, username: u.username, locale: "en-US" },
        tier: "gold",
      });
      if (out.kind !== "checkout") throw new Error(`expected a checkout, got ${out.kind}`);
      return out.sessionId;
    };

    // -- before: three fans pay and get the role; three more open their checkout
    const [a, b, c, d, e, f] = fans as [APIUser, APIUser, APIUser, APIUser, APIUser, APIUser];
    const subs = new Map<string, string>();
    for (const u of [a, b, c]) {
      subs.set(u.id, h.stripe.completeCheckout(await checkout(u)).subscription!.id);
    }
    const before = await h.deliverAll();
    expect(before.map((r) => r.status)).toEqual(before.map(() => 200));
    await expect
      .poll(() => [a, b, c].map((u) => holdsGold(u.id)), { timeout: 10_000 })
      .toEqual([true, true, true]);
    const late = new Map<string, string>();
    for (const u of [d, e, f]) late.set(u.id, await checkout(u));

    // -- the outage
    await cluster.halt("fast");
    const outageStart = Date.now();
    // Meanwhile on Stripe: three fans pay, one cancels, one fails a payment.
    for (const u of [d, e, f]) subs.set(u.id, h.stripe.completeCheckout(late.get(u.id)!).subscription!.id);
    h.stripe.updateSubscription(subs.get(a.id)!, {
      status: "canceled",
      ended_at: Math.floor(Date.now() / 1000),
    });
    h.stripe.updateSubscription(subs.get(b.id)!, { status: "past_due" });
    const during = h.stripe.events.slice(before.length);
    const answers: { type: string; status: number; ms: number }[] = [];
    for (const event of during) answers.push({ type: event.type, ...(await post(h.webhookUrl, event)) });
    // Handled types must not be acknowledged: Stripe would never send them again. (Ignored types
    // are answered 200 without touching the database.)
    for (const answer of answers) {
      expect(answer.ms, answer.type).toBeLessThan(ANSWER_WITHIN_MS);
      if (HANDLED_EVENT_TYPES.has(answer.type))
        expect(answer.status, answer.type).toBeGreaterThanOrEqual(500);
    }
    // A second round: the pool has no connection left to lose, the answer is still a quick 5xx.
    const again = await post(h.webhookUrl, during.find((x) => HANDLED_EVENT_TYPES.has(x.type))!);
    expect(again.status).toBeGreaterThanOrEqual(500);
    expect(again.ms).toBeLessThan(ANSWER_WITHIN_MS);

    const ready = await fetch(`${h.app.http.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(readiness.status).toBe("not_ready");
    expect(readiness.checks.database).toMatch(/^error/);
    // Without the database no process can hold the lead: this one closed its gateway session (the
    // REST API stays usable), so that no two sessions ever act (src/adapters/db/leader.ts).
    expect(readiness.checks.discord).toBe("standby");
    expect(readiness.checks.role).toBe("standby");
    expect(h.logs.events("leader.lost").length).toBe(1);
    expect((await fetch(`${h.app.http.url}/healthz`)).status).toBe(200);
    // The access worker looks for work, fails, and keeps going.
    h.app.wake();
    await h.logs.waitFor("access.claim_failed", 15_000, (l) => Date.parse(String(l.time)) >= outageStart);

    // -- PostgreSQL is back; no restart of the bot; Stripe redelivers until 2xx
    await cluster.resume();
    const outageMs = Date.now() - outageStart;
    const stats = newStats();
    await deliverAllUntil2xx(() => h.webhookUrl, during, WEBHOOK_SECRET, stats, { concurrency: 2 });
    expect(stats.unexpected).toEqual([]);
    // Acknowledged means recorded: the worker applies them by itself.
    await h.stripeSettled(30_000);
    expect(await h.deps.db.stripeEvent.count({ where: { status: "queued" } })).toBe(0);

    // Nothing lost: every handled event recorded once; the ledger is Stripe's state.
    const handled = h.stripe.events.filter((x) => HANDLED_EVENT_TYPES.has(x.type)).map((x) => x.id);
    const recorded = await h.deps.db.stripeEvent.findMany({ select: { id: true } });
    expect(new Set(recorded.map((r) => r.id))).toEqual(new Set(handled));
    expect(recorded.length).toBe(new Set(handled).size);
    for (const u of fans) {
      const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subs.get(u.id)! } });
      expect(sub.status, u.username).toBe(h.stripe.get<Stripe.Subscription>(subs.get(u.id)!)!.status);
    }
    // The workers ran the jobs by themselves: the new fans and the past_due one (in grace) hold the
    // role, the one who canceled lost it; no job left pending, running or dead.
    await expect
      .poll(() => fans.map((u) => holdsGold(u.id)), { timeout: 20_000, interval: 100 })
      .toEqual([false, true, true, true, true, true]);
    await expect
      .poll(() => h.deps.db.accessJob.count({ where: { state: { not: "done" } } }), { timeout: 20_000 })
      .toBe(0);
    const jobs = await h.deps.db.accessJob.findMany({ orderBy: { platformUserId: "asc" } });
    expect(Object.fromEntries(jobs.map((j) => [j.platformUserId, j.action]))).toEqual(
      Object.fromEntries(fans.map((u) => [u.id, u === a ? "revoke" : "grant"])),
    );
    const ready2 = await fetch(`${h.app.http.url}/readyz`);
    expect(ready2.status).toBe(200);
    // The database back, the process leads again, its gateway session open.
    await expect.poll(() => h.app.discord?.status(), { timeout: 10_000 }).toBe("ready");
    expect(h.logs.events("leader.acquired").length).toBe(2);

    process.stdout.write(
      `[fault database-outage] ${during.length} events during a ${outageMs} ms outage: answers ` +
        `${answers.map((x) => `${x.status} in ${x.ms} ms`).join(", ")}; ${stats.retries} redelivery retries ` +
        `after restart; ${Date.now() - t0} ms\n`,
    );
  }, 90_000);

  it("the database stops right after a fan's role PUT: the outcome is recorded when it is back, one PUT and one welcome DM", async () => {
    await expect.poll(() => h.app.discord?.status(), { timeout: 10_000 }).toBe("ready");
    const g = [...h.app.discord!.client.guilds.cache.values()][0]!;
    const goldRole = [...g.roles.cache.values()].find((r) => r.name === "Gold")!;
    const fan = user({ username: "late_fan" });
    h.discord.addMember(g.id, member({ user: fan }));
    await expect.poll(() => g.members.cache.has(fan.id), { timeout: 5_000 }).toBe(true);
    const rolePath = `/guilds/${g.id}/members/${fan.id}/roles/${goldRole.id}`;
    // Discord carries the PUT out and answers it 10 s late (under discord.js's 15 s timeout, so it is
    // not sent again): by then the database is surely gone, even on a loaded machine.
    h.discord.failNext({ method: "PUT", path: rolePath }, { kind: "slow", ms: 10_000 });
    const out = await startCheckout(h.deps, {
      who: { platform: "discord", userId: fan.id, username: fan.username, locale: "en-US" },
      tier: "gold",
    });
    if (out.kind !== "checkout") throw new Error(`expected a checkout, got ${out.kind}`);
    const from = h.stripe.events.length;
    h.stripe.completeCheckout(out.sessionId);
    for (const event of h.stripe.events.slice(from))
      expect((await post(h.webhookUrl, event)).status).toBe(200);
    // As soon as the PUT reaches Discord (waitForCall would wait for its answer, 10 s later, and the
    // bot could record the outcome before the database stops).
    await until(
      () => h.discord.calls.some((c) => c.method === "PUT" && c.path === rolePath),
      "the role PUT to reach Discord",
      15_000,
    );
    await cluster.halt("fast");
    const haltedAt = Date.now();
    await h.logs.waitFor(
      "access.settle_deferred",
      30_000,
      (l) => Date.parse(String(l.time)) >= haltedAt - 2_000,
    );
    // Longer than a job's lease (6 s): without the kept outcome the job would be claimed and run again.
    await new Promise((r) => setTimeout(r, 12_000));
    await cluster.resume();
    await h.logs.waitFor("access.settled_late", 20_000);
    await expect.poll(() => h.discord.dmsTo(fan.id).length, { timeout: 20_000 }).toBe(1);
    // Time for a second run to show itself, if there were one.
    await new Promise((r) => setTimeout(r, 3_000));
    const puts = h.discord.calls.filter((c) => c.method === "PUT" && c.path === rolePath);
    expect(puts).toHaveLength(1);
    expect(h.discord.dmsTo(fan.id)).toHaveLength(1);
    const job = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: fan.id } });
    expect(job.state).toBe("done");
    expect(job.attempts).toBe(1);
    expect(h.discord.member(g.id, fan.id)?.roles).toContain(goldRole.id);
  }, 90_000);
});
