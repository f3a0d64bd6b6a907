import type Stripe from "stripe";
import type { Logger } from "../../log.ts";
import type { Tx } from "../db.ts";
import { queueRetryReminder, queueTrialEnding } from "../membership/fanMessages.ts";
import { syncMemberAccess } from "../membership/syncMemberAccess.ts";
import type { SubscriptionState } from "./billing.ts";
import type { Fresh } from "./readFresh.ts";
import { applyCustomerStates } from "./subscriptions.ts";
import type { ApplyResult } from "./types.ts";

/**
 * Applies Stripe's state, read before the transaction, to the ledger inside it: subscriptions and
 * lifetime purchases, payment holds (refunds, disputes), a deleted customer.
 */
export async function applyFresh(
  tx: Tx,
  fresh: Fresh,
  event: Stripe.Event,
  fetchedAt: Date,
  log: Logger,
): Promise<ApplyResult> {
  const now = fetchedAt;
  const ctx = { actor: "stripe", reason: `${event.type} ${event.id}`, stripeEventId: event.id, now };
  switch (fresh.kind) {
    case "nothing":
      return { status: "ignored", outcome: fresh.why };

    case "customer_deleted": {
      const member = await tx.member.findUnique({ where: { stripeCustomerId: fresh.customerId } });
      if (!member) return { status: "ignored", outcome: `customer ${fresh.customerId} unknown` };
      await tx.member.update({ where: { id: member.id }, data: { deletedAt: now } });
      await tx.subscription.updateMany({
        where: { memberId: member.id, status: { notIn: ["canceled", "incomplete_expired"] } },
        data: { status: "canceled", endedAt: now, syncedAt: now },
      });
      await tx.memberHistory.create({
        data: {
          memberId: member.id,
          actor: "stripe",
          action: "member.deleted",
          reason: `customer ${fresh.customerId} deleted in Stripe`,
          stripeEventId: event.id,
        },
      });
      const r = await syncMemberAccess(tx, member.id, ctx);
      return { status: "applied", outcome: `customer deleted; ${r.revokes} revoke(s)`, memberId: member.id };
    }

    case "customer":
    case "lifetime": {
      const states: SubscriptionState[] =
        fresh.kind === "customer"
          ? fresh.subs
          : [
              {
                id: fresh.sessionId,
                customerId: fresh.customerId,
                status: "lifetime",
                priceId: fresh.priceId,
                amount: fresh.amount,
                currency: fresh.currency,
                interval: null,
                currentPeriodEnd: null,
                cancelAtPeriodEnd: false,
                startedAt: new Date(event.created * 1000),
                endedAt: null,
                metadata: fresh.metadata,
                pause: null,
              },
            ];
      const applied = await applyCustomerStates(
        tx,
        {
          customerId: fresh.customerId,
          metadata: fresh.metadata,
          states,
          paymentIntentId: fresh.kind === "lifetime" ? fresh.paymentIntentId : null,
          claim: fresh.claim,
        },
        fetchedAt,
        ctx,
        log,
      );
      if (event.type === "customer.subscription.trial_will_end" && applied.memberId) {
        await trialEndingNotice(tx, applied.memberId, event.data.object, states, now, log);
      }
      if (event.type === "invoice.payment_failed" && applied.memberId) {
        const invoice = event.data.object;
        const sub = invoice.parent?.subscription_details?.subscription;
        const subscriptionId = typeof sub === "string" ? sub : sub?.id;
        if (subscriptionId)
          await queueRetryReminder(tx, {
            memberId: applied.memberId,
            subscriptionId,
            attempt: invoice.attempt_count,
            now,
          });
      }
      return applied;
    }

    case "hold": {
      if (!fresh.subscriptionId) {
        return {
          status: "applied",
          outcome: `${fresh.reason} on charge ${fresh.chargeId}: no membership payment found`,
        };
      }
      const sub = await tx.subscription.findUnique({ where: { id: fresh.subscriptionId } });
      if (!sub) {
        return {
          status: "applied",
          outcome: `${fresh.reason} on charge ${fresh.chargeId}: subscription ${fresh.subscriptionId} not in the ledger`,
        };
      }
      const existing = await tx.paymentHold.findUnique({ where: { id: fresh.holdId } });
      const liftedAt = fresh.active ? null : (existing?.liftedAt ?? now);
      if (!existing && !fresh.active) {
        return {
          status: "applied",
          outcome: `${fresh.reason} on charge ${fresh.chargeId} does not take access back`,
          memberId: sub.memberId,
        };
      }
      await tx.paymentHold.upsert({
        where: { id: fresh.holdId },
        create: {
          id: fresh.holdId,
          subscriptionId: sub.id,
          reason: fresh.reason,
          chargeId: fresh.chargeId,
          liftedAt,
        },
        update: { liftedAt },
      });
      const wasActive = existing ? existing.liftedAt === null : false;
      if (wasActive !== fresh.active) {
        await tx.memberHistory.create({
          data: {
            memberId: sub.memberId,
            actor: "stripe",
            action: fresh.active ? "hold.placed" : "hold.lifted",
            subscriptionId: sub.id,
            toState: fresh.reason,
            reason: fresh.active
              ? `${fresh.reason === "refunded" ? "full refund" : "dispute opened"} on charge ${fresh.chargeId}`
              : `dispute settled in the creator's favour on charge ${fresh.chargeId}`,
            stripeEventId: event.id,
          },
        });
      }
      const r = await syncMemberAccess(tx, sub.memberId, ctx);
      return {
        status: "applied",
        outcome: `${fresh.reason} hold ${fresh.active ? "active" : "lifted"} on ${sub.id}; ${r.grants} grant(s), ${r.revokes} revoke(s)`,
        memberId: sub.memberId,
      };
    }
  }
}

/**
 * Stripe announces the end of a trial (three days before): the fan is told once per trial, if the
 * subscription, as read now, is still in that trial and set to go on.
 */
async function trialEndingNotice(
  tx: Tx,
  memberId: string,
  announced: Stripe.Subscription,
  states: readonly SubscriptionState[],
  now: Date,
  log: Logger,
): Promise<void> {
  const state = states.find((s) => s.id === announced.id);
  if (state?.status !== "trialing" || state.cancelAtPeriodEnd) return;
  const trialEnd = announced.trial_end ? new Date(announced.trial_end * 1000) : state.currentPeriodEnd;
  if (!trialEnd || trialEnd.getTime() <= now.getTime()) return;
  await queueTrialEnding(tx, { memberId, subscriptionId: state.id, trialEnd, now, log });
}
