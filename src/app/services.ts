import type { Logger } from "../log.ts";
import type { Billing } from "./billing/billing.ts";
import type { Db } from "./db.ts";
import type { AccessReader } from "./reconcile/platforms.ts";
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
  /**
   * Every platform's reader, for reconciliation started from any platform's command. Filled by the
   * composition root once all platforms are attached.
   */
  readers: readonly AccessReader[];
  /** Platform adapters subscribe to what their interfaces must show (live poll results, closings). */
  hooks: AppHooks;
}

export interface AppHooks {
  /** A ballot was recorded: refresh the poll's live results (adapters coalesce their edits). */
  ballotCast: ((pollId: string) => void)[];
  /** A poll closed (on time or early): post its results where it ran. */
  pollClosed: ((pollId: string) => Promise<void>)[];
  /**
   * A poll opened (from either platform): each platform posts it where the creator chose and
   * reports what it did, so the creator's reply lists every channel and chat it reached.
   */
  pollOpened: ((pollId: string, placement: PollPlacement) => Promise<PollPostReport>)[];
}

/** Where a new poll goes. Each platform falls back to its defaults for what is not given. */
export interface PollPlacement {
  /** Discord channels chosen in the command; absent: the poll channels in settings. */
  discordChannelIds?: readonly string[];
}

/** What one platform did with a new poll. */
export interface PollPostReport {
  platform: "discord" | "telegram";
  posted: { chatId: string; url?: string }[];
  failed: { chatId: string; reason: string }[];
}
