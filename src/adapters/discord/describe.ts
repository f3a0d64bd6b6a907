import { ChannelType, type Client, PermissionFlagsBits } from "discord.js";
import type { TargetDescription } from "../../app/platform.ts";
import type { AccessTarget } from "../../core/access.ts";

/**
 * What a tier role is called and which channels it opens, read from the gateway's cache (no REST
 * call: the public page asks on every render): the channels the role can see and @everyone cannot,
 * categories left out (their channels are listed), in the order the server shows them. null when
 * the server or the role is not in the cache (not connected yet, role deleted).
 */
export function describeDiscordTarget(client: Client, target: AccessTarget): TargetDescription | null {
  const found = openedChannels(client, target);
  return found && { name: found.role, places: found.channels.map((c) => c.name) };
}

/** The role's name and the channels it opens (see describeDiscordTarget), with their ids. */
export function openedChannels(
  client: Client,
  target: AccessTarget,
): { role: string; channels: { id: string; name: string }[] } | null {
  if (target.platform !== "discord") return null;
  const guild = client.guilds.cache.get(target.guildId);
  const role = guild?.roles.cache.get(target.roleId);
  if (!guild || !role) return null;
  const everyone = guild.roles.everyone;
  const opened: { name: string; id: string; at: readonly [number, number] }[] = [];
  for (const c of guild.channels.cache.values()) {
    if (c.isThread() || c.type === ChannelType.GuildCategory) continue;
    if (!c.permissionsFor(role).has(PermissionFlagsBits.ViewChannel)) continue;
    if (c.permissionsFor(everyone).has(PermissionFlagsBits.ViewChannel)) continue;
    opened.push({ name: c.name, id: c.id, at: [c.parent ? c.parent.rawPosition : -1, c.rawPosition] });
  }
  const channels = opened
    .sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.id.localeCompare(b.id))
    .map((c) => ({ id: c.id, name: c.name }));
  return { role: role.name, channels };
}
