import {
  type APIRole,
  type APIUser,
  ApplicationCommandOptionType,
  InteractionType,
  PermissionFlagsBits,
} from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSettings } from "../../../src/app/settings.ts";
import { buttonClick, guild, member, permissions, role, user } from "../../standins/discord-payloads.ts";
import { until } from "../../support/helpers.ts";
import {
  addFan,
  addServer,
  CREATOR_PERMISSIONS,
  command,
  creator,
  hasRole,
  homeServerWithTier,
  interact,
  joinAndPay,
  opt,
  roleCalls,
  type Server,
  sub,
  waitForRoleCall,
} from "../discord/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";

const NOT_HOME = "This bot works only in its creator's own server";

/** The refusal was logged with this code for this interaction. */
function refusedWith(h: DiscordHarness, interactionId: string): string | undefined {
  const line = h.logs.lines.find(
    (l) => l.interactionId === interactionId && l.event === "discord.interaction.refused",
  );
  return line?.code as string | undefined;
}

/** The choices the bot answered to an autocomplete interaction. */
async function autocomplete(
  h: DiscordHarness,
  who: { user: APIUser; guildId: string; permissions?: string; roles?: string[] },
  name: string,
  options: never[],
): Promise<{ name: string; value: string }[]> {
  const payload = command(who, name, options);
  const record = h.discord.interaction({
    ...payload,
    type: InteractionType.ApplicationCommandAutocomplete,
  } as never);
  await until(() => record.response !== undefined, "the autocomplete answer");
  return (record.response as { data: { choices: { name: string; value: string }[] } }).data.choices;
}

const focused = (name: string, value: string) =>
  ({ type: ApplicationCommandOptionType.String, name, value, focused: true }) as never;

/**
 * The attack from a second server: anyone can invite a public bot to their own server and, before
 * this fix, hold Manage Server there and so run the creator's shop. Here the bot stays in the
 * attacker's server (DISCORD_LEAVE_OTHER_SERVERS=false) so that every door can be tried: each is
 * refused, and the paying fan in the creator's server keeps everything.
 */
