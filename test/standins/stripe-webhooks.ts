/**
 * Stripe webhooks as Stripe sends them: the JSON body, signed with the endpoint secret in the
 * `Stripe-Signature` header by stripe-node's own `generateTestHeaderString` (so the bot's
 * `stripe.webhooks.constructEvent` on the raw body is what gets tested).
 */
import Stripe from "stripe";

/** The body and headers Stripe would POST for `event`, signed with the endpoint's secret. */
export function signedWebhook(
  event: Stripe.Event | string,
  secret: string,
  options: { timestamp?: number } = {},
): { body: string; headers: Record<string, string> } {
  const body = typeof event === "string" ? event : JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return {
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": signature,
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    },
  };
}

/** POSTs `event` to `url` as Stripe does (giving up after `timeoutMs`, default 10 s); returns the answer. */
export async function deliverWebhook(
  url: string,
  event: Stripe.Event | string,
  secret: string,
  options: { timestamp?: number; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const { body, headers } = signedWebhook(event, secret, options);
  const response = await fetch(url, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  return { status: response.status, body: await response.text() };
}
