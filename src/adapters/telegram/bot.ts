import { timingSafeEqual } from "node:crypto";
import { autoRetry } from "@grammyjs/auto-retry";
import {
  createConcurrentSink,
  createRunner,
  createSource,
  createUpdateFetcher,
  type RunnerHandle,
} from "@grammyjs/runner";
import { Bot, BotError, GrammyError, HttpError, type Transformer } from "grammy";
import type { Update } from "grammy/types";
import type { TelegramInbox } from "../../app/telegramInbox.ts";
import type { TelegramConfig } from "../../config.ts";
import { StartupError } from "../../errors.ts";
import { retryForever } from "../../lib/retry.ts";
import type { Logger } from "../../log.ts";
import type { PlatformStatus } from "../platform.ts";
import type { Route } from "../routes.ts";
import { networkErrorText } from "./apiErrors.ts";
import { localeMiddleware, type TgContext } from "./context.ts";

/** Update types the bot asks for; chat_member must be named explicitly or Telegram never sends it. */
export const ALLOWED_UPDATES = [
  "message",
  "callback_query",
  "chat_join_request",
  "chat_member",
  "my_chat_member",
] as const satisfies ReadonlyArray<Exclude<keyof Update, "update_id">>;

export interface TelegramBot {
  readonly bot: Bot<TgContext>;
  status(): PlatformStatus;
  /** In webhook mode, the route the HTTP server must serve. */
  readonly webhookRoute: Route | undefined;
  /** Starts receiving updates (long polling or webhook registration). */
  start(): Promise<void>;
  /**
   * Starts as a standby (several processes on one PostgreSQL, another one leads): the Bot API is
   * ready for jobs and messages, the long poll is left to the leader. lead() starts it.
   */
  standby(): Promise<void>;
  /** This process leads now: starts the long poll (nothing to do in webhook mode). */
  lead(): Promise<void>;
  /** No longer the leader: stops the long poll at once; the Bot API stays usable. */
  pause(): Promise<void>;
  /** Stops fetching updates and waits for the updates being handled. */
  stop(): Promise<void>;
  /** Aborted as stop() begins, so handlers retrying in-process let go. */
  readonly stopping: AbortSignal;
  /** Runs `fn` once Telegram answered getMe (the bot's @username is known), after start(). */
  onReady(fn: () => Promise<void>): void;
}

/**
 * Builds the grammY bot. Middleware (commands, join requests, ...) is added by the caller between
 * createTelegramBot() and start(); every handler runs inside one error boundary that logs the failure
 * with the update id instead of crashing the runner.
 */
