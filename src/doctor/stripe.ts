import Stripe from "stripe";
import { HANDLED_EVENT_TYPES } from "../app/billing/eventTypes.ts";
import type { Db } from "../app/db.ts";
import { readStripeSetup, saveStripeSetup } from "../app/stripeSetup.ts";
import { listTiers } from "../app/tiers.ts";
import { portalReturnUrl } from "../app/urls.ts";
import type { Config } from "../config.ts";
import { blocking, type CheckResult, fixed, ok, warning } from "./report.ts";

const AREA = "Stripe";
const API_KEYS = "Dashboard → Developers → API keys";
const FIX = "npm run doctor -- --fix";

/**
 * The read calls the bot makes (or that stand for the writes it makes on the same resource), each
 * with the permission a restricted key needs for the whole bot. An answer other than 403 (a list, or
 * 404 for the probe id) shows the key may read it; Stripe's 403 names the permission it lacks.
 */
const PROBES: { resource: string; needs: string; call: (s: Stripe) => Promise<unknown> }[] = [
  { resource: "Customers", needs: "Write", call: (s) => s.customers.list({ limit: 1 }) },
  { resource: "Checkout Sessions", needs: "Write", call: (s) => s.checkout.sessions.list({ limit: 1 }) },
  {
    resource: "Subscriptions",
    needs: "Write",
    call: (s) => s.subscriptions.list({ limit: 1, status: "all" }),
  },
  { resource: "Products", needs: "Write", call: (s) => s.products.list({ limit: 1 }) },
  { resource: "Prices", needs: "Write", call: (s) => s.prices.list({ limit: 1 }) },
  { resource: "Invoices", needs: "Read", call: (s) => s.invoices.list({ limit: 1 }) },
  { resource: "Charges", needs: "Read", call: (s) => s.charges.retrieve("ch_tribegatedoctorprobe") },
  { resource: "Disputes", needs: "Read", call: (s) => s.disputes.retrieve("dp_tribegatedoctorprobe") },
  {
    resource: "Customer portal",
    needs: "Write",
    call: (s) => s.billingPortal.configurations.list({ limit: 1 }),
  },
  { resource: "Webhook Endpoints", needs: "Write", call: (s) => s.webhookEndpoints.list({ limit: 1 }) },
];

/** Every permission a restricted key needs, for the README and the OK line. */
export const RESTRICTED_KEY_PERMISSIONS: readonly string[] = PROBES.map((p) => `${p.resource}: ${p.needs}`);

const isMissing = (err: unknown): boolean =>
  err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing";

/** `'rak_customer_read'` out of Stripe's 403 message, when it names one. */
function permissionOf(err: Stripe.errors.StripeError): string | undefined {
  return /'(rak_[a-z_]+)'/.exec(err.message)?.[1];
}

function describe(err: unknown): string {
  if (err instanceof Stripe.errors.StripeConnectionError)
    return "Stripe could not be reached (check STRIPE_API_URL and the network)";
  if (err instanceof Stripe.errors.StripeError)
    return `Stripe answered ${err.statusCode ?? "?"}: ${err.message.split("\n")[0]}`;
  return err instanceof Error ? err.message : String(err);
}

