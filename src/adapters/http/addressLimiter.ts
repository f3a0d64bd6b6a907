import { type BucketRule, type BucketState, retryAfterSeconds, takeToken } from "../../core/rateLimit.ts";

/**
 * Token buckets per client address for the public pages (src/core/rateLimit.ts's rules). In the
 * process's memory, not the database: a page view must not cost a write, and a limit that restarts
 * with the process is enough against a script hammering the page. The map is bounded: past
 * `maxAddresses`, full buckets (idle addresses) are dropped first, then the oldest.
 */
export interface AddressLimiter {
  /** Takes a token for `address`; the whole seconds to wait when there is none left. */
  take(address: string, now: Date): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

export function createAddressLimiter(rule: BucketRule, maxAddresses = 10_000): AddressLimiter {
  const buckets = new Map<string, BucketState>();
  return {
    take(address, now) {
      const r = takeToken(buckets.get(address) ?? null, rule, now);
      buckets.delete(address);
      buckets.set(address, r.state);
      if (buckets.size > maxAddresses) prune(now);
      return r.allowed
        ? { allowed: true }
        : { allowed: false, retryAfterSeconds: retryAfterSeconds(r.retryAfterMs) };
    },
  };

  function prune(now: Date): void {
    for (const [address, state] of buckets) {
      const refilled =
        state.tokens + ((now.getTime() - state.updatedAt.getTime()) * rule.capacity) / rule.windowMs;
      if (refilled >= rule.capacity) buckets.delete(address);
    }
    // Insertion order is last use: the first entries are the least recently seen.
    for (const address of buckets.keys()) {
      if (buckets.size <= maxAddresses) break;
      buckets.delete(address);
    }
  }
}
