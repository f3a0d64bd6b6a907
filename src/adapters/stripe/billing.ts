import Stripe from "stripe";
import type { Billing, SubscriptionState, WebhookVerifier } from "../../app/billing/billing.ts";
import type { StripeConfig } from "../../config.ts";
import { NetworkError, PlatformError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import {
  BudgetedHttpClient,
  budgetSettings,
  StripeBudget,
  type StripePriority,
  withStripePriority,
} from "./budget.ts";

export type { StripePriority } from "./budget.ts";

/**
 * The Stripe side of tribegate, in the ledger's words. Every read returns Stripe's *current* state of
 * an object: the webhook handler re-reads what an event points at instead of trusting the event's
 * copy, so events that arrive late, twice or out of order all lead to the same ledger. The interface it
 * implements, Billing, is the app's (src/app/billing/billing.ts).
 */

/** Whether a key is a live-mode key (sk_live_…, rk_live_…); test-mode keys say test. */
export function isLiveKey(secretKey: string): boolean {
  return /^(sk|rk)_live_/.test(secretKey);
}

/** The process's Stripe budget for `config`'s key and STRIPE_REQUESTS_PER_SECOND. */
export function createStripeBudget(config: StripeConfig, log?: Logger): StripeBudget {
  const settings = budgetSettings(config.secretKey, config.requestsPerSecond);
  return new StripeBudget({
    requestsPerSecond: settings.requestsPerSecond,
    endpointRequestsPerSecond: settings.endpointRequestsPerSecond,
    ...(log ? { log: log.child({ module: "stripe" }) } : {}),
  });
}

/**
 * A stripe-node client whose every request waits in `budget` (a new one for `config` unless given:
 * pass the process's one so all its Stripe work shares one count). Rate-limit 429s are retried by the
 * budget; errors and 5xx by stripe-node (`maxNetworkRetries`), each attempt through the budget.
 */
export function createStripeClient(config: StripeConfig, opts: { budget?: StripeBudget } = {}): Stripe {
  const url = new URL(config.apiUrl);
  return new Stripe(config.secretKey, {
    host: url.hostname,
    port: url.port || (url.protocol === "https:" ? 443 : 80),
    protocol: url.protocol === "https:" ? "https" : "http",
    httpClient: new BudgetedHttpClient(opts.budget ?? createStripeBudget(config)),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: "tribegate" },
  });
}

const seconds = (s: number | null | undefined): Date | null => (s ? new Date(s * 1000) : null);

export function toSubscriptionState(sub: Stripe.Subscription): SubscriptionState {
  const item = sub.items.data[0];
  const price = item?.price;
  const periodEnd = item ? item.current_period_end : null;
  return {
    id: sub.id,
    customerId: typeof sub.customer === "string" ? sub.customer : sub.customer.id,
    status: sub.status,
    priceId: price?.id ?? "",
    amount: price?.unit_amount ?? 0,
    currency: price?.currency ?? sub.currency,
    interval: price?.recurring?.interval ?? null,
    currentPeriodEnd: seconds(sub.cancel_at) ?? seconds(periodEnd),
    cancelAtPeriodEnd: sub.cancel_at_period_end || sub.cancel_at !== null,
    startedAt: seconds(sub.start_date) ?? new Date(sub.created * 1000),
    endedAt: seconds(sub.ended_at),
    metadata: { ...sub.metadata },
    pause: sub.pause_collection ? { resumesAt: seconds(sub.pause_collection.resumes_at) } : null,
  };
}

