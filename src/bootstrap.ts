import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Database, openDatabase } from "./adapters/db/database.ts";
import { electLeader, type LeaderElection } from "./adapters/db/leader.ts";
import { migrate } from "./adapters/db/migrator.ts";
import { createDiscordGateway, type DiscordGateway } from "./adapters/discord/gateway.ts";
import { createDiscordPlatform } from "./adapters/discord/index.ts";
import { createDiscordSignIn } from "./adapters/discord/oauth.ts";
import { createAddressLimiter } from "./adapters/http/addressLimiter.ts";
import { discordJoinRoutes } from "./adapters/http/discordJoin.ts";
import { healthRoutes, type ReadinessCheck } from "./adapters/http/health.ts";
import { checkoutPages } from "./adapters/http/pages.ts";
import { roadmapRoutes } from "./adapters/http/roadmapPage.ts";
import { type HttpServer, startHttpServer } from "./adapters/http/server.ts";
import { stripeWebhookRoute } from "./adapters/http/stripeWebhook.ts";
import { tribePageRoutes } from "./adapters/http/tribePage.ts";
import type { PlatformAdapter, PlatformRuntime } from "./adapters/platform.ts";
import type { Route } from "./adapters/routes.ts";
import {
  createBilling,
  createStripeBudget,
  createStripeClient,
  createWebhookVerifier,
  isLiveKey,
} from "./adapters/stripe/billing.ts";
import { budgetSettings, type StripeBudget } from "./adapters/stripe/budget.ts";
import { createTelegramBot, type TelegramBot } from "./adapters/telegram/bot.ts";
import { createTelegramPlatform } from "./adapters/telegram/index.ts";
import { createAccessWorker } from "./app/access/accessWorker.ts";
import type { Billing } from "./app/billing/billing.ts";
import {
  createStripeEventIntake,
  createStripeEventWorker,
  STRIPE_EVENTS_TASK,
} from "./app/billing/stripeEvents.ts";
import { cycleTaskHandlers } from "./app/cycle.ts";
import { discussionTaskHandlers } from "./app/discussions.ts";
import { feedTaskHandlers, scheduleWeeklySummary } from "./app/feed.ts";
import { createInteractionsInHand } from "./app/interactionsInHand.ts";
import { releaseLeadership, takeLeadership } from "./app/leadership.ts";
import { joinTokenKey } from "./app/members/webJoin.ts";
import { memberTaskHandlers } from "./app/membership/memberTasks.ts";
import { pollTaskHandlers } from "./app/polls.ts";
import { purgeIdleBuckets } from "./app/rateLimits.ts";
import { reconcileAll } from "./app/reconcile.ts";
import { roadmapTaskHandlers } from "./app/roadmapMessage.ts";
import type { AdapterServices, AppServices, CoreServices, PortServices } from "./app/services.ts";
import { getSettings } from "./app/settings.ts";
import { readStripeSetup, webhookSigningSecret } from "./app/stripeSetup.ts";
import { RECONCILE_TASK, scheduleTask } from "./app/tasks.ts";
import { createTaskWorker, type TaskHandler } from "./app/taskWorker.ts";
import { createTelegramInbox } from "./app/telegramInbox.ts";
import type { JoinDoors } from "./app/tribePage.ts";
import { portUseCases, useCases } from "./app/useCases.ts";
import { type Clock, type QueueWorker, systemClock } from "./app/worker.ts";
import type { Config } from "./config.ts";
import { runStartupChecks } from "./doctor/run.ts";
import { StartupError } from "./errors.ts";
import { Prisma } from "./generated/prisma/client.ts";
import { freshFor } from "./lib/fresh.ts";
import { MIGRATIONS_DIR } from "./lib/paths.ts";
import type { Logger } from "./log.ts";

/**
 * The composition root: config → database (+ migrations) → platform ports → services → platform
 * handlers → HTTP → workers.
 * main.ts calls it for the real process; end-to-end tests call it in-process against the stand-ins.
 */
export interface Tribegate {
  readonly db: Database;
  readonly billing: Billing;
  /** The one Stripe budget every Stripe request of this process waits in (figures: `stats()`). */
  readonly stripeBudget: StripeBudget;
  readonly services: AppServices;
  readonly http: HttpServer;
  readonly discord: DiscordGateway | undefined;
  readonly telegram: TelegramBot | undefined;
  readonly accessWorker: QueueWorker;
  readonly taskWorker: QueueWorker;
  /** Applies the Stripe events the webhook acknowledged (one re-read per customer for a burst). */
  readonly stripeEventWorker: QueueWorker;
  /** Wakes the workers after something enqueued jobs or tasks. */
  wake(): void;
  /** Stops taking work, finishes what is in flight, closes everything in order. */
  stop(): Promise<void>;
}

