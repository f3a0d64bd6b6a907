import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { StartupError } from "../../errors.ts";
import { PrismaClient } from "../../generated/prisma/client.ts";
import { type Logger, scrubSecrets } from "../../log.ts";
import { acquireDataDirLock, type DataDirLock, unwritableDataDir } from "./data-dir-lock.ts";

/**
 * The raw driver under Prisma. Only the migrator uses it: it must run whole SQL scripts in one
 * simple-protocol call and hold one connection for an advisory lock, which Prisma cannot do.
 * Application code goes through `prisma`.
 */
export type DatabaseDriver =
  | { readonly kind: "pglite"; readonly pglite: PGlite }
  | { readonly kind: "postgres"; readonly pool: pg.Pool };

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  /**
   * For the Stripe webhook's intake alone: on PostgreSQL a client over connections of its own, so
   * an acknowledgment never waits for a connection behind the workers; on PGlite, `prisma`.
   */
  readonly intake: PrismaClient;
  readonly driver: DatabaseDriver;
  /** Where the data lives, safe to log: the PGlite directory or the URL with its password scrubbed. */
  readonly location: string;
  /** Round trip through Prisma; throws when the database does not answer. */
  ping(): Promise<void>;
  /** Disconnects Prisma, closes PGlite / ends the pool, releases the data directory lock. Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; unset → embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  log: Logger;
  /** How long to wait for PostgreSQL to accept a connection at start-up. Default 5 s. */
  connectTimeoutMs?: number;
  /** PostgreSQL pool size. Default 10. */
  poolMax?: number;
  /** PostgreSQL connections kept for the Stripe webhook's intake, besides the pool. Default 2. */
  intakePoolMax?: number;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres({ ...opts, databaseUrl: opts.databaseUrl }) : openPGlite(opts);
}

/**
 * mkdir -p, by hand: Node 20's `mkdir(…, { recursive: true })` never returns when the kernel answers
 * ENOENT for a directory whose parent exists (e.g. DATA_DIR=/proc/x), which would hang start-up.
 */
async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT") throw err;
  }
  const parent = path.dirname(dir);
  if (parent === dir) throw new Error(`cannot create ${dir}`);
  await ensureDir(parent);
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Embedded: PGlite in <dataDir>/pglite, guarded by <dataDir>/tribegate.lock

/**
 * PGlite's own start parameters, with a smaller buffer cache: PostgreSQL's default shared_buffers
 * (128 MB) lives in the WebAssembly heap, which never shrinks, and the embedded database is for a
 * tribe on one machine, whose pages the operating system's file cache keeps anyway. Measured
 * (`npm run bench -- footprint`, README): about 140 MB less resident memory for a few percent on
 * large scans. The rest of the defaults (single user, no parallel workers) are PGlite's.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

async function openPGlite(opts: OpenDatabaseOptions): Promise<Database> {
  const { log } = opts;
  const t0 = Date.now();
  const dataDir = path.resolve(opts.dataDir);
  try {
    await ensureDir(dataDir);
    if (!(await stat(dataDir)).isDirectory()) throw new Error("it exists but is not a directory");
  } catch (err) {
    throw unwritableDataDir(dataDir, err);
  }

  const lock: DataDirLock = await acquireDataDirLock(dataDir, log);
  const pgliteDir = path.join(dataDir, "pglite");
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(pgliteDir, { startParams: PGLITE_START_PARAMS });
  } catch (err) {
    await lock.release();
    const reason = err instanceof Error ? err.message : String(err);
    // errors.ts has no closer code; "database_unreachable" is the one that means "cannot use the database".
    throw new StartupError(
      "database_unreachable",
      `Cannot open the embedded database in ${pgliteDir}: ${reason}. ` +
        "If the directory was created by another version of tribegate (PGlite), restore a backup made " +
        "with that version or start with an empty DATA_DIR.",
      { cause: err },
    );
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(timeSliced(pglite)) });
  log.info(
    { event: "db.open", kind: "pglite", dataDir, ms: Date.now() - t0 },
    `embedded database open in ${pgliteDir}`,
  );

  return wrapDatabase({
    kind: "pglite",
    prisma,
    driver: { kind: "pglite", pglite },
    location: pgliteDir,
    log,
    // Flushes and shuts PGlite down (older PGlite versions leave process.exitCode = 99 until then).
    closeDriver: { step: "pglite", message: "closing PGlite failed", run: () => pglite.close() },
    afterClose: async () => {
      await lock.release();
      log.info({ event: "db.close", kind: "pglite" }, "embedded database closed");
    },
  });
}

/** How long queries may hold the thread before timers and I/O get a turn (see timeSliced). */
const PGLITE_SLICE_MS = 10;

