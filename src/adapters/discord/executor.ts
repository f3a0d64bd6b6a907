import { type Client, Routes } from "discord.js";
import type { AccessExecutor, AccessJob } from "../../app/access/accessWorker.ts";
import type { Notifier } from "../../app/notify.ts";
import type { TaskHandler } from "../../app/taskWorker.ts";
import type { PortUseCases } from "../../app/useCases.ts";
import type { FollowUpTask, JobResult } from "../../app/worker.ts";
import { parseTargetKey, targetKey } from "../../core/access.ts";
import type { Logger } from "../../log.ts";
import { Code, classifyDiscordError } from "./discordErrors.ts";

/** The durable task that sends a fan the DM about a role change (see queueTell). */
export const DISCORD_TELL_TASK = "discord.tell";

/** Discord keeps at most 512 characters of an audit-log reason. */
const AUDIT_REASON_MAX = 512;

/**
 * Gives and takes tier roles: PUT/DELETE /guilds/:g/members/:u/roles/:r with the job's reason in the
 * audit log, so a moderator reading Server Settings → Audit Log sees why. Both calls are idempotent
 * on Discord's side, so a job run twice is harmless. Rate limits are discord.js's: it queues requests
 * per route bucket and waits out 429s; the access worker bounds how many jobs are in flight.
 */
