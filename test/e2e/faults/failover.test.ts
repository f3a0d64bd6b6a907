import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEED_BURST_MS } from "../../../src/app/feed.ts";
import { startTribegate, type Tribegate } from "../../../src/bootstrap.ts";
import { createLogger } from "../../../src/log.ts";
import { sleep } from "../../support/helpers.ts";
import { type DualHarness, LogSink, startHarness, type TelegramHarness } from "../harness.ts";
import { botMessages, CREATOR, command, nextBotMessage, tg } from "../telegram/helpers.ts";

/**
 * Two processes on one PostgreSQL: exactly one, the leader, holds Discord's gateway session and
 * Telegram's long poll; the other serves HTTP and runs jobs as a standby. When the leader loses its
 * database connection it stops its gateways at once and the standby takes them over within
 * seconds; when a process stops, the other leads again. /readyz names each one's role.
 */
describe("leader election on PostgreSQL", () => {
  let h: DualHarness;
  let second: Tribegate;
  const secondLogs = new LogSink();

  /** Gateway sessions with a socket open on the Discord stand-in. */
  const liveSessions = () =>
    [...h.discord.gateway.sessions.values()].filter((s) => s.socket && s.socket.readyState === 1).length;
  const role = async (app: Tribegate) =>
    ((await (await fetch(`${app.http.url}/readyz`)).json()) as { checks: Record<string, string> }).checks
      .role;
  const events = (sink: LogSink, name: string) => sink.lines.filter((l) => l.event === name);
  async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(50);
    }
  }

  beforeAll(async () => {
    h = await startHarness({
      backend: "postgres",
      discord: true,
      telegram: true,
      env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
    });
    await h.discord.waitForReady();
    second = await startTribegate({
      config: h.config,
      log: createLogger({ level: "debug", destination: secondLogs }),
      clock: h.clock,
      reconcileOnStart: false,
      doctorOnStart: false,
    });
  });
  afterAll(async () => {
    await second?.stop();
    await h?.stop();
  });

  it("the first process leads, the second stands by: one gateway session, one poller, both ready", async () => {
    expect(await role(h.app)).toBe("leader");
    expect(await role(second)).toBe("standby");
    expect((await fetch(`${second.http.url}/readyz`)).status).toBe(200);
    expect(events(h.logs, "leader.acquired")).toHaveLength(1);
    expect(events(secondLogs, "leader.acquired")).toHaveLength(0);
    expect(events(secondLogs, "discord.standby")).toHaveLength(1);
    expect(liveSessions()).toBe(1);
    // A command is answered once, by the leader.
    tg(h).addUser(CREATOR);
    const answer = await command(h, CREATOR, "start");
    expect(answer.text).toBeTruthy();
    await sleep(300);
    expect(
      tg(h).calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === CREATOR.id),
    ).toHaveLength(1);
    expect([
      ...events(h.logs, "telegram.poll_conflict"),
      ...events(secondLogs, "telegram.poll_conflict"),
    ]).toEqual([]);
  });

  it("a leader cut from the database stops its gateways; the standby takes them over within 10 s", async () => {
    const admin = new pg.Client({ connectionString: h.config.databaseUrl });
    await admin.connect();
    const cutAt = Date.now();
    try {
      // The leader's lock connection, killed as a network cut or a database failover would.
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await eventually(() => events(h.logs, "leader.lost").length === 1, "the first process to let go");
    await eventually(() => events(secondLogs, "leader.acquired").length === 1, "the standby to lead");
    await eventually(async () => (await role(second)) === "leader", "the second process to say leader");
    await eventually(
      () => liveSessions() === 1 && second.discord?.status() === "ready",
      "one gateway session",
    );
    expect(Date.now() - cutAt).toBeLessThan(10_000);
    expect(h.app.discord?.status()).toBe("standby");
    expect(await role(h.app)).toBe("standby");
    // Telegram updates now reach the new leader, answered once.
    const before = tg(h).calls.filter((c) => c.method === "sendMessage").length;
    await command(h, CREATOR, "start");
    await sleep(300);
    expect(tg(h).calls.filter((c) => c.method === "sendMessage").length).toBe(before + 1);
    expect(secondLogs.lines.some((l) => l.event === "telegram.polling")).toBe(true);
    expect([
      ...events(h.logs, "telegram.poll_conflict"),
      ...events(secondLogs, "telegram.poll_conflict"),
    ]).toEqual([]);
    // The creator's feed says the gateways moved, once (issue 18), after its burst window.
    expect(events(secondLogs, "leader.failover")).toHaveLength(1);
    const seen = botMessages(h, CREATOR.id).length;
    h.clock.advance(FEED_BURST_MS + 1_000);
    h.app.wake();
    second.wake();
    const line = await nextBotMessage(
      h,
      CREATOR.id,
      seen,
      (m) => m.text?.includes("Failover") === true,
      15_000,
    );
    expect(line.text).toContain("Failover: the Discord and Telegram connections moved to process");
    expect(await h.deps.db.feedItem.count({ where: { kind: "failover" } })).toBe(1);
  });

  it("a leader that stops hands over: the other process leads again at once", async () => {
    const stoppedAt = Date.now();
    await second.stop();
    expect(events(secondLogs, "leader.released")).toHaveLength(1);
    await eventually(() => events(h.logs, "leader.acquired").length === 2, "the first process to lead again");
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    await eventually(() => h.app.discord?.status() === "ready", "its gateway session");
    expect(await role(h.app)).toBe("leader");
    // A hand-over by a process that stopped cleanly is no failover: no new line.
    expect(events(h.logs, "leader.failover")).toHaveLength(0);
    expect(await h.deps.db.feedItem.count({ where: { kind: "failover" } })).toBe(1);
    await eventually(() => liveSessions() === 1, "one gateway session");
    const reply = await command(h, CREATOR, "start");
    expect(reply.text).toBeTruthy();
    // Its new session reconnects after a drop, as the first one did.
    const resumes = events(h.logs, "discord.resumed").length + events(h.logs, "discord.reidentified").length;
    h.discord.closeGateway(4000);
    await eventually(
      () =>
        events(h.logs, "discord.resumed").length + events(h.logs, "discord.reidentified").length > resumes,
      "the gateway to reconnect",
    );
    await eventually(() => h.app.discord?.status() === "ready", "ready again");
  });
});

describe("another poller with the same Telegram token (a second deployment on its own database)", () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      telegram: true,
      env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("Telegram's 409 is logged and the long poll tried again: the process lives on", async () => {
    await h.logs.waitFor("telegram.polling", 10_000);
    const { token, apiUrl } = h.config.telegram!;
    // Someone else's getUpdates: Telegram ends the bot's waiting poll with 409 Conflict.
    const other = await fetch(`${apiUrl}/bot${token}/getUpdates?timeout=0`);
    expect(other.status).toBe(200);
    const conflict = await h.logs.waitFor("telegram.poll_conflict", 10_000);
    expect(String(conflict.msg)).toContain("another process polls with this bot token");
    // Five seconds later it polls again and answers commands.
    await h.logs.waitFor(
      "telegram.polling",
      10_000,
      (l) => Date.parse(String(l.time)) > Date.parse(String(conflict.time)),
    );
    tg(h).addUser(CREATOR);
    expect((await command(h, CREATOR, "start")).text).toBeTruthy();
  });
});
