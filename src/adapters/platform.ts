import type { Platform } from "../app/platform.ts";
import type { AdapterServices } from "../app/services.ts";
import type { Route } from "./routes.ts";

/** Where a platform's connection stands (the readiness check reports it). */
/** "standby": the API is usable, the gateway or long poll is held by the leader process. */
export type PlatformStatus = "starting" | "connecting" | "ready" | "standby" | "stopped" | "failed";

/**
 * A platform adapter (Discord, Telegram) in two phases: its ports (`platform`) are built first, so
 * the composition root can build the services with every platform; `attach` then starts its
 * handlers (commands, buttons, member updates) with those services, before the client connects.
 */
export interface PlatformAdapter {
  readonly platform: Platform;
  attach(services: AdapterServices): Promise<PlatformRuntime>;
}

/** What an attached platform adds to the process: HTTP routes and its part of the shutdown. */
export interface PlatformRuntime {
  routes?: Route[];
  /** Called on shutdown before the client is closed (stop timers, flush coalesced edits). */
  stop?: () => Promise<void>;
  /**
   * Called on shutdown once the client is closed, before the database: finishes the work that
   * arrived between `stop` and the client closing (Discord interactions keep coming until then).
   */
  afterClose?: () => Promise<void>;
}
