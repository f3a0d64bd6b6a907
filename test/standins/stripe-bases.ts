/**
 * One complete example of each Stripe object the stand-in serves, written out field by field: typed
 * factories that the compiler checks (`satisfies`) against the types of the pinned stripe-node, so a
 * field Stripe adds, renames or retypes fails to compile here instead of going missing. Values follow
 * Stripe's own example objects for a test-mode account (the fixtures of its OpenAPI spec); optional
 * nested objects are `null` or empty as Stripe returns them. Fields the types mark optional are written
 * when Stripe returns them by default and left out when they only come with `expand[]` or in other
 * contexts (`customer.subscriptions`, `invoice.payments`, `deleted`, ...). Every call returns a fresh
 * object; stripe-objects.ts sets the ids, times and fields a scenario needs.
 */
import Stripe from "stripe";

// Example ids and times; each object refers to the others by these.
const CUSTOMER = "cus_QXg1o8vcGmoR32";
const PRODUCT = "prod_QXg1hqf4jFNsqG";
const PRICE = "price_1PgafmB7WZ01zgkW6dKueIc5";
const SUBSCRIPTION = "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw";
const INVOICE = "in_1Pgc6tB7WZ01zgkWu9fdqL6I";
const CHARGE = "ch_1PgafuB7WZ01zgkWXYmPNZs8";
const CHECKOUT_SESSION = "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY";
const PAYMENT_INTENT = "pi_1PgafyB7WZ01zgkWSjxsAJo3";
/** When the product and price were made. */
const CATALOG_CREATED = 1721948530;
/** When the subscription started (and its invoice, charge, ... were made). */
const CREATED = 1721954054;
/** One month after CREATED: the end of the subscription's first period. */
const PERIOD_END = 1724632454;

/** A one-page list, as Stripe embeds them (`subscription.items`, `invoice.lines`, ...). */
export const list = <T>(data: T[], url: string): Stripe.ApiList<T> => ({
  object: "list",
  data,
  has_more: false,
  url,
});

const noAddress = (): Stripe.Address => ({
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
});

// ---------------------------------------------------------------------------------------------------
// Catalog and customers

export function customerBase(): Stripe.Customer {
  return {
    id: CUSTOMER,
    object: "customer",
    address: noAddress(),
    balance: 0,
    created: CATALOG_CREATED,
    currency: "usd",
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: "7FE1103",
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: { amount_tax_display: null, template: null },
    },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  } satisfies Stripe.Customer;
}

export function productBase(): Stripe.Product {
  return {
    id: PRODUCT,
    object: "product",
    active: true,
    created: CATALOG_CREATED,
    default_price: "price_1PgafmB7WZ01zgkW02Hf9z6c",
    description: "Comfortable gray cotton t-shirt",
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    name: "T-shirt",
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: "good",
    unit_label: null,
    updated: CATALOG_CREATED,
    url: null,
  } satisfies Stripe.Product;
}

export function priceBase(): Stripe.Price {
  return {
    id: PRICE,
    object: "price",
    active: true,
    billing_scheme: "per_unit",
    created: CATALOG_CREATED,
    currency: "usd",
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: PRODUCT,
    recurring: {
      interval: "month",
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: "licensed",
    },
    tax_behavior: "unspecified",
    tiers_mode: null,
    transform_quantity: null,
    type: "recurring",
    unit_amount: 2000,
    unit_amount_decimal: Stripe.Decimal.from("2000"),
  } satisfies Stripe.Price;
}

export function planBase(): Stripe.Plan {
  return {
    id: PRICE,
    object: "plan",
    active: true,
    amount: 2000,
    amount_decimal: Stripe.Decimal.from("2000"),
    billing_scheme: "per_unit",
    created: CATALOG_CREATED,
    currency: "usd",
    interval: "month",
    interval_count: 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: PRODUCT,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: "licensed",
  } satisfies Stripe.Plan;
}

// ---------------------------------------------------------------------------------------------------
// Subscriptions

export function subscriptionItemBase(): Stripe.SubscriptionItem {
  return {
    id: "si_QXhVBoJ7NQdNXh",
    object: "subscription_item",
    billing_thresholds: null,
    created: CREATED,
    current_period_end: PERIOD_END,
    current_period_start: CREATED,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: planBase(),
    price: priceBase(),
    quantity: 1,
    subscription: SUBSCRIPTION,
    tax_rates: [],
  } satisfies Stripe.SubscriptionItem;
}

export function subscriptionBase(): Stripe.Subscription {
  return {
    id: SUBSCRIPTION,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: CREATED,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: "classic" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: "charge_automatically",
    created: CREATED,
    currency: "usd",
    customer: CUSTOMER,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: "self" },
    },
    items: list(
      [{ ...subscriptionItemBase(), subscription: SUBSCRIPTION }],
      `/v1/subscription_items?subscription=${SUBSCRIPTION}`,
    ),
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: "off",
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: CREATED,
    status: "active",
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: "create_invoice" },
    },
    trial_start: null,
  } satisfies Stripe.Subscription;
}

