/**
 * A local stand-in for the Stripe API endpoints the bot calls, plus webhook helpers. stripe-node talks
 * to it unmodified (`standin.client()`), form-encoded with bracket notation, as to api.stripe.com.
 *
 * Objects are complete examples typed against stripe-node's own types (stripe-objects.ts) with the
 * request's fields applied; errors are `{ error: { type, code, message, param } }` with Stripe's
 * statuses; the API key is checked; `Idempotency-Key` replays the first answer (or 400
 * `idempotency_error` for other parameters); lists paginate newest first with `has_more` /
 * `starting_after`. Every mutation records the event Stripe would emit (`events`), which tests
 * deliver, signed, to the bot's webhook route.
 *
 * Stripe's manners, off by default (tests stay fast): `latency` (each API answer delayed by a seeded
 * uniform draw, as Stripe takes a few hundred ms), `rateLimits` (Stripe's limits per second for the
 * account, by the key's mode, and per endpoint, answered 429 in Stripe's shape with its
 * `Stripe-Rate-Limited-Reason` header, counted in `rateLimitedCount`), and `webhooks` (deliveries that
 * time out or fail are retried on a backoff schedule, as Stripe retries them for days in live mode).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import Stripe from "stripe";
import { sleep } from "../support/helpers.ts";
import {
  CallLog,
  clone,
  FaultQueue,
  type FormObject,
  type FormValue,
  type PathMatcher,
  parseForm,
  pathMatches,
  pickHeaders,
  type RecordedCall,
  Router,
  readBody,
  type StartedServer,
  sendJson,
  startHttpServer,
} from "./http.ts";
import {
  addInterval,
  billingPortalConfiguration,
  billingPortalSession,
  checkoutSession,
  currentPeriodEnd,
  type EventOf,
  type EventType,
  charge as makeCharge,
  customer as makeCustomer,
  dispute as makeDispute,
  makeEvent,
  invoice as makeInvoice,
  price as makePrice,
  product as makeProduct,
  refund as makeRefund,
  subscription as makeSubscription,
  nowSeconds,
  type SubscriptionInit,
  stripeId,
  toWire,
  webhookEndpoint,
} from "./stripe-objects.ts";

import { deliverWebhook } from "./stripe-webhooks.ts";

export { makeEvent } from "./stripe-objects.ts";
export { deliverWebhook, signedWebhook } from "./stripe-webhooks.ts";

// ---------------------------------------------------------------------------------------------------
// Public types

export interface StripeStandinOptions {
  /** The secret key requests must carry (`Authorization: Bearer ...`). */
  secretKey?: string;
  /**
   * A restricted key (`rk_test_…`) accepted too; the permissions it lacks are set with
   * `denyPermission`, answered 403 as Stripe does.
   */
  restrictedKey?: string;
  /**
   * Whether the creator saved the customer portal settings once in the Dashboard, which makes the
   * account's default portal configuration (default false, as on a new account: portal sessions
   * that name no configuration are then refused, as Stripe refuses them).
   */
  portalSettingsSaved?: boolean;
  /**
   * Each API answer comes this long after the request (uniform in [minMs, maxMs], drawn from a
   * generator seeded with `seed`, default 1: the same sequence on every run). Default: at once.
   */
  latency?: { minMs: number; maxMs: number; seed?: number };
  /**
   * Stripe's rate limits, requests per second in any one second: `perSecond` for the account
   * (default by the key's mode: 100 with sk_live_/rk_live_, 25 with a test key) and
   * `perEndpointPerSecond` for each endpoint (method and route; default 25). Past them: 429
   * `rate_limit` with `Stripe-Rate-Limited-Reason: global-rate` or `endpoint-rate`. `true`: the
   * defaults. Default: no limits.
   */
  rateLimits?: boolean | { perSecond?: number; perEndpointPerSecond?: number };
  /**
   * How `deliverEvents` delivers: an attempt not answered 2xx within `timeoutMs` (default 10 s) is
   * tried again after each wait of `retryBackoffMs` in turn (Stripe's schedule spans hours to days;
   * tests give milliseconds). Default: one attempt, as before.
   */
  webhooks?: { timeoutMs?: number; retryBackoffMs?: readonly number[] };
}

export interface StripeCall extends RecordedCall {
  readonly method: string;
  /** e.g. `/v1/checkout/sessions` */
  readonly path: string;
  route: string | undefined;
  readonly query: FormObject;
  /** The form body parsed from bracket notation into objects and arrays; scalars stay strings. */
  readonly body: FormObject;
  /** authorization, idempotency-key, stripe-version, stripe-account, content-type, user-agent. */
  readonly headers: Record<string, string>;
  readonly idempotencyKey: string | undefined;
  response: unknown;
}

export type StripeFault =
  | { kind: "status"; status: number }
  | { kind: "rate_limit" }
  /** Never answer: the client's `timeout` (stripe-node default 80 s) must fire. */
  | { kind: "hang" }
  /** Answer normally, `ms` later (a slow call). */
  | { kind: "delay"; ms: number }
  /**
   * 429 `lock_timeout` with `Stripe-Should-Retry: true`: another request holds the object's lock
   * (Stripe's client libraries retry these, unlike rate limits).
   */
  | { kind: "lock_timeout" };

export interface CheckoutCompletion {
  session: Stripe.Checkout.Session;
  customer: Stripe.Customer;
  subscription: Stripe.Subscription | undefined;
  invoice: Stripe.Invoice | undefined;
  /** What Stripe would send, in a plausible order (Stripe itself guarantees none). */
  events: Stripe.Event[];
}

export interface WebhookDelivery {
  event: Stripe.Event;
  /** The last attempt's status; 0 when it got no answer in time. */
  status: number;
  body: string;
  /** Attempts made (1 unless `webhooks.retryBackoffMs` retried it). */
  attempts: number;
}

export interface WebhookAttempt {
  eventId: string;
  type: string;
  /** 1 for the first delivery. */
  attempt: number;
  status: number;
  ms: number;
}

const RATE_LIMIT_MESSAGE =
  "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.";

// ---------------------------------------------------------------------------------------------------

interface ErrorBody {
  type: "invalid_request_error" | "api_error" | "card_error" | "idempotency_error";
  code?: string;
  message: string;
  param?: string;
}

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: ErrorBody,
  ) {
    super(error.message);
  }
}

const invalid = (message: string, param?: string, code?: string) =>
  new StripeApiError(400, {
    type: "invalid_request_error",
    message,
    ...(code !== undefined && { code }),
    ...(param !== undefined && { param }),
  });
const missingParam = (param: string) =>
  invalid(`Missing required param: ${param}.`, param, "parameter_missing");
/** 404 for the object in the URL, 400 for one named by a parameter (as Stripe answers). */
const noSuch = (kind: string, id: string, param = "id") =>
  new StripeApiError(param === "id" ? 404 : 400, {
    type: "invalid_request_error",
    code: "resource_missing",
    message: `No such ${kind}: '${id}'`,
    param,
  });

/** A subset of Stripe's currencies: enough to tell a typo from a real code. */
const CURRENCIES = new Set(
  "usd eur gbp cad aud nzd chf sek nok dkk pln czk huf ron bgn jpy sgd hkd mxn brl inr zar aed ils try krw thb myr php idr twd".split(
    " ",
  ),
);

interface KindTypes {
  customer: Stripe.Customer | Stripe.DeletedCustomer;
  product: Stripe.Product;
  price: Stripe.Price;
  "checkout.session": Stripe.Checkout.Session;
  subscription: Stripe.Subscription;
  "billing_portal.session": Stripe.BillingPortal.Session;
  invoice: Stripe.Invoice;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  dispute: Stripe.Dispute;
  invoice_payment: Stripe.InvoicePayment;
  webhook_endpoint: Stripe.WebhookEndpoint;
  "billing_portal.configuration": Stripe.BillingPortal.Configuration;
}

type Kind = keyof KindTypes;

const ID_PREFIXES: [string, Kind][] = [
  ["cus_", "customer"],
  ["prod_", "product"],
  ["price_", "price"],
  ["cs_", "checkout.session"],
  ["sub_", "subscription"],
  ["bps_", "billing_portal.session"],
  ["in_", "invoice"],
  ["ch_", "charge"],
  ["re_", "refund"],
  ["dp_", "dispute"],
  ["inpay_", "invoice_payment"],
  ["we_", "webhook_endpoint"],
  ["bpc_", "billing_portal.configuration"],
];

