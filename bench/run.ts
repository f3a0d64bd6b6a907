/**
 * `npm run bench`: every benchmark, figures printed as a table and written to bench/results/*.json.
 * Deterministic inputs; sized for a 2-core machine (a few minutes in all).
 *
 *   npm run bench                 all
 *   npm run bench -- ingest       only the named ones (ingest, footprint, discord)
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { benchFootprint } from "./footprint.ts";
import { benchIngest } from "./ingest.ts";
import { printAndSave, stopBenchServer } from "./lib.ts";

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
