import type Stripe from "stripe";
import { createStripeClient } from "../adapters/stripe/billing.ts";
import type { Db } from "../app/db.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { checkDiscord } from "./discord.ts";
import { blocking, type CheckArea, type CheckResult, formatLine } from "./report.ts";
import { checkStripe } from "./stripe.ts";
import { checkTelegram } from "./telegram.ts";

/**
 * Every check against the live accounts, through the configured keys and API URLs. With `fix`
 * (the creator's consent), also repairs what the APIs allow: the Stripe webhook endpoint and portal
 * configuration, Discord's commands, Telegram bindings of a migrated group.
 */
export async function runDoctor(opts: {
  config: Config;
  db: Db;
  log: Logger;
  fix?: boolean;
  /** The bot's own client when it runs the checks (its Stripe budget); else one made for the run. */
  stripe?: Stripe;
}): Promise<CheckResult[]> {
  const { config, db, log } = opts;
  const fix = opts.fix ?? false;
  // Areas run one after the other: the output reads in order and no API sees a burst.
  const areas: [CheckArea, () => Promise<CheckResult[]>][] = [
    [
      "Stripe",
      () => checkStripe({ config, db, stripe: opts.stripe ?? createStripeClient(config.stripe), fix }),
    ],
  ];
  const discord = config.discord;
  if (discord)
    areas.push([
      "Discord",
      () => checkDiscord({ config: discord, db, fix, publicBaseUrl: config.publicBaseUrl }),
    ]);
  const telegram = config.telegram;
  if (telegram) areas.push(["Telegram", () => checkTelegram({ config: telegram, db, log, fix })]);
  const results: CheckResult[] = [];
  for (const [area, check] of areas) {
    try {
      results.push(...(await check()));
    } catch (err) {
      log.debug({ event: "doctor.area_failed", area, err }, "a doctor check failed");
      results.push(
        blocking(
          area,
          "unexpected",
          `could not finish the checks: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}; run npm run doctor again, and report it if it persists`,
        ),
      );
    }
  }
  return results;
}

/**
 * The same checks at start-up, as warnings in the log (`doctor.check`, one per problem): started
 * after the bot is up and never awaited, so they neither block nor delay it. `--fix` is never
 * applied here: repairs need the creator's consent.
 */
export function runStartupChecks(opts: {
  config: Config;
  db: Db;
  log: Logger;
  stripe?: Stripe;
}): Promise<void> {
  const log = opts.log.child({ module: "doctor" });
  return runDoctor({ ...opts, log, fix: false }).then(
    (results) => {
      const problems = results.filter((r) => r.status === "blocking" || r.status === "warning");
      for (const r of problems) {
        log.warn(
          { event: "doctor.check", area: r.area, check: r.check, blocksFans: r.status === "blocking" },
          formatLine(r),
        );
      }
      log.info(
        { event: "doctor.done", checks: results.length, problems: problems.length },
        problems.length ? "set-up checks found problems: run npm run doctor" : "set-up checks passed",
      );
    },
    (err: unknown) => log.warn({ event: "doctor.failed", err }, "the set-up checks could not run"),
  );
}
