/**
 * Registers the slash commands of commands/discord.ts with Discord (bulk overwrite).
 *
 *   npm run commands:deploy                 # global commands (every server the bot is in)
 *   npm run commands:deploy -- --guild <id> # one server only: shows at once, handy while testing
 *
 * Reads DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_API_URL from the environment or .env.
 * The bot also registers them at start-up when they differ; this script is for doing it on demand.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { REST } from "discord.js";
import { putCommands } from "../src/adapters/discord/registerCommands.ts";

function fromDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) values[m[1]] = m[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return values;
}

const { values: args } = parseArgs({ options: { guild: { type: "string" } } });
const env = { ...fromDotEnv(process.env.ENV_FILE ?? ".env"), ...process.env };
const token = env.DISCORD_TOKEN;
const applicationId = env.DISCORD_APPLICATION_ID;
if (!token || !applicationId || !/^\d{17,20}$/.test(applicationId)) {
  console.error(
    "Set DISCORD_TOKEN and DISCORD_APPLICATION_ID (developer portal) in the environment or .env.",
  );
  process.exit(1);
}
if (args.guild !== undefined && !/^\d{17,20}$/.test(args.guild)) {
  console.error(
    `--guild must be a server id (right-click the server → Copy Server ID), not “${args.guild}”.`,
  );
  process.exit(1);
}
const rest = new REST({ api: env.DISCORD_API_URL ?? "https://discord.com/api" }).setToken(token);
try {
  const count = await putCommands(rest, applicationId, args.guild);
  process.stdout.write(
    `Registered ${count} slash command(s) ${args.guild ? `in server ${args.guild}` : "globally"}.\n`,
  );
} catch (err) {
  console.error(`Discord refused the commands: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
