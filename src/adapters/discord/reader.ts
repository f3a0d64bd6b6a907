import { type APIGuildMember, type Client, Routes } from "discord.js";
import type { AccessReader } from "../../app/reconcile/platforms.ts";
import type { Logger } from "../../log.ts";
import { Code, classifyDiscordError } from "./discordErrors.ts";

const PAGE = 1000;
/**
 * One reconciliation asks for each tier role in turn; roles of one server share a member list, so
 * a listing is reused for a few seconds instead of being read again per role.
 */
const SNAPSHOT_TTL_MS = 15_000;

/**
 * Who holds a tier role, read from the REST member list (GET /guilds/:g/members, 1,000 per page, by
 * ascending id) rather than the gateway's REQUEST_GUILD_MEMBERS: pages are rate limited like any
 * REST call, resumable, and do not depend on the member cache. null when the role or the server is
 * gone or unreadable (reconciliation then leaves that target alone).
 */
export function createDiscordReader(opts: { client: Client; log: Logger }): AccessReader {
  const { client } = opts;
  const log = opts.log.child({ module: "discord.reader" });
  const snapshots = new Map<string, { at: number; members: Promise<APIGuildMember[] | null> }>();

  async function listMembers(guildId: string): Promise<APIGuildMember[] | null> {
    const started = Date.now();
    const all: APIGuildMember[] = [];
    let after = "0";
    try {
      for (;;) {
        const page = (await client.rest.get(Routes.guildMembers(guildId), {
          query: new URLSearchParams({ limit: String(PAGE), after }),
        })) as APIGuildMember[];
        all.push(...page);
        const last = page.at(-1);
        if (page.length < PAGE || !last) break;
        after = last.user.id;
      }
    } catch (err) {
      const failure = classifyDiscordError(err);
      if (
        failure.kind === "refused" &&
        [Code.unknownGuild, Code.missingAccess, Code.missingPermissions].includes(failure.code as never)
      ) {
        log.warn(
          { event: "discord.reader.unreadable", guildId, error: failure.message },
          "cannot list members",
        );
        return null;
      }
      throw err;
    }
    log.info(
      { event: "discord.reader.listed", guildId, members: all.length, ms: Date.now() - started },
      "member list read",
    );
    return all;
  }

  function members(guildId: string): Promise<APIGuildMember[] | null> {
    const cached = snapshots.get(guildId);
    if (cached && Date.now() - cached.at < SNAPSHOT_TTL_MS) return cached.members;
    const fresh = { at: Date.now(), members: listMembers(guildId) };
    snapshots.set(guildId, fresh);
    fresh.members.catch(() => snapshots.delete(guildId));
    return fresh.members;
  }

  async function roleExists(guildId: string, roleId: string): Promise<boolean | null> {
    try {
      const roles = (await client.rest.get(Routes.guildRoles(guildId))) as { id: string }[];
      return roles.some((r) => r.id === roleId);
    } catch (err) {
      const failure = classifyDiscordError(err);
      if (failure.kind === "refused") return null;
      throw err;
    }
  }

  return {
    platform: "discord",
    async holders(target) {
      if (target.platform !== "discord") return null;
      if (!(await roleExists(target.guildId, target.roleId))) return null;
      const list = await members(target.guildId);
      if (!list) return null;
      return new Set(list.filter((m) => m.roles.includes(target.roleId)).map((m) => m.user.id));
    },
    async present(target) {
      if (target.platform !== "discord") return null;
      const list = await members(target.guildId);
      return list ? new Set(list.map((m) => m.user.id)) : null;
    },
  };
}