const kindOfId = (id: string): Kind | undefined => ID_PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1];

interface RouteContext {
  params: Record<string, string>;
  /** Query for GET/DELETE, form body for POST. */
  input: FormObject;
}

type Handler = (ctx: RouteContext) => unknown;

interface SessionExtras {
  lineItems: Stripe.LineItem[];
  subscriptionData: FormObject | undefined;
}

export class StripeStandin {
  readonly host = "127.0.0.1";
  readonly port: number;
  readonly origin: string;
  readonly secretKey: string;
  /** Events Stripe would have sent for what happened here, oldest first. */
  readonly events: Stripe.Event[] = [];

  readonly #http: StartedServer;
  readonly #log = new CallLog<StripeCall>("Stripe", (c) => `#${c.seq} ${c.method} ${c.path} → ${c.status}`);
  readonly #faults = new FaultQueue<StripeFault, StripeCall>();
  readonly #router: Router<Handler>;
  readonly #objects = new Map<Kind, Map<string, KindTypes[Kind]>>();
  readonly #sessions = new Map<string, SessionExtras>();
  readonly #idempotency = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  #delivered = 0;
  #requestCounter = 0;
  /** Accepted besides `secretKey`; tests may set it later. */
  restrictedKey: string | undefined;
  readonly #denied: { method?: string; path: PathMatcher; permission: string }[] = [];
  /** Each webhook endpoint's signing secret: Stripe shows it once, in the answer to the create. */
  readonly #endpointSecrets = new Map<string, string>();
  readonly #latency: { minMs: number; maxMs: number; next: () => number } | undefined;
  readonly #limits: { perSecond: number; perEndpoint: number } | undefined;
  readonly #webhookOptions: StripeStandinOptions["webhooks"];
  /** Admission times within the last second: the account's, then each endpoint's. */
  readonly #admitted: number[] = [];
  readonly #admittedByEndpoint = new Map<string, number[]>();
  #rateLimited = 0;
  #peakPerSecond = 0;
  /** Every webhook delivery attempt, in order. */
  readonly webhookAttempts: WebhookAttempt[] = [];

