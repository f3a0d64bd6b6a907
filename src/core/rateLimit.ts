/**
 * Token buckets: how often one account may do something that costs the creator (a Checkout
 * Session, a portal link, an invite link, a DM...). A bucket holds up to `capacity` tokens and
 * refills continuously, `capacity` tokens per `windowMs`; an action takes one token, and is refused
 * when less than one is left. Pure: the state lives in the database (src/app/rateLimits.ts).
 */

export interface BucketRule {
  /** Tokens a full bucket holds: how many actions in a burst. */
  capacity: number;
  /** Time for an empty bucket to fill up again. */
  windowMs: number;
}

export interface BucketState {
  tokens: number;
  /** Time of the last refill. Never moves backwards. */
  updatedAt: Date;
}

const EPSILON = 1e-9;

export type Take =
  | { allowed: true; state: BucketState }
  | { allowed: false; state: BucketState; retryAfterMs: number };

/**
 * Takes one token from the bucket at `now`. A bucket seen for the first time (`state` null) is full.
 * A clock that went backwards (another process's clock behind, an NTP step) refills nothing and
 * keeps the later time, so moving forwards again never counts the same time twice.
 */
export function takeToken(state: BucketState | null, rule: BucketRule, now: Date): Take {
  const last = state?.updatedAt.getTime() ?? now.getTime();
  const elapsed = Math.max(0, now.getTime() - last);
  const updatedAt = new Date(Math.max(last, now.getTime()));
  const refilled = (elapsed * rule.capacity) / rule.windowMs;
  const available = Math.min(rule.capacity, (state?.tokens ?? rule.capacity) + refilled);
  // The epsilon absorbs floating-point dust: after exactly the promised wait, the token is there.
  if (available >= 1 - EPSILON)
    return { allowed: true, state: { tokens: Math.max(0, available - 1), updatedAt } };
  // What is missing to one token, at the refill rate, from the bucket's own time.
  const retryAfterMs =
    Math.ceil(((1 - available) * rule.windowMs) / rule.capacity - 1e-6) +
    (updatedAt.getTime() - now.getTime());
  return { allowed: false, state: { tokens: available, updatedAt }, retryAfterMs };
}

/** Whole seconds to tell a person: never 0, so "try again in 0 s" is never said. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
