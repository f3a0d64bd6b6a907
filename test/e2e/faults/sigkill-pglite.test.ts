import { sigkillSuite } from "./sigkill-scenario.ts";

/**
 * FAULT: SIGKILL of the real process at seeded random points, on the embedded PGlite (see
 * sigkill-scenario.ts): each restart must also take over the lock file the killed process left.
 */
sigkillSuite("pglite", 20);
