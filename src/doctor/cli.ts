import { parseArgs } from "node:util";
import { openDatabase } from "../adapters/db/database.ts";
import { migrate } from "../adapters/db/migrator.ts";
import type { Db } from "../app/db.ts";
import { type Config, loadConfig, type RawEnvironment, secretsOf } from "../config.ts";
import { StartupError } from "../errors.ts";
import { MIGRATIONS_DIR } from "../lib/paths.ts";
import { createLogger, type Logger } from "../log.ts";
import { blocksFans, formatReport } from "./report.ts";
import { runDoctor } from "./run.ts";

/**
 * `npm run doctor [-- --fix]`: loads the configuration exactly as the bot does, checks the live
 * accounts and prints the checklist. Returns the exit code: 0 when nothing blocks fans (warnings
 * allowed), 1 when something does or the configuration itself is refused, 2 for a wrong argument.
 */
export async function doctorMain(opts: {
  env: RawEnvironment;
  argv: readonly string[];
  write: (line: string) => void;
  /** Tests pass theirs; otherwise errors only, to stderr, so the checklist stays readable. */
  log?: Logger;
  migrationsDir?: string;
  /**
   * Tests: the configuration as loaded, and the running bot's database (an embedded one allows a
   * single process), instead of opening it.
   */
  config?: Config;
  db?: Db;
}): Promise<number> {
  let fix: boolean;
  try {
    fix = parseArgs({ args: [...opts.argv], options: { fix: { type: "boolean", default: false } } }).values
      .fix;
  } catch (err) {
    opts.write(`${err instanceof Error ? err.message : String(err)}\nUsage: npm run doctor [-- --fix]`);
    return 2;
  }
  let config: Config;
  try {
    config = opts.config ?? loadConfig(opts.env);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    opts.write(err.message.replace(/^tribegate cannot start/, "tribegate's settings are refused"));
    return 1;
  }
  const log =
    opts.log ?? createLogger({ level: "error", secrets: secretsOf(config), destination: process.stderr });
  let db: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    let prisma = opts.db;
    if (!prisma) {
      db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
      await migrate(db, { migrationsDir: opts.migrationsDir ?? MIGRATIONS_DIR, log });
      prisma = db.prisma;
    }
    opts.write(
      `tribegate doctor${fix ? " --fix" : ""}: checking the accounts behind ${config.publicBaseUrl}\n`,
    );
    const results = await runDoctor({ config, db: prisma, log, fix });
    for (const line of formatReport(results)) opts.write(line);
    return blocksFans(results) ? 1 : 0;
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    // The embedded database is one process's: the running bot holds it.
    opts.write(
      err.code === "data_dir_locked"
        ? `${err.message}\nThe doctor reads the bot's database: stop the bot first (its start-up log lists the same problems as doctor.check lines), or use DATABASE_URL (PostgreSQL).`
        : err.message,
    );
    return 1;
  } finally {
    await db?.close();
  }
}
