import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { chown, mkdtemp } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";

/**
 * Gives the tests a PostgreSQL server on which they may CREATE DATABASE (see postgres.ts):
 *
 * 1. TEST_DATABASE_URL set (CI): use that server; it must answer now.
 * 2. Otherwise, PostgreSQL binaries found (TEST_POSTGRES_BIN, /usr/lib/postgresql/<v>/bin, or initdb on PATH): start a
 *    throwaway cluster in a temp directory (trust auth, 127.0.0.1, a free port, fsync off) and stop it
 *    when the run ends. PostgreSQL refuses to run as root, so as root it runs as user `postgres`.
 * 3. Neither: tests that need PostgreSQL fail (createTestDatabase throws) with a message saying how to
 *    fix it. They are never skipped silently; tests that do not need it still run.
 *
 * The URL reaches the test workers through vitest's provide/inject (key "tribegatePostgres").
 */

export type PostgresProvision = { url: string; source: string } | { error: string };

declare module "vitest" {
  export interface ProvidedContext {
    tribegatePostgres: PostgresProvision;
  }
}

const HOW_TO_FIX =
  "Install PostgreSQL (Debian/Ubuntu: `apt-get install -y postgresql`; the tests start a throwaway server " +
  "from /usr/lib/postgresql/<version>/bin themselves), or set TEST_DATABASE_URL to a server where the tests " +
  "may CREATE DATABASE, e.g. postgresql://postgres@127.0.0.1:5432/postgres.";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.TEST_DATABASE_URL?.trim();
  if (fromEnv) {
    await assertReachable(
      fromEnv,
      "TEST_DATABASE_URL",
      "Start that server, fix TEST_DATABASE_URL, or unset it to let the tests start a throwaway PostgreSQL " +
        "(needs the server binaries: `apt-get install -y postgresql`).",
    );
    project.provide("tribegatePostgres", { url: fromEnv, source: "TEST_DATABASE_URL" });
    return async () => {};
  }

  const bin = findPostgresBin();
  if (!bin) {
    const error = `No PostgreSQL server for the tests: TEST_DATABASE_URL is not set and no PostgreSQL binaries were found. ${HOW_TO_FIX}`;
    console.error(`\n[global-setup] ${error}\n`);
    project.provide("tribegatePostgres", { error });
    return async () => {};
  }

  const cluster = await startCluster(bin);
  project.provide("tribegatePostgres", { url: cluster.url, source: `throwaway cluster (${bin})` });
  return () => cluster.stop();
}

async function assertReachable(url: string, what: string, fix: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    const safe = url.replace(/(\w+:\/\/[^:/\s]+:)[^@\s]+@/, "$1***@");
    throw new Error(`${what} (${safe}) does not answer: ${(err as Error).message}. ${fix}`, {
      cause: err,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * TEST_POSTGRES_BIN (a bin directory, or "none" to act as if PostgreSQL were not installed), else the
 * newest /usr/lib/postgresql/<v>/bin, else the directory of `initdb` on PATH.
 */
export function findPostgresBin(): string | undefined {
  const override = process.env.TEST_POSTGRES_BIN?.trim();
  if (override) return override === "none" ? undefined : override;
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter(
        (v) =>
          existsSync(path.join(base, v, "bin", "initdb")) && existsSync(path.join(base, v, "bin", "pg_ctl")),
      )
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions[0]) return path.join(base, versions[0], "bin");
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) return dir;
  }
  return undefined;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const f = line?.split(":");
  return f && f.length > 3 ? { uid: Number(f[2]), gid: Number(f[3]) } : undefined;
}

