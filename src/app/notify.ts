import type { Platform } from "../core/access.ts";
import type { JobResult } from "./worker.ts";

/** What tribegate tells a fan privately. The platform adapters turn each into a translated message. */
export type FanNotice =
  | { template: "payment_failed"; portalUrl: string | null; graceDays: number }
  | { template: "access_granted"; tierName: string }
  | { template: "access_revoked"; tierName: string | null }
  | { template: "poll_commitment"; question: string; option: string; stage: "in_the_works" | "shipped" }
  | { template: "idea_decided"; title: string; decision: "accepted" | "merged" | "declined" }
  /** After payment: the tier also opens chats on `platform`, where the member has no account linked. */
  | { template: "link_nudge"; tierName: string; platform: Platform };

/** Sends private messages on one platform. A fan whose messages are closed is "done", not an error. */
export interface Notifier {
  readonly platform: Platform;
  notify(userId: string, locale: string | null, notice: FanNotice): Promise<JobResult>;
}
