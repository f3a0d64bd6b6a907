import {
  type ApplicationCommand,
  type ApplicationCommandDataResolvable,
  type Client,
  type Collection,
  type REST,
  Routes,
} from "discord.js";
import { discordCommands } from "../../../commands/discord.ts";
import type { Logger } from "../../log.ts";

/**
 * Bulk-overwrites the application's commands (globally, or for one guild, where changes show at
 * once) with commands/discord.ts, sent as is. Used by the deploy script and at start-up.
 */
export async function putCommands(rest: REST, applicationId: string, guildId?: string): Promise<number> {
  const route = guildId
    ? Routes.applicationGuildCommands(applicationId, guildId)
    : Routes.applicationCommands(applicationId);
  const saved = (await rest.put(route, { body: discordCommands })) as unknown[];
  return saved.length;
}

/**
 * Whether Discord's registered commands are exactly ours. discord.js's `equals` knows Discord's
 * defaults (omitted `required`, empty localizations...), so a command Discord echoes back with its
 * defaults filled in still compares equal.
 */
export function commandsMatch(existing: Collection<string, ApplicationCommand>): boolean {
  if (existing.size !== discordCommands.length) return false;
  return discordCommands.every((wanted) =>
    existing
      .find((c) => c.name === wanted.name)
      ?.equals(wanted as unknown as ApplicationCommandDataResolvable as never, true),
  );
}

/**
 * Start-up registration: reads what Discord has and bulk-overwrites only when it differs, so a
 * restart leaves the commands (and the per-server permissions creators set on them) alone.
 */
export async function syncCommands(
  client: Client<true>,
  log: Logger,
  guildId?: string,
): Promise<"unchanged" | "registered"> {
  const scope = guildId ? { guildId } : {};
  const existing = await client.application.commands.fetch(scope);
  if (commandsMatch(existing)) {
    log.info(
      { event: "discord.commands.unchanged", ...scope, count: existing.size },
      "slash commands up to date",
    );
    return "unchanged";
  }
  const count = await putCommands(client.rest, client.application.id, guildId);
  log.info({ event: "discord.commands.registered", ...scope, count }, "slash commands registered");
  return "registered";
}
