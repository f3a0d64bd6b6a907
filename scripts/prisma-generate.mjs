#!/usr/bin/env node
// Runs `prisma generate` offline. Prisma's CLI tries to download its native schema engine unless
// PRISMA_SCHEMA_ENGINE_BINARY names an existing executable; `generate` never runs it, so any
// executable will do (we point it at Node itself). See ../shared/notes/prisma-offline.md.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, "generate", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});
process.exit(result.status ?? 1);
