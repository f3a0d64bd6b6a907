import { hostname } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/adapters/db/database.ts";
import { migrate } from "../../../src/adapters/db/migrator.ts";
import { createBilling, createStripeClient } from "../../../src/adapters/stripe/billing.ts";
import { HANDLED_EVENT_TYPES } from "../../../src/app/billing/eventTypes.ts";
import type { Db } from "../../../src/app/db.ts";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import { systemClock } from "../../../src/app/worker.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";
import { createLogger } from "../../../src/log.ts";
import { type DiscordStandin, startDiscordStandin } from "../../standins/discord.ts";
import { botRole, guild, member, role, user } from "../../standins/discord-payloads.ts";
import { type StripeStandin, startStripeStandin } from "../../standins/stripe.ts";
import { prng, sleep } from "../../support/helpers.ts";
import {
  createTestDatabase,
  createTestDataDir,
  type TestDatabase,
  type TestDataDir,
} from "../../support/postgres.ts";
import { type Backend, DISCORD_TOKEN, STRIPE_KEY, WEBHOOK_SECRET } from "../harness.ts";
import {
  type BotProcess,
  botEnv,
  deliverAllUntil2xx,
  eventsAppliedTwice,
  freePort,
  newStats,
  notGrantedOnce,
  spawnBot,
  stripeOrder,
  waitForBotEvent,
} from "./support.ts";

/**
 * FAULT: the real process (`node --import tsx src/main.ts`) is killed with SIGKILL at seeded random
 * moments while Stripe's webhooks and the access jobs they cause are flowing, and started again.
 * Stripe's rule is played for real: every event is retried until it is answered 2xx, in a shuffled
 * order, some twice. At the end every fan who pays holds the tier role on Discord, every fan who
 * lapsed does not, every event was applied exactly once, and no job was dead-lettered.
 * On PGlite each restart also has to take over the lock file the killed process left behind.
 *
 * Used by sigkill.test.ts (PostgreSQL) and sigkill-pglite.test.ts (PGlite): two files, so that the
 * two runs go to two vitest workers. FAULT_SEED=<n> replays another schedule (the seed is printed).
 */
const SEED = Number(process.env.FAULT_SEED ?? 20_240_611);
const silent = createLogger({ level: "silent", pretty: false });

type Fate = "paid" | "recovered" | "late" | "lapsed" | "failed_then_lapsed";
const KEEPS_ACCESS: Record<Fate, boolean> = {
  paid: true,
  recovered: true,
  late: true,
  lapsed: false,
  failed_then_lapsed: false,
};

interface Fan {
  userId: string;
  fate: Fate;
  sessionId: string;
  subscriptionId?: string;
}

/**
 * The test's own way into the bot's database. PostgreSQL: one connection pool, used at any time.
 * PGlite: one process per directory, so only while no bot process runs (opened and closed each time).
 */
export interface Store {
  use<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * A job the dead process had leased is claimed again once its lease (2 min) runs out. Rather than
   * wait, the test moves the dead process's leases (and only its: its owner string holds its pid) into
   * the past; the next claim then takes the expired-lease path, as it would 2 min later. Returns how
   * many rows it moved. On PGlite it opens the directory without the lock file, so the restarted bot
   * still finds the dead process's stale lock.
   */
  expireLeasesOf(pid: number): Promise<number>;
  close(): Promise<void>;
}

const EXPIRE_SQL = (table: string) =>
  `UPDATE ${table} SET lease_until = $1 WHERE state = 'running' AND lease_owner LIKE $2`;

export async function openStore(
  backend: Backend,
  dataDir: string,
  pg: TestDatabase | undefined,
): Promise<Store> {
  if (backend === "postgres") {
    const db = await openDatabase({ databaseUrl: pg!.url, dataDir, log: silent });
    await migrate(db, { migrationsDir: MIGRATIONS_DIR, log: silent });
    return {
      use: (fn) => fn(db.prisma),
      async expireLeasesOf(pid) {
        let n = 0;
        for (const table of ["access_job", "task"])
          n += await db.prisma.$executeRawUnsafe(
            EXPIRE_SQL(table),
            new Date(Date.now() - 1_000),
            `${hostname()}:${pid}:%`,
          );
        return n;
      },
      close: () => db.close(),
    };
  }
  const use = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ dataDir, log: silent });
    try {
      await migrate(db, { migrationsDir: MIGRATIONS_DIR, log: silent });
      return await fn(db.prisma);
    } finally {
      await db.close();
    }
  };
  return {
    use,
    async expireLeasesOf(pid) {
      const pglite = await PGlite.create(path.join(dataDir, "pglite"));
      try {
        let n = 0;
        for (const table of ["access_job", "task"]) {
          const r = await pglite.query(EXPIRE_SQL(table), [
            new Date(Date.now() - 1_000),
            `${hostname()}:${pid}:%`,
          ]);
          n += r.affectedRows ?? 0;
        }
        return n;
      } finally {
        await pglite.close();
      }
    },
    close: async () => {},
  };
}

