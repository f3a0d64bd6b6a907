import {
  type ChatInputCommandInteraction,
  type Guild,
  GuildMember,
  type MessageComponentInteraction,
  PermissionFlagsBits,
  PermissionsBitField,
  type Role,
  roleMention,
} from "discord.js";
import { DomainError } from "../../errors.ts";
import type { DiscordPermission } from "../../i18n/index.ts";

/** The server a creator command runs in (the router already refused DMs). */
export async function guildOf(i: ChatInputCommandInteraction | MessageComponentInteraction): Promise<Guild> {
  if (!i.guildId) throw new DomainError("discord_guild_only");
  return i.guild ?? i.client.guilds.fetch(i.guildId);
}

/**
 * Permissions a tier role must not carry: every paying fan would get them, and a manager could hand
 * themselves (or an accomplice paying a euro) power over the server through a tier.
 */
export const DANGEROUS_PERMISSIONS: readonly (DiscordPermission & keyof typeof PermissionFlagsBits)[] = [
  "Administrator",
  "ManageGuild",
  "ManageRoles",
  "ManageChannels",
  "ManageWebhooks",
  "ManageMessages",
  "ManageThreads",
  "ManageNicknames",
  "ManageGuildExpressions",
  "ManageEvents",
  "BanMembers",
  "KickMembers",
  "ModerateMembers",
  "MentionEveryone",
  "ViewAuditLog",
  "MuteMembers",
  "DeafenMembers",
  "MoveMembers",
];

/**
 * Refuses (nothing changed) a role the person running the command may not make a tier role: one
 * carrying a dangerous permission, or one at or above their own highest role (unless they own the
 * server), as Discord itself forbids them to hand it out by hand.
 */
export async function requireGrantableBy(
  i: ChatInputCommandInteraction | MessageComponentInteraction,
  guild: Guild,
  role: Role,
): Promise<void> {
  const mention = roleMention(role.id);
  const granted = new PermissionsBitField(role.permissions.bitfield);
  const dangerous = DANGEROUS_PERMISSIONS.filter((name) => granted.has(PermissionFlagsBits[name], false));
  if (dangerous.length) {
    throw new DomainError("discord_role_dangerous", { role: mention, permissions: dangerous });
  }
  if (guild.ownerId === i.user.id) return;
  const caller =
    i.member instanceof GuildMember ? i.member : await guild.members.fetch({ user: i.user.id, force: true });
  if (caller.roles.highest.comparePositionTo(role) <= 0) {
    throw new DomainError("discord_role_above_you", { role: mention });
  }
}

/**
 * Refuses (nothing changed) unless the bot can give and take `role`: Manage Roles, its highest role
 * above it, and a role no integration manages. Otherwise Discord would answer 50013 later, one fan
 * at a time, after they paid.
 */
export async function requireManageableRole(guild: Guild, role: Pick<Role, "id" | "managed">): Promise<Role> {
  const me = guild.members.me ?? (await guild.members.fetchMe());
  const mention = roleMention(role.id);
  if (role.managed || role.id === guild.id) throw new DomainError("discord_role_managed", { role: mention });
  if (!me.permissions.has(PermissionFlagsBits.ManageRoles))
    throw new DomainError("discord_missing_permission", {
      permission: "ManageRoles",
      botRole: botRoleName(me),
    });
  const real = guild.roles.cache.get(role.id) ?? (await guild.roles.fetch(role.id));
  if (!real || me.roles.highest.comparePositionTo(real) <= 0)
    throw new DomainError("discord_role_unmanageable", { role: mention, botRole: botRoleName(me) });
  return real;
}

/**
 * The name of the role to drag above the tier roles: the bot's highest role (its own role, named
 * after the creator's application, unless someone gave it a higher one); null when it has none.
 */
export function botRoleName(me: GuildMember): string | null {
  const highest = me.roles.highest;
  if (highest.id !== me.guild.id) return highest.name;
  return me.roles.botRole?.name ?? null;
}
