/**
 * `npm run bench`: every benchmark, figures printed as a table and written to bench/results/*.json.
 * Deterministic inputs; sized for a 2-core machine (a few minutes in all).
 *
 *   npm run bench                 all
 *   npm run bench -- ingest       only the named ones (ingest, payment, stripe-launch, discord, votes, footprint)
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { benchDiscordReconcileIsolated, recordDiscordReconcile } from "./discord-reconcile.ts";
import { benchFootprint } from "./footprint.ts";
import { benchIngest } from "./ingest.ts";
import { printAndSave, stopBenchServer } from "./lib.ts";
import { benchPaymentAccess } from "./payment-access.ts";
import { benchStripeLaunch } from "./stripe-launch.ts";
import { benchVoteBurst } from "./vote-burst.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const only = process.argv.slice(2);
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
    if (wanted("stripe-launch")) {
      for (const backend of ["pglite", "postgres"] as const) {
        // 100 fans for now: at 300, webhooks that re-read Stripe inside the request hold the database
        // too long (Prisma P2028 on PostgreSQL); issue #14's durable webhook queue is what lifts it.
        console.log(
          `Stripe launch on ${backend}: 100 fans pay within 60 s, test-mode limits, 150–400 ms latency…`,
        );
        await benchStripeLaunch(backend, { fans: 100, windowS: 60 });
      }
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
        console.log(`vote burst on ${backend}: 10,000 votes from 5,000 members on Discord and Telegram…`);
        await benchVoteBurst(backend, { members: 5_000, votes: 10_000, inFlight: 200, seed: 7 });
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
  printAndSave(`npm run bench${only.length ? ` -- ${only.join(" ")}` : ""}`);
}

await main();
