import { type APIMessage, type APIUser, OverwriteType, PermissionFlagsBits } from "discord-api-types/v10";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setSetting } from "../../../src/app/settings.ts";
import { createTier } from "../../../src/app/tiers.ts";
import { DAY_MS } from "../../../src/core/membership.ts";
import { formatDay } from "../../../src/i18n/intl.ts";
import { buttonClick, textChannel } from "../../standins/discord-payloads.ts";
import { makeEvent } from "../../standins/stripe.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { sleep, until } from "../../support/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  buttons,
  CREATOR,
  fanJoins,
  nextBotMessage,
  startCheckoutFromTelegram,
  startTelegramHarness,
  command as telegramCommand,
  tg,
  waitForStatus,
} from "../telegram/helpers.ts";
import {
  addFan,
  addServer,
  createTierViaDiscord,
  interact,
  joinAndPay,
  lastSeq,
  type Server,
  waitForRoleCall,
} from "./helpers.ts";

/**
 * The fan's journey, part 2 (issue 17): messages that say what happened. Payment reminders count
 * the days of grace left, the last day has its own reminder (a durable timer that survives a
 * restart and is dropped when the fan pays), the end of a trial is announced once, a cancellation
 * is confirmed with its end date and its withdrawal too, each once however often Stripe repeats itself.
 */
