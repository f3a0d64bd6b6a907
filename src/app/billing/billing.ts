import type Stripe from "stripe";

/**
 * What the use cases need of Stripe, in the ledger's words; src/adapters/stripe/billing.ts implements it.
 * Every read returns Stripe's *current* state of an object: the webhook handler re-reads what an event
 * points at instead of trusting the event's copy.
 */

export interface SubscriptionState {
  id: string;
  customerId: string;
  status: string;
  priceId: string;
  amount: number;
  currency: string;
  interval: string | null;
  /** End of the paid period; for a subscription set to cancel at a date, that date. */
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  startedAt: Date;
  endedAt: Date | null;
  metadata: Record<string, string>;
  /** Stripe's `pause_collection`: the subscription's payments are paused until `resumesAt` (null: until resumed). */
  pause: { resumesAt: Date | null } | null;
}

export interface ChargeState {
  id: string;
  customerId: string | null;
  paymentIntentId: string | null;
  /** Fully refunded. A partial refund keeps access. */
  refunded: boolean;
}

export interface DisputeState {
  id: string;
  chargeId: string;
  status: string;
}

export interface CheckoutRequest {
  customerId: string;
  priceId: string;
  mode: "subscription" | "payment";
  clientReferenceId: string;
  metadata: Record<string, string>;
  successUrl: string;
  cancelUrl: string;
  allowPromotionCodes: boolean;
  trialDays: number;
  locale?: string;
  /** The same key within Stripe's 24 hours returns the session the first call made. */
  idempotencyKey?: string;
}

/**
 * Who waits for a Stripe call: `interactive` for what a fan or the creator waits for at a keyboard
 * (checkout, portal, customer, plan switch, tier prices), `background` for re-reads and listings.
 * The adapter serves interactive calls first, within one budget for the whole process.
 */
export type StripePriority = "interactive" | "background";

/**
 * Every call waits its turn in the process's Stripe budget at a priority: by default `interactive`
 * for the keyboard methods and `background` for re-reads and listings. `withPriority` gives the
 * same port with every call at one priority, for work that is not what its method's default says
 * (a portal link for a notification sent by a task).
 */
export interface Billing {
  /** This port with every call at `priority`. */
  withPriority(priority: StripePriority): Billing;
  /** Every subscription of a customer, whatever its status. */
  customerSubscriptions(customerId: string): Promise<SubscriptionState[]>;
  /** Every subscription of the account, page after page. */
  allSubscriptions(): AsyncIterable<SubscriptionState>;
  charge(chargeId: string): Promise<ChargeState>;
  dispute(disputeId: string): Promise<DisputeState>;
  /** The subscription a payment intent paid an invoice of, if any. */
  subscriptionOfPayment(paymentIntentId: string): Promise<string | null>;
  /**
   * `idempotencyKey`: the same key within Stripe's 24 hours returns the customer the first call made,
   * so two checkouts started at once by the same new fan make one customer, not two.
   */
  createCustomer(params: {
    name?: string;
    metadata: Record<string, string>;
    idempotencyKey?: string;
  }): Promise<string>;
  /**
   * Whether the customer can still be billed: "deleted" when Stripe keeps it as deleted
   * (`deleted: true`), "missing" when Stripe answers 404 resource_missing (never existed here).
   */
  customerStatus(customerId: string): Promise<"active" | "deleted" | "missing">;
  createProduct(params: {
    name: string;
    description: string;
    metadata: Record<string, string>;
  }): Promise<string>;
  createPrice(params: {
    productId: string;
    amount: number;
    currency: string;
    interval: "month" | "year" | null;
    metadata: Record<string, string>;
  }): Promise<string>;
  price(priceId: string): Promise<{
    id: string;
    active: boolean;
    amount: number;
    currency: string;
    interval: string | null;
    productId: string;
  }>;
  deactivatePrice(priceId: string): Promise<void>;
  /** `expiresAt`: when Stripe closes the session's page (24 hours by default). */
  createCheckout(req: CheckoutRequest): Promise<{ id: string; url: string; expiresAt: Date }>;
  /** Moves a subscription to another price (prorated), as the billing portal's plan switch does. */
  changeSubscriptionPrice(subscriptionId: string, priceId: string): Promise<SubscriptionState>;
  createPortal(customerId: string, returnUrl: string): Promise<string>;
  /**
   * Pauses a subscription's payments until `resumesAt` (Stripe's `pause_collection`, invoices voided
   * meanwhile); `metadata` is merged into the subscription's.
   */
  pauseSubscription(
    subscriptionId: string,
    params: { resumesAt: Date; metadata: Record<string, string> },
  ): Promise<SubscriptionState>;
  /** Lifts a pause at once; `metadata` is merged into the subscription's (a "" value deletes a key). */
  resumeSubscription(subscriptionId: string, metadata: Record<string, string>): Promise<SubscriptionState>;
}

/** A webhook body whose signature checked out, as the event it carries; or why it is refused. */
export type WebhookVerification = { ok: true; event: Stripe.Event } | { ok: false; reason: string };

/**
 * Checks Stripe's signature of a webhook on its raw body (the adapter holds the signing secret and
 * the tolerance for the timestamp): what the webhook route needs of Stripe, and all of it.
 */
export interface WebhookVerifier {
  verify(rawBody: Buffer, signature: string): WebhookVerification;
}
