import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Database, openDatabase } from "./adapters/db/database.ts";
import { migrate } from "./adapters/db/migrator.ts";
import { type DiscordGateway, startDiscordGateway } from "./adapters/discord/gateway.ts";
import { healthRoutes, type ReadinessCheck } from "./adapters/http/health.ts";
import { type HttpServer, type Route, startHttpServer } from "./adapters/http/server.ts";
import { checkoutPages } from "./adapters/http/pages.ts";
import { stripeWebhookRoute } from "./adapters/http/stripeWebhook.ts";
import { type Billing, createBilling, createStripeClient } from "./adapters/stripe/billing.ts";
import { createTelegramBot, type TelegramBot } from "./adapters/telegram/bot.ts";
import { type AccessExecutor, createAccessWorker } from "./app/access/accessWorker.ts";
import { memberTaskHandlers } from "./app/membership/memberTasks.ts";
import type { Notifier } from "./app/notify.ts";
import { type AccessReader, reconcile } from "./app/reconcile.ts";
import { scheduleTask } from "./app/tasks.ts";
import { createTaskWorker, type TaskHandler } from "./app/taskWorker.ts";
import { type Clock, type QueueWorker, systemClock } from "./app/worker.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./log.ts";
import { MIGRATIONS_DIR } from "./lib/paths.ts";

/**
 * The composition root: config → database (+ migrations) → HTTP → platforms. main.ts calls it for
 * the real process; end-to-end tests call it in-process against the local stand-ins.
 */
export interface Tribegate {
  readonly db: Database;
  readonly billing: Billing;
  readonly accessWorker: QueueWorker;
  readonly taskWorker: QueueWorker;
  /** Wakes the workers after something enqueued jobs or tasks. */
  wake(): void;
  readonly http: HttpServer;
  readonly discord: DiscordGateway | undefined;
  readonly telegram: TelegramBot | undefined;
  /** Stops taking work, finishes what is in flight, closes everything in reverse order. */
  stop(): Promise<void>;
}

/** Runs reconciliation this often (and once at start-up). */
export const RECONCILE_EVERY_MS = 6 * 60 * 60 * 1000;

export async function startTribegate(opts: {
  config: Config;
  log: Logger;
  migrationsDir?: string;
  clock?: Clock;
  /** Tests: run the periodic reconciliation at start-up (default true). */
  reconcileOnStart?: boolean;
}): Promise<Tribegate> {
  const { config, log } = opts;
  const clock = opts.clock ?? systemClock;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const startedAt = Date.now();
  // Closed in `order`: stop taking work (HTTP, then updates), then the clients, the database last.
  const closers: { name: string; order: number; close: () => Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.sort((a, b) => a.order - b.order)) {
      try {
        await c.close();
      } catch (err) {
        log.error({ event: "shutdown.close_failed", component: c.name, err }, `closing ${c.name} failed`);
      }
    }
  };

  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
    closers.push({ name: "database", order: 9, close: () => db.close() });
    await migrate(db, { migrationsDir: opts.migrationsDir ?? MIGRATIONS_DIR, log });

    const telegram = config.telegram
      ? createTelegramBot({ config: config.telegram, publicBaseUrl: config.publicBaseUrl, log })
      : undefined;

    let discord: DiscordGateway | undefined;
    const checks: ReadinessCheck[] = [
      {
        name: "database",
        check: async () => {
          await db.ping();
          return { ready: true, state: `ok (${db.kind})` };
        },
      },
    ];
    if (config.discord) {
      checks.push({
        name: "discord",
        check: async () => {
          const state = discord?.status() ?? "starting";
          return { ready: state === "ready", state };
        },
      });
    }
    if (telegram) {
      checks.push({
        name: "telegram",
        check: async () => {
          const state = telegram.status();
          return { ready: state === "ready", state };
        },
      });
    }

    const billing = createBilling(createStripeClient(config.stripe));
    const executors: AccessExecutor[] = [];
    const notifiers: Notifier[] = [];
    const readers: AccessReader[] = [];
    let accessWorker: QueueWorker | undefined;
    let taskWorker: QueueWorker | undefined;
    const onWork = (): void => {
      accessWorker?.wake();
      taskWorker?.wake();
    };
    const deps = { db: db.prisma, billing, clock, log, publicBaseUrl: config.publicBaseUrl, onWork };

    const routes: Route[] = [
      ...healthRoutes(checks, startedAt),
      stripeWebhookRoute({ ...deps, stripe: billing.stripe, webhookSecret: config.stripe.webhookSecret }),
      ...checkoutPages(),
    ];
    if (telegram?.webhookRoute) routes.push(telegram.webhookRoute);
    const http = await startHttpServer({ host: config.http.host, port: config.http.port, routes, log });
    closers.push({ name: "http", order: 1, close: () => http.close(Math.min(config.shutdownTimeoutMs / 2, 5_000)) });

    if (config.discord) {
      discord = await startDiscordGateway({ config: config.discord, log });
      const d = discord;
      closers.push({ name: "discord", order: 5, close: () => d.stop() });
    }
    if (telegram) {
      closers.push({ name: "telegram", order: 2, close: () => telegram.stop() });
      await telegram.start();
    }

    const handlers: Record<string, TaskHandler> = {
      ...memberTaskHandlers({ ...deps, notifiers }),
      reconcile: async () => {
        const report = await reconcile({ ...deps, readers }, { dryRun: false });
        await db.prisma.$transaction((tx) =>
          scheduleTask(tx, {
            key: "reconcile:periodic",
            kind: "reconcile",
            payload: {},
            runAfter: new Date(clock.now().getTime() + RECONCILE_EVERY_MS),
            now: clock.now(),
          }),
        );
        return { outcome: "done", note: `${report.drift.length} difference(s) repaired` };
      },
    };
    const aw = createAccessWorker({ db: db.prisma, executors, log, clock, owner });
    const tw = createTaskWorker({ db: db.prisma, handlers, log, clock, owner });
    accessWorker = aw;
    taskWorker = tw;
    closers.push({ name: "access worker", order: 4, close: () => aw.stop() });
    closers.push({ name: "task worker", order: 4, close: () => tw.stop() });
    if (opts.reconcileOnStart ?? true) {
      await db.prisma.$transaction((tx) =>
        scheduleTask(tx, { key: "reconcile:periodic", kind: "reconcile", payload: {}, runAfter: clock.now(), now: clock.now() }),
      );
    }
    aw.start();
    tw.start();

    log.info(
      {
        event: "startup.complete",
        ms: Date.now() - startedAt,
        database: db.kind,
        discord: Boolean(config.discord),
        telegram: config.telegram?.mode ?? false,
      },
      `tribegate is up on port ${http.port}`,
    );

    let stopping: Promise<void> | undefined;
    return {
      db,
      billing,
      accessWorker: aw,
      taskWorker: tw,
      wake: onWork,
      http,
      get discord() {
        return discord;
      },
      telegram,
      stop() {
        stopping ??= (async () => {
          const t0 = Date.now();
          log.info({ event: "shutdown.start" }, "shutting down");
          await closeAll();
          log.info({ event: "shutdown.complete", ms: Date.now() - t0 }, "shut down cleanly");
        })();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