// ---------------------------------------------------------------------------------------------------
// Checkout, portal, invoices, charges, refunds, disputes

export function checkoutSessionBase(): Stripe.Checkout.Session {
  return {
    id: CHECKOUT_SESSION,
    object: "checkout.session",
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: null,
    amount_total: null,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: "https://example.com/cancel",
    client_reference_id: null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: CREATED,
    currency: null,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: null,
    customer_account: null,
    customer_creation: null,
    customer_details: null,
    customer_email: null,
    discounts: null,
    expires_at: CREATED + 24 * 3600,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: {},
    mode: "subscription",
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: "always",
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ["card"],
    payment_status: "unpaid",
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: null,
    subscription: null,
    success_url: "https://example.com/success",
    total_details: null,
    ui_mode: "hosted",
    url: `https://checkout.stripe.com/c/pay/${CHECKOUT_SESSION}`,
    wallet_options: null,
  } satisfies Stripe.Checkout.Session;
}

export function billingPortalSessionBase(): Stripe.BillingPortal.Session {
  return {
    id: "bps_1Pgc7HB7WZ01zgkWNs8s9Auh",
    object: "billing_portal.session",
    configuration: "bpc_1Pgc7HB7WZ01zgkWxH2EPWRX",
    created: CREATED,
    customer: CUSTOMER,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: "https://example.com/account",
    url: "https://billing.stripe.com/p/session/test_YWNjdF8xUGdhZlRCN1daMDF6Z2tX",
  } satisfies Stripe.BillingPortal.Session;
}

export function webhookEndpointBase(): Stripe.WebhookEndpoint {
  return {
    id: "we_1PgbJ3B7WZ01zgkWqSmDb4xX",
    object: "webhook_endpoint",
    api_version: null,
    application: null,
    created: CREATED,
    description: null,
    enabled_events: ["checkout.session.completed"],
    livemode: false,
    metadata: {},
    status: "enabled",
    url: "https://example.com/my/webhook/endpoint",
  } satisfies Stripe.WebhookEndpoint;
}

/** The portal's settings as Stripe creates them by default: cancel and card update, no plan switch. */
export function billingPortalConfigurationBase(): Stripe.BillingPortal.Configuration {
  return {
    id: "bpc_1Pgc7HB7WZ01zgkWxH2EPWRX",
    object: "billing_portal.configuration",
    active: true,
    application: null,
    business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
    created: CREATED,
    default_return_url: null,
    features: {
      customer_update: { allowed_updates: ["email", "tax_id"], enabled: true },
      invoice_history: { enabled: true },
      payment_method_update: { enabled: true, payment_method_configuration: null },
      subscription_cancel: {
        cancellation_reason: {
          enabled: false,
          feedback_options: null,
          options: ["too_expensive", "missing_features", "switched_service", "unused", "other"],
        },
        enabled: true,
        mode: "at_period_end",
        proration_behavior: "none",
      },
      subscription_pause: { duration: { interval_options: [], type: "indefinite" }, enabled: false },
      subscription_update: {
        billing_cycle_anchor: null,
        default_allowed_updates: [],
        enabled: false,
        products: [],
        proration_behavior: "none",
        schedule_at_period_end: { conditions: [] },
        trial_update_behavior: "end_trial",
      },
    },
    is_default: true,
    livemode: false,
    login_page: { enabled: false, url: null },
    metadata: {},
    name: null,
    updated: CREATED,
  } satisfies Stripe.BillingPortal.Configuration;
}

export function invoiceLineItemBase(): Stripe.InvoiceLineItem {
  return {
    id: "il_1Pgc6sB7WZ01zgkWFnxLrLCq",
    object: "line_item",
    amount: 1000,
    currency: "usd",
    description: "My First Invoice Item (created for API docs)",
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: INVOICE,
    livemode: false,
    metadata: {},
    parent: {
      invoice_item_details: {
        invoice_item: "ii_1Pgc6sB7WZ01zgkWk5Ql4Vtb",
        proration: false,
        proration_details: { credited_items: null },
        subscription: null,
      },
      subscription_item_details: null,
      type: "invoice_item_details",
    },
    period: { end: CREATED, start: CREATED },
    pretax_credit_amounts: [],
    pricing: {
      price_details: { price: PRICE, product: PRODUCT },
      type: "price_details",
      unit_amount_decimal: Stripe.Decimal.from("1000"),
    },
    quantity: 1,
    quantity_decimal: null,
    subscription: null,
    subtotal: 1000,
    taxes: [],
  } satisfies Stripe.InvoiceLineItem;
}

