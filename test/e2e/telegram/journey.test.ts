import type { Message, User } from "@grammyjs/types";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileAll } from "../../../src/app/reconcile.ts";
import { addTierAccess, changeTierPrice, createTier } from "../../../src/app/tiers.ts";
import { DAY_MS } from "../../../src/core/membership.ts";
import { makeEvent } from "../../standins/stripe.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { sleep, until } from "../../support/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  buttons,
  command,
  creatorBindsChat,
  fanJoins,
  inviteLinkSent,
  nextBotMessage,
  startTelegramHarness,
  tg,
  waitForStatus,
} from "./helpers.ts";

/**
 * The fan's journey on Telegram (issue 17): /start offers every price side by side (the yearly one
 * with its saving), lifetime is bought in payment mode and never taken back, /membership switches
 * tier with a button (the new chat before the old one goes, Stripe's item moved), a button replayed
 * by someone else is refused, a member is never sold a second subscription and is offered /link for
 * the Discord side of their tier, and the nudge to link Discord comes once after paying.
 */
describe("Telegram: the fan's journey (PGlite)", () => {
  let h: DualHarness;
  const goldChat = supergroup({ title: "Gold Lounge" });
  const silverChat = supergroup({ title: "Silver Lounge" });
  const prices = { goldMonth: "", goldYear: "", goldLife: "" };

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    const gold = await createTier(h.deps, {
      name: "Gold",
      slug: "gold",
      amount: 1000,
      currency: "eur",
      interval: "month",
      lifetimeAmount: 20000,
    });
    prices.goldMonth = gold.prices.find((p) => p.kind === "recurring")!.stripePriceId;
    prices.goldLife = gold.prices.find((p) => p.kind === "lifetime")!.stripePriceId;
    prices.goldYear = (await changeTierPrice(h.deps, "gold", { amount: 10000, interval: "year" }))!;
    await createTier(h.deps, { name: "Silver", slug: "silver", amount: 500, currency: "eur" });
    await creatorBindsChat(h, "gold", goldChat);
    await bindNewChat(h, "silver", silverChat);
    // Gold also opens a Discord role: a Telegram payer is nudged to link Discord.
    await addTierAccess(
      h.deps,
      "gold",
      { platform: "discord", guildId: "100000000000000001", roleId: "200000000000000001" },
      "Gold role",
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Presses the button of `message` whose text contains `label`; returns the bot's next message. */
  async function press(fan: User, message: Message, label: string, data?: string): Promise<Message> {
    const button = buttons(message).find((b) => b.text.includes(label));
    const callbackData = data ?? (button && "callback_data" in button ? button.callback_data : undefined);
    expect(callbackData, `a button “${label}” in ${JSON.stringify(buttons(message))}`).toBeDefined();
    const seen = botMessages(h, fan.id).length;
    tg(h).pushCallbackQuery({ from: fan, data: callbackData!, message });
    return nextBotMessage(h, fan.id, seen);
  }
  /** Pushes a button press with these data; returns the text of the bot's answer to the callback query. */
  async function pressData(fan: User, message: Message, data: string): Promise<string> {
    const answered = tg(h).callsOf("answerCallbackQuery").length;
    tg(h).pushCallbackQuery({ from: fan, data, message });
    const call = await until(
      () => tg(h).callsOf("answerCallbackQuery")[answered],
      "the bot to answer the button press",
    );
    return String(call.params.text ?? "");
  }
  const checkoutCalls = () =>
    h.stripe.calls.filter((c) => c.method === "POST" && c.path === "/v1/checkout/sessions");
  const sessionOf = (m: Message) =>
    (buttons(m).find((b) => "url" in b) as { url: string }).url.split("/").pop()!;

  it("/start offers monthly, yearly with its saving, and lifetime side by side; yearly is bought at the yearly price", async () => {
    const fan = user({ language_code: "en" });
    tg(h).addUser(fan);
    const menu = await command(h, fan, "start", "gold");
    expect(buttons(menu).map((b) => b.text)).toEqual([
      "Gold · €10.00/month",
      "Gold · €100.00/year (2 months free)",
      "Gold · €200.00 once, for life",
    ]);
    const all = await command(h, fan, "start");
    expect(buttons(all).map((b) => b.text)).toContain("Silver · €5.00/month");
    const french = user({ language_code: "fr" });
    tg(h).addUser(french);
    expect(buttons(await command(h, french, "start", "gold")).map((b) => b.text)[1]).toMatch(
      /^Gold · 100,00\s€\/an \(2 mois offerts\)$/,
    );

    const checkout = await press(fan, menu, "/year");
    expect(checkoutCalls().at(-1)!.body).toMatchObject({
      mode: "subscription",
      line_items: [{ price: prices.goldYear }],
    });
    const seen = botMessages(h, fan.id).length;
    h.stripe.completeCheckout(sessionOf(checkout));
    await h.deliverAll();
    const link = await inviteLinkSent(h, fan, seen, goldChat.title);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, goldChat.id, fan.id, "member");
  });

  it("lifetime is bought through Checkout in payment mode, lets the fan in, and no reconciliation takes it back", async () => {
    const fan = user({ language_code: "en" });
    tg(h).addUser(fan);
    const menu = await command(h, fan, "start", "gold");
    const checkout = await press(fan, menu, "for life");
    expect(checkout.text).toContain("Here is your checkout for Gold, for life: €200.00 once, for life");
    expect(checkoutCalls().at(-1)!.body).toMatchObject({
      mode: "payment",
      line_items: [{ price: prices.goldLife }],
    });
    const seen = botMessages(h, fan.id).length;
    const sessionId = sessionOf(checkout);
    h.stripe.completeCheckout(sessionId);
    const delivered = await h.deliverAll();
    expect(delivered.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
    const link = await inviteLinkSent(h, fan, seen, goldChat.title);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, goldChat.id, fan.id, "member");
    expect(await h.deps.db.subscription.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({
      kind: "lifetime",
      status: "lifetime",
    });

    h.clock.advance(3 * 365 * DAY_MS);
    h.app.wake();
    await reconcileAll(h.app.services, { dryRun: false });
    await sleep(300);
    expect(
      tg(h)
        .callsOf("banChatMember")
        .filter((c) => c.params.user_id === fan.id),
    ).toEqual([]);
    expect(tg(h).member(goldChat.id, fan.id)?.status).toBe("member");

    const membership = await command(h, fan, "membership");
    expect(membership.text).toContain("Gold: for life");
    expect(buttons(membership).filter((b) => b.text.startsWith("Switch"))).toEqual([]);
  });

  it("/membership switches tier with a button: Stripe's item moves (prorated), the new chat comes before the old one goes", async () => {
    const fan = user({ language_code: "en" });
    const subId = await fanJoins(h, fan, "silver", silverChat);
    const membership = await command(h, fan, "membership");
    const before = h.logs.lines.length;
    const done = await press(fan, membership, "Switch to Gold");
    expect(done.text).toContain("you are now a member of Gold");
    const update = h.stripe.calls.findLast(
      (c) => c.method === "POST" && c.path === `/v1/subscriptions/${subId}`,
    )!;
    expect(update.body).toMatchObject({
      items: [{ price: prices.goldMonth }],
      proration_behavior: "create_prorations",
    });
    expect(h.stripe.get<Stripe.Subscription>(subId)!.items.data[0]!.price.id).toBe(prices.goldMonth);
    await h.logs.waitFor("access.revoked", 10_000, (l) => l.userId === String(fan.id));
    const order = h.logs.lines
      .slice(before)
      .filter(
        (l) => l.userId === String(fan.id) && ["access.granted", "access.revoked"].includes(String(l.event)),
      )
      .map((l) => `${String(l.event)} ${String(l.target)}`);
    expect(order).toEqual([
      `access.granted telegram:${goldChat.id}`,
      `access.revoked telegram:${silverChat.id}`,
    ]);
    // Removed from the Silver chat because of the switch: told so, with no "join again" button.
    const told = await nextBotMessage(h, fan.id, 0, (m) =>
      Boolean(m.text?.includes("You are now a Gold member")),
    );
    expect(told.text).toContain("does not include “Silver Lounge”");
    expect(told.reply_markup).toBeUndefined();
    expect(botMessages(h, fan.id).some((m) => m.text?.includes("Send /start to join again"))).toBe(false);

    // The same button again: already on that tier.
    const again = await press(fan, membership, "Switch to Gold");
    expect(again.text).toContain("You are already a member of “Gold”");
  });

  it("a switch button replayed by someone else, or tampered with, is refused and changes nothing", async () => {
    const victim = user({ language_code: "en" });
    const victimSub = await fanJoins(h, victim, "silver", silverChat);
    const membership = await command(h, victim, "membership");
    const data = (buttons(membership).find((b) => b.text === "Switch to Gold") as { callback_data: string })
      .callback_data;
    const attacker = user({ language_code: "en" });
    await fanJoins(h, attacker, "silver", silverChat);
    const stripeCalls = h.stripe.calls.length;
    const seen = botMessages(h, attacker.id).length;
    expect(await pressData(attacker, membership, data)).toBe(
      "This button is not valid. Send /start to get fresh ones.",
    );
    expect(await pressData(victim, membership, data.replace("sw:gold", "sw:silv"))).toBe(
      "This button is not valid. Send /start to get fresh ones.",
    );
    await h.logs.waitFor("telegram.callback_rejected", 5_000, (l) => l.userId === attacker.id);
    await sleep(200);
    expect(botMessages(h, attacker.id)).toHaveLength(seen);
    expect(h.stripe.calls.slice(stripeCalls).filter((c) => c.path.startsWith("/v1/subscriptions/"))).toEqual(
      [],
    );
    expect(h.stripe.get<Stripe.Subscription>(victimSub)!.items.data[0]!.price.id).not.toBe(prices.goldMonth);
  });

  it("a member is told what they have (and offered /link for the Discord side), never sold a second subscription", async () => {
    const fan = user({ language_code: "en" });
    await fanJoins(h, fan, "gold", goldChat);
    const count = checkoutCalls().length;
    const menu = await command(h, fan, "start", "gold");
    const again = await press(fan, menu, "/month");
    expect(again.text).toContain("You already have Gold: there is nothing more to pay");
    expect(again.text).toContain("It also opens chats on Discord: send /link to link your Discord account");
    const silver = await press(fan, await command(h, fan, "start", "silver"), "Silver");
    expect(silver.text).toContain("Switch to Silver instead of paying twice?");
    expect(buttons(silver).map((b) => b.text)).toContain("Switch to Silver");
    expect(checkoutCalls()).toHaveLength(count);
    const code = await press(fan, again, "Get my /link code");
    expect(code.text).toMatch(/Your linking code: [A-Z2-9]{4}-[A-Z2-9]{4}/);
    // No membership at all: /membership mentions /link.
    const stranger = user({ language_code: "en" });
    tg(h).addUser(stranger);
    expect((await command(h, stranger, "membership")).text).toContain(
      "Already a member on Discord? Send /link",
    );
  });

  it("after paying for a tier that also opens Discord, the fan is nudged once to link it, with a one-tap button", async () => {
    const fan = user({ language_code: "fr" });
    tg(h).addUser(fan);
    const checkout = await press(fan, await command(h, fan, "start", "gold"), "/mois");
    expect(checkout.text).toContain("Déjà membre via Discord ? Ne payez pas deux fois : envoyez /link ici.");
    const done = h.stripe.completeCheckout(sessionOf(checkout));
    await h.deliverAll();
    const nudges = () =>
      botMessages(h, fan.id).filter((m) => m.text?.includes("ouvre aussi des salons sur Discord"));
    await expect.poll(() => nudges().length, { timeout: 10_000 }).toBe(1);
    expect(buttons(nudges()[0]!).map((b) => b.text)).toEqual(["Obtenir mon code /link"]);
    // The same completion again under a new id: the nudge is keyed, not sent twice.
    const completed = done.events.find((e) => e.type === "checkout.session.completed")!;
    const replay = makeEvent("checkout.session.completed", completed.data.object as Stripe.Checkout.Session);
    expect((await h.deliver(replay)).status).toBe(200);
    h.app.wake();
    await sleep(500);
    expect(nudges()).toHaveLength(1);
    const code = await press(fan, nudges()[0]!, "Obtenir mon code /link");
    expect(code.text).toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}/);
  });
});