describe("security: another server cannot act as the creator (the bot stays, silent)", () => {
  let h: DiscordHarness;
  let home: Server;
  let attacker: Server;
  let mallory: APIUser;
  let fan: APIUser;
  let gold: { slug: string; roleId: string };

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      env: { DISCORD_LEAVE_OTHER_SERVERS: "false" },
    });
    ({ server: home, tier: gold } = await homeServerWithTier(h));
    fan = addFan(h, home, "payingfan");
    await joinAndPay(h, home, fan, gold.slug);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    mallory = user({ username: "mallory" });
    attacker = await addServer(h, { owner: mallory, home: false });
    await h.logs.waitFor("discord.home.foreign_ignored");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("/tribe is registered hidden from members without Manage Server", async () => {
    await h.logs.waitFor("discord.commands.registered");
    const tribe = h.discord.commands().find((c) => c.name === "tribe");
    expect(tribe?.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
  });

  it("every creator command from the attacker's server is refused and changes nothing", async () => {
    const stripeCalls = h.stripe.calls.length;
    const settingsBefore = await getSettings(h.deps.db);
    const polls = await h.deps.db.poll.count();
    const attempts = [
      sub(["stats"]),
      sub(["tier", "list"]),
      sub(["member", "revoke"], [opt.user("user", fan), opt.str("reason", "lol")]),
      sub(["tier", "edit"], [opt.str("tier", gold.slug), opt.str("price", "0.5")]),
      sub(["tier", "archive"], [opt.str("tier", gold.slug)]),
      sub(["settings"], [opt.role("add-manager-role", attacker.highRole), opt.int("grace-days", 0)]),
      sub(
        ["poll", "open"],
        [opt.str("question", "Free stuff?"), opt.str("options", "yes, no"), opt.str("duration", "1d")],
      ),
      sub(["reconcile"]),
      sub(["jobs", "list"]),
      sub(["cycle", "set"], [opt.int("day", 3), opt.int("top", 2)]),
      sub(["cycle", "off"]),
    ];
    for (const options of attempts) {
      const answer = await interact(
        h,
        creator(attacker, options, { users: [fan], roles: [attacker.highRole] }),
      );
      expect(answer.content).toContain(NOT_HOME);
      expect(answer.ephemeral).toBe(true);
      expect(refusedWith(h, answer.interactionId)).toBe("discord_not_home");
    }
    // Nothing reached Stripe, the settings, the polls, or the fan's role.
    expect(h.stripe.calls.length).toBe(stripeCalls);
    expect(await getSettings(h.deps.db)).toEqual(settingsBefore);
    expect(await h.deps.db.poll.count()).toBe(polls);
    expect(roleCalls(h, "DELETE", fan.id)).toHaveLength(0);
    expect(hasRole(h, home, fan.id, gold.roleId)).toBe(true);
    const member = await h.deps.db.member.findFirstOrThrow({
      where: { identities: { some: { platformUserId: fan.id } } },
    });
    expect(member.suspendedAt).toBeNull();
    const tier = await h.deps.db.tier.findUniqueOrThrow({ where: { slug: gold.slug } });
    expect(tier.archivedAt).toBeNull();
  });

  it("the attacker cannot bind their server with /tribe setup: only the application's owner can", async () => {
    const answer = await interact(h, creator(attacker, sub(["setup"])));
    expect(answer.content).toContain("Only the owner of the bot's Discord application");
    expect(refusedWith(h, answer.interactionId)).toBe("discord_setup_owner_only");
    expect((await getSettings(h.deps.db)).discordHomeGuildIds).toEqual([home.id]);
    await h.logs.waitFor("discord.home.claim_refused");
  });

  it("fan commands there are refused too: no checkout sells the creator's tiers to strangers", async () => {
    const stranger = addFan(h, attacker, "stranger");
    const checkouts = () => h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length;
    const before = checkouts();
    for (const [name, options] of [
      ["join", [opt.str("tier", gold.slug)]],
      ["membership", []],
      ["claim", []],
    ] as const) {
      const answer = await interact(h, command({ user: stranger, guildId: attacker.id }, name, [...options]));
      expect(answer.content).toContain(NOT_HOME);
    }
    expect(checkouts()).toBe(before);
  });

  it("forged buttons and autocomplete from there are refused or answered with nothing", async () => {
    const click = await interact(
      h,
      buttonClick({
        customId: "reconcile:apply",
        user: mallory,
        guildId: attacker.id,
        permissions: CREATOR_PERMISSIONS,
      }),
    );
    expect(click.content).toContain(NOT_HOME);
    expect(
      await autocomplete(h, { user: mallory, guildId: attacker.id }, "join", [focused("tier", "")]),
    ).toEqual([]);
    expect(
      await autocomplete(
        h,
        { user: mallory, guildId: attacker.id, permissions: CREATOR_PERMISSIONS },
        "tribe",
        sub(["tier", "edit"], [focused("tier", "")]) as never[],
      ),
    ).toEqual([]);
    // In the home server a fan completes /join's tiers, but not the creator's /tribe options.
    expect(await autocomplete(h, { user: fan, guildId: home.id }, "join", [focused("tier", "")])).toEqual([
      { name: "Gold", value: gold.slug },
    ]);
    expect(
      await autocomplete(
        h,
        { user: fan, guildId: home.id },
        "tribe",
        sub(["tier", "edit"], [focused("tier", "")]) as never[],
      ),
    ).toEqual([]);
  });

  it("the creator's own server still works", async () => {
    const answer = await interact(h, creator(home, sub(["tier", "list"])));
    expect(answer.embeds[0]?.title).toBe("Tiers");
  });
});