/** [file, argv] that run a PostgreSQL binary, as user `postgres` when we are root. */
function pgCommand(cmd: string, args: string[], asPostgres: boolean): [string, string[]] {
  if (!asPostgres) return [cmd, args];
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find((p) => existsSync(p));
  if (runuser) return [runuser, ["-u", "postgres", "--", cmd, ...args]];
  const quoted = [cmd, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return ["su", ["postgres", "-s", "/bin/sh", "-c", quoted]];
}

function runPg(
  cmd: string,
  args: string[],
  asPostgres: boolean,
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  const [file, argv] = pgCommand(cmd, args, asPostgres);
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(file, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** A throwaway cluster started by startCluster. */
export interface Cluster {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** The cluster's data directory (PGDATA). */
  dataDir: string;
  /** Stops the server for good (immediate mode) and deletes its directory. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the server but keeps its data (`pg_ctl stop -m <mode>`, default fast: clients are
   * disconnected, the server shuts down cleanly), for fault tests: the database "goes away".
   */
  halt(mode?: "smart" | "fast" | "immediate"): Promise<void>;
  /** Starts a halted server again on the same port and data directory; resolves once it accepts connections. */
  resume(): Promise<void>;
}

/**
 * Starts a throwaway cluster. `durable` keeps fsync on (benchmarks measure real commits). Test files
 * that need a private server (e.g. to stop and restart it: test/e2e/faults/database-outage.test.ts)
 * call it themselves with findPostgresBin(), and halt()/resume() it.
 */
export async function startCluster(bin: string, opts: { durable?: boolean } = {}): Promise<Cluster> {
  const t0 = Date.now();
  const asPostgres = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), "tribegate-pg-"));
  if (asPostgres) {
    const user = lookupUser("postgres");
    if (!user) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `The tests run as root and PostgreSQL refuses to, but there is no user "postgres" to run it as. ${HOW_TO_FIX}`,
      );
    }
    await chown(dir, user.uid, user.gid);
  }
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const fail = (what: string, output: string): Error => {
    rmSync(dir, { recursive: true, force: true });
    return new Error(
      `Could not start the throwaway PostgreSQL for the tests (${what}):\n${output}\n${HOW_TO_FIX}`,
    );
  };

  const init = await runPg(
    path.join(bin, "initdb"),
    ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
    asPostgres,
    dir,
  );
  if (init.code !== 0) throw fail("initdb", init.output);

  const pgCtl = path.join(bin, "pg_ctl");
  let port = 0;
  let options = "";
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c max_connections=300",
      // A throwaway server: durability off, speed on (unless measuring).
      ...(opts.durable ? [] : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]),
    ].join(" ");
    const start = await runPg(
      pgCtl,
      ["-D", dataDir, "-l", logFile, "-w", "-t", "30", "-o", options, "start"],
      asPostgres,
      dir,
    );
    if (start.code === 0) break;
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    if (attempt < 2 && /could not bind|address already in use/i.test(log)) continue; // port race
    throw fail("pg_ctl start", `${start.output}\n${log}`);
  }

  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    const [file, argv] = pgCommand(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"], asPostgres);
    spawnSync(file, argv, { stdio: "ignore", cwd: dir });
    rmSync(dir, { recursive: true, force: true });
  };
  // If the run is interrupted before teardown, do not leave a server behind.
  process.once("exit", stopSync);

  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  await assertReachable(url, "the throwaway PostgreSQL", `Its log: ${logFile}.`);
  console.error(`[global-setup] PostgreSQL for tests at ${url} (started in ${Date.now() - t0} ms)`);
  return {
    url,
    port,
    dataDir,
    async halt(mode = "fast") {
      const r = await runPg(pgCtl, ["-D", dataDir, "-m", mode, "-w", "-t", "30", "stop"], asPostgres, dir);
      if (r.code !== 0) throw new Error(`pg_ctl stop failed:\n${r.output}`);
    },
    async resume() {
      const r = await runPg(
        pgCtl,
        ["-D", dataDir, "-l", logFile, "-w", "-t", "30", "-o", options, "start"],
        asPostgres,
        dir,
      );
      if (r.code !== 0) {
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-3000) : "";
        throw new Error(`pg_ctl start (again) failed:\n${r.output}\n${log}`);
      }
      await assertReachable(url, "the restarted PostgreSQL", `Its log: ${logFile}.`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener("exit", stopSync);
      await runPg(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"], asPostgres, dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
