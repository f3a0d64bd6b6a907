import { ChannelType, OverwriteType, PermissionFlagsBits } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncCommands } from "../../../src/adapters/discord/registerCommands.ts";
import { getSettings } from "../../../src/app/settings.ts";
import { role as makeRole } from "../../standins/discord-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";
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

/** A PNG's width and height (IHDR), after checking its signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The creator's tools, each through a slash command against the stand-ins. */
describe("Discord: creator commands", () => {
  let h: DiscordHarness;
  let server: Server;

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("start-up registration leaves matching commands alone", async () => {
    await h.logs.waitFor("discord.commands.registered");
    const puts = () =>
      h.discord.calls.filter((c) => c.method === "PUT" && c.path.endsWith("/commands")).length;
    const before = puts();
    expect(await syncCommands(h.app.discord!.client as never, h.deps.log)).toBe("unchanged");
    expect(puts()).toBe(before);
  });

  it("tier create with a private channel: role-only overwrites", async () => {
    const { slug, roleId, answer } = await createTierViaDiscord(h, server, {
      name: "Inner Circle",
      price: "12.50",
      currency: "usd",
      extra: [opt.bool("private-channel", true), opt.str("interval", "year")],
    });
    expect(answer.content).toContain("$12.50/year");
    const channel = h.discord.guild(server.id)!.channels.find((c) => c.name === slug);
    expect(channel?.type).toBe(ChannelType.GuildText);
    const overwrites = (
      channel as { permission_overwrites?: { id: string; type: number; allow: string; deny: string }[] }
    ).permission_overwrites!;
    const everyone = overwrites.find((o) => o.id === server.id)!;
    expect(BigInt(everyone.deny) & PermissionFlagsBits.ViewChannel).toBe(PermissionFlagsBits.ViewChannel);
    const member = overwrites.find((o) => o.id === roleId)!;
    expect(member.type).toBe(OverwriteType.Role);
    expect(BigInt(member.allow) & PermissionFlagsBits.ViewChannel).toBe(PermissionFlagsBits.ViewChannel);
  });

  it("tier list, edit (name, price) and archive", async () => {
    await createTierViaDiscord(h, server, { name: "Bronze", price: "3", currency: "eur" });
    const edited = await interact(
      h,
      creator(
        server,
        sub(["tier", "edit"], [opt.str("tier", "bronze"), opt.str("name", "Bronze+"), opt.str("price", "4")]),
      ),
    );
    expect(edited.content).toContain("Tier **Bronze+** updated.");
    expect(edited.content).toContain("€4.00/month");
    const list = await interact(h, creator(server, sub(["tier", "list"])));
    const field = list.embeds[0]?.fields?.find((f) => f.name.startsWith("Bronze+"));
    expect(field?.value).toContain("€4.00/month");
    const archived = await interact(
      h,
      creator(server, sub(["tier", "archive"], [opt.str("tier", "bronze")])),
    );
    expect(archived.content).toContain("no longer for sale");
    const again = await interact(h, creator(server, sub(["tier", "list"])));
    expect(again.embeds[0]?.fields?.find((f) => f.name.startsWith("Bronze+"))?.name).toContain("archived");
  });

  it("settings: grace, trial, promotion codes, goal; shown back; out of range refused", async () => {
    const answer = await interact(
      h,
      creator(
        server,
        sub(
          ["settings"],
          [
            opt.int("grace-days", 5),
            opt.int("trial-days", 7),
            opt.bool("promotion-codes", true),
            opt.int("fans-goal", 1000),
          ],
        ),
      ),
    );
    expect(answer.content).toBe("Saved.");
    expect(answer.embeds[0]?.fields?.map((f) => f.value)).toEqual(
      expect.arrayContaining(["5 days", "7 days", "on", "1000"]),
    );
    expect(await getSettings(h.deps.db)).toMatchObject({
      graceDays: 5,
      defaultTrialDays: 7,
      allowPromotionCodes: true,
    });
    const refused = await interact(h, creator(server, sub(["settings"], [opt.int("grace-days", 90)])));
    expect(refused.content).toContain("The grace period (days) must be between 0 and 60. Nothing changed.");
    await interact(
      h,
      creator(server, sub(["settings"], [opt.int("grace-days", 3), opt.int("trial-days", 0)])),
    );
  });

  it("member lookup, revoke and restore, re-sync; stats", async () => {
    const gold = await createTierViaDiscord(h, server, { name: "Gold" });
    const fan = addFan(h, server, "erin");
    const { sessionId } = await join(h, server, fan, gold.slug);
    await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);

    const shown = await interact(
      h,
      creator(server, sub(["member", "show"], [opt.user("user", fan)]), { users: [fan] }),
    );
    const fields = shown.embeds[0]?.fields ?? [];
    expect(fields.find((f) => f.name === "Subscriptions")?.value).toContain("**Gold** active");
    expect(fields.find((f) => f.name === "Accounts")?.value).toContain(`<@${fan.id}>`);
    expect(fields.find((f) => f.name === "Recent history")?.value).toContain("access given");

    let seq = lastSeq(h);
    const revoked = await interact(
      h,
      creator(server, sub(["member", "revoke"], [opt.user("user", fan), opt.str("reason", "chargeback")]), {
        users: [fan],
      }),
    );
    expect(revoked.content).toContain("access is revoked");
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, seq);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(false);

    seq = lastSeq(h);
    const restored = await interact(
      h,
      creator(server, sub(["member", "restore"], [opt.user("user", fan)]), { users: [fan] }),
    );
    expect(restored.content).toContain("access is restored (1 role on their way)");
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, seq);

    const resynced = await interact(
      h,
      creator(server, sub(["member", "resync"], [opt.user("user", fan)]), { users: [fan] }),
    );
    expect(resynced.content).toContain("Re-sync requested");

    const beforeStats = lastSeq(h);
    const stats = await interact(h, creator(server, sub(["stats"])));
    expect(stats.embeds[0]?.title).toBe("Your tribe");
    const field = (name: string) => stats.embeds[0]?.fields?.find((f) => f.name === name)?.value;
    expect(field("Members")).toBe("1");
    // Nobody was a member 30 days ago, no trial ended: no rate to show, said so.
    expect(field("Churn rate (30 days)")).toBe("– (nobody was a member 30 days ago)");
    expect(field("Trial conversion (30 days)")).toBe("– (no trial ended)");
    expect(field("Revenue per tier")).toBe("Gold: €5.00 a month");
    // Erin joined this week: the last of the 12 weeks gained one.
    expect(field("Net new members per week (12 weeks)")).toBe(
      `${Array(11).fill("0").join(" · ")} · +1 (oldest first; the last is this week so far)`,
    );
    // The chart, attached to the answer and shown as the embed's image.
    expect(stats.embeds[0]?.image?.url).toContain("tribe-stats.png");
    const upload = h.discord.calls.find(
      (c) => c.seq > beforeStats && c.files.some((f) => f.name === "tribe-stats.png"),
    );
    const png = upload?.files.find((f) => f.name === "tribe-stats.png")?.bytes;
    expect(png && pngSize(png)).toEqual({ width: 800, height: 420 });
  });

  it("reconciliation: a role removed by hand shows in the preview (nothing changed), the button repairs it", async () => {
    const gold = await h.deps.db.tierAccess.findFirstOrThrow({ where: { tier: { slug: "gold" } } });
    const holder = await h.deps.db.identity.findFirstOrThrow({ where: { username: "erin" } });
    h.discord.setMemberRoles(server.id, holder.platformUserId, []);
    const seq = lastSeq(h);
    const preview = await interact(h, creator(server, sub(["reconcile"])));
    expect(preview.responseType).toBe(5); // deferred: reconciliation may take a while
    expect(preview.embeds[0]?.title).toContain("preview");
    expect(preview.embeds[0]?.description).toContain(`<@${holder.platformUserId}> is owed <@&`);
    expect(preview.customIds).toEqual(["reconcile:apply"]);
    expect(
      h.discord.calls.filter((c) => c.seq > seq && c.method === "PUT" && c.path.includes("/roles/")),
    ).toHaveLength(0);
    // The members list was read through REST pages.
    expect(
      h.discord.calls.some(
        (c) => c.seq > seq && c.route === "/guilds/:guild/members" && c.query.limit === "1000",
      ),
    ).toBe(true);

    const { buttonClick } = await import("../../standins/discord-payloads.ts");
    const applied = await interact(
      h,
      buttonClick({ customId: "reconcile:apply", user: server.owner, guildId: server.id, permissions: "32" }),
    );
    expect(applied.embeds[0]?.title).toBe("Reconciliation done");
    await waitForRoleCall(h, "PUT", holder.platformUserId, gold.roleId!, seq);
    expect(hasRole(h, server, holder.platformUserId, gold.roleId!)).toBe(true);
  });

  it("role deleted → dead job with a clear reason; listed; retried once a new role is mapped", async () => {
    const doomed = await createTierViaDiscord(h, server, { name: "Doomed" });
    const fan = addFan(h, server, "frank");
    const { sessionId } = await join(h, server, fan, doomed.slug);
    // The role disappears before the payment lands.
    await h.app.discord!.client.rest.delete(`/guilds/${server.id}/roles/${doomed.roleId}`);
    await pay(h, sessionId);
    const dead = await h.logs.waitFor("access.dead", 10_000, (l) => l.userId === fan.id);
    expect(String(dead.error)).toContain("no longer exists");
    const list = await interact(h, creator(server, sub(["jobs", "list"])));
    expect(list.content).toContain("no longer exists");
    expect(list.content).toContain(`<@${fan.id}>`);

    await interact(
      h,
      creator(
        server,
        sub(
          ["tier", "remove-role"],
          [opt.str("tier", doomed.slug), opt.role("role", makeRole({ id: doomed.roleId }))],
        ),
        { roles: [makeRole({ id: doomed.roleId })] },
      ),
    );
    const fresh = makeRole({ name: "Phoenix", position: 2 });
    h.discord.addRole(server.id, fresh);
    await until(
      () => h.app.discord!.client.guilds.cache.get(server.id)!.roles.cache.has(fresh.id),
      "the new role",
    );
    const seq = lastSeq(h);
    const added = await interact(
      h,
      creator(server, sub(["tier", "add-role"], [opt.str("tier", doomed.slug), opt.role("role", fresh)]), {
        roles: [fresh],
      }),
    );
    expect(added.content).toContain(`also get <@&${fresh.id}>`);
    await waitForRoleCall(h, "PUT", fan.id, fresh.id, seq);
    const retried = await interact(h, creator(server, sub(["jobs", "retry"])));
    expect(retried.content).toMatch(/^1 role change queued again\.$/);
  });

  it("missing permissions (50013) → dead with what to fix; setup says the same", async () => {
    const tier = await createTierViaDiscord(h, server, { name: "Lofty" });
    // A moderator drags the tier role above the bot's role.
    const guild = h.discord.guild(server.id)!;
    const lofty = guild.roles.find((r) => r.id === tier.roleId)!;
    h.discord.addRole(server.id, { ...lofty, position: 20 });
    await until(
      () =>
        h.app.discord!.client.guilds.cache.get(server.id)!.roles.cache.get(tier.roleId)?.rawPosition === 20,
      "the move",
    );
    const fan = addFan(h, server, "gina");
    const { sessionId } = await join(h, server, fan, tier.slug);
    await pay(h, sessionId);
    const dead = await h.logs.waitFor("access.dead", 10_000, (l) => l.userId === fan.id);
    expect(String(dead.error)).toContain("drag its role above");
    const setup = await interact(h, creator(server, sub(["setup"])));
    expect(setup.content).toContain(`Drag the “tribegate” role **above** <@&${tier.roleId}> (tier Lofty)`);
  });

  it("Telegram bind code for a tier", async () => {
    const answer = await interact(h, creator(server, sub(["bind"], [opt.str("tier", "gold")])));
    const code = /\*\*([A-Z0-9]{8})\*\*/.exec(answer.content)?.[1];
    expect(code).toBeDefined();
    expect(await h.deps.db.chatBindCode.findUnique({ where: { code: code! } })).not.toBeNull();
  });
});
