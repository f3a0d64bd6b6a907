import { writeFileSync } from "node:fs";
import path from "node:path";
import type { APIInteraction, APIMessage, APIUser } from "discord-api-types/v10";
import { MessageFlags } from "discord-api-types/v10";
import pg from "pg";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/adapters/db/database.ts";
import { migrate } from "../../../src/adapters/db/migrator.ts";
import { HANDLED_EVENT_TYPES } from "../../../src/app/billing/eventTypes.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";
import { createLogger } from "../../../src/log.ts";
import { type DiscordStandin, startDiscordStandin } from "../../standins/discord.ts";
import { botRole, buttonClick, guild, member, role, user } from "../../standins/discord-payloads.ts";
import { type StripeStandin, startStripeStandin } from "../../standins/stripe.ts";
import { startTelegramStandin, type TelegramStandin } from "../../standins/telegram.ts";
import { user as tgUser } from "../../standins/telegram-payloads.ts";
import { sleep } from "../../support/helpers.ts";
import {
  createTestDatabase,
  createTestDataDir,
  type TestDatabase,
  type TestDataDir,
} from "../../support/postgres.ts";
import { CREATOR_PERMISSIONS, command, opt, sub } from "../discord/helpers.ts";
import { DISCORD_TOKEN, STRIPE_KEY, TELEGRAM_TOKEN, WEBHOOK_SECRET } from "../harness.ts";
import {
  type BotProcess,
  botEnv,
  deliverUntil2xx,
  freePort,
  newStats,
  seedGoldTier,
  spawnBot,
  waitForBotEvent,
} from "./support.ts";

/**
 * FAULT: three real processes (`node --import tsx src/main.ts`) on one PostgreSQL, against the
 * Discord stand-in (which sends every event to every gateway session, as Discord does) and the
 * Telegram stand-in (a second concurrent getUpdates ends the first with 409, as Telegram does).
 * Fans pay (Stripe's webhooks spread over all three), run slash commands and /start, and vote; the
 * leader is SIGKILLed mid-traffic, then the new leader's database connection is cut. Throughout:
 * at most one gateway session acts, every command is acted on once, every paying fan is given the
 * role once and welcomed once, no vote is lost or counted twice.
 */
const silent = createLogger({ level: "silent", pretty: false });

interface Sent {
  payload: APIInteraction;
  /** Answered by a process (its final message, not the "thinking" placeholder). */
  answer?: APIMessage;
}

