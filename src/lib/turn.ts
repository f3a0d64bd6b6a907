import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The place in line of the request being served. A fan's request (a use case an adapter calls, such
 * as /join) takes a ticket when it starts, and everything it does keeps that ticket: a queue that
 * serves the lowest ticket first (the Stripe budget) lets a fan's second call go before a later
 * fan's first, so under load each fan waits for the queue once, not once per call. Work outside any
 * request takes a fresh ticket each time it queues. Tickets only grow.
 */
const turns = new AsyncLocalStorage<number>();
let last = 0;

/** A ticket behind every one given so far. */
export function nextTicket(): number {
  last += 1;
  return last;
}

/** Runs `fn` with a new ticket, or within the caller's when it already has one (the first one counts). */
export function inTurn<T>(fn: () => T): T {
  return turns.getStore() === undefined ? turns.run(nextTicket(), fn) : fn();
}

/** The ticket of the request running now, if any. */
export function currentTicket(): number | undefined {
  return turns.getStore();
}
