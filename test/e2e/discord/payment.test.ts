import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../../src/core/membership.ts";
import { role as makeRole, member } from "../../standins/discord-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import { BACKENDS, type DiscordHarness, startHarness } from "../harness.ts";
import {
  addFan,
  addServer,
  createTierViaDiscord,
  creator,
  hasRole,
  interact,
  join,
  lastSeq,
  opt,
  type Server,
  sub,
  waitForRoleCall,
} from "./helpers.ts";

/**
 * The main path, end to end: a creator sets up a server and a tier with slash commands, a fan joins
 * and pays through Stripe Checkout, the signed webhook arrives, and the role is added on Discord with
 * an audit-log reason; payment trouble, grace, cancellation and leaving take it away or give it back.
 */
describe.each(BACKENDS)("Discord: payment → role, on %s", (backend) => {
  let h: DiscordHarness;
  let server: Server;
  let tier: { slug: string; roleId: string };

  beforeAll(async () => {
    h = await startHarness({ backend, discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("registers the slash commands at start-up, once", async () => {
    await h.logs.waitFor("discord.commands.registered");
    const registered = h.discord.commands().map((c) => c.name);
    expect(registered.sort()).toEqual(["claim", "idea", "join", "link", "membership", "tribe"]);
    expect(h.discord.commands().find((c) => c.name === "join")?.name_localizations).toEqual({
      fr: "rejoindre",
    });
  });

  it("creator: setup check passes, then a tier is created with its role", async () => {
    const setup = await interact(h, creator(server, sub(["setup"])));
    expect(setup.content).toContain("All set");
    expect(setup.ephemeral).toBe(true);
    const created = await createTierViaDiscord(h, server, { name: "Gold", price: "5", currency: "eur" });
    tier = created;
    expect(created.answer.content).toContain("**Gold**");
    expect(created.answer.content).toContain("€5.00/month");
    expect(created.answer.content).toContain(`<@&${created.roleId}>`);
    expect(h.discord.guild(server.id)?.roles.some((r) => r.id === created.roleId && r.name === "Gold")).toBe(
      true,
    );
  });

  it("a fan joins, pays, and gets the role through the REST route with an audit-log reason, and a welcome DM", async () => {
    const fan = addFan(h, server, "alice");
    const { sessionId, answer } = await join(h, server, fan);
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain("Gold");
    expect(answer.urls[0]).toMatch(/^https?:\/\//);
    const before = lastSeq(h);
    await pay(h, sessionId);
    const put = await waitForRoleCall(h, "PUT", fan.id, tier.roleId, before);
    expect(put.auditLogReason).toMatch(/^tribegate: /);
    expect(put.auditLogReason).toContain("subscription");
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(true);
    await expect
      .poll(() =>
        h.discord
          .dmsTo(fan.id)
          .map((m) => m.content)
          .join("\n"),
      )
      .toContain("Welcome to Gold");
  });

  it("20 fans paying one after another each get their role (time from webhook to role PUT printed)", async () => {
    const fans = Array.from({ length: 20 }, (_, i) => addFan(h, server, `latency${i}`));
    const sessions: string[] = [];
    for (const fan of fans) sessions.push((await join(h, server, fan, tier.slug)).sessionId);
    const latencies: number[] = [];
    for (const [i, fan] of fans.entries()) {
      h.stripe.completeCheckout(sessions[i]!);
      const before = lastSeq(h);
      const t0 = Date.now();
      await h.deliverAll();
      const put = await waitForRoleCall(h, "PUT", fan.id, tier.roleId, before);
      latencies.push(put.time - t0);
    }
    latencies.sort((a, b) => a - b);
    const median = (latencies[9]! + latencies[10]!) / 2;
    process.stdout.write(
      `[discord ${backend}] webhook delivery → role PUT, 20 fans one after another: median ${median} ms, worst ${latencies.at(-1)} ms\n`,
    );
    for (const fan of fans) expect(hasRole(h, server, fan.id, tier.roleId)).toBe(true);
  });

  it("a tier that opens two roles gives both, with one welcome message", async () => {
    const second = makeRole({ name: "Gold lounge", position: 2 });
    h.discord.addRole(server.id, second);
    await until(
      () => h.app.discord!.client.guilds.cache.get(server.id)!.roles.cache.has(second.id),
      "the new role",
    );
    await interact(
      h,
      creator(server, sub(["tier", "add-role"], [opt.str("tier", tier.slug), opt.role("role", second)]), {
        roles: [second],
      }),
    );
    const fan = addFan(h, server, "dora");
    const { sessionId } = await join(h, server, fan, tier.slug);
    const before = lastSeq(h);
    await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId, before);
    await waitForRoleCall(h, "PUT", fan.id, second.id, before);
    await h.logs.waitFor(
      "access.granted",
      5_000,
      (l) => l.userId === fan.id && String(l.target).endsWith(second.id),
    );
    await h.logs.waitFor(
      "access.granted",
      5_000,
      (l) => l.userId === fan.id && String(l.target).endsWith(tier.roleId),
    );
    await expect
      .poll(() => h.discord.dmsTo(fan.id).filter((m) => m.content.includes("Welcome to Gold")).length, {
        timeout: 10_000,
      })
      .toBe(1);
    // Give a second DM the time it would need to arrive, then check there is still one.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.discord.dmsTo(fan.id).filter((m) => m.content.includes("Welcome to Gold"))).toHaveLength(1);
    await interact(
      h,
      creator(server, sub(["tier", "remove-role"], [opt.str("tier", tier.slug), opt.role("role", second)]), {
        roles: [second],
      }),
    );
  });

  it("cancellation removes the role", async () => {
    const fan = addFan(h, server, "bob");
    const { sessionId } = await join(h, server, fan, tier.slug);
    const subId = await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId);
    const before = lastSeq(h);
    h.stripe.updateSubscription(subId, { status: "canceled", ended_at: Math.floor(Date.now() / 1000) });
    await h.deliverAll();
    const del = await waitForRoleCall(h, "DELETE", fan.id, tier.roleId, before);
    expect(del.auditLogReason).toMatch(/^tribegate: /);
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(false);
    await expect
      .poll(() =>
        h.discord
          .dmsTo(fan.id)
          .map((m) => m.content)
          .join("\n"),
      )
      .toContain("membership has ended");
  });

  it("leaving and rejoining the server gives the role back", async () => {
    const fan = addFan(h, server, "carol");
    const { sessionId } = await join(h, server, fan, tier.slug);
    await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId);
    h.discord.removeMember(server.id, fan.id);
    const before = lastSeq(h);
    h.discord.addMember(server.id, member({ user: fan }));
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId, before);
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(true);
    await h.logs.waitFor("discord.member.rejoined", 5_000, (l) => l.userId === fan.id);
  });

  it("payment failure keeps the role during grace and DMs the portal link; after grace the role goes", async () => {
    const fan = addFan(h, server, "dave");
    const { sessionId } = await join(h, server, fan, tier.slug);
    const subId = await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, tier.roleId);
    h.stripe.updateSubscription(subId, { status: "past_due" });
    await h.deliverAll();
    await expect
      .poll(() => h.discord.dmsTo(fan.id).find((m) => m.content.includes("did not go through")), {
        timeout: 10_000,
      })
      .toBeTruthy();
    const reminder = h.discord.dmsTo(fan.id).find((m) => m.content.includes("did not go through"))!;
    const buttons = (reminder.components ?? []).flatMap((r) =>
      "components" in r ? (r.components as { url?: string }[]) : [],
    );
    expect(buttons.some((b) => typeof b.url === "string")).toBe(true);
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(true);

    const before = lastSeq(h);
    h.clock.advance(4 * DAY_MS); // default grace is 3 days
    await h.app.taskWorker.drain();
    h.app.wake();
    await waitForRoleCall(h, "DELETE", fan.id, tier.roleId, before);
    expect(hasRole(h, server, fan.id, tier.roleId)).toBe(false);
  });
});
