import { ApplicationCommandOptionType, OverwriteType, PermissionFlagsBits } from "discord-api-types/v10";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEED_BURST_MS } from "../../../src/app/feed.ts";
import { textChannel } from "../../standins/discord-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import type { DualHarness } from "../harness.ts";
import { moveToPrice } from "../memberships/fixtures.ts";
import {
  botMessages,
  CREATOR,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";
import {
  addFan,
  addServer,
  command,
  createTierViaDiscord,
  creator,
  interact,
  join,
  joinAndPay,
  opt,
  type Server,
  sub,
} from "./helpers.ts";

/**
 * The creator's feed (issue 17, and the failover line of issue 18): a Discord channel set with
 * /tribe settings and the Telegram creator's private chat receive one line per event, a burst
 * gathered into one message per destination; a kind switched off is not posted; a redelivered
 * Stripe event posts nothing twice; only a creator sets the channel, and only one the bot can post in.
 */
describe("the creator's feed on Discord and Telegram (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let feedChannel: string;
  let silverPrice: string;

  const channelOpt = (name: string, value: string) =>
    ({ type: ApplicationCommandOptionType.Channel, name, value }) as const;
  const feedPosts = () =>
    h.discord.calls.filter(
      (c) =>
        c.method === "POST" && c.route === "/channels/:channel/messages" && c.params.channel === feedChannel,
    );
  const feedMessages = () => h.discord.messages(feedChannel).map((m) => m.content);
  const telegramFeed = () =>
    botMessages(h, CREATOR.id)
      .map((m) => m.text ?? "")
      .filter((text) => /^(🎉|🔁|👋|🚪|⚠️|✅|❌|📊|🛟)/u.test(text));
  /** Lets the burst window pass and waits for the flush and its messages. */
  const flush = async (discordBefore: number, telegramBefore: number) => {
    h.clock.advance(FEED_BURST_MS + 1_000);
    h.app.wake();
    await until(() => feedMessages().length > discordBefore, "the feed message on Discord", 15_000);
    await until(() => telegramFeed().length > telegramBefore, "the feed message on Telegram", 15_000);
  };

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    feedChannel = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    await createTierViaDiscord(h, server, { name: "Silver", price: "5" });
    silverPrice = (
      await h.deps.db.tierPrice.findFirstOrThrow({ where: { tier: { slug: "silver" }, current: true } })
    ).stripePriceId;
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a fan (not a creator) cannot set the feed channel", async () => {
    const fan = addFan(h, server, "mallory");
    const answer = await interact(
      h,
      command(
        { user: fan, guildId: server.id },
        "tribe",
        sub(["settings"], [channelOpt("feed-channel", feedChannel)]),
      ),
    );
    expect(answer.content).not.toContain("Saved.");
    expect(
      (await h.deps.db.setting.findUnique({ where: { key: "feedDiscordChannelId" } }))?.value,
    ).toBeUndefined();
  });

  it("a channel the bot cannot post in is refused with what to fix", async () => {
    const closed = textChannel({
      permission_overwrites: [
        {
          id: server.botRole.id,
          type: OverwriteType.Role,
          allow: "0",
          deny: String(PermissionFlagsBits.SendMessages),
        },
      ],
    });
    h.discord.addChannel(server.id, closed);
    await until(() => h.app.discord!.client.channels.cache.has(closed.id), "the bot to see the channel");
    const answer = await interact(
      h,
      creator(server, sub(["settings"], [channelOpt("feed-channel", closed.id)])),
    );
    expect(answer.content).toContain(`I cannot post in <#${closed.id}>`);
    expect(answer.content).toContain("Send Messages");
    expect(
      (await h.deps.db.setting.findUnique({ where: { key: "feedDiscordChannelId" } }))?.value,
    ).toBeUndefined();
  });

  it("the creator sets the feed channel; every kind of a fan's journey lands once, a burst in one message per destination", async () => {
    const set = await interact(
      h,
      creator(server, sub(["settings"], [channelOpt("feed-channel", feedChannel)])),
    );
    expect(set.content).toContain("Saved.");
    expect(JSON.stringify(set.embeds)).toContain(`<#${feedChannel}>`);
    const discordBefore = feedMessages().length;
    const telegramBefore = telegramFeed().length;

    // A name that would ping everyone and render bold if it were not neutralised.
    const fan = addFan(h, server, "**eve** @everyone");
    const subscriptionId = await joinAndPay(h, server, fan, "gold");
    moveToPrice(h, subscriptionId, silverPrice);
    await h.deliverAll();
    h.stripe.updateSubscription(subscriptionId, { status: "past_due" });
    await h.deliverAll();
    const recovered = h.stripe.updateSubscription(subscriptionId, { status: "active" }).event;
    await h.deliverAll();
    h.stripe.updateSubscription(subscriptionId, { cancel_at_period_end: true });
    await h.deliverAll();
    // Stripe delivers an event again: the ledger does not change, the feed says nothing more.
    expect((await h.deliver(recovered as Stripe.Event)).status).toBe(200);

    // An access change that fails for good: the tier's role is deleted before a second fan pays.
    const doomed = await createTierViaDiscord(h, server, { name: "Doomed" });
    const frank = addFan(h, server, "frank");
    const { sessionId } = await join(h, server, frank, doomed.slug);
    await h.app.discord!.client.rest.delete(`/guilds/${server.id}/roles/${doomed.roleId}`);
    await pay(h, sessionId);
    await h.logs.waitFor("access.dead", 10_000, (l) => l.userId === frank.id);

    // Nothing is posted before the burst window ends.
    expect(feedMessages().length).toBe(discordBefore);
    await flush(discordBefore, telegramBefore);
    // One message per destination for the whole burst.
    expect(feedMessages().length).toBe(discordBefore + 1);
    expect(telegramFeed().length).toBe(telegramBefore + 1);

    const discord = feedMessages().at(-1)!;
    const telegram = telegramFeed().at(-1)!;
    for (const text of [discord, telegram]) {
      const count = (needle: string) => text.split(needle).length - 1;
      expect(count("New member:")).toBe(2);
      expect(count("Tier change:")).toBe(1);
      expect(text).toContain("moved from Gold to Silver");
      expect(count("Payment failed:")).toBe(1);
      expect(count("Payment recovered:")).toBe(1);
      expect(count("Cancellation:")).toBe(1);
      expect(count("Access change failed for good")).toBe(1);
      expect(text).toContain("joined Doomed");
    }
    // Discord: Markdown escaped, no mention may ping.
    expect(discord).toContain("\\*\\*eve\\*\\* @everyone (Discord)");
    const post = feedPosts().at(-1)!;
    expect(post.body).toMatchObject({ allowed_mentions: { parse: [] } });
    // Telegram: plain text, the name as typed.
    expect(telegram).toContain("**eve** @everyone (Discord)");
    const sent = tg(h)
      .calls.filter((c) => c.method === "sendMessage")
      .at(-1);
    expect(sent?.params.parse_mode).toBeUndefined();

    // Nothing more once the burst is out (the redelivered event added no line).
    expect(await h.deps.db.feedItem.count({ where: { batchedAt: null } })).toBe(0);
  });

  it("a kind switched off is not posted; the others still are", async () => {
    const off = await interact(h, creator(server, sub(["settings"], [opt.str("feed-off", "member_new")])));
    expect(off.content).toContain("Saved.");
    expect(JSON.stringify(off.embeds)).toMatch(/✗ new members: off/);
    // And from Telegram, another kind.
    expect((await telegramCommand(h, CREATOR, "feed", "off tier_change")).text).toContain("✗ tier_change");
    const discordBefore = feedMessages().length;
    const telegramBefore = telegramFeed().length;

    const fan = addFan(h, server, "grace");
    const subscriptionId = await joinAndPay(h, server, fan, "gold");
    moveToPrice(h, subscriptionId, silverPrice);
    await h.deliverAll();
    h.stripe.updateSubscription(subscriptionId, { status: "past_due" });
    await h.deliverAll();
    await flush(discordBefore, telegramBefore);
    for (const text of [feedMessages().at(-1)!, telegramFeed().at(-1)!]) {
      expect(text).toContain("Payment failed: grace (Discord)");
      expect(text).not.toContain("New member");
      expect(text).not.toContain("Tier change");
    }

    const on = await telegramCommand(h, CREATOR, "feed", "on member_new");
    expect(on.text).toContain("✓ member_new");
    expect((await h.deps.db.setting.findUniqueOrThrow({ where: { key: "feedOff" } })).value).toEqual([
      "tier_change",
    ]);
  });
});
