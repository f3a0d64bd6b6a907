import { startTribegate } from "./bootstrap.ts";
import { type Config, loadConfig, readEnvironment, secretsOf } from "./config.ts";
import { StartupError } from "./errors.ts";
import { createLogger, type Logger } from "./log.ts";

/**
 * The long-lived bot process (`npm start`). Exit codes: 0 after a clean shutdown, 1 when it cannot
 * start (the reason is printed in plain words, without a stack trace), 2 when shutdown overran
 * SHUTDOWN_TIMEOUT_MS.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(readEnvironment());
  } catch (err) {
    fail(err);
    return;
  }
  const log = createLogger({
    level: config.log.level,
    secrets: secretsOf(config),
    ...(config.log.format === "auto" ? {} : { pretty: config.log.format === "pretty" }),
  });

  let app: Awaited<ReturnType<typeof startTribegate>>;
  try {
    app = await startTribegate({ config, log });
  } catch (err) {
    fail(err, log);
    return;
  }

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn({ event: "shutdown.forced", signal }, "second signal: exiting now");
      process.exit(2);
    }
    signalled = true;
    log.info({ event: "shutdown.signal", signal }, `received ${signal}`);
    const overrun = setTimeout(() => {
      log.error(
        { event: "shutdown.timeout", timeoutMs: config.shutdownTimeoutMs },
        "shutdown took too long; exiting",
      );
      process.exit(2);
    }, config.shutdownTimeoutMs);
    overrun.unref();
    app.stop().then(
      () => {
        clearTimeout(overrun);
        // Leave once the last log line is written, even if a library left a handle open.
        log.flush(() => process.exit(0));
      },
      (err: unknown) => {
        log.error({ event: "shutdown.failed", err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

function fail(err: unknown, log?: Logger): void {
  if (err instanceof StartupError) {
    log?.fatal({ event: "startup.failed", code: err.code }, err.message.split("\n")[0] ?? err.message);
    log?.flush();
    // One shape for every refusal: the config's own list, or one line for the database, a token...
    console.error(
      err.message.startsWith("tribegate cannot start")
        ? err.message
        : `tribegate cannot start:\n  - ${err.message}`,
    );
  } else {
    // Not the user's fault: a bug. Keep the stack for the report.
    log?.fatal({ event: "startup.crashed", err }, "tribegate crashed while starting");
    log?.flush();
    console.error("tribegate crashed while starting:", err);
  }
  process.exitCode = 1;
  // Exit even if a half-opened client still holds a handle.
  setTimeout(() => process.exit(1), 2_000).unref();
}

await main();
