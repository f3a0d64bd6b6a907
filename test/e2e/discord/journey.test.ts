import type { APIUser } from "discord-api-types/v10";
import { Locale } from "discord-api-types/v10";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkCode } from "../../../src/app/members/linking.ts";
import { reconcileAll } from "../../../src/app/reconcile.ts";
import { changeTierPrice } from "../../../src/app/tiers.ts";
import { DAY_MS } from "../../../src/core/membership.ts";
import { buttonClick } from "../../standins/discord-payloads.ts";
import { makeEvent } from "../../standins/stripe.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay, sleep, until } from "../../support/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  bindNewChat,
  CREATOR,
  startCheckoutFromTelegram,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";
import {
  type Answer,
  addFan,
  addServer,
  command,
  createTierViaDiscord,
  hasRole,
  interact,
  join,
  lastSeq,
  opt,
  roleCalls,
  type Server,
  waitForRoleCall,
} from "./helpers.ts";

/**
 * The fan's journey on Discord (issue 17): every price of a tier side by side (the yearly one with
 * its saving), lifetime bought in payment mode and never taken back, a tier switch from the
 * /membership button (the new role before the old one goes, Stripe's item moved), forged switch
 * buttons refused, no second subscription for a member, and the nudge to link Telegram, sent once.
 */
