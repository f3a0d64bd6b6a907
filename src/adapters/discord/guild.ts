import {
  type ChatInputCommandInteraction,
  type Guild,
  type MessageComponentInteraction,
  PermissionFlagsBits,
  type Role,
  roleMention,
} from "discord.js";
import { DomainError } from "../../errors.ts";

/** The server a creator command runs in (the router already refused DMs). */
export async function guildOf(i: ChatInputCommandInteraction | MessageComponentInteraction): Promise<Guild> {
  if (!i.guildId) throw new DomainError("discord_guild_only");
  return i.guild ?? i.client.guilds.fetch(i.guildId);
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
    throw new DomainError("discord_missing_permission", { permission: "Manage Roles" });
  const real = guild.roles.cache.get(role.id) ?? (await guild.roles.fetch(role.id));
  if (!real || me.roles.highest.comparePositionTo(real) <= 0)
    throw new DomainError("discord_role_unmanageable", { role: mention });
  return real;
}
