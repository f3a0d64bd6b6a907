import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Claimed, LeaseQueue } from "../../../src/app/queue.ts";
import { createQueueWorker } from "../../../src/app/worker.ts";

/** One row in memory, leased as the SQL queue leases it; `down` makes every call fail as a stopped database does. */
function memoryQueue() {
  const row = { id: 1n, version: 1, attempts: 0, state: "pending" as string, owner: null as string | null };
  const q = {
    down: false,
    completes: 0,
    renews: 0,
    row,
  };
  const check = () => {
    if (q.down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
  };
  const queue: LeaseQueue = {
    async claim<T extends Claimed>(opts: { owner: string; held?: readonly bigint[] }) {
      check();
      if (row.state !== "pending" || opts.held?.includes(row.id)) return [] as T[];
      row.state = "running";
      row.owner = opts.owner;
      row.attempts++;
      return [{ ...row }] as unknown as T[];
    },
    async renew(opts) {
      check();
      q.renews++;
      return row.state === "running" && row.owner === opts.owner ? [row.id] : [];
    },
    async complete(opts) {
      check();
      q.completes++;
      if (row.state !== "running" || row.owner !== opts.owner) return "lost";
      row.state = "done";
      return "done";
    },
    async fail() {
      check();
      return "retry";
    },
    async nextDue() {
      check();
      return null;
    },
  };
  return { q, queue };
}

const log = pino({ level: "silent" });

describe("queue worker: an outcome the database could not record", () => {
  it("is recorded when the database answers again, and the job does not run twice", async () => {
    const { q, queue } = memoryQueue();
    let runs = 0;
    let settledWith: string | undefined;
    const worker = createQueueWorker({
      name: "test_jobs",
      queue,
      owner: "p1",
      log,
      leaseMs: 300,
      idleMs: 50,
      handle: async () => {
        runs++;
        // The work is done on the platform; the database goes away before its outcome is written.
        q.down = true;
        return { outcome: "done" };
      },
      settled: async (_row, _result, state) => {
        settledWith = state;
      },
    });
    worker.start();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(runs).toBe(1);
    expect(settledWith).toBeUndefined();
    expect(q.row.state).toBe("running");
    q.down = false;
    const until = Date.now() + 5_000;
    while (settledWith === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    expect(settledWith).toBe("done");
    expect(q.row.state).toBe("done");
    expect(runs).toBe(1);
  });

  it("gives up when the worker stops, leaving the row to run again after its lease", async () => {
    const { q, queue } = memoryQueue();
    const worker = createQueueWorker({
      name: "test_jobs",
      queue,
      owner: "p1",
      log,
      leaseMs: 300,
      idleMs: 50,
      handle: async () => {
        q.down = true;
        return { outcome: "done" };
      },
      settled: async () => undefined,
    });
    worker.start();
    await new Promise((r) => setTimeout(r, 300));
    const stopped = Date.now();
    await worker.stop();
    expect(Date.now() - stopped).toBeLessThan(3_000);
    expect(q.row.state).toBe("running");
  });
});