describe("FAULT: three processes on one PostgreSQL, the leader killed, then the next one cut off", () => {
  let stripe: StripeStandin;
  let discord: DiscordStandin;
  let telegram: TelegramStandin;
  let db: TestDatabase;
  const dirs: TestDataDir[] = [];
  const bots: BotProcess[] = [];
  let pool: pg.Pool;

  beforeAll(async () => {
    [stripe, discord, telegram, db] = await Promise.all([
      startStripeStandin({ secretKey: STRIPE_KEY }),
      startDiscordStandin({ token: DISCORD_TOKEN }),
      startTelegramStandin({ token: TELEGRAM_TOKEN }),
      createTestDatabase(),
    ]);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    for (const b of bots)
      if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill("SIGKILL");
    await Promise.allSettled(bots.map((b) => b.exit));
    if (process.env.FAULT_LOGS_DIR)
      for (const [i, b] of bots.entries())
        writeFileSync(
          path.join(process.env.FAULT_LOGS_DIR, `three-processes-${i}.jsonl`),
          b
            .events()
            .map((e) => JSON.stringify(e))
            .join("\n"),
        );
    await pool?.end();
    await Promise.allSettled([stripe?.close(), discord?.close(), telegram?.close()]);
    await db?.drop();
    await Promise.allSettled(dirs.map((d) => d.remove()));
  });

  it("one gateway session at a time, every command once, every payer granted and welcomed once, no vote lost", async () => {
    const t0 = Date.now();
    // -- the server: the creator owns it; the Gold role sits below the bot's
    const owner = user({ username: "creator" });
    const goldRole = role({ name: "Gold", position: 1 });
    const fans = Array.from({ length: 16 }, (_, i) => user({ username: `fan${i}` }));
    const g = guild({
      ownerId: owner.id,
      members: [member({ user: owner }), ...fans.map((u) => member({ user: u }))],
      roles: [goldRole],
    });
    discord.addGuild(g, { botRole: botRole({ position: 5 }) });
    const channelId = discord.guild(g.id)!.channels[0]!.id;
    const tgFans = Array.from({ length: 30 }, () => tgUser());
    for (const u of tgFans) telegram.addUser(u);

    // The schema exists before three processes race to migrate it.
    const setup = await openDatabase({ databaseUrl: db.url, dataDir: "/nonexistent", log: silent });
    await migrate(setup, { migrationsDir: MIGRATIONS_DIR, log: silent });
    await seedGoldTier(setup.prisma, {
      stripeOrigin: stripe.origin,
      secretKey: STRIPE_KEY,
      webhookSecret: WEBHOOK_SECRET,
      guildId: g.id,
      roleId: goldRole.id,
    });
    await setup.close();

    const ports: number[] = [];
    const start = async (i: number): Promise<BotProcess> => {
      ports[i] ??= await freePort();
      const dir = await createTestDataDir();
      dirs.push(dir);
      const bot = spawnBot({
        ...botEnv({
          secrets: { stripeKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET, discordToken: DISCORD_TOKEN },
          stripe,
          discord,
          guildId: g.id,
          port: ports[i]!,
          dataDir: dir.dir,
          databaseUrl: db.url,
        }),
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_API_URL: telegram.apiRoot,
      });
      bots[i] = bot;
      await waitForBotEvent(bot, "startup.complete", 90_000);
      return bot;
    };
    await Promise.all([0, 1, 2].map(start));
    const alive = () => bots.filter((b) => b.child.exitCode === null && b.child.signalCode === null);
    const leaders = () =>
      alive().filter((b) => {
        const roles = b.events().filter((e) => e.event === "leader.acquired" || e.event === "leader.lost");
        return roles.at(-1)?.event === "leader.acquired";
      });

    // -- watching: gateway sessions with a live socket that completed IDENTIFY, sampled every 10 ms
    const liveSessions = () =>
      [...discord.gateway.sessions.values()].filter((s) => s.ready && s.socket?.readyState === 1).length;
    let maxSessions = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        maxSessions = Math.max(maxSessions, liveSessions());
        await sleep(10);
      }
    })();
    const waitForLeader = async (except?: BotProcess, ms = 20_000): Promise<BotProcess> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const l = leaders().filter((b) => b !== except);
        if (l.length === 1 && liveSessions() === 1 && l[0]!.events().some((e) => e.event === "discord.ready"))
          return l[0]!;
        if (Date.now() > deadline)
          throw new Error(
            `no single leader after ${ms} ms: ${leaders().length} leading, ${liveSessions()} sessions`,
          );
        await sleep(20);
      }
    };
    const first = await waitForLeader();

    // -- Stripe's deliveries, spread over the live processes; a refused or failed one goes to the next
    const stats = newStats();
    let turn = 0;
    const url = () => {
      const live = alive();
      const b = live[turn++ % live.length]!;
      return `http://127.0.0.1:${ports[bots.indexOf(b)]}/stripe/webhook`;
    };
    let delivered = 0;
    const deliverNew = async () => {
      const events = stripe.events.slice(delivered);
      delivered += events.length;
      await Promise.all(
        events.map((e) => deliverUntil2xx(url, e, WEBHOOK_SECRET, stats, { deadlineMs: 90_000 })),
      );
    };

    // -- Discord interactions: sent only while a session can receive them (as Discord does, an
    // interaction with nobody connected is lost to the user, who clicks again)
    const sent: Sent[] = [];
    const interact = async (payload: APIInteraction, ms = 15_000): Promise<Sent> => {
      for (const deadline = Date.now() + 30_000; liveSessions() !== 1; await sleep(20))
        if (Date.now() > deadline) throw new Error("no gateway session to send an interaction to");
      const record = discord.interaction(payload);
      const s: Sent = { payload };
      sent.push(s);
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const o = record.original;
        if (o && ((o.flags ?? 0) & MessageFlags.Loading) === 0) {
          s.answer = o;
          break;
        }
        await sleep(25);
      }
      return s;
    };
    /** A fan retries until answered (their process died with the interaction in hand). */
    const until = async (make: () => APIInteraction): Promise<Sent> => {
      for (let i = 0; i < 8; i++) {
        const s = await interact(make(), 8_000);
        if (s.answer) return s;
      }
      throw new Error("an interaction was never answered");
    };

    // -- Telegram: /start from fans; each must be answered once
    const tgSent: number[] = [];
    const tgStart = (u: (typeof tgFans)[number]) => {
      telegram.pushCommand({ command: "start", from: u });
      tgSent.push(u.id);
    };
    const repliesTo = (id: number) =>
      telegram.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(id)).length;
    const replyTimes = (id: number) =>
      telegram
        .callsOf("sendMessage")
        .filter((c) => String(c.params.chat_id) === String(id))
        .map((c) => c.time - t0);

    // -- the creator opens a poll in the channel
    const openPoll = await until(() =>
      command(
        { user: owner, guildId: g.id, permissions: CREATOR_PERMISSIONS, channelId },
        "tribe",
        sub(
          ["poll", "open"],
          [
            opt.str("question", "Next?"),
            opt.str("options", "Tutorial | Vlog"),
            opt.str("duration", "2h"),
            opt.bool("late-joiners", true),
          ],
        ),
      ),
    );
    expect(openPoll.answer?.content, openPoll.answer?.content).toContain("is open");
    const pollId = (await pool.query<{ id: string }>("SELECT id FROM poll WHERE question = 'Next?'")).rows[0]!
      .id;
    const pollMessage = () =>
      discord.messages(channelId).find((m) => JSON.stringify(m.components ?? []).includes(pollId))!;

    // -- the traffic: each fan runs /join, pays, then votes; Telegram fans send /start
    const joinAndPay = async (fan: APIUser) => {
      const s = await until(() => command({ user: fan, guildId: g.id }, "join", [opt.str("tier", "gold")]));
      const call = [...stripe.calls]
        .reverse()
        .find(
          (c) => c.path === "/v1/checkout/sessions" && c.body.client_reference_id === `discord:${fan.id}`,
        );
      const sessionId = (call?.response as { id?: string } | undefined)?.id;
      if (!sessionId) throw new Error(`no checkout for ${fan.username}: ${s.answer?.content}`);
      stripe.completeCheckout(sessionId);
      await deliverNew();
    };
    const holdsGold = (u: APIUser) => discord.member(g.id, u.id)?.roles.includes(goldRole.id) ?? false;
    const vote = async (fan: APIUser, option: number) => {
      for (const deadline = Date.now() + 60_000; !holdsGold(fan); await sleep(50))
        if (Date.now() > deadline) throw new Error(`${fan.username} never got the role to vote with`);
      await until(() =>
        buttonClick({
          customId: `pv:${pollId}:${option}`,
          user: fan,
          guildId: g.id,
          channelId,
          message: pollMessage(),
        }),
      );
    };
    const fanTraffic = async (fan: APIUser, i: number) => {
      await sleep(i * 250);
      await joinAndPay(fan);
      await vote(fan, i % 2);
    };

    const traffic = Promise.all(fans.map(fanTraffic));
    traffic.catch(() => undefined); // awaited below; a failure there fails the test
    const tgTraffic = (async () => {
      for (const [i, u] of tgFans.entries()) {
        tgStart(u);
        await sleep(i < 10 ? 150 : 250);
      }
    })();

    // -- mid-traffic: the leader is killed
    await sleep(2_000);
    const killedAt = Date.now();
    first.child.kill("SIGKILL");
    expect((await first.exit).signal).toBe("SIGKILL");
    const second = await waitForLeader(first, 30_000);
    const failoverMs = Date.now() - killedAt;

    // -- then the new leader's connection to the database is cut (its advisory lock's backend)
    await sleep(1_500);
    const cutAt = Date.now();
    const cut = await pool.query(
      // The leader's lock: key 0x74726962_65676174 ("tribegate"), shown as its two 32-bit halves.
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND classid = ${0x74726962} AND objid = ${0x65676174} AND objsubid = 1
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(cut.rowCount).toBe(1);
    await waitForBotEvent(second, "leader.lost", 20_000);
    const third = await waitForLeader(undefined, 30_000);
    const secondFailoverMs = Date.now() - cutAt;

    await Promise.all([traffic, tgTraffic]);
    await deliverNew();

    // -- every paying fan holds the role, was given it once and welcomed once
    await expect
      .poll(() => fans.filter((f) => !holdsGold(f)).map((f) => f.username), {
        timeout: 60_000,
        interval: 200,
      })
      .toEqual([]);
    await expect
      .poll(
        () =>
          fans
            .filter((f) => discord.dmsTo(f.id).length !== 1)
            .map((f) => `${f.username}: ${discord.dmsTo(f.id).length}`),
        {
          timeout: 60_000,
          interval: 200,
        },
      )
      .toEqual([]);
    const grants = await pool.query<{ user_id: string; n: string }>(
      `SELECT i.platform_user_id AS user_id, count(*) AS n FROM member_history h JOIN identity i ON i.member_id = h.member_id
       WHERE h.action = 'access.granted' AND h.reason NOT LIKE '%(already in that state)' AND i.platform = 'discord'
       GROUP BY 1`,
    );
    expect(grants.rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    expect(grants.rows).toHaveLength(fans.length);

    // -- every interaction acted on once: one callback each (a second process acting would make a
    // second one, refused as already acknowledged), one Checkout per /join
    for (const s of sent) {
      const callbacks = discord.calls.filter(
        (c) => c.method === "POST" && c.path.startsWith(`/interactions/${s.payload.id}/`),
      );
      expect(callbacks.length, `callbacks for interaction ${s.payload.id}`).toBeLessThanOrEqual(1);
      if (s.answer) expect(callbacks.length).toBe(1);
    }
    const checkouts = stripe.calls.filter((c) => c.method === "POST" && c.path === "/v1/checkout/sessions");
    const joins = sent.filter(
      (s) => "data" in s.payload && (s.payload.data as { name?: string }).name === "join",
    );
    expect(checkouts.length).toBeLessThanOrEqual(joins.length);
    expect(checkouts.length).toBeGreaterThanOrEqual(fans.length);

    // -- the votes: one ballot per fan, for the option they clicked
    const ballots = await pool.query<{ choices: number[]; member_id: string; platform_user_id: string }>(
      "SELECT member_id, platform_user_id, choices FROM poll_ballot WHERE poll_id = $1",
      [pollId],
    );
    expect(ballots.rows).toHaveLength(fans.length);
    expect(new Set(ballots.rows.map((b) => b.member_id)).size).toBe(fans.length);
    for (const [i, fan] of fans.entries())
      expect(ballots.rows.find((b) => b.platform_user_id === fan.id)?.choices, fan.username).toEqual([i % 2]);

    // -- Telegram: every /start answered once. The one exception Telegram's API leaves no way around:
    // an answer the killed leader had sent when it died, before it could record the update handled
    // (it records it as soon as the answer is confirmed). The next leader cannot know the answer went
    // out, so it answers again. Its marks are written at once, so only an answer sent in the last
    // moment before the kill may be repeated, and only by a process that took over after it.
    // The stand-in runs in this process and stamps a call when it reads it: a request the leader
    // wrote just before the SIGKILL may be stamped a little after it. A later leader's answer comes
    // at least its 10 s grace after it took over.
    const IN_FLIGHT_MS = 2_000;
    const STAMP_LAG_MS = 1_000;
    const wrongly = (id: number): boolean => {
      const times = replyTimes(id).map((ms) => ms + t0);
      if (times.length === 1) return false;
      return !(
        times.length === 2 &&
        times[0]! <= killedAt + STAMP_LAG_MS &&
        times[0]! > killedAt - IN_FLIGHT_MS &&
        times[1]! > killedAt + STAMP_LAG_MS
      );
    };
    await expect
      .poll(
        () =>
          tgSent
            .filter(wrongly)
            .map(
              (id) =>
                `${id}: ${repliesTo(id)} (at ${replyTimes(id).join(", ")} ms; kill ${killedAt - t0}, cut ${cutAt - t0})`,
            ),
        {
          timeout: 60_000,
          interval: 200,
        },
      )
      .toEqual([]);
    const repeated = tgSent.filter((id) => repliesTo(id) === 2);
    const repeatedNote = repeated.map((id) => `${killedAt - t0 - replyTimes(id)[0]!} ms`).join(", ");

    // -- Stripe: everything acknowledged got applied, once
    expect(stats.unexpected).toEqual([]);
    await expect
      .poll(
        async () =>
          Number(
            (await pool.query("SELECT count(*) AS n FROM stripe_event WHERE status = 'queued'")).rows[0].n,
          ),
        {
          timeout: 60_000,
        },
      )
      .toBe(0);
    const handled = new Set(
      stripe.events.filter((e: Stripe.Event) => HANDLED_EVENT_TYPES.has(e.type)).map((e) => e.id),
    );
    expect(Number((await pool.query("SELECT count(*) AS n FROM stripe_event")).rows[0].n)).toBe(handled.size);

    watching = false;
    await watcher;
    expect(maxSessions).toBe(1);
    expect(alive()).toContain(third);
    process.stdout.write(
      `[fault three-processes] ${fans.length} Discord fans, ${tgFans.length} Telegram /start, ` +
        `${sent.length} interactions (${sent.filter((s) => !s.answer).length} lost with a dead leader and clicked again), ` +
        `failover after SIGKILL ${failoverMs} ms, after the cut ${secondFailoverMs} ms, ` +
        `${repeated.length} /start answered again by the next leader (the killed one had answered ` +
        `${repeatedNote || "none"} before the kill), ${stats.retries} webhook retries, ${Date.now() - t0} ms\n`,
    );
  }, 300_000);
});
