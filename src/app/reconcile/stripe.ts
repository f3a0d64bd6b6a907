import { type DriftItem, stripeDrift } from "../../core/drift.ts";
import type { Logger } from "../../log.ts";
import type { Billing, SubscriptionState } from "../billing/billing.ts";
import { applyCustomerStates } from "../billing/subscriptions.ts";
import type { Db } from "../db.ts";
import type { SyncContext } from "../membership/syncMemberAccess.ts";
import type { Clock } from "../worker.ts";

/**
 * Phase 1, Stripe → ledger: reads every subscription Stripe has, compares it with the ledger, and
 * (unless a dry run) applies Stripe's state of each customer that differs, as a webhook would.
 */
export async function reconcileStripe(
  deps: { db: Db; billing: Billing; clock: Clock },
  opts: { dryRun: boolean; ctx: (reason: string) => SyncContext; log: Logger },
): Promise<{ subscriptionsChecked: number; drift: DriftItem[]; repaired: number }> {
  // Taken before the reads: a read that started later cannot hold an older state.
  const fetchedAt = deps.clock.now();
  const byCustomer = new Map<string, SubscriptionState[]>();
  let subscriptionsChecked = 0;
  for await (const s of deps.billing.allSubscriptions()) {
    subscriptionsChecked++;
    const list = byCustomer.get(s.customerId) ?? [];
    list.push(s);
    byCustomer.set(s.customerId, list);
  }
  // Only the ledger rows Stripe spoke of, a chunk at a time: never the whole table in memory.
  const stripeIds = [...byCustomer.values()].flatMap((states) => states.map((s) => s.id));
  const ledgerSubs = new Map<string, Awaited<ReturnType<typeof deps.db.subscription.findMany>>[number]>();
  for (let i = 0; i < stripeIds.length; i += 1000) {
    const rows = await deps.db.subscription.findMany({ where: { id: { in: stripeIds.slice(i, i + 1000) } } });
    for (const row of rows) ledgerSubs.set(row.id, row);
  }
  const { customersToApply, drift } = stripeDrift(byCustomer, ledgerSubs);
  let repaired = 0;
  if (!opts.dryRun) {
    for (const customerId of customersToApply) {
      await deps.db.$transaction(
        (tx) =>
          applyCustomerStates(
            tx,
            { customerId, metadata: {}, states: byCustomer.get(customerId) ?? [], paymentIntentId: null },
            fetchedAt,
            opts.ctx("Stripe state differed from the ledger"),
            opts.log,
          ),
        { timeout: 30_000 },
      );
      repaired++;
    }
  }
  return { subscriptionsChecked, drift, repaired };
}
