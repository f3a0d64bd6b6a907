import type { AccessTarget, Platform as PlatformName } from "../core/access.ts";
import type { AccessExecutor } from "./access/accessWorker.ts";
import type { DiscussionOpener } from "./discussions.ts";
import type { FeedPoster } from "./feed.ts";
import type { Notifier } from "./notify.ts";
import type { AccessReader } from "./reconcile/platforms.ts";
import type { RoadmapPoster } from "./roadmapMessage.ts";
import type { TaskHandler } from "./taskWorker.ts";

/**
 * One platform (Discord, Telegram…) as the app sees it: the bundle of ports its adapter builds
 * before the services exist, handed to them complete. The adapter's handlers (commands, buttons,
 * member updates) are started afterwards with the services; nothing here is filled in later.
 */
export interface Platform {
  readonly name: PlatformName;
  /** Executes access jobs on this platform (roles, invite links, bans). */
  readonly executor: AccessExecutor;
  /** Messages fans privately. */
  readonly notifier: Notifier;
  /** Reads who holds what (reconciliation). */
  readonly reader: AccessReader;
  /** Shows polls where they run. */
  readonly polls: PollSurface;
  /** Posts the creator's feed (a channel, the creators' private chats). */
  readonly feed?: FeedPoster;
  /** Keeps the roadmap message up to date where the creator chose (src/app/roadmapMessage.ts). */
  readonly roadmap?: RoadmapPoster;
  /** Opens the places where the tribe discusses polls and shortlisted ideas (src/app/discussions.ts). */
  readonly discussions?: DiscussionOpener;
  /** Durable task handlers by kind (work the platform retries across restarts). */
  readonly tasks: Readonly<Record<string, TaskHandler>>;
  /**
   * What one of its targets is called and opens, as the platform knows it now (the public page
   * shows it); null when it cannot tell (not connected, target gone). Without it, the label stored
   * when the creator added the target is shown.
   */
  describe?(target: AccessTarget): TargetDescription | null;
}

/** A target as a visitor reads it: its name (a role's, a chat's) and the places it opens. */
export interface TargetDescription {
  name: string;
  /** The channels only holders can see (a Discord role's), in the server's order; empty for a chat. */
  places: string[];
}

/** How a platform shows polls: the poll use cases call every platform's surface. */
export interface PollSurface {
  /**
   * A poll opened (from any platform): post it where the creator chose and report what was done,
   * so the creator's reply lists every channel and chat it reached.
   */
  publish(pollId: string, placement: PollPlacement): Promise<PollPostReport>;
  /** A ballot was recorded: refresh the poll's live results (the surface coalesces its edits). */
  refresh(pollId: string): void;
  /** A poll closed (on time or early): post its results where it ran. */
  closed(pollId: string): Promise<void>;
}

/**
 * Where a new poll goes. The command that opened it may name chats on its own platform (a Discord
 * channel option); every platform not named posts in its defaults (Discord: the poll channels in
 * settings; Telegram: the chats bound to the tiers that vote).
 */
export interface PollPlacement {
  chosen?: { platform: PlatformName; chatIds: readonly string[] };
}

/**
 * Why a chat refused a post, as the creator can act on it: the bot may not post there (removed, or
 * missing a right), the chat is gone, or the platform failed (`detail` holds its own words, for the
 * logs and for the creator when nothing better can be said).
 */
export type PostProblem = "bot_not_allowed" | "chat_gone" | "platform_failed";

/** What one platform did with a new poll. */
export interface PollPostReport {
  platform: PlatformName;
  posted: { chatId: string; url?: string }[];
  failed: { chatId: string; problem: PostProblem; detail: string }[];
}