  private constructor(http: StartedServer, options: StripeStandinOptions) {
    this.#http = http;
    this.port = http.port;
    this.origin = http.origin;
    this.secretKey = options.secretKey ?? "sk_test_standin_0123456789";
    this.restrictedKey = options.restrictedKey;
    if (options.latency) {
      const { minMs, maxMs, seed = 1 } = options.latency;
      const random = mulberry32(seed);
      this.#latency = { minMs, maxMs, next: () => minMs + (maxMs - minMs) * random() };
    }
    if (options.rateLimits) {
      const given = options.rateLimits === true ? {} : options.rateLimits;
      const live = /^(sk|rk)_live_/.test(this.secretKey);
      this.#limits = {
        perSecond: given.perSecond ?? (live ? 100 : 25),
        perEndpoint: given.perEndpointPerSecond ?? 25,
      };
    }
    this.#webhookOptions = options.webhooks;
    this.#router = this.#routes();
    if (options.portalSettingsSaved) {
      this.put(billingPortalConfiguration({ id: stripeId("bpc"), is_default: true, active: true }));
    }
  }

  static async start(options: StripeStandinOptions = {}): Promise<StripeStandin> {
    let standin: StripeStandin | undefined;
    const http = await startHttpServer("Stripe", (req, res) => standin!.#handle(req, res));
    standin = new StripeStandin(http, options);
    return standin;
  }

  /** A stripe-node client pointed here (no retries, no telemetry header). */
  client(secretKey = this.secretKey, config: Stripe.StripeConfig = {}): Stripe {
    return new Stripe(secretKey, {
      host: this.host,
      port: this.port,
      protocol: "http",
      maxNetworkRetries: 0,
      telemetry: false,
      ...config,
    });
  }

  // -- calls ------------------------------------------------------------------------------------

  get calls(): readonly StripeCall[] {
    return this.#log.calls;
  }

  waitForCall(predicate: (call: StripeCall) => boolean, timeoutMs?: number): Promise<StripeCall> {
    return this.#log.waitFor(predicate, timeoutMs);
  }

  /** Arms `fault` for the next `times` requests whose method (if given) and path match. */
  failNext(match: { method?: string; path: PathMatcher }, fault: StripeFault, times = 1): void {
    this.#faults.add(
      (call) =>
        (match.method === undefined || match.method === call.method) && pathMatches(match.path, call.path),
      fault,
      times,
    );
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** The 429 rate-limit answers given (the limits and `rate_limit` faults; lock timeouts apart). */
  get rateLimitedCount(): number {
    return this.#rateLimited;
  }

  /** The most API requests admitted within any one second (with `rateLimits` on). */
  get peakRequestsPerSecond(): number {
    return this.#peakPerSecond;
  }

  // -- state ------------------------------------------------------------------------------------

  /** Stores any object (from stripe-objects.ts) so the API serves it; returns it as stored. */
  put<T extends { id: string; object: string }>(object: T): T {
    const kind = kindOfId(object.id) ?? (object.object as Kind);
    this.#table(kind).set(object.id, toWire(object) as unknown as KindTypes[Kind]);
    return clone(this.#table(kind).get(object.id)) as unknown as T;
  }

  /** The stored object with this id (wire form: decimals are strings). */
  get<T = unknown>(id: string): T | undefined {
    const kind = kindOfId(id);
    const found = kind && this.#table(kind).get(id);
    return found === undefined ? undefined : (clone(found) as T);
  }

  /** Creates a subscription directly (as if a checkout had happened) and records its event. */
  createSubscription(init: SubscriptionInit): { subscription: Stripe.Subscription; event: Stripe.Event } {
    const subscription = this.put(makeSubscription(init));
    return { subscription, event: this.#emit("customer.subscription.created", subscription) };
  }

  /**
   * Changes a subscription as Stripe would (a renewal, a failed payment, the customer canceling in the
   * portal) and records `customer.subscription.updated` with `previous_attributes`, or `.deleted` once
   * it is canceled.
   */
  updateSubscription(
    id: string,
    patch: Partial<Stripe.Subscription>,
  ): { subscription: Stripe.Subscription; event: Stripe.Event } {
    const before = this.#require("subscription", id);
    const after = toWire({ ...before, ...patch }) as Stripe.Subscription;
    this.#table("subscription").set(id, after);
    const type =
      after.status === "canceled" && before.status !== "canceled"
        ? "customer.subscription.deleted"
        : "customer.subscription.updated";
    const event = this.#emit(type, after, previousAttributes(before, after));
    return { subscription: clone(after), event };
  }

  /**
   * Stripe resumes a paused subscription at its `pause_collection.resumes_at`: the pause is cleared
   * and `customer.subscription.updated` recorded (`previous_attributes.pause_collection` the pause).
   * A test calls it when that moment has come (Stripe's clock is not the test's).
   */
  resumePausedSubscription(id: string): { subscription: Stripe.Subscription; event: Stripe.Event } {
    const sub = this.#require("subscription", id);
    if (!sub.pause_collection) throw new Error(`subscription ${id} is not paused`);
    return this.updateSubscription(id, { pause_collection: null });
  }

  /**
   * A renewal payment fails (Stripe's attempt number `attempt`; Smart Retries try again days later):
   * the subscription goes past due (on the first failure) and `invoice.payment_failed` is recorded.
   */
  failRenewal(id: string, attempt = 1): { invoice: Stripe.Invoice; events: Stripe.Event[] } {
    const sub = this.#require("subscription", id);
    const events: Stripe.Event[] = [];
    if (sub.status !== "past_due") events.push(this.updateSubscription(id, { status: "past_due" }).event);
    const customer = typeof sub.customer === "string" ? sub.customer : sub.customer.id;
    const invoice = this.put(
      makeInvoice({
        customer,
        subscriptionId: id,
        amount: sub.items.data[0]?.price.unit_amount ?? 0,
        status: "open",
        attempt_count: attempt,
        billing_reason: "subscription_cycle",
      }),
    );
    events.push(this.#emit("invoice.payment_failed", invoice));
    return { invoice, events };
  }

  /**
   * Records `customer.subscription.trial_will_end`, as Stripe does three days before a trial ends
   * (the subscription unchanged).
   */
  trialWillEnd(id: string): Stripe.Event {
    const sub = this.#require("subscription", id);
    return this.#emit("customer.subscription.trial_will_end", clone(sub) as Stripe.Subscription);
  }

  /**
   * The customer pays on the checkout page: creates the customer (unless the session had one), the
   * subscription (subscription mode, with `subscription_data` metadata and trial) and a paid invoice,
   * or, in payment mode, the payment intent and its succeeded charge (as Stripe does: the session
   * then names its `payment_intent`, and a refund or dispute of the charge points back to it);
   * completes the session, and records the events.
   */
  completeCheckout(sessionId: string, payer: { email?: string; name?: string } = {}): CheckoutCompletion {
    const session = this.#require("checkout.session", sessionId);
    if (session.status !== "open")
      throw new Error(`Stripe stand-in: checkout ${sessionId} is ${session.status}`);
    const extras = this.#sessions.get(sessionId) ?? { lineItems: [], subscriptionData: undefined };
    const events: Stripe.Event[] = [];
    const email = payer.email ?? session.customer_email ?? "fan@example.test";
    let buyer: Stripe.Customer;
    if (typeof session.customer === "string")
      buyer = this.#require("customer", session.customer) as Stripe.Customer;
    else {
      buyer = this.put(makeCustomer({ email, name: payer.name ?? null }));
      events.push(this.#emit("customer.created", buyer));
    }
    const amount = session.amount_total ?? 0;
    let subscription: Stripe.Subscription | undefined;
    let paidInvoice: Stripe.Invoice | undefined;
    const firstItem = extras.lineItems[0];
    if (session.mode === "subscription" && firstItem?.price) {
      const data = extras.subscriptionData;
      const trialDays = Number(str(data?.trial_period_days) ?? 0);
      const now = nowSeconds();
      subscription = makeSubscription({
        customer: buyer.id,
        price: firstItem.price,
        quantity: firstItem.quantity ?? 1,
        metadata: (data?.metadata as Record<string, string> | undefined) ?? {},
        ...(trialDays > 0 && {
          status: "trialing",
          trial_start: now,
          trial_end: addInterval(now, "day", trialDays),
        }),
      });
      paidInvoice = this.put(
        makeInvoice({
          customer: buyer.id,
          subscriptionId: subscription.id,
          amount: trialDays > 0 ? 0 : amount,
        }),
      );
      subscription = this.put({ ...subscription, latest_invoice: paidInvoice.id });
      events.push(this.#emit("customer.subscription.created", subscription));
      events.push(this.#emit("invoice.paid", paidInvoice));
    }
    let paymentIntent: string | null = null;
    if (session.mode === "payment") {
      paymentIntent = stripeId("pi");
      this.put(
        makeCharge({
          customer: buyer.id,
          amount,
          amount_captured: amount,
          currency: session.currency ?? "usd",
          payment_intent: paymentIntent,
          captured: true,
          paid: true,
        }),
      );
    }
    const completed = {
      ...session,
      status: "complete",
      payment_status: subscription?.status === "trialing" ? "no_payment_required" : "paid",
      customer: buyer.id,
      subscription: subscription?.id ?? null,
      payment_intent: paymentIntent,
      invoice: paidInvoice?.id ?? null,
      customer_details: {
        address: null,
        business_name: null,
        email,
        individual_name: null,
        name: payer.name ?? null,
        phone: null,
        tax_exempt: "none",
        tax_ids: [],
      },
    } satisfies Stripe.Checkout.Session;
    this.put(completed);
    events.push(this.#emit("checkout.session.completed", completed));
    return { session: clone(completed), customer: buyer, subscription, invoice: paidInvoice, events };
  }

  /**
   * The card was charged for an invoice: stores the charge (with its payment intent) and the invoice
   * payment that ties them, as Stripe does since invoices pay through payment intents. Records no event.
   */
  chargeInvoice(invoiceId: string): Stripe.Charge {
    const inv = this.#require("invoice", invoiceId);
    const paymentIntent = stripeId("pi");
    const paid = this.put(
      makeCharge({
        customer: typeof inv.customer === "string" ? inv.customer : (inv.customer?.id ?? null),
        amount: inv.amount_paid,
        amount_captured: inv.amount_paid,
        currency: inv.currency,
        payment_intent: paymentIntent,
        captured: true,
        paid: true,
      }),
    );
    this.put({
      id: stripeId("inpay"),
      object: "invoice_payment",
      amount_paid: inv.amount_paid,
      amount_requested: inv.amount_paid,
      created: nowSeconds(),
      currency: inv.currency,
      invoice: inv.id,
      is_default: true,
      livemode: false,
      payment: { type: "payment_intent", payment_intent: paymentIntent },
      status: "paid",
      status_transitions: { canceled_at: null, paid_at: nowSeconds() },
    } as Stripe.InvoicePayment);
    return paid;
  }

  /** The fan disputes a charge with their bank: records `charge.dispute.created`. */
  openDispute(chargeId: string): { dispute: Stripe.Dispute; event: Stripe.Event } {
    const disputed = this.#require("charge", chargeId);
    const created = this.put(
      makeDispute({
        charge: disputed.id,
        amount: disputed.amount,
        currency: disputed.currency,
        payment_intent: disputed.payment_intent,
        status: "needs_response",
      }),
    );
    this.put({ ...disputed, disputed: true });
    return { dispute: created, event: this.#emit("charge.dispute.created", created) };
  }

  /** The bank decides: records `charge.dispute.closed` with the outcome. */
  closeDispute(disputeId: string, status: "won" | "lost"): { dispute: Stripe.Dispute; event: Stripe.Event } {
    const before = this.#require("dispute", disputeId);
    const after = this.put({ ...before, status });
    return {
      dispute: after,
      event: this.#emit("charge.dispute.closed", after, previousAttributes(before, after)),
    };
  }

  /**
   * POSTs the events recorded since the last call, signed with `secret`, in order. With
   * `webhooks.retryBackoffMs`, an attempt that times out or is not answered 2xx is tried again later
   * (while the next events go on, as Stripe does); resolves when every event is delivered or out of
   * retries.
   */
  async deliverEvents(url: string, secret: string): Promise<WebhookDelivery[]> {
    const results: Promise<WebhookDelivery>[] = [];
    while (this.#delivered < this.events.length) {
      const event = this.events[this.#delivered++] as Stripe.Event;
      const first = await this.#attempt(url, event, secret, 1);
      results.push(
        first.status >= 200 && first.status < 300
          ? Promise.resolve({ event, ...first, attempts: 1 })
          : this.#retryDelivery(url, event, secret, first),
      );
    }
    return Promise.all(results);
  }

  async #attempt(
    url: string,
    event: Stripe.Event,
    secret: string,
    attempt: number,
  ): Promise<{ status: number; body: string }> {
    const t0 = performance.now();
    const timeoutMs = this.#webhookOptions?.timeoutMs;
    const send = deliverWebhook(url, event, secret, timeoutMs === undefined ? {} : { timeoutMs });
    // Without the webhooks option, a delivery that fails throws, as it always did.
    const answer = this.#webhookOptions
      ? await send.catch((err: unknown) => ({
          status: 0,
          body: err instanceof Error ? err.message : String(err),
        }))
      : await send;
    this.webhookAttempts.push({
      eventId: event.id,
      type: event.type,
      attempt,
      status: answer.status,
      ms: performance.now() - t0,
    });
    return answer;
  }

  async #retryDelivery(
    url: string,
    event: Stripe.Event,
    secret: string,
    first: { status: number; body: string },
  ): Promise<WebhookDelivery> {
    let last = first;
    const backoff = this.#webhookOptions?.retryBackoffMs ?? [];
    for (let i = 0; i < backoff.length; i++) {
      await sleep(backoff[i] as number);
      last = await this.#attempt(url, event, secret, i + 2);
      if (last.status >= 200 && last.status < 300) return { event, ...last, attempts: i + 2 };
    }
    return { event, ...last, attempts: backoff.length + 1 };
  }

  async close(): Promise<void> {
    await this.#http.close();
  }

  /**
   * The restricted key lacks `permission` (e.g. `rak_webhook_endpoint_read`): requests with it whose
   * method (if given) and path match are answered 403 with Stripe's permission error.
   */
  denyPermission(permission: string, match: { method?: string; path: PathMatcher }): void {
    this.#denied.push({ ...match, permission });
  }

  /** The restricted key may do everything again. */
  allowAllPermissions(): void {
    this.#denied.length = 0;
  }

  /** The signing secret of a webhook endpoint created here (what the create answered). */
  endpointSecret(endpointId: string): string | undefined {
    return this.#endpointSecrets.get(endpointId);
  }

  // -- HTTP plumbing ----------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const raw = (await readBody(req)).toString("utf8");
    const headers = pickHeaders(req, [
      "authorization",
      "idempotency-key",
      "stripe-version",
      "stripe-account",
      "content-type",
      "user-agent",
    ]);
    const call = this.#log.add({
      seq: this.#log.nextSeq(),
      time: Date.now(),
      status: "pending",
      method: req.method ?? "GET",
      path: url.pathname,
      route: undefined,
      query: parseForm(url.search.slice(1)),
      body: parseForm(raw),
      headers,
      idempotencyKey: headers["idempotency-key"],
      response: undefined,
    });
    const requestId = `req_TG${String(++this.#requestCounter).padStart(10, "0")}`;
    const answer = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      call.response = body;
      sendJson(res, status, body, {
        "request-id": requestId,
        "stripe-version": headers["stripe-version"] ?? Stripe.API_VERSION,
        ...(call.idempotencyKey !== undefined && { "idempotency-key": call.idempotencyKey }),
        ...extra,
      });
      this.#log.settle(call, status);
    };

    // The pages a browser opens (checkout, portal): not API routes, no key needed.
    const page = /^\/(checkout|billing)\/([\w-]+)$/.exec(url.pathname);
    if (page?.[1] === "checkout" && this.#objects.get("checkout.session")?.has(page[2]!)) {
      // The hosted payment page: a Pay button (the card is taken as good) and a way back.
      const session = this.#require("checkout.session", page[2]!) as Stripe.Checkout.Session;
      if (call.method === "POST") {
        const pay = new URLSearchParams(raw).get("action") === "pay" && session.status === "open";
        if (pay) this.completeCheckout(session.id);
        const back = pay ? session.success_url : session.cancel_url;
        res.writeHead(303, { location: (back ?? "/").replaceAll("{CHECKOUT_SESSION_ID}", session.id) });
        res.end();
        return this.#log.settle(call, 303);
      }
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay</title></head><body><h1>Pay ${session.amount_total ?? 0} ${session.currency ?? ""}</h1><p>Session ${session.id} (${session.status})</p><form method="post"><button name="action" value="pay">Pay</button> <button name="action" value="cancel">Back</button></form></body></html>`,
      );
      return this.#log.settle(call, 200);
    }
    if (page && call.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>Stripe ${page[1]} stand-in</title><h1>${page[2]}</h1>`);
      return this.#log.settle(call, 200);
    }

    const fault = this.#faults.take(call);
    if (fault?.kind === "hang") return this.#log.settle(call, "hang");
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "rate_limit") {
      this.#rateLimited++;
      return answer(429, {
        error: { type: "invalid_request_error", code: "rate_limit", message: RATE_LIMIT_MESSAGE },
      });
    }
    if (fault?.kind === "lock_timeout") {
      return answer(
        429,
        {
          error: {
            type: "invalid_request_error",
            code: "lock_timeout",
            message:
              "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate. See https://stripe.com/docs/rate-limits for more details.",
          },
        },
        { "stripe-should-retry": "true" },
      );
    }
    if (fault?.kind === "status") {
      return answer(fault.status, { error: { type: "api_error", message: "An unknown error occurred" } });
    }

    const limited = this.#admit(call);
    if (limited) {
      this.#rateLimited++;
      // Stripe does not ask for a retry of a rate limit (no Stripe-Should-Retry: true, no Retry-After).
      return answer(
        429,
        { error: { type: "invalid_request_error", code: "rate_limit", message: RATE_LIMIT_MESSAGE } },
        { "stripe-rate-limited-reason": limited },
      );
    }
    if (this.#latency) await sleep(this.#latency.next());

    const auth = this.#checkKey(headers.authorization);
    if (auth) return answer(auth.status, { error: auth.error });
    const denied = this.#deniedPermission(call);
    if (denied) return answer(denied.status, { error: denied.error });

    const replay = this.#idempotentReplay(call);
    if (replay) return answer(replay.status, replay.body, replay.headers);

    const found = this.#router.find(call.method, url.pathname);
    if (!found) {
      return answer(404, {
        error: {
          type: "invalid_request_error",
          message: `Unrecognized request URL (${call.method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        },
      });
    }
    call.route = found.route.template;
    const input = call.method === "POST" ? call.body : call.query;
    try {
      const result = found.route.handler({ params: found.params, input });
      const expanded = this.#expand(result, strings(input.expand));
      this.#rememberIdempotent(call, 200, expanded);
      answer(200, expanded);
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      const code = error.error.code;
      answer(error.status, {
        error: {
          ...error.error,
          ...(code && { doc_url: `https://stripe.com/docs/error-codes/${code.replaceAll("_", "-")}` }),
          request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
        },
      });
    }
  }

  /**
   * Counts the request against the limits: undefined when admitted, else the reason Stripe gives.
   * Sliding windows of one second; refused requests do not count.
   */
  #admit(call: StripeCall): "global-rate" | "endpoint-rate" | undefined {
    if (!this.#limits) return undefined;
    const now = performance.now();
    const prune = (times: number[]) => {
      let drop = 0;
      while (drop < times.length && (times[drop] as number) <= now - 1000) drop++;
      if (drop > 0) times.splice(0, drop);
      return times;
    };
    const endpoint = `${call.method} ${this.#router.find(call.method, call.path)?.route.template ?? call.path}`;
    let byEndpoint = this.#admittedByEndpoint.get(endpoint);
    if (!byEndpoint) {
      byEndpoint = [];
      this.#admittedByEndpoint.set(endpoint, byEndpoint);
    }
    if (prune(this.#admitted).length >= this.#limits.perSecond) return "global-rate";
    if (prune(byEndpoint).length >= this.#limits.perEndpoint) return "endpoint-rate";
    this.#admitted.push(now);
    byEndpoint.push(now);
    this.#peakPerSecond = Math.max(this.#peakPerSecond, this.#admitted.length);
    return undefined;
  }

  #checkKey(header: string | undefined): StripeApiError | undefined {
    if (!header) {
      return new StripeApiError(401, {
        type: "invalid_request_error",
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    const key = header.replace(/^Bearer\s+/i, "");
    if (key === this.secretKey || (this.restrictedKey !== undefined && key === this.restrictedKey))
      return undefined;
    return new StripeApiError(401, {
      type: "invalid_request_error",
      message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
    });
  }

  /** Stripe's answer to a restricted key without the permission an endpoint needs. */
  #deniedPermission(call: StripeCall): StripeApiError | undefined {
    const key = (call.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    if (this.restrictedKey === undefined || key !== this.restrictedKey) return undefined;
    const rule = this.#denied.find(
      (d) => (d.method === undefined || d.method === call.method) && pathMatches(d.path, call.path),
    );
    if (!rule) return undefined;
    return new StripeApiError(403, {
      type: "invalid_request_error",
      message: `The provided key '${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 11))}${key.slice(-3)}' does not have the required permissions for this endpoint on account 'acct_1PgafTB7WZ01zgkW'. Having the '${rule.permission}' permission would allow this request to continue.`,
    });
  }

  #idempotentReplay(
    call: StripeCall,
  ): { status: number; body: unknown; headers: Record<string, string> } | undefined {
    if (call.method !== "POST" || call.idempotencyKey === undefined) return undefined;
    const previous = this.#idempotency.get(call.idempotencyKey);
    if (!previous) return undefined;
    if (previous.fingerprint !== fingerprint(call)) {
      return {
        status: 400,
        headers: {},
        body: {
          error: {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${call.idempotencyKey}' if you meant to execute a different request.`,
          },
        },
      };
    }
    return { status: previous.status, body: previous.body, headers: { "idempotent-replayed": "true" } };
  }

  #rememberIdempotent(call: StripeCall, status: number, body: unknown): void {
    if (call.method === "POST" && call.idempotencyKey !== undefined) {
      this.#idempotency.set(call.idempotencyKey, { fingerprint: fingerprint(call), status, body });
    }
  }

  // -- storage ----------------------------------------------------------------------------------

  #table<K extends Kind>(kind: K): Map<string, KindTypes[K]> {
    let table = this.#objects.get(kind);
    if (!table) {
      table = new Map();
      this.#objects.set(kind, table);
    }
    return table as Map<string, KindTypes[K]>;
  }

  #require<K extends Kind>(kind: K, id: string, param = "id"): KindTypes[K] {
    const found = this.#table(kind).get(id);
    if (found === undefined) throw noSuch(kind, id, param);
    return found;
  }

  #save<K extends Kind>(kind: K, object: KindTypes[K]): KindTypes[K] {
    const wire = toWire(object);
    this.#table(kind).set(object.id, wire);
    return clone(wire);
  }

  #emit<T extends EventType>(
    type: T,
    object: EventOf<T>["data"]["object"],
    previous?: EventOf<T>["data"]["previous_attributes"],
  ): EventOf<T> {
    const event = makeEvent(type, object, previous === undefined ? {} : { previousAttributes: previous });
    this.events.push(event);
    return event;
  }

  /** Newest first, `limit` (1..100, default 10), `starting_after` / `ending_before`. */
  #list<K extends Kind>(
    kind: K,
    input: FormObject,
    url: string,
    keep: (o: KindTypes[K]) => boolean = () => true,
  ): Stripe.ApiList<KindTypes[K]> {
    const limit = int(input.limit, "limit") ?? 10;
    if (limit < 1 || limit > 100) {
      throw invalid(`This value must be less than or equal to 100 (it currently is '${limit}').`, "limit");
    }
    const all = [...this.#table(kind).values()].filter(keep).reverse();
    const after = str(input.starting_after);
    const before = str(input.ending_before);
    let start = 0;
    let end = all.length;
    if (after !== undefined) {
      const index = all.findIndex((o) => o.id === after);
      if (index < 0) throw noSuch(kind, after, "starting_after");
      start = index + 1;
    }
    if (before !== undefined) {
      const index = all.findIndex((o) => o.id === before);
      if (index < 0) throw noSuch(kind, before, "ending_before");
      end = index;
      start = Math.max(0, end - limit);
    }
    const page = all.slice(start, Math.min(end, start + limit));
    const hasMore = before !== undefined ? start > 0 : start + page.length < end;
    return { object: "list", data: page.map(clone), has_more: hasMore, url };
  }

  /** Replaces ids at the `expand` paths (e.g. `subscription`, `data.customer`) with stored objects. */
  #expand(result: unknown, paths: string[]): unknown {
    if (paths.length === 0 || typeof result !== "object" || result === null) return result;
    const copy = clone(result) as Record<string, unknown>;
    for (const path of paths) this.#expandPath(copy, path.split("."));
    return copy;
  }

  #expandPath(target: unknown, segments: string[]): void {
    if (typeof target !== "object" || target === null) return;
    const [head, ...rest] = segments;
    if (head === undefined) return;
    const record = target as Record<string, unknown>;
    if (head === "data" && Array.isArray(record.data)) {
      for (const item of record.data) this.#expandPath(item, rest);
      return;
    }
    if (head === "line_items" && record.object === "checkout.session") {
      const items = this.#sessions.get(String(record.id))?.lineItems ?? [];
      record.line_items = {
        object: "list",
        data: items,
        has_more: false,
        url: `/v1/checkout/sessions/${record.id}/line_items`,
      };
    }
    const value = record[head];
    if (typeof value === "string") {
      const kind = kindOfId(value);
      const found = kind && this.#table(kind).get(value);
      if (found !== undefined) record[head] = clone(found);
    }
    if (rest.length > 0) this.#expandPath(record[head], rest);
  }

  // -- routes -----------------------------------------------------------------------------------

  #routes(): Router<Handler> {
    const r = new Router<Handler>();

    // Customers
    r.on("POST", "/v1/customers", ({ input }) => {
      const created = this.#save(
        "customer",
        makeCustomer({ ...this.#customerFields(input), metadata: metadata(input.metadata, {}) }),
      );
      this.#emit("customer.created", created as Stripe.Customer);
      return created;
    });
    r.on("GET", "/v1/customers/:id", ({ params }) => this.#require("customer", params.id!));
    r.on("POST", "/v1/customers/:id", ({ params, input }) => {
      const before = this.#liveCustomer(params.id!);
      const after = this.#save("customer", {
        ...before,
        ...this.#customerFields(input),
        metadata: metadata(input.metadata, before.metadata),
      }) as Stripe.Customer;
      this.#emit("customer.updated", after, previousAttributes(before, after));
      return after;
    });
    r.on("DELETE", "/v1/customers/:id", ({ params }) => {
      const before = this.#liveCustomer(params.id!);
      this.#emit("customer.deleted", before);
      return this.#save("customer", { id: before.id, object: "customer", deleted: true });
    });
    r.on("GET", "/v1/customers", ({ input }) => {
      const email = str(input.email);
      return this.#list(
        "customer",
        input,
        "/v1/customers",
        (c) =>
          !("deleted" in c && c.deleted) && (email === undefined || (c as Stripe.Customer).email === email),
      );
    });

    // Products
    r.on("POST", "/v1/products", ({ input }) => {
      const name = str(input.name) ?? throwError(missingParam("name"));
      const created = this.#save(
        "product",
        makeProduct({
          name,
          active: bool(input.active) ?? true,
          description: str(input.description) ?? null,
          metadata: metadata(input.metadata, {}),
        }),
      );
      this.#emit("product.created", created);
      return created;
    });
    r.on("GET", "/v1/products/:id", ({ params }) => this.#require("product", params.id!));
    r.on("POST", "/v1/products/:id", ({ params, input }) => {
      const before = this.#require("product", params.id!);
      const after = this.#save("product", {
        ...before,
        ...defined({
          name: str(input.name),
          description: str(input.description),
          active: bool(input.active),
        }),
        metadata: metadata(input.metadata, before.metadata),
        updated: nowSeconds(),
      });
      this.#emit("product.updated", after, previousAttributes(before, after));
      return after;
    });
    r.on("GET", "/v1/products", ({ input }) => {
      const active = bool(input.active);
      return this.#list("product", input, "/v1/products", (p) => active === undefined || p.active === active);
    });

    // Prices
    r.on("POST", "/v1/prices", ({ input }) => this.#createPrice(input));
    r.on("GET", "/v1/prices/:id", ({ params }) => this.#require("price", params.id!));
    r.on("POST", "/v1/prices/:id", ({ params, input }) => {
      const before = this.#require("price", params.id!);
      const after = this.#save("price", {
        ...before,
        ...defined({
          active: bool(input.active),
          nickname: str(input.nickname),
          lookup_key: str(input.lookup_key),
        }),
        metadata: metadata(input.metadata, before.metadata),
      });
      this.#emit("price.updated", after, previousAttributes(before, after));
      return after;
    });
    r.on("GET", "/v1/prices", ({ input }) => {
      const product = str(input.product);
      const active = bool(input.active);
      const type = str(input.type);
      const lookupKeys = strings(input.lookup_keys);
      return this.#list(
        "price",
        input,
        "/v1/prices",
        (p) =>
          (product === undefined || p.product === product) &&
          (active === undefined || p.active === active) &&
          (type === undefined || p.type === type) &&
          (lookupKeys.length === 0 || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))),
      );
    });

    // Checkout Sessions
    r.on("POST", "/v1/checkout/sessions", ({ input }) => this.#createCheckoutSession(input));
    r.on("GET", "/v1/checkout/sessions/:id", ({ params }) => this.#require("checkout.session", params.id!));
    r.on("GET", "/v1/checkout/sessions/:id/line_items", ({ params, input }) => {
      this.#require("checkout.session", params.id!);
      const items = this.#sessions.get(params.id!)?.lineItems ?? [];
      const limit = int(input.limit, "limit") ?? 10;
      return {
        object: "list",
        data: items.slice(0, limit),
        has_more: items.length > limit,
        url: `/v1/checkout/sessions/${params.id}/line_items`,
      };
    });
    r.on("POST", "/v1/checkout/sessions/:id/expire", ({ params }) => {
      const session = this.#require("checkout.session", params.id!);
      if (session.status !== "open") {
        throw invalid(
          `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
        );
      }
      const expired = this.#save("checkout.session", { ...session, status: "expired", url: null });
      this.#emit("checkout.session.expired", expired);
      return expired;
    });
    r.on("GET", "/v1/checkout/sessions", ({ input }) => {
      const filters = {
        customer: str(input.customer),
        subscription: str(input.subscription),
        status: str(input.status),
      };
      return this.#list(
        "checkout.session",
        input,
        "/v1/checkout/sessions",
        (s) =>
          (filters.customer === undefined || s.customer === filters.customer) &&
          (filters.subscription === undefined || s.subscription === filters.subscription) &&
          (filters.status === undefined || s.status === filters.status),
      );
    });

    // Subscriptions
    r.on("GET", "/v1/subscriptions/:id", ({ params }) => this.#require("subscription", params.id!));
    r.on("GET", "/v1/subscriptions", ({ input }) => {
      const customerId = str(input.customer);
      const priceId = str(input.price);
      const status = str(input.status);
      const statusOk = (s: Stripe.Subscription.Status) =>
        status === undefined
          ? s !== "canceled"
          : status === "all" ||
            s === status ||
            (status === "ended" && (s === "canceled" || s === "incomplete_expired"));
      return this.#list(
        "subscription",
        input,
        "/v1/subscriptions",
        (s) =>
          statusOk(s.status) &&
          (customerId === undefined || s.customer === customerId) &&
          (priceId === undefined || s.items.data.some((i) => i.price.id === priceId)),
      );
    });
    r.on("POST", "/v1/subscriptions/:id", ({ params, input }) => this.#patchSubscription(params.id!, input));
    r.on("DELETE", "/v1/subscriptions/:id", ({ params, input }) => {
      const before = this.#require("subscription", params.id!);
      if (before.status === "canceled")
        throw invalid(`No such subscription: '${before.id}'`, "id", "resource_missing");
      const now = nowSeconds();
      const details = (input.cancellation_details ?? {}) as FormObject;
      return this.updateSubscription(before.id, {
        status: "canceled",
        canceled_at: now,
        ended_at: now,
        cancel_at_period_end: false,
        cancellation_details: {
          comment: str(details.comment) ?? null,
          feedback:
            (str(details.feedback) as Stripe.Subscription.CancellationDetails.Feedback | undefined) ?? null,
          feedback_option: null,
          reason: "cancellation_requested",
        },
      }).subscription;
    });

    // Billing portal
    r.on("POST", "/v1/billing_portal/sessions", ({ input }) => {
      const customerId = str(input.customer) ?? throwError(missingParam("customer"));
      this.#liveCustomer(customerId, "customer");
      // The configuration named, else the account's default: Stripe has none until the portal
      // settings are saved once in the Dashboard, and refuses the session then.
      const named = str(input.configuration);
      const configuration = named
        ? this.#table("billing_portal.configuration").get(named)
        : [...this.#table("billing_portal.configuration").values()].find((c) => c.is_default && c.active);
      if (named && !configuration)
        throw invalid(`No such configuration: '${named}'`, "configuration", "resource_missing");
      if (named && !configuration!.active)
        throw invalid(
          `The configuration '${named}' is not active. Activate it or provide an active configuration.`,
          "configuration",
        );
      if (!configuration)
        throw invalid(
          "No configuration provided and your test mode default configuration has not been created. Provide a configuration or create your default by saving your customer portal settings in test mode at https://dashboard.stripe.com/test/settings/billing/portal.",
        );
      const id = stripeId("bps");
      return this.#save(
        "billing_portal.session",
        billingPortalSession({
          id,
          customer: customerId,
          configuration: configuration.id,
          return_url: str(input.return_url) ?? null,
          url: `${this.origin}/billing/${id}`,
        }),
      );
    });

    // Webhook endpoints: the signing secret only in the answer to the create, as Stripe does.
    r.on("POST", "/v1/webhook_endpoints", ({ input }) => {
      const url = str(input.url) ?? throwError(missingParam("url"));
      const events = strings(input.enabled_events);
      if (events.length === 0) throw missingParam("enabled_events");
      const created = this.#save(
        "webhook_endpoint",
        webhookEndpoint({
          url,
          enabled_events: events,
          description: str(input.description) ?? null,
          metadata: metadata(input.metadata, null),
          api_version: str(input.api_version) ?? null,
        }),
      );
      const secret = `whsec_${randomBytes(24).toString("hex")}`;
      this.#endpointSecrets.set(created.id, secret);
      return { ...created, secret };
    });
    r.on("GET", "/v1/webhook_endpoints", ({ input }) =>
      this.#list("webhook_endpoint", input, "/v1/webhook_endpoints"),
    );
    r.on("GET", "/v1/webhook_endpoints/:id", ({ params }) => this.#require("webhook_endpoint", params.id!));
    r.on("POST", "/v1/webhook_endpoints/:id", ({ params, input }) => {
      const current = this.#require("webhook_endpoint", params.id!);
      const disabled = bool(input.disabled);
      const events = strings(input.enabled_events);
      return this.#save("webhook_endpoint", {
        ...current,
        ...defined({ url: str(input.url), description: str(input.description) }),
        ...(events.length > 0 && { enabled_events: events }),
        ...(disabled !== undefined && { status: disabled ? "disabled" : "enabled" }),
        metadata: metadata(input.metadata, current.metadata),
      });
    });
    r.on("DELETE", "/v1/webhook_endpoints/:id", ({ params }) => {
      this.#require("webhook_endpoint", params.id!);
      this.#table("webhook_endpoint").delete(params.id!);
      return {
        id: params.id!,
        object: "webhook_endpoint",
        deleted: true,
      } satisfies Stripe.DeletedWebhookEndpoint;
    });

    // Customer portal configurations. One made through the API is not the account's default (the
    // Dashboard's); the `portalSettingsSaved` option stores a default one as the Dashboard would.
    r.on("POST", "/v1/billing_portal/configurations", ({ input }) =>
      this.#save(
        "billing_portal.configuration",
        this.#portalConfiguration(billingPortalConfiguration({ is_default: false }), input),
      ),
    );
    r.on("GET", "/v1/billing_portal/configurations", ({ input }) => {
      const active = bool(input.active);
      const isDefault = bool(input.is_default);
      return this.#list(
        "billing_portal.configuration",
        input,
        "/v1/billing_portal/configurations",
        (c) =>
          (active === undefined || c.active === active) &&
          (isDefault === undefined || c.is_default === isDefault),
      );
    });
    r.on("GET", "/v1/billing_portal/configurations/:id", ({ params }) =>
      this.#require("billing_portal.configuration", params.id!),
    );
    r.on("POST", "/v1/billing_portal/configurations/:id", ({ params, input }) =>
      this.#save(
        "billing_portal.configuration",
        this.#portalConfiguration(this.#require("billing_portal.configuration", params.id!), input),
      ),
    );

    // Invoices, charges, refunds, disputes
    r.on("GET", "/v1/invoices/:id", ({ params }) => this.#require("invoice", params.id!));
    r.on("GET", "/v1/invoices", ({ input }) => {
      const customerId = str(input.customer);
      const subscriptionId = str(input.subscription);
      return this.#list(
        "invoice",
        input,
        "/v1/invoices",
        (i) =>
          (customerId === undefined || i.customer === customerId) &&
          (subscriptionId === undefined || i.parent?.subscription_details?.subscription === subscriptionId),
      );
    });
    r.on("GET", "/v1/charges/:id", ({ params }) => this.#require("charge", params.id!));
    r.on("GET", "/v1/disputes/:id", ({ params }) => this.#require("dispute", params.id!));
    r.on("GET", "/v1/invoice_payments", ({ input }) => {
      const payment = input.payment as FormObject | undefined;
      const paymentIntent = str(payment?.payment_intent);
      const invoiceId = str(input.invoice);
      return this.#list(
        "invoice_payment",
        input,
        "/v1/invoice_payments",
        (p) =>
          (invoiceId === undefined || p.invoice === invoiceId) &&
          (paymentIntent === undefined || p.payment.payment_intent === paymentIntent),
      );
    });
    r.on("GET", "/v1/refunds/:id", ({ params }) => this.#require("refund", params.id!));
    r.on("POST", "/v1/refunds", ({ input }) => this.#createRefund(input));
    return r;
  }

  // -- route helpers ----------------------------------------------------------------------------

  /** A portal configuration with the create/update parameters the bot sends applied. */
  #portalConfiguration(
    current: Stripe.BillingPortal.Configuration,
    input: FormObject,
  ): Stripe.BillingPortal.Configuration {
    const features = (input.features as FormObject | undefined) ?? {};
    const part = (name: string) => features[name] as FormObject | undefined;
    const enabled = (name: string, was: boolean) => bool(part(name)?.enabled) ?? was;
    const f = current.features;
    const update = part("subscription_update");
    const products = update?.products;
    const cancel = part("subscription_cancel");
    return {
      ...current,
      active: bool(input.active) ?? current.active,
      default_return_url: str(input.default_return_url) ?? current.default_return_url,
      metadata: metadata(input.metadata, current.metadata),
      updated: nowSeconds(),
      features: {
        ...f,
        invoice_history: { enabled: enabled("invoice_history", f.invoice_history.enabled) },
        payment_method_update: {
          ...f.payment_method_update,
          enabled: enabled("payment_method_update", f.payment_method_update.enabled),
        },
        subscription_cancel: {
          ...f.subscription_cancel,
          enabled: enabled("subscription_cancel", f.subscription_cancel.enabled),
          mode:
            (str(cancel?.mode) as Stripe.BillingPortal.Configuration.Features.SubscriptionCancel.Mode) ??
            f.subscription_cancel.mode,
        },
        subscription_update: {
          ...f.subscription_update,
          enabled: enabled("subscription_update", f.subscription_update.enabled),
          ...(update?.default_allowed_updates !== undefined && {
            default_allowed_updates: strings(update.default_allowed_updates),
          }),
          ...(update?.proration_behavior !== undefined && {
            proration_behavior: str(update.proration_behavior) ?? "none",
          }),
          ...(products !== undefined && {
            products: (Array.isArray(products) ? products : Object.values(products as FormObject))
              .filter((p): p is FormObject => typeof p === "object" && p !== null && !Array.isArray(p))
              .map((p) => ({
                product:
                  str(p.product) ??
                  throwError(missingParam("features[subscription_update][products][0][product]")),
                prices: strings(p.prices),
                adjustable_quantity: { enabled: false, maximum: null, minimum: 1 },
              })),
          }),
        },
      },
    };
  }

  #customerFields(input: FormObject): Partial<Stripe.Customer> {
    return defined({
      email: str(input.email),
      name: str(input.name),
      description: str(input.description),
      phone: str(input.phone),
    });
  }

  #liveCustomer(id: string, param = "id"): Stripe.Customer {
    const found = this.#require("customer", id, param);
    if ("deleted" in found && found.deleted) throw noSuch("customer", id, param);
    return found as Stripe.Customer;
  }

  #createPrice(input: FormObject): Stripe.Price {
    const currency = (str(input.currency) ?? throwError(missingParam("currency"))).toLowerCase();
    if (!CURRENCIES.has(currency)) {
      throw invalid(
        `Invalid currency: ${currency}. Stripe currently supports these currencies: ${[...CURRENCIES].join(", ")}`,
        "currency",
      );
    }
    let productId = str(input.product);
    if (productId !== undefined) this.#require("product", productId, "product");
    else {
      const data = input.product_data as FormObject | undefined;
      const name = str(data?.name) ?? throwError(missingParam("product"));
      productId = this.#save("product", makeProduct({ name })).id;
    }
    const unitAmount = int(input.unit_amount, "unit_amount") ?? throwError(missingParam("unit_amount"));
    const recurringInput = input.recurring as FormObject | undefined;
    let recurring: Stripe.Price.Recurring | null = null;
    if (recurringInput) {
      const interval = str(recurringInput.interval) ?? throwError(missingParam("recurring[interval]"));
      if (!["day", "week", "month", "year"].includes(interval)) {
        throw invalid(
          `Invalid recurring[interval]: must be one of day, month, week, or year`,
          "recurring[interval]",
        );
      }
      recurring = {
        interval: interval as Stripe.Price.Recurring.Interval,
        interval_count: int(recurringInput.interval_count, "recurring[interval_count]") ?? 1,
        meter: null,
        trial_period_days: null,
        usage_type: "licensed",
      };
    }
    const lookupKey = str(input.lookup_key) ?? null;
    if (lookupKey !== null) {
      const holder = [...this.#table("price").values()].find((p) => p.lookup_key === lookupKey);
      if (holder && bool(input.transfer_lookup_key) !== true) {
        throw invalid(`A price (\`${holder.id}\`) already uses that lookup key.`, "lookup_key");
      }
      if (holder) this.#save("price", { ...holder, lookup_key: null });
    }
    const created = this.#save(
      "price",
      makePrice({
        currency,
        product: productId,
        unit_amount: unitAmount,
        recurring,
        lookup_key: lookupKey,
        nickname: str(input.nickname) ?? null,
        active: bool(input.active) ?? true,
        metadata: metadata(input.metadata, {}),
      }),
    );
    this.#emit("price.created", created);
    return created;
  }

  #createCheckoutSession(input: FormObject): Stripe.Checkout.Session {
    const mode = str(input.mode) ?? throwError(missingParam("mode"));
    if (!["payment", "subscription", "setup"].includes(mode)) throw invalid(`Invalid mode: ${mode}`, "mode");
    const uiMode = str(input.ui_mode) ?? "hosted";
    const successUrl = str(input.success_url);
    if (uiMode === "hosted" && successUrl === undefined) throw missingParam("success_url");
    const customerId = str(input.customer);
    const customerEmail = str(input.customer_email);
    if (customerId !== undefined && customerEmail !== undefined) {
      throw invalid("You may only specify one of these parameters: customer, customer_email.", "customer");
    }
    // Stripe keeps a deleted customer readable (`deleted: true`) but will not bill it.
    if (customerId !== undefined) this.#liveCustomer(customerId, "customer");

    const rawItems = Array.isArray(input.line_items) ? (input.line_items as FormObject[]) : [];
    if (mode !== "setup" && rawItems.length === 0) throw missingParam("line_items");
    const lineItems = rawItems.map((item, i): Stripe.LineItem => {
      const param = `line_items[${i}][price]`;
      const priceId = str(item.price) ?? throwError(missingParam(param));
      const linePrice = this.#require("price", priceId, param);
      if (!linePrice.active)
        throw invalid("The price specified is inactive. This field only accepts active prices.", param);
      const quantity = int(item.quantity, `line_items[${i}][quantity]`) ?? 1;
      const amount = (linePrice.unit_amount ?? 0) * quantity;
      return {
        id: stripeId("li"),
        object: "item",
        adjustable_quantity: null,
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: linePrice.currency,
        description: null,
        metadata: null,
        price: linePrice,
        quantity,
      };
    });
    const recurringCount = lineItems.filter((li) => li.price?.type === "recurring").length;
    if (mode === "subscription" && recurringCount === 0) {
      throw invalid(
        "You must provide at least one recurring price in `subscription` mode when using prices.",
        "line_items",
      );
    }
    if (mode === "payment" && recurringCount > 0) {
      throw invalid(
        "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
        "line_items",
      );
    }
    const total = lineItems.reduce((sum, li) => sum + li.amount_total, 0);
    const expiresAt = int(input.expires_at, "expires_at");
    const id = stripeId("cs_test");
    const session = this.#save(
      "checkout.session",
      checkoutSession({
        id,
        mode: mode as Stripe.Checkout.Session.Mode,
        ui_mode: uiMode as Stripe.Checkout.Session.UiMode,
        url: uiMode === "hosted" ? `${this.origin}/checkout/${id}` : null,
        success_url: successUrl ?? null,
        cancel_url: str(input.cancel_url) ?? null,
        client_reference_id: str(input.client_reference_id) ?? null,
        customer: customerId ?? null,
        customer_email: customerEmail ?? null,
        metadata: metadata(input.metadata, {}),
        allow_promotion_codes: bool(input.allow_promotion_codes) ?? null,
        locale: (str(input.locale) as Stripe.Checkout.Session.Locale | undefined) ?? null,
        currency: lineItems[0]?.currency ?? null,
        amount_subtotal: mode === "setup" ? null : total,
        amount_total: mode === "setup" ? null : total,
        ...(expiresAt !== undefined && { expires_at: expiresAt }),
      }),
    );
    this.#sessions.set(id, {
      lineItems: toWire(lineItems),
      subscriptionData: input.subscription_data as FormObject | undefined,
    });
    return session;
  }

  #patchSubscription(id: string, input: FormObject): Stripe.Subscription {
    const before = this.#require("subscription", id);
    if (
      before.status === "canceled" &&
      Object.keys(input).some((k) => !["metadata", "cancellation_details", "expand"].includes(k))
    ) {
      throw invalid("A canceled subscription can only update its cancellation_details and metadata.");
    }
    const patch: Partial<Stripe.Subscription> = { metadata: metadata(input.metadata, before.metadata) };
    const description = str(input.description);
    if (description !== undefined) patch.description = description || null;
    const cancelAtPeriodEnd = bool(input.cancel_at_period_end);
    if (cancelAtPeriodEnd !== undefined) {
      patch.cancel_at_period_end = cancelAtPeriodEnd;
      patch.cancel_at = cancelAtPeriodEnd ? currentPeriodEnd(before) : null;
      patch.canceled_at = cancelAtPeriodEnd ? nowSeconds() : null;
    }
    if (input.cancel_at !== undefined) {
      const at = str(input.cancel_at);
      patch.cancel_at = at ? (int(at, "cancel_at") ?? null) : null;
    }
    if (input.pause_collection !== undefined)
      patch.pause_collection = pauseCollection(input.pause_collection);
    if (str(input.trial_end) === "now" && before.status === "trialing") {
      patch.status = "active";
      patch.trial_end = nowSeconds();
    }
    const items = Array.isArray(input.items) ? (input.items as FormObject[]) : [];
    if (items.length > 0) {
      const data = before.items.data.map((item) => ({ ...item }));
      items.forEach((change, i) => {
        const target =
          data.find((d) => d.id === str(change.id)) ?? (str(change.id) === undefined ? data[0] : undefined);
        if (!target) throw noSuch("subscription_item", str(change.id) ?? "", `items[${i}][id]`);
        const priceId = str(change.price);
        if (priceId !== undefined) target.price = this.#require("price", priceId, `items[${i}][price]`);
        const quantity = int(change.quantity, `items[${i}][quantity]`);
        if (quantity !== undefined) target.quantity = quantity;
      });
      patch.items = { ...before.items, data };
    }
    return this.updateSubscription(id, patch).subscription;
  }

  #createRefund(input: FormObject): Stripe.Refund {
    const chargeId = str(input.charge);
    const paymentIntent = str(input.payment_intent);
    if (chargeId === undefined && paymentIntent === undefined) throw missingParam("charge");
    const target =
      chargeId !== undefined
        ? this.#require("charge", chargeId, "charge")
        : ([...this.#table("charge").values()].find((c) => c.payment_intent === paymentIntent) ??
          throwError(noSuch("payment_intent", paymentIntent ?? "", "payment_intent")));
    const remaining = target.amount - target.amount_refunded;
    const amount = int(input.amount, "amount") ?? remaining;
    if (remaining <= 0)
      throw invalid(`Charge ${target.id} has already been refunded.`, undefined, "charge_already_refunded");
    if (amount > remaining) {
      throw invalid(
        `Refund amount ($${amount / 100}) is greater than unrefunded amount on charge ($${remaining / 100})`,
        "amount",
      );
    }
    const created = this.#save(
      "refund",
      makeRefund({
        amount,
        charge: target.id,
        currency: target.currency,
        payment_intent: target.payment_intent,
        reason: (str(input.reason) as Stripe.Refund.Reason | undefined) ?? null,
        metadata: metadata(input.metadata, {}),
      }),
    );
    const refundedAmount = target.amount_refunded + amount;
    const after = this.#save("charge", {
      ...target,
      amount_refunded: refundedAmount,
      refunded: refundedAmount >= target.amount,
    });
    this.#emit("refund.created", created);
    this.#emit("charge.refunded", after, previousAttributes(target, after));
    return created;
  }
}