export function createTelegramBot(opts: {
  config: TelegramConfig;
  publicBaseUrl: string;
  log: Logger;
  /**
   * Long polling keeps each fetched batch here before the next getUpdates confirms it to Telegram
   * (see src/app/telegramInbox.ts), and a new leader handles first what a dead one left.
   */
  inbox?: TelegramInbox;
}): TelegramBot {
  const log = opts.log.child({ module: "telegram" });
  const requestSeconds = opts.config.requestTimeoutSeconds ?? REQUEST_TIMEOUT_SECONDS;
  const pollSeconds = opts.config.pollTimeoutSeconds ?? POLL_TIMEOUT_SECONDS;
  // grammY waits 500 s for an answer by default. getUpdates is held open by Telegram for the long-poll
  // wait, so its deadline is that wait plus the usual margin; every other call gets `requestSeconds`.
  const bot = new Bot<TgContext>(opts.config.token, {
    client: { apiRoot: opts.config.apiUrl, timeoutSeconds: pollSeconds + requestSeconds },
  });
  // First: every handler after it reads the sender's language as ctx.locale and speaks with ctx.t.
  bot.use(localeMiddleware());
  let status: PlatformStatus = "starting";
  let runner: RunnerHandle | undefined;
  let stopped = false;
  /** Polling mode: whether this process should hold the long poll (false on a standby). */
  let receiving = true;
  /** getMe answered and the start-up steps ran. */
  let begun = false;
  const stopping = new AbortController();
  const readyHooks: (() => Promise<void>)[] = [];

  bot.api.config.use(deadline(requestSeconds, log));
  // Honour 429 retry_after and retry 5xx a few times. Network failures and timeouts are not retried
  // here (auto-retry would retry them forever, holding an access job or a handler for hours): they
  // reach the caller, so the access worker retries the job with backoff and the runner the long poll.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  // getUpdates answering is what "connected" means in polling mode.
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return prev(method, payload, signal);
    try {
      const res = await prev(method, payload, signal);
      if (!stopped && status !== "ready") {
        status = "ready";
        log.info({ event: "telegram.poll_recovered" }, "getUpdates answers again");
      }
      return res;
    } catch (err) {
      if (!stopped && !isAbort(err)) {
        if (status === "ready")
          log.warn({ event: "telegram.poll_failed", err: describe(err) }, "getUpdates failed");
        status = "connecting";
      }
      throw err;
    }
  });
  bot.catch((err) => {
    log.error(
      { event: "telegram.handler_failed", updateId: err.ctx.update.update_id, err: err.error },
      "update failed",
    );
  });

  const init = async (): Promise<void> => {
    try {
      await bot.init();
    } catch (err) {
      if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
        status = "failed";
        throw new StartupError(
          "platform_token_rejected",
          "tribegate cannot start:\n  - TELEGRAM_BOT_TOKEN: Telegram refused this token; get the current one from @BotFather (/token) and put it here",
        );
      }
      throw err;
    }
  };

  const begin = async (): Promise<void> => {
    await init();
    log.info(
      { event: "telegram.ready", botId: bot.botInfo.id, username: bot.botInfo.username },
      `bot @${bot.botInfo.username}`,
    );
    // Only once: begin() runs again after a failed first connection, never after a good one.
    for (const fn of readyHooks.splice(0))
      void fn().catch((err: unknown) =>
        log.warn({ event: "telegram.ready_hook_failed", err }, "start-up step failed"),
      );
    if (opts.config.mode === "webhook") {
      await bot.api.setWebhook(`${opts.publicBaseUrl}/telegram/webhook`, {
        secret_token: opts.config.webhookSecret ?? "",
        allowed_updates: ALLOWED_UPDATES,
      });
      status = "ready";
      log.info({ event: "telegram.webhook_set" }, "Telegram webhook registered");
      return;
    }
    begun = true;
    if (receiving) await poll();
    else {
      status = "standby";
      log.info({ event: "telegram.standby" }, "Telegram API ready; the leader process holds the long poll");
    }
  };

  const poll = async (): Promise<void> => {
    if (opts.config.mode === "webhook" || runner?.isRunning() || stopped || !receiving) return;
    // A webhook left from an earlier webhook-mode run would make getUpdates answer 409.
    await bot.api.deleteWebhook();
    if (stopped || !receiving) return;
    // Telegram answered (token good, API reachable): the long poll that starts now is the connection;
    // a failing getUpdates turns this back to "connecting".
    status = "ready";
    log.info({ event: "telegram.polling" }, "receiving updates from Telegram (long polling)");
    const inbox = opts.inbox;
    if (inbox) {
      // What an earlier leader kept and did not handle (it died with them in hand) comes first; what
      // it received in its last moments is left to it a while longer (it may still be finishing them,
      // if it lost the lead without dying) and taken after LEFTOVER_GRACE_MS if still unhandled.
      const takeLeftovers = async (): Promise<void> => {
        for (const update of await inbox.leftovers<Update>(LEFTOVER_GRACE_MS))
          await handleKept(update, inbox);
      };
      await takeLeftovers();
      if (stopped || !receiving) return;
      setTimeout(() => {
        if (stopped || !receiving) return;
        void takeLeftovers().catch((err: unknown) =>
          log.warn(
            { event: "telegram.inbox.leftovers_failed", err },
            "could not read the updates left by an earlier leader",
          ),
        );
      }, LEFTOVER_GRACE_MS).unref();
    }
    const handle = startRunner(inbox);
    runner = handle;
    // The runner gives up on 409 (another getUpdates with this token) and 401: never an unhandled
    // rejection that ends the process; the poll is tried again while this process should hold it.
    void handle.task()?.catch((err: unknown) => {
      if (runner !== handle || stopped || !receiving) return;
      runner = undefined;
      status = "connecting";
      const conflict = err instanceof GrammyError && err.error_code === 409;
      log.error(
        { event: conflict ? "telegram.poll_conflict" : "telegram.poll_stopped", err: describe(err) },
        conflict
          ? "Telegram says another process polls with this bot token (409 Conflict): run one tribegate per bot, or let several share one PostgreSQL (they elect one poller); retrying in 5 s"
          : "the long poll stopped; retrying in 5 s",
      );
      setTimeout(() => {
        void poll().catch((e: unknown) =>
          log.warn(
            { event: "telegram.poll_restart_failed", err: describe(e) },
            "could not restart the long poll",
          ),
        );
      }, 5_000).unref();
    });
  };

  /** Handles one update (a failure goes to the error boundary, bot.catch), then marks it handled. */
  const handleKept = async (update: Update, inbox: TelegramInbox | undefined): Promise<void> => {
    try {
      await bot.handleUpdate(update);
    } catch (err) {
      if (err instanceof BotError)
        await Promise.resolve(bot.errorHandler(err as BotError<TgContext>)).catch(() => undefined);
      else log.error({ event: "telegram.handler_failed", updateId: update.update_id, err }, "update failed");
    } finally {
      inbox?.handled(update.update_id);
    }
  };

  /**
   * grammY runner's long poll and concurrent sink, as its `run()` builds them, with the inbox between
   * fetching and handling: a batch is kept before the next getUpdates (which confirms it) is sent.
   */
  const startRunner = (inbox: TelegramInbox | undefined): RunnerHandle => {
    const fetchUpdates = createUpdateFetcher(bot, {
      fetch: { allowed_updates: ALLOWED_UPDATES, timeout: pollSeconds },
      silent: true,
      retryInterval: "exponential",
    });
    const source = createSource<Update>({
      supply: async (batchSize, signal) => {
        const updates = await fetchUpdates(batchSize, signal);
        return inbox ? inbox.keep(updates) : updates;
      },
    });
    const sink = createConcurrentSink<Update>(
      { consume: (update) => handleKept(update, inbox) },
      async () => undefined, // handleKept catches everything
    );
    const handle = createRunner(source, sink);
    handle.start();
    return handle;
  };

  const webhookRoute: Route | undefined =
    opts.config.mode === "webhook"
      ? {
          method: "POST",
          path: "/telegram/webhook",
          handler: async (req) => {
            const given = Buffer.from(String(req.headers["x-telegram-bot-api-secret-token"] ?? ""));
            const expected = Buffer.from(opts.config.webhookSecret ?? "");
            if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
              log.warn({ event: "telegram.webhook_rejected" }, "webhook call without the right secret token");
              return { status: 401, body: { error: "bad_secret_token" } };
            }
            let update: Update;
            try {
              update = JSON.parse(req.rawBody.toString("utf8")) as Update;
            } catch {
              return { status: 400, body: { error: "malformed_json" } };
            }
            try {
              await bot.handleUpdate(update);
            } catch (err) {
              // Only failures worth a redelivery get here (the error boundary answers refusals and
              // swallows what Telegram itself refused): not 2xx, so Telegram sends the update again.
              log.warn(
                {
                  event: "telegram.webhook_update_failed",
                  updateId: update.update_id,
                  err: err instanceof BotError ? err.error : err,
                },
                "update failed; answered 500 so Telegram delivers it again",
              );
              return { status: 500, body: { error: "update_failed" } };
            }
            return { status: 200, body: { ok: true } };
          },
        }
      : undefined;

  return {
    bot,
    status: () => status,
    webhookRoute,
    async start() {
      await connect();
    },
    async standby() {
      receiving = false;
      await connect();
    },
    async lead() {
      receiving = true;
      if (begun) await poll();
    },
    async pause() {
      receiving = false;
      const r = runner;
      runner = undefined;
      if (r?.isRunning()) await r.stop();
      if (begun && opts.config.mode !== "webhook") {
        status = "standby";
        log.info({ event: "telegram.paused" }, "stopped the long poll: another process leads");
      }
    },
    stopping: stopping.signal,
    onReady(fn) {
      readyHooks.push(fn);
    },
    async stop() {
      stopped = true;
      stopping.abort();
      status = "stopped";
      if (runner?.isRunning()) await runner.stop();
      log.info({ event: "telegram.stopped" }, "stopped receiving Telegram updates");
    },
  };

  /** getMe and the start-up steps, then (unless a standby) the long poll; network trouble is retried. */
  async function connect(): Promise<void> {
    try {
      await begin();
    } catch (err) {
      if (err instanceof StartupError) throw err;
      status = "connecting";
      log.warn(
        { event: "telegram.connect_failed", err: describe(err) },
        "cannot reach Telegram yet; retrying in the background",
      );
      void retryForever({
        attempt: begin,
        isFatal: (e) => e instanceof StartupError,
        stopped: () => stopped,
        onError: (e, delayMs) =>
          log.warn(
            { event: "telegram.connect_failed", err: describe(e), retryInMs: delayMs },
            "cannot reach Telegram",
          ),
      }).catch((e: unknown) => log.fatal({ event: "telegram.connect_fatal", err: e }, String(e)));
    }
  }
}

