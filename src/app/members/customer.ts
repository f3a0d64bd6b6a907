import { META } from "../billing/metadata.ts";
import type { Tx } from "../db.ts";
import type { FanIdentity, MemberDeps } from "./types.ts";

/**
 * The member's Stripe customer for a checkout: the one on record while Stripe still has it, else a
 * new one (created once per member and account, whatever the number of presses).
 */
export async function ensureCustomer(deps: MemberDeps, memberId: string, who: FanIdentity): Promise<string> {
  const member = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
  if (member.stripeCustomerId) {
    // The customer may have been deleted in Stripe since (by the creator, or by the fan asking for
    // their data to be erased): Checkout refuses a deleted customer, so the fan gets a new one.
    const status = member.deletedAt ? "deleted" : await deps.billing.customerStatus(member.stripeCustomerId);
    if (status === "active") return member.stripeCustomerId;
    return replaceCustomer(deps, memberId, member.stripeCustomerId, status, who);
  }
  // Keyed on the member and account: a double press (or a retry after a crash) gets the same customer.
  const customerId = await deps.billing.createCustomer({
    ...customerParams(memberId, who),
    idempotencyKey: `tribegate-customer-${memberId}-${who.platform}-${who.userId}`,
  });
  const { count } = await deps.db.member.updateMany({
    where: { id: memberId, stripeCustomerId: null },
    data: { stripeCustomerId: customerId },
  });
  if (count === 0) {
    // A concurrent checkout attached its customer first: use that one.
    const again = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
    return again.stripeCustomerId ?? customerId;
  }
  return customerId;
}

function customerParams(memberId: string, who: FanIdentity) {
  return {
    ...(who.username ? { name: who.username } : {}),
    metadata: { [META.memberId]: memberId, [`tribegate_${who.platform}_user_id`]: who.userId },
  };
}

/** Gives a member whose Stripe customer is gone a new one; the ledger and its history say so. */
async function replaceCustomer(
  deps: MemberDeps,
  memberId: string,
  oldCustomerId: string,
  why: "deleted" | "missing",
  who: FanIdentity,
): Promise<string> {
  const customerId = await deps.billing.createCustomer({
    ...customerParams(memberId, who),
    idempotencyKey: `tribegate-customer-${memberId}-replaces-${oldCustomerId}-${who.platform}-${who.userId}`,
  });
  const reason =
    why === "deleted"
      ? `Stripe customer ${oldCustomerId} was deleted; new customer ${customerId} for the next checkout`
      : `Stripe has no customer ${oldCustomerId} (404); new customer ${customerId} for the next checkout`;
  const replaced = await deps.db.$transaction(async (tx: Tx) => {
    const { count } = await tx.member.updateMany({
      where: { id: memberId, stripeCustomerId: oldCustomerId },
      data: { stripeCustomerId: customerId, deletedAt: null },
    });
    if (count === 0) return false;
    await tx.memberHistory.create({
      data: {
        memberId,
        actor: `${who.platform}:${who.userId}`,
        action: "member.customer",
        fromState: oldCustomerId,
        toState: customerId,
        reason,
      },
    });
    return true;
  });
  if (!replaced) {
    // A concurrent checkout replaced it first: use that one.
    const again = await deps.db.member.findUniqueOrThrow({ where: { id: memberId } });
    return again.stripeCustomerId ?? customerId;
  }
  deps.log.info({ event: "checkout.customer_replaced", memberId, oldCustomerId, customerId, why }, reason);
  return customerId;
}
