import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../../src/adapters/db/database.ts";
import { markMigrationRolledBack, migrate } from "../../../src/adapters/db/migrator.ts";
import { StartupError } from "../../../src/errors.ts";
import { createLogger, type Logger } from "../../../src/log.ts";
import { createTestDatabase, createTestDataDir } from "../../support/postgres.ts";

type LogLine = Record<string, unknown> & { event?: string; level?: string; msg?: string };

function captureLog(): { log: Logger; lines: LogLine[]; events(): string[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    level: "debug",
    destination: { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
  });
  return { log, lines, events: () => lines.map((l) => String(l.event)) };
}

async function tempMigrationsDir(): Promise<{
  dir: string;
  write(name: string, sql: string): Promise<void>;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tribegate-test-migrations-"));
  return {
    dir,
    async write(name, sql) {
      await mkdir(path.join(dir, name), { recursive: true });
      await writeFile(path.join(dir, name, "migration.sql"), sql);
    },
  };
}

const sha256 = (s: string | Buffer): string => createHash("sha256").update(s).digest("hex");

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

/** Reads through the raw driver, so these checks do not depend on the code under test. */
async function sql<R>(db: Database, text: string, params: unknown[] = []): Promise<R[]> {
  if (db.driver.kind === "pglite") return (await db.driver.pglite.query<R>(text, params)).rows;
  return (await db.driver.pool.query(text, params)).rows as R[];
}

async function tableExists(db: Database, name: string): Promise<boolean> {
  const [row] = await sql<{ t: string | null }>(db, "SELECT to_regclass($1)::text AS t", [name]);
  return row?.t != null;
}

const M1 = "20260101000000_first";
const M2 = "20260102000000_second";
const M3 = "20260103000000_broken";
// `;` inside a comment and a dollar-quoted body: the script must reach the database whole.
const M1_SQL = `-- a comment; with a semicolon
CREATE TABLE "alpha" ("id" INTEGER PRIMARY KEY, "note" TEXT NOT NULL DEFAULT 'a;b');
CREATE FUNCTION alpha_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM "alpha");
END;
$$;
`;
const M2_SQL = `CREATE TABLE "beta" ("id" INTEGER PRIMARY KEY);\r\nINSERT INTO "beta" VALUES (1), (2);\r\n`;
// Fails at run time after a CREATE TABLE and an INSERT: neither may survive.
const M3_SQL = `CREATE TABLE "gamma" ("id" INTEGER PRIMARY KEY);
INSERT INTO "gamma" VALUES (1);
INSERT INTO "beta" VALUES (1); -- duplicate key
`;

const backends = [
  {
    name: "pglite",
    async open(log: Logger) {
      const data = await createTestDataDir();
      const db = await openDatabase({ dataDir: data.dir, log });
      const cleanup = async (): Promise<void> => {
        await db.close();
        await data.remove();
      };
      return { db, cleanup };
    },
  },
  {
    name: "postgres",
    async open(log: Logger) {
      const t = await createTestDatabase();
      const db = await openDatabase({ databaseUrl: t.url, dataDir: "/nonexistent", log });
      const cleanup = async (): Promise<void> => {
        await db.close();
        await t.drop();
      };
      return { db, cleanup };
    },
  },
] as const;