/** Runs reconciliation this often (and once at start-up). */
export const RECONCILE_EVERY_MS = 6 * 60 * 60 * 1000;

export async function startTribegate(opts: {
  config: Config;
  log: Logger;
  migrationsDir?: string;
  clock?: Clock;
  /** Run the periodic reconciliation at start-up (default true; tests turn it off). */
  reconcileOnStart?: boolean;
  /**
   * Not a setting (tests shorten it): how long a claimed access job or task stays this process's
   * without a heartbeat before another process may take it over (default 120 s; renewed every third).
   */
  jobLeaseMs?: number;
  /** Check the set-up (npm run doctor's checks) in the background once up (default true). */
  doctorOnStart?: boolean;
}): Promise<Tribegate> {
  const { config, log } = opts;
  const clock = opts.clock ?? systemClock;
  const startedAt = Date.now();
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Closed in `order`: stop taking work (HTTP, then updates), then workers, the clients, the database last.
  const closers: { name: string; order: number; close: () => Promise<void> }[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.sort((a, b) => a.order - b.order)) {
      try {
        log.debug({ event: "shutdown.closing", component: c.name }, `closing ${c.name}`);
        await c.close();
      } catch (err) {
        log.error({ event: "shutdown.close_failed", component: c.name, err }, `closing ${c.name} failed`);
      }
    }
    closers.length = 0;
  };

  try {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
    closers.push({ name: "database", order: 9, close: () => db.close() });
    await migrate(db, { migrationsDir: opts.migrationsDir ?? MIGRATIONS_DIR, log });
    if (db.kind === "pglite") {
      // The data-directory lock proves no other process runs: whatever a previous process left
      // "running" (it crashed mid-job) can be taken again now, without waiting for its lease.
      const released =
        (await db.prisma
          .$executeRaw`UPDATE access_job SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'running'`) +
        (await db.prisma
          .$executeRaw`UPDATE task SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'running'`);
      if (released > 0)
        log.warn(
          { event: "jobs.released_after_crash", count: released },
          "resuming jobs a previous process left running",
        );
    }

    const webhookSecret = await webhookSigningSecret(db.prisma, config.stripe.webhookSecret);
    if (!webhookSecret) {
      throw new StartupError(
        "config_invalid",
        "tribegate cannot start:\n  - STRIPE_WEBHOOK_SECRET: is missing and no endpoint was made by the bot; run `npm run doctor -- --fix` (creates the Stripe webhook endpoint <PUBLIC_BASE_URL>/stripe/webhook and stores its signing secret), or add that endpoint in Stripe (Dashboard → Developers → Webhooks) and put its signing secret (whsec_…) in STRIPE_WEBHOOK_SECRET",
      );
    }
    log.info(
      { event: "stripe.webhook_secret", source: webhookSecret.source },
      webhookSecret.source === "stored"
        ? "checking Stripe webhooks with the signing secret stored by npm run doctor -- --fix"
        : "checking Stripe webhooks with STRIPE_WEBHOOK_SECRET",
    );
    const budget = budgetSettings(config.stripe.secretKey, config.stripe.requestsPerSecond);
    const stripeBudget = createStripeBudget(config.stripe, log);
    closers.push({ name: "stripe budget", order: 8, close: async () => stripeBudget.close() });
    log.info(
      {
        event: "stripe.budget",
        mode: budget.mode,
        requestsPerSecond: budget.requestsPerSecond,
        endpointRequestsPerSecond: budget.endpointRequestsPerSecond,
        source: budget.source,
      },
      `Stripe budget: ${budget.requestsPerSecond} requests/s (${budget.endpointRequestsPerSecond}/s per endpoint), ${budget.source === "setting" ? "from STRIPE_REQUESTS_PER_SECOND" : `for a ${budget.mode}-mode key`}`,
    );
    // stripe-node's client, behind the same budget (its own requests count as background work):
    // the billing port and the webhook verifier are made of it; only the start-up checks use it raw.
    const stripeClient = createStripeClient(config.stripe, { budget: stripeBudget });
    const billing = createBilling(stripeClient, {
      portalConfiguration: async () => (await readStripeSetup(db.prisma)).portalConfigurationId,
    });
    let accessWorker: QueueWorker | undefined;
    let taskWorker: QueueWorker | undefined;
    let stripeEventWorker: QueueWorker | undefined;
    const core: CoreServices = {
      db: db.prisma,
      billing,
      clock,
      log,
      publicBaseUrl: config.publicBaseUrl,
      onWork: () => {
        accessWorker?.wake();
        taskWorker?.wake();
        stripeEventWorker?.wake();
      },
    };

    const portServices: PortServices = {
      clock,
      log,
      publicBaseUrl: config.publicBaseUrl,
      onWork: core.onWork,
      app: portUseCases(core),
    };

    // Platforms: first their ports, then the services with every platform, then their handlers,
    // all before they connect, so no event is missed.
    const telegramConfig = config.telegram;
    const inbox =
      telegramConfig && telegramConfig.mode !== "webhook"
        ? createTelegramInbox({
            db: db.prisma,
            // The bot's id is the number before the token's colon: the inbox is per bot.
            botId: Number(telegramConfig.token.split(":")[0]),
            owner,
            log,
            clock,
          })
        : undefined;
    const telegram = telegramConfig
      ? createTelegramBot({
          config: telegramConfig,
          publicBaseUrl: config.publicBaseUrl,
          log,
          ...(inbox ? { inbox } : {}),
        })
      : undefined;
    // After the bot (order 2): the handled marks of its last updates are written before the database closes.
    if (inbox) closers.push({ name: "telegram inbox", order: 3, close: () => inbox.stop() });
    const discord = config.discord ? createDiscordGateway({ config: config.discord, log }) : undefined;
    const adapters: PlatformAdapter[] = [];
    if (discord && config.discord) {
      const inHand = createInteractionsInHand({ db: db.prisma, owner, log, clock });
      // After Discord and its late answers (orders 5, 6): those answered while stopping are cleared before the database closes.
      closers.push({ name: "discord interactions in hand", order: 7, close: () => inHand.settle() });
      adapters.push(
        createDiscordPlatform({ gateway: discord, services: portServices, config: config.discord, inHand }),
      );
    }
    if (telegram && config.telegram)
      adapters.push(
        createTelegramPlatform({ bot: telegram, services: portServices, config: config.telegram }),
      );
    const platforms = adapters.map((a) => a.platform);
    const services: AppServices = { ...core, platforms };
    const adapterServices: AdapterServices = { ...portServices, platforms, app: useCases(services) };
    const runtimes: PlatformRuntime[] = [];
    for (const a of adapters) runtimes.push(await a.attach(adapterServices));
    for (const p of runtimes) {
      const stop = p.stop;
      if (stop) closers.push({ name: "platform adapter", order: 3, close: stop });
      const afterClose = p.afterClose;
      if (afterClose) closers.push({ name: "platform adapter (late work)", order: 6, close: afterClose });
    }

    let election: LeaderElection | undefined;
    const checks: ReadinessCheck[] = [
      {
        // "leader" holds the platforms' gateways; "standby" serves HTTP and jobs, ready to take over.
        name: "role",
        check: async () => ({ ready: true, state: election ? election.role() : "leader" }),
      },
      {
        name: "database",
        check: async () => {
          await db.ping();
          return { ready: true, state: `ok (${db.kind})` };
        },
      },
    ];
    for (const [name, platform] of [
      ["discord", discord],
      ["telegram", telegram],
    ] as const) {
      if (!platform) continue;
      checks.push({
        name,
        check: async () => {
          const state = platform.status();
          return { ready: state === "ready" || state === "standby", state };
        },
      });
    }
    const signIn =
      discord && config.discord?.clientSecret
        ? createDiscordSignIn({
            apiUrl: config.discord.apiUrl,
            applicationId: config.discord.applicationId,
            clientSecret: config.discord.clientSecret,
          })
        : undefined;
    const doors: JoinDoors = {
      discord: Boolean(discord),
      discordSignIn: signIn !== undefined,
      telegramLink: (payload) => {
        const name = telegram ? telegramUsername(telegram) : undefined;
        if (!name) return null;
        return `https://t.me/${name}${payload ? `?start=${encodeURIComponent(payload)}` : ""}`;
      },
      discordServerUrl: async () => {
        if (!config.discord) return null;
        const home = config.discord.homeGuildIds[0] ?? (await getSettings(db.prisma)).discordHomeGuildIds[0];
        return home ? `https://discord.com/channels/${home}` : null;
      },
    };
    // The tribe's page is public: a crowd of first visits (a link just shared) reads the ledger
    // once a second, not once each; a creator's change shows within that second.
    const tribePage = freshFor(1_000, () => adapterServices.app.readTribePage(clock.now()));
    const pageApp = { ...adapterServices.app, readTribePage: (_now: Date) => tribePage() };
    const routes: Route[] = [
      ...healthRoutes(checks, startedAt, log),
      stripeWebhookRoute({
        ...services,
        verifier: createWebhookVerifier(stripeClient, webhookSecret.secret),
        livemode: isLiveKey(config.stripe.secretKey),
        intake: createStripeEventIntake(
          {
            ...services,
            livemode: isLiveKey(config.stripe.secretKey),
            onStripeEvent: () => stripeEventWorker?.wake(),
          },
          { db: db.intake },
        ),
        onStripeEvent: () => stripeEventWorker?.wake(),
      }),
      ...checkoutPages({ app: pageApp, clock, doors }),
      ...tribePageRoutes({
        app: pageApp,
        clock,
        log: log.child({ module: "page" }),
        doors,
        // A person reading the page, and following its links, never gets near this; a script does.
        limiter: createAddressLimiter({ capacity: 120, windowMs: 60_000 }),
      }),
      ...roadmapRoutes({
        app: adapterServices.app,
        clock,
        log: log.child({ module: "page" }),
        limiter: createAddressLimiter({ capacity: 120, windowMs: 60_000 }),
      }),
      ...discordJoinRoutes({
        services: { ...services, log: log.child({ module: "page" }) },
        app: pageApp,
        signIn,
        joinTokenKey: config.discord?.clientSecret ? joinTokenKey(config.discord.clientSecret) : undefined,
        doors,
        // Each sign-in costs Discord calls and, once signed in, a Checkout Session.
        limiter: createAddressLimiter({ capacity: 20, windowMs: 10 * 60_000 }),
      }),
      ...(telegram?.webhookRoute ? [telegram.webhookRoute] : []),
      ...runtimes.flatMap((p) => p.routes ?? []),
    ];
    const http = await startHttpServer({ host: config.http.host, port: config.http.port, routes, log });
    closers.push({
      name: "http",
      order: 1,
      close: () => http.close(Math.min(config.shutdownTimeoutMs / 2, 5_000)),
    });

    if (discord) closers.push({ name: "discord", order: 5, close: () => discord.stop() });
    if (telegram) closers.push({ name: "telegram", order: 2, close: () => telegram.stop() });
    if (db.kind === "postgres" && config.databaseUrl && (discord || telegram)) {
      // Several processes may share this database: one of them, the leader, receives the platforms'
      // events (Discord's gateway, Telegram's long poll); the others serve HTTP and run jobs, ready
      // to take over (src/adapters/db/leader.ts).
      discord?.standby();
      await telegram?.standby();
      const elected = electLeader({
        databaseUrl: config.databaseUrl,
        log,
        onAcquired: async () => {
          await telegram?.lead();
          await discord?.start();
          // The ledger remembers the leader: taking over from one that never let go is a failover,
          // which the creator's feed reports (src/app/leadership.ts). The gateways never wait on it.
          try {
            const taken = await takeLeadership(db.prisma, { holder: owner, now: clock.now() });
            if (taken.failover) {
              log.warn(
                { event: "leader.failover", previous: taken.previous },
                "took the gateways over from a leader that stopped without handing them over",
              );
              core.onWork();
            }
          } catch (err) {
            log.warn({ event: "leader.record_failed", err }, "could not record the new leader in the ledger");
          }
        },
        onLost: async () => {
          await Promise.all([discord?.pause(), telegram?.pause()]);
        },
      });
      election = elected;
      closers.push({
        name: "leader election",
        order: 2,
        close: async () => {
          const leading = elected.role() === "leader";
          await elected.stop();
          // A clean stop hands the gateways over: the next leader's takeover is no failover.
          if (leading) await releaseLeadership(db.prisma, { holder: owner, now: clock.now() });
        },
      });
      await elected.start();
    } else {
      // Alone on its database (the embedded one locks its data directory): always the leader.
      await discord?.start();
      await telegram?.start();
    }

    const handlers: Record<string, TaskHandler> = {
      ...memberTaskHandlers({
        ...services,
        notifiers: platforms.map((p) => p.notifier),
      }),
      ...pollTaskHandlers(services),
      ...cycleTaskHandlers(services),
      ...feedTaskHandlers({
        ...services,
        posters: platforms.flatMap((p) => (p.feed ? [p.feed] : [])),
      }),
      ...roadmapTaskHandlers({
        ...services,
        posters: platforms.flatMap((p) => (p.roadmap ? [p.roadmap] : [])),
      }),
      ...discussionTaskHandlers({
        ...services,
        openers: platforms.flatMap((p) => (p.discussions ? [p.discussions] : [])),
      }),
      ...Object.assign({}, ...platforms.map((p) => p.tasks)),
      reconcile: async () => {
        const report = await reconcileAll(services, { dryRun: false });
        await purgeIdleBuckets(services);
        if (db.kind === "pglite") await vacuumPGlite(db.prisma, log);
        await db.prisma.$transaction((tx) =>
          scheduleTask(tx, {
            ...RECONCILE_TASK,
            payload: {},
            runAfter: new Date(clock.now().getTime() + RECONCILE_EVERY_MS),
            now: clock.now(),
          }),
        );
        return { outcome: "done", note: `${report.drift.length} difference(s) repaired` };
      },
    };
    const aw = createAccessWorker({
      db: db.prisma,
      executors: platforms.map((p) => p.executor),
      log,
      clock,
      owner,
      ...(opts.jobLeaseMs ? { leaseMs: opts.jobLeaseMs } : {}),
      onFollowUps: () => taskWorker?.wake(),
    });
    const tw = createTaskWorker({
      db: db.prisma,
      handlers,
      log,
      clock,
      owner,
      ...(opts.jobLeaseMs ? { leaseMs: opts.jobLeaseMs } : {}),
      where: Prisma.sql`kind <> ${STRIPE_EVENTS_TASK}`,
    });
    const sw = createStripeEventWorker({
      deps: { ...services, livemode: isLiveKey(config.stripe.secretKey) },
      owner,
      clock,
      // Enough customers in progress to keep the Stripe budget's reads busy (a read takes ~0.2-0.5 s),
      // no more: each holds a database connection while it applies.
      concurrency: Math.min(48, Math.max(4, Math.ceil(budget.requestsPerSecond / 2))),
      ...(opts.jobLeaseMs ? { leaseMs: opts.jobLeaseMs } : {}),
    });
    accessWorker = aw;
    taskWorker = tw;
    stripeEventWorker = sw;
    closers.push({ name: "access worker", order: 4, close: () => aw.stop() });
    closers.push({ name: "task worker", order: 4, close: () => tw.stop() });
    closers.push({ name: "stripe event worker", order: 4, close: () => sw.stop() });
    if (opts.reconcileOnStart ?? true) {
      await db.prisma.$transaction((tx) =>
        scheduleTask(tx, {
          ...RECONCILE_TASK,
          payload: {},
          runAfter: clock.now(),
          now: clock.now(),
        }),
      );
    }
    await scheduleWeeklySummary(db.prisma, clock.now());
    aw.start();
    tw.start();
    sw.start();

    log.info(
      {
        event: "startup.complete",
        ms: Date.now() - startedAt,
        database: db.kind,
        discord: Boolean(discord),
        telegram: config.telegram?.mode ?? false,
        role: election ? election.role() : "leader",
        port: http.port,
      },
      `tribegate is up on port ${http.port}`,
    );

    // In the background, never awaited: a slow API must not delay or block serving fans.
    if (opts.doctorOnStart ?? true)
      void runStartupChecks({ config, db: db.prisma, log, stripe: stripeClient });

    let stopping: Promise<void> | undefined;
    return {
      db,
      billing,
      stripeBudget,
      services,
      http,
      discord,
      telegram,
      accessWorker: aw,
      taskWorker: tw,
      stripeEventWorker: sw,
      wake: services.onWork,
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

/** The Telegram bot's @username once getMe answered; undefined before. */
function telegramUsername(telegram: TelegramBot): string | undefined {
  try {
    return telegram.bot.botInfo.username;
  } catch {
    return undefined;
  }
}

/**
 * PGlite has no autovacuum: the rows access jobs and timers rewrite on every change would pile up
 * as dead tuples (a bigger data directory, slower scans). Vacuumed with each reconciliation, every
 * 6 hours (about 0.1 s for 100,000 rows); PostgreSQL's autovacuum does this by itself.
 */
async function vacuumPGlite(prisma: Database["prisma"], log: Logger): Promise<void> {
  const started = Date.now();
  try {
    await prisma.$executeRawUnsafe(
      "VACUUM (ANALYZE) access_job, task, subscription, member, telegram_invite",
    );
    log.info({ event: "db.vacuumed", ms: Date.now() - started }, "embedded database vacuumed");
  } catch (err) {
    log.warn({ event: "db.vacuum_failed", err }, "could not vacuum the embedded database");
  }
}
