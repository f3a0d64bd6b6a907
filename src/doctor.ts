import { readEnvironment } from "./config.ts";
import { doctorMain } from "./doctor/cli.ts";

/** `npm run doctor [-- --fix]`: see src/doctor/cli.ts. */
process.exitCode = await doctorMain({
  env: readEnvironment(),
  argv: process.argv.slice(2),
  write: (line) => process.stdout.write(`${line}\n`),
});
// Leave even if a client keeps a socket alive for reuse.
setTimeout(() => process.exit(), 1_000).unref();