/**
 * PGlite runs each query synchronously (WebAssembly, in this thread) inside a promise chain: while
 * queries are queued the microtask queue never empties, and timers and sockets wait for the whole
 * backlog. In a burst of votes (bench/vote-burst.ts) the event loop stood still for up to 0.7 s at a
 * time, and Discord interactions were acknowledged after Discord's 3-second deadline: the router's
 * 2-second deferral timer and the bot's answers waited behind the queries of every other vote.
 * Here the queries wait in one queue, run in arrival order, and after PGLITE_SLICE_MS of them the
 * rest wait for the next turn of the event loop. Queries inside a transaction (`tx.query`) are not
 * queued: the transaction already holds PGlite. PostgreSQL needs none of this: its queries are I/O.
 */
function timeSliced(pglite: PGlite): PGlite {
  const query = pglite.query.bind(pglite);
  const queue: (() => Promise<unknown>)[] = [];
  let scheduled = false;
  const drain = async (): Promise<void> => {
    const start = performance.now();
    while (queue.length > 0 && performance.now() - start < PGLITE_SLICE_MS) await queue.shift()!();
    if (queue.length > 0) setImmediate(() => void drain());
    else scheduled = false;
  };
  pglite.query = ((...args: Parameters<PGlite["query"]>) =>
    new Promise<unknown>((resolve, reject) => {
      queue.push(() => query(...args).then(resolve, reject));
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void drain());
      }
    })) as PGlite["query"];
  return pglite;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL via DATABASE_URL

/** The URL's password (also the `?password=` form), to scrub from every message. */
function urlSecrets(databaseUrl: string): string[] {
  try {
    const u = new URL(databaseUrl);
    return [u.password, decodeURIComponent(u.password), u.searchParams.get("password") ?? ""].filter(Boolean);
  } catch {
    return [];
  }
}

function describeUrl(databaseUrl: string): { display: string; host?: string; database?: string } {
  const secrets = urlSecrets(databaseUrl);
  const display = scrubSecrets(databaseUrl, secrets);
  try {
    const u = new URL(databaseUrl);
    return { display, host: u.port ? `${u.hostname}:${u.port}` : u.hostname, database: u.pathname.slice(1) };
  } catch {
    return { display };
  }
}

/** Turns pg's connection errors into one line for the person running the bot. */
function connectFailureReason(err: unknown, timeoutMs: number): string {
  const e = err as (Error & { code?: string; errors?: Error[] }) | undefined;
  const code = e?.code;
  const msg = e?.message || (e?.errors?.map((x) => x.message).join("; ") ?? String(err));
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused (${msg}); check that PostgreSQL is running and listens on that host and port`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host not found (${msg})`;
    case "ETIMEDOUT":
      return `connection timed out (${msg})`;
    case "28P01":
      return `authentication failed (${msg}); check the user name and password`;
    case "28000":
      return `access denied (${msg}); check the user name and the server's pg_hba.conf`;
    case "3D000":
      return `${msg}; create it (e.g. createdb) or fix the database name at the end of the URL`;
    default:
      if (/timeout/i.test(msg)) return `no answer within ${timeoutMs / 1000} s (${msg})`;
      return code ? `${msg} (${code})` : msg;
  }
}