export async function checkStripe(opts: {
  config: Config;
  db: Db;
  stripe: Stripe;
  fix: boolean;
}): Promise<CheckResult[]> {
  const { config, stripe } = opts;
  const results: CheckResult[] = [];
  const key = config.stripe.secretKey;
  const live = /^(sk|rk)_live_/.test(key);
  const restricted = key.startsWith("rk_");

  // The key: accepted at all (the first probe answers 401 otherwise), then each permission.
  try {
    await stripe.webhookEndpoints.list({ limit: 1 }).catch((err: unknown) => {
      if (err instanceof Stripe.errors.StripePermissionError) return undefined; // a probe below says it
      throw err;
    });
  } catch (err) {
    results.push(
      blocking(
        AREA,
        "api_key",
        err instanceof Stripe.errors.StripeAuthenticationError
          ? `STRIPE_SECRET_KEY: Stripe refused the key; copy it again from ${API_KEYS} (sk_test_… or sk_live_…, or a restricted rk_… key)`
          : `STRIPE_SECRET_KEY could not be checked: ${describe(err)}`,
      ),
    );
    return results;
  }
  const kind = restricted ? "restricted key" : "secret key";
  results.push(
    live
      ? ok(AREA, "api_key", `${kind} in live mode: fans pay real money`)
      : warning(
          AREA,
          "api_key",
          `${kind} in test mode: fans cannot pay real money; when you launch, put your live key (sk_live_… or rk_live_…) in STRIPE_SECRET_KEY and run npm run doctor again (live mode has its own webhook endpoint and portal settings)`,
        ),
  );

  const lacking: string[] = [];
  for (const probe of PROBES) {
    try {
      await probe.call(stripe);
    } catch (err) {
      if (isMissing(err)) continue;
      if (err instanceof Stripe.errors.StripePermissionError) {
        const permission = permissionOf(err);
        lacking.push(`${probe.resource} (${probe.needs}${permission ? `; Stripe says ${permission}` : ""})`);
        continue;
      }
      results.push(blocking(AREA, "api_key", `reading ${probe.resource} failed: ${describe(err)}`));
      return results;
    }
  }
  if (lacking.length > 0) {
    results.push(
      blocking(
        AREA,
        "key_permissions",
        `the restricted key lacks permissions: ${lacking.join(", ")}; ${API_KEYS} → your restricted key → ⋯ → Edit, set them, and keep these too: ${RESTRICTED_KEY_PERMISSIONS.join(", ")}`,
      ),
    );
    // Without them the checks below would only repeat the 403s.
    return results;
  }
  if (restricted) {
    results.push(
      ok(
        AREA,
        "key_permissions",
        `the restricted key may read all the bot needs (it also needs write access, not checked without writing: ${RESTRICTED_KEY_PERMISSIONS.filter((p) => p.endsWith("Write")).join(", ")})`,
      ),
    );
  }

  results.push(...(await checkWebhookEndpoint({ ...opts, live })));
  results.push(...(await checkPortal(opts)));
  results.push(...(await checkTierPrices(opts)));
  return results;
}

