import {
  type APIApplication,
  type APIGuild,
  type APIGuildChannel,
  type APIGuildMember,
  type APIRole,
  type APIUser,
  ApplicationFlags,
  DiscordAPIError,
  type GuildChannelType,
  PermissionFlagsBits,
  REST,
  Routes,
} from "discord.js";
import { discordCommands } from "../../commands/discord.ts";
import { inviteUrl } from "../adapters/discord/homeGuilds.ts";
import { checkClientSecret } from "../adapters/discord/oauth.ts";
import { putCommands } from "../adapters/discord/registerCommands.ts";
import type { Db } from "../app/db.ts";
import { DISCORD_CALLBACK_PATH } from "../app/members/webJoin.ts";
import { getSettings } from "../app/settings.ts";
import { listTiers } from "../app/tiers.ts";
import type { DiscordConfig } from "../config.ts";
import { blocking, type CheckResult, fixed, ok, warning } from "./report.ts";

const AREA = "Discord";
const PORTAL = "https://discord.com/developers/applications";

/**
 * Discord through plain REST (no gateway session, so a running bot's session is left alone): the
 * application's switches, then each home server, tier role and poll channel, as the bot sees them.
 */
export async function checkDiscord(opts: {
  config: DiscordConfig;
  db: Db;
  fix: boolean;
  /** PUBLIC_BASE_URL: Discord sign-in sends fans back under it. */
  publicBaseUrl: string;
}): Promise<CheckResult[]> {
  const { config, db, fix } = opts;
  const rest = new REST({ api: config.apiUrl, retries: 1, timeout: 15_000 }).setToken(config.token);
  const results: CheckResult[] = [];
  const invite = inviteUrl(config.applicationId);

  let app: APIApplication;
  let me: APIUser;
  try {
    app = (await rest.get(Routes.currentApplication())) as APIApplication;
    me = (await rest.get(Routes.user())) as APIUser;
  } catch (err) {
    results.push(
      blocking(
        AREA,
        "token",
        err instanceof DiscordAPIError && err.status === 401
          ? `DISCORD_TOKEN: Discord refused the token; ${PORTAL} → your application → Bot → Reset Token, and put the new one in DISCORD_TOKEN`
          : `Discord could not be read: ${describe(err)} (check DISCORD_API_URL and the network)`,
      ),
    );
    return results;
  }
  if (app.id !== config.applicationId) {
    results.push(
      blocking(
        AREA,
        "application",
        `DISCORD_APPLICATION_ID is ${config.applicationId} but the token belongs to application ${app.id}; put ${app.id} in DISCORD_APPLICATION_ID`,
      ),
    );
  }

  const settings = await getSettings(db);
  const homeIds = config.homeGuildIds.length > 0 ? [...config.homeGuildIds] : settings.discordHomeGuildIds;
  const owners = app.team ? app.team.members.map((m) => m.user.id) : app.owner ? [app.owner.id] : [];
  if (owners.length > 0) {
    results.push(
      ok(
        AREA,
        "owner",
        `application owner known (${app.team ? `team ${app.team.name}` : `user ${owners[0]}`})`,
      ),
    );
  } else {
    const text = `Discord does not say who owns the application, so nobody can run /tribe setup; list your server ids in DISCORD_GUILD_IDS`;
    results.push(homeIds.length > 0 ? warning(AREA, "owner", text) : blocking(AREA, "owner", text));
  }

  results.push(
    app.bot_public
      ? warning(
          AREA,
          "public_bot",
          `Public Bot is on: anyone can invite the bot (it leaves servers that are not yours); ${PORTAL} → your application → Bot → Public Bot: off`,
        )
      : ok(AREA, "public_bot", "Public Bot is off"),
  );

  const flags = app.flags ?? 0;
  const membersIntent =
    (flags & (ApplicationFlags.GatewayGuildMembers | ApplicationFlags.GatewayGuildMembersLimited)) !== 0;
  results.push(
    membersIntent
      ? ok(AREA, "members_intent", "Server Members intent is on")
      : blocking(
          AREA,
          "members_intent",
          `the Server Members intent is off, so Discord refuses the bot's connection (fans who join are never given their role); ${PORTAL} → your application → Bot → Privileged Gateway Intents → Server Members Intent: on`,
        ),
  );

  results.push(...(await checkSignIn(config, app, opts.publicBaseUrl)));

  if (homeIds.length === 0) {
    results.push(
      blocking(
        AREA,
        "home_servers",
        `no home server, so every command is refused; invite the bot with ${invite} and run /tribe setup there as the application's owner, or list your server ids in DISCORD_GUILD_IDS`,
      ),
    );
  }
  const tiers = await listTiers(db);
  for (const guildId of homeIds) {
    results.push(...(await checkGuild({ rest, guildId, botId: me.id, tiers, invite })));
  }
  results.push(...(await checkPollChannels(rest, me.id, settings.discordPollChannelIds)));
  results.push(...(await checkCommands(rest, config, fix)));
  return results;
}

