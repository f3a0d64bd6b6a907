import pg from "pg";
import type { Logger } from "../../log.ts";

/**
 * Which process holds the platforms' gateways (Discord's gateway session, Telegram's long poll)
 * when several share one PostgreSQL: the one holding a session-level advisory lock on a connection
 * of its own. Every process serves HTTP and runs jobs; only the leader receives platform events.
 *
 * - A process that dies (SIGKILL, crash) closes its socket: PostgreSQL ends its session and frees
 *   the lock at once, and a standby, trying every `pingMs`, takes it.
 * - A machine that vanishes (no socket close): the session was told `idle_session_timeout`, and the
 *   leader speaks on it every `pingMs`, so PostgreSQL ends a silent leader's session after
 *   `sessionTimeoutMs` and frees the lock.
 * - A leader that cannot reach the database stops its gateways after `fenceMs` without an answer,
 *   before PostgreSQL could free its lock (`fenceMs` < `sessionTimeoutMs`): there is no moment with
 *   two gateway sessions or two pollers acting.
 */
export type LeaderRole = "leader" | "standby";

export interface LeaderElection {
  role(): LeaderRole;
  /** Tries once (awaiting `onAcquired` when it wins), then keeps trying, or watching, in the background. */
  start(): Promise<void>;
  /** Gives the lock up (and stops the gateways first when leading). */
  stop(): Promise<void>;
}

/** The lock's key: "tribegate" in ASCII, so another application's advisory locks do not collide. */
const LOCK_KEY = 0x74726962_65676174n;

export function electLeader(opts: {
  databaseUrl: string;
  log: Logger;
  /** Becomes the leader: start receiving platform events. */
  onAcquired: () => Promise<void>;
  /** No longer the leader (or stopping): stop receiving platform events, at once. */
  onLost: () => Promise<void>;
  pingMs?: number;
  fenceMs?: number;
  sessionTimeoutMs?: number;
}): LeaderElection {
  const log = opts.log.child({ module: "leader" });
  const pingMs = opts.pingMs ?? 1_000;
  const fenceMs = opts.fenceMs ?? 4_000;
  const sessionTimeoutMs = opts.sessionTimeoutMs ?? 6_000;
  if (fenceMs >= sessionTimeoutMs) throw new Error("fenceMs must be shorter than sessionTimeoutMs");
  let role: LeaderRole = "standby";
  let client: pg.Client | undefined;
  let lastAnswer = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /**
   * A process that just lost the lead waits before trying again: the standbys, whose connection
   * did not fail, take it first.
   */
  let quietUntil = 0;
  /** One step at a time: a slow step is never overlapped by the next tick. */
  let busy: Promise<void> = Promise.resolve();

  const drop = async (): Promise<void> => {
    const c = client;
    client = undefined;
    if (!c) return;
    // end() would wait for a server that no longer answers: the socket is closed outright.
    (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    await c.end().catch(() => undefined);
  };

  const lose = async (reason: string, err?: unknown): Promise<void> => {
    if (role !== "leader") return;
    role = "standby";
    quietUntil = Date.now() + 2 * pingMs + 500;
    // The gateways first: from here on another process may lead.
    await opts
      .onLost()
      .catch((e: unknown) =>
        log.error({ event: "leader.stop_failed", err: e }, "stopping the gateways failed"),
      );
    log.warn(
      { event: "leader.lost", reason, ...(err ? { err: describe(err) } : {}) },
      "no longer the leader: the gateways are stopped; another process takes them over",
    );
    await drop();
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({
      connectionString: opts.databaseUrl,
      connectionTimeoutMillis: fenceMs,
      query_timeout: fenceMs,
      keepAlive: true,
    });
    c.on("error", (err) => {
      // At once, not after a step that may hang on this very connection.
      if (client !== c) return;
      if (role === "leader") void lose("connection_error", err);
      else void drop();
    });
    await c.connect();
    // PostgreSQL ends this session when it hears nothing for this long, freeing the lock of a
    // leader whose machine vanished. (idle_session_timeout is PostgreSQL 14+; older servers free
    // it when TCP keepalives give up.)
    await c
      .query(`SET idle_session_timeout = ${Math.round(sessionTimeoutMs)}`)
      .catch((err: unknown) =>
        log.warn(
          { event: "leader.no_session_timeout", err: describe(err) },
          "this PostgreSQL cannot end a silent leader's session (before version 14): takeover after a vanished machine waits for TCP keepalives",
        ),
      );
    return c;
  };

  const step = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (role === "leader") {
        if (!client) return lose("connection_closed");
        await client.query("SELECT 1");
        lastAnswer = Date.now();
        return;
      }
      if (Date.now() < quietUntil) return;
      client ??= await connect();
      const got = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
        LOCK_KEY.toString(),
      ]);
      if (!got.rows[0]?.locked || stopped) return;
      role = "leader";
      lastAnswer = Date.now();
      log.info({ event: "leader.acquired" }, "this process is the leader: it holds the platforms' gateways");
      await opts.onAcquired();
    } catch (err) {
      if (role === "leader") await lose("database_unreachable", err);
      else {
        log.debug({ event: "leader.try_failed", err: describe(err) }, "could not try for the lead");
        await drop();
      }
    }
  };

  const tick = (): void => {
    // The fence does not wait for a hung step: silence past fenceMs stops the gateways.
    if (role === "leader" && Date.now() - lastAnswer > fenceMs) void lose("database_silent");
    busy = busy.then(step);
  };

  return {
    role: () => role,
    async start() {
      busy = busy.then(step);
      await busy;
      timer = setInterval(tick, pingMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await busy.catch(() => undefined);
      if (role === "leader") {
        role = "standby";
        await opts.onLost().catch(() => undefined);
        log.info({ event: "leader.released" }, "gave the lead up");
      }
      // Closing the session frees the lock: a standby takes over at its next try.
      await drop();
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