async function checkWebhookEndpoint(opts: {
  config: Config;
  db: Db;
  stripe: Stripe;
  fix: boolean;
  live: boolean;
}): Promise<CheckResult[]> {
  const { config, db, stripe, fix } = opts;
  const url = `${config.publicBaseUrl}/stripe/webhook`;
  const wanted = [...HANDLED_EVENT_TYPES].sort();
  const mode = opts.live ? "live" : "test";
  const stored = await readStripeSetup(db);
  const endpoints = (
    await stripe.webhookEndpoints.list({ limit: 100 }).autoPagingToArray({ limit: 1000 })
  ).filter((e) => e.url === url);
  // The one the bot made, else the first with this URL.
  const endpoint = endpoints.find((e) => e.id === stored.webhookEndpointId) ?? endpoints[0];

  if (!endpoint) {
    if (!fix) {
      return [
        blocking(
          AREA,
          "webhook_endpoint",
          `no webhook endpoint for ${url} in ${mode} mode, so payments never reach the bot; run ${FIX} (creates it and stores its signing secret), or add it in Dashboard → Developers → Webhooks with these events: ${wanted.join(", ")}, and put its signing secret in STRIPE_WEBHOOK_SECRET`,
        ),
      ];
    }
    const created = await stripe.webhookEndpoints.create({
      url,
      enabled_events: wanted as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
      description: "tribegate (made by npm run doctor -- --fix)",
    });
    await saveStripeSetup(db, {
      webhookEndpointId: created.id,
      ...(created.secret ? { webhookSecret: created.secret } : {}),
    });
    const results = [
      fixed(
        AREA,
        "webhook_endpoint",
        `created the webhook endpoint ${created.id} for ${url} with the ${wanted.length} events the bot handles; its signing secret is stored in the database`,
      ),
    ];
    if (config.stripe.webhookSecret) {
      results.push(
        blocking(
          AREA,
          "webhook_secret",
          "STRIPE_WEBHOOK_SECRET is set and wins over the stored secret of the new endpoint: remove it from your settings, then restart the bot",
        ),
      );
    }
    return results;
  }

  const results: CheckResult[] = [];
  if (endpoint.livemode !== opts.live) {
    results.push(
      blocking(
        AREA,
        "webhook_endpoint",
        `the endpoint ${endpoint.id} is a ${endpoint.livemode ? "live" : "test"}-mode endpoint but STRIPE_SECRET_KEY is a ${mode}-mode key; use the key of the same mode, or run ${FIX} with the ${mode}-mode key to create its own endpoint`,
      ),
    );
  }
  const subscribed = new Set(endpoint.enabled_events);
  const missing = subscribed.has("*") ? [] : wanted.filter((t) => !subscribed.has(t));
  const extra = [...subscribed].filter((t) => !HANDLED_EVENT_TYPES.has(t)).sort();
  const disabled = endpoint.status !== "enabled";
  if (fix && (disabled || missing.length > 0 || extra.length > 0)) {
    await stripe.webhookEndpoints.update(endpoint.id, {
      disabled: false,
      enabled_events: wanted as Stripe.WebhookEndpointUpdateParams.EnabledEvent[],
    });
    results.push(
      fixed(
        AREA,
        "webhook_endpoint",
        `the endpoint ${endpoint.id} for ${url} is now enabled and subscribed to exactly the ${wanted.length} events the bot handles`,
      ),
    );
  } else {
    if (disabled) {
      results.push(
        blocking(
          AREA,
          "webhook_endpoint",
          `the endpoint ${endpoint.id} for ${url} is disabled (Stripe disables an endpoint that kept failing), so payments never reach the bot; run ${FIX}, or enable it in Dashboard → Developers → Webhooks → the endpoint → ⋯ → Enable`,
        ),
      );
    }
    if (missing.length > 0) {
      results.push(
        blocking(
          AREA,
          "webhook_events",
          `the endpoint ${endpoint.id} does not send ${missing.join(", ")}, so those changes never reach the bot; run ${FIX}, or add them in Dashboard → Developers → Webhooks → the endpoint → ⋯ → Update details`,
        ),
      );
    }
    if (extra.length > 0) {
      results.push(
        warning(
          AREA,
          "webhook_events",
          `the endpoint ${endpoint.id} also sends ${extra.join(", ")}, which the bot ignores (each delivery is answered 200 and wasted); run ${FIX}, or remove them in Dashboard → Developers → Webhooks`,
        ),
      );
    }
    if (!disabled && missing.length === 0 && extra.length === 0 && endpoint.livemode === opts.live) {
      results.push(
        ok(
          AREA,
          "webhook_endpoint",
          `${url} (${endpoint.id}) is enabled and subscribed to exactly the ${wanted.length} events the bot handles`,
        ),
      );
    }
  }

  // The signing secret: Stripe never shows it again, so only where it comes from can be checked.
  if (config.stripe.webhookSecret) {
    results.push(
      ok(
        AREA,
        "webhook_secret",
        "signing secret from STRIPE_WEBHOOK_SECRET (a wrong one shows as stripe.webhook.rejected in the bot's log)",
      ),
    );
  } else if (stored.webhookSecret && stored.webhookEndpointId === endpoint.id) {
    results.push(ok(AREA, "webhook_secret", `signing secret of ${endpoint.id} stored by ${FIX}`));
  } else {
    results.push(
      blocking(
        AREA,
        "webhook_secret",
        `the signing secret of ${endpoint.id} is unknown here (STRIPE_WEBHOOK_SECRET is unset and the bot did not make this endpoint); copy it from Dashboard → Developers → Webhooks → the endpoint → Signing secret into STRIPE_WEBHOOK_SECRET, or delete the endpoint and run ${FIX}`,
      ),
    );
  }
  if (endpoints.length > 1) {
    results.push(
      warning(
        AREA,
        "webhook_endpoint",
        `${endpoints.length} endpoints send to ${url} (${endpoints.map((e) => e.id).join(", ")}): each event arrives once per endpoint and only one signing secret can match; delete the others in Dashboard → Developers → Webhooks`,
      ),
    );
  }
  return results;
}

/** The tiers' current recurring prices by product: what the portal must let members switch between. */
async function tierProducts(db: Db): Promise<{ product: string; prices: string[] }[]> {
  const byProduct = new Map<string, string[]>();
  for (const tier of await listTiers(db)) {
    if (!tier.stripeProductId) continue;
    const recurring = tier.prices.filter((p) => p.kind === "recurring").map((p) => p.stripePriceId);
    if (recurring.length === 0) continue;
    byProduct.set(tier.stripeProductId, [...(byProduct.get(tier.stripeProductId) ?? []), ...recurring]);
  }
  return [...byProduct].map(([product, prices]) => ({ product, prices }));
}