/**
 * "Join with Discord" (DISCORD_CLIENT_SECRET): Discord accepts the secret, and lists the bot's
 * callback among the application's redirects (else it refuses every sign-in before the fan sees
 * anything). Redirects cannot be set through the API: the creator adds it in the portal.
 */
async function checkSignIn(
  config: DiscordConfig,
  app: APIApplication,
  publicBaseUrl: string,
): Promise<CheckResult[]> {
  if (!config.clientSecret)
    return [
      ok(
        AREA,
        "sign_in",
        "Join with Discord is off (no DISCORD_CLIENT_SECRET): the tribe's page offers the server's invite and /join",
      ),
    ];
  const results: CheckResult[] = [];
  const secret = await checkClientSecret({
    apiUrl: config.apiUrl,
    applicationId: config.applicationId,
    clientSecret: config.clientSecret,
  });
  if (secret.kind === "refused")
    results.push(
      blocking(
        AREA,
        "client_secret",
        `DISCORD_CLIENT_SECRET: Discord refused it, so every "Join with Discord" fails; ${PORTAL} → your application → OAuth2 → Client Secret → Reset Secret, and put the new one in DISCORD_CLIENT_SECRET (or unset it: the page then offers the invite and /join)`,
      ),
    );
  else if (secret.kind === "unknown")
    results.push(
      warning(AREA, "client_secret", `DISCORD_CLIENT_SECRET could not be checked: ${secret.detail}`),
    );
  else results.push(ok(AREA, "client_secret", "DISCORD_CLIENT_SECRET accepted by Discord"));

  const callback = `${publicBaseUrl.replace(/\/+$/, "")}${DISCORD_CALLBACK_PATH}`;
  const redirects = app.redirect_uris;
  if (redirects === undefined)
    results.push(
      warning(
        AREA,
        "redirect",
        `Discord did not list the application's redirects; make sure ${callback} is one (${PORTAL} → your application → OAuth2 → Redirects)`,
      ),
    );
  else if (!redirects.includes(callback))
    results.push(
      blocking(
        AREA,
        "redirect",
        `Discord refuses to send fans back to ${callback}, so every "Join with Discord" fails; ${PORTAL} → your application → OAuth2 → Redirects → Add Redirect: ${callback} (exactly; it follows PUBLIC_BASE_URL)`,
      ),
    );
  else results.push(ok(AREA, "redirect", `Discord sends signed-in fans back to ${callback}`));
  return results;
}

function describe(err: unknown): string {
  if (err instanceof DiscordAPIError) return `Discord answered ${err.status} (${err.code}): ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

type Tiers = Awaited<ReturnType<typeof listTiers>>;

/** The member's permissions in the server: @everyone's and its roles', all of them for Administrator. */
export function guildPermissions(guild: { id: string; roles: APIRole[] }, member: APIGuildMember): bigint {
  let perms = 0n;
  for (const role of guild.roles) {
    if (role.id === guild.id || member.roles.includes(role.id)) perms |= BigInt(role.permissions);
  }
  return (perms & PermissionFlagsBits.Administrator) !== 0n ? ~0n : perms;
}

/** Discord's channel overwrite order: @everyone, then the member's roles together, then the member. */
export function channelPermissions(
  base: bigint,
  guildId: string,
  member: APIGuildMember & { user: APIUser },
  overwrites: readonly { id: string; type: number; allow: string; deny: string }[],
): bigint {
  if (base === ~0n) return base;
  let perms = base;
  const everyone = overwrites.find((o) => o.id === guildId);
  if (everyone) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guildId && member.roles.includes(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === member.user.id);
  if (own) perms = (perms & ~BigInt(own.deny)) | BigInt(own.allow);
  return perms;
}

async function checkGuild(opts: {
  rest: REST;
  guildId: string;
  botId: string;
  tiers: Tiers;
  invite: string;
}): Promise<CheckResult[]> {
  const { rest, guildId, botId, tiers } = opts;
  let guild: APIGuild;
  let member: APIGuildMember;
  try {
    guild = (await rest.get(Routes.guild(guildId))) as APIGuild;
    member = (await rest.get(Routes.guildMember(guildId, botId))) as APIGuildMember;
  } catch (err) {
    if (err instanceof DiscordAPIError && [403, 404].includes(err.status)) {
      return [
        blocking(
          AREA,
          "home_servers",
          `the bot is not in home server ${guildId}; invite it with ${opts.invite} (or remove the id from DISCORD_GUILD_IDS)`,
        ),
      ];
    }
    throw err;
  }
  const name = `server “${guild.name}”`;
  const roles = (await rest.get(Routes.guildRoles(guildId))) as APIRole[];
  const results: CheckResult[] = [];
  const perms = guildPermissions({ id: guildId, roles }, member);
  const manageRoles = (perms & PermissionFlagsBits.ManageRoles) !== 0n;
  results.push(
    manageRoles
      ? ok(AREA, "manage_roles", `${name}: the bot is in and may manage roles`)
      : blocking(
          AREA,
          "manage_roles",
          `${name}: the bot lacks Manage Roles, so it cannot give or take tier roles; Server Settings → Roles → the bot's role (or a role it has) → Manage Roles: on`,
        ),
  );
  const mine = roles.filter((r) => member.roles.includes(r.id));
  const top = mine.reduce<APIRole | undefined>((a, r) => (a && a.position >= r.position ? a : r), undefined);
  const topName = top ? `“${top.name}”` : "(none)";
  let count = 0;
  for (const tier of tiers) {
    for (const access of tier.access) {
      if (access.platform !== "discord" || access.guildId !== guildId || !access.roleId) continue;
      count++;
      const role = roles.find((r) => r.id === access.roleId);
      const label = `${name}, tier “${tier.name}”`;
      if (!role) {
        results.push(
          blocking(
            AREA,
            "tier_roles",
            `${label}: its role ${access.roleId} was deleted; /tribe tier remove-role then /tribe tier add-role with a new role`,
          ),
        );
      } else if (role.managed) {
        results.push(
          blocking(
            AREA,
            "tier_roles",
            `${label}: its role “${role.name}” is managed by an integration and cannot be given by the bot; /tribe tier remove-role and add a plain role`,
          ),
        );
      } else if (!top || top.position <= role.position) {
        results.push(
          blocking(
            AREA,
            "tier_roles",
            `${label}: its role “${role.name}” is not below the bot's highest role ${topName}, so Discord refuses to give it; Server Settings → Roles: drag ${topName} above “${role.name}”`,
          ),
        );
      }
    }
  }
  if (!results.some((r) => r.check === "tier_roles")) {
    results.push(ok(AREA, "tier_roles", `${name}: the bot can give and take the ${count} tier role(s)`));
  }
  return results;
}

