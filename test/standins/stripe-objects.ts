/**
 * Stripe objects for tests. Each starts from a complete example object (stripe-bases.ts), a typed
 * factory the compiler checks against the pinned stripe-node's types, with the fields a scenario needs
 * overridden. Overrides and defaults are typed with the same types, so a renamed or retyped field fails
 * to compile. Nothing is read from disk. Ids are deterministic (`resetStripeIds()`); times default to
 * now, because bots compare periods with the clock.
 */
import Stripe from "stripe";
import {
  billingPortalConfigurationBase,
  billingPortalSessionBase,
  chargeBase,
  checkoutSessionBase,
  customerBase,
  disputeBase,
  eventBase,
  invoiceBase,
  invoiceLineItemBase,
  list,
  priceBase,
  productBase,
  refundBase,
  subscriptionBase,
  subscriptionItemBase,
  webhookEndpointBase,
} from "./stripe-bases.ts";

// ---------------------------------------------------------------------------------------------------
// Ids and time

let idCounter = 0;

/** `cus_TG000000000001`: the prefix Stripe uses, then a counter. */
export function stripeId(prefix: string): string {
  return `${prefix}_TG${String(++idCounter).padStart(12, "0")}`;
}

export function resetStripeIds(): void {
  idCounter = 0;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** `start` plus `count` intervals, in Unix seconds (calendar months and years, as Stripe bills). */
export function addInterval(start: number, interval: Stripe.Price.Recurring.Interval, count = 1): number {
  const date = new Date(start * 1000);
  if (interval === "day") date.setUTCDate(date.getUTCDate() + count);
  else if (interval === "week") date.setUTCDate(date.getUTCDate() + 7 * count);
  else if (interval === "month") date.setUTCMonth(date.getUTCMonth() + count);
  else date.setUTCFullYear(date.getUTCFullYear() + count);
  return Math.floor(date.getTime() / 1000);
}

/**
 * The object as it travels as JSON: stripe-node types some fields as classes (`Stripe.Decimal` for
 * `*_decimal`) that the wire and webhook payloads carry as strings.
 */
export const toWire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------------------------------------------
// Catalog and customers

export function customer(overrides: Partial<Stripe.Customer> = {}): Stripe.Customer {
  const defaults: Partial<Stripe.Customer> = {
    id: stripeId("cus"),
    created: nowSeconds(),
    email: null,
    name: null,
    discount: null,
    metadata: {},
    invoice_prefix: `TG${String(idCounter).padStart(6, "0")}`,
  };
  return { ...customerBase(), ...defaults, ...overrides };
}

export function product(overrides: Partial<Stripe.Product> = {}): Stripe.Product {
  const created = nowSeconds();
  const defaults: Partial<Stripe.Product> = {
    id: stripeId("prod"),
    name: "Membership",
    description: null,
    default_price: null,
    package_dimensions: null,
    created,
    updated: created,
    metadata: {},
    type: "service",
    tax_details: null,
  };
  return { ...productBase(), ...defaults, ...overrides };
}

/** A monthly recurring price unless `recurring: null` (one-time) or another recurring is given. */
export function price(overrides: Partial<Stripe.Price> = {}): Stripe.Price {
  const recurring = overrides.recurring === undefined ? monthly() : overrides.recurring;
  const amount = overrides.unit_amount === undefined ? 500 : overrides.unit_amount;
  const defaults: Partial<Stripe.Price> = {
    id: stripeId("price"),
    created: nowSeconds(),
    product: stripeId("prod"),
    currency: "usd",
    unit_amount: amount,
    unit_amount_decimal: amount === null ? null : Stripe.Decimal.from(amount),
    recurring,
    type: recurring ? "recurring" : "one_time",
    transform_quantity: null,
    metadata: {},
  };
  return { ...priceBase(), ...defaults, ...overrides, recurring };
}

export function monthly(overrides: Partial<Stripe.Price.Recurring> = {}): Stripe.Price.Recurring {
  return {
    interval: "month",
    interval_count: 1,
    meter: null,
    trial_period_days: null,
    usage_type: "licensed",
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------
// Subscriptions

export function subscriptionItem(
  overrides: Partial<Stripe.SubscriptionItem> & { price: Stripe.Price; subscription: string },
): Stripe.SubscriptionItem {
  const start = overrides.current_period_start ?? nowSeconds();
  const recurring = overrides.price.recurring;
  const defaults: Partial<Stripe.SubscriptionItem> = {
    id: stripeId("si"),
    created: start,
    quantity: 1,
    metadata: {},
    current_period_start: start,
    current_period_end: addInterval(start, recurring?.interval ?? "month", recurring?.interval_count ?? 1),
    current_trial: null,
  };
  return { ...subscriptionItemBase(), ...defaults, ...overrides };
}

export interface SubscriptionInit extends Partial<Omit<Stripe.Subscription, "items">> {
  /** The price of its one item (a monthly price by default). */
  price?: Stripe.Price;
  quantity?: number;
  /** Start of the current period (defaults to `created`). */
  currentPeriodStart?: number;
}

/** An active one-item subscription; its period sits on the item, as in API versions since 2025-03. */
export function subscription(init: SubscriptionInit = {}): Stripe.Subscription {
  const { price: itemPrice = price(), quantity = 1, currentPeriodStart, ...overrides } = init;
  const id = overrides.id ?? stripeId("sub");
  const created = overrides.created ?? nowSeconds();
  const item = subscriptionItem({
    price: itemPrice,
    subscription: id,
    quantity,
    current_period_start: currentPeriodStart ?? created,
  });
  const defaults: Partial<Stripe.Subscription> = {
    id,
    customer: stripeId("cus"),
    status: "active",
    created,
    start_date: created,
    billing_cycle_anchor: item.current_period_start,
    billing_cycle_anchor_config: null,
    currency: itemPrice.currency,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    ended_at: null,
    trial_start: null,
    trial_end: null,
    latest_invoice: null,
    metadata: {},
    pause_collection: null,
    pending_update: null,
    pending_invoice_item_interval: null,
    next_pending_invoice_item_invoice: null,
    schedule: null,
    discounts: [],
    items: list([item], `/v1/subscription_items?subscription=${id}`),
  };
  return { ...subscriptionBase(), ...defaults, ...overrides };
}

/** The period end Stripe bills next (on the first item). */
export function currentPeriodEnd(sub: Stripe.Subscription): number {
  return sub.items.data[0]?.current_period_end ?? sub.created;
}

// ---------------------------------------------------------------------------------------------------
// Checkout, portal, invoices, charges, refunds, disputes

export function checkoutSession(overrides: Partial<Stripe.Checkout.Session> = {}): Stripe.Checkout.Session {
  const created = nowSeconds();
  const id = overrides.id ?? stripeId("cs_test");
  const defaults: Partial<Stripe.Checkout.Session> = {
    id,
    created,
    expires_at: created + 24 * 3600,
    mode: "subscription",
    status: "open",
    payment_status: "unpaid",
    url: `https://checkout.stripe.com/c/pay/${id}`,
    customer: null,
    customer_email: null,
    customer_details: null,
    client_reference_id: null,
    metadata: {},
    subscription: null,
    invoice: null,
    payment_intent: null,
    amount_subtotal: null,
    amount_total: null,
    currency: null,
    allow_promotion_codes: null,
    after_expiration: null,
    collected_information: null,
    shipping_address_collection: null,
    shipping_cost: null,
    total_details: null,
    currency_conversion: null,
    allowed_payment_method_types: null,
  };
  return { ...checkoutSessionBase(), ...defaults, ...overrides };
}

export function billingPortalSession(
  overrides: Partial<Stripe.BillingPortal.Session> = {},
): Stripe.BillingPortal.Session {
  const id = overrides.id ?? stripeId("bps");
  const defaults: Partial<Stripe.BillingPortal.Session> = {
    id,
    created: nowSeconds(),
    livemode: false,
    flow: null,
    url: `https://billing.stripe.com/p/session/${id}`,
  };
  return { ...billingPortalSessionBase(), ...defaults, ...overrides };
}

export function webhookEndpoint(overrides: Partial<Stripe.WebhookEndpoint> = {}): Stripe.WebhookEndpoint {
  const defaults: Partial<Stripe.WebhookEndpoint> = { id: stripeId("we"), created: nowSeconds() };
  return { ...webhookEndpointBase(), ...defaults, ...overrides };
}

export function billingPortalConfiguration(
  overrides: Partial<Stripe.BillingPortal.Configuration> = {},
): Stripe.BillingPortal.Configuration {
  const created = nowSeconds();
  const defaults: Partial<Stripe.BillingPortal.Configuration> = {
    id: stripeId("bpc"),
    created,
    updated: created,
  };
  return { ...billingPortalConfigurationBase(), ...defaults, ...overrides };
}

export interface InvoiceInit extends Partial<Stripe.Invoice> {
  /** Makes the invoice a subscription invoice (`parent.subscription_details`). */
  subscriptionId?: string;
  amount?: number;
}

/** A paid invoice by default; `subscriptionId` links it to a subscription as the API does now. */
export function invoice(init: InvoiceInit = {}): Stripe.Invoice {
  const { subscriptionId, amount = 500, ...overrides } = init;
  const created = overrides.created ?? nowSeconds();
  const paid = (overrides.status ?? "paid") === "paid";
  const id = overrides.id ?? stripeId("in");
  const line: Stripe.InvoiceLineItem = { ...invoiceLineItemBase(), invoice: id, amount, subtotal: amount };
  const defaults: Partial<Stripe.Invoice> = {
    id,
    created,
    customer: stripeId("cus"),
    status: "paid",
    billing_reason: subscriptionId ? "subscription_create" : "manual",
    amount_due: amount,
    amount_paid: paid ? amount : 0,
    amount_remaining: paid ? 0 : amount,
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    period_start: created,
    period_end: created,
    number: `TG-${id.slice(-4)}`,
    last_finalization_error: null,
    from_invoice: null,
    status_transitions: {
      finalized_at: created,
      marked_uncollectible_at: null,
      paid_at: paid ? created : null,
      voided_at: null,
    },
    parent: subscriptionId
      ? {
          type: "subscription_details",
          quote_details: null,
          subscription_details: { subscription: subscriptionId, metadata: null },
        }
      : null,
    lines: list([line], `/v1/invoices/${id}/lines`),
  };
  return { ...invoiceBase(), ...defaults, ...overrides };
}

export function charge(overrides: Partial<Stripe.Charge> = {}): Stripe.Charge {
  const id = overrides.id ?? stripeId("ch");
  const defaults: Partial<Stripe.Charge> = {
    id,
    created: nowSeconds(),
    amount: 500,
    amount_captured: 500,
    amount_refunded: 0,
    captured: true,
    paid: true,
    refunded: false,
    disputed: false,
    status: "succeeded",
    customer: null,
    payment_intent: stripeId("pi"),
    source: null,
    refunds: list([], `/v1/charges/${id}/refunds`),
  };
  return { ...chargeBase(), ...defaults, ...overrides };
}

export function refund(overrides: Partial<Stripe.Refund> = {}): Stripe.Refund {
  const defaults: Partial<Stripe.Refund> = {
    id: stripeId("re"),
    created: nowSeconds(),
    status: "succeeded",
    reason: null,
    metadata: {},
  };
  return { ...refundBase(), ...defaults, ...overrides };
}

/** A dispute awaiting a response; a lost dispute is `status: "lost"`. */
export function dispute(overrides: Partial<Stripe.Dispute> = {}): Stripe.Dispute {
  const defaults: Partial<Stripe.Dispute> = {
    id: stripeId("dp"),
    created: nowSeconds(),
    amount: 500,
    charge: stripeId("ch"),
    status: "needs_response",
    reason: "fraudulent",
    metadata: {},
    intended_submission_method: null,
  };
  return { ...disputeBase(), ...defaults, ...overrides };
}

// ---------------------------------------------------------------------------------------------------
// Events

export type EventType = Stripe.Event["type"];
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;

export interface EventOptions<T extends EventType> {
  /** The fields that changed and their old values (for `*.updated`). */
  previousAttributes?: EventOf<T>["data"]["previous_attributes"];
  id?: string;
  created?: number;
  /** The API request that caused the event (null for automatic ones like renewals). */
  request?: { id: string | null; idempotency_key: string | null } | null;
}

/** A `Stripe.Event` of `type` carrying `object`, shaped like Stripe's example event (`eventBase()`). */
export function makeEvent<T extends EventType>(
  type: T,
  object: EventOf<T>["data"]["object"],
  options: EventOptions<T> = {},
): EventOf<T> {
  const data = {
    object: toWire(object),
    ...(options.previousAttributes !== undefined && { previous_attributes: options.previousAttributes }),
  };
  return {
    ...eventBase(),
    id: options.id ?? stripeId("evt"),
    object: "event",
    api_version: Stripe.API_VERSION,
    created: options.created ?? nowSeconds(),
    livemode: false,
    pending_webhooks: 1,
    request: options.request === undefined ? { id: null, idempotency_key: null } : options.request,
    type,
    data,
    // The union of ~280 event types is too wide for TypeScript to relate to `T` here.
  } as unknown as EventOf<T>;
}