async function checkPortal(opts: {
  config: Config;
  db: Db;
  stripe: Stripe;
  fix: boolean;
}): Promise<CheckResult[]> {
  const { config, db, stripe, fix } = opts;
  const stored = await readStripeSetup(db);
  const configurations = await stripe.billingPortal.configurations
    .list({ active: true, limit: 100 })
    .autoPagingToArray({ limit: 1000 });
  // The one the bot made and names in portal sessions, else the account's default (the Dashboard's).
  const mine = configurations.find((c) => c.id === stored.portalConfigurationId);
  const used = mine ?? configurations.find((c) => c.is_default);
  const products = await tierProducts(db);
  const switching = products.length > 0;
  const features = {
    invoice_history: { enabled: true },
    payment_method_update: { enabled: true },
    subscription_cancel: { enabled: true, mode: "at_period_end" as const },
    subscription_update: switching
      ? {
          enabled: true,
          default_allowed_updates: ["price" as const],
          products,
          proration_behavior: "create_prorations" as const,
        }
      : { enabled: false },
  };

  if (!used) {
    if (!fix) {
      return [
        blocking(
          AREA,
          "portal",
          `the customer portal is not set up, so members cannot cancel or update their card (the portal link fails); run ${FIX}, or save the settings once in Dashboard → Settings → Billing → Customer portal`,
        ),
      ];
    }
    const created = await stripe.billingPortal.configurations.create({
      features,
      default_return_url: portalReturnUrl(config.publicBaseUrl),
      metadata: { tribegate: "doctor" },
    });
    await saveStripeSetup(db, { portalConfigurationId: created.id });
    return [
      fixed(
        AREA,
        "portal",
        `created the customer portal configuration ${created.id} (cancel at period end, card update${switching ? ", switching between the tiers' prices" : ""}); the bot's portal links use it from now on`,
      ),
    ];
  }

  const f = used.features;
  const wantedPrices = products.flatMap((p) => p.prices);
  const allowed = new Set((f.subscription_update.products ?? []).flatMap((p) => p.prices));
  const unswitchable = wantedPrices.filter((p) => !allowed.has(p));
  const problems: string[] = [];
  if (!f.subscription_cancel.enabled) problems.push("cancelling");
  if (!f.payment_method_update.enabled) problems.push("updating the payment method");
  if (wantedPrices.length > 1 && (!f.subscription_update.enabled || unswitchable.length > 0))
    problems.push(
      `switching between the tiers' prices (${f.subscription_update.enabled ? `not offered: ${unswitchable.join(", ")}` : "switching is off"})`,
    );
  if (problems.length === 0) {
    return [
      ok(
        AREA,
        "portal",
        `customer portal ${used.id}${mine ? "" : " (the account's default)"} lets members cancel, update their card and switch tiers`,
      ),
    ];
  }
  if (fix && mine) {
    await stripe.billingPortal.configurations.update(mine.id, { features });
    return [
      fixed(AREA, "portal", `the customer portal configuration ${mine.id} now allows ${problems.join(", ")}`),
    ];
  }
  return [
    warning(
      AREA,
      "portal",
      `the customer portal ${used.id} does not allow ${problems.join(", ")}; Dashboard → Settings → Billing → Customer portal: turn them on${problems.some((p) => p.startsWith("switching")) ? " (Subscriptions → Customers can switch plans, and add each tier's product and price)" : ""}${mine ? "" : `, or run ${FIX} to make a configuration the bot uses instead`}`,
    ),
  ];
}

async function checkTierPrices(opts: { db: Db; stripe: Stripe }): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let count = 0;
  for (const tier of await listTiers(opts.db)) {
    for (const price of tier.prices) {
      count++;
      let found: Stripe.Price | undefined;
      try {
        found = await opts.stripe.prices.retrieve(price.stripePriceId);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      if (found?.active) continue;
      results.push(
        blocking(
          AREA,
          "tier_prices",
          `tier “${tier.name}”: its price ${price.stripePriceId} ${found ? "is archived" : "no longer exists"} in Stripe, so no fan can start a membership; ${found ? "unarchive it in Dashboard → Product catalogue → the product → the price → ⋯ → Unarchive, or " : ""}set a new price (Telegram: /price ${tier.slug} <amount> [month|year|lifetime]; Discord: /tribe tier edit)`,
        ),
      );
    }
  }
  if (results.length === 0)
    results.push(ok(AREA, "tier_prices", `the ${count} current tier price(s) exist and are active`));
  return results;
}
