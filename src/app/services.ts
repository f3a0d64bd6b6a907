import type { Logger } from "../log.ts";
import type { Billing } from "./billing/billing.ts";
import type { Db } from "./db.ts";
import type { Platform } from "./platform.ts";
import type { PortUseCases, UseCases } from "./useCases.ts";
import type { Clock } from "./worker.ts";

/** What the use cases run on, built once by the composition root. */
export interface CoreServices {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  /** https address of this bot (checkout return pages, webhooks). */
  publicBaseUrl: string;
  /** Wakes the access and task workers after a use case enqueued work. */
  onWork: () => void;
}

/**
 * What every use case may need. Use cases take the subset they use (they are typed structurally),
 * so tests can pass exactly what a case needs.
 */
export interface AppServices extends CoreServices {
  /** Every platform attached to this process, complete before the services are built. */
  platforms: readonly Platform[];
}

/** What a platform adapter sees of the services: use cases, never the database client. */
interface AdapterView {
  clock: Clock;
  log: Logger;
  publicBaseUrl: string;
  onWork: () => void;
}

/**
 * What a platform's ports may use, built before the platforms (the ports are part of them): the
 * use cases that need no other platform.
 */
export interface PortServices extends AdapterView {
  app: PortUseCases;
}

/** What a platform's handlers get once every platform exists: every use case. */
export interface AdapterServices extends AdapterView {
  app: UseCases;
  platforms: readonly Platform[];
}
