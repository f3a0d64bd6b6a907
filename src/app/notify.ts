import type { AccessTarget, Platform } from "../core/access.ts";
import type { OfferKind } from "../core/pricing.ts";
import type { JobResult } from "./worker.ts";

/** What tribegate tells a fan privately. The platform adapters turn each into a translated message. */
export type FanNotice =
  /** A payment failed: access stays open for `daysLeft` more days of grace. */
  | { template: "payment_failed"; portalUrl: string | null; daysLeft: number }
  /** The last day of grace: access closes tomorrow unless the card is updated. */
  | { template: "payment_last_day"; portalUrl: string | null }
  /** A free trial ends on `endsOn`; the subscription then renews at its price. */
  | { template: "trial_ending"; tierName: string; endsOn: Date; portalUrl: string | null }
  /** The fan canceled: access stays open until `endsOn`. */
  | { template: "cancel_scheduled"; tierName: string; endsOn: Date | null; portalUrl: string | null }
  /** The fan took their cancellation back: the subscription renews as before. */
  | { template: "cancel_withdrawn"; tierName: string }
  /** The creator paused the fan's payments (Stripe's Dashboard) until `until` (null: until resumed). */
  | { template: "pause_started"; tierName: string; until: Date | null; keepsAccess: boolean }
  /** Stripe lifted the fan's pause at its planned end: payments (and access, if it was paused) resume. */
  | { template: "pause_resumed"; tierName: string }
  /**
   * Access opened. `targets`: what the tier opens on the fan's platform; `opened`: those places as
   * the platform names them (channel links), filled in by the platform that sends the message.
   */
  | {
      template: "access_granted";
      tierName: string;
      targets?: AccessTarget[];
      opened?: string[];
      /** A former member back after a break: the welcome says "welcome back". */
      welcomeBack?: boolean;
    }
  /** A tier switch left a resource behind: the member now holds `toTier`, which does not open it. */
  | { template: "access_switched"; fromTier: string | null; toTier: string }
  /** Access closed; `comeBack` names the tier and price a button offers to join again (none when not for sale). */
  | { template: "access_revoked"; tierName: string | null; comeBack?: { tierSlug: string; offer: OfferKind } }
  | { template: "poll_commitment"; question: string; option: string; stage: "in_the_works" | "shipped" }
  | {
      template: "idea_decided";
      title: string;
      decision: "shortlisted" | "merged" | "declined";
      /** The creator's reason (declined). */
      reason?: string;
    }
  /** The author of the winning idea, credited by the name they chose (null: anonymously). */
  | { template: "idea_won"; title: string; question: string; credit: string | null }
  /** An idea a fan upvoted (or proposed) has shipped. */
  | { template: "idea_shipped"; title: string }
  /** After payment: the tier also opens chats on `platform`, where the member has no account linked. */
  | { template: "link_nudge"; tierName: string; platform: Platform };

/** Sends private messages on one platform. A fan whose messages are closed is "done", not an error. */
export interface Notifier {
  readonly platform: Platform;
  notify(userId: string, locale: string | null, notice: FanNotice): Promise<JobResult>;
}
