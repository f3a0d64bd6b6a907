import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../../src/adapters/db/database.ts";
import { wantAccess } from "../../../src/app/access/jobs.ts";
import type { Db } from "../../../src/app/db.ts";
import { type Claimed, createLeaseQueue } from "../../../src/app/queue.ts";
import { Prisma } from "../../../src/generated/prisma/client.ts";
import { sleep, until } from "../../support/helpers.ts";
import {
  addFan,
  homeServerWithTier,
  joinAndPay,
  roleCalls,
  type Server,
  waitForRoleCall,
} from "../discord/helpers.ts";
import { BACKENDS, type DiscordHarness, startHarness } from "../harness.ts";

/** Shortened from 120 s, so a Discord call can outlast it in a test. */
const LEASE_MS = 1_500;

/**
 * Job leases, played against the real bot: Discord answers a role grant, then the welcome DM, only
 * after four leases' time, while a second process polls the same queues. The bot renews its leases
 * as it waits, so each runs once: one role call, one DM, nothing taken by the other process. And a
 * process that died holding a job (its lease no longer renewed) still loses it once the lease ran out.
 */
describe.each(BACKENDS)("job leases, on %s", (backend) => {
  let h: DiscordHarness;
  let server: Server;
  let roleId: string;
  /** The second process's connection (on PGlite, which one process owns, the same database). */
  let rival: Database | undefined;
  let rivalDb: Db;

  beforeAll(async () => {
    h = await startHarness({ backend, discord: true, jobLeaseMs: LEASE_MS });
    ({
      server,
      tier: { roleId },
    } = await homeServerWithTier(h, { name: "Gold", price: "10" }));
    if (backend === "postgres") {
      rival = await openDatabase({
        databaseUrl: h.config.databaseUrl,
        dataDir: "/nonexistent",
        log: h.deps.log,
      });
      rivalDb = rival.prisma;
    } else {
      rivalDb = h.deps.db;
    }
  }, 60_000);
  afterAll(async () => {
    await rival?.close();
    await h?.stop();
  });

  it("a grant and its DM slower than the lease keep their leases and run once, while another process polls", async () => {
    const fan = addFan(h, server, "patient");
    const slow = { kind: "slow" as const, ms: 4 * LEASE_MS };
    h.discord.failNext(
      { method: "PUT", path: `/guilds/${server.id}/members/${fan.id}/roles/${roleId}` },
      slow,
    );
    h.discord.failNext({ method: "POST", path: /^\/channels\/\d+\/messages$/ }, slow);

    // The other process polls every 100 ms, as its workers do, for this fan's jobs and tasks whose
    // lease ran out (it could also win a pending one before the bot does: that is sharing work, not
    // running it twice, so it is left to the bot here).
    const stolen: string[] = [];
    const leases: number[] = [];
    let polling = true;
    const accessQueue = createLeaseQueue(rivalDb, "access_job");
    const taskQueue = createLeaseQueue(rivalDb, "task");
    const rivalLoop = (async () => {
      while (polling) {
        const now = h.clock.now();
        const claims: Claimed[] = [
          ...(await accessQueue.claim({
            owner: "rival",
            limit: 10,
            leaseMs: LEASE_MS,
            now,
            where: Prisma.sql`state = 'running' AND platform_user_id = ${fan.id}`,
          })),
          ...(await taskQueue.claim({
            owner: "rival",
            limit: 10,
            leaseMs: LEASE_MS,
            now,
            where: Prisma.sql`state = 'running' AND payload->>'userId' = ${fan.id}`,
          })),
        ];
        stolen.push(...claims.map((c) => String(c.id)));
        const running = await rivalDb.accessJob.findFirst({
          where: { platformUserId: fan.id, state: "running" },
        });
        if (running?.leaseUntil) leases.push(running.leaseUntil.getTime());
        await sleep(100);
      }
    })();

    try {
      await joinAndPay(h, server, fan);
      await waitForRoleCall(h, "PUT", fan.id, roleId, 0, 8 * LEASE_MS);
      await until(() => h.discord.dmsTo(fan.id).length > 0, "the welcome DM", 8 * LEASE_MS);
      await expect
        .poll(
          () =>
            h.deps.db.task.findFirst({
              where: { kind: "discord.tell", payload: { path: ["userId"], equals: fan.id } },
            }),
          {
            timeout: 5_000,
          },
        )
        .toMatchObject({ state: "done" });
      // Two more leases' time: a worker that lost track of the running jobs would run them again now.
      await sleep(2 * LEASE_MS);
    } finally {
      polling = false;
      await rivalLoop;
    }

    expect(stolen).toEqual([]);
    expect(roleCalls(h, "PUT", fan.id, roleId)).toHaveLength(1);
    expect(h.discord.dmsTo(fan.id)).toHaveLength(1);
    const job = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: fan.id } });
    expect({ state: job.state, attempts: job.attempts }).toEqual({ state: "done", attempts: 1 });
    const tell = await h.deps.db.task.findFirstOrThrow({
      where: { kind: "discord.tell", payload: { path: ["userId"], equals: fan.id } },
    });
    expect({ state: tell.state, attempts: tell.attempts }).toEqual({ state: "done", attempts: 1 });
    const member = await h.deps.db.identity.findFirstOrThrow({ where: { platformUserId: fan.id } });
    expect(
      await h.deps.db.memberHistory.count({ where: { memberId: member.memberId, action: "access.granted" } }),
    ).toBe(1);
    // The lease moved forward while Discord held the call: renewed, not merely long.
    expect(Math.max(...leases) - Math.min(...leases)).toBeGreaterThanOrEqual(LEASE_MS);
    expect(h.logs.events("access.lease_lost")).toEqual([]);
    expect(h.logs.events("tasks.lease_lost")).toEqual([]);
  }, 60_000);

  it("a process never claims again a job it is still running, even when the clock says its lease ran out", async () => {
    const fan = addFan(h, server, "jumpy");
    const route = `/guilds/${server.id}/members/${fan.id}/roles/${roleId}`;
    h.discord.failNext({ method: "PUT", path: route }, { kind: "slow", ms: 4 * LEASE_MS });
    await joinAndPay(h, server, fan);
    await h.discord.waitForCall((c) => c.method === "PUT" && c.path === route, 4 * LEASE_MS);
    // The grant is in Discord's hands. The clock jumps past its lease (a suspended laptop, an NTP
    // step) and the bot's own worker looks for work before its next heartbeat.
    h.clock.advance(3 * LEASE_MS);
    h.app.wake();
    await waitForRoleCall(h, "PUT", fan.id, roleId, 0, 8 * LEASE_MS);
    await expect
      .poll(() => h.deps.db.accessJob.findFirst({ where: { platformUserId: fan.id } }), { timeout: 5_000 })
      .toMatchObject({ state: "done" });
    await sleep(2 * LEASE_MS);
    expect(roleCalls(h, "PUT", fan.id, roleId)).toHaveLength(1);
    expect((await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: fan.id } })).attempts).toBe(
      1,
    );
  }, 60_000);

  it("a job whose process died is taken over once its lease ran out, and runs once", async () => {
    const fan = addFan(h, server, "orphan");
    await h.deps.db.$transaction((tx) =>
      wantAccess(tx, {
        identity: { platform: "discord", userId: fan.id },
        target: { platform: "discord", guildId: server.id, roleId },
        memberId: null,
        action: "grant",
        reason: "test: taken by a process that then died",
        stripeEventId: null,
        now: h.clock.now(),
      }),
    );
    // The other process claims it, then dies: its connection goes, its lease is never renewed.
    const ghost =
      backend === "postgres"
        ? await openDatabase({ databaseUrl: h.config.databaseUrl, dataDir: "/nonexistent", log: h.deps.log })
        : undefined;
    const claimedAt = Date.now();
    const [claimed] = await createLeaseQueue(ghost?.prisma ?? h.deps.db, "access_job").claim<Claimed>({
      owner: "ghost",
      limit: 1,
      leaseMs: LEASE_MS,
      now: h.clock.now(),
      where: Prisma.sql`platform_user_id = ${fan.id}`,
    });
    await ghost?.close();
    expect(claimed).toBeDefined();
    h.app.wake(); // as any new work would: the bot looks, finds it leased, and waits for the lease

    const call = await waitForRoleCall(h, "PUT", fan.id, roleId, 0, 10 * LEASE_MS);
    expect(call.time - claimedAt).toBeGreaterThanOrEqual(LEASE_MS - 50);
    await expect
      .poll(() => h.deps.db.accessJob.findFirst({ where: { platformUserId: fan.id } }), { timeout: 5_000 })
      .toMatchObject({ state: "done", attempts: 2 });
    await sleep(2 * LEASE_MS);
    expect(roleCalls(h, "PUT", fan.id, roleId)).toHaveLength(1);
    // Were the dead process to come back, it could record nothing.
    const queue = createLeaseQueue(h.deps.db, "access_job");
    expect(
      await queue.complete({
        id: claimed!.id,
        owner: "ghost",
        version: claimed!.version,
        now: h.clock.now(),
      }),
    ).toBe("lost");
  }, 60_000);
});
