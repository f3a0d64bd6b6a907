import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  createMigration,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA,
  diffSchemaAgainstMigrations,
  MIGRATION_LOCK_TOML,
  migrationTimestamp,
  sanitizeMigrationName,
} from "../../../scripts/migrate-new.ts";

const run = promisify(execFile);
const tsx = path.resolve("node_modules/.bin/tsx");

describe("scripts/migrate-new.ts", () => {
  it("--check reports no drift between prisma/schema.prisma and prisma/migrations", async () => {
    const result = await run(tsx, ["scripts/migrate-new.ts", "--check"]).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout + e.stderr,
      }),
    );
    expect(
      result.code,
      `prisma/schema.prisma has changes that no migration creates: run \`npm run migrate:new -- <name>\`.\n${result.stdout}`,
    ).toBe(0);
    expect(result.stdout).toContain("No schema changes");
  });

  it("writes a new migration for a schema change, after the newest one, and then sees no drift", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "tribegate-test-migrate-new-"));
    try {
      const migrationsDir = path.join(work, "migrations");
      const schemaPath = path.join(work, "schema.prisma");
      await cp(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
      // Bring the copied migrations up to the working schema first (it may be ahead of them).
      await writeFile(schemaPath, await readFile(DEFAULT_SCHEMA, "utf8"));
      await createMigration({ name: "catch_up", schemaPath, migrationsDir });
      const existing = (await readdir(migrationsDir)).filter((n) => n !== "migration_lock.toml").sort();

      await writeFile(
        schemaPath,
        `${await readFile(DEFAULT_SCHEMA, "utf8")}\nmodel Widget {\n  id Int @id @default(autoincrement())\n  name String @unique\n\n  @@map("widget")\n}\n`,
      );
      const drift = await diffSchemaAgainstMigrations({ schemaPath, migrationsDir });
      expect(drift.sql).toContain('CREATE TABLE "widget"');

      // A clock behind the newest migration still yields a name that sorts last.
      const created = await createMigration({
        name: "Add widget!",
        schemaPath,
        migrationsDir,
        now: new Date("2020-01-01T00:00:00Z"),
      });
      expect(created).toBeDefined();
      const name = path.basename(created!.dir);
      expect(name).toMatch(/^\d{14}_add_widget$/);
      expect(name > existing.at(-1)!).toBe(true);
      expect(await readFile(path.join(created!.dir, "migration.sql"), "utf8")).toBe(drift.sql);
      expect(await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toBe(
        MIGRATION_LOCK_TOML,
      );

      expect((await diffSchemaAgainstMigrations({ schemaPath, migrationsDir })).sql).toBe("");
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);

  it("formats names and timestamps like Prisma", () => {
    expect(migrationTimestamp(new Date("2026-11-23T07:08:09.999Z"))).toBe("20261123070809");
    expect(sanitizeMigrationName("Add member-history table")).toBe("add_member_history_table");
    expect(sanitizeMigrationName("!!!")).toBe("");
  });
});
