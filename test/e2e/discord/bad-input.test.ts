import { Locale } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkCode, LINK_CODE_TTL_MS } from "../../../src/app/members/linking.ts";
import { pay } from "../../support/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";
import {
  addFan,
  addServer,
  command,
  createTierViaDiscord,
  creator,
  interact,
  join,
  opt,
  type Server,
  sub,
  waitForRoleCall,
} from "./helpers.ts";

/** Each mistake gets a clear private answer in the user's language, and changes nothing. */
describe("Discord: bad input", () => {
  let h: DiscordHarness;
  let server: Server;
  let gold: { slug: string; roleId: string };

  const counts = async () => ({
    tiers: await h.deps.db.tier.count(),
    products: h.stripe.calls.filter((c) => c.method === "POST" && c.path === "/v1/products").length,
    roles: h.discord.guild(server.id)!.roles.length,
  });

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    gold = await createTierViaDiscord(h, server, { name: "Gold" });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("unknown tier: says so, in English or French, and starts no checkout", async () => {
    const fan = addFan(h, server);
    const checkouts = h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length;
    const en = await interact(
      h,
      command({ user: fan, guildId: server.id }, "join", [opt.str("tier", "platinum")]),
    );
    expect(en.content).toBe("There is no tier “platinum”. See the list of tiers.");
    expect(en.ephemeral).toBe(true);
    const fr = await interact(
      h,
      command({ user: fan, guildId: server.id, locale: Locale.French }, "join", [
        opt.str("tier", "platinum"),
      ]),
    );
    expect(fr.content).toContain("Il n'y a pas de palier « platinum »");
    expect(h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length).toBe(checkouts);
  });

  it("a role above the bot's: refused before Stripe is called, with what to fix", async () => {
    const before = await counts();
    const answer = await interact(
      h,
      creator(
        server,
        sub(
          ["tier", "create"],
          [
            opt.str("name", "Mods tier"),
            opt.str("price", "5"),
            opt.str("currency", "eur"),
            opt.role("role", server.highRole),
          ],
        ),
        { roles: [server.highRole] },
      ),
    );
    expect(answer.content).toContain(`drag the “tribegate” role above <@&${server.highRole.id}>`);
    expect(answer.content).toContain("Nothing changed");
    expect(await counts()).toEqual(before);
  });

  it("a currency Stripe rejects: Stripe's reason, no tier, no role", async () => {
    const before = await counts();
    const answer = await interact(
      h,
      creator(
        server,
        sub(["tier", "create"], [opt.str("name", "Odd"), opt.str("price", "5"), opt.str("currency", "xyz")]),
      ),
    );
    expect(answer.content).toMatch(/^Stripe refused: .*xyz/);
    expect(await counts()).toMatchObject({ tiers: before.tiers, roles: before.roles });
  });

  it("a price that is not a price", async () => {
    const answer = await interact(
      h,
      creator(
        server,
        sub(
          ["tier", "create"],
          [opt.str("name", "Odd"), opt.str("price", "free"), opt.str("currency", "eur")],
        ),
      ),
    );
    expect(answer.content).toContain("The price must be a positive amount");
  });

  it("creator commands in a DM, and from someone without Manage Server, are refused", async () => {
    const fan = addFan(h, server);
    const dm = await interact(h, command({ user: server.owner }, "tribe", sub(["stats"])));
    expect(dm.content).toContain("works in a server only");
    const notManager = await interact(h, command({ user: fan, guildId: server.id }, "tribe", sub(["stats"])));
    expect(notManager.content).toContain("Only members with the Manage Server permission");
    const fr = await interact(
      h,
      command({ user: fan, guildId: server.id, locale: Locale.French }, "tribe", sub(["tier", "list"])),
    );
    expect(fr.content).toContain("Seuls les membres ayant la permission Gérer le serveur");
  });

  it("a manager role from the settings may use the creator commands", async () => {
    const fan = addFan(h, server);
    const staff = server.highRole;
    await interact(
      h,
      creator(server, sub(["settings"], [opt.role("add-manager-role", staff)]), { roles: [staff] }),
    );
    h.discord.setMemberRoles(server.id, fan.id, [staff.id]);
    const answer = await interact(
      h,
      command({ user: fan, guildId: server.id, roles: [staff.id] }, "tribe", sub(["tier", "list"])),
    );
    expect(answer.embeds[0]?.title).toBe("Tiers");
  });

  it("a fan already paying who runs join again gets the portal, not a second checkout", async () => {
    const fan = addFan(h, server);
    const { sessionId } = await join(h, server, fan, gold.slug);
    await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, gold.roleId);
    const checkouts = h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length;
    const again = await interact(
      h,
      command({ user: fan, guildId: server.id }, "join", [opt.str("tier", gold.slug)]),
    );
    expect(again.content).toContain("You already have **Gold**: there is nothing more to pay");
    expect(again.urls).toHaveLength(1);
    expect(h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length).toBe(checkouts);
  });

  it("link codes: wrong, made on the same platform, used, expired", async () => {
    const [a, b, c] = [addFan(h, server), addFan(h, server), addFan(h, server)];
    const say = (who: typeof a, code: string) =>
      interact(h, command({ user: who, guildId: server.id }, "link", [opt.str("code", code)])).then(
        (x) => x.content,
      );
    expect(await say(a, "nonsense")).toContain("This code is not valid");
    expect(await say(a, "ABCD-EFGH")).toContain("This code is not valid");

    const own = await interact(h, command({ user: a, guildId: server.id }, "link"));
    const ownCode = /\*\*([A-Z0-9]{4}-[A-Z0-9]{4})\*\*/.exec(own.content)?.[1];
    expect(ownCode).toBeDefined();
    expect(await say(b, ownCode!)).toContain("made on Discord");

    const fromTelegram = await createLinkCode(h.deps, { platform: "telegram", userId: "777001" });
    expect(await say(a, fromTelegram.code)).toContain("now linked");
    expect(await say(b, fromTelegram.code)).toContain("already used");

    const late = await createLinkCode(h.deps, { platform: "telegram", userId: "777002" });
    h.clock.advance(LINK_CODE_TTL_MS + 1_000);
    expect(await say(c, late.code)).toContain("expired");
  });

  it("an unexpected failure: a generic private apology with a reference, and a log line with the same id", async () => {
    h.discord.failNext(
      { method: "GET", path: /\/guilds\/\d+\/members\/\d+$/ },
      { kind: "status", status: 400, body: { message: "boom", code: 0 } },
    );
    h.discord.failNext(
      { method: "GET", path: /\/guilds\/\d+\/roles$/ },
      { kind: "status", status: 400, body: { message: "boom", code: 0 } },
    );
    const answer = await interact(h, creator(server, sub(["setup"])));
    expect(answer.content).toContain(`(ref: ${answer.interactionId})`);
    expect(
      h.logs.events("discord.interaction.failed").some((l) => l.interactionId === answer.interactionId),
    ).toBe(true);
    h.discord.clearFaults();
  });
});
