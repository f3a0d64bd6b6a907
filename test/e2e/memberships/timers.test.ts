import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleTask } from "../../../src/app/tasks.ts";
import { createTaskWorker } from "../../../src/app/taskWorker.ts";
import type { QueueWorker } from "../../../src/app/worker.ts";
import { BACKENDS, type Harness, startHarness } from "../harness.ts";

const HOUR = 3_600_000;

/**
 * A durable timer whose run schedules its own next run (reconciliation every 6 hours, a member's
 * review at their next period end) must wait for that time: finishing a run whose row was
 * rescheduled meanwhile keeps the new time instead of running again at once (which looped forever).
 */
describe.each(BACKENDS)("timers that reschedule themselves, on %s", (backend) => {
  let h: Harness;
  let worker: QueueWorker;
  const runs: Date[] = [];

  beforeAll(async () => {
    h = await startHarness({ backend });
    // Only this test's worker may claim the test's timer (the bot's own would dead-letter a kind it
    // has no handler for).
    await h.app.taskWorker.stop();
    worker = createTaskWorker({
      db: h.deps.db,
      log: h.deps.log,
      clock: h.clock,
      owner: "timers-test",
      handlers: {
        "test.every_hour": async () => {
          const now = h.clock.now();
          runs.push(now);
          await h.deps.db.$transaction((tx) =>
            scheduleTask(tx, {
              key: "test:every-hour",
              kind: "test.every_hour",
              payload: {},
              runAfter: new Date(now.getTime() + HOUR),
              now,
            }),
          );
          return { outcome: "done" };
        },
      },
    });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.stop();
  });

  const row = () => h.deps.db.task.findUniqueOrThrow({ where: { key: "test:every-hour" } });

  it("runs once, then waits for the time it set itself, across several periods", async () => {
    const start = h.clock.now();
    await h.deps.db.$transaction((tx) =>
      scheduleTask(tx, {
        key: "test:every-hour",
        kind: "test.every_hour",
        payload: {},
        runAfter: start,
        now: start,
      }),
    );
    worker.wake();
    await expect.poll(() => runs.length, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await row()).state, { timeout: 10_000 }).toBe("pending");
    await new Promise((r) => setTimeout(r, 500));
    expect(runs).toHaveLength(1);
    expect((await row()).runAfter.getTime()).toBe(runs[0]!.getTime() + HOUR);

    for (let n = 2; n <= 3; n++) {
      h.clock.advance(HOUR);
      worker.wake();
      await expect.poll(() => runs.length, { timeout: 10_000 }).toBe(n);
      await expect.poll(async () => (await row()).state, { timeout: 10_000 }).toBe("pending");
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(runs).toHaveLength(3);
  });
});

describe("the reconciliation timer of a running bot (PGlite)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", reconcileOnStart: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("runs once at start-up, vacuums the embedded database, then waits 6 hours", async () => {
    await expect.poll(() => h.logs.events("db.vacuumed").length, { timeout: 20_000 }).toBe(1);
    const row = await h.deps.db.task.findUniqueOrThrow({ where: { key: "reconcile:periodic" } });
    expect(row.state).toBe("pending");
    expect(row.runAfter.getTime() - h.clock.now().getTime()).toBeGreaterThan(5.9 * HOUR);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.logs.events("reconcile.done")).toHaveLength(1);
  });
});
