import type Stripe from "stripe";
import type { WebhookVerifier } from "../../app/billing/billing.ts";
import { foreignEventReason, HANDLED_EVENT_TYPES } from "../../app/billing/eventTypes.ts";
import { createStripeEventIntake, type StripeEventIntake } from "../../app/billing/stripeEvents.ts";
import type { BillingDeps } from "../../app/billing/types.ts";
import { NetworkError } from "../../errors.ts";
import type { Route } from "../routes.ts";

/**
 * POST /stripe/webhook: acknowledge fast, apply soon (src/app/billing/stripeEvents.ts). The answer
 * rule, tested in test/e2e/memberships and test/e2e/security:
 * - bad, missing or stale signature, or a body that is not an event: 400 (Stripe's retries cannot fix it);
 * - an event of another mode (live vs the key's test) or of a connected account (Connect): 200,
 *   recorded as ignored with the reason (a replay finds the record), never applied;
 * - an event type outside the allow-list: 200, ignored;
 * - a handled event: 200 `queued` once it is written durably (one insert, committed together with
 *   the events that arrived in the same moment; no call to Stripe), or `duplicate` when it was
 *   recorded before. The worker applies it, re-reading Stripe; a Stripe that
 *   is slow, rate-limited or failing delays the apply, never the answer;
 * - the database failing: 5xx, so Stripe retries.
 */
export function stripeWebhookRoute(
  deps: BillingDeps & {
    verifier: WebhookVerifier;
    livemode: boolean;
    /** The group-committing intake (the composition root gives it connections of its own). */
    intake?: StripeEventIntake;
  },
): Route {
  const log = deps.log.child({ module: "stripe-webhook" });
  const intake = deps.intake ?? createStripeEventIntake(deps);
  return {
    method: "POST",
    path: "/stripe/webhook",
    handler: async (req) => {
      const signature = req.headers["stripe-signature"];
      if (typeof signature !== "string" || signature === "") {
        log.warn(
          { event: "stripe.webhook.rejected", reason: "missing Stripe-Signature header" },
          "webhook without signature",
        );
        return { status: 400, body: { error: "missing_signature" } };
      }
      const verified = deps.verifier.verify(req.rawBody, signature);
      if (!verified.ok) {
        log.warn(
          { event: "stripe.webhook.rejected", reason: verified.reason },
          "webhook signature check failed; check STRIPE_WEBHOOK_SECRET",
        );
        return { status: 400, body: { error: "bad_signature" } };
      }
      const event: Stripe.Event = verified.event;
      if (typeof event?.id !== "string" || typeof event.type !== "string" || !event.data?.object) {
        log.warn(
          { event: "stripe.webhook.rejected", reason: "not an event" },
          "signed body is not a Stripe event",
        );
        return { status: 400, body: { error: "malformed_event" } };
      }
      // A foreign event is recorded whatever its type, so that it is checked (and logged) once.
      const foreign = foreignEventReason(event, deps.livemode) !== null;
      if (!foreign && !HANDLED_EVENT_TYPES.has(event.type)) {
        log.debug(
          { event: "stripe.webhook.ignored", stripeEventId: event.id, type: event.type },
          "event type not handled",
        );
        return { status: 200, body: { received: true, ignored: true } };
      }
      try {
        const result = await intake.accept(event);
        return { status: 200, body: { received: true, status: result.status } };
      } catch (err) {
        const unavailable = err instanceof NetworkError;
        log.error(
          { event: "stripe.webhook.failed", stripeEventId: event.id, type: event.type, err },
          "event could not be recorded (database failing); Stripe will retry it",
        );
        return { status: unavailable ? 503 : 500, body: { error: "not_recorded_retry_later" } };
      }
    },
  };
}
