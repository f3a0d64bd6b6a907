import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import type { AccessReader } from "../../../src/app/reconcile/platforms.ts";
import { reconcile } from "../../../src/app/reconcile.ts";
import { type AccessTarget, targetKey } from "../../../src/core/access.ts";
import { DAY_MS } from "../../../src/core/membership.ts";
import { BACKENDS, type Harness, startHarness, WEBHOOK_SECRET } from "../harness.ts";
import {
  fanPays,
  GUILD,
  goldRoleKey,
  newUserId,
  ROLE_SILVER,
  setupTiers,
  silverRoleKey,
  type Tiers,
  wishesOf,
} from "./fixtures.ts";

/** A platform as reconciliation sees it: who holds which target (a set the test edits). */
function fakeDiscord(): AccessReader & {
  holders: (t: AccessTarget) => Promise<Set<string>>;
  held: Map<string, Set<string>>;
  /** Members of the server; undefined: the reader does not say (everyone counts as present). */
  members?: Set<string>;
} {
  const held = new Map<string, Set<string>>();
  const reader: ReturnType<typeof fakeDiscord> = {
    platform: "discord",
    held,
    holders: async (t) => held.get(targetKey(t)) ?? new Set<string>(),
    present: async () => reader.members ?? null,
  };
  return reader;
}

