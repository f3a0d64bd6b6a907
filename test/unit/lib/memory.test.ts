import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { releaseMemorySoon } from "../../../src/lib/memory.ts";
import { createLogger } from "../../../src/log.ts";
import { until } from "../../support/helpers.ts";

/** A logger whose JSON lines are kept, parsed, in `lines`. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ level: "info", pretty: false, destination }) };
}

/**
 * Arms the collection (`release`, a releaseMemorySoon with no delay) on fake timers, then drops the
 * pass's garbage and fires the collection's timer at once: nothing runs in between.
 */
function collectAfterDropping(drop: () => void, release: () => void): void {
  vi.useFakeTimers();
  try {
    release();
    drop();
    vi.runOnlyPendingTimers();
  } finally {
    vi.useRealTimers();
  }
}

describe("memory given back after a bulk pass", () => {
  it("a full collection after the pass frees the garbage it left, and says so in the log", async () => {
    const { lines, log } = capturedLog();
    // A pass's leftovers: ~100 MB of objects nothing refers to any more.
    let garbage: { i: number; s: string }[][] | null = [];
    for (let b = 0; b < 100; b++)
      garbage.push(Array.from({ length: 10_000 }, (_, i) => ({ i, s: `row ${b}:${i}` })));
    // Dropped right before the collection's timer fires, in the same synchronous step, so no
    // collection can take it first and the figures before and after are the pass's. (Two real
    // timers of one delay did not ensure it: the second may wait for the next turn of the loop when
    // it was armed a little later, and a collection in between once freed it first, in CI.)
    collectAfterDropping(
      () => {
        garbage = null;
      },
      () => releaseMemorySoon(log, "a test pass", 0),
    );
    const line = await until(
      () => lines.find((l) => l.event === "memory.released"),
      "the memory.released line",
    );
    expect(line.after).toBe("a test pass");
    expect(Number(line.heapUsedBeforeMb) - Number(line.heapUsedAfterMb)).toBeGreaterThan(40);
  });

  it("the pages the pass's few survivors are scattered over are given back too (compaction)", async () => {
    const { lines, log } = capturedLog();
    // One object in 20 outlives the pass (a cache, a pooled row): spread over every page the pass
    // filled, it would keep them all without compaction.
    const survivors: { i: number; s: string }[] = [];
    let garbage: { i: number; s: string }[] | null = [];
    for (let i = 0; i < 1_500_000; i++) {
      const row = { i, s: `row ${i}` };
      garbage.push(row);
      if (i % 20 === 0) survivors.push(row);
    }
    collectAfterDropping(
      () => {
        garbage = null;
      },
      () => releaseMemorySoon(log, "a scattered pass", 0),
    );
    const line = await until(
      () => lines.find((l) => l.event === "memory.released"),
      "the memory.released line",
    );
    expect(survivors).toHaveLength(75_000);
    // The heap V8 keeps shrinks with what is used, not only the objects counted as used.
    // (Measured: 174 → 47 MB; a plain collection keeps 132.)
    expect(Number(line.heapTotalAfterMb)).toBeLessThan(Number(line.heapTotalBeforeMb) / 2);
  });
});
