import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMBER_ROLE_ROUTE } from "../../standins/discord.ts";
import { member, user } from "../../standins/discord-payloads.ts";
import { pay } from "../../support/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";
import {
  addFan,
  addServer,
  command,
  createTierViaDiscord,
  hasRole,
  interact,
  join,
  lastSeq,
  roleCalls,
  type Server,
  waitForRoleCall,
} from "./helpers.ts";

/** The role bucket is made small so a burst of payments must queue behind it. */
const BUCKET = { limit: 5, windowMs: 1_000 };

/** Rate limits, Discord failing, fans out of reach: access still ends up right, without a 429 storm. */
describe("Discord: rate limits and failures", () => {
  let h: DiscordHarness;
  let server: Server;
  let tier: { slug: string; roleId: string };

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      discordOptions: {
        rateLimits: {
          buckets: [
            { bucket: "guild-member-role", methods: ["PUT", "DELETE"], route: MEMBER_ROLE_ROUTE, ...BUCKET },
          ],
        },
      },
    });
    await h.discord.waitForReady();
    server = await addServer(h);
    tier = await createTierViaDiscord(h, server, { name: "Gold" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a burst of 12 payments: every role given, paced by the bucket's headers, not by 429s", async () => {
    const fans = Array.from({ length: 12 }, () => addFan(h, server));
    const sessions: string[] = [];
    for (const fan of fans) sessions.push((await join(h, server, fan, tier.slug)).sessionId);
    const seq = lastSeq(h);
    const hitsBefore = h.discord.rateLimitHits.route;
    for (const s of sessions) h.stripe.completeCheckout(s);
    const t0 = Date.now();
    await h.deliverAll();
    const puts = await Promise.all(
      fans.map((f) => waitForRoleCall(h, "PUT", f.id, tier.roleId, seq, 20_000)),
    );
    const elapsed = Date.now() - t0;
    expect(fans.every((f) => hasRole(h, server, f.id, tier.roleId))).toBe(true);
    // 12 calls at 5 per second need at least two full windows.
    expect(elapsed).toBeGreaterThanOrEqual(2 * BUCKET.windowMs - 100);
    // discord.js reads x-ratelimit-remaining / reset-after and waits: at most the odd 429 at a window edge.
    expect(h.discord.rateLimitHits.route - hitsBefore).toBeLessThanOrEqual(2);
    expect(puts.every((p) => p.status === 204)).toBe(true);
  });

  it("a 429 with retry_after is waited out, then the role is given", async () => {
    const fan = addFan(h, server);
    const { sessionId } = await join(h, server, fan, tier.slug);
    await new Promise((r) => setTimeout(r, BUCKET.windowMs)); // a fresh bucket window
    h.discord.failNext(
      { method: "PUT", path: `/guilds/${server.id}/members/${fan.id}/roles/${tier.roleId}` },
      { kind: "rate_limit", retryAfterSeconds: 1 },
    );
    await pay(h, sessionId);
    const ok = await waitForRoleCall(h, "PUT", fan.id, tier.roleId, 0, 10_000);
    const limited = roleCalls(h, "PUT", fan.id, tier.roleId).find((c) => c.status === 429)!;
    expect(limited).toBeDefined();
    expect(ok.time - limited.time).toBeGreaterThanOrEqual(950);
  });

  it("Discord failing (5xx) → the job is retried and succeeds", async () => {
    const fan = addFan(h, server);
    const { sessionId } = await join(h, server, fan, tier.slug);
    // discord.js retries a 5xx three times by itself; the fourth failure reaches the access worker.
    h.discord.failNext(
      { method: "PUT", path: `/guilds/${server.id}/members/${fan.id}/roles/${tier.roleId}` },
      { kind: "status", status: 502 },
      4,
    );
    await pay(h, sessionId);
    await h.logs.waitFor("access.retry", 10_000, (l) => l.userId === fan.id);
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId, 0, 15_000);
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(true);
  });

  it("DMs closed: the role is given and the welcome skipped silently", async () => {
    const fan = addFan(h, server);
    h.discord.blockDirectMessages(fan.id);
    const { sessionId } = await join(h, server, fan, tier.slug);
    await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId);
    await h.logs.waitFor("discord.dm.skipped", 5_000, (l) => l.userId === fan.id);
    await h.logs.waitFor("access.granted", 5_000, (l) => l.userId === fan.id);
    expect(h.logs.events("access.dead").some((l) => l.userId === fan.id)).toBe(false);
  });

  it("a fan who pays from a DM before joining the server gets the role when they join", async () => {
    const fan = user();
    const answer = await interact(h, command({ user: fan }, "join", []));
    expect(answer.urls).toHaveLength(1);
    const call = [...h.stripe.calls]
      .reverse()
      .find((c) => c.path === "/v1/checkout/sessions" && c.method === "POST")!;
    await pay(h, (call.response as { id: string }).id);
    const granted = await h.logs.waitFor("access.granted", 10_000, (l) => l.userId === fan.id);
    expect(String(granted.reason)).toBeDefined();
    expect(roleCalls(h, "PUT", fan.id, tier.roleId).some((c) => c.status === 404)).toBe(true);
    const seq = lastSeq(h);
    h.discord.addMember(server.id, member({ user: fan }));
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId, seq);
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(true);
  });
});