describe.each(BACKENDS)("reconciliation repairs drift, on %s", (backend) => {
  let h: Harness;
  let tiers: Tiers;

  /** Stripe's webhooks for what happened so far are lost (sent to a URL that does not take them). */
  const loseWebhooks = () => h.stripe.deliverEvents(`${h.app.http.url}/healthz`, WEBHOOK_SECRET);
  const run = (dryRun: boolean, readers: AccessReader[] = []) =>
    reconcile({ ...h.deps, readers }, { dryRun });

  beforeAll(async () => {
    h = await startHarness({ backend });
    tiers = await setupTiers(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a missed checkout webhook: the dry run reports it and changes nothing; the real run grants access", async () => {
    const userId = newUserId();
    const outcome = await startCheckout(h.deps, {
      who: { platform: "discord", userId },
      tier: tiers.silver.slug,
    });
    if (outcome.kind !== "checkout") throw new Error("expected checkout");
    const { subscription } = h.stripe.completeCheckout(outcome.sessionId);
    await loseWebhooks();
    const counts = async () => [
      await h.deps.db.subscription.count(),
      await h.deps.db.accessJob.count(),
      await h.deps.db.memberHistory.count(),
    ];
    const before = await counts();

    const preview = await run(true);
    expect(preview.dryRun).toBe(true);
    expect(preview.drift).toContainEqual(
      expect.objectContaining({
        kind: "stripe",
        memberId: null,
        what: expect.stringContaining(`subscription ${subscription!.id} missing from the ledger`),
      }),
    );
    expect(await counts()).toEqual(before);

    const real = await run(false);
    expect(real.drift.some((d) => d.what.includes(subscription!.id))).toBe(true);
    expect(await wishesOf(h, userId)).toEqual({ [silverRoleKey]: "grant" });
    const history = await h.deps.db.memberHistory.findFirst({ where: { subscriptionId: subscription!.id } });
    expect(history).toMatchObject({ actor: "reconcile" });
    // Nothing left to repair.
    expect((await run(true)).drift.filter((d) => d.what.includes(subscription!.id))).toEqual([]);
  });

  it("a missed cancellation revokes", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(paid.subscriptionId, {
      status: "canceled",
      ended_at: Math.floor(Date.now() / 1000),
    });
    await loseWebhooks();
    await run(false);
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
  });

  it("a grace period whose timer was lost still ends", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(paid.subscriptionId, { status: "past_due" });
    await h.deliverAll();
    await h.deps.db.task.deleteMany({ where: { key: `review:${paid.memberId}` } });
    await h.deps.db.subscription.update({
      where: { id: paid.subscriptionId },
      data: { pastDueSince: new Date(h.clock.now().getTime() - 5 * DAY_MS) },
    });
    const preview = await run(true);
    expect(preview.drift).toContainEqual(
      expect.objectContaining({
        kind: "ledger",
        memberId: paid.memberId,
        what: expect.stringContaining(`revoke discord:${paid.userId}`),
      }),
    );
    await run(false);
    expect(await wishesOf(h, paid.userId)).toEqual({ [silverRoleKey]: "revoke" });
  });

  it("a grant that died is tried again", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    await h.deps.db.accessJob.updateMany({
      where: { platformUserId: paid.userId },
      data: { state: "dead", lastError: "Unknown Role" },
    });
    await run(false);
    const job = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: paid.userId } });
    expect([job.action, job.state]).toEqual(["grant", "pending"]);
  });

  it("platform drift: a role removed by hand is granted again, a role a lapsed member kept is revoked, strangers are only reported", async () => {
    const keeper = await fanPays(h, tiers.silver.slug);
    const lapsed = await fanPays(h, tiers.silver.slug);
    h.stripe.updateSubscription(lapsed.subscriptionId, {
      status: "canceled",
      ended_at: Math.floor(Date.now() / 1000),
    });
    await h.deliverAll();
    // The platform executed everything the ledger asked...
    await h.deps.db.accessJob.updateMany({
      where: { platformUserId: { in: [keeper.userId, lapsed.userId] } },
      data: { state: "done" },
    });
    // ...then someone edited roles by hand: the keeper lost Silver, the lapsed fan got it back, a stranger has it.
    const discord = fakeDiscord();
    discord.held.set(silverRoleKey, new Set([lapsed.userId, "999999999999999999"]));
    discord.held.set(goldRoleKey, new Set());
    const report = await run(false, [discord]);
    expect(report.drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "platform",
          memberId: keeper.memberId,
          what: `grant discord:${keeper.userId} discord:${GUILD}:${ROLE_SILVER}: owed but not held on the platform`,
        }),
        expect.objectContaining({
          kind: "platform",
          memberId: lapsed.memberId,
          what: `revoke discord:${lapsed.userId} discord:${GUILD}:${ROLE_SILVER}: held on the platform but not owed`,
        }),
      ]),
    );
    expect(report.unmanagedHolders).toContainEqual({
      platform: "discord",
      userId: "999999999999999999",
      target: silverRoleKey,
    });
    const [k, l] = await Promise.all(
      [keeper, lapsed].map((p) =>
        h.deps.db.accessJob.findFirstOrThrow({
          where: { platformUserId: p.userId, targetKey: silverRoleKey },
        }),
      ),
    );
    expect([k!.action, k!.state]).toEqual(["grant", "pending"]);
    expect([l!.action, l!.state]).toEqual(["revoke", "pending"]);
    expect(await h.deps.db.accessJob.count({ where: { platformUserId: "999999999999999999" } })).toBe(0);
    expect(h.logs.events("reconcile.done").length).toBeGreaterThan(0);
  });

  it("access waiting on the fan is left alone: not in the server yet, or a Telegram invite not used yet", async () => {
    const away = await fanPays(h, tiers.silver.slug); // paid from a DM, never joined the server
    const here = await fanPays(h, tiers.silver.slug);
    const invited = await fanPays(h, tiers.gold.slug, { platform: "telegram" }); // invite sent, not used
    const ids = [away.userId, here.userId, invited.userId];
    await h.deps.db.accessJob.updateMany({ where: { platformUserId: { in: ids } }, data: { state: "done" } });
    const discord = fakeDiscord();
    discord.held.set(silverRoleKey, new Set());
    discord.held.set(goldRoleKey, new Set());
    discord.members = new Set([here.userId]);
    const telegram: AccessReader = { platform: "telegram", holds: async () => false };
    const report = await run(false, [discord, telegram]);
    const mine = report.drift.filter((d) => ids.some((id) => d.what.includes(id)));
    // Only the fan who is in the server without their role is repaired.
    expect(mine.map((d) => d.what)).toEqual([
      `grant discord:${here.userId} discord:${GUILD}:${ROLE_SILVER}: owed but not held on the platform`,
    ]);
    expect(report.waitingOnFan).toBeGreaterThanOrEqual(2);
    expect(await wishesOf(h, away.userId)).toEqual({ [silverRoleKey]: "grant" });
    expect(
      await h.deps.db.accessJob.count({
        where: { platformUserId: { in: [away.userId, invited.userId] }, state: "pending" },
      }),
    ).toBe(0);
  });
});
