import { type Client, type Guild, PermissionFlagsBits, PermissionsBitField, Team } from "discord.js";
import type { AdapterServices } from "../../app/services.ts";
import type { DiscordConfig } from "../../config.ts";
import type { Logger } from "../../log.ts";

/**
 * The servers tribegate serves. Tiers, members, settings and polls are one creator's, shared by every
 * server the bot is in, and Discord bots can be invited anywhere (public by default): so creator
 * power, and fan commands too, must be bound to the creator's own servers, never to whoever holds
 * Manage Server where a command is typed.
 *
 * Home servers are DISCORD_GUILD_IDS when set; otherwise the servers the application's owner (or a
 * member of the owning team, as Discord's application info says) bound with `/tribe setup`, stored
 * in the creator settings. A server that is neither home nor owned by the application's owner is
 * left (or, with DISCORD_LEAVE_OTHER_SERVERS=false, ignored: every command refused).
 */
export interface HomeGuilds {
  /** DISCORD_GUILD_IDS is set: `/tribe setup` binds nothing. */
  readonly fixed: boolean;
  isHome(guildId: string): Promise<boolean>;
  /** The application's owner ids (the team's members for a team) and the Public Bot switch, read now. */
  application(): Promise<ApplicationFacts>;
  /** Makes `guildId` a home server (the caller checked that the application's owner asked). */
  bind(guildId: string, actor: string): Promise<void>;
  /** Leaves (or logs) a server the bot is in that is not a home server; see the class comment. */
  review(guild: Guild): Promise<void>;
}

export interface ApplicationFacts {
  owners: ReadonlySet<string>;
  botPublic: boolean;
}

/** How long the home list read from the settings is trusted (another process may bind a server). */
const CACHE_MS = 10_000;

export function createHomeGuilds(opts: {
  client: Client;
  config: Pick<DiscordConfig, "homeGuildIds" | "leaveOtherServers">;
  services: AdapterServices;
  log: Logger;
}): HomeGuilds {
  const { client, services, config } = opts;
  const log = opts.log.child({ module: "discord.home" });
  const fixed = config.homeGuildIds.length > 0;
  let cached: { ids: ReadonlySet<string>; at: number } | undefined;

  async function homeIds(): Promise<ReadonlySet<string>> {
    if (fixed) return new Set(config.homeGuildIds);
    const now = Date.now();
    if (cached && now - cached.at < CACHE_MS) return cached.ids;
    const ids = new Set((await services.app.getSettings()).discordHomeGuildIds);
    cached = { ids, at: now };
    return ids;
  }

  async function application(): Promise<ApplicationFacts> {
    const app = await client.application!.fetch();
    const owner = app.owner;
    const owners = new Set<string>();
    if (owner instanceof Team) for (const id of owner.members.keys()) owners.add(id);
    else if (owner) owners.add(owner.id);
    return { owners, botPublic: app.botPublic ?? true };
  }

  return {
    fixed,
    isHome: async (guildId) => (await homeIds()).has(guildId),
    application,
    async bind(guildId, actor) {
      await services.app.updateSettings({ add: { discordHomeGuildIds: [guildId] } });
      cached = undefined;
      log.warn({ event: "discord.home.bound", guildId, actor }, "server bound as a home server");
    },
    async review(guild) {
      const fields = { guildId: guild.id, guildName: guild.name, ownerId: guild.ownerId };
      if (await homeIds().then((ids) => ids.has(guild.id))) return;
      if (!fixed) {
        let facts: ApplicationFacts;
        try {
          facts = await application();
        } catch (err) {
          // Never leave a server on a guess: it may be the creator's, waiting for /tribe setup.
          log.warn({ event: "discord.home.review_failed", ...fields, err }, "could not read the application");
          return;
        }
        if (facts.owners.has(guild.ownerId)) {
          log.warn(
            { event: "discord.home.awaiting_setup", ...fields },
            "server owned by the application's owner: run /tribe setup there to serve it",
          );
          return;
        }
      }
      if (!config.leaveOtherServers) {
        log.warn(
          { event: "discord.home.foreign_ignored", ...fields },
          "not a home server: staying (DISCORD_LEAVE_OTHER_SERVERS=false), every command refused",
        );
        return;
      }
      log.warn({ event: "discord.home.leaving", ...fields }, "not a home server: leaving it");
      await guild.leave().then(
        () => log.warn({ event: "discord.home.left", ...fields }, "left a server that is not a home server"),
        (err: unknown) =>
          log.error({ event: "discord.home.leave_failed", ...fields, err }, "could not leave"),
      );
    },
  };
}

/**
 * What the bot needs in a server: give and take tier roles, create private tier channels, post polls
 * (with their chart and results), read its own messages back to edit them, and open the discussion
 * threads of polls and shortlisted ideas (src/adapters/discord/discussions.ts).
 */
export const BOT_PERMISSIONS = new PermissionsBitField([
  PermissionFlagsBits.ManageRoles,
  PermissionFlagsBits.ManageChannels,
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.EmbedLinks,
  PermissionFlagsBits.AttachFiles,
  PermissionFlagsBits.ReadMessageHistory,
  PermissionFlagsBits.CreatePublicThreads,
  PermissionFlagsBits.SendMessagesInThreads,
]).bitfield;

/** The link that adds the bot to a server with exactly the permissions it needs. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: "bot applications.commands",
    permissions: String(BOT_PERMISSIONS),
  });
  return `https://discord.com/oauth2/authorize?${query}`;
}
