import type { APIRole, APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcileAll } from "../../../src/app/reconcile.ts";
import { getSettings } from "../../../src/app/settings.ts";
import { addMonths } from "../../../src/core/access.ts";
import { role } from "../../standins/discord-payloads.ts";
import { sleep, until } from "../../support/helpers.ts";
import {
  type Answer,
  addFan,
  addServer,
  createTierViaDiscord,
  creator,
  hasRole,
  interact,
  joinAndPay,
  lastSeq,
  opt,
  roleCalls,
  type Server,
  command as slash,
  sub,
  waitForRoleCall,
} from "../discord/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";

const MINUTE = 60_000;

/**
 * Roles beyond the tiers' (issue 17), on the Discord stand-in: a trial role while a subscription is
 * in its free trial, an alumni role for former members (taken back when they return, who are
 * welcomed back), and tenure roles at 3 and 6 months of continuous membership, given by the durable
 * review timers across a restart. All off by default: then none of these roles is ever touched.
 */
describe("trial, alumni and tenure roles (PGlite)", () => {
  let h: DiscordHarness;
  let server: Server;
  let gold: { slug: string; roleId: string };
  let trialRole: APIRole;
  let alumniRole: APIRole;
  let threeMonths: APIRole;
  let sixMonths: APIRole;
  let extraIds: string[];

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    // A 14-day free trial on the tier: a fan who joins is trialing.
    gold = await createTierViaDiscord(h, server, {
      name: "Gold",
      price: "10",
      currency: "eur",
      extra: [opt.int("trial-days", 14)],
    });
    trialRole = role({ name: "Trying it", position: 2 });
    alumniRole = role({ name: "Alumni", position: 2 });
    threeMonths = role({ name: "3 months", position: 2 });
    sixMonths = role({ name: "6 months", position: 2 });
    for (const r of [trialRole, alumniRole, threeMonths, sixMonths]) h.discord.addRole(server.id, r);
    extraIds = [trialRole.id, alumniRole.id, threeMonths.id, sixMonths.id];
  });
  afterAll(async () => {
    await h?.stop();
  });

  const settings = (options: Parameters<typeof sub>[1]): Promise<Answer> =>
    interact(
      h,
      creator(server, sub(["settings"], options), {
        roles: [trialRole, alumniRole, threeMonths, sixMonths, server.highRole, goldRole()],
      }),
    );
  const membership = (fan: APIUser) => interact(h, slash({ user: fan, guildId: server.id }, "membership"));
  const memberOf = async (fan: APIUser) =>
    h.deps.db.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: "discord", platformUserId: fan.id } },
    });
  const deliver = async () => {
    const delivered = await h.deliverAll();
    expect(delivered.filter((d) => d.status !== 200)).toEqual([]);
  };
  const extraCalls = (fan: APIUser) =>
    [...roleCalls(h, "PUT", fan.id), ...roleCalls(h, "DELETE", fan.id)].filter((c) =>
      extraIds.includes(String(c.params.role)),
    );
  const goldRole = (): APIRole => h.discord.guild(server.id)!.roles.find((r) => r.id === gold.roleId)!;
  /** Moves the test clock to `at`. */
  const moveTo = (at: Date) => h.clock.advance(at.getTime() - h.clock.now().getTime());
  const dms = (fan: APIUser) => h.discord.dmsTo(fan.id).map((m) => m.content);
  const cancel = (subId: string) =>
    h.stripe.updateSubscription(subId, { status: "canceled", ended_at: Math.floor(Date.now() / 1000) });

  it("off by default: a trial that converts, a lapse and a return touch no role but the tier's, and no tenure timer is set", async () => {
    expect(await getSettings(h.deps.db)).toMatchObject({ trialRole: "", alumniRole: "", tenureRoles: [] });
    const fan = addFan(h, server, "otto");
    const subId = await joinAndPay(h, server, fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    expect((await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).status).toBe(
      "trialing",
    );
    h.stripe.updateSubscription(subId, { status: "active" });
    await deliver();
    const { memberId } = await memberOf(fan);
    expect(await h.deps.db.task.findUnique({ where: { key: `review:${memberId}` } })).toBeNull();
    const before = lastSeq(h);
    cancel(subId);
    await deliver();
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, before);
    await joinAndPay(h, server, fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, before);
    await sleep(300);
    expect(extraCalls(fan)).toEqual([]);
    expect((await membership(fan)).embeds[0]?.description).toContain("Member since");
  });

  it("the bot must be able to give the role, and a tier's role cannot be one: refused with what to fix", async () => {
    const high = await settings([opt.role("alumni-role", server.highRole)]);
    expect(high.content).toContain("The bot cannot give or take");
    const tierRole = await settings([opt.role("trial-role", goldRole())]);
    expect(tierRole.content).toContain("opens a tier");
    const half = await settings([opt.int("tenure-months", 3)]);
    expect(half.content).toContain("Give tenure-months and tenure-role together");
    expect(await getSettings(h.deps.db)).toMatchObject({ trialRole: "", alumniRole: "", tenureRoles: [] });
  });

  it("the creator turns the roles on; a trialing fan gets the trial role, quietly, and loses it when the trial converts", async () => {
    const on = await settings([
      opt.role("trial-role", trialRole),
      opt.role("alumni-role", alumniRole),
      opt.role("tenure-role", threeMonths),
      opt.int("tenure-months", 3),
    ]);
    expect(on.content).toContain("Saved.");
    const shown = JSON.stringify(on.embeds);
    expect(shown).toContain(`<@&${trialRole.id}>`);
    expect(shown).toContain(`<@&${alumniRole.id}>`);
    expect(shown).toContain(`3 mo: <@&${threeMonths.id}>`);
    await settings([opt.role("tenure-role", sixMonths), opt.int("tenure-months", 6)]);
    expect((await getSettings(h.deps.db)).tenureRoles.map((t) => t.months)).toEqual([3, 6]);
    // The same role for two purposes is refused.
    expect((await settings([opt.role("alumni-role", trialRole)])).content).toContain(
      "is already your trial, alumni or a tenure role",
    );

    // Nor may a tier take one of these roles.
    const tierTakes = await interact(
      h,
      creator(server, sub(["tier", "add-role"], [opt.str("tier", "gold"), opt.role("role", alumniRole)]), {
        roles: [alumniRole],
      }),
    );
    expect(tierTakes.content).toContain("is your trial, alumni or a tenure role");
    expect(await h.deps.db.tierAccess.count({ where: { roleId: alumniRole.id } })).toBe(0);

    const fan = addFan(h, server, "tina");
    const subId = await joinAndPay(h, server, fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    await waitForRoleCall(h, "PUT", fan.id, trialRole.id);
    expect(hasRole(h, server, fan.id, trialRole.id)).toBe(true);
    // One welcome, the tier's: the trial role has no message of its own.
    await until(() => dms(fan).length > 0, "the welcome");
    await sleep(300);
    expect(dms(fan)).toHaveLength(1);
    expect(dms(fan)[0]).toContain("Welcome to Gold!");
    expect(dms(fan)[0]).not.toContain("Welcome back");

    const before = lastSeq(h);
    h.stripe.updateSubscription(subId, { status: "active" });
    await deliver();
    await waitForRoleCall(h, "DELETE", fan.id, trialRole.id, before);
    expect(hasRole(h, server, fan.id, trialRole.id)).toBe(false);
    expect(hasRole(h, server, fan.id, gold.roleId)).toBe(true);
    await sleep(300);
    expect(dms(fan)).toHaveLength(1);
    const history = await h.deps.db.memberHistory.findFirstOrThrow({
      where: {
        memberId: (await memberOf(fan)).memberId,
        action: "access.grant.requested",
        toState: { contains: trialRole.id },
      },
    });
    expect(history.reason).toContain("trial role");
  });

  it("a fan who lapses gets the alumni role and loses it when paying again, welcomed back", async () => {
    const fan = addFan(h, server, "alma");
    const first = await joinAndPay(h, server, fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    h.stripe.updateSubscription(first, { status: "active" });
    await deliver();
    const lapse = lastSeq(h);
    cancel(first);
    await deliver();
    await waitForRoleCall(h, "DELETE", fan.id, gold.roleId, lapse);
    await waitForRoleCall(h, "PUT", fan.id, alumniRole.id, lapse);
    expect(hasRole(h, server, fan.id, alumniRole.id)).toBe(true);

    // The first welcome, then the goodbye, are sent before the fan comes back.
    const welcomes = () => dms(fan).filter((m) => m.includes("Welcome to Gold!"));
    await until(() => welcomes().length === 1, "the first welcome");
    expect(welcomes()[0]).not.toContain("Welcome back");
    // Removed by hand: reconciliation gives it back like a tier's role, without a message.
    await until(() => dms(fan).length === 2, "the welcome and the goodbye");
    const dmsBefore = dms(fan).length;
    h.discord.setMemberRoles(server.id, fan.id, []);
    const repair = lastSeq(h);
    const report = await reconcileAll(h.app.services, { dryRun: false });
    expect(report.drift.some((d) => d.what.includes(alumniRole.id))).toBe(true);
    await waitForRoleCall(h, "PUT", fan.id, alumniRole.id, repair);
    await sleep(300);
    expect(dms(fan)).toHaveLength(dmsBefore);

    const back = lastSeq(h);
    await joinAndPay(h, server, fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId, back);
    await waitForRoleCall(h, "DELETE", fan.id, alumniRole.id, back);
    expect(hasRole(h, server, fan.id, alumniRole.id)).toBe(false);
    await until(() => welcomes().length === 2, "the welcome of the returning fan");
    expect(welcomes()[1]).toContain("Welcome back, good to see you again!");
  });

  it("tenure roles at 3 and 6 months come from the durable review timer, across a restart, and /membership shows them", async () => {
    const fan = addFan(h, server, "tess");
    const subId = await joinAndPay(h, server, fan);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    h.stripe.updateSubscription(subId, { status: "active" });
    await deliver();
    const { memberId } = await memberOf(fan);
    const since = (await h.deps.db.subscription.findUniqueOrThrow({ where: { id: subId } })).startedAt;
    const review = await h.deps.db.task.findUniqueOrThrow({ where: { key: `review:${memberId}` } });
    expect(review.runAfter).toEqual(addMonths(since, 3));
    expect(hasRole(h, server, fan.id, threeMonths.id)).toBe(false);

    // Three months on: the timer re-plans the member, the 3-month role is given.
    const at3 = lastSeq(h);
    moveTo(new Date(addMonths(since, 3).getTime() + MINUTE));
    h.app.wake();
    await waitForRoleCall(h, "PUT", fan.id, threeMonths.id, at3, 20_000);
    expect(hasRole(h, server, fan.id, sixMonths.id)).toBe(false);
    const next = await h.deps.db.task.findUniqueOrThrow({ where: { key: `review:${memberId}` } });
    expect(next.runAfter).toEqual(addMonths(since, 6));
    expect((await membership(fan)).embeds[0]?.description).toContain(
      "Member for 3 months without a break · 3-month badge",
    );

    // The bot restarts; the next step's timer is in the database and fires at six months.
    await h.restart();
    await h.discord.waitForReady();
    const at6 = lastSeq(h);
    moveTo(new Date(addMonths(since, 6).getTime() + MINUTE));
    h.app.wake();
    await waitForRoleCall(h, "PUT", fan.id, sixMonths.id, at6, 20_000);
    expect(hasRole(h, server, fan.id, threeMonths.id)).toBe(true);
    expect((await membership(fan)).embeds[0]?.description).toContain(
      "Member for 6 months without a break · 6-month badge",
    );
    // No message for a tenure role: the fan's only DM is the tier's welcome.
    await sleep(300);
    expect(dms(fan).filter((m) => !m.includes("Welcome to Gold!"))).toEqual([]);
    await h.logs.waitFor("access.granted", 5_000, (l) => l.target === `discord:${server.id}:${sixMonths.id}`);

    // The creator removes the 6-month step: holders lose it, the 3-month role stays.
    const off = lastSeq(h);
    await settings([opt.int("remove-tenure-months", 6)]);
    await waitForRoleCall(h, "DELETE", fan.id, sixMonths.id, off);
    expect(hasRole(h, server, fan.id, threeMonths.id)).toBe(true);
  });
});
