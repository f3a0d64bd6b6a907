import type { Identity } from "../core/access.ts";
import { type BucketRule, retryAfterSeconds, takeToken } from "../core/rateLimit.ts";
import { DomainError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";
import type { Clock } from "./worker.ts";

const MINUTE = 60_000;

/**
 * How often one account may do each thing that costs the creator something: a Stripe call (and a
 * customer or a session in their Dashboard), an invite link, a DM, a row everyone reads. A normal
 * fan never gets near these; a script hammering a button does. The one place to change them.
 */
export const RATE_LIMITS = {
  /** Checkout Sessions (and the Stripe customer behind the first one), join buttons, /join. */
  checkout: { capacity: 5, windowMs: 10 * MINUTE },
  /** Billing portal links (/membership). */
  portal: { capacity: 10, windowMs: 10 * MINUTE },
  /** /claim: access re-applied, which on Telegram means new invite links. */
  claim: { capacity: 3, windowMs: 10 * MINUTE },
  /** Link codes (each one is a message to the fan). */
  link_code: { capacity: 5, windowMs: 15 * MINUTE },
  /** Idea proposals. */
  idea: { capacity: 5, windowMs: 60 * MINUTE },
  /** Idea upvotes. */
  upvote: { capacity: 30, windowMs: 10 * MINUTE },
} as const satisfies Record<string, BucketRule>;

export type RateAction = keyof typeof RATE_LIMITS;

/**
 * Takes one token of `action` for this account, or refuses with `rate_limited` and the seconds to
 * wait. The bucket is read and written under a row lock in one transaction, so several processes on
 * one PostgreSQL share it and a restart does not refill it. Only fan entry points call this: what the
 * system does on its own (a member rejoining a server, reminders) is never limited.
 */
export async function spendToken(
  deps: { db: Db; clock: Clock; log: Logger },
  action: RateAction,
  who: Identity,
): Promise<void> {
  const account = `${who.platform}:${who.userId}`;
  const rule = RATE_LIMITS[action];
  const now = deps.clock.now();
  const taken = await deps.db.$transaction(async (tx) => {
    // A first action finds a full bucket; a concurrent first action finds this row and waits on it.
    await tx.rateBucket.createMany({
      data: [{ account, action, tokens: rule.capacity, updatedAt: now }],
      skipDuplicates: true,
    });
    const [row] = await tx.$queryRaw<{ tokens: number; updated_at: Date }[]>`
      SELECT tokens, updated_at FROM rate_bucket WHERE account = ${account} AND action = ${action} FOR UPDATE`;
    const r = takeToken(row ? { tokens: row.tokens, updatedAt: row.updated_at } : null, rule, now);
    await tx.rateBucket.update({
      where: { account_action: { account, action } },
      data: { tokens: r.state.tokens, updatedAt: r.state.updatedAt },
    });
    return r;
  });
  if (taken.allowed) return;
  const seconds = retryAfterSeconds(taken.retryAfterMs);
  deps.log.warn(
    { event: "ratelimit.refused", action, account, retryAfterSeconds: seconds },
    `${action} refused for ${account}: going too fast (next in ${seconds} s)`,
  );
  throw new DomainError("rate_limited", { seconds });
}

/** The longest window of any rule: a bucket untouched for longer is full again. */
const LONGEST_WINDOW_MS = Math.max(...Object.values(RATE_LIMITS).map((r) => r.windowMs));

/**
 * Forgets the buckets of accounts that stopped spending: one untouched for longer than the longest
 * window is full again, exactly as if it had no row, so the table holds recent callers only (a
 * public page or a script with many accounts would otherwise grow it for ever). Run with the
 * periodic reconciliation.
 */
export async function purgeIdleBuckets(deps: { db: Db; clock: Clock; log: Logger }): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - LONGEST_WINDOW_MS);
  const { count } = await deps.db.rateBucket.deleteMany({ where: { updatedAt: { lt: before } } });
  if (count > 0)
    deps.log.info({ event: "ratelimit.purged", buckets: count }, `${count} idle rate bucket(s) forgotten`);
  return count;
}