/** A manager may run the shop, not take the server: tier roles never carry power, nor roles above them. */
describe("security: a manager cannot give itself power through a tier", () => {
  let h: DiscordHarness;
  let server: Server;
  let helpers: APIRole;
  let manager: APIUser;
  let gold: { slug: string; roleId: string };

  const asManager = (options: ReturnType<typeof sub>, roles: APIRole[] = []) =>
    command({ user: manager, guildId: server.id, roles: [helpers.id] }, "tribe", options, { roles });
  const addRole = async (r: APIRole) => {
    h.discord.addRole(server.id, r);
    await until(() => h.app.discord!.client.guilds.cache.get(server.id)!.roles.cache.has(r.id), "the role");
  };

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true });
    ({ server, tier: gold } = await homeServerWithTier(h));
    helpers = role({ name: "Helpers", position: 2 });
    await addRole(helpers);
    manager = addFan(h, server, "manager");
    h.discord.setMemberRoles(server.id, manager.id, [helpers.id]);
    const set = await interact(
      h,
      creator(server, sub(["settings"], [opt.role("add-manager-role", helpers)]), { roles: [helpers] }),
    );
    expect(set.content).toContain("Saved");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a manager may not add or remove manager roles: Manage Server holders only", async () => {
    const other = role({ name: "Friends", position: 1 });
    await addRole(other);
    for (const name of ["add-manager-role", "remove-manager-role"]) {
      const answer = await interact(
        h,
        asManager(sub(["settings"], [opt.role(name, name.startsWith("add") ? other : helpers)]), [
          other,
          helpers,
        ]),
      );
      expect(answer.content).toContain(
        "Only members with the Manage Server permission can change the manager roles",
      );
    }
    expect((await getSettings(h.deps.db)).discordManagerRoleIds).toEqual([helpers.id]);
    // Their other powers stay.
    const list = await interact(h, asManager(sub(["tier", "list"])));
    expect(list.embeds[0]?.title).toBe("Tiers");
  });

  it("a role with Administrator (or any moderation power) is never a tier role, whoever asks", async () => {
    const admin = role({
      name: "Admins",
      position: 1,
      permissions: permissions(PermissionFlagsBits.Administrator),
    });
    const mods = role({
      name: "Mods",
      position: 1,
      permissions: permissions(PermissionFlagsBits.BanMembers, PermissionFlagsBits.ManageMessages),
    });
    await addRole(admin);
    await addRole(mods);
    const products = () => h.stripe.calls.filter((c) => c.path === "/v1/products").length;
    const before = products();
    const mapped = async () =>
      (await h.deps.db.tierAccess.findMany({ where: { roleId: { in: [admin.id, mods.id] } } })).length;
    const byManager = await interact(
      h,
      asManager(sub(["tier", "add-role"], [opt.str("tier", gold.slug), opt.role("role", admin)]), [admin]),
    );
    expect(byManager.content).toContain("carries Administrator");
    const byOwner = await interact(
      h,
      creator(server, sub(["tier", "add-role"], [opt.str("tier", gold.slug), opt.role("role", mods)]), {
        roles: [mods],
      }),
    );
    expect(byOwner.content).toContain("carries Manage Messages and Ban Members:");
    const created = await interact(
      h,
      creator(
        server,
        sub(
          ["tier", "create"],
          [
            opt.str("name", "Backdoor"),
            opt.str("price", "1"),
            opt.str("currency", "eur"),
            opt.role("role", admin),
          ],
        ),
        { roles: [admin] },
      ),
    );
    expect(created.content).toContain("carries Administrator");
    expect(products()).toBe(before);
    expect(await mapped()).toBe(0);
    expect(await h.deps.db.tier.count({ where: { name: "Backdoor" } })).toBe(0);
  });

  it("a manager may not hand out a role at or above their own highest role; the owner may", async () => {
    const elite = role({ name: "Elite", position: 4 });
    await addRole(elite);
    const refused = await interact(
      h,
      asManager(sub(["tier", "add-role"], [opt.str("tier", gold.slug), opt.role("role", elite)]), [elite]),
    );
    expect(refused.content).toContain("sits at or above your own highest role");
    expect(await h.deps.db.tierAccess.count({ where: { roleId: elite.id } })).toBe(0);
    const accepted = await interact(
      h,
      creator(server, sub(["tier", "add-role"], [opt.str("tier", gold.slug), opt.role("role", elite)]), {
        roles: [elite],
      }),
    );
    expect(accepted.content).not.toContain("Nothing changed");
    expect(await h.deps.db.tierAccess.count({ where: { roleId: elite.id } })).toBe(1);
    // A plain role below the manager's is theirs to map.
    const below = role({ name: "Supporters", position: 1 });
    await addRole(below);
    const ok = await interact(
      h,
      asManager(sub(["tier", "add-role"], [opt.str("tier", gold.slug), opt.role("role", below)]), [below]),
    );
    expect(await h.deps.db.tierAccess.count({ where: { roleId: below.id } })).toBe(1);
    expect(ok.content).not.toContain("Nothing changed");
  });
});

