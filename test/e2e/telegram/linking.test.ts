import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { createLinkCode, redeemLinkCode } from "../../../src/app/members/linking.ts";
import { setSetting } from "../../../src/app/settings.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import * as discord from "../../standins/discord-payloads.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  CREATOR,
  command,
  inviteLinkSent,
  startCheckoutFromTelegram,
  startTelegramHarness,
  tg,
  waitForStatus,
} from "./helpers.ts";

/** One membership, two platforms: a Discord role and a Telegram group, joined by a link code. */
describe("linking Discord and Telegram (PGlite)", () => {
  let h: DualHarness;
  const chat = supergroup({ title: "Duo Group" });
  const role = discord.role({ name: "Duo" });
  const guild = discord.guild({ name: "Duo Server", roles: [role] });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    await setSetting(h.deps.db, "discordHomeGuildIds", [guild.id]);
    h.discord.addGuild(guild);
    await createTier(h.deps, { name: "Duo", slug: "duo", amount: 800, currency: "eur", interval: "month" });
    await addTierAccess(
      h.deps,
      "duo",
      { platform: "discord", guildId: guild.id, roleId: role.id },
      "Duo role",
    );
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
    await bindNewChat(h, "duo", chat);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const rolePut = (userId: string) =>
    h.discord.calls.find(
      (c) => c.method === "PUT" && c.path.endsWith(`/guilds/${guild.id}/members/${userId}/roles/${role.id}`),
    );

  it("a fan pays on Discord, links Telegram with the code: the same membership opens the role and the group", async () => {
    const discordFan = discord.user();
    h.discord.addMember(guild.id, discord.member({ user: discordFan }));
    const outcome = await startCheckout(h.deps, {
      who: { platform: "discord", userId: discordFan.id, username: discordFan.username, locale: "en" },
      tier: "duo",
    });
    if (outcome.kind !== "checkout") throw new Error(outcome.kind);
    await pay(h, outcome.sessionId);
    await until(() => rolePut(discordFan.id), "the Discord role PUT");

    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: discordFan.id });
    const telegramFan = user();
    tg(h).addUser(telegramFan);
    const seen = botMessages(h, telegramFan.id).length;
    expect((await command(h, telegramFan, "link", code)).text).toContain("Linked!");
    const link = await inviteLinkSent(h, telegramFan, seen, "Duo Group");
    expect(tg(h).userJoinsViaLink(telegramFan, link).outcome).toBe("requested");
    await waitForStatus(h, chat.id, telegramFan.id, "member");

    const identities = await h.deps.db.identity.findMany({
      where: { platformUserId: { in: [discordFan.id, String(telegramFan.id)] } },
    });
    expect(new Set(identities.map((i) => i.memberId)).size).toBe(1);
    expect((await command(h, telegramFan, "link", code)).text).toContain("already used");
  });

  it("a fan pays on Telegram and redeems the /link code on Discord: the role follows", async () => {
    const telegramFan = user();
    tg(h).addUser(telegramFan);
    await pay(h, await startCheckoutFromTelegram(h, telegramFan, "duo"));
    const invite = await inviteLinkSent(h, telegramFan, 0, "Duo Group");
    tg(h).userJoinsViaLink(telegramFan, invite);
    await waitForStatus(h, chat.id, telegramFan.id, "member");

    const answer = await command(h, telegramFan, "link");
    const code = /code: (\S+)/.exec(answer.text ?? "")![1]!;
    const discordFan = discord.user();
    h.discord.addMember(guild.id, discord.member({ user: discordFan }));
    await redeemLinkCode(h.deps, { platform: "discord", userId: discordFan.id }, code);
    h.app.wake();
    await until(() => rolePut(discordFan.id), "the Discord role PUT");
  });

  it("wrong, same-platform and expired link codes get a clear answer and change nothing", async () => {
    const fan = user();
    tg(h).addUser(fan);
    expect((await command(h, fan, "link", "NOPE-NOPE")).text).toContain("This code is not valid");
    const own = /code: (\S+)/.exec((await command(h, fan, "link")).text ?? "")![1]!;
    expect((await command(h, fan, "link", own)).text).toContain("redeem it on the other platform");
    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: discord.user().id });
    h.clock.advance(16 * 60 * 1000);
    expect((await command(h, fan, "link", code)).text).toContain("expired");
    const identity = await h.deps.db.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: "telegram", platformUserId: String(fan.id) } },
    });
    expect(await h.deps.db.identity.count({ where: { memberId: identity.memberId } })).toBe(1);
  });
});
