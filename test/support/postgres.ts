import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { openDatabase } from "../../src/adapters/db/database.ts";
import { migrate } from "../../src/adapters/db/migrator.ts";
import type { Db } from "../../src/app/db.ts";
import { MIGRATIONS_DIR } from "../../src/lib/paths.ts";
import { createLogger } from "../../src/log.ts";
import type {} from "./global-setup.ts"; // the ProvidedContext declaration

/**
 * Test databases. Every test file gets its own, so files run in parallel without interfering:
 * - PostgreSQL: `createTestDatabase()` makes a fresh, uniquely named database on the server the
 *   global setup provides (TEST_DATABASE_URL or a throwaway cluster), and drops it afterwards.
 * - PGlite: `createTestDataDir()` makes an empty temp directory for `openDatabase({ dataDir })`.
 */

/** URL of the test server's maintenance database (postgres). Throws the setup's error when there is none. */
export function testServerUrl(): string {
  const provision = inject("tribegatePostgres");
  if (!provision) {
    throw new Error("No PostgreSQL provision: run the tests through vitest (test/support/global-setup.ts).");
  }
  if ("error" in provision) throw new Error(provision.error);
  return provision.url;
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  /** postgresql://…/<name>, for openDatabase({ databaseUrl }) or pg.Pool. */
  url: string;
  name: string;
  /** Ends whatever is still connected and drops the database. */
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tribegate_test_${process.pid}_${++counter}_${randomBytes(3).toString("hex")}`;
  await onServer((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await onServer(async (c) => {
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      });
    },
  };
}

export interface TestDataDir {
  /** An empty directory, created for this test. */
  dir: string;
  remove(): Promise<void>;
}

/** An empty temp directory for an embedded (PGlite) database; remove() deletes it and everything in it. */
export async function createTestDataDir(): Promise<TestDataDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tribegate-test-data-"));
  return {
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A migrated database for a test: embedded (PGlite, in a temporary folder), or a fresh one on the test PostgreSQL server. */
export async function openMigratedDb(
  backend: "pglite" | "postgres" = "pglite",
): Promise<{ db: Db; close: () => Promise<void> }> {
  const log = createLogger({ level: "silent" });
  if (backend === "postgres") {
    const pg = await createTestDatabase();
    const database = await openDatabase({ databaseUrl: pg.url, dataDir: "/nonexistent", log });
    await migrate(database, { migrationsDir: MIGRATIONS_DIR, log });
    return {
      db: database.prisma,
      close: async () => {
        await database.close();
        await pg.drop();
      },
    };
  }
  const dataDir = await createTestDataDir();
  const database = await openDatabase({ dataDir: dataDir.dir, log });
  await migrate(database, { migrationsDir: MIGRATIONS_DIR, log });
  return {
    db: database.prisma,
    close: async () => {
      await database.close();
      await dataDir.remove();
    },
  };
}
