import type { Logger } from "../log.ts";
import type { Billing } from "./billing/billing.ts";
import type { Db } from "./db.ts";
import type { Platform } from "./platform.ts";
import type { Clock } from "./worker.ts";

/**
 * What every use case may need, built once by the composition root and handed to the platform
 * adapters. Use cases take the subset they use (they are typed structurally), so tests can pass
 * exactly what a case needs.
 */
export interface AppServices {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  /** https address of this bot (checkout return pages, webhooks). */
  publicBaseUrl: string;
  /** Wakes the access and task workers after a use case enqueued work. */
  onWork: () => void;
  /** Every platform attached to this process, complete before the services are built. */
  platforms: readonly Platform[];
}

/**
 * What a platform's ports may use: the services without the platforms (the ports are built first,
 * and are part of them).
 */
export type PortServices = Omit<AppServices, "platforms">;