async function openPostgres(opts: OpenDatabaseOptions & { databaseUrl: string }): Promise<Database> {
  const { log, databaseUrl } = opts;
  const t0 = Date.now();
  const timeoutMs = opts.connectTimeoutMs ?? 5_000;
  const secrets = urlSecrets(databaseUrl);
  const where = describeUrl(databaseUrl);

  // Verify connectivity with a dedicated client and a short timeout, so a wrong URL fails start-up
  // with a clear message instead of surfacing later as a Prisma error.
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  probe.on("error", () => undefined); // errors after connect are reported through query()
  try {
    await probe.connect();
    await probe.query("SELECT 1");
  } catch (err) {
    await probe.end().catch(() => undefined);
    const reason = scrubSecrets(connectFailureReason(err, timeoutMs), secrets);
    throw new StartupError(
      "database_unreachable",
      `Cannot connect to the PostgreSQL database in DATABASE_URL (${where.display}): ${reason}. ` +
        "Fix DATABASE_URL, or unset it to use the embedded database.",
      { cause: err },
    );
  }
  await probe.end().catch(() => undefined);

  const newPool = (max: number) => {
    const p = new pg.Pool({
      connectionString: databaseUrl,
      max,
      // Waiting longer than this for a connection means the server is gone or the pool is exhausted:
      // better an error than a silent hang.
      connectionTimeoutMillis: Math.max(timeoutMs, 10_000),
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // A server that stops answering without closing connections (frozen, network cut) must not
      // hang a webhook or a worker forever: the query errors and the caller retries.
      query_timeout: 120_000,
    });
    // An idle connection that breaks (server restart, network) must not crash the process.
    p.on("error", (err) => {
      log.warn(
        {
          event: "db.pool.error",
          err: { message: scrubSecrets(err.message, secrets), code: (err as { code?: string }).code },
        },
        "an idle PostgreSQL connection failed; the pool will open a new one",
      );
    });
    return p;
  };
  const pool = newPool(opts.poolMax ?? 10);
  const intakePool = newPool(opts.intakePoolMax ?? 2);
  const intake = new PrismaClient({ adapter: new PrismaPg(intakePool) });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  log.info(
    { event: "db.open", kind: "postgres", host: where.host, database: where.database, ms: Date.now() - t0 },
    `connected to PostgreSQL at ${where.host ?? "?"}/${where.database ?? "?"}`,
  );

  return wrapDatabase({
    kind: "postgres",
    prisma,
    intake,
    driver: { kind: "postgres", pool },
    location: where.display,
    log,
    closeDriver: {
      step: "pool",
      message: "ending the PostgreSQL pool failed",
      run: async () => {
        await intake.$disconnect().catch(() => undefined);
        await Promise.all([pool.end(), intakePool.end()]);
      },
    },
    afterClose: async () => {
      log.info({ event: "db.close", kind: "postgres" }, "PostgreSQL connections closed");
    },
  });
}

/** The Database both back ends return: ping through Prisma; close once, in order, never throwing. */
function wrapDatabase(parts: {
  kind: Database["kind"];
  prisma: PrismaClient;
  intake?: PrismaClient;
  driver: DatabaseDriver;
  location: string;
  log: Logger;
  closeDriver: { step: string; message: string; run: () => Promise<void> };
  afterClose: () => Promise<void>;
}): Database {
  const { prisma, log } = parts;
  let closing: Promise<void> | undefined;
  return {
    kind: parts.kind,
    prisma,
    intake: parts.intake ?? prisma,
    driver: parts.driver,
    location: parts.location,
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
        } catch (err) {
          log.warn({ event: "db.close_failed", step: "prisma", err }, "prisma disconnect failed");
        }
        try {
          await parts.closeDriver.run();
        } catch (err) {
          log.warn(
            { event: "db.close_failed", step: parts.closeDriver.step, err },
            parts.closeDriver.message,
          );
        }
        await parts.afterClose();
      })();
      return closing;
    },
  };
}
