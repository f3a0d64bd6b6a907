/**
 * `npm run bench`: every benchmark, figures printed as a table and written to bench/results/*.json.
 * Deterministic inputs; sized for a 2-core machine (a few minutes in all).
 *
 *   npm run bench                 all
 *   npm run bench -- ingest       only the named ones (ingest, discord, footprint)
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { benchDiscordReconcile } from "./discord-reconcile.ts";
import { benchFootprint } from "./footprint.ts";
import { benchIngest } from "./ingest.ts";
import { printAndSave, record, stopBenchServer } from "./lib.ts";

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
    if (wanted("discord")) {
      console.log("Discord reconciliation of 10,000 members against the rate limits…");
      const r = await benchDiscordReconcile({ members: 10_000, lost: 30, lapsed: 10 });
      if (!r.repair.correct) throw new Error("Discord reconciliation ended in a wrong state");
      const b = "discord reconcile 10k";
      record({
        bench: b,
        metric: "read: REST GETs (member pages)",
        value: r.read.restGets,
        unit: "requests",
      });
      record({ bench: b, metric: "read: whole dry run", value: r.read.ms, unit: "ms" });
      record({ bench: b, metric: "repair: role calls", value: r.repair.roleCalls, unit: "requests" });
      record({ bench: b, metric: "repair: first→last call", value: r.repair.firstToLastCallMs, unit: "ms" });
      record({ bench: b, metric: "repair: rate-limit bound", value: r.repair.boundMs, unit: "ms" });
      record({
        bench: b,
        metric: "repair: time / bound",
        value: r.repair.boundMs ? Math.round((r.repair.firstToLastCallMs / r.repair.boundMs) * 1000) / 10 : 0,
        unit: "%",
      });
      record({
        bench: b,
        metric: "429s received",
        value: r.repair.route429s + r.repair.global429s,
        unit: "answers",
      });
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
