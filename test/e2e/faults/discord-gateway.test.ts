import type { APIInteraction, APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERACTION_CALLBACK_ROUTE, MEMBER_ROLE_ROUTE } from "../../standins/discord.ts";
import { member, user } from "../../standins/discord-payloads.ts";
import { prng, sleep, until } from "../../support/helpers.ts";
import {
  addFan,
  addServer,
  command,
  createTierViaDiscord,
  hasRole,
  interact,
  join,
  opt,
  type Server,
} from "../discord/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";

/**
 * FAULT: the Discord gateway goes away under load. While fans ask for their checkout (slash commands),
 * pay (Stripe's webhooks) and get their role (access jobs), the stand-in
 * - closes the socket with 4000 (resumable),
 * - cuts the TCP connection without a close frame (1006),
 * - falls silent without closing (a half-open connection: only the missing heartbeat ACK tells),
 * - closes it and forgets the session (the RESUME is refused; the client must IDENTIFY again),
 * in a seeded order. The client resumes (or identifies again), interactions are answered, what was
 * dispatched during a resumable gap (a member joining, a slash command) is replayed and acted upon
 * once, and every paying fan ends up with the role from exactly one successful role PUT.
 *
 * "No duplicate grant", precisely: for every (member, role), exactly one PUT answered 204 if the member
 * pays, none otherwise, and no DELETE. Discord's REST stays healthy here, so a fan who was in the server
 * when paying gets exactly one PUT attempt; a fan who paid before joining gets two (404 "unknown member"
 * first, then 204 once they join). And every interaction is answered exactly once (a replayed
 * INTERACTION_CREATE handled twice would answer 40060 "already acknowledged").
 */
const SEED = Number(process.env.FAULT_SEED ?? 20_261_107);
const FAULTS = ["close 4000", "TCP cut", "silent", "session expired"] as const;

