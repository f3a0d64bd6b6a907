import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setSetting } from "../../../src/app/settings.ts";
import { addMonths } from "../../../src/core/access.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import {
  botMessages,
  command,
  fanJoins,
  goldTierInChat,
  inviteLinkSent,
  nextBotMessage,
  startCheckoutFromTelegram,
  tg,
  waitForStatus,
} from "./helpers.ts";

/**
 * The Telegram side of the roles beyond the tiers (issue 17): Telegram gives no roles to members, so
 * the honest equivalents are the continuous membership shown in /membership (with the creator's
 * tenure step reached) and a "welcome back" in the invite a former member gets when they return.
 */
describe("tenure and welcome back on Telegram (PGlite)", () => {
  let h: TelegramHarness;
  const chat = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    h = await startTelegramHarness();
    await goldTierInChat(h, chat);
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function startTelegramHarness(): Promise<TelegramHarness> {
    const { startTelegramHarness: start } = await import("./helpers.ts");
    return start("pglite");
  }

  it("a former member who pays again is welcomed back in their invite; a first-time member is not", async () => {
    const fan = user({ language_code: "en" });
    const first = await fanJoins(h, fan, "gold", chat);
    const firstInvite = botMessages(h, fan.id).find((m) => (m.text ?? "").includes("Gold Lounge"));
    expect(firstInvite?.text).toContain("Welcome to Gold!");
    expect(firstInvite?.text).not.toContain("Welcome back");

    h.stripe.updateSubscription(first, { status: "canceled", ended_at: Math.floor(Date.now() / 1000) });
    await h.deliverAll();
    await waitForStatus(h, chat.id, fan.id, "left");
    // The removal notice comes first (its come-back button is another way back).
    await nextBotMessage(h, fan.id, 0, (m) => (m.text ?? "").includes("removed"));

    const seen = botMessages(h, fan.id).length;
    await pay(h, await startCheckoutFromTelegram(h, fan, "gold"));
    const link = await inviteLinkSent(h, fan, seen, chat.title);
    const invite = botMessages(h, fan.id)
      .slice(seen)
      .map((m) => m.text ?? "");
    expect(invite.find((m) => m.includes("Gold Lounge"))).toMatch(
      /^Welcome back, good to see you again!\nWelcome to Gold!/,
    );
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, chat.id, fan.id, "member");
  });

  it("/membership shows the continuous membership, and the tenure step reached once the creator set steps", async () => {
    const fan = user({ language_code: "en" });
    const subId = await fanJoins(h, fan, "gold", chat);
    h.stripe.updateSubscription(subId, { status: "active" });
    await h.deliverAll();
    expect((await command(h, fan, "membership")).text).toContain("Member since");

    // Steps set on Discord (a tenure role at 3 and 12 months) show here as badges.
    await setSetting(h.deps.db, "tenureRoles", [
      { months: 3, role: "discord:100000000000000001:100000000000000003" },
      { months: 12, role: "discord:100000000000000001:100000000000000012" },
    ]);
    const since = (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).startedAt;
    h.clock.advance(addMonths(since, 4).getTime() + 60_000 - h.clock.now().getTime());
    const view = await command(h, fan, "membership");
    expect(view.text).toContain("Member for 4 months without a break · 3-month badge");

    const fr = user({ language_code: "fr" });
    await fanJoins(h, fr, "gold", chat);
    // Its clock moved on: a French fan who joins now reads their tenure in French.
    expect((await command(h, fr, "membership")).text).toMatch(/Membre depuis (le|\d)/);
  });
});
