import type { Message, User } from "@grammyjs/types";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileAll } from "../../../src/app/reconcile.ts";
import { getSettings } from "../../../src/app/settings.ts";
import { changeTierPrice } from "../../../src/app/tiers.ts";
import { DAY_MS } from "../../../src/core/membership.ts";
import { buttonClick } from "../../standins/discord-payloads.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay, sleep, until } from "../../support/helpers.ts";
import {
  type Answer,
  addFan,
  addServer,
  createTierViaDiscord,
  creator,
  hasRole,
  interact,
  lastSeq,
  opt,
  roleCalls,
  type Server,
  command as slash,
  sub,
  waitForRoleCall,
} from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  buttons,
  CREATOR,
  command,
  fanJoins,
  inviteLinkSent,
  nextBotMessage,
  startTelegramHarness,
  tg,
  waitForStatus,
} from "../telegram/helpers.ts";

/**
 * Pause and resume (issue 17), on the stand-ins, on both platforms: the creator allows pauses (off by
 * default) and chooses whether a paused fan keeps access (lost by default); the fan pauses from
 * /membership, Stripe's webhook tells the ledger, access goes (or stays) accordingly and comes back
 * when the fan resumes or Stripe resumes on schedule. Forged buttons and refusals change nothing.
 */
describe("pause and resume a membership (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let gold: { slug: string; roleId: string };
  const goldChat = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    gold = await createTierViaDiscord(h, server, { name: "Gold", price: "10", currency: "eur" });
    await changeTierPrice(h.deps, "gold", { amount: 20000, kind: "lifetime" });
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
    await bindNewChat(h, "gold", goldChat);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const click = (fan: { id: string }, customId: string): Promise<Answer> =>
    interact(h, buttonClick({ customId, user: fan as never, guildId: server.id }));
  const membership = (fan: { id: string }) =>
    interact(h, slash({ user: fan as never, guildId: server.id }, "membership"));
  const subscriptionUpdates = (from: number, subId?: string) =>
    h.stripe.calls
      .slice(from)
      .filter(
        (c) =>
          c.method === "POST" &&
          c.path.startsWith("/v1/subscriptions/") &&
          (!subId || c.path.endsWith(subId)),
      );
  const settings = (options: Parameters<typeof sub>[1]) =>
    interact(h, creator(server, sub(["settings"], options)));
  /** The fan's newest Checkout Session, made by a price button of /join. */
  const checkoutOf = async (fan: { id: string }, offer: "month" | "lifetime") => {
    await interact(h, slash({ user: fan as never, guildId: server.id }, "join", [opt.str("tier", "gold")]));
    await click(fan, `buy:gold:${offer}`);
    const call = h.stripe.calls.findLast(
      (c) =>
        c.method === "POST" &&
        c.path === "/v1/checkout/sessions" &&
        c.body.client_reference_id === `discord:${fan.id}`,
    );
    return (call!.response as { id: string }).id;
  };
  const joinMonthly = async (fan: { id: string }) => pay(h, await checkoutOf(fan, "month"));
  const deliver = async () => {
    const delivered = await h.deliverAll();
    expect(delivered.filter((d) => d.status !== 200)).toEqual([]);
    return delivered;
  };

  it("pausing is off by default: no button, and a made-up one is refused without calling Stripe", async () => {
    expect(await getSettings(h.deps.db)).toMatchObject({
      pauseAllowed: false,
      pauseKeepsAccess: false,
      pauseMaxMonths: 1,
    });
    const fan = addFan(h, server, "olive");
    const subId = await joinMonthly(fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    expect((await membership(fan)).customIds.filter((id) => id.startsWith("pause:"))).toEqual([]);
    const calls = h.stripe.calls.length;
    const refused = await click(fan, `pause:${subId}:1`);
    expect(refused.content).toContain("The creator does not offer pauses: nothing changed");
    expect(subscriptionUpdates(calls)).toEqual([]);
  });

  it("the creator allows pauses of up to 2 months; a fan pauses, loses the role, cannot pause twice, and reconciliation changes nothing", async () => {
    const allowed = await settings([opt.bool("pause-allowed", true), opt.int("pause-max-months", 2)]);
    expect(JSON.stringify(allowed.embeds)).toContain(
      "fans may pause: up to 2 months, access lost during a pause",
    );
    const fan = addFan(h, server, "paula");
    const subId = await joinMonthly(fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    const view = await membership(fan);
    expect(view.customIds).toEqual(expect.arrayContaining([`pause:${subId}:1`, `pause:${subId}:2`]));
    // A length the creator does not offer, forged: refused before Stripe.
    const calls = h.stripe.calls.length;
    expect((await click(fan, `pause:${subId}:3`)).content).toContain("A pause lasts 1 to 2 months here");
    expect(subscriptionUpdates(calls)).toEqual([]);

    const before = lastSeq(h);
    const paused = await click(fan, `pause:${subId}:2`);
    expect(paused.content).toContain("Your Gold membership is paused until");
    expect(paused.content).toContain("Your access closes during the pause");
    const [update] = subscriptionUpdates(calls, subId);
    expect(update?.body).toMatchObject({
      pause_collection: { behavior: "void" },
      metadata: { tribegate_pause_access: "lost" },
    });
    const resumesAt = h.stripe.get<Stripe.Subscription>(subId)!.pause_collection!.resumes_at!;
    const expectedResume = new Date(h.clock.now());
    expectedResume.setUTCMonth(expectedResume.getUTCMonth() + 2);
    expect(Math.abs(resumesAt * 1000 - expectedResume.getTime())).toBeLessThan(DAY_MS * 3);
    // The button's answer changed nothing in the ledger: Stripe's webhook does.
    expect((await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).pausedSince).toBeNull();
    const delivered = await deliver();
    expect(delivered.map((d) => d.event.type)).toContain("customer.subscription.updated");
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, before);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(false);
    const row = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } });
    expect(row).toMatchObject({ status: "active", pauseKeepsAccess: false });
    expect(row.pausedSince).not.toBeNull();
    expect(row.pauseResumesAt?.getTime()).toBe(resumesAt * 1000);
    await h.logs.waitFor("member.pause_requested", 5_000, (l) => l.subscriptionId === subId);
    // The button's answer told the fan: no second message about the same pause.
    const queuedFor = (event: string) =>
      h.logs.lines.filter((l) => l.event === event && l.subscriptionId === subId).length;
    expect(queuedFor("member.pause_started_notice_queued")).toBe(0);

    const again = await membership(fan);
    expect(again.customIds).toContain(`resume:${subId}`);
    expect(again.customIds.filter((id) => id.startsWith("pause:"))).toEqual([]);
    expect(again.embeds[0]?.description).toContain("paused until");
    const twice = h.stripe.calls.length;
    expect((await click(fan, `pause:${subId}:1`)).content).toContain("is already paused");
    expect(subscriptionUpdates(twice)).toEqual([]);

    // Reconciliation re-reads Stripe (pause included): no drift, the role stays off.
    const seq = lastSeq(h);
    const report = await reconcileAll(h.app.services, { dryRun: false });
    expect(
      report.drift.filter((d) => d.memberId === row.memberId || JSON.stringify(d.fact).includes(subId)),
    ).toEqual([]);
    await sleep(300);
    expect(roleCalls(h, "PUT", fan.id, gold.roleId).filter((c) => c.seq > seq)).toEqual([]);
    expect(
      (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).pausedSince,
    ).not.toBeNull();

    // Resume: Stripe's pause is lifted, the webhook gives the role back.
    const resumeFrom = lastSeq(h);
    const resumed = await click(fan, `resume:${subId}`);
    expect(resumed.content).toContain("Your Gold membership is back on");
    expect(h.stripe.get<Stripe.Subscription>(subId)!.pause_collection).toBeNull();
    await deliver();
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, resumeFrom);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
    expect((await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).pausedSince).toBeNull();
    expect(queuedFor("member.pause_resumed_notice_queued")).toBe(0);
    expect((await click(fan, `resume:${subId}`)).content).toContain(
      "is not paused: there is nothing to resume",
    );
  });

  it("a forged pause or resume button naming someone else's subscription is refused, with no Stripe call", async () => {
    const victim = addFan(h, server, "vera");
    const victimSub = await joinMonthly(victim);
    await waitForRoleCall(h, "PUT", victim.id, gold.roleId);
    const attacker = addFan(h, server, "mal");
    await joinMonthly(attacker);
    const calls = h.stripe.calls.length;
    for (const id of [`pause:${victimSub}:1`, `resume:${victimSub}`]) {
      const forged = await click(attacker, id);
      expect(forged.content).toContain("belongs to someone else's membership: nothing changed");
    }
    await h.logs.waitFor("pause.refused", 5_000, (l) => l.subscriptionId === victimSub);
    expect(subscriptionUpdates(calls)).toEqual([]);
    expect(h.stripe.get<Stripe.Subscription>(victimSub)!.pause_collection).toBeNull();
    expect(hasRole(h, server, victim.id, gold.roleId)).toBe(true);
  });

  it("a lifetime membership has no pause, and a made-up button says why", async () => {
    const fan = addFan(h, server, "lou");
    const sessionId = await checkoutOf(fan, "lifetime");
    h.stripe.completeCheckout(sessionId);
    await deliver();
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    expect((await membership(fan)).customIds.filter((id) => id.startsWith("pause:"))).toEqual([]);
    const calls = h.stripe.calls.length;
    expect((await click(fan, `pause:${sessionId}:1`)).content).toContain(
      "is for life: there are no payments to pause",
    );
    expect(subscriptionUpdates(calls)).toEqual([]);
  });

  it("with access kept, the role stays during the pause; Stripe resumes on schedule and the fan is told", async () => {
    await settings([opt.str("pause-access", "kept")]);
    expect((await getSettings(h.deps.db)).pauseKeepsAccess).toBe(true);
    const fan = addFan(h, server, "kim");
    const subId = await joinMonthly(fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    const before = lastSeq(h);
    const paused = await click(fan, `pause:${subId}:1`);
    expect(paused.content).toContain("You keep your access meanwhile");
    await deliver();
    await until(
      async () =>
        (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).pausedSince !== null,
      "the ledger to record the pause",
    );
    await sleep(300);
    expect(roleCalls(h, "DELETE", fan.id, gold.roleId).filter((c) => c.seq > before)).toEqual([]);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);

    // The creator changes their mind later: a pause keeps the choice it began with.
    await settings([opt.str("pause-access", "lost")]);
    await reconcileAll(h.app.services, { dryRun: false });
    await sleep(300);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);

    // A month on, Stripe lifts the pause by itself: the fan hears their membership is back on.
    h.clock.advance(32 * DAY_MS);
    h.stripe.resumePausedSubscription(subId);
    await deliver();
    await h.logs.waitFor("member.pause_resumed_notice_queued", 5_000, (l) => l.subscriptionId === subId);
    h.app.wake();
    const dm = await until(
      () =>
        h.discord.calls.find(
          (c) =>
            c.method === "POST" &&
            JSON.stringify(c.body ?? "").includes("Your pause is over: your Gold membership is back on"),
        ),
      "the resumption message",
    );
    expect(dm).toBeDefined();
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
  });

  it("a pause the creator makes or lifts in Stripe's Dashboard is told to the fan, once each, with the access it leaves", async () => {
    // Pauses are lost-access here now (the test above ended on "lost").
    const fan = addFan(h, server, "dana");
    const subId = await joinMonthly(fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    const before = lastSeq(h);
    const resumesAt = Math.floor((h.clock.now().getTime() + 20 * DAY_MS) / 1000);
    // The Dashboard's pause: no metadata of tribegate's on it.
    const { event: pauseEvent } = h.stripe.updateSubscription(subId, {
      pause_collection: { behavior: "void", resumes_at: resumesAt },
    } as Partial<Stripe.Subscription>);
    await deliver();
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, before);
    await h.logs.waitFor("member.pause_started_notice_queued", 5_000, (l) => l.subscriptionId === subId);
    h.app.wake();
    const paused = await until(
      () => h.discord.dmsTo(fan.id).find((m) => m.content.includes("Your Gold membership is paused until")),
      "the pause message",
    );
    expect(paused.content).toContain("Your access closes during the pause and comes back when it ends");
    // The same event again, or a reconciliation: no second message.
    expect((await h.deliver(pauseEvent)).status).toBe(200);
    await reconcileAll(h.app.services, { dryRun: false });
    h.app.wake();
    await sleep(500);
    expect(h.discord.dmsTo(fan.id).filter((m) => m.content.includes("is paused until"))).toHaveLength(1);

    // The creator lifts it early in the Dashboard: the fan hears it is back on, and the role returns.
    const resumeFrom = lastSeq(h);
    h.stripe.updateSubscription(subId, { pause_collection: null } as Partial<Stripe.Subscription>);
    await deliver();
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, resumeFrom);
    await h.logs.waitFor("member.pause_resumed_notice_queued", 5_000, (l) => l.subscriptionId === subId);
    h.app.wake();
    await until(
      () =>
        h.discord
          .dmsTo(fan.id)
          .find((m) => m.content.includes("Your pause is over: your Gold membership is back on")),
      "the resumption message",
    );
  });

  it("on Telegram: the creator sets pauses with /pauses; a fan pauses, leaves the group, resumes and is invited back", async () => {
    const set = await command(h, CREATOR, "pauses", "on lost 1");
    expect(set.text).toContain("Saved. Pauses: fans may pause: up to 1 month, access lost during a pause");
    const fan: User = user({ language_code: "en" });
    const subId = await fanJoins(h, fan, "gold", goldChat);
    const view = await command(h, fan, "membership");
    expect(buttons(view).map((b) => b.text)).toContain("Pause Gold for 1 month");

    const press = async (m: Message, label: string): Promise<Message> => {
      const button = buttons(m).find((b) => b.text.includes(label)) as { callback_data: string } | undefined;
      expect(button, JSON.stringify(buttons(m))).toBeDefined();
      const seen = botMessages(h, fan.id).length;
      tg(h).pushCallbackQuery({ from: fan, data: button!.callback_data, message: m });
      return nextBotMessage(h, fan.id, seen);
    };
    const paused = await press(view, "Pause Gold for 1 month");
    expect(paused.text).toContain("Your Gold membership is paused until");
    expect(h.stripe.get<Stripe.Subscription>(subId)!.pause_collection?.behavior).toBe("void");
    await deliver();
    await until(() => tg(h).member(goldChat.id, fan.id)?.status !== "member", "the fan to leave the group");

    // Reconciliation during the pause invites nobody back.
    const seen = botMessages(h, fan.id).length;
    await reconcileAll(h.app.services, { dryRun: false });
    await sleep(300);
    expect(tg(h).member(goldChat.id, fan.id)?.status).not.toBe("member");
    expect(
      botMessages(h, fan.id)
        .slice(seen)
        .filter((m) => /t\.me\/\+/.test(m.text ?? "")),
    ).toEqual([]);

    const again = await command(h, fan, "membership");
    expect(again.text).toContain("paused until");
    const resumed = await press(again, "Resume Gold now");
    expect(resumed.text).toContain("Your Gold membership is back on");
    const before = botMessages(h, fan.id).length;
    await deliver();
    const link = await inviteLinkSent(h, fan, before, goldChat.title);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, goldChat.id, fan.id, "member");
  });
});