describe(`FAULT: the Discord gateway closes under load (FAULT_SEED=${SEED})`, () => {
  let h: DiscordHarness;
  let server: Server;
  let tier: { slug: string; roleId: string };

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      // A short heartbeat so a silent connection is noticed in about two seconds (Discord: 41 s), and a
      // generous interaction window: replayed interactions are answered after the reconnect.
      discordOptions: { heartbeatIntervalMs: 1_000, interactionResponseWindowMs: 20_000 },
    });
    await h.discord.waitForReady();
    server = await addServer(h);
    tier = await createTierViaDiscord(h, server, { name: "Gold" });
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  }, 30_000);

  it("the client resumes or identifies again, interactions are answered, every paying fan gets the role exactly once", async () => {
    const t0 = Date.now();
    const d = h.discord;
    const gw = d.gateway;
    const rng = prng(SEED);
    const faults = rng.shuffle([...FAULTS]);
    const fans = Array.from({ length: 12 }, (_, i) => addFan(h, server, `fan${i}`));
    const bystanders = Array.from({ length: 3 }, (_, i) => addFan(h, server, `bystander${i}`));
    const order = rng.shuffle(fans);
    const batches = faults.map((_, i) => order.slice(i * 3, i * 3 + 3));
    const dispatched: APIInteraction[] = [];
    const answer = async (payload: APIInteraction) => {
      dispatched.push(payload);
      return interact(h, payload);
    };

    // Fans who pay from a DM before joining the server (one per round): their role waits for them.
    const outsiders = faults.map((_, i) => user({ username: `outsider${i}` }));
    for (const o of outsiders) {
      const payload = command({ user: o }, "join", [opt.str("tier", tier.slug)]);
      const a = await answer(payload);
      expect(a.urls).toHaveLength(1);
      const call = [...h.stripe.calls]
        .reverse()
        .find((c) => c.path === "/v1/checkout/sessions" && c.body.client_reference_id === `discord:${o.id}`)!;
      h.stripe.completeCheckout((call.response as { id: string }).id);
    }
    expect((await h.deliverAll()).every((r) => r.status === 200)).toBe(true);
    await until(
      () => outsiders.every((o) => h.logs.events("access.granted").some((l) => l.userId === o.id)),
      "the outsiders' grants to find them not in the server",
    );

    const paid: APIUser[] = [];
    const roundLog: string[] = [];
    for (const [round, fault] of faults.entries()) {
      const batch = batches[round]!;
      const outsider = outsiders[round]!;
      // The batch asks for its checkout (slash commands, concurrently) and pays; the grants start.
      const sessions = await Promise.all(
        batch.map(async (fan) => {
          const { sessionId, answer: a } = await join(h, server, fan, tier.slug);
          dispatched.push({ id: a.interactionId } as APIInteraction);
          return sessionId;
        }),
      );
      for (const s of rng.shuffle(sessions)) h.stripe.completeCheckout(s);
      paid.push(...batch);
      const seq = d.calls.at(-1)?.seq ?? 0;
      const delivering = h.deliverAll();
      // The fault strikes while the batch's grants run: once the first role PUT is answered.
      await d.waitForCall((c) => c.seq > seq && c.route === MEMBER_ROLE_ROUTE && c.method === "PUT", 20_000);
      await sleep(rng.int(0, 50));
      const faultAt = Date.now();

      const loginsBefore = gw.logins.length;
      const resumable = fault !== "session expired";
      const reconnected = resumable ? gw.waitForResume(20_000) : undefined;
      if (fault === "close 4000") d.closeGateway(4000);
      else if (fault === "TCP cut") d.closeGateway("abnormal");
      else if (fault === "silent") d.silenceGateway();
      else d.closeGateway(4000, { forgetSessions: true });

      let replayed: Promise<unknown> | undefined;
      if (resumable) {
        // During the gap: the outsider joins the server and a paying fan runs /membership. Both are
        // kept by the gateway and replayed on RESUME.
        d.addMember(server.id, member({ user: outsider }));
        const asker = paid[rng.int(0, paid.length - 1)]!;
        replayed = answer(command({ user: asker, guildId: server.id }, "membership"));
        await reconnected;
      } else {
        // No session to keep anything: the outsider's arrival is not seen (as on Discord).
        d.addMember(server.id, member({ user: outsider }));
        await gw.waitForReady(20_000);
      }
      const reconnectedAt = Date.now();
      await replayed;
      const statuses = (await delivering).map((r) => r.status);
      expect(statuses.every((s) => s === 200)).toBe(true);
      const after = await answer(command({ user: batch[0]!, guildId: server.id }, "membership"));
      expect(JSON.stringify([after.content, after.embeds]), fault).toContain("Gold");
      if (!resumable) {
        // Nobody replays the outsider's arrival: the new session brings reconciliation forward, which
        // finds the paying fan without their role and gives it (no /claim needed).
        await until(() => hasRole(h, server, outsider.id, tier.roleId), "the outsider's role", 30_000);
        expect(h.logs.events("reconcile.requested").map((l) => l.reason)).toEqual(["discord_reidentified"]);
      }
      paid.push(outsider);
      const inGap = d.calls.filter(
        (c) => c.route === MEMBER_ROLE_ROUTE && c.time >= faultAt && c.time <= reconnectedAt,
      ).length;
      const logins = gw.logins.slice(loginsBefore).map((l) => `${l.op}${l.accepted ? "" : " (refused)"}`);
      roundLog.push(`${fault}: ${logins.join(", ")} (${inGap} role calls in the gap)`);
    }

    // -- every paying fan holds the role; nothing left to do
    await until(
      () => paid.every((f) => hasRole(h, server, f.id, tier.roleId)),
      "every paying fan's role",
      30_000,
    );
    await expect
      .poll(() => h.deps.db.accessJob.count({ where: { state: { not: "done" } } }), { timeout: 20_000 })
      .toBe(0);

    // -- reconnections: one IDENTIFY, then a RESUME of the same session per resumable fault, and a
    // refused RESUME followed by a new IDENTIFY for the forgotten session
    const expected: { op: string; accepted: boolean }[] = [{ op: "identify", accepted: true }];
    for (const f of faults) {
      expected.push({ op: "resume", accepted: f !== "session expired" });
      if (f === "session expired") expected.push({ op: "identify", accepted: true });
    }
    expect(gw.logins.map(({ op, accepted }) => ({ op, accepted }))).toEqual(expected);
    // Each RESUME replayed what was dispatched in the gap (at least the member joining and the command).
    const resumes = h.logs.events("discord.resumed");
    expect(resumes).toHaveLength(3);
    for (const r of resumes) expect(Number(r.replayed)).toBeGreaterThanOrEqual(2);
    expect(h.logs.events("discord.reidentified")).toHaveLength(1);
    expect(h.logs.events("discord.reconnecting").length).toBeGreaterThanOrEqual(4);

    // -- no duplicate grant (see the definition above)
    const roleCalls = d.calls.filter((c) => c.route === MEMBER_ROLE_ROUTE && c.params.guild === server.id);
    expect(roleCalls.filter((c) => c.method === "DELETE")).toEqual([]);
    const puts = (u: APIUser) => roleCalls.filter((c) => c.method === "PUT" && c.params.user === u.id);
    for (const fan of fans) {
      expect(
        puts(fan).map((c) => [c.params.role, c.status]),
        fan.username,
      ).toEqual([[tier.roleId, 204]]);
    }
    for (const o of outsiders) {
      expect(
        puts(o).map((c) => [c.params.role, c.status]),
        o.username,
      ).toEqual([
        [tier.roleId, 404],
        [tier.roleId, 204],
      ]);
    }
    for (const b of bystanders) {
      expect(puts(b), b.username).toEqual([]);
      expect(hasRole(h, server, b.id, tier.roleId)).toBe(false);
    }

    // -- every interaction answered exactly once
    for (const { id } of dispatched) {
      const callbacks = d.calls.filter(
        (c) => c.route === INTERACTION_CALLBACK_ROUTE && c.params.interaction === id,
      );
      expect(
        callbacks.map((c) => c.status),
        `interaction ${id}`,
      ).toEqual([expect.any(Number)]);
      expect([200, 204]).toContain(callbacks[0]!.status);
      const handled = h.logs.lines.filter(
        (l) => l.interactionId === id && String(l.event).startsWith("discord.interaction."),
      );
      // Handled once, or refused once: the fan asking /membership during the gap may belong to the
      // batch whose payment is still being delivered ("not a member yet" is a correct answer then).
      expect(
        handled,
        `interaction ${id}: ${JSON.stringify(handled.map((l) => [l.event, l.code]))}`,
      ).toHaveLength(1);
      expect(["discord.interaction.handled", "discord.interaction.refused"]).toContain(handled[0]!.event);
    }
    expect(
      h.logs
        .events("discord.member.rejoined")
        .map((l) => l.userId)
        .sort(),
    ).toEqual(
      outsiders
        .filter((_, i) => faults[i] !== "session expired")
        .map((o) => o.id)
        .sort(),
    );
    expect((await fetch(`${h.app.http.url}/readyz`)).status).toBe(200);

    process.stdout.write(
      `[fault discord-gateway seed=${SEED}] ${roundLog.join("; ")}; ${paid.length} fans paid, ` +
        `${roleCalls.length} role calls, ${dispatched.length} interactions; ${Date.now() - t0} ms\n`,
    );
  }, 120_000);
});
