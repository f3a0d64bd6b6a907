import { sigkillSuite } from "./sigkill-scenario.ts";

/** FAULT: SIGKILL of the real process at seeded random points, on PostgreSQL (see sigkill-scenario.ts). */
sigkillSuite("postgres", 30);
