import type { User } from "@grammyjs/types";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { suspendMember } from "../../../src/app/members/creatorActions.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import { role } from "../../standins/discord-payloads.ts";
import { user as telegramUser } from "../../standins/telegram-payloads.ts";
import { pay } from "../../support/helpers.ts";
import {
  addFan,
  addServer,
  command as discordCommand,
  hasRole,
  interact,
  join,
  lastSeq,
  type Server,
  waitForRoleCall,
} from "../discord/helpers.ts";
import { type DualHarness, startHarness, WEBHOOK_SECRET } from "../harness.ts";
import { botMessages, buttons, command, nextBotMessage, tg } from "../telegram/helpers.ts";

/**
 * FAULT / ATTACK on the way in:
 * - a member whose Stripe customer was deleted (Stripe keeps it as `deleted: true`) or that Stripe
 *   does not know at all (404 resource_missing) gets a new customer at their next checkout, instead
 *   of a refusal from Stripe; the ledger points at the new one, with a history row and a log line;
 * - a member the creator suspended cannot buy their way back in from Discord (/join) or Telegram
 *   (/start, or a join button kept from before): they are told they are suspended, and no checkout
 *   is opened.
 */

describe("a member's Stripe customer gone, and a suspended member trying to pay", () => {
  let h: DualHarness;
  let server: Server;
  let gold: { slug: string; roleId: string };

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true, telegram: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    const goldRole = role({ name: "Gold", position: 1 });
    h.discord.addRole(server.id, goldRole);
    const tier = await createTier(h.deps, {
      name: "Gold",
      slug: "gold",
      amount: 1000,
      currency: "eur",
      interval: "month",
    });
    await addTierAccess(
      h.deps,
      tier.slug,
      { platform: "discord", guildId: server.id, roleId: goldRole.id },
      "Gold",
    );
    gold = { slug: tier.slug, roleId: goldRole.id };
  });
  afterAll(async () => {
    await h?.stop();
  });

  const checkoutsFor = (clientReferenceId: string) =>
    h.stripe.calls.filter(
      (c) =>
        c.method === "POST" &&
        c.path === "/v1/checkout/sessions" &&
        c.body.client_reference_id === clientReferenceId,
    );

  it("a customer deleted in Stripe (its webhook lost): the next /join makes a new customer, and paying gives the role back", async () => {
    const fan = addFan(h, server, "returning");
    const first = await join(h, server, fan, gold.slug);
    const firstSub = await pay(h, first.sessionId);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
    const identity = await h.deps.db.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: "discord", platformUserId: fan.id } },
      include: { member: true },
    });
    const oldCustomer = identity.member.stripeCustomerId!;
    // The fan cancels; later the creator deletes the customer in the Dashboard, and that webhook is lost.
    let seq = lastSeq(h);
    h.stripe.updateSubscription(firstSub, { status: "canceled", ended_at: Math.floor(Date.now() / 1000) });
    await h.deliverAll();
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, seq);
    await h.stripeClient.customers.del(oldCustomer);
    await h.stripe.deliverEvents(`${h.app.http.url}/healthz`, WEBHOOK_SECRET);
    expect(h.stripe.get<Stripe.DeletedCustomer>(oldCustomer)?.deleted).toBe(true);

    const again = await join(h, server, fan, gold.slug);
    expect(again.answer.urls[0]).toMatch(/\/checkout\/cs_/);
    const session = h.stripe.get<Stripe.Checkout.Session>(again.sessionId)!;
    expect(session.customer).not.toBe(oldCustomer);
    const member = await h.deps.db.member.findUniqueOrThrow({ where: { id: identity.memberId } });
    expect(member.stripeCustomerId).toBe(session.customer);
    expect(
      await h.deps.db.memberHistory.findFirst({
        where: { memberId: member.id, action: "member.customer" },
        orderBy: { id: "desc" },
      }),
    ).toMatchObject({ fromState: oldCustomer, toState: session.customer, actor: `discord:${fan.id}` });
    expect(h.logs.events("checkout.customer_replaced")).toContainEqual(
      expect.objectContaining({ oldCustomerId: oldCustomer, customerId: session.customer, why: "deleted" }),
    );

    // Paying with the new customer opens the door again; the old subscription stays in the history.
    seq = lastSeq(h);
    const secondSub = await pay(h, again.sessionId);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, seq);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
    const subs = await h.deps.db.subscription.findMany({
      where: { memberId: member.id },
      orderBy: { startedAt: "asc" },
    });
    expect(subs.map((s) => [s.id, s.status]).sort()).toEqual(
      [
        [firstSub, "canceled"],
        [secondSub, "active"],
      ].sort(),
    );
  });

  it("a customer Stripe does not know (404): the Telegram join button makes a new customer and the payment lands", async () => {
    const fan: User = telegramUser({ first_name: "Nadia" });
    tg(h).addUser(fan);
    const menu = await command(h, fan, "start", gold.slug);
    // The ledger points at a customer Stripe has never heard of (made with another key, say).
    const identity = await h.deps.db.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: "telegram", platformUserId: String(fan.id) } },
    });
    await h.deps.db.member.update({
      where: { id: identity.memberId },
      data: { stripeCustomerId: "cus_TGneverexisted1" },
    });
    const seen = botMessages(h, fan.id).length;
    const button = buttons(menu)[0] as { callback_data: string };
    tg(h).pushCallbackQuery({ from: fan, data: button.callback_data, message: menu });
    const checkout = await nextBotMessage(h, fan.id, seen);
    const url = (buttons(checkout).find((b) => "url" in b) as { url: string } | undefined)?.url;
    expect(url, checkout.text).toMatch(/\/checkout\/cs_/);
    const sessionId = url!.split("/").pop()!;
    const session = h.stripe.get<Stripe.Checkout.Session>(sessionId)!;
    const member = await h.deps.db.member.findUniqueOrThrow({ where: { id: identity.memberId } });
    expect(member.stripeCustomerId).toBe(session.customer);
    expect(member.stripeCustomerId).not.toBe("cus_TGneverexisted1");
    expect(h.logs.events("checkout.customer_replaced")).toContainEqual(
      expect.objectContaining({ oldCustomerId: "cus_TGneverexisted1", why: "missing" }),
    );
    const done = h.stripe.completeCheckout(sessionId);
    const delivered = await h.deliverAll();
    expect(delivered.map((d) => d.status)).toEqual(delivered.map(() => 200));
    expect(
      await h.deps.db.subscription.findUniqueOrThrow({ where: { id: done.subscription!.id } }),
    ).toMatchObject({ memberId: member.id, status: "active" });
  });

  it("a suspended member is told so on Discord /join and on Telegram /start or a kept join button; no checkout is opened", async () => {
    // On Discord: a member who pays, and is suspended by the creator.
    const fan = addFan(h, server, "suspended");
    const paid = await join(h, server, fan, gold.slug);
    await pay(h, paid.sessionId);
    const memberId = (
      await h.deps.db.identity.findUniqueOrThrow({
        where: { platform_platformUserId: { platform: "discord", platformUserId: fan.id } },
      })
    ).memberId;
    await suspendMember(h.deps, memberId, `discord:${server.owner.id}`, "chargebacks");
    const before = checkoutsFor(`discord:${fan.id}`).length;
    const refused = await interact(h, discordCommand({ user: fan, guildId: server.id }, "join", []));
    expect(refused.content).toContain("suspended by the creator");
    expect(refused.urls).toEqual([]);
    expect(checkoutsFor(`discord:${fan.id}`).length).toBe(before);

    // On Telegram: a fan who opened the tier menu, then was suspended, then pressed its button.
    const tgFan: User = telegramUser({ first_name: "Kept" });
    tg(h).addUser(tgFan);
    const menu = await command(h, tgFan, "start", gold.slug);
    const tgMember = await h.deps.db.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: "telegram", platformUserId: String(tgFan.id) } },
    });
    await suspendMember(h.deps, tgMember.memberId, "telegram:7000001", "abuse");
    const seen = botMessages(h, tgFan.id).length;
    tg(h).pushCallbackQuery({
      from: tgFan,
      data: (buttons(menu)[0] as { callback_data: string }).callback_data,
      message: menu,
    });
    const answer = await nextBotMessage(h, tgFan.id, seen);
    expect(answer.text).toContain("suspended by the creator");
    expect(buttons(answer)).toEqual([]);
    const startAgain = await command(h, tgFan, "start", gold.slug);
    expect(startAgain.text).toContain("suspended by the creator");
    expect(buttons(startAgain)).toEqual([]);
    expect(checkoutsFor(`telegram:${tgFan.id}`)).toEqual([]);

    expect(
      h.logs
        .events("checkout.refused")
        .filter((l) => l.reason === "suspended")
        .map((l) => l.platform),
    ).toEqual(["discord", "telegram", "telegram"]);
  });
});