async function checkPollChannels(
  rest: REST,
  botId: string,
  channelIds: readonly string[],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const needed = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages;
  /** Each poll's discussion thread (src/adapters/discord/discussions.ts). */
  const threads = PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads;
  const guilds = new Map<string, { roles: APIRole[]; member: APIGuildMember & { user: APIUser } }>();
  for (const channelId of channelIds) {
    let channel: APIGuildChannel<GuildChannelType>;
    try {
      channel = (await rest.get(Routes.channel(channelId))) as APIGuildChannel<GuildChannelType>;
    } catch (err) {
      if (!(err instanceof DiscordAPIError && [403, 404].includes(err.status))) throw err;
      results.push(
        warning(
          AREA,
          "poll_channels",
          `poll channel ${channelId} is gone or hidden from the bot, so polls are not posted there; /tribe settings to remove it or pick another`,
        ),
      );
      continue;
    }
    const guildId = channel.guild_id!;
    let g = guilds.get(guildId);
    if (!g) {
      g = {
        roles: (await rest.get(Routes.guildRoles(guildId))) as APIRole[],
        member: (await rest.get(Routes.guildMember(guildId, botId))) as APIGuildMember & { user: APIUser },
      };
      guilds.set(guildId, g);
    }
    const base = guildPermissions({ id: guildId, roles: g.roles }, g.member);
    const perms = channelPermissions(base, guildId, g.member, channel.permission_overwrites ?? []);
    if ((perms & needed) !== needed) {
      results.push(
        warning(
          AREA,
          "poll_channels",
          `poll channel #${channel.name ?? channelId}: the bot cannot ${(perms & PermissionFlagsBits.ViewChannel) === 0n ? "see it" : "send messages"} there, so polls are not posted; Edit Channel → Permissions → add the bot's role with View Channel and Send Messages`,
        ),
      );
    } else if ((perms & threads) !== threads) {
      results.push(
        warning(
          AREA,
          "poll_channels",
          `poll channel #${channel.name ?? channelId}: the bot cannot open threads there, so polls are posted without their discussion thread; Edit Channel → Permissions → the bot's role: Create Public Threads and Send Messages in Threads`,
        ),
      );
    }
  }
  if (channelIds.length > 0 && results.length === 0)
    results.push(ok(AREA, "poll_channels", `the bot can post in the ${channelIds.length} poll channel(s)`));
  return results;
}

async function checkCommands(rest: REST, config: DiscordConfig, fix: boolean): Promise<CheckResult[]> {
  const existing = (await rest.get(Routes.applicationCommands(config.applicationId))) as { name: string }[];
  const have = new Set(existing.map((c) => c.name));
  const missing = discordCommands.map((c) => c.name).filter((n) => !have.has(n));
  if (missing.length === 0) return [ok(AREA, "commands", "slash commands registered")];
  if (fix) {
    const count = await putCommands(rest, config.applicationId);
    return [fixed(AREA, "commands", `registered ${count} slash command(s)`)];
  }
  return [
    warning(
      AREA,
      "commands",
      `slash commands not registered (${missing.map((n) => `/${n}`).join(", ")}); the bot registers them when it starts, or run npm run doctor -- --fix`,
    ),
  ];
}
