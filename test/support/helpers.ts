/**
 * The small helpers every test and benchmark uses: waiting (sleep, until), a seedable PRNG, a fan
 * paying, and letting the workers settle. The benchmarks (bench/) import this module outside vitest,
 * so nothing here loads vitest until a helper that needs it runs.
 */
import type { Harness } from "../e2e/harness.ts";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value other than undefined or false, and returns that value
 * (usable in hooks and benchmarks, unlike expect.poll).
 */
export async function until<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** A seedable PRNG (mulberry32): a failing run is replayed with the same seed. */
export interface Prng {
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
}

export function prng(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    shuffle<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}

/**
 * The fan pays on Stripe's page; Stripe's events are delivered, signed, to the bot, which must
 * accept every one. Returns the subscription id.
 */
export async function pay(h: Pick<Harness, "stripe" | "deliverAll">, sessionId: string): Promise<string> {
  const done = h.stripe.completeCheckout(sessionId);
  const delivered = await h.deliverAll();
  const failed = delivered.filter((d) => d.status !== 200);
  if (failed.length)
    throw new Error(`webhooks refused: ${failed.map((d) => `${d.event.type} ${d.status}`).join(", ")}`);
  return done.subscription!.id;
}

/** Wakes the background workers (after the test clock moved) and polls `check` until it equals `expected`. */
export async function settle(
  h: Pick<Harness, "app">,
  check: () => Promise<unknown>,
  expected: unknown,
): Promise<void> {
  h.app.wake();
  const { expect } = await import("vitest");
  await expect.poll(check, { timeout: 10_000, interval: 50 }).toEqual(expected);
}
