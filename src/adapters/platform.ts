import type { AccessExecutor } from "../app/access/accessWorker.ts";
import type { Notifier } from "../app/notify.ts";
import type { AccessReader } from "../app/reconcile/platforms.ts";
import type { TaskHandler } from "../app/taskWorker.ts";
import type { Route } from "./routes.ts";

/** Where a platform's connection stands (the readiness check reports it). */
export type PlatformStatus = "starting" | "connecting" | "ready" | "stopped" | "failed";

/**
 * What a platform adapter (Discord, Telegram) plugs into the composition root: how it executes
 * access jobs, messages fans, reads who holds what (reconciliation), and any HTTP routes it serves.
 */
export interface PlatformParts {
  executor?: AccessExecutor;
  notifier?: Notifier;
  reader?: AccessReader;
  routes?: Route[];
  /** Durable task handlers by kind (work the platform retries across restarts). */
  tasks?: Record<string, TaskHandler>;
  /** Called on shutdown before the client is closed (stop timers, flush coalesced edits). */
  stop?: () => Promise<void>;
  /**
   * Called on shutdown once the client is closed, before the database: finishes the work that
   * arrived between `stop` and the client closing (Discord interactions keep coming until then).
   */
  afterClose?: () => Promise<void>;
}
