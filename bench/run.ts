/**
 * `npm run bench`: every benchmark, figures printed as a table and written to bench/results/*.json.
 * Deterministic inputs; sized for a 2-core machine (about 26 minutes in all, the launch about 12).
 *
 *   npm run bench                 all
 *   npm run bench -- ingest       only the named ones (ingest, payment, launch, discord, votes, failover, page, footprint)
 *   npm run bench -- launch --fans 200 --window-s 12 --backend postgres --mode test
 *                                 the launch with its options (bench/stripe-launch.ts)
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { benchDiscordReconcileIsolated, recordDiscordReconcile } from "./discord-reconcile.ts";
import { benchFailover } from "./failover.ts";
import { benchFootprint } from "./footprint.ts";
import { benchIngest } from "./ingest.ts";
import { printAndSave, stopBenchServer } from "./lib.ts";
import { benchPaymentAccess } from "./payment-access.ts";
import { benchLaunchSuite, parseLaunchArgs } from "./stripe-launch.ts";
import { benchTribePage } from "./tribe-page.ts";
import { benchVoteBurst } from "./vote-burst.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const only = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
/** Options for the named benchmarks (only `launch` takes any). */
const flags = args.filter((a) => !only.includes(a));
const wanted = (name: string) => only.length === 0 || only.includes(name);

async function main(): Promise<void> {
  try {
    if (wanted("ingest")) {
      for (const backend of ["pglite", "postgres"] as const) {
        console.log(`ingest on ${backend}…`);
        await benchIngest(backend, { fans: 500, concurrency: 16 });
      }
    }
    if (wanted("payment")) {
      for (const backend of ["pglite", "postgres"] as const) {
        console.log(`payment → access on ${backend}…`);
        await benchPaymentAccess(backend, { fans: 200, concurrency: 16 });
      }
    }
    if (wanted("launch") || wanted("stripe-launch")) {
      // `npm run bench -- launch [--fans N] [--window-s S] [--backend …] [--mode …]`: see bench/stripe-launch.ts.
      await benchLaunchSuite(parseLaunchArgs(flags));
    }
    if (wanted("discord")) {
      // The same 40 drifted members at both sizes: the repair phase stays bounded, the read grows.
      for (const members of [10_000, 100_000]) {
        console.log(`Discord reconciliation of ${members} members against the rate limits…`);
        const r = await benchDiscordReconcileIsolated({ members, lost: 30, lapsed: 10 });
        if (!r.repair.correct) throw new Error("Discord reconciliation ended in a wrong state");
        recordDiscordReconcile(r);
      }
    }
    if (wanted("votes")) {
      for (const backend of ["pglite", "postgres"] as const) {
        console.log(
          `vote burst on ${backend}: 10,000 votes from 5,000 members on Discord and Telegram, then 10,000 budget presses…`,
        );
        await benchVoteBurst(backend, {
          members: 5_000,
          votes: 10_000,
          budgetPresses: 10_000,
          inFlight: 200,
          seed: 7,
        });
      }
    }
    if (wanted("failover")) {
      console.log("failover on postgres: three processes, the leader SIGKILLed 10 times…");
      await benchFailover({ kills: 10 });
    }
    if (wanted("page")) {
      for (const backend of ["pglite", "postgres"] as const) {
        console.log(`the tribe's page on ${backend}: 3,000 visits, 32 at a time…`);
        await benchTribePage(backend);
      }
    }
    if (wanted("footprint")) {
      console.log("building (npm run build) for the footprint benchmark…");
      const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
      if (build.status !== 0) throw new Error("npm run build failed");
      for (const backend of ["pglite", "postgres"] as const) {
        console.log(`footprint on ${backend}…`);
        await benchFootprint(backend, { members: 100_000 });
      }
    }
  } finally {
    await stopBenchServer();
  }
  printAndSave(`npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`);
}

await main();
