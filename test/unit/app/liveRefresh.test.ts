import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLiveRefresher, LIVE_REFRESH_INTERVAL_MS } from "../../../src/app/liveRefresh.ts";

/**
 * The live refresher, on fake timers: a refresh is a promise the test settles by hand, so "an edit
 * in flight" is a state the test holds, not a race.
 */
describe("createLiveRefresher", () => {
  const INTERVAL = 1_000;
  let calls: { pollId: string; final: boolean; at: number; done: () => void; fail: (e: unknown) => void }[];
  let errors: { pollId: string; err: unknown }[];

  const refresher = (intervalMs = INTERVAL) =>
    createLiveRefresher({
      intervalMs,
      refresh: (pollId, final) =>
        new Promise<void>((resolve, reject) => {
          calls.push({ pollId, final, at: Date.now(), done: resolve, fail: reject });
        }),
      onError: (pollId, err) => errors.push({ pollId, err }),
    });
  /** Lets the promise callbacks run (timers stay frozen). */
  const flush = () => vi.advanceTimersByTimeAsync(0);

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    calls = [];
    errors = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("has one interval for every platform, within Telegram's 20 messages a minute per group", () => {
    expect(LIVE_REFRESH_INTERVAL_MS).toBeGreaterThanOrEqual(3_000);
  });

  it("GIVEN a first request after a quiet spell THEN it refreshes at once", async () => {
    const live = refresher();
    live.request("p1");
    await flush();
    expect(calls.map((c) => [c.pollId, c.final])).toEqual([["p1", false]]);
  });

  it("GIVEN a burst of requests THEN one leading refresh and one trailing refresh, an interval after the first ended", async () => {
    const live = refresher();
    live.request("p1");
    await flush();
    calls[0]!.done();
    await flush();
    const ended = Date.now();
    for (let i = 0; i < 5; i++) {
      live.request("p1");
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - ended).toBe(INTERVAL);
  });

  it("GIVEN a slow refresh THEN the interval counts from its end, not its start", async () => {
    const live = refresher();
    live.request("p1");
    await flush();
    await vi.advanceTimersByTimeAsync(5 * INTERVAL); // the read is slow
    calls[0]!.done();
    await flush();
    live.request("p1");
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
  });

  it("GIVEN requests while a refresh runs THEN exactly one more follows it, never a queue", async () => {
    const live = refresher();
    live.request("p1");
    await flush();
    for (let i = 0; i < 10; i++) live.request("p1");
    calls[0]!.done();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(calls).toHaveLength(2);
    calls[1]!.done();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(calls).toHaveLength(2);
  });

  it("GIVEN two polls THEN each has its own pace", async () => {
    const live = refresher();
    live.request("p1");
    live.request("p2");
    await flush();
    expect(calls.map((c) => c.pollId)).toEqual(["p1", "p2"]);
  });

  it("GIVEN a final refresh while a live one runs THEN it waits for it, and the planned one is dropped", async () => {
    const live = refresher();
    live.request("p1");
    await flush();
    live.request("p1"); // will be dropped: the final refresh reads everything
    const final = live.final("p1");
    await flush();
    expect(calls).toHaveLength(1); // not before the live refresh ends
    calls[0]!.done();
    await flush();
    expect(calls.map((c) => c.final)).toEqual([false, true]);
    calls[1]!.done();
    await final;
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(calls).toHaveLength(2);
  });

  it("GIVEN a final refresh that fails THEN it rejects (the closing reports it); a live one is reported to onError", async () => {
    const live = refresher();
    const final = live.final("p1");
    await flush();
    calls[0]!.fail(new Error("gone"));
    await expect(final).rejects.toThrow("gone");

    live.request("p2");
    await flush();
    calls[1]!.fail(new Error("rate limited"));
    await flush();
    expect(errors).toEqual([{ pollId: "p2", err: new Error("rate limited") }]);
    // A failure does not wedge the poll: the next request refreshes again after the interval.
    live.request("p2");
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(calls).toHaveLength(3);
  });

  it("GIVEN stop with an edit in flight THEN it resolves only once the edit is done, and nothing is planned after", async () => {
    const live = refresher();
    live.request("p1");
    await flush();
    live.request("p1"); // one more was due after the one under way
    live.request("p2");
    await flush();
    calls[1]!.done();
    await flush();
    live.request("p2"); // planned for later: cancelled by stop
    let stopped = false;
    const stopping = live.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    calls[0]!.done();
    await stopping;
    expect(stopped).toBe(true);
    live.request("p1");
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(calls.map((c) => c.pollId)).toEqual(["p1", "p2"]);
  });
});