export const startStripeStandin = (options?: StripeStandinOptions): Promise<StripeStandin> =>
  StripeStandin.start(options);

// ---------------------------------------------------------------------------------------------------
// Parameter helpers (every form value arrives as a string)

function throwError(error: Error): never {
  throw error;
}

const str = (value: FormValue | undefined): string | undefined =>
  typeof value === "string" ? value : undefined;

const strings = (value: FormValue | undefined): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === "string")
    : typeof value === "string"
      ? [value]
      : [];

function int(value: FormValue | undefined, param: string): number | undefined {
  const text = str(value);
  if (text === undefined || text === "") return undefined;
  if (!/^-?\d+$/.test(text)) throw invalid(`Invalid integer: ${text}`, param);
  return Number(text);
}

function bool(value: FormValue | undefined): boolean | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  if (text !== "true" && text !== "false") throw invalid(`Invalid boolean: ${text}`);
  return text === "true";
}

/** Stripe's metadata semantics: merge, `""` deletes a key, `metadata=""` clears all; keys ≤ 40, values ≤ 500. */
function metadata(value: FormValue | undefined, current: Stripe.Metadata | null): Stripe.Metadata {
  const result: Stripe.Metadata = { ...(current ?? {}) };
  if (value === undefined) return result;
  if (value === "") return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalid("Invalid hash", "metadata");
  for (const [key, v] of Object.entries(value)) {
    if (key.length > 40)
      throw invalid("Metadata keys can have a maximum length of 40 characters.", `metadata[${key}]`);
    if (typeof v !== "string") throw invalid("Invalid metadata value", `metadata[${key}]`);
    if (v.length > 500)
      throw invalid("Metadata values can have a maximum length of 500 characters.", `metadata[${key}]`);
    if (v === "") delete result[key];
    else result[key] = v;
  }
  if (Object.keys(result).length > 50)
    throw invalid("You can specify up to 50 keys in metadata.", "metadata");
  return result;
}

