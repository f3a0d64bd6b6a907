/**
 * `npm run bench -- failover`: three real processes (`node --import tsx src/main.ts`) on one
 * PostgreSQL, against the Discord and Stripe stand-ins. Ten times over:
 * - a fan pays; Discord takes the role PUT in and never answers it (the grant is in flight);
 * - the leader is SIGKILLed, and so is the process holding that grant when it is another one;
 * - measured: leader killed → another process's gateway session ready (failover), and killed →
 *   the in-flight grant answered by Discord from another process (the dead one's lease runs out);
 * - the killed processes are started again before the next round.
 * Targets (issue #18): both ≤ 10 s, worst case included.
 */
import { mkdtempSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type Stripe from "stripe";
import { openDatabase } from "../src/adapters/db/database.ts";
import { migrate } from "../src/adapters/db/migrator.ts";
import { startCheckout } from "../src/app/members/checkout.ts";
import { MIGRATIONS_DIR } from "../src/lib/paths.ts";
import { createLogger } from "../src/log.ts";
import {
  type BotProcess,
  botEnv,
  deliverUntil2xx,
  freePort,
  newStats,
  seedGoldTier,
  spawnBot,
  waitForBotEvent,
} from "../test/e2e/faults/support.ts";
import { startDiscordStandin } from "../test/standins/discord.ts";
import { botRole, guild, member, role, user } from "../test/standins/discord-payloads.ts";
import { startStripeStandin } from "../test/standins/stripe.ts";
import { sleep } from "../test/support/helpers.ts";
import { benchDatabase, record, round, summarize } from "./lib.ts";

const STRIPE_KEY = "sk_test_benchfailover0123456789";
const WEBHOOK_SECRET = "whsec_benchfailover0123456789abcdef";
const DISCORD_TOKEN = "bench-failover-token.abcdef.0123456789";

export async function benchFailover(opts: { kills: number }): Promise<void> {
  const silent = createLogger({ level: "silent", pretty: false });
  const [stripe, discord, database] = await Promise.all([
    startStripeStandin({ secretKey: STRIPE_KEY }),
    startDiscordStandin({ token: DISCORD_TOKEN }),
    benchDatabase(),
  ]);
  const bots: BotProcess[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const setup = await openDatabase({ databaseUrl: database.url, dataDir: "/nonexistent", log: silent });
  try {
    await migrate(setup, { migrationsDir: MIGRATIONS_DIR, log: silent });
    const owner = user({ username: "creator" });
    const gold = role({ name: "Gold", position: 1 });
    const g = guild({ ownerId: owner.id, members: [member({ user: owner })], roles: [gold] });
    discord.addGuild(g, { botRole: botRole({ position: 5 }) });
    const deps = await seedGoldTier(setup.prisma, {
      stripeOrigin: stripe.origin,
      secretKey: STRIPE_KEY,
      webhookSecret: WEBHOOK_SECRET,
      guildId: g.id,
      roleId: gold.id,
    });

    const ports = await Promise.all([0, 1, 2].map(() => freePort()));
    const start = async (i: number): Promise<void> => {
      bots[i] = spawnBot(
        botEnv({
          secrets: { stripeKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET, discordToken: DISCORD_TOKEN },
          stripe,
          discord,
          guildId: g.id,
          port: ports[i]!,
          dataDir: mkdtempSync(path.join(tmpdir(), "tribegate-failover-")),
          databaseUrl: database.url,
        }),
      );
      await waitForBotEvent(bots[i]!, "startup.complete", 90_000);
    };
    await Promise.all([0, 1, 2].map(start));
    const alive = (b: BotProcess) => b.child.exitCode === null && b.child.signalCode === null;
    const leading = (b: BotProcess) =>
      alive(b) &&
      b
        .events()
        .filter((e) => e.event === "leader.acquired" || e.event === "leader.lost")
        .at(-1)?.event === "leader.acquired";
    const liveSessions = () =>
      [...discord.gateway.sessions.values()].filter((s) => s.ready && s.socket?.readyState === 1).length;
    const leader = async (ms = 30_000): Promise<BotProcess> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const l = bots.filter(leading);
        if (l.length === 1 && liveSessions() === 1) return l[0]!;
        if (Date.now() > deadline) throw new Error("no single leader with a gateway session");
        await sleep(10);
      }
    };

    const failover: number[] = [];
    const grant: number[] = [];
    const stats = newStats();
    for (let k = 0; k < opts.kills; k++) {
      const current = await leader();
      // -- a fan pays; Discord swallows the role PUT (the grant stays in flight in its process)
      const fan = user({ username: `fan${k}` });
      discord.addMember(g.id, member({ user: fan }));
      const rolePath = `/guilds/${g.id}/members/${fan.id}/roles/${gold.id}`;
      discord.failNext({ method: "PUT", path: rolePath }, { kind: "hang" });
      const out = await startCheckout(deps, {
        who: { platform: "discord", userId: fan.id, username: fan.username, locale: "en-US" },
        tier: "gold",
      });
      if (out.kind !== "checkout") throw new Error(`expected a checkout, got ${out.kind}`);
      const from = stripe.events.length;
      stripe.completeCheckout(out.sessionId);
      const standby = bots.find((b) => alive(b) && b !== current)!;
      const url = () => `http://127.0.0.1:${ports[bots.indexOf(standby)]}/stripe/webhook`;
      await Promise.all(
        stripe.events.slice(from).map((e: Stripe.Event) => deliverUntil2xx(url, e, WEBHOOK_SECRET, stats)),
      );
      await discord.waitForCall((c) => c.method === "PUT" && c.path === rolePath, 30_000);
      const holder = (
        await pool.query<{ lease_owner: string }>(
          "SELECT lease_owner FROM access_job WHERE platform_user_id = $1 AND state = 'running'",
          [fan.id],
        )
      ).rows[0]?.lease_owner;
      const holderBot = bots.find((b) => holder?.startsWith(`${hostname()}:${b.pid}:`));
      const granted = discord.waitForCall(
        (c) => c.method === "PUT" && c.path === rolePath && c.status === 204,
        60_000,
      );

      // -- the kill
      const t0 = performance.now();
      const victims = [current, ...(holderBot && holderBot !== current ? [holderBot] : [])];
      for (const v of victims) v.child.kill("SIGKILL");
      await Promise.all(victims.map((v) => v.exit));
      const next = await leader();
      failover.push(performance.now() - t0);
      await granted;
      grant.push(performance.now() - t0);
      if (next === current) throw new Error("the killed process still leads");
      console.log(
        `  kill ${k + 1}/${opts.kills}: failover ${Math.round(failover.at(-1)!)} ms, in-flight grant ${Math.round(grant.at(-1)!)} ms` +
          `${holderBot === current ? " (held by the leader)" : holderBot ? " (held by another process, killed too)" : ""}`,
      );
      await Promise.all(victims.map((v) => start(bots.indexOf(v))));
    }
    const f = summarize(failover);
    const gr = summarize(grant);
    const put = (metric: string, value: number) =>
      record({ bench: "failover", backend: "postgres", metric, value: round(value / 1000, 2), unit: "s" });
    put("leader killed → gateway ready, median", f.median);
    put("leader killed → gateway ready, worst", Math.max(...failover));
    put("in-flight grant → role PUT answered, median", gr.median);
    put("in-flight grant → role PUT answered, worst", Math.max(...grant));
    record({ bench: "failover", backend: "postgres", metric: "kills", value: opts.kills, unit: "" });
  } finally {
    for (const b of bots)
      if (b && b.child.exitCode === null && b.child.signalCode === null) b.child.kill("SIGKILL");
    await Promise.allSettled(bots.map((b) => b?.exit));
    await setup.close();
    await pool.end();
    await Promise.allSettled([stripe.close(), discord.close()]);
    await database.drop();
  }
}
