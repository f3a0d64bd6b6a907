import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { StartupError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Database, DatabaseDriver } from "./database.ts";

/**
 * Applies prisma/migrations/<name>/migration.sql at start-up, the way `prisma migrate deploy` does,
 * without Prisma's native schema engine (it cannot be downloaded here; see
 * shared/notes/prisma-offline.md). Bookkeeping goes into Prisma's own `_prisma_migrations` table,
 * so `prisma migrate status` on a machine with the full CLI agrees with us.
 *
 * Per migration: insert its row (checksum = sha256 of the file's bytes), run the whole script in ONE
 * simple-protocol call — PostgreSQL (and PGlite, verified) runs a multi-statement simple query as a
 * single implicit transaction, so a failing script leaves nothing behind — then set
 * finished_at/applied_steps_count. On failure the row keeps finished_at NULL plus the error in `logs`,
 * and later starts refuse to run (Prisma's P3009) until someone resolves it.
 *
 * On PostgreSQL the whole run holds Prisma's advisory lock on one dedicated connection, so several
 * processes starting at once apply each migration exactly once. PGlite is single-process (the data
 * directory lock in data-dir-lock.ts guarantees that).
 */

/** Prisma's DDL for PostgreSQL, verbatim (plus IF NOT EXISTS). */
export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

/** The advisory lock key Prisma's schema engine uses for migrations. */
export const MIGRATION_ADVISORY_LOCK_KEY = 72707369;

export interface MigrationFile {
  /** Directory name, e.g. 20261123000000_init. */
  name: string;
  /** Absolute path of its migration.sql. */
  file: string;
  sql: string;
  /** sha256 hex of the file's bytes, as Prisma computes it. */
  checksum: string;
  /**
   * Checksums of the same script with LF and with CRLF line endings: a file applied on one system
   * and checked out with the other line endings later (git autocrlf) is not "modified", as in Prisma.
   */
  equivalentChecksums: string[];
}

export interface MigrateResult {
  /** Names applied by this run, in order. */
  applied: string[];
  /** How many migrations on disk were already applied. */
  alreadyApplied: number;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

/** One connection: bookkeeping queries with parameters, scripts through the simple protocol. */
interface Session {
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  runScript(script: string): Promise<void>;
  close(): Promise<void>;
}

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Reads `<dir>/<name>/migration.sql` for every sub-directory, sorted by name (byte order, like the engine). */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    const entries = await readdir(migrationsDir, { withFileTypes: true });
    names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    throw new StartupError(
      "migration_failed",
      `Cannot read the migrations directory ${migrationsDir}: ${(err as Error).message}. ` +
        "It ships with tribegate (prisma/migrations); reinstall or run from the project directory.",
      { cause: err },
    );
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, "migration.sql");
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new StartupError(
        "migration_failed",
        `Migration ${name} has no readable migration.sql (${(err as Error).message}). ` +
          `Every directory in ${migrationsDir} must hold one; remove stray directories.`,
        { cause: err },
      );
    }
    const sql = bytes.toString("utf8");
    const lf = sql.replaceAll("\r\n", "\n");
    out.push({
      name,
      file,
      sql,
      checksum: sha256(bytes),
      equivalentChecksums: [sha256(bytes), sha256(lf), sha256(lf.replaceAll("\n", "\r\n"))],
    });
  }
  return out;
}

async function openSession(driver: DatabaseDriver): Promise<Session> {
  if (driver.kind === "pglite") {
    const { pglite } = driver;
    return {
      async query<R>(sql: string, params?: unknown[]) {
        return (await pglite.query<R>(sql, params)).rows;
      },
      async runScript(script: string) {
        await pglite.exec(script); // simple query protocol: one implicit transaction
      },
      async close() {},
    };
  }
  const client: pg.PoolClient = await driver.pool.connect();
  return {
    async query<R>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params)).rows as R[];
    },
    async runScript(script: string) {
      await client.query(script); // no parameters → simple query protocol: one implicit transaction
    },
    async close() {
      // Destroy rather than return to the pool: a migration may have changed session state
      // (SET search_path, ...) that Prisma's queries must not inherit.
      client.release(true);
    },
  };
}