export function createDiscordExecutor(opts: {
  client: Client;
  app: Pick<
    PortUseCases,
    "isSupersededChange" | "accessChangeNotice" | "joinToken" | "rolesOwedInGuild" | "dropJoinToken"
  >;
  notifier: Notifier;
  log: Logger;
  /** True while another process holds the gateway and this one's REST client is ready. */
  restOnly?: () => boolean;
  clock: { now(): Date };
  /**
   * Opens the join tokens fans left when they signed in on the tribe's page (DISCORD_CLIENT_SECRET);
   * without it, a fan who is not in the server gets the role when they join.
   */
  joinTokenKey?: Buffer | undefined;
}): AccessExecutor & { tellTask: TaskHandler } {
  const { client } = opts;
  const log = opts.log.child({ module: "discord.access" });

  return {
    platform: "discord",
    async execute(job) {
      const target = job.target;
      if (target.platform !== "discord")
        return { outcome: "dead", error: `not a Discord target: ${targetKey(target)}` };
      // A standby process (another one holds the gateway) calls Discord's REST API all the same: its
      // token is set, only the gateway's caches are missing (the DM then says what it must).
      if (!client.isReady() && !opts.restOnly?.())
        return { outcome: "retry", error: "not connected to Discord yet", retryAfterMs: 5_000 };
      const { guildId, roleId } = target;
      const guild = client.guilds.cache.get(guildId);
      // The gateway keeps this cache current (GUILD_MEMBER_*), so it tells whether the call changes
      // anything for the fan; it only decides whether to DM them, never whether to call Discord.
      const heldBefore = guild?.members.cache.get(job.userId)?.roles.cache.has(roleId);
      const route = Routes.guildMemberRole(guildId, job.userId, roleId);
      const reason = `tribegate: ${job.reason}`.slice(0, AUDIT_REASON_MAX);
      try {
        if (job.action === "grant") await client.rest.put(route, { reason });
        else await client.rest.delete(route, { reason });
      } catch (err) {
        const notIn = classifyDiscordError(err);
        if (job.action === "grant" && notIn.kind !== "passing" && notIn.code === Code.unknownMember) {
          const added = await addWithToken(job, guildId, reason);
          if (added) return added;
        }
        return failed(job, err, guild?.roles.cache.get(roleId)?.name, guild?.name);
      }
      const changed = job.action === "grant" ? heldBefore !== true : heldBefore !== false;
      if (changed && job.quiet) return { outcome: "done", note: "a role beyond the tiers': no message" };
      return changed
        ? { outcome: "done", followUps: [tell(job)] }
        : { outcome: "done", note: "already in that state" };
    },
    tellTask: async (payload) => {
      const p = payload as { userId?: string; action?: "grant" | "revoke"; targetKey?: string };
      const target = p.targetKey ? parseTargetKey(p.targetKey) : null;
      if (!p.userId || !p.action || !target) return { outcome: "dead", error: "incomplete payload" };
      // A newer change for this role came meanwhile (granted, then revoked): its own DM tells the fan.
      if (
        await opts.app.isSupersededChange({ platform: "discord", userId: p.userId, action: p.action, target })
      )
        return { outcome: "done", note: "superseded by a newer change" };
      return tellFan({ userId: p.userId, action: p.action, target });
    },
  };

  /**
   * A fan who signed in with Discord on the tribe's page and is not in the server yet: added with
   * their token and every role the ledger owes them there, in one call (PUT /guilds/:g/members/:u).
   * Discord answers 201 with the member, or 204 when they are in already (roles ignored: the role
   * call is made again). Null without a token: the usual "given when they join" applies.
   */
  async function addWithToken(job: AccessJob, guildId: string, reason: string): Promise<JobResult | null> {
    const key = opts.joinTokenKey;
    if (!key || job.target.platform !== "discord") return null;
    const roleId = job.target.roleId;
    const accessToken = await opts.app.joinToken(key, job.userId, opts.clock.now());
    if (!accessToken) return null;
    const roles = [...new Set([...(await opts.app.rolesOwedInGuild(job.userId, guildId)), roleId])];
    try {
      const answer = await client.rest.put(Routes.guildMember(guildId, job.userId), {
        body: { access_token: accessToken, roles },
        reason,
      });
      await opts.app.dropJoinToken(job.userId);
      if (answer && typeof answer === "object" && "user" in answer) {
        log.info(
          { event: "discord.member.added", guildId, userId: job.userId, roles: roles.length },
          "fan added to the server with their roles",
        );
        return {
          outcome: "done",
          note: `added to the server with ${roles.length} role(s)`,
          ...(job.quiet ? {} : { followUps: [tell(job)] }),
        };
      }
      // In already (they joined meanwhile): the role itself.
      await client.rest.put(Routes.guildMemberRole(guildId, job.userId, roleId), { reason });
      return job.quiet ? { outcome: "done" } : { outcome: "done", followUps: [tell(job)] };
    } catch (err) {
      const failure = classifyDiscordError(err);
      if (failure.kind !== "passing" && failure.code === Code.missingPermissions) {
        return {
          outcome: "dead",
          error: `tribegate may not add members to server ${guildId}: give its role Create Invite and Manage Roles (Server Settings → Roles), then /tribe jobs retry`,
        };
      }
      if (failure.kind !== "passing") {
        // The token was refused (revoked, expired): the fan gets the role when they join by themselves.
        await opts.app.dropJoinToken(job.userId);
        log.warn(
          { event: "discord.member.add_refused", guildId, userId: job.userId, error: failure.message },
          "Discord refused to add the fan with their token",
        );
        return null;
      }
      return {
        outcome: "retry",
        error: failure.message,
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      };
    }
  }

  /**
   * The welcome or goodbye DM goes through the task queue rather than inline: a DM costs two calls
   * against Discord's global limit (50 a second), and in a burst of payments inline DMs took two
   * thirds of it ahead of later fans' role changes (bench/payment-access.ts). Queued, the role comes
   * first, the DM right after, and a DM lost to a crash is still sent. The task is written with the
   * job's outcome (one transaction, however late the database comes back) and keyed by the change it
   * announces: a job run again, or the same grant wished again, queues nothing more.
   */
  function tell(job: AccessJob): FollowUpTask {
    return {
      key: `dm:discord:${job.id}:${job.change}:${job.action}`,
      kind: DISCORD_TELL_TASK,
      payload: { userId: job.userId, action: job.action, targetKey: targetKey(job.target) },
    };
  }

  function failed(job: AccessJob, err: unknown, roleName?: string, guildName?: string): JobResult {
    const failure = classifyDiscordError(err);
    if (failure.kind === "passing") {
      return {
        outcome: "retry",
        error: failure.message,
        ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      };
    }
    const t = job.target.platform === "discord" ? job.target : undefined;
    const role = roleName ? `@${roleName} (${t?.roleId})` : `role ${t?.roleId}`;
    const server = guildName ? `“${guildName}” (${t?.guildId})` : `server ${t?.guildId}`;
    switch (failure.code) {
      case Code.unknownMember:
        // Not in the server: nothing to give or take now. guildMemberAdd gives it back on rejoin.
        return {
          outcome: "done",
          note:
            job.action === "grant"
              ? "not in the server; given when they join or rejoin"
              : "not in the server any more",
        };
      case Code.unknownRole:
        return {
          outcome: "dead",
          error: `${role} no longer exists in ${server}: map the tier to a new role (/tribe tier add-role), then /tribe jobs retry`,
          problem: { code: "role_gone", role, server },
        };
      case Code.unknownGuild:
      case Code.missingAccess:
        return {
          outcome: "dead",
          error: `tribegate is no longer in ${server}: invite it back, then /tribe jobs retry`,
          problem: { code: "bot_not_in_server", server },
        };
      case Code.missingPermissions:
        return {
          outcome: "dead",
          error: `tribegate may not manage ${role} in ${server}: give it Manage Roles and drag its role above ${role} (Server Settings → Roles), then /tribe jobs retry`,
          problem: { code: "role_not_manageable", role, server },
        };
      default:
        return { outcome: "dead", error: `Discord refused: ${failure.message}` };
    }
  }

  /** Welcome or goodbye DM, best effort: a closed DM or a hiccup never fails the role change. */
  async function tellFan(job: Pick<AccessJob, "userId" | "action" | "target">): Promise<JobResult> {
    // A tier that opens several roles sends one message, on its first role, not one per role.
    const due = await opts.app.accessChangeNotice({ platform: "discord", ...job });
    if (!due) return { outcome: "done", note: "not the tier's first role: its first role's message tells" };
    // The notifier classifies Discord's answer: a passing failure (a 5xx, the network) is tried again.
    return opts.notifier.notify(job.userId, due.locale, due.notice);
  }
}