export function invoiceBase(): Stripe.Invoice {
  return {
    id: INVOICE,
    object: "invoice",
    account_country: "US",
    account_name: null,
    account_tax_ids: null,
    amount_due: 1000,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 1000,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: "manual",
    collection_method: "charge_automatically",
    created: CREATED,
    currency: "usd",
    custom_fields: null,
    customer: CUSTOMER,
    customer_account: null,
    customer_address: noAddress(),
    customer_email: null,
    customer_name: null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: CREATED,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: list([invoiceLineItemBase()], `/v1/invoices/${INVOICE}/lines`),
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: CREATED,
    period_start: CREATED,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 1000,
    subtotal_excluding_tax: 1000,
    test_clock: null,
    total: 1000,
    total_discount_amounts: [],
    total_excluding_tax: 1000,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: CREATED,
  } satisfies Stripe.Invoice;
}

export function chargeBase(): Stripe.Charge {
  return {
    id: CHARGE,
    object: "charge",
    amount: 500,
    amount_captured: 500,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: "txn_1PgaxNB7WZ01zgkWEV3TLf40",
    billing_details: {
      address: noAddress(),
      email: null,
      name: "Jenny Rosen",
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: null,
    captured: true,
    created: CATALOG_CREATED,
    currency: "usd",
    customer: null,
    description: "My First Test Charge (created for API docs)",
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: "approved_by_network",
      reason: null,
      risk_level: "normal",
      risk_score: 32,
      seller_message: "Payment complete.",
      type: "authorized",
    },
    paid: true,
    payment_intent: PAYMENT_INTENT,
    payment_method: "card_1PgaftB7WZ01zgkWm3waTcFp",
    payment_method_details: {
      card: {
        amount_authorized: null,
        authorization_code: null,
        brand: "visa",
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: "US",
        electronic_commerce_indicator: null,
        exp_month: 8,
        exp_year: 2030,
        extended_authorization: { status: "disabled" },
        fingerprint: "AOB934RVNwzk6xtn",
        funding: "credit",
        incremental_authorization: { status: "unavailable" },
        installments: null,
        last4: "4242",
        mandate: null,
        multicapture: { status: "unavailable" },
        network: "visa",
        network_token: { used: false },
        network_transaction_id: null,
        overcapture: { maximum_amount_capturable: 500, status: "unavailable" },
        regulated_status: null,
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: "card",
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url:
      "https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xUGdhZlRCN1daMDF6Z2tXKI_ei7UGMgZv2S_KfiY6LCJrxC7awazgQA9I88krZKw5uuCkZ5Nup2tomEtAbSpdfzjVZHO3ZYP5KFZP",
    refunded: false,
    refunds: list([], `/v1/charges/${CHARGE}/refunds`),
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: "succeeded",
    transfer_data: null,
    transfer_group: null,
  } satisfies Stripe.Charge;
}

export function refundBase(): Stripe.Refund {
  return {
    id: "re_1Pgc72B7WZ01zgkWqPvrRrPE",
    object: "refund",
    amount: 100,
    balance_transaction: null,
    charge: CHARGE,
    created: CREATED,
    currency: "usd",
    customer: null,
    customer_account: null,
    destination_details: { card: { type: "reversal" }, type: "card" },
    metadata: {},
    payment_intent: null,
    payment_method: null,
    reason: null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
  } satisfies Stripe.Refund;
}

export function disputeBase(): Stripe.Dispute {
  return {
    id: "dp_1Pgc71B7WZ01zgkWMevJiAUx",
    object: "dispute",
    amount: 500,
    balance_transactions: [],
    charge: CHARGE,
    created: CREATED,
    currency: "usd",
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: null,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      enhanced_evidence: {},
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: {
      due_by: 1723679999,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: "not_submitted",
    },
    intended_submission_method: null,
    is_charge_refundable: true,
    livemode: false,
    metadata: {},
    payment_intent: PAYMENT_INTENT,
    payment_method_details: {
      card: { brand: "visa", case_type: "chargeback", network: "visa", network_reason_code: "10.4" },
      type: "card",
    },
    reason: "fraudulent",
    status: "needs_response",
  } satisfies Stripe.Dispute;
}

// ---------------------------------------------------------------------------------------------------
// Events

/** Stripe's example event (`plan.created`); makeEvent replaces its type and data. */
export function eventBase(): Stripe.Event {
  return {
    id: "evt_1Pgc76B7WZ01zgkWwyRHS12y",
    object: "event",
    api_version: Stripe.API_VERSION,
    created: CATALOG_CREATED,
    data: { object: planBase() },
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type: "plan.created",
  } satisfies Stripe.Event;
}