interface DbErrorFields {
  message?: string;
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

function lineOf(script: string, position: string | undefined): number | undefined {
  const pos = Number(position);
  if (!Number.isInteger(pos) || pos < 1) return undefined;
  return script.slice(0, pos - 1).split("\n").length;
}

/** The text stored in `_prisma_migrations.logs`, shaped like Prisma's. */
function failureLogs(err: unknown, m: MigrationFile): string {
  const e = (err ?? {}) as DbErrorFields;
  const line = lineOf(m.sql, e.position);
  const parts = [`Migration name: ${m.name}`];
  if (e.code) parts.push(`Database error code: ${e.code}`);
  parts.push(`Database error:\n${e.message ?? String(err)}`);
  if (line !== undefined) parts.push(`Position: line ${line} of migration.sql`);
  if (e.detail) parts.push(`DETAIL: ${e.detail}`);
  if (e.hint) parts.push(`HINT: ${e.hint}`);
  if (e.where) parts.push(`WHERE: ${e.where}`);
  return parts.join("\n\n");
}

function rollbackSql(name: string): string {
  const quoted = name.replaceAll("'", "''");
  return (
    `UPDATE _prisma_migrations SET rolled_back_at = now() ` +
    `WHERE migration_name = '${quoted}' AND finished_at IS NULL AND rolled_back_at IS NULL;`
  );
}

function howToResolve(name: string, driver: DatabaseDriver): string {
  const where =
    driver.kind === "pglite"
      ? "on the embedded database (while tribegate is stopped)"
      : "on the database in DATABASE_URL (e.g. with psql)";
  return (
    `then mark it rolled back so that it is applied again on the next start: ` +
    `npm run db:resolve -- --rolled-back ${name} (or run ${where}: ${rollbackSql(name)})` +
    (driver.kind === "postgres"
      ? ` — or, where the Prisma CLI is installed: npx prisma migrate resolve --rolled-back ${name}`
      : "")
  );
}

function pendingFailedError(rows: MigrationRow[], driver: DatabaseDriver): StartupError {
  const first = rows[0]!;
  const firstLogLine = first.logs
    ?.split("\n")
    .find((l) => l.trim() && !l.startsWith("Migration name:") && !l.startsWith("Database error"))
    ?.trim();
  const names = rows.map((r) => r.migration_name).join(", ");
  return new StartupError(
    "migration_pending_failed",
    `The database has a migration that failed earlier and was never resolved: ${names} ` +
      `(started ${first.started_at.toISOString()}${firstLogLine ? `, error: ${firstLogLine}` : ""}). ` +
      "tribegate will not start on a database whose state it cannot vouch for. To recover: make sure the " +
      "database is as it was before that migration (tribegate runs each migration as one transaction, so " +
      "normally nothing of it was kept; if someone applied part of it by hand, undo that), " +
      howToResolve(first.migration_name, driver),
  );
}

function migrationFailedError(err: unknown, m: MigrationFile, driver: DatabaseDriver): StartupError {
  const e = (err ?? {}) as DbErrorFields;
  const line = lineOf(m.sql, e.position);
  const reason =
    (e.message ?? String(err)) +
    (e.code ? ` (SQLSTATE ${e.code})` : "") +
    (line !== undefined ? ` at line ${line} of ${m.file}` : "") +
    (e.detail ? `. Detail: ${e.detail}` : "") +
    (e.hint ? `. Hint: ${e.hint}` : "");
  return new StartupError(
    "migration_failed",
    `Migration ${m.name} failed: ${reason}. ` +
      "It ran as one transaction, so none of its statements were kept; the migrations before it stay " +
      "applied. The failure is recorded in _prisma_migrations and tribegate will refuse to start until it is " +
      "resolved: fix the cause (often existing data that the migration trips over), " +
      howToResolve(m.name, driver),
    { cause: err },
  );
}

export async function migrate(
  db: Pick<Database, "driver">,
  opts: { migrationsDir: string; log: Logger },
): Promise<MigrateResult> {
  const { log } = opts;
  const t0 = Date.now();
  const files = await readMigrations(opts.migrationsDir);
  const session = await openSession(db.driver);
  let locked = false;
  try {
    if (db.driver.kind === "postgres") {
      const [got] = await session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
        MIGRATION_ADVISORY_LOCK_KEY,
      ]);
      if (!got?.ok) {
        log.info(
          { event: "db.migrate.lock_wait", key: MIGRATION_ADVISORY_LOCK_KEY },
          "another process is migrating this database; waiting for it to finish",
        );
        await session.query("SELECT pg_advisory_lock($1)", [MIGRATION_ADVISORY_LOCK_KEY]);
      }
      locked = true;
    }

