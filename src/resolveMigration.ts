/**
 * `npm run db:resolve -- --rolled-back <migration>`: marks a failed migration as rolled back, so the
 * next start applies it again (what `prisma migrate resolve --rolled-back` does, without Prisma's
 * native engine, and on the embedded database too). Reads only DATABASE_URL and DATA_DIR.
 * Run it while tribegate is stopped (the embedded database allows one process).
 */
import path from "node:path";
import { openDatabase } from "./adapters/db/database.ts";
import { markMigrationRolledBack } from "./adapters/db/migrator.ts";
import { readEnvironment } from "./config.ts";
import { StartupError } from "./errors.ts";
import { createLogger } from "./log.ts";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flag = args.indexOf("--rolled-back");
  const name = flag >= 0 ? args[flag + 1] : undefined;
  if (!name) {
    console.error("Usage: npm run db:resolve -- --rolled-back <migration name, e.g. 20261123000000_init>");
    return 2;
  }
  const { values } = readEnvironment();
  const log = createLogger({ level: "warn", pretty: false });
  const db = await openDatabase({
    databaseUrl: values.DATABASE_URL?.trim() || undefined,
    dataDir: path.resolve(values.DATA_DIR?.trim() || "./data"),
    log,
  });
  try {
    const marked = await markMigrationRolledBack(db, name);
    console.error(
      marked
        ? `Marked ${name} as rolled back. Make sure the database is as it was before it, then start tribegate: it applies ${name} again.`
        : `No failed, unresolved migration named ${name}: nothing to do.`,
    );
    return marked ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof StartupError ? err.message : err);
    process.exit(1);
  },
);
