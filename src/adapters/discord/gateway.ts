import { Client, Events, GatewayIntentBits, Options, Status } from "discord.js";
import type { DiscordConfig } from "../../config.ts";
import { StartupError } from "../../errors.ts";
import { retryForever } from "../../lib/retry.ts";
import type { Logger } from "../../log.ts";
import type { PlatformStatus } from "../platform.ts";

export interface DiscordGateway {
  readonly client: Client;
  status(): PlatformStatus;
  /** Logs in. Handlers must be attached before: events arriving earlier would be missed. */
  start(): Promise<void>;
  /**
   * Starts as a standby (another process on the same PostgreSQL holds the gateway): the REST API
   * works (access jobs, messages), no gateway session. start() opens one when this process leads.
   */
  standby(): void;
  /** No longer the leader: closes the gateway session at once; REST stays usable. */
  pause(): Promise<void>;
  /** Resolves once the first READY was handled. */
  ready(): Promise<void>;
  /**
   * Called after each new gateway session past the first (Discord would not resume the old one):
   * what happened meanwhile, such as members joining, was not replayed.
   */
  onReidentified(listener: () => void): void;
  stop(): Promise<void>;
}

/**
 * Connects discord.js to the gateway. A token Discord refuses stops the process with a clear
 * message; a network failure at start-up is retried in the background (discord.js reconnects
 * by itself once connected) so that webhooks keep being recorded meanwhile.
 */
export function createDiscordGateway(opts: { config: DiscordConfig; log: Logger }): DiscordGateway {
  const log = opts.log.child({ module: "discord" });
  const client = new Client({
    // GuildMembers (privileged) lets the bot see a fan rejoin and restore their roles.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
    rest: { api: opts.config.apiUrl },
    // No message of the bot pings anyone: poll and idea texts are written by fans, and an idea titled
    // "@everyone" must not notify the whole server. Mentions still render (a creator sees who is who).
    allowedMentions: { parse: [] },
    // The ledger is the truth: keep the caches small, we never need message history.
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 0 }),
  });
  let status: PlatformStatus = "starting";
  let stopped = false;
  /** Leadership moved to another process: the session is closed on purpose, nothing to retry. */
  let paused = false;
  let markReady!: () => void;
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  // Each login's READY (a process that leads again logs in again after pause()).
  client.on(Events.ClientReady, (c) => {
    status = "ready";
    log.info(
      { event: "discord.ready", botUserId: c.user.id, guilds: c.guilds.cache.size },
      `connected to Discord as ${c.user.tag}`,
    );
    markReady();
  });
  client.on(Events.ShardDisconnect, (event, shardId) => {
    if (!stopped && !paused) {
      status = "connecting";
      log.warn({ event: "discord.disconnected", shardId, code: event.code }, "gateway connection lost");
    }
  });
  // A connection that closed and will be resumed (or, if Discord refuses, identified again).
  client.on(Events.ShardReconnecting, (shardId) => {
    if (stopped || paused) return;
    status = "connecting";
    log.warn({ event: "discord.reconnecting", shardId }, "gateway connection lost; reconnecting");
  });
  client.on(Events.ShardResume, (shardId, replayed) => {
    status = "ready";
    log.info({ event: "discord.resumed", shardId, replayed }, "gateway connection resumed");
  });
  let sessions = 0;
  const reidentified: (() => void)[] = [];
  client.on(Events.ShardReady, (shardId) => {
    if (client.isReady()) status = "ready";
    // A new session after the first: Discord would not resume the old one, and what happened in
    // between (members joining) is not replayed. Reconciliation catches up; /claim does at once.
    if (++sessions > 1) {
      log.warn(
        { event: "discord.reidentified", shardId },
        "new gateway session; events during the gap were not replayed",
      );
      for (const listener of reidentified) listener();
    }
  });
  client.on(Events.Error, (err) => log.error({ event: "discord.error", err }, "discord.js error"));
  client.on(Events.Warn, (message) => log.warn({ event: "discord.warn", message }, message));

  const login = async (): Promise<void> => {
    status = "connecting";
    try {
      await client.login(opts.config.token);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "TokenInvalid") {
        status = "failed";
        throw new StartupError(
          "platform_token_rejected",
          "tribegate cannot start:\n  - DISCORD_TOKEN: Discord refused this token; reset it in the developer portal (Bot → Reset Token) and put the new one here",
        );
      }
      if (code === "DisallowedIntents") {
        status = "failed";
        throw new StartupError(
          "platform_token_rejected",
          "tribegate cannot start:\n  - DISCORD_TOKEN: this bot may not use the Server Members intent; enable it in the developer portal (Bot → Privileged Gateway Intents → Server Members Intent)",
        );
      }
      throw err;
    }
  };

  return {
    client,
    status: () => status,
    onReidentified: (listener) => void reidentified.push(listener),
    standby() {
      paused = true;
      status = "standby";
      client.rest.setToken(opts.config.token);
      log.info({ event: "discord.standby" }, "Discord REST ready; the leader process holds the gateway");
    },
    async pause() {
      if (paused || stopped) return;
      paused = true;
      status = "standby";
      await client.destroy();
      // destroy() forgets the token: REST calls (access jobs, messages) go on from this process.
      client.rest.setToken(opts.config.token);
      log.info({ event: "discord.paused" }, "closed the gateway session: another process leads");
    },
    async start() {
      const manager = client.ws as unknown as { destroyed: boolean; status: Status };
      if (paused && manager.destroyed) {
        // discord.js's client is not made to log in again after destroy(): its manager stays marked
        // destroyed (it would never reconnect after a drop) and "ready" (READY would not be
        // announced). Both are reset for the new session; test/e2e/faults/failover.test.ts checks
        // that a process leading again gets its session and keeps reconnecting.
        manager.destroyed = false;
        manager.status = Status.Idle;
      }
      paused = false;
      // The first attempt decides whether the token is good; network trouble is retried.
      await login().catch((err: unknown) => {
        if (err instanceof StartupError) throw err;
        log.warn(
          { event: "discord.connect_failed", err },
          "cannot reach Discord yet; retrying in the background",
        );
        void retryForever({
          attempt: login,
          isFatal: (e) => e instanceof StartupError,
          stopped: () => stopped || paused,
          onError: (e, delayMs) =>
            log.warn({ event: "discord.connect_failed", err: e, retryInMs: delayMs }, "cannot reach Discord"),
        }).catch((e: unknown) => log.fatal({ event: "discord.connect_fatal", err: e }, String(e)));
      });
    },
    ready: () => readyPromise,
    async stop() {
      stopped = true;
      status = "stopped";
      await client.destroy();
      log.info({ event: "discord.stopped" }, "disconnected from Discord");
    },
  };
}
