import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_FILE_NAME } from "../../../src/adapters/db/data-dir-lock.ts";
import { type Database, openDatabase } from "../../../src/adapters/db/database.ts";
import { migrate } from "../../../src/adapters/db/migrator.ts";
import { StartupError } from "../../../src/errors.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";
import { createLogger, type Logger } from "../../../src/log.ts";
import {
  createTestDatabase,
  createTestDataDir,
  type TestDataDir,
  testServerUrl,
} from "../../support/postgres.ts";

type LogLine = Record<string, unknown> & { event?: string; level?: string; msg?: string };

function captureLog(): { log: Logger; lines: LogLine[]; events(): string[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    level: "debug",
    destination: { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
  });
  return { log, lines, events: () => lines.map((l) => String(l.event)) };
}

async function startupError(p: Promise<unknown>): Promise<StartupError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StartupError);
  return err as StartupError;
}

/** Create + read a Setting through Prisma, after the shipped migrations. */
async function roundTrip(db: Database, log: Logger): Promise<void> {
  await migrate(db, { migrationsDir: MIGRATIONS_DIR, log });
  await db.ping();
  const value = { graceDays: 3, note: "ünïcode ✓", nested: [1, null, true] };
  await db.prisma.setting.create({ data: { key: "grace", value } });
  const row = await db.prisma.setting.findUnique({ where: { key: "grace" } });
  expect(row?.value).toEqual(value);
  expect(row?.updatedAt).toBeInstanceOf(Date);
  await db.prisma.setting.update({ where: { key: "grace" }, data: { value: { graceDays: 5 } } });
  expect((await db.prisma.setting.findUnique({ where: { key: "grace" } }))?.value).toEqual({ graceDays: 5 });
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

async function writeLock(dir: string, owner: Record<string, unknown>, ageMs = 0): Promise<string> {
  const file = path.join(dir, LOCK_FILE_NAME);
  await writeFile(file, JSON.stringify({ app: "tribegate", startedAt: new Date().toISOString(), ...owner }));
  if (ageMs) {
    const t = new Date(Date.now() - ageMs);
    await utimes(file, t, t);
  }
  return file;
}

/** A pid that existed a moment ago and is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("embedded database (PGlite)", () => {
  const cap = captureLog();
  let data: TestDataDir;
  let db: Database | undefined;

  beforeAll(async () => {
    data = await createTestDataDir();
  });
  afterAll(async () => {
    await db?.close();
    await data?.remove();
  });

  it("creates the data directory, opens, migrates and round-trips through Prisma", async () => {
    const dataDir = path.join(data.dir, "nested", "data");
    db = await openDatabase({ dataDir, log: cap.log });
    expect(db.kind).toBe("pglite");
    expect(db.location).toBe(path.join(dataDir, "pglite"));
    const lock = JSON.parse(await readFile(path.join(dataDir, LOCK_FILE_NAME), "utf8")) as Record<
      string,
      unknown
    >;
    expect(lock).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    await roundTrip(db, cap.log);
    expect(cap.lines.find((l) => l.event === "db.open")).toMatchObject({ kind: "pglite", dataDir });
    // PGlite 0.4.x set exitCode 99 while open; 0.5.x must not break the process's exit status.
    expect(process.exitCode ?? 0).toBe(0);
  });

  it("refuses a second open of the same directory while the first is open", async () => {
    const dataDir = path.join(data.dir, "nested", "data");
    const err = await startupError(openDatabase({ dataDir, log: cap.log }));
    expect(err.code).toBe("data_dir_locked");
    expect(err.message).toContain(dataDir);
    expect(err.message).toContain("DATABASE_URL");
  });

  it("releases the lock on close (idempotent) and reopens the same data", async () => {
    const dataDir = path.join(data.dir, "nested", "data");
    await db!.close();
    await db!.close();
    await expect(stat(path.join(dataDir, LOCK_FILE_NAME))).rejects.toMatchObject({ code: "ENOENT" });
    expect(process.exitCode ?? 0).toBe(0);
    expect(cap.events()).toContain("db.close");

    db = await openDatabase({ dataDir, log: cap.log });
    const row = await db.prisma.setting.findUnique({ where: { key: "grace" } });
    expect(row?.value).toEqual({ graceDays: 5 });
    await db.close();
  });

  it("takes over a stale lock whose process is gone, with a warning", async () => {
    const dataDir = path.join(data.dir, "nested", "data");
    const pid = await deadPid();
    await writeLock(dataDir, { pid, hostname: os.hostname(), ...(bootId() ? { bootId: bootId() } : {}) });
    const before = cap.lines.length;
    db = await openDatabase({ dataDir, log: cap.log });
    const warning = cap.lines.slice(before).find((l) => l.event === "db.lock.stale");
    expect(warning).toMatchObject({ level: "warn" });
    expect(String(warning?.reason)).toContain(String(pid));
    const lock = JSON.parse(await readFile(path.join(dataDir, LOCK_FILE_NAME), "utf8")) as Record<
      string,
      unknown
    >;
    expect(lock.pid).toBe(process.pid);
    await db.close();
  });

  it("takes over a lock left by an earlier process with our own pid (container restart)", async () => {
    const dataDir = path.join(data.dir, "nested", "data");
    await writeLock(dataDir, { pid: process.pid, hostname: os.hostname() });
    const before = cap.lines.length;
    db = await openDatabase({ dataDir, log: cap.log });
    expect(cap.lines.slice(before).map((l) => l.event)).toContain("db.lock.stale");
    await db.close();
  });

  it("takes over a lock from another host that stopped refreshing it", async () => {
    const dataDir = path.join(data.dir, "nested", "data");
    await writeLock(dataDir, { pid: 1, hostname: "old-container" }, 5 * 60_000);
    db = await openDatabase({ dataDir, log: cap.log });
    await db.close();
  });

  it("refuses while another live process holds the lock", async () => {
    const dir = await createTestDataDir(); // the lock check comes before PGlite: no database needed
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await writeLock(dir.dir, { pid: sleeper.pid, hostname: os.hostname() });
      const err = await startupError(openDatabase({ dataDir: dir.dir, log: cap.log }));
      expect(err.code).toBe("data_dir_locked");
      expect(err.message).toContain(`another tribegate process (pid ${sleeper.pid})`);
      expect(err.message).toMatch(/DATABASE_URL/);
    } finally {
      sleeper.kill();
      await dir.remove();
    }
  });

  it("refuses while a recently refreshed lock from another host exists", async () => {
    const dir = await createTestDataDir();
    try {
      await writeLock(dir.dir, { pid: 4242, hostname: "other-host" });
      const err = await startupError(openDatabase({ dataDir: dir.dir, log: cap.log }));
      expect(err.code).toBe("data_dir_locked");
      expect(err.message).toContain('"other-host"');
    } finally {
      await dir.remove();
    }
  });

  it("refuses a data directory that cannot be created (parent is a file)", async () => {
    const file = path.join(data.dir, "a-file");
    await writeFile(file, "not a directory");
    const dataDir = path.join(file, "data");
    const err = await startupError(openDatabase({ dataDir, log: cap.log }));
    expect(err.code).toBe("data_dir_unwritable");
    expect(err.message).toContain(dataDir);
    expect(err.message).toContain("DATA_DIR");
  });

  it.runIf(existsSync("/proc/self"))(
    "refuses, without hanging, a directory the kernel will not create",
    async () => {
      // Node 20's recursive mkdir loops forever here; openDatabase must answer.
      const err = await startupError(openDatabase({ dataDir: "/proc/tribegate-test/data", log: cap.log }));
      expect(err.code).toBe("data_dir_unwritable");
    },
  );

  it("refuses a data directory that is a file", async () => {
    const file = path.join(data.dir, "another-file");
    await writeFile(file, "");
    const err = await startupError(openDatabase({ dataDir: file, log: cap.log }));
    expect(err.code).toBe("data_dir_unwritable");
  });

  it("refuses when the lock file cannot be created", async () => {
    const dir = await createTestDataDir();
    try {
      // A directory where the lock file belongs: exclusive create says EEXIST, reading it says EISDIR.
      await mkdir(path.join(dir.dir, LOCK_FILE_NAME));
      const err = await startupError(openDatabase({ dataDir: dir.dir, log: cap.log }));
      expect(err.code).toBe("data_dir_unwritable");
    } finally {
      await dir.remove();
    }
  });
});

describe("PostgreSQL (DATABASE_URL)", () => {
  it("connects, migrates and round-trips through Prisma", async () => {
    const t = await createTestDatabase();
    const cap = captureLog();
    const db = await openDatabase({ databaseUrl: t.url, dataDir: "/nonexistent", log: cap.log });
    try {
      expect(db.kind).toBe("postgres");
      await roundTrip(db, cap.log);
      expect(cap.lines.find((l) => l.event === "db.open")).toMatchObject({
        kind: "postgres",
        database: t.name,
      });
    } finally {
      await db.close();
      await db.close();
      await t.drop();
    }
  });

  it("fails with database_unreachable on a closed port, without the password", async () => {
    const port = await closedPort();
    const cap = captureLog();
    const url = `postgresql://tribegate:s3cret-pass@127.0.0.1:${port}/tribegate`;
    const err = await startupError(openDatabase({ databaseUrl: url, dataDir: "/nonexistent", log: cap.log }));
    expect(err.code).toBe("database_unreachable");
    expect(err.message).toContain("DATABASE_URL");
    expect(err.message).toContain(`postgresql://tribegate:[redacted]@127.0.0.1:${port}/tribegate`);
    expect(err.message).toMatch(/ECONNREFUSED|refused/);
    expect(err.message).not.toContain("s3cret-pass");
    expect(JSON.stringify(cap.lines)).not.toContain("s3cret-pass");
  });

  it("scrubs a ?password= parameter too", async () => {
    const port = await closedPort();
    const url = `postgresql://tribegate@127.0.0.1:${port}/tribegate?password=hunter2hunter2`;
    const err = await startupError(
      openDatabase({ databaseUrl: url, dataDir: "/nonexistent", log: captureLog().log }),
    );
    expect(err.message).not.toContain("hunter2hunter2");
  });

  it("says when the database does not exist", async () => {
    const url = new URL(testServerUrl());
    url.pathname = "/tribegate_no_such_database";
    const err = await startupError(
      openDatabase({ databaseUrl: url.toString(), dataDir: "/nonexistent", log: captureLog().log }),
    );
    expect(err.code).toBe("database_unreachable");
    expect(err.message).toMatch(/database "tribegate_no_such_database" does not exist/);
  });

  it("gives up after the connect timeout when nothing answers", async () => {
    // A listening socket that never speaks PostgreSQL: the connection hangs until the timeout.
    const srv = net.createServer(() => undefined).listen(0, "127.0.0.1");
    await new Promise((r) => srv.once("listening", r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      const err = await startupError(
        openDatabase({
          databaseUrl: `postgresql://u:pw-123456@127.0.0.1:${port}/db`,
          dataDir: "/nonexistent",
          log: captureLog().log,
          connectTimeoutMs: 500,
        }),
      );
      expect(err.code).toBe("database_unreachable");
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(err.message).not.toContain("pw-123456");
    } finally {
      srv.close();
    }
  });
});
