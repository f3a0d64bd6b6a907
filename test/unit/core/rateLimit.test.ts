import { describe, expect, it } from "vitest";
import { type BucketState, retryAfterSeconds, takeToken } from "../../../src/core/rateLimit.ts";

const MIN = 60_000;
const rule = { capacity: 5, windowMs: 10 * MIN };
const t0 = new Date("2026-11-30T12:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

/** Takes `n` tokens at `when`, returning the last answer. */
function drain(state: BucketState | null, n: number, when: Date) {
  let answer = takeToken(state, rule, when);
  for (let i = 1; i < n; i++) answer = takeToken(answer.state, rule, when);
  return answer;
}

describe("takeToken", () => {
  it("a new bucket is full: capacity actions pass at once, the next is refused with the wait for one token", () => {
    const fifth = drain(null, 5, t0);
    expect(fifth.allowed).toBe(true);
    expect(fifth.state.tokens).toBe(0);
    const sixth = takeToken(fifth.state, rule, t0);
    expect(sixth).toEqual({ allowed: false, state: { tokens: 0, updatedAt: t0 }, retryAfterMs: 2 * MIN });
    expect(retryAfterSeconds(sixth.allowed ? 0 : sixth.retryAfterMs)).toBe(120);
  });

  it("refills continuously: one token every window/capacity, and exactly at the promised time", () => {
    const empty = drain(null, 5, t0).state;
    const early = takeToken(empty, rule, at(2 * MIN - 1));
    expect(early.allowed).toBe(false);
    expect(early.allowed ? 0 : early.retryAfterMs).toBe(1);
    const onTime = takeToken(empty, rule, at(2 * MIN));
    expect(onTime.allowed).toBe(true);
    // Half way to the next token: the wait said is the other half.
    const half = takeToken(onTime.state, rule, at(3 * MIN));
    expect(half.allowed ? 0 : half.retryAfterMs).toBe(MIN);
  });

  it("a refused attempt costs nothing, and the wait it announces is right", () => {
    let state = drain(null, 5, t0).state;
    for (let s = 0; s < 60; s++) {
      const r = takeToken(state, rule, at(s * 1000));
      expect(r.allowed).toBe(false);
      state = r.state;
    }
    const wait = takeToken(state, rule, at(60_000));
    expect(wait.allowed ? 0 : wait.retryAfterMs).toBe(MIN);
    expect(takeToken(state, rule, at(2 * MIN)).allowed).toBe(true);
  });

  it("never holds more than capacity, however long the fan was away", () => {
    const one = takeToken(null, rule, t0);
    const later = drain(one.state, 5, at(365 * 24 * 60 * MIN));
    expect(later.allowed).toBe(true);
    expect(takeToken(later.state, rule, at(365 * 24 * 60 * MIN)).allowed).toBe(false);
  });

  it("a clock that goes backwards refills nothing, keeps the later time, and never counts time twice", () => {
    const empty = drain(null, 5, at(10 * MIN)).state;
    // Another process's clock is 5 minutes behind: no refill, and the bucket's time stays ahead.
    const behind = takeToken(empty, rule, at(5 * MIN));
    expect(behind.allowed).toBe(false);
    expect(behind.state).toEqual({ tokens: 0, updatedAt: at(10 * MIN) });
    // The wait counts from the bucket's time: 2 min after 10:00, said at 5:00.
    expect(behind.allowed ? 0 : behind.retryAfterMs).toBe(7 * MIN);
    // Back to the right time: only the time after the bucket's last refill counts.
    expect(takeToken(behind.state, rule, at(11 * MIN)).allowed).toBe(false);
    expect(takeToken(behind.state, rule, at(12 * MIN)).allowed).toBe(true);
  });

  it("says at least one second", () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });
});