describe("messages that say what happened (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let gold: { slug: string; roleId: string };

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    gold = await createTierViaDiscord(h, server, { name: "Gold", price: "10", currency: "eur" });
    await setSetting(h.deps.db, "graceDays", 5);
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
  });
  afterAll(async () => {
    await h?.stop();
  });

  const dms = (fan: APIUser, text: string): APIMessage[] =>
    h.discord.dmsTo(fan.id).filter((m) => m.content.includes(text));
  const urlButtons = (m: APIMessage): string[] =>
    (m.components ?? []).flatMap((row) =>
      "components" in row
        ? (row.components as { url?: string }[]).flatMap((c) => (c.url ? [c.url] : []))
        : [],
    );
  const customIds = (m: APIMessage): string[] =>
    (m.components ?? []).flatMap((row) =>
      "components" in row
        ? (row.components as { custom_id?: string }[]).flatMap((c) => (c.custom_id ? [c.custom_id] : []))
        : [],
    );
  const lastCheckoutOf = (ref: string) =>
    h.stripe.calls.findLast(
      (c) =>
        c.method === "POST" &&
        c.path === "/v1/checkout/sessions" &&
        String(c.body.client_reference_id).endsWith(`:${ref}`),
    );
  const deliver = async (events: Stripe.Event[]) => {
    for (const e of events) expect((await h.deliver(e)).status).toBe(200);
    h.app.wake();
  };
  const wakeUntil = async (check: () => number, expected: number) => {
    await expect
      .poll(
        () => {
          h.app.wake();
          return check();
        },
        { timeout: 15_000 },
      )
      .toBe(expected);
  };

  // First: the Stripe stand-in dates the trial by the real clock, which the later tests leave behind.
  it("the end of a trial is announced once, in French on Telegram, with its date and the portal", async () => {
    await createTier(h.deps, {
      name: "Essai",
      slug: "essai",
      amount: 500,
      currency: "eur",
      interval: "month",
      trialDays: 7,
    });
    const fan = user({ first_name: "Zoé", language_code: "fr" });
    tg(h).addUser(fan);
    const sessionId = await startCheckoutFromTelegram(h, fan, "essai");
    const done = h.stripe.completeCheckout(sessionId);
    await h.deliverAll();
    const subId = done.subscription!.id;
    expect((await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).status).toBe(
      "trialing",
    );

    const trialEnd = new Date(h.stripe.get<Stripe.Subscription>(subId)!.trial_end! * 1000);
    const notices = () => botMessages(h, fan.id).filter((m) => (m.text ?? "").includes("essai gratuit"));
    // Stripe sends it, then sends it again (a retry under a new id): one message.
    await deliver([h.stripe.trialWillEnd(subId), h.stripe.trialWillEnd(subId)]);
    await wakeUntil(() => notices().length, 1);
    const [m] = notices();
    expect(m!.text).toContain(
      `Votre essai gratuit de Essai se termine le ${formatDay("fr", trialEnd, "UTC")}.`,
    );
    expect(buttons(m!).some((b) => "url" in b)).toBe(true);
    await sleep(500);
    expect(notices()).toHaveLength(1);
    await h.logs.waitFor("member.trial_ending_queued", 1_000, (l) => l.subscriptionId === subId);
  });

  it("the welcome lists the channels the tier's role opens, as links", async () => {
    const view = String(PermissionFlagsBits.ViewChannel);
    const privateTo = [
      { id: server.id, type: OverwriteType.Role, allow: "0", deny: view },
      { id: gold.roleId, type: OverwriteType.Role, allow: view, deny: "0" },
    ];
    const lounge = textChannel({ name: "gold-lounge", position: 1, permission_overwrites: privateTo });
    const studio = textChannel({ name: "studio", position: 2, permission_overwrites: privateTo });
    h.discord.addChannel(server.id, studio);
    h.discord.addChannel(server.id, lounge);
    h.discord.addChannel(server.id, textChannel({ name: "lobby", position: 3 }));
    await until(
      () => h.app.discord!.client.guilds.cache.get(server.id)?.channels.cache.has(lounge.id),
      "the bot to see the channels",
    );
    const fan = addFan(h, server, "wren");
    await joinAndPay(h, server, fan, gold.slug);
    await wakeUntil(() => dms(fan, "Welcome to Gold").length, 1);
    expect(dms(fan, "Welcome to Gold")[0]!.content).toBe(
      `Welcome to Gold! Your access is open.\nNow open to you: <#${lounge.id}> and <#${studio.id}>`,
    );
  });

  it("a failed payment: the reminder counts the days left, a failed retry says fewer, the last day has its own reminder across a restart", async () => {
    const fan = addFan(h, server, "pat");
    const subId = await joinAndPay(h, server, fan, gold.slug);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);

    const first = h.stripe.failRenewal(subId, 1);
    await deliver(first.events);
    await wakeUntil(() => dms(fan, "did not go through").length, 1);
    const [reminder] = dms(fan, "did not go through");
    expect(reminder!.content).toContain("Your access stays open for 5 days more");
    expect(urlButtons(reminder!)[0]).toMatch(/^http/);

    // Two days later Stripe tries again, and fails again: three days left.
    h.clock.advance(2 * DAY_MS);
    const retry = h.stripe.failRenewal(subId, 2);
    await deliver(retry.events);
    await wakeUntil(() => dms(fan, "did not go through").length, 2);
    expect(dms(fan, "did not go through")[1]!.content).toContain("stays open for 3 days more");
    // The same failure delivered again under a new id: nothing more.
    const failed = retry.events.find((e) => e.type === "invoice.payment_failed")!;
    await deliver([makeEvent("invoice.payment_failed", failed.data.object as Stripe.Invoice)]);
    await sleep(500);
    expect(dms(fan, "did not go through")).toHaveLength(2);
    expect(dms(fan, "Last day")).toHaveLength(0);

    // The bot restarts; on the last day of grace the last-day reminder goes, once.
    await h.restart();
    await h.discord.waitForReady();
    h.clock.advance(2 * DAY_MS + 60_000);
    await wakeUntil(() => dms(fan, "Last day").length, 1);
    expect(dms(fan, "Last day")[0]!.content).toContain("your access closes within 24 hours");
    expect(urlButtons(dms(fan, "Last day")[0]!)).toHaveLength(1);

    // Grace over: the role goes, with the goodbye; no more reminders.
    const before = lastSeq(h);
    h.clock.advance(DAY_MS);
    h.app.wake();
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, before, 15_000);
    await sleep(300);
    expect(dms(fan, "Last day")).toHaveLength(1);
    expect(dms(fan, "did not go through")).toHaveLength(2);

    // The goodbye carries a button back: Checkout again, for the clicker's own account.
    await wakeUntil(() => dms(fan, "Your membership has ended").length, 1);
    const goodbye = dms(fan, "Your membership has ended")[0]!;
    expect(customIds(goodbye)).toEqual([`buy:${gold.slug}:month`]);
    const back = await interact(h, buttonClick({ customId: `buy:${gold.slug}:month`, user: fan }));
    expect(back.urls[0]).toMatch(/\/checkout\/cs_/);
    expect(lastCheckoutOf(fan.id)?.body).toMatchObject({ client_reference_id: `discord:${fan.id}` });
    // The same id clicked by someone else starts their own checkout, never one for this fan.
    const other = addFan(h, server, "olga");
    await interact(h, buttonClick({ customId: `buy:${gold.slug}:month`, user: other }));
    expect(lastCheckoutOf(other.id)?.body).toMatchObject({ client_reference_id: `discord:${other.id}` });
  });

  it("paying inside the grace period drops the last-day reminder", async () => {
    const fan = addFan(h, server, "quinn");
    const subId = await joinAndPay(h, server, fan, gold.slug);
    await deliver(h.stripe.failRenewal(subId, 1).events);
    await wakeUntil(() => dms(fan, "did not go through").length, 1);
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } });
    const lastDayKey = `notify:payment_last_day:${subId}:${sub.pastDueSince!.toISOString()}`;
    expect(await h.deps.db.task.findUnique({ where: { key: lastDayKey } })).not.toBeNull();

    await deliver([h.stripe.updateSubscription(subId, { status: "active" }).event]);
    expect(await h.deps.db.task.findUnique({ where: { key: lastDayKey } })).toBeNull();
    h.clock.advance(5 * DAY_MS);
    h.app.wake();
    await sleep(800);
    expect(dms(fan, "Last day")).toHaveLength(0);
  });

  it("a cancellation is confirmed once with its end date; taking it back says so", async () => {
    const fan = addFan(h, server, "remy");
    const subId = await joinAndPay(h, server, fan, gold.slug);
    const canceled = h.stripe.updateSubscription(subId, { cancel_at_period_end: true });
    await deliver([canceled.event]);
    await wakeUntil(() => dms(fan, "is canceled").length, 1);
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } });
    const [dm] = dms(fan, "is canceled");
    expect(dm!.content).toContain(
      `Your Gold membership is canceled: it will not renew. Your access stays open until ${formatDay("en", sub.currentPeriodEnd!, "UTC")}.`,
    );
    expect(urlButtons(dm!)).toHaveLength(1);
    // Stripe repeats itself (the same state under a new event id): nothing more.
    await deliver([makeEvent("customer.subscription.updated", canceled.subscription)]);
    await sleep(500);
    expect(dms(fan, "is canceled")).toHaveLength(1);

    await deliver([h.stripe.updateSubscription(subId, { cancel_at_period_end: false }).event]);
    await wakeUntil(() => dms(fan, "is back on").length, 1);
    expect(dms(fan, "is back on")[0]!.content).toBe(
      "Your Gold membership is back on: it renews as before, and your access stays open.",
    );
  });

  it("on Telegram, the removal message carries a button back, signed for the fan", async () => {
    const lounge = supergroup({ title: "Gold Lounge" });
    await bindNewChat(h, gold.slug, lounge);
    const fan = user({ first_name: "Léa", language_code: "fr" });
    const subId = await fanJoins(h, fan, gold.slug, lounge);
    await deliver([
      h.stripe.updateSubscription(subId, { status: "canceled", ended_at: Math.floor(Date.now() / 1000) })
        .event,
    ]);
    await waitForStatus(h, lounge.id, fan.id, "left");
    const removed = await nextBotMessage(h, fan.id, 0, (m) =>
      (m.text ?? "").includes("vous en avez donc été retiré"),
    );
    const [back] = buttons(removed);
    expect(back).toMatchObject({ text: "Revenir" });
    const data = (back as { callback_data: string }).callback_data;

    // Someone else pressing a copy of it is refused; the fan's press opens Checkout for them.
    const thief = user({ first_name: "Max" });
    tg(h).addUser(thief);
    tg(h).pushCallbackQuery({ from: thief, data, message: removed });
    await h.logs.waitFor("telegram.callback_rejected", 10_000, (l) => l.userId === thief.id);
    const seen = botMessages(h, fan.id).length;
    tg(h).pushCallbackQuery({ from: fan, data, message: removed });
    const checkout = await nextBotMessage(h, fan.id, seen);
    expect(buttons(checkout).find((b) => "url" in b)).toMatchObject({
      url: expect.stringMatching(/\/checkout\/cs_/),
    });
    expect(lastCheckoutOf(String(fan.id))?.body).toMatchObject({ client_reference_id: `telegram:${fan.id}` });
    expect(botMessages(h, thief.id)).toEqual([]);
  });
});