const PAUSE_BEHAVIORS = ["keep_as_draft", "mark_uncollectible", "void"] as const;

/**
 * Stripe's `pause_collection` on a subscription update: `""` lifts the pause; otherwise `behavior`
 * (one of keep_as_draft, mark_uncollectible, void) and an optional `resumes_at` in the future.
 */
function pauseCollection(value: FormValue): Stripe.Subscription.PauseCollection | null {
  if (value === "") return null;
  if (typeof value !== "object" || Array.isArray(value)) throw invalid("Invalid hash", "pause_collection");
  const behavior = str(value.behavior);
  if (behavior === undefined) throw missingParam("pause_collection[behavior]");
  if (!(PAUSE_BEHAVIORS as readonly string[]).includes(behavior)) {
    throw invalid(
      `Invalid pause_collection[behavior]: must be one of ${PAUSE_BEHAVIORS.join(", ")}`,
      "pause_collection[behavior]",
    );
  }
  const resumesAt = int(value.resumes_at, "pause_collection[resumes_at]") ?? null;
  if (resumesAt !== null && resumesAt <= nowSeconds()) {
    throw invalid("The pause_collection[resumes_at] must be in the future.", "pause_collection[resumes_at]");
  }
  return { behavior: behavior as (typeof PAUSE_BEHAVIORS)[number], resumes_at: resumesAt };
}

/** The object without its undefined fields (for partial updates). */
function defined<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** The old values of the top-level fields that changed, as in `data.previous_attributes`. */
function previousAttributes<T extends object>(before: T, after: T): Partial<T> {
  const previous: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key];
  }
  return previous;
}

function fingerprint(call: StripeCall): string {
  const { expand: _ignored, ...body } = call.body;
  return `${call.method} ${call.path} ${JSON.stringify(body)}`;
}

/** A small seeded generator (mulberry32): the same draws for the same seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