/** How long a Bot API call (other than the long poll) may go unanswered. */
const REQUEST_TIMEOUT_SECONDS = 30;
/** How long updates an earlier leader kept are left to it before the new leader handles them. */
const LEFTOVER_GRACE_MS = 10_000;

/** How long Telegram holds a getUpdates call open when there is nothing to deliver. */
const POLL_TIMEOUT_SECONDS = 30;

/**
 * A deadline on every call but getUpdates (whose deadline is the client's timeoutSeconds): a Bot API
 * server that stops answering turns into an HttpError after `seconds`, like a dropped connection.
 */
function deadline(seconds: number, log: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === "getUpdates") return prev(method, payload, signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, seconds * 1000);
    const forward = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener("abort", forward, { once: true });
    try {
      // grammY types its signal with the abort-controller shim's AbortSignal; Node's is compatible.
      return await prev(method, payload, controller.signal as Parameters<typeof prev>[2]);
    } catch (err) {
      if (!timedOut) throw err;
      log.warn(
        { event: "telegram.request_timeout", method, timeoutSeconds: seconds },
        `Telegram did not answer ${method} within ${seconds} s`,
      );
      throw new HttpError(
        `Network request for '${method}' failed!`,
        new Error(`no answer within ${seconds} s`),
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", forward);
    }
  };
}

function isAbort(err: unknown): boolean {
  return err instanceof HttpError && /abort/i.test(String(err.error));
}

/** grammY errors carry the request payload; keep logs to what is useful and secret-free. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof GrammyError)
    return { type: "GrammyError", method: err.method, code: err.error_code, description: err.description };
  if (err instanceof HttpError) return { type: "HttpError", message: networkErrorText(err) };
  return { type: "Error", message: String(err) };
}