describe.each(backends)("migrate() on $name", (backend) => {
  const cap = captureLog();
  let db: Database;
  let cleanup: () => Promise<void>;
  let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;

  beforeAll(async () => {
    ({ db, cleanup } = await backend.open(cap.log));
    dir = await tempMigrationsDir();
    await dir.write(M1, M1_SQL);
    await dir.write(M2, M2_SQL);
  });
  afterAll(async () => {
    await cleanup?.();
    if (dir) await rm(dir.dir, { recursive: true, force: true });
  });

  it("applies a fresh database's migrations in order and records them as Prisma does", async () => {
    const result = await migrate(db, { migrationsDir: dir.dir, log: cap.log });
    expect(result).toEqual({ applied: [M1, M2], alreadyApplied: 0 });

    const rows = await sql<Row>(
      db,
      "SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY started_at",
    );
    expect(rows.map((r) => r.migration_name)).toEqual([M1, M2]);
    expect(rows[0]?.checksum).toBe(sha256(M1_SQL));
    expect(rows[1]?.checksum).toBe(sha256(Buffer.from(M2_SQL))); // bytes as on disk (CRLF kept)
    for (const r of rows) {
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
      expect(r.logs).toBeNull();
    }
    // The whole script ran: the function body with its inner `;` exists and works.
    expect(await sql(db, "SELECT alpha_count()::int AS n")).toEqual([{ n: 0 }]);
    expect(await sql(db, 'SELECT count(*)::int AS n FROM "beta"')).toEqual([{ n: 2 }]);
    expect(cap.events()).toContain("db.migrate.applied");
  });

  it("applies nothing on the next start", async () => {
    const result = await migrate(db, { migrationsDir: dir.dir, log: cap.log });
    expect(result).toEqual({ applied: [], alreadyApplied: 2 });
    expect(await sql(db, "SELECT count(*)::int AS n FROM _prisma_migrations")).toEqual([{ n: 2 }]);
  });

  it("warns when an applied migration's file changed, and does not re-apply it", async () => {
    await dir.write(M1, `${M1_SQL}\n-- edited later\n`);
    const before = cap.lines.length;
    const result = await migrate(db, { migrationsDir: dir.dir, log: cap.log });
    expect(result.applied).toEqual([]);
    const warning = cap.lines.slice(before).find((l) => l.event === "db.migrate.checksum_mismatch");
    expect(warning).toMatchObject({ level: "warn", migration: M1 });
    await dir.write(M1, M1_SQL);
  });

  it("accepts a file whose only change is CRLF → LF (as Prisma does)", async () => {
    await dir.write(M2, M2_SQL.replaceAll("\r\n", "\n"));
    const before = cap.lines.length;
    await migrate(db, { migrationsDir: dir.dir, log: cap.log });
    expect(cap.lines.slice(before).map((l) => l.event)).not.toContain("db.migrate.checksum_mismatch");
    await dir.write(M2, M2_SQL);
  });

  it("warns about migrations recorded in the database but missing on disk", async () => {
    const other = await tempMigrationsDir();
    await other.write(M1, M1_SQL);
    const before = cap.lines.length;
    const result = await migrate(db, { migrationsDir: other.dir, log: cap.log });
    expect(result).toEqual({ applied: [], alreadyApplied: 1 });
    expect(cap.lines.slice(before).find((l) => l.event === "db.migrate.missing_locally")).toMatchObject({
      level: "warn",
      migration: M2,
    });
    await rm(other.dir, { recursive: true, force: true });
  });

  it("stops at a failing migration, keeps nothing of it, and records the failure", async () => {
    await dir.write(M3, M3_SQL);
    const before = cap.lines.length;
    const err = await migrate(db, { migrationsDir: dir.dir, log: cap.log }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).code).toBe("migration_failed");
    expect((err as StartupError).message).toContain(M3);
    expect((err as StartupError).message).toMatch(/duplicate key/);
    expect((err as StartupError).message).toContain("23505");
    expect((err as StartupError).message).toContain("rolled_back_at");

    // Earlier migrations stay; none of the failed one's statements are visible.
    expect(await tableExists(db, "alpha")).toBe(true);
    expect(await tableExists(db, "gamma")).toBe(false);
    expect(await sql(db, 'SELECT count(*)::int AS n FROM "beta"')).toEqual([{ n: 2 }]);

    const [row] = await sql<Row>(
      db,
      "SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations WHERE migration_name = $1",
      [M3],
    );
    expect(row).toMatchObject({
      finished_at: null,
      rolled_back_at: null,
      applied_steps_count: 0,
      checksum: sha256(M3_SQL),
    });
    expect(row?.logs).toMatch(/duplicate key/);
    expect(row?.logs).toContain("23505");
    expect(cap.lines.slice(before).find((l) => l.event === "db.migrate.failed")).toMatchObject({
      level: "error",
      migration: M3,
    });
  });

  it("refuses the next start until the failed migration is resolved", async () => {
    const err = await migrate(db, { migrationsDir: dir.dir, log: cap.log }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as StartupError).code).toBe("migration_pending_failed");
    expect((err as StartupError).message).toContain(M3);
    expect((err as StartupError).message).toContain(
      `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${M3}'`,
    );
    expect(await tableExists(db, "gamma")).toBe(false);
  });

  it("applies the fixed migration once it is marked rolled back", async () => {
    expect(await markMigrationRolledBack(db, M3)).toBe(true);
    const fixed = M3_SQL.replace(
      'INSERT INTO "beta" VALUES (1); -- duplicate key',
      'INSERT INTO "beta" VALUES (3);',
    );
    await dir.write(M3, fixed);
    const result = await migrate(db, { migrationsDir: dir.dir, log: cap.log });
    expect(result).toEqual({ applied: [M3], alreadyApplied: 2 });
    expect(await tableExists(db, "gamma")).toBe(true);
    const rows = await sql<Row>(
      db,
      "SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations WHERE migration_name = $1 ORDER BY started_at",
      [M3],
    );
    // The failed attempt stays as an audit trail, like Prisma's.
    expect(rows).toHaveLength(2);
    expect(rows[0]?.rolled_back_at).toBeInstanceOf(Date);
    expect(rows[1]).toMatchObject({ rolled_back_at: null, applied_steps_count: 1, checksum: sha256(fixed) });
  });

  it("fails a syntax error before running anything of the script", async () => {
    const M4 = "20260104000000_syntax";
    await dir.write(M4, 'CREATE TABLE "delta" ("id" INTEGER);\nSELEC 1;\n');
    const err = await migrate(db, { migrationsDir: dir.dir, log: cap.log }).catch((e: unknown) => e);
    expect((err as StartupError).code).toBe("migration_failed");
    expect((err as StartupError).message).toMatch(/syntax error at or near "SELEC".*line 2/);
    expect(await tableExists(db, "delta")).toBe(false);
  });
});