/** Turns stripe-node's errors into "Stripe refused" vs "could not reach Stripe". */
export function stripeFailure(method: string, err: unknown): Error {
  if (err instanceof Stripe.errors.StripeConnectionError) {
    return new NetworkError("stripe", `${method}: could not reach Stripe (${err.message})`, { cause: err });
  }
  if (err instanceof Stripe.errors.StripeError) {
    const status = err.statusCode ?? 0;
    if (status >= 500 || status === 429 || status === 0) {
      return new NetworkError("stripe", `${method}: Stripe is unavailable (${status} ${err.message})`, {
        cause: err,
      });
    }
    return new PlatformError("stripe", method, status, err.message, { cause: err, code: err.code });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The priority of each method when no `withPriority` says otherwise. */
const INTERACTIVE_METHODS: ReadonlySet<string> = new Set([
  "createCustomer",
  "customerStatus",
  "createProduct",
  "createPrice",
  "price",
  "deactivatePrice",
  "createCheckout",
  "changeSubscriptionPrice",
  "createPortal",
  "pauseSubscription",
  "resumeSubscription",
]);

export const defaultPriority = (method: keyof Billing): StripePriority =>
  INTERACTIVE_METHODS.has(method) ? "interactive" : "background";

/**
 * `portalConfiguration`: reads the customer portal configuration `npm run doctor -- --fix` made;
 * portal sessions name it, since Stripe uses the account's default one (the Dashboard's) otherwise,
 * and a configuration made through the API is never the default. Read for each session, so a
 * `--fix` run while the bot is up is used at once, without a restart.
 */
/**
 * The webhook verifier port over stripe-node's signature check (`webhooks.constructEvent`: HMAC of
 * the raw body with the endpoint's signing secret, timestamp within `toleranceSeconds`, default 300).
 */
export function createWebhookVerifier(
  stripe: Stripe,
  secret: string,
  toleranceSeconds?: number,
): WebhookVerifier {
  return {
    verify(rawBody, signature) {
      try {
        return {
          ok: true,
          event: stripe.webhooks.constructEvent(rawBody, signature, secret, toleranceSeconds),
        };
      } catch (err) {
        return {
          ok: false,
          reason: err instanceof Error ? (err.message.split("\n")[0] ?? "invalid") : "invalid",
        };
      }
    },
  };
}

export function createBilling(
  stripe: Stripe,
  opts: { portalConfiguration?: () => Promise<string | undefined> } = {},
): Billing {
  return billingAt(stripe, opts, undefined);
}

function billingAt(
  stripe: Stripe,
  opts: { portalConfiguration?: () => Promise<string | undefined> },
  priority: StripePriority | undefined,
): Billing {
  const call = <T>(of: keyof Billing, method: string, fn: () => Promise<T>): Promise<T> =>
    withStripePriority(priority ?? defaultPriority(of), async () => {
      try {
        return await fn();
      } catch (err) {
        throw stripeFailure(method, err);
      }
    });
  return {
    withPriority: (p) => billingAt(stripe, opts, p),
    customerSubscriptions: (customerId) =>
      call("customerSubscriptions", "subscriptions.list", async () => {
        const subs = await stripe.subscriptions
          .list({ customer: customerId, status: "all", limit: 100 })
          .autoPagingToArray({ limit: 1000 });
        return subs.map(toSubscriptionState);
      }),
    async *allSubscriptions() {
      // Page by page (as stripe-node's auto-pagination does), each page read at this port's priority.
      let startingAfter: string | undefined;
      for (;;) {
        const page = await call("allSubscriptions", "subscriptions.list", () =>
          stripe.subscriptions.list({
            status: "all",
            limit: 100,
            ...(startingAfter ? { starting_after: startingAfter } : {}),
          }),
        );
        for (const sub of page.data) yield toSubscriptionState(sub);
        const last = page.data.at(-1);
        if (!page.has_more || !last) return;
        startingAfter = last.id;
      }
    },
    charge: (chargeId) =>
      call("charge", "charges.retrieve", async () => {
        const c = await stripe.charges.retrieve(chargeId);
        return {
          id: c.id,
          customerId: typeof c.customer === "string" ? c.customer : (c.customer?.id ?? null),
          paymentIntentId:
            typeof c.payment_intent === "string" ? c.payment_intent : (c.payment_intent?.id ?? null),
          refunded: c.refunded,
        };
      }),
    dispute: (disputeId) =>
      call("dispute", "disputes.retrieve", async () => {
        const d = await stripe.disputes.retrieve(disputeId);
        return {
          id: d.id,
          chargeId: typeof d.charge === "string" ? d.charge : d.charge.id,
          status: d.status,
        };
      }),
    subscriptionOfPayment: (paymentIntentId) =>
      call("subscriptionOfPayment", "invoicePayments.list", async () => {
        const page = await stripe.invoicePayments.list({
          payment: { type: "payment_intent", payment_intent: paymentIntentId },
          expand: ["data.invoice"],
          limit: 1,
        });
        const invoice = page.data[0]?.invoice;
        if (!invoice || typeof invoice === "string" || "deleted" in invoice) return null;
        const sub = invoice.parent?.subscription_details?.subscription;
        if (!sub) return null;
        return typeof sub === "string" ? sub : sub.id;
      }),
    createCustomer: (params) =>
      call(
        "createCustomer",
        "customers.create",
        async () =>
          (
            await stripe.customers.create(
              {
                ...(params.name ? { name: params.name } : {}),
                metadata: params.metadata,
              },
              params.idempotencyKey ? { idempotencyKey: params.idempotencyKey } : {},
            )
          ).id,
      ),
    customerStatus: (customerId) =>
      call("customerStatus", "customers.retrieve", async () => {
        try {
          const c = await stripe.customers.retrieve(customerId);
          return "deleted" in c && c.deleted ? ("deleted" as const) : ("active" as const);
        } catch (err) {
          if (err instanceof Stripe.errors.StripeError && err.code === "resource_missing")
            return "missing" as const;
          throw err;
        }
      }),
    createProduct: (params) =>
      call("createProduct", "products.create", async () => (await stripe.products.create(params)).id),
    createPrice: (params) =>
      call("createPrice", "prices.create", async () => {
        const price = await stripe.prices.create({
          product: params.productId,
          unit_amount: params.amount,
          currency: params.currency,
          metadata: params.metadata,
          ...(params.interval ? { recurring: { interval: params.interval } } : {}),
        });
        return price.id;
      }),
    price: (priceId) =>
      call("price", "prices.retrieve", async () => {
        const p = await stripe.prices.retrieve(priceId);
        return {
          id: p.id,
          active: p.active,
          amount: p.unit_amount ?? 0,
          currency: p.currency,
          interval: p.recurring?.interval ?? null,
          productId: typeof p.product === "string" ? p.product : p.product.id,
        };
      }),
    deactivatePrice: (priceId) =>
      call("deactivatePrice", "prices.update", async () => {
        await stripe.prices.update(priceId, { active: false });
      }),
    createCheckout: (req) =>
      call("createCheckout", "checkout.sessions.create", async () => {
        const session = await stripe.checkout.sessions.create(
          {
            mode: req.mode,
            customer: req.customerId,
            client_reference_id: req.clientReferenceId,
            metadata: req.metadata,
            line_items: [{ price: req.priceId, quantity: 1 }],
            success_url: req.successUrl,
            cancel_url: req.cancelUrl,
            ...(req.allowPromotionCodes ? { allow_promotion_codes: true } : {}),
            ...(req.locale ? { locale: req.locale as Stripe.Checkout.SessionCreateParams.Locale } : {}),
            ...(req.mode === "subscription"
              ? {
                  subscription_data: {
                    metadata: req.metadata,
                    ...(req.trialDays > 0 ? { trial_period_days: req.trialDays } : {}),
                  },
                }
              : { payment_intent_data: { metadata: req.metadata } }),
          },
          req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {},
        );
        if (!session.url)
          throw new PlatformError(
            "stripe",
            "checkout.sessions.create",
            200,
            "Stripe returned a session without a URL",
          );
        return { id: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000) };
      }),
    changeSubscriptionPrice: (subscriptionId, priceId) =>
      call("changeSubscriptionPrice", "subscriptions.update", async () => {
        const current = await stripe.subscriptions.retrieve(subscriptionId);
        const item = current.items.data[0];
        if (!item)
          throw new PlatformError(
            "stripe",
            "subscriptions.update",
            400,
            `subscription ${subscriptionId} has no item`,
          );
        const updated = await stripe.subscriptions.update(subscriptionId, {
          items: [{ id: item.id, price: priceId }],
          proration_behavior: "create_prorations",
        });
        return toSubscriptionState(updated);
      }),
    createPortal: (customerId, returnUrl) =>
      call("createPortal", "billingPortal.sessions.create", async () => {
        const configuration = await opts.portalConfiguration?.();
        return (
          await stripe.billingPortal.sessions.create({
            customer: customerId,
            return_url: returnUrl,
            ...(configuration ? { configuration } : {}),
          })
        ).url;
      }),
    pauseSubscription: (subscriptionId, params) =>
      call("pauseSubscription", "subscriptions.update", async () =>
        toSubscriptionState(
          await stripe.subscriptions.update(subscriptionId, {
            pause_collection: {
              behavior: "void",
              resumes_at: Math.floor(params.resumesAt.getTime() / 1000),
            },
            metadata: params.metadata,
          }),
        ),
      ),
    resumeSubscription: (subscriptionId, metadata) =>
      call("resumeSubscription", "subscriptions.update", async () =>
        toSubscriptionState(
          // stripe-node clears a field with an empty string.
          await stripe.subscriptions.update(subscriptionId, { pause_collection: "", metadata }),
        ),
      ),
  };
}