export function sigkillSuite(backend: Backend, fanCount: number): void {
  describe(`FAULT: SIGKILL at random points while webhooks and access jobs flow, on ${backend}`, () => {
    let stripe: StripeStandin;
    let discord: DiscordStandin;
    let pg: TestDatabase | undefined;
    let dataDir: TestDataDir;
    let store: Store;
    let bot: BotProcess | undefined;

    beforeAll(async () => {
      [stripe, discord, pg, dataDir] = await Promise.all([
        startStripeStandin({ secretKey: STRIPE_KEY }),
        startDiscordStandin({ token: DISCORD_TOKEN }),
        backend === "postgres" ? createTestDatabase() : undefined,
        createTestDataDir(),
      ]);
      store = await openStore(backend, dataDir.dir, pg);
    });
    afterAll(async () => {
      if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill("SIGKILL");
      await store?.close();
      await Promise.allSettled([stripe?.close(), discord?.close()]);
      await pg?.drop();
      await dataDir?.remove();
    });

    it("every paid fan ends with the role, every lapsed fan without; each event applied once; no dead job", async () => {
      const t0 = Date.now();
      const rng = prng(SEED);

      // -- the server: a tier role below the bot's role, which has Manage Roles; the fans are members
      const owner = user({ username: "creator" });
      const goldRole = role({ name: "Gold", position: 1 });
      const fanUsers = Array.from({ length: fanCount }, (_, i) => user({ username: `fan${i}` }));
      const g = guild({
        ownerId: owner.id,
        members: [member({ user: owner }), ...fanUsers.map((u) => member({ user: u }))],
        roles: [goldRole],
      });
      discord.addGuild(g, { botRole: botRole({ position: 5 }) });

      // -- the creator's tier and the fans' checkouts, through the use cases on the same database
      const setupDeps = (db: Db) => ({
        db,
        billing: createBilling(
          createStripeClient({ secretKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET, apiUrl: stripe.origin }),
        ),
        clock: systemClock,
        log: silent,
        publicBaseUrl: "https://tribe.example.test",
      });
      const fans: Fan[] = [];
      await store.use(async (db) => {
        const deps = setupDeps(db);
        await createTier(deps, {
          name: "Gold",
          slug: "gold",
          amount: 500,
          currency: "eur",
          interval: "month",
        });
        await addTierAccess(
          deps,
          "gold",
          { platform: "discord", guildId: g.id, roleId: goldRole.id },
          "Gold",
        );
        const fates: Fate[] = ["paid", "recovered", "late", "lapsed", "failed_then_lapsed"];
        for (const [i, u] of fanUsers.entries()) {
          const out = await startCheckout(deps, {
            who: { platform: "discord", userId: u.id, username: u.username, locale: "en-US" },
            tier: "gold",
          });
          if (out.kind !== "checkout") throw new Error(`expected a checkout, got ${out.kind}`);
          // Every fate at least once, the rest drawn.
          fans.push({
            userId: u.id,
            fate: fates[i] ?? fates[rng.int(0, fates.length - 1)]!,
            sessionId: out.sessionId,
          });
        }
      });

      // -- the schedule: 3 to 5 kills, each after a seeded number of 2xx deliveries since the last start
      const kills = rng.int(3, 5);
      const wave1Kills = Math.ceil(kills / 2);
      const killAfter = Array.from({ length: kills }, (_, i) =>
        i < wave1Kills ? rng.int(8, 30) : rng.int(3, 12),
      );
      const killDelayMs = Array.from({ length: kills }, () => rng.int(0, 120));

      const port = await freePort();
      const env = botEnv({
        secrets: { stripeKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET, discordToken: DISCORD_TOKEN },
        stripe,
        discord,
        guildId: g.id,
        port,
        dataDir: dataDir.dir,
        databaseUrl: pg?.url,
      });
      const runs: BotProcess[] = [];
      const start = async (): Promise<void> => {
        bot = spawnBot(env);
        runs.push(bot);
        await waitForBotEvent(bot, "startup.complete", 60_000);
      };
      let killed = 0;
      let leasesExpired = 0;
      let killsMidDelivery = 0;
      const killAndRestart = async (): Promise<void> => {
        const victim = bot!;
        victim.child.kill("SIGKILL");
        const { signal } = await victim.exit;
        expect(signal).toBe("SIGKILL");
        killed++;
        leasesExpired += await store.expireLeasesOf(victim.pid);
        await start();
      };

      const url = () => `http://127.0.0.1:${port}/stripe/webhook`;
      const stats = newStats();
      const delivered: Stripe.Event[] = [];
      let nextKill = 0;
      /** Delivers `events` (Stripe's order) while the kills planned for this wave happen. */
      const wave = async (events: Stripe.Event[], killsInWave: number): Promise<void> => {
        const order = stripeOrder(rng, events, 0.15);
        delivered.push(...order);
        const pauses = order.map(() => rng.int(0, 15));
        let p = 0;
        let done = false;
        const deliveries = deliverAllUntil2xx(url, order, WEBHOOK_SECRET, stats, {
          concurrency: 3,
          pauseMs: () => pauses[p++ % pauses.length]!,
        }).finally(() => {
          done = true;
        });
        const killer = (async () => {
          for (let k = 0; k < killsInWave; k++, nextKill++) {
            const base = stats.delivered;
            while (!done && stats.delivered < base + killAfter[nextKill]!) await sleep(5);
            await sleep(killDelayMs[nextKill]!);
            if (!done) killsMidDelivery++;
            await killAndRestart();
          }
        })();
        await Promise.all([deliveries, killer]);
      };
      const holdsGold = (userId: string) =>
        discord.member(g.id, userId)?.roles.includes(goldRole.id) ?? false;

      await start();

      // Wave 1: all but the late fans pay.
      for (const fan of fans.filter((f) => f.fate !== "late")) {
        const done = stripe.completeCheckout(fan.sessionId);
        fan.subscriptionId = done.subscription!.id;
      }
      await wave(stripe.events.slice(0), wave1Kills);
      const afterWave1 = stripe.events.length;
      // Each of them got the role (so a lapse below has something to take away).
      await expect
        .poll(() => fans.filter((f) => f.fate !== "late" && !holdsGold(f.userId)).map((f) => f.userId), {
          timeout: 30_000,
          interval: 100,
        })
        .toEqual([]);

      // Wave 2: the late fans pay, some fail a payment and recover, some lapse.
      const now = () => Math.floor(Date.now() / 1000);
      for (const fan of fans) {
        const sub = fan.subscriptionId;
        switch (fan.fate) {
          case "late":
            fan.subscriptionId = stripe.completeCheckout(fan.sessionId).subscription!.id;
            break;
          case "recovered":
            stripe.updateSubscription(sub!, { status: "past_due" });
            stripe.updateSubscription(sub!, { status: "active" });
            break;
          case "lapsed":
            if (rng.chance(0.5)) stripe.updateSubscription(sub!, { cancel_at_period_end: true });
            stripe.updateSubscription(sub!, { status: "canceled", ended_at: now() });
            break;
          case "failed_then_lapsed":
            stripe.updateSubscription(sub!, { status: "past_due" });
            stripe.updateSubscription(sub!, { status: "canceled", ended_at: now() });
            break;
          case "paid":
            break;
        }
      }
      await wave(stripe.events.slice(afterWave1), kills - wave1Kills);

      // -- the bot runs on; the workers drain. Discord first: exactly the paying fans hold the role.
      expect(stats.unexpected).toEqual([]); // nothing but 2xx and 5xx/refused came back
      const wrong = () =>
        fans
          .filter((f) => holdsGold(f.userId) !== KEEPS_ACCESS[f.fate])
          .map((f) => `${f.userId} (${f.fate}) holds=${holdsGold(f.userId)}`);
      await expect.poll(wrong, { timeout: 45_000, interval: 200 }).toEqual([]);
      // Access jobs to run, and acknowledged Stripe events not applied yet.
      const unfinished = async (db: Db) =>
        (await db.accessJob.count({ where: { state: { in: ["pending", "running"] } } })) +
        (await db.stripeEvent.count({ where: { status: "queued" } }));
      if (backend === "postgres") {
        await expect.poll(() => store.use(unfinished), { timeout: 45_000, interval: 200 }).toBe(0);
      }
      // The last run stops cleanly (SIGTERM: exit 0). PGlite is only readable once it stopped: if a
      // job is still unfinished then, the bot runs again for a while.
      let drainRounds = 0;
      for (let round = 0; ; round++) {
        bot!.child.kill("SIGTERM");
        expect((await bot!.exit).code).toBe(0);
        if ((await store.use(unfinished)) === 0) break;
        drainRounds++;
        if (round >= 10) throw new Error("access jobs or Stripe events still unfinished");
        await start();
        await sleep(2_000);
      }
      if (backend === "pglite") {
        // Every run started after a SIGKILL took the dead process's lock file over.
        const afterKill = runs.slice(1, killed + 1);
        expect(afterKill.map((r) => r.events().some((e) => e.event === "db.lock.stale"))).toEqual(
          afterKill.map(() => true),
        );
      }

      const handled = new Set(delivered.filter((e) => HANDLED_EVENT_TYPES.has(e.type)).map((e) => e.id));
      await store.use(async (db) => {
        // The ledger agrees with Stripe, and its last wish per fan is what Discord shows.
        for (const fan of fans) {
          const sub = await db.subscription.findUniqueOrThrow({ where: { id: fan.subscriptionId! } });
          expect(sub.status, fan.fate).toBe(stripe.get<Stripe.Subscription>(fan.subscriptionId!)!.status);
        }
        const jobs = await db.accessJob.findMany();
        expect(jobs.filter((j) => j.state !== "done")).toEqual([]);
        expect(Object.fromEntries(jobs.map((j) => [j.platformUserId, j.action]))).toEqual(
          Object.fromEntries(fans.map((f) => [f.userId, KEEPS_ACCESS[f.fate] ? "grant" : "revoke"])),
        );

        // Every handled event delivered is recorded exactly once, and applied (none left queued:
        // acknowledged means applied soon, even by the run after a kill); the ignored ones are not.
        const recorded = await db.stripeEvent.findMany({ select: { id: true, status: true } });
        expect(recorded.filter((r) => r.status !== "applied")).toEqual([]);
        expect(recorded.length).toBe(handled.size);
        expect(new Set(recorded.map((r) => r.id))).toEqual(handled);
        // ...and applied at most once across all the runs (a run killed before it logged may have applied
        // one: its redelivery then answered "duplicate").
        expect(eventsAppliedTwice(runs)).toEqual([]);

        // No grant or revoke was written to a fan's history twice for one event.
        const history = await db.memberHistory.findMany({
          where: { action: { in: ["access.granted", "access.revoked"] }, stripeEventId: { not: null } },
        });
        const seen = new Map<string, number>();
        for (const row of history) {
          const key = `${row.memberId} ${row.action} ${row.toState} ${row.stripeEventId}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
        expect([...seen].filter(([, n]) => n > 1)).toEqual([]);
        // Every fan was given access once (each paid once; the lapsed ones lost it later), however
        // many runs the burst took: at least one grant, and at most one that changed the platform (a
        // reconciliation at a restart may wish a grant again while the first is in flight, or a run
        // may redo one a killed run did; the platform then answers that it is already done, recorded
        // "(already in that state)").
        expect(
          await notGrantedOnce(
            db,
            fans.map((f) => f.userId),
          ),
        ).toEqual([]);
        expect(
          await db.memberHistory.count({
            where: { action: { startsWith: "access.", endsWith: ".failed" } },
          }),
        ).toBe(0);
      });

      process.stdout.write(
        `[fault sigkill ${backend}] seed ${SEED}: ${fanCount} fans, ${delivered.length} deliveries ` +
          `(${handled.size} distinct handled events), ${killed} SIGKILLs, ${runs.length} process runs, ` +
          `${killsMidDelivery} of them mid-delivery, ${leasesExpired} leases of killed runs taken over, ` +
          `${stats.retries} delivery retries, ${drainRounds} extra run(s) to drain, ${Date.now() - t0} ms\n`,
      );
    }, 240_000);
  });
}