describe("migrate() on PostgreSQL with several processes starting at once", () => {
  it("applies each migration exactly once (advisory lock)", async () => {
    const t = await createTestDatabase();
    const dir = await tempMigrationsDir();
    const names = ["20260101000000_a", "20260102000000_b", "20260103000000_c"];
    // CREATE TABLE without IF NOT EXISTS: applying any of them twice would fail.
    for (const [i, name] of names.entries()) {
      await dir.write(name, `CREATE TABLE "t${i}" ("id" INTEGER);\nSELECT pg_sleep(0.2);\n`);
    }
    const cap = captureLog();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: t.url, max: 2 }));
    try {
      const results = await Promise.all(
        pools.map((pool) =>
          migrate({ driver: { kind: "postgres", pool } }, { migrationsDir: dir.dir, log: cap.log }),
        ),
      );
      expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
      expect(results.filter((r) => r.applied.length === 3)).toHaveLength(1);
      expect(results.filter((r) => r.alreadyApplied === 3)).toHaveLength(3);
      expect(cap.events()).toContain("db.migrate.lock_wait");

      const check = new pg.Client({ connectionString: t.url });
      await check.connect();
      const { rows } = await check.query(
        "SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY 1 ORDER BY 1",
      );
      // Nobody holds the lock any more.
      const locks = await check.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
      await check.end();
      expect(rows).toEqual(names.map((migration_name) => ({ migration_name, n: 1 })));
      expect(locks.rows).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await t.drop();
      await rm(dir.dir, { recursive: true, force: true });
    }
  });
});

describe("readMigrations errors", () => {
  it("names a migration directory without migration.sql", async () => {
    const dir = await tempMigrationsDir();
    await mkdir(path.join(dir.dir, "20260101000000_empty"));
    const err = await migrate(
      {
        driver: { kind: "postgres", pool: new pg.Pool({ connectionString: "postgresql://x@127.0.0.1:1/x" }) },
      },
      { migrationsDir: dir.dir, log: captureLog().log },
    ).catch((e: unknown) => e);
    expect((err as StartupError).code).toBe("migration_failed");
    expect((err as StartupError).message).toContain("20260101000000_empty");
    await rm(dir.dir, { recursive: true, force: true });
  });

  it("the shipped migrations directory is readable and sorted", async () => {
    const { readMigrations } = await import("../../../src/adapters/db/migrator.ts");
    const files = await readMigrations(path.resolve("prisma/migrations"));
    expect(files[0]?.name).toBe("20261123000000_init");
    expect(files[0]?.checksum).toBe(sha256(await readFile(files[0]!.file)));
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
  });
});
