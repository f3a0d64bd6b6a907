import { PermissionFlagsBits } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setSetting } from "../../../src/app/settings.ts";
import { readStripeSetup } from "../../../src/app/stripeSetup.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import type { Config } from "../../../src/config.ts";
import { doctorMain } from "../../../src/doctor/cli.ts";
import { botRole, guild, member, permissions, role, textChannel } from "../../standins/discord-payloads.ts";
import { billingPortalConfiguration } from "../../standins/stripe-objects.ts";
import {
  adminRights,
  BOT_ADMIN_RIGHTS,
  channel,
  chatMember,
  supergroup,
  user,
} from "../../standins/telegram-payloads.ts";
import { type DualHarness, startHarness } from "../harness.ts";

/**
 * The doctor end to end against the stand-ins, in-process on the running bot's database: a correct
 * set-up reads all OK (exit 0); each misconfiguration gives its `fix:` line and exit 1, or a warning
 * and exit 0 when no fan is blocked. Each test breaks one thing and puts it back.
 */
const CREATOR = user({ first_name: "Creator" });
const RESTRICTED_KEY = "rk_test_tribegatedoctor0123456789";

describe("npm run doctor", () => {
  let h: DualHarness;
  let guildId: string;
  let botRoleId: string;
  let chatId: number;
  let goldPrice: string;
  let staffChannelId: string;

  async function doctor(args: string[] = [], config: Config = h.config) {
    const lines: string[] = [];
    const code = await doctorMain({
      env: { values: {}, fileKeys: [] },
      argv: args,
      write: (l) => lines.push(...l.split("\n")),
      log: h.deps.log,
      config,
      db: h.app.db.prisma,
    });
    return { code, lines, text: lines.join("\n"), problems: lines.filter((l) => l.startsWith("fix")) };
  }

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      telegram: true,
      env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
      // A new Stripe account: no customer portal settings saved in the Dashboard.
      stripePortalSettingsSaved: false,
    });
    const bot = botRole({
      position: 5,
      permissions: permissions(
        PermissionFlagsBits.ManageRoles,
        PermissionFlagsBits.ViewChannel,
        PermissionFlagsBits.SendMessages,
        PermissionFlagsBits.CreatePublicThreads,
        PermissionFlagsBits.SendMessagesInThreads,
      ),
    });
    botRoleId = bot.id;
    const gold = role({ name: "Gold", position: 1 });
    const polls = textChannel({ name: "polls" });
    const g = guild({ members: [member({ user: h.discord.applicationOwner })], roles: [gold] });
    guildId = g.id;
    // @everyone may not write here, and no overwrite lets the bot's role.
    const staff = textChannel({
      name: "staff",
      permission_overwrites: [
        { id: g.id, type: 0, allow: "0", deny: String(PermissionFlagsBits.SendMessages) },
      ],
    });
    staffChannelId = staff.id;
    g.channels = [polls, staff].map((c) => ({ ...c, guild_id: g.id }));
    h.discord.addGuild(g, { botRole: bot });
    await setSetting(h.deps.db, "discordHomeGuildIds", [g.id]);
    await setSetting(h.deps.db, "discordPollChannelIds", [polls.id]);
    const chat = supergroup({ title: "Gold lounge" });
    chatId = chat.id;
    h.telegram.addChat(chat, { members: [chatMember.creator(CREATOR)] });
    goldPrice = (
      await createTier(h.deps, {
        name: "Gold",
        slug: "gold",
        amount: 500,
        currency: "eur",
        interval: "month",
      })
    ).prices[0]!.stripePriceId;
    await createTier(h.deps, {
      name: "Silver",
      slug: "silver",
      amount: 300,
      currency: "eur",
      interval: "month",
    });
    await addTierAccess(h.deps, "gold", { platform: "discord", guildId, roleId: gold.id }, "Gold");
    await addTierAccess(h.deps, "gold", { platform: "telegram", chatId: String(chat.id) }, "Gold lounge");
    // The bot registered its commands at start-up.
    for (let i = 0; i < 200 && h.discord.commands().length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    await h?.stop();
  });

  it("on a fresh account, names the missing webhook endpoint and portal (exit 1); --fix makes both, then all is OK (exit 0)", async () => {
    const before = await doctor();
    expect(before.code).toBe(1);
    expect(before.text).toMatch(
      /fix: {3}Stripe · no webhook endpoint for https:\/\/tribe\.example\.test\/stripe\/webhook/,
    );
    expect(before.text).toMatch(/fix: {3}Stripe · the customer portal is not set up/);
    // As Stripe does on such an account, a portal session is refused.
    const fan = await h.stripeClient.customers.create({ email: "fan@example.test" });
    await expect(h.deps.billing.createPortal(fan.id, "https://tribe.example.test/")).rejects.toThrow(
      /default configuration has not been created/,
    );

    const fixing = await doctor(["--fix"]);
    expect(fixing.text).toMatch(/fixed: Stripe · created the webhook endpoint we_/);
    expect(fixing.text).toMatch(/fixed: Stripe · created the customer portal configuration bpc_/);
    const stored = await readStripeSetup(h.deps.db);
    expect(stored.webhookSecret).toBe(h.stripe.endpointSecret(stored.webhookEndpointId!));
    const [endpoint] = (await h.stripeClient.webhookEndpoints.list()).data;
    expect(endpoint!.url).toBe("https://tribe.example.test/stripe/webhook");
    const portal = await h.stripeClient.billingPortal.configurations.retrieve(stored.portalConfigurationId!);
    expect(portal.features.subscription_cancel.enabled).toBe(true);
    expect(portal.features.payment_method_update.enabled).toBe(true);
    expect(portal.features.subscription_update.enabled).toBe(true);
    expect(portal.features.subscription_update.products?.flatMap((p) => p.prices)).toContain(goldPrice);
    expect(portal.is_default).toBe(false);
    // The running bot names the new configuration in its portal sessions at once, without a restart.
    const url = await h.deps.billing.createPortal(fan.id, "https://tribe.example.test/");
    const session = h.stripe.get<{ configuration: string }>(url.split("/").pop()!);
    expect(session?.configuration).toBe(stored.portalConfigurationId);

    const after = await doctor();
    // The harness's STRIPE_WEBHOOK_SECRET wins over the stored one: the doctor says so.
    expect(after.problems).toEqual([
      expect.stringMatching(/^fix \(warning, fans not blocked\): Stripe · secret key in test mode/),
    ]);
    expect(after.code).toBe(0);
    for (const check of [
      "webhook endpoint",
      "customer portal",
      "tier price",
      "Public Bot is off",
      "Server Members intent is on",
      "may manage roles",
      "tier role",
      "poll channel",
      "creator",
      "Gold lounge",
    ])
      expect(after.text).toContain(check);
  });

  it("a disabled endpoint, or one missing events, blocks fans; extra events only warn", async () => {
    const { webhookEndpointId } = await readStripeSetup(h.deps.db);
    const all = (await h.stripeClient.webhookEndpoints.retrieve(webhookEndpointId!)).enabled_events;
    await h.stripeClient.webhookEndpoints.update(webhookEndpointId!, { disabled: true });
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fix: {3}Stripe · the endpoint we_\w+ for \S+ is disabled/);
    await h.stripeClient.webhookEndpoints.update(webhookEndpointId!, {
      disabled: false,
      enabled_events: all.filter((e) => e !== "invoice.payment_failed") as never,
    });
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fix: {3}Stripe · the endpoint we_\w+ does not send invoice\.payment_failed/);
    await h.stripeClient.webhookEndpoints.update(webhookEndpointId!, {
      enabled_events: [...all, "customer.created"] as never,
    });
    r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toMatch(
      /fix \(warning, fans not blocked\): Stripe · the endpoint we_\w+ also sends customer\.created/,
    );
    r = await doctor(["--fix"]);
    expect(r.text).toMatch(
      /fixed: Stripe · the endpoint we_\w+ for \S+ is now enabled and subscribed to exactly/,
    );
    expect(
      (await h.stripeClient.webhookEndpoints.retrieve(webhookEndpointId!)).enabled_events.sort(),
    ).toEqual([...all].sort());
  });

  it("no active portal configuration, or a tier price archived in Stripe, blocks fans", async () => {
    const { portalConfigurationId } = await readStripeSetup(h.deps.db);
    await h.stripeClient.billingPortal.configurations.update(portalConfigurationId!, { active: false });
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fix: {3}Stripe · the customer portal is not set up/);

    // The Dashboard's default portal, saved without plan switching: members could not change tiers.
    const dashboard = h.stripe.put(billingPortalConfiguration({ is_default: true, active: true }));
    r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toContain(
      `fix (warning, fans not blocked): Stripe · the customer portal ${dashboard.id} does not allow switching between the tiers' prices (switching is off); Dashboard → Settings → Billing → Customer portal: turn them on (Subscriptions → Customers can switch plans, and add each tier's product and price), or run npm run doctor -- --fix to make a configuration the bot uses instead`,
    );
    h.stripe.put({ ...dashboard, active: false });
    await h.stripeClient.billingPortal.configurations.update(portalConfigurationId!, { active: true });

    await h.stripeClient.prices.update(goldPrice, { active: false });
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toContain(`fix:   Stripe · tier “Gold”: its price ${goldPrice} is archived in Stripe`);
    expect(r.text).toContain("/price gold <amount>");
    await h.stripeClient.prices.update(goldPrice, { active: true });
    expect((await doctor()).code).toBe(0);
  });

  it("a restricted key lacking a permission names it (Stripe's 403), and a live key with a test-mode endpoint blocks", async () => {
    h.stripe.restrictedKey = RESTRICTED_KEY;
    h.stripe.denyPermission("rak_webhook_endpoint_read", { path: /^\/v1\/webhook_endpoints/ });
    const restricted = { ...h.config, stripe: { ...h.config.stripe, secretKey: RESTRICTED_KEY } };
    const r = await doctor([], restricted);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /fix: {3}Stripe · the restricted key lacks permissions: Webhook Endpoints \(Write; Stripe says rak_webhook_endpoint_read\)/,
    );

    h.stripe.allowAllPermissions();
    h.stripe.restrictedKey = "rk_live_tribegatedoctor0123456789";
    const live = {
      ...h.config,
      stripe: { ...h.config.stripe, secretKey: "rk_live_tribegatedoctor0123456789" },
    };
    const l = await doctor([], live);
    expect(l.code).toBe(1);
    expect(l.text).toMatch(/is a test-mode endpoint but STRIPE_SECRET_KEY is a live-mode key/);
  });

  it("Discord: Public Bot on only warns; the intent off, no Manage Roles, a tier role above the bot's block; an unwritable poll channel, or one without threads, warns", async () => {
    h.discord.botPublic = true;
    let r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/fix \(warning, fans not blocked\): Discord · Public Bot is on/);
    h.discord.botPublic = false;

    h.discord.applicationFlags = 0;
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fix: {3}Discord · the Server Members intent is off/);
    expect(r.text).toContain("Privileged Gateway Intents → Server Members Intent: on");
    h.discord.applicationFlags = 1 << 15;

    const botId = h.discord.botUser.id;
    // @everyone without the thread permissions Discord gives it by default (a server that keeps
    // threads to moderators).
    const everyone = h.discord.guild(guildId)!.roles.find((x) => x.id === guildId)!;
    const threadBits = PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads;
    h.discord.addRole(guildId, {
      ...everyone,
      permissions: String(BigInt(everyone.permissions) & ~threadBits),
    });
    h.discord.setMemberRoles(guildId, botId, []);
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fix: {3}Discord · server “[^”]+”: the bot lacks Manage Roles/);
    // What @everyone leaves it lets it post polls, not open their discussion threads.
    expect(r.text).toMatch(
      /fix \(warning, fans not blocked\): Discord · poll channel #polls: the bot cannot open threads there, so polls are posted without their discussion thread; .*Create Public Threads and Send Messages in Threads/,
    );
    h.discord.setMemberRoles(guildId, botId, [botRoleId]);
    h.discord.addRole(guildId, everyone);

    const mods = role({ name: "Moderators", position: 9 });
    h.discord.addRole(guildId, mods);
    await addTierAccess(h.deps, "silver", { platform: "discord", guildId, roleId: mods.id }, "Moderators");
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /fix: {3}Discord · server “[^”]+”, tier “Silver”: its role “Moderators” is not below the bot's highest role “tribegate”/,
    );
    await h.deps.db.tierAccess.deleteMany({ where: { roleId: mods.id } });

    await setSetting(h.deps.db, "discordPollChannelIds", [...(await pollChannels()), staffChannelId]);
    r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toMatch(
      /fix \(warning, fans not blocked\): Discord · poll channel #staff: the bot cannot send messages/,
    );
  });

  it("Discord sign-in: off without a secret; a secret Discord refuses, or a callback missing from the redirects, blocks", async () => {
    let r = await doctor();
    expect(r.text).toContain("Join with Discord is off (no DISCORD_CLIENT_SECRET)");
    const withSecret = (clientSecret: string): Config => ({
      ...h.config,
      discord: { ...h.config.discord!, clientSecret },
    });
    r = await doctor([], withSecret("not-the-secret-0123456789abcdef"));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/fix: {3}Discord · DISCORD_CLIENT_SECRET: Discord refused it/);
    expect(r.text).toContain("OAuth2 → Client Secret → Reset Secret");
    expect(r.text).not.toContain("not-the-secret");

    const callback = `${h.config.publicBaseUrl}/join/discord/callback`;
    h.discord.redirectUris = ["https://elsewhere.example/callback"];
    r = await doctor([], withSecret(h.discord.clientSecret));
    expect(r.code).toBe(1);
    expect(r.text).not.toContain("Discord refused it");
    expect(r.text).toContain(`OAuth2 → Redirects → Add Redirect: ${callback} (exactly`);

    h.discord.redirectUris = [callback];
    r = await doctor([], withSecret(h.discord.clientSecret));
    expect(r.text).toContain("DISCORD_CLIENT_SECRET accepted by Discord");
    expect(r.text).toContain(`Discord sends signed-in fans back to ${callback}`);
    expect(r.problems.filter((l) => l.includes("DISCORD_CLIENT_SECRET") || l.includes("Redirect"))).toEqual(
      [],
    );
    h.discord.redirectUris = [];
  });

  async function pollChannels(): Promise<string[]> {
    const row = await h.deps.db.setting.findUnique({ where: { key: "discordPollChannelIds" } });
    return (row?.value as string[] | undefined) ?? [];
  }

  it("Telegram: no creator warns; the bot no longer admin, or missing a right, blocks", async () => {
    const noCreator = { ...h.config, telegram: { ...h.config.telegram!, creatorIds: [] } };
    let r = await doctor([], noCreator);
    expect(r.text).toMatch(
      /fix \(warning, fans not blocked\): Telegram · no creator: .*TELEGRAM_CREATOR_IDS/,
    );

    h.telegram.setBotRights(chatId, "member");
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /fix: {3}Telegram · “Gold lounge” \(tier “Gold”\): the bot is no longer an administrator/,
    );
    h.telegram.setBotRights(chatId, adminRights({ can_restrict_members: true }));
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /fix: {3}Telegram · “Gold lounge” \(tier “Gold”\): the bot lacks Invite users via link/,
    );
    h.telegram.setBotRights(chatId, BOT_ADMIN_RIGHTS);
  });

  it("a group that became a supergroup: the running bot follows it; bindings it missed are moved by --fix", async () => {
    const group = { id: -4_001_234, type: "group" as const, title: "Old group" };
    h.telegram.addChat(group, { members: [chatMember.creator(CREATOR)] });
    await addTierAccess(h.deps, "silver", { platform: "telegram", chatId: String(group.id) }, "Old group");
    const { newChatId } = h.telegram.migrateToSupergroup(group.id);
    await expect
      .poll(async () => (await h.deps.db.tierAccess.findFirst({ where: { label: "Old group" } }))?.chatId)
      .toBe(String(newChatId));
    await h.logs.waitFor("telegram.chat_migrated");

    // A binding made while the bot was down still names the old id.
    await addTierAccess(
      h.deps,
      "gold",
      { platform: "telegram", chatId: String(group.id) },
      "Old group (gold)",
    );
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toContain(
      `fix:   Telegram · group ${group.id} (tier “Gold”) became the supergroup ${newChatId}`,
    );
    r = await doctor(["--fix"]);
    expect(r.text).toContain(`fixed: Telegram · group ${group.id} became the supergroup ${newChatId}`);
    expect(r.code).toBe(0);
    expect(await h.deps.db.tierAccess.count({ where: { chatId: String(group.id) } })).toBe(0);
  });
  it("Discord: a deleted tier role, or one managed by an integration, blocks; commands missing warn and --fix registers them", async () => {
    const vip = role({ name: "VIP", position: 2 });
    h.discord.addRole(guildId, vip);
    await addTierAccess(h.deps, "silver", { platform: "discord", guildId, roleId: vip.id }, "VIP");
    expect((await doctor()).code).toBe(0);
    h.discord.deleteRole(guildId, vip.id);
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toContain(
      `fix:   Discord · server “${h.discord.guild(guildId)!.name}”, tier “Silver”: its role ${vip.id} was deleted; /tribe tier remove-role then /tribe tier add-role with a new role`,
    );
    await h.deps.db.tierAccess.deleteMany({ where: { roleId: vip.id } });

    const booster = role({
      name: "Server Booster",
      position: 2,
      managed: true,
      tags: { premium_subscriber: null },
    });
    h.discord.addRole(guildId, booster);
    await addTierAccess(h.deps, "silver", { platform: "discord", guildId, roleId: booster.id }, "Booster");
    r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /fix: {3}Discord · server “[^”]+”, tier “Silver”: its role “Server Booster” is managed by an integration and cannot be given by the bot; \/tribe tier remove-role/,
    );
    await h.deps.db.tierAccess.deleteMany({ where: { roleId: booster.id } });
    expect((await doctor()).code).toBe(0);

    const elsewhere = {
      ...h.config,
      discord: { ...h.config.discord!, homeGuildIds: [guildId, "1300000000000000001"] },
    };
    r = await doctor([], elsewhere);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /fix: {3}Discord · the bot is not in home server 1300000000000000001; invite it with https:\/\/discord\.com\/oauth2\/authorize\?client_id=\d+&scope=bot\+applications\.commands&permissions=\d+ \(or remove the id from DISCORD_GUILD_IDS\)/,
    );

    const registered = h.discord.commands().length;
    expect(registered).toBeGreaterThan(0);
    h.discord.clearCommands();
    r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toMatch(
      /fix \(warning, fans not blocked\): Discord · slash commands not registered \(\/join, .*\/tribe.*\); the bot registers them when it starts, or run npm run doctor -- --fix/,
    );
    r = await doctor(["--fix"]);
    expect(r.text).toContain(`fixed: Discord · registered ${registered} slash command(s)`);
    expect(h.discord.commands()).toHaveLength(registered);
    expect((await doctor()).text).toContain("OK     Discord · slash commands registered");
  });

  it("Telegram: a bound chat that is gone blocks; a channel where the bot cannot post only warns", async () => {
    const goneId = -1_009_999_000_001;
    await addTierAccess(h.deps, "silver", { platform: "telegram", chatId: String(goneId) }, "Old lounge");
    let r = await doctor();
    expect(r.code).toBe(1);
    expect(r.text).toContain(
      `fix:   Telegram · chat ${goneId} (tier “Silver”) is gone or the bot was removed from it, so fans cannot get in`,
    );
    await h.deps.db.tierAccess.deleteMany({ where: { chatId: String(goneId) } });

    const news = channel({ title: "Silver news" });
    h.telegram.addChat(news, {
      members: [chatMember.creator(CREATOR)],
      botStatus: adminRights({
        can_invite_users: true,
        can_restrict_members: true,
        can_post_messages: false,
      }),
    });
    await addTierAccess(h.deps, "silver", { platform: "telegram", chatId: String(news.id) }, "Silver news");
    r = await doctor();
    expect(r.code).toBe(0);
    expect(r.text).toContain(
      "fix (warning, fans not blocked): Telegram · “Silver news”: the bot cannot post in the channel, so polls are not published there; channel → Administrators → the bot: Post messages",
    );
    h.telegram.setBotRights(
      news.id,
      adminRights({ can_invite_users: true, can_restrict_members: true, can_post_messages: true }),
    );
    r = await doctor();
    expect(r.text).toContain(
      "OK     Telegram · “Silver news” (tier “Silver”): the bot is administrator with the rights it needs",
    );
  });

  it("Stripe: several endpoints sending to the bot's URL warn and are named", async () => {
    const { webhookEndpointId } = await readStripeSetup(h.deps.db);
    const extra = await h.stripeClient.webhookEndpoints.create({
      url: "https://tribe.example.test/stripe/webhook",
      enabled_events: ["checkout.session.completed"],
    });
    const r = await doctor();
    expect(r.text).toContain(
      `fix (warning, fans not blocked): Stripe · 2 endpoints send to https://tribe.example.test/stripe/webhook (`,
    );
    expect(r.text).toContain(webhookEndpointId!);
    expect(r.text).toContain(extra.id);
    expect(r.text).toContain("delete the others in Dashboard → Developers → Webhooks");
    // The bot's own endpoint (stored by --fix) is the one checked, not the stray one.
    expect(r.text).not.toMatch(new RegExp(`the endpoint ${extra.id} does not send`));
    await h.stripeClient.webhookEndpoints.del(extra.id);
    expect((await doctor()).text).not.toContain("endpoints send to");
  });
});