/** Without DISCORD_GUILD_IDS: the application's owner binds servers; others are left at once. */
describe("security: home servers bound by the application's owner", () => {
  let h: DiscordHarness;
  const alice = user({ username: "alice" });
  const bob = user({ username: "bob" });

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      // A team owns the application: each member counts as its owner.
      discordOptions: { applicationOwner: alice, teamMembers: [alice, bob], botPublic: true },
    });
    await h.discord.waitForReady();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("the start-up log says how to invite the bot when it has no home server", async () => {
    const line = await h.logs.waitFor("discord.home.none");
    expect(String(line.inviteUrl)).toMatch(
      /^https:\/\/discord\.com\/oauth2\/authorize\?client_id=\d+&scope=bot\+applications\.commands&permissions=\d+$/,
    );
  });

  it("a server invited by someone else is left at once, with a log line", async () => {
    const eve = user({ username: "eve" });
    const g = guild({ ownerId: eve.id, members: [member({ user: eve })] });
    h.discord.addGuild(g);
    await until(() => h.discord.left.includes(g.id), "the bot to leave the server");
    const line = await h.logs.waitFor("discord.home.left");
    expect(line.guildId).toBe(g.id);
    expect(h.app.discord!.client.guilds.cache.has(g.id)).toBe(false);
  });

  it("a server of the owner waits for /tribe setup; a team member binds it; Public Bot is warned about", async () => {
    const server = await addServer(h, { home: false, owner: alice });
    const line = await h.logs.waitFor("discord.home.awaiting_setup");
    expect(line.guildId).toBe(server.id);
    expect(h.discord.left).not.toContain(server.id);
    // Before binding: a fan there is refused, and so is a Manage Server holder who is not an owner.
    const fan = addFan(h, server, "early");
    expect((await interact(h, command({ user: fan, guildId: server.id }, "join"))).content).toContain(
      NOT_HOME,
    );
    const admin = addFan(h, server, "admin");
    const notOwner = await interact(
      h,
      command({ user: admin, guildId: server.id, permissions: CREATOR_PERMISSIONS }, "tribe", sub(["setup"])),
    );
    expect(notOwner.content).toContain("Only the owner of the bot's Discord application");
    // Bob, a member of the team that owns the application, binds it.
    h.discord.addMember(server.id, member({ user: bob }));
    const bound = await interact(
      h,
      command({ user: bob, guildId: server.id, permissions: CREATOR_PERMISSIONS }, "tribe", sub(["setup"])),
    );
    expect(bound.content).toContain("is now the bot's home server");
    expect(bound.content).toContain("Public Bot");
    expect((await getSettings(h.deps.db)).discordHomeGuildIds).toEqual([server.id]);
    // The binding outlives a restart.
    await h.restart();
    await h.app.discord!.ready();
    const list = await interact(
      h,
      command(
        { user: alice, guildId: server.id, permissions: CREATOR_PERMISSIONS },
        "tribe",
        sub(["tier", "list"]),
      ),
    );
    expect(list.content).not.toContain(NOT_HOME);
  });
});

/** With DISCORD_GUILD_IDS: exactly those servers; even the owner's other servers are left. */
describe("security: DISCORD_GUILD_IDS fixes the home servers", () => {
  let h: DiscordHarness;
  const owner = user({ username: "creator" });
  const homeGuild = guild({ ownerId: owner.id, members: [member({ user: owner })] });

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      discordOptions: { applicationOwner: owner },
      env: { DISCORD_GUILD_IDS: homeGuild.id },
    });
    await h.discord.waitForReady();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("serves the listed server and leaves another one, even the owner's", async () => {
    h.discord.addGuild(homeGuild);
    const other = guild({ ownerId: owner.id, members: [member({ user: owner })] });
    h.discord.addGuild(other);
    await until(() => h.discord.left.includes(other.id), "the bot to leave the unlisted server");
    expect(h.discord.left).not.toContain(homeGuild.id);
    await until(() => h.app.discord!.client.guilds.cache.has(homeGuild.id), "the home server");
    const setup = await interact(
      h,
      command(
        { user: owner, guildId: homeGuild.id, permissions: CREATOR_PERMISSIONS },
        "tribe",
        sub(["setup"]),
      ),
    );
    expect(setup.content).toContain("All set");
    expect(setup.content).not.toContain("Public Bot");
    expect((await getSettings(h.deps.db)).discordHomeGuildIds).toEqual([]);
  });
});
