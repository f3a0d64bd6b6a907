import { ApplicationCommandOptionType as Opt } from "discord-api-types/v10";
import { Composer } from "grammy";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { discordCommands } from "../../commands/discord.ts";
import { CREATOR_COMMANDS, FAN_COMMANDS, GROUP_ADMIN_COMMANDS } from "../../commands/telegram.ts";
import { componentRoutes, slashRoutes } from "../../src/adapters/discord/commands/index.ts";
import type { TelegramDeps } from "../../src/adapters/telegram/deps.ts";
import { telegramFeatures } from "../../src/adapters/telegram/index.ts";
import type { AppServices } from "../../src/app/services.ts";

/**
 * The command data (commands/) and the handlers cannot drift apart: every leaf of a Discord slash
 * command has exactly one route, and every command of a Telegram menu exactly one handler.
 */

interface CommandOption {
  readonly type: number;
  readonly name: string;
  readonly options?: readonly CommandOption[];
}

/** "join", "tribe tier create"…: the keys the router looks up (command, group, subcommand). */
function leafKeys(
  commands: readonly { readonly name: string; readonly options?: readonly CommandOption[] }[],
) {
  const keys: string[] = [];
  const walk = (prefix: string, options: readonly CommandOption[] | undefined) => {
    const branches = (options ?? []).filter(
      (o) => o.type === Opt.Subcommand || o.type === Opt.SubcommandGroup,
    );
    if (branches.length === 0) keys.push(prefix);
    for (const b of branches) walk(`${prefix} ${b.name}`, b.options);
  };
  for (const c of commands) walk(c.name, c.options);
  return keys;
}

/** Each key with how many times it appears, for the keys that do not appear exactly once in `have`. */
function mismatches(want: readonly string[], have: readonly string[]): Record<string, number> {
  const count = new Map<string, number>();
  for (const k of have) count.set(k, (count.get(k) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const k of want) if (count.get(k) !== 1) out[k] = count.get(k) ?? 0;
  return out;
}

describe("Discord: one route per leaf command", () => {
  const leaves = leafKeys(discordCommands as readonly { name: string; options?: readonly CommandOption[] }[]);
  const routes = slashRoutes.map((r) => r.key);

  it("reads the leaves of the command data", () => {
    expect(leaves).toContain("join");
    expect(leaves).toContain("tribe tier create");
    expect(leaves).not.toContain("tribe");
    expect(leaves).not.toContain("tribe tier");
    expect(new Set(leaves).size).toBe(leaves.length);
  });

  it("every leaf has exactly one handler, and every handler a leaf", () => {
    // { key: 0 } is a command without a handler, { key: 2 } a command handled twice.
    expect(mismatches(leaves, routes)).toEqual({});
    expect(routes.filter((k) => !leaves.includes(k))).toEqual([]);
  });

  it("no two component routes share a prefix", () => {
    const prefixes = componentRoutes.map((r) => r.prefix);
    expect(prefixes.filter((p, i) => prefixes.indexOf(p) !== i)).toEqual([]);
  });
});

describe("Telegram: one handler per menu command", () => {
  /** Answered but on no menu on purpose: /setup carries the one-time code printed in the log. */
  const HIDDEN = ["setup"];

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** The command names the bot's features register, once per registration. */
  function registeredCommands(): string[] {
    const spy = vi.spyOn(Composer.prototype, "command");
    const deps = {
      services: { db: {}, log: pino({ level: "silent" }) } as unknown as AppServices,
      config: { creatorIds: [], mode: "polling" },
      log: pino({ level: "silent" }),
      botId: 1,
      botUsername: () => "tribe_bot",
      stopping: new AbortController().signal,
    } as unknown as TelegramDeps;
    telegramFeatures(deps, { onCreatorAdded: () => {}, onManagersChanged: () => {} });
    return spy.mock.calls.flatMap(([names]) => (Array.isArray(names) ? names : [names])).map(String);
  }

  it("every menu command has exactly one handler, and every handler is on a menu (or hidden on purpose)", () => {
    const menu: string[] = [...FAN_COMMANDS, ...GROUP_ADMIN_COMMANDS, ...CREATOR_COMMANDS].map(
      (c) => c.command,
    );
    const registered = registeredCommands();
    expect(registered.length).toBeGreaterThan(0);
    expect(mismatches([...menu, ...HIDDEN], registered)).toEqual({});
    expect(registered.filter((k) => !menu.includes(k) && !HIDDEN.includes(k))).toEqual([]);
  });
});
