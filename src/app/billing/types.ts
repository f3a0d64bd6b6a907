/** What the Stripe use cases need, and what applying an event answers. */

import type { Logger } from "../../log.ts";
import type { Db } from "../db.ts";
import type { Clock } from "../worker.ts";
import type { Billing } from "./billing.ts";

export interface BillingDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  /** Called after a commit that recorded access jobs or tasks, to wake the workers. */
  onWork?: () => void;
  /** Called once a Stripe event is queued, to wake the Stripe event worker only (default: onWork). */
  onStripeEvent?: () => void;
  /**
   * The mode of the API key (sk_live_/rk_live_ → true): a webhook from the other mode is not about
   * this shop. Unset (reconciliation, tests of the use case alone): not checked.
   */
  livemode?: boolean;
}

export type ApplyResult = {
  status: "applied" | "duplicate" | "ignored" | "failed";
  outcome: string;
  memberId?: string;
};