    await session.runScript(MIGRATIONS_TABLE_DDL);
    const rows = await session.query<MigrationRow>(
      "SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count " +
        "FROM _prisma_migrations ORDER BY started_at, migration_name",
    );

    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed.length > 0) {
      log.error(
        { event: "db.migrate.pending_failed", migrations: failed.map((r) => r.migration_name) },
        "a previously failed migration is unresolved",
      );
      throw pendingFailedError(failed, db.driver);
    }

    const applied = new Map<string, MigrationRow>();
    for (const r of rows) {
      if (r.finished_at !== null && r.rolled_back_at === null) applied.set(r.migration_name, r);
    }
    const onDisk = new Set(files.map((f) => f.name));
    for (const name of applied.keys()) {
      if (!onDisk.has(name)) {
        log.warn(
          { event: "db.migrate.missing_locally", migration: name },
          `migration ${name} is recorded in the database but missing from ${opts.migrationsDir} ` +
            "(is this an older tribegate than the one that migrated the database?)",
        );
      }
    }
    for (const f of files) {
      const row = applied.get(f.name);
      if (row && !f.equivalentChecksums.includes(row.checksum)) {
        log.warn(
          {
            event: "db.migrate.checksum_mismatch",
            migration: f.name,
            recorded: row.checksum,
            file: f.checksum,
          },
          `migration ${f.name} was modified after it was applied; the change is NOT applied to this database`,
        );
      }
    }

    const pending = files.filter((f) => !applied.has(f.name));
    const done: string[] = [];
    for (const m of pending) {
      const id = randomUUID();
      await session.query(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) " +
          "VALUES ($1, $2, $3, now(), 0)",
        [id, m.checksum, m.name],
      );
      const tm = Date.now();
      try {
        await session.runScript(m.sql);
      } catch (err) {
        // If the script opened its own transaction, the session is now in an aborted one.
        await session.runScript("ROLLBACK").catch(() => undefined);
        const logs = failureLogs(err, m);
        await session
          .query("UPDATE _prisma_migrations SET logs = $1 WHERE id = $2", [logs, id])
          .catch((e: unknown) =>
            log.error(
              { event: "db.migrate.record_failed", migration: m.name, err: e },
              "could not record the failure",
            ),
          );
        const error = migrationFailedError(err, m, db.driver);
        log.error(
          {
            event: "db.migrate.failed",
            migration: m.name,
            code: (err as DbErrorFields).code,
            ms: Date.now() - tm,
          },
          error.message,
        );
        throw error;
      }
      await session.query(
        "UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1",
        [id],
      );
      done.push(m.name);
      log.info(
        { event: "db.migrate.applied", migration: m.name, ms: Date.now() - tm },
        `applied migration ${m.name}`,
      );
    }

    const result = { applied: done, alreadyApplied: files.length - pending.length };
    log.info(
      {
        event: "db.migrate.done",
        applied: done.length,
        alreadyApplied: result.alreadyApplied,
        ms: Date.now() - t0,
      },
      done.length ? `applied ${done.length} migration(s)` : "database schema is up to date",
    );
    return result;
  } finally {
    if (locked) {
      await session
        .query("SELECT pg_advisory_unlock($1)", [MIGRATION_ADVISORY_LOCK_KEY])
        .catch(() => undefined); // closing the connection below releases it anyway
    }
    await session.close();
  }
}

/**
 * Marks an unresolved failed migration as rolled back (what `prisma migrate resolve --rolled-back`
 * does), so that the next `migrate()` applies it again. Returns false when there was nothing to mark.
 * For an operator command; the database must already be in its pre-migration state.
 */
export async function markMigrationRolledBack(db: Pick<Database, "driver">, name: string): Promise<boolean> {
  const session = await openSession(db.driver);
  try {
    await session.runScript(MIGRATIONS_TABLE_DDL);
    const rows = await session.query<{ id: string }>(
      "UPDATE _prisma_migrations SET rolled_back_at = now() " +
        "WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL RETURNING id",
      [name],
    );
    return rows.length > 0;
  } finally {
    await session.close();
  }
}