describe("Discord: the fan's journey (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let gold: { slug: string; roleId: string };
  let silver: { slug: string; roleId: string };
  const goldChat = supergroup({ title: "Gold Lounge" });
  const prices = { goldMonth: "", goldYear: "", goldLife: "", silverMonth: "" };

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    gold = await createTierViaDiscord(h, server, { name: "Gold", price: "10", currency: "eur" });
    silver = await createTierViaDiscord(h, server, { name: "Silver", price: "5", currency: "eur" });
    prices.goldYear = (await changeTierPrice(h.deps, "gold", { amount: 10000, interval: "year" }))!;
    prices.goldLife = (await changeTierPrice(h.deps, "gold", { amount: 20000, kind: "lifetime" }))!;
    const rows = await h.deps.db.tierPrice.findMany({
      where: { current: true, kind: "recurring", interval: "month" },
    });
    const tiers = await h.deps.db.tier.findMany();
    const idOf = (slug: string) => tiers.find((t) => t.slug === slug)!.id;
    prices.goldMonth = rows.find((r) => r.tierId === idOf("gold"))!.stripePriceId;
    prices.silverMonth = rows.find((r) => r.tierId === idOf("silver"))!.stripePriceId;
    // Gold also opens a Telegram group: a Discord payer is nudged to link Telegram.
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    await bindNewChat(h, "gold", goldChat);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const click = (fan: APIUser, customId: string, guildId: string | undefined = server.id): Promise<Answer> =>
    interact(h, buttonClick({ customId, user: fan, ...(guildId ? { guildId } : {}) }));

  /** The newest Checkout Session the bot created for this Discord account. */
  const lastCheckout = (fan: APIUser) =>
    [...h.stripe.calls]
      .reverse()
      .find(
        (c) =>
          c.method === "POST" &&
          c.path === "/v1/checkout/sessions" &&
          c.body.client_reference_id === `discord:${fan.id}`,
      );
  const checkoutCount = () =>
    h.stripe.calls.filter((c) => c.method === "POST" && c.path === "/v1/checkout/sessions").length;

  it("/join offers monthly, yearly with its saving, and lifetime side by side; yearly is bought at the yearly price", async () => {
    const fan = addFan(h, server, "yara");
    const offer = await interact(
      h,
      command({ user: fan, guildId: server.id }, "join", [opt.str("tier", "gold")]),
    );
    expect(offer.content).toContain("€10.00/month · €100.00/year (2 months free) · €200.00 once, for life");
    expect(offer.customIds).toEqual(["buy:gold:month", "buy:gold:year", "buy:gold:lifetime"]);
    expect(checkoutCount()).toBe(0);

    const fr = await interact(
      h,
      command({ user: addFan(h, server, "yves"), guildId: server.id, locale: Locale.French }, "join", [
        opt.str("tier", "gold"),
      ]),
    );
    expect(fr.content).toMatch(/100,00\s€\/an \(2 mois offerts\)/);

    const yearly = await click(fan, "buy:gold:year");
    expect(yearly.content).toContain("€100.00/year (2 months free)");
    expect(yearly.urls[0]).toMatch(/\/checkout\/cs_/);
    const call = lastCheckout(fan)!;
    expect(call.body).toMatchObject({ mode: "subscription", line_items: [{ price: prices.goldYear }] });
    const before = lastSeq(h);
    await pay(h, (call.response as { id: string }).id);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, before);
    const sub = await h.deps.db.subscription.findFirstOrThrow({ where: { stripePriceId: prices.goldYear } });
    expect(sub).toMatchObject({ interval: "year", amount: 10000, status: "active" });
  });

  it("lifetime is bought through Checkout in payment mode, gives the role, and no reconciliation takes it back", async () => {
    const fan = addFan(h, server, "lena");
    await interact(h, command({ user: fan, guildId: server.id }, "join", [opt.str("tier", "gold")]));
    const answer = await click(fan, "buy:gold:lifetime");
    expect(answer.content).toContain("for life: €200.00 once, for life, paid once");
    const call = lastCheckout(fan)!;
    expect(call.body).toMatchObject({ mode: "payment", line_items: [{ price: prices.goldLife }] });
    expect(call.body).not.toHaveProperty("subscription_data");
    const sessionId = (call.response as { id: string }).id;
    const before = lastSeq(h);
    h.stripe.completeCheckout(sessionId);
    const delivered = await h.deliverAll();
    expect(delivered.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
    expect(delivered.map((d) => d.event.type)).toContain("checkout.session.completed");
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, before);
    const row = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: sessionId } });
    expect(row).toMatchObject({ kind: "lifetime", status: "lifetime", currentPeriodEnd: null });
    expect(row.paymentIntentId).toMatch(/^pi_/);

    // Years pass; Stripe lists no subscription for this fan; reconciliation runs: the role stays.
    h.clock.advance(3 * 365 * DAY_MS);
    h.app.wake();
    const report = await reconcileAll(h.app.services, { dryRun: false });
    expect(report.drift.filter((d) => d.memberId === row.memberId)).toEqual([]);
    await sleep(300);
    expect(roleCalls(h, "DELETE", fan.id, gold.roleId)).toHaveLength(0);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
    expect((await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: fan.id } })).action).toBe(
      "grant",
    );

    // Their /membership says so, with no switch button; a switch button made up for it is refused.
    const membership = await interact(h, command({ user: fan, guildId: server.id }, "membership"));
    expect(membership.embeds[0]?.description).toContain("**Gold**: for life");
    expect(membership.customIds.filter((id) => id.startsWith("switch:"))).toEqual([]);
    const forged = await click(fan, `switch:${sessionId}:silver`);
    expect(forged.content).toContain("is for life: there is no subscription to switch");
    // Joining Gold again sells nothing.
    const count = checkoutCount();
    const again = await click(fan, "buy:gold:month");
    expect(again.content).toContain("You already have **Gold**, for life");
    expect(checkoutCount()).toBe(count);
  });

  it("switching tier from the /membership button: Stripe's item moves (prorated), the new role comes before the old one goes", async () => {
    const fan = addFan(h, server, "sam");
    const subId = await pay(h, (await join(h, server, fan, "silver")).sessionId);
    await waitForRoleCall(h, "PUT", fan.id, silver.roleId);
    const membership = await interact(h, command({ user: fan, guildId: server.id }, "membership"));
    expect(membership.customIds).toContain(`switch:${subId}:gold`);

    const before = lastSeq(h);
    const switched = await click(fan, `switch:${subId}:gold`);
    expect(switched.content).toContain("you are now a member of **Gold**");
    const update = h.stripe.calls.findLast(
      (c) => c.method === "POST" && c.path === `/v1/subscriptions/${subId}`,
    )!;
    expect(update.body).toMatchObject({
      items: [{ price: prices.goldMonth }],
      proration_behavior: "create_prorations",
    });
    const item = h.stripe.get<Stripe.Subscription>(subId)!.items.data[0]!;
    expect(item.price.id).toBe(prices.goldMonth);
    const put = await waitForRoleCall(h, "PUT", fan.id, gold.roleId, before);
    const del = await waitForRoleCall(h, "DELETE", fan.id, silver.roleId, before);
    expect(put.seq).toBeLessThan(del.seq);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
    expect(hasRole(h, server, fan.id, silver.roleId)).toBe(false);
    // The Silver role going is not the end of a membership: no goodbye, no "join again".
    await until(
      () => h.discord.dmsTo(fan.id).find((m) => m.content.includes("You are now a Gold member")),
      "the switch's DM",
    );
    const dms = h.discord.dmsTo(fan.id).map((m) => m.content);
    expect(dms.find((m) => m.includes("You are now a Gold member"))).toContain(
      "what Silver opened here and Gold does not has closed",
    );
    expect(dms.some((m) => m.includes("Your membership has ended"))).toBe(false);

    // Switching to the tier they have is refused clearly.
    const same = await click(fan, `switch:${subId}:gold`);
    expect(same.content).toContain("You are already a member of “Gold”");
  });

  it("a forged switch button naming someone else's subscription is refused, and nothing changes", async () => {
    const victim = addFan(h, server, "vic");
    const victimSub = await pay(h, (await join(h, server, victim, "silver")).sessionId);
    await waitForRoleCall(h, "PUT", victim.id, silver.roleId);
    const attacker = addFan(h, server, "mallory");
    await pay(h, (await join(h, server, attacker, "silver")).sessionId);
    const stripeCalls = h.stripe.calls.length;
    const forged = await click(attacker, `switch:${victimSub}:gold`);
    expect(forged.content).toContain("belongs to someone else's membership: nothing changed");
    await h.logs.waitFor("tier_switch.refused", 5_000, (l) => l.subscriptionId === victimSub);
    expect(
      h.stripe.calls
        .slice(stripeCalls)
        .filter((c) => c.method === "POST" && c.path.startsWith("/v1/subscriptions/")),
    ).toEqual([]);
    expect(h.stripe.get<Stripe.Subscription>(victimSub)!.items.data[0]!.price.id).toBe(prices.silverMonth);
    expect(hasRole(h, server, victim.id, silver.roleId)).toBe(true);
    // Someone with no membership at all is told how to join, and about /link.
    const stranger = await click(addFan(h, server, "nobody"), `switch:${victimSub}:gold`);
    expect(stranger.content).toContain("belongs to someone else's membership");
  });

  it("a Telegram payer linked on Discord who types /join is told what they have, never sold a second subscription", async () => {
    const tgFan = user({ first_name: "Tina", language_code: "en" });
    tg(h).addUser(tgFan);
    const sessionId = await startCheckoutFromTelegram(h, tgFan, "gold");
    await pay(h, sessionId);
    const { code } = await createLinkCode(h.deps, { platform: "telegram", userId: String(tgFan.id) });
    const fan = addFan(h, server, "tina");
    const linked = await interact(
      h,
      command({ user: fan, guildId: server.id }, "link", [opt.str("code", code)]),
    );
    expect(linked.content).toContain("now linked");

    const count = checkoutCount();
    const again = await interact(
      h,
      command({ user: fan, guildId: server.id }, "join", [opt.str("tier", "gold")]),
    );
    const monthly = await click(fan, "buy:gold:month");
    expect(monthly.content).toContain("You already have **Gold**: there is nothing more to pay");
    expect(again.customIds).toEqual(["buy:gold:month", "buy:gold:year", "buy:gold:lifetime"]);
    // Another tier: a switch of the subscription they pay, not a second one.
    const other = await interact(
      h,
      command({ user: fan, guildId: server.id }, "join", [opt.str("tier", "silver")]),
    );
    expect(other.content).toContain("Switch to **Silver** instead of paying twice?");
    expect(other.customIds.some((id) => id.startsWith("switch:") && id.endsWith(":silver"))).toBe(true);
    expect(checkoutCount()).toBe(count);
  });

  it("a Discord member of a tier that opens Telegram is offered /link when joining again, and nudged once after paying", async () => {
    const fan = addFan(h, server, "nina");
    const { sessionId, answer } = await join(h, server, fan, "silver");
    // Silver opens nothing on Telegram: no hint there.
    expect(answer.content).not.toContain("/link");
    await pay(h, sessionId);
    const fan2 = addFan(h, server, "noah");
    await interact(h, command({ user: fan2, guildId: server.id }, "join", [opt.str("tier", "gold")]));
    const checkout = await click(fan2, "buy:gold:month");
    expect(checkout.content).toContain(
      "Already a member through Telegram? Do not pay twice: link this account with /link.",
    );
    const session = lastCheckout(fan2)!;
    const done = h.stripe.completeCheckout((session.response as { id: string }).id);
    await h.deliverAll();

    const nudges = () =>
      h.discord.dmsTo(fan2.id).filter((m) => m.content.includes("also opens chats on Telegram"));
    await expect.poll(() => nudges().length, { timeout: 10_000 }).toBe(1);
    const [dm] = nudges();
    const ids = (dm!.components ?? []).flatMap((row) =>
      "components" in row ? (row.components as { custom_id?: string }[]).map((c) => c.custom_id) : [],
    );
    expect(ids).toEqual(["linkcode"]);
    // Stripe sends the same completion again under a new id: the nudge is keyed, not sent twice.
    const completed = done.events.find((e) => e.type === "checkout.session.completed")!;
    const replay = makeEvent("checkout.session.completed", completed.data.object as Stripe.Checkout.Session);
    expect((await h.deliver(replay)).status).toBe(200);
    h.app.wake();
    await sleep(500);
    expect(nudges()).toHaveLength(1);
    const memberId = (
      await h.deps.db.identity.findUniqueOrThrow({
        where: { platform_platformUserId: { platform: "discord", platformUserId: fan2.id } },
      })
    ).memberId;
    expect(
      await h.deps.db.task.count({ where: { key: { startsWith: `notify:link_nudge:${memberId}` } } }),
    ).toBe(1);

    // The one tap: a link code to send to the Telegram bot.
    const code = await click(fan2, "linkcode", undefined);
    expect(code.content).toMatch(/Your link code: \*\*[A-Z2-9]{4}-[A-Z2-9]{4}\*\*/);

    // Joining Gold again: what they have, and /link for its Telegram group.
    await interact(h, command({ user: fan2, guildId: server.id }, "join", [opt.str("tier", "gold")]));
    const again = await click(fan2, "buy:gold:month");
    expect(again.content).toContain("You already have **Gold**");
    expect(again.content).toContain("It also opens chats on Telegram: link your Telegram account with /link");
    expect(again.customIds).toContain("linkcode");

    // No active membership: the refusal mentions /link.
    const none = await interact(
      h,
      command({ user: addFan(h, server, "zed"), guildId: server.id }, "membership"),
    );
    expect(none.content).toContain("Already a member on Telegram? Link this account with /link.");
  });
});
