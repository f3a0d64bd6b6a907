import { randomUUID } from "node:crypto";
import type { Message, User } from "@grammyjs/types";
import { type APIUser, ApplicationCommandOptionType, InteractionType, Locale } from "discord-api-types/v10";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKOUT_REUSE_MARGIN_MS } from "../../../src/app/members/checkout.ts";
import { RATE_LIMITS } from "../../../src/app/rateLimits.ts";
import { addTierAccess } from "../../../src/app/tiers.ts";
import { member, role } from "../../standins/discord-payloads.ts";
import { supergroup, user as telegramUser } from "../../standins/telegram-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import {
  type Answer,
  addFan,
  addServer,
  command as discordCommand,
  hasRole,
  interact,
  join,
  joinAndPay,
  lastSeq,
  opt,
  type Server,
  sub,
  waitForRoleCall,
} from "../discord/helpers.ts";
import { type DualHarness, startHarness } from "../harness.ts";
import {
  botMessages,
  buttons,
  CREATOR,
  command,
  fanJoins,
  goldTierInChat,
  inviteLinkSent,
  nextBotMessage,
  tg,
  waitForStatus,
} from "../telegram/helpers.ts";

/**
 * ATTACK: one account hammering what costs the creator something. Every such action takes a token
 * from a bucket per account and action (src/app/rateLimits.ts), kept in the database:
 * - /join and the Telegram join button reuse the fan's open Checkout Session (one Stripe customer,
 *   one session), then are refused politely with the seconds to wait;
 * - /membership (portal links), /claim (Telegram invite links), /link (codes), idea proposals and
 *   upvotes are limited the same way, on both platforms;
 * - another fan at the same moment is not affected, the bucket refills with the clock, a restart
 *   does not refill it, and what the bot does on its own (a member rejoining a server) is never
 *   limited, so a paying fan loses nothing;
 * - idea lists and autocomplete read a bounded page from the database, even with 500 ideas.
 */

const MINUTE = 60_000;
const POLITE = /You're going a bit fast: try again in (\d+) seconds?\. Nothing was lost\./;

describe("per-account limits on what costs the creator", () => {
  let h: DualHarness;
  let server: Server;
  let goldRoleId: string;
  const chat = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      telegram: true,
      env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
    });
    await h.discord.waitForReady();
    await goldTierInChat(h, chat);
    server = await addServer(h);
    const goldRole = role({ name: "Gold", position: 1 });
    h.discord.addRole(server.id, goldRole);
    await addTierAccess(
      h.deps,
      "gold",
      { platform: "discord", guildId: server.id, roleId: goldRole.id },
      "Gold",
    );
    goldRoleId = goldRole.id;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const stripePosts = (path: string, mentions: string) =>
    h.stripe.calls.filter(
      (c) => c.method === "POST" && c.path === path && JSON.stringify(c.body).includes(mentions),
    );
  const discordJoin = (fan: APIUser, locale?: Locale) =>
    interact(
      h,
      discordCommand({ user: fan, guildId: server.id, ...(locale ? { locale } : {}) }, "join", [
        opt.str("tier", "gold"),
      ]),
    );
  const waitSaid = (text: string): number => Number(POLITE.exec(text)?.[1] ?? Number.NaN);
  const memberOf = async (platform: "discord" | "telegram", userId: string | number) =>
    (
      await h.deps.db.identity.findUniqueOrThrow({
        where: { platform_platformUserId: { platform, platformUserId: String(userId) } },
        include: { member: true },
      })
    ).member;

  it("Discord: a fan hammering /join gets one customer and one reused session, then a polite wait; another fan is not affected; the refill lets them back", async () => {
    const fan = addFan(h, server, "hammer");
    const other = addFan(h, server, "neighbour");
    const { capacity } = RATE_LIMITS.checkout;
    const first = await discordJoin(fan);
    expect(first.urls[0]).toMatch(/\/checkout\/cs_/);
    const callsAfterFirst = h.stripe.calls.length;
    const answers: Answer[] = [first];
    for (let i = 1; i < capacity; i++) answers.push(await discordJoin(fan));
    // The same page every time, and Stripe was not asked again.
    expect(new Set(answers.map((a) => a.urls[0]))).toEqual(new Set([first.urls[0]]));
    expect(h.stripe.calls.length).toBe(callsAfterFirst);
    expect(stripePosts("/v1/checkout/sessions", `discord:${fan.id}`)).toHaveLength(1);
    expect(stripePosts("/v1/customers", fan.id)).toHaveLength(1);
    expect(h.logs.events("checkout.reused").filter((l) => l.platform === "discord")).toHaveLength(
      capacity - 1,
    );

    const refused = await discordJoin(fan);
    expect(refused.content).toMatch(POLITE);
    expect(waitSaid(refused.content)).toBeGreaterThan(100);
    expect(waitSaid(refused.content)).toBeLessThanOrEqual(120);
    expect(refused.urls).toEqual([]);
    expect(refused.ephemeral).toBe(true);
    expect(refused.content).not.toMatch(/went wrong|Error|at .*\.ts/);
    expect(h.stripe.calls.length).toBe(callsAfterFirst);
    const logged = h.logs.events("ratelimit.refused").filter((l) => l.account === `discord:${fan.id}`);
    expect(logged).toEqual([
      expect.objectContaining({
        action: "checkout",
        account: `discord:${fan.id}`,
        retryAfterSeconds: waitSaid(refused.content),
      }),
    ]);
    // No Checkout URL in the log, ever.
    const sessionId = first.urls[0]!.split("/").pop()!;
    expect(h.logs.raw.filter((l) => l.includes(first.urls[0]!))).toEqual([]);
    expect(h.logs.raw.some((l) => l.includes(sessionId))).toBe(true);

    // A French fan hears it in French... and a neighbour at the same moment is served.
    const neighbour = await discordJoin(other, Locale.French);
    expect(neighbour.urls[0]).toMatch(/\/checkout\/cs_/);
    expect(neighbour.urls[0]).not.toBe(first.urls[0]);

    // Two minutes later one token is back: the same open page again.
    h.clock.advance(2 * MINUTE);
    const again = await discordJoin(fan);
    expect(again.urls).toEqual([first.urls[0]]);
    const refusedFr = await discordJoin(fan, Locale.French);
    expect(refusedFr.content).toMatch(
      /Vous allez un peu vite : réessayez dans \d+\ssecondes?\. Rien n'est perdu\./,
    );

    // Paying that one session works, and a paid session is never offered again.
    const seq = lastSeq(h);
    await pay(h, sessionId);
    await waitForRoleCall(h, "PUT", fan.id, goldRoleId, seq);
    expect(hasRole(h, server, fan.id, goldRoleId)).toBe(true);
    expect(
      (await h.deps.db.checkoutSession.findUniqueOrThrow({ where: { id: sessionId } })).completedAt,
    ).not.toBeNull();
    const member = await memberOf("discord", fan.id);
    expect(member.stripeCustomerId).toBe(h.stripe.get<Stripe.Checkout.Session>(sessionId)!.customer);
  });

  it("a new fan's double press makes one Stripe customer and one session", async () => {
    const fan = addFan(h, server, "double");
    const [a, b] = await Promise.all([discordJoin(fan), discordJoin(fan)]);
    expect(a.urls[0]).toMatch(/\/checkout\/cs_/);
    expect(b.urls[0]).toMatch(/\/checkout\/cs_/);
    const customers = new Set(
      stripePosts("/v1/customers", fan.id).map((c) => (c.response as { id: string }).id),
    );
    expect(customers.size).toBe(1);
    expect((await memberOf("discord", fan.id)).stripeCustomerId).toBe([...customers][0]);
    // Both presses got the same page: Stripe answered the second from the first (idempotency key).
    expect(b.urls[0]).toBe(a.urls[0]);
    const sessions = stripePosts("/v1/checkout/sessions", `discord:${fan.id}`).map(
      (c) => c.response as { id: string; customer: string },
    );
    expect(new Set(sessions.map((x) => x.id)).size).toBe(1);
    expect(new Set(sessions.map((x) => x.customer))).toEqual(customers);
    expect(await h.deps.db.checkoutSession.count({ where: { clientReferenceId: `discord:${fan.id}` } })).toBe(
      1,
    );
  });

  it("Telegram: the join button pressed again and again reuses one session, then answers politely (in French); the limit survives a restart", async () => {
    const fan: User = telegramUser({ first_name: "Presse", language_code: "fr" });
    tg(h).addUser(fan);
    const menu = await command(h, fan, "start", "gold");
    const press = async (): Promise<Message> => {
      const seen = botMessages(h, fan.id).length;
      tg(h).pushCallbackQuery({
        from: fan,
        data: (buttons(menu)[0] as { callback_data: string }).callback_data,
        message: menu,
      });
      return nextBotMessage(h, fan.id, seen);
    };
    const urls: string[] = [];
    for (let i = 0; i < RATE_LIMITS.checkout.capacity; i++) {
      const answer = await press();
      const url = (buttons(answer).find((b) => "url" in b) as { url: string } | undefined)?.url;
      expect(url, answer.text).toMatch(/\/checkout\/cs_/);
      urls.push(url!);
    }
    expect(new Set(urls).size).toBe(1);
    expect(stripePosts("/v1/checkout/sessions", `telegram:${fan.id}`)).toHaveLength(1);
    expect(stripePosts("/v1/customers", String(fan.id))).toHaveLength(1);
    const refused = await press();
    expect(refused.text).toMatch(
      /^Vous allez un peu vite : réessayez dans \d+\ssecondes?\. Rien n'est perdu\.$/,
    );
    expect(buttons(refused)).toEqual([]);

    // A restart does not refill the bucket: the count is in the database.
    await h.restart();
    await h.app.discord!.ready();
    await until(() => h.app.discord!.client.guilds.cache.has(server.id), "the bot to see the server again");
    const afterRestart = await press();
    expect(afterRestart.text).toMatch(/Vous allez un peu vite/);
    expect(stripePosts("/v1/checkout/sessions", `telegram:${fan.id}`)).toHaveLength(1);
    expect(h.logs.events("ratelimit.refused").filter((l) => l.account === `telegram:${fan.id}`)).toHaveLength(
      2,
    );
  });

  it("Discord /membership: portal links are limited, the state is still shown to a fan within the limit", async () => {
    const fan = addFan(h, server, "portal");
    const { sessionId } = await join(h, server, fan, "gold");
    await pay(h, sessionId);
    const customer = (await memberOf("discord", fan.id)).stripeCustomerId!;
    const portals = () => stripePosts("/v1/billing_portal/sessions", customer);
    const before = portals().length;
    for (let i = 0; i < RATE_LIMITS.portal.capacity; i++) {
      const answer = await interact(h, discordCommand({ user: fan, guildId: server.id }, "membership"));
      expect(answer.urls[0], answer.content).toMatch(/\/billing\/bps_/);
    }
    expect(portals().length - before).toBe(RATE_LIMITS.portal.capacity);
    const refused = await interact(h, discordCommand({ user: fan, guildId: server.id }, "membership"));
    expect(refused.content).toMatch(POLITE);
    expect(refused.urls).toEqual([]);
    expect(portals().length - before).toBe(RATE_LIMITS.portal.capacity);
    // The fan's access is untouched by the refusal.
    expect(hasRole(h, server, fan.id, goldRoleId)).toBe(true);
    expect(h.logs.events("ratelimit.refused")).toContainEqual(
      expect.objectContaining({ action: "portal", account: `discord:${fan.id}` }),
    );
  });

  it("Telegram /claim: no more invite links past the limit, the last link still lets the member in, and the refill gives /claim back", async () => {
    const fan: User = telegramUser({ first_name: "Claimer" });
    await fanJoins(h, fan, "gold", chat);
    tg(h).userLeaves(fan, chat.id);
    await h.logs.waitFor("telegram.member_left", 5_000, (l) => l.userId === fan.id);
    const linksFor = () =>
      tg(h)
        .callsOf("createChatInviteLink")
        .filter((c) => c.params.name === `member ${fan.id}`);
    const before = linksFor().length;
    let last = "";
    for (let i = 0; i < RATE_LIMITS.claim.capacity; i++) {
      const seen = botMessages(h, fan.id).length;
      expect((await command(h, fan, "claim")).text).toContain("your link to 1 chat is on the way.");
      last = await inviteLinkSent(h, fan, seen);
    }
    expect(linksFor().length - before).toBe(RATE_LIMITS.claim.capacity);
    const refused = await command(h, fan, "claim");
    expect(refused.text).toMatch(POLITE);
    // Nothing was queued: give the workers time to show it.
    await new Promise((r) => setTimeout(r, 500));
    expect(linksFor().length - before).toBe(RATE_LIMITS.claim.capacity);
    // Nothing the member is owed is lost: the newest link still lets them in.
    expect(tg(h).userJoinsViaLink(fan, last).outcome).toBe("requested");
    await waitForStatus(h, chat.id, fan.id, "member");

    // One token comes back every 200 s.
    h.clock.advance(RATE_LIMITS.claim.windowMs / RATE_LIMITS.claim.capacity);
    expect((await command(h, fan, "claim")).text).not.toMatch(POLITE);
  });

  it("Discord: /claim is limited, but the role given back when a member rejoins the server never is", async () => {
    const fan = addFan(h, server, "rejoiner");
    await joinAndPay(h, server, fan);
    await until(() => hasRole(h, server, fan.id, goldRoleId), "the role");
    for (let i = 0; i < RATE_LIMITS.claim.capacity; i++) {
      const answer = await interact(h, discordCommand({ user: fan, guildId: server.id }, "claim"));
      expect(answer.content).not.toMatch(POLITE);
    }
    const refused = await interact(h, discordCommand({ user: fan, guildId: server.id }, "claim"));
    expect(refused.content).toMatch(POLITE);
    for (let round = 0; round < 4; round++) {
      h.discord.removeMember(server.id, fan.id);
      const seq = lastSeq(h);
      h.discord.addMember(server.id, member({ user: fan }));
      await waitForRoleCall(h, "PUT", fan.id, goldRoleId, seq);
      expect(hasRole(h, server, fan.id, goldRoleId)).toBe(true);
    }
    expect(
      h.logs.events("discord.member.rejoined").filter((l) => l.userId === fan.id && l.owed === 1),
    ).toHaveLength(4);
  });

  it("link codes and ideas: limited per account, on both platforms; another member is not", async () => {
    // Link codes on Telegram.
    const linker: User = telegramUser({ first_name: "Linker" });
    tg(h).addUser(linker);
    for (let i = 0; i < RATE_LIMITS.link_code.capacity; i++)
      expect((await command(h, linker, "link")).text).toMatch(/[A-Z0-9]{4}-[A-Z0-9]{4}/);
    expect((await command(h, linker, "link")).text).toMatch(POLITE);
    expect(
      await h.deps.db.linkCode.count({
        where: { member: { identities: { some: { platformUserId: String(linker.id) } } } },
      }),
    ).toBe(RATE_LIMITS.link_code.capacity);

    // Ideas on Discord: two paying members.
    const a = addFan(h, server, "ideas-a");
    const b = addFan(h, server, "ideas-b");
    for (const f of [a, b]) await joinAndPay(h, server, f);
    const propose = (f: typeof a, title: string) =>
      interact(
        h,
        discordCommand({ user: f, guildId: server.id }, "idea", sub(["propose"], [opt.str("title", title)])),
      );
    for (let i = 0; i < RATE_LIMITS.idea.capacity; i++)
      expect((await propose(a, `Spam idea number ${i}`)).content).not.toMatch(POLITE);
    const refused = await propose(a, "One too many");
    expect(refused.content).toMatch(POLITE);
    expect(waitSaid(refused.content)).toBeGreaterThan(11 * 60);
    expect(await h.deps.db.idea.count({ where: { title: "One too many" } })).toBe(0);
    expect((await propose(b, "A calm idea")).content).not.toMatch(POLITE);

    // Upvotes: the bucket counts every press, even a repeated one.
    const idea = await h.deps.db.idea.findFirstOrThrow({ where: { title: "A calm idea" } });
    const upvote = () =>
      interact(
        h,
        discordCommand({ user: a, guildId: server.id }, "idea", sub(["upvote"], [opt.str("idea", idea.id)])),
      );
    expect((await upvote()).content).toContain("1 upvote now.");
    for (let i = 1; i < RATE_LIMITS.upvote.capacity; i++)
      expect((await upvote()).content).toContain("already upvoted");
    expect((await upvote()).content).toMatch(POLITE);
    expect((await h.deps.db.idea.findUniqueOrThrow({ where: { id: idea.id } })).voteCount).toBe(1);
    // Telegram's upvote button for the other member at the same moment.
    const tgMember: User = telegramUser({ first_name: "Voter" });
    await fanJoins(h, tgMember, "gold", chat);
    const list = await command(h, tgMember, "ideas");
    const button = buttons(list).find((x) => "callback_data" in x && x.text.includes("A calm idea")) as {
      callback_data: string;
    };
    const update = tg(h).pushCallbackQuery({ from: tgMember, data: button.callback_data, message: list });
    const queryId = String(update.callback_query?.id);
    await until(() => tg(h).callbackAnswers.has(queryId), "the upvote answer");
    expect(tg(h).callbackAnswers.get(queryId)?.text).toBe("Upvoted: 2 upvotes.");
    expect((await h.deps.db.idea.findUniqueOrThrow({ where: { id: idea.id } })).voteCount).toBe(2);
  });

  it("500 ideas: /idea top, Telegram /ideas and the autocomplete read the top page, and typed text finds an old one", async () => {
    const author = await memberOf(
      "discord",
      (await h.deps.db.identity.findFirstOrThrow({ where: { platform: "discord" } })).platformUserId,
    );
    const t0 = Date.now() - 10 * 24 * 60 * MINUTE;
    await h.deps.db.idea.createMany({
      data: Array.from({ length: 500 }, (_, i) => ({
        id: randomUUID(),
        title: `Bulk idea ${String(i).padStart(3, "0")}`,
        authorMemberId: author.id,
        // Idea 0 has the most upvotes; a few share a count, and then the oldest comes first.
        voteCount: 1000 - Math.floor(i / 2),
        createdAt: new Date(t0 + i * 1000),
      })),
    });
    await h.deps.db.idea.updateMany({
      where: { title: "Bulk idea 499" },
      data: { title: "Zebra crossing special" },
    });
    const top = await interact(
      h,
      discordCommand({ user: server.owner, guildId: server.id }, "idea", sub(["top"])),
    );
    const lines = top.content.split("\n").slice(1);
    expect(lines).toHaveLength(10);
    expect(lines.map((l) => /Bulk idea (\d{3})/.exec(l)?.[1])).toEqual([
      "000",
      "001",
      "002",
      "003",
      "004",
      "005",
      "006",
      "007",
      "008",
      "009",
    ]);
    expect(lines[0]).toContain("1,000 upvotes");

    const tgList = await command(h, CREATOR, "ideas");
    // One row per idea: its upvote button and its take-back button.
    expect(tgList.reply_markup?.inline_keyboard).toHaveLength(10);
    expect(buttons(tgList)).toHaveLength(20);
    expect(tgList.text).toContain("Bulk idea 000");
    expect(tgList.text).not.toContain("Bulk idea 010");

    const complete = async (value: string) => {
      const payload = discordCommand(
        { user: server.owner, guildId: server.id },
        "idea",
        sub(
          ["upvote"],
          [{ type: ApplicationCommandOptionType.String, name: "idea", value, focused: true } as never],
        ),
      );
      const record = h.discord.interaction({
        ...payload,
        type: InteractionType.ApplicationCommandAutocomplete,
      } as never);
      await until(() => record.response !== undefined, "the autocomplete answer");
      return (record.response as { data: { choices: { name: string; value: string }[] } }).data.choices;
    };
    const all = await complete("");
    expect(all).toHaveLength(25);
    expect(all[0]!.name).toBe("Bulk idea 000 (1000)");
    // The least upvoted idea, far below the first page, is found by what is typed.
    const zebra = await h.deps.db.idea.findFirstOrThrow({ where: { title: "Zebra crossing special" } });
    expect(await complete("zebra")).toEqual([{ name: "Zebra crossing special (751)", value: zebra.id }]);
    expect(await complete(zebra.id.slice(0, 8))).toEqual([
      { name: "Zebra crossing special (751)", value: zebra.id },
    ]);
  });

  it("an open session close to its expiry is not reused: the fan gets a fresh one", async () => {
    const fan = addFan(h, server, "late");
    const first = await discordJoin(fan);
    // Stripe closes a session 24 hours after it opened; with less than the margin left, a new one.
    h.clock.advance(24 * 60 * MINUTE - CHECKOUT_REUSE_MARGIN_MS + MINUTE);
    const second = await discordJoin(fan);
    expect(second.urls[0]).toMatch(/\/checkout\/cs_/);
    expect(second.urls[0]).not.toBe(first.urls[0]);
    expect(stripePosts("/v1/checkout/sessions", `discord:${fan.id}`)).toHaveLength(2);
    // Still one customer.
    expect(stripePosts("/v1/customers", fan.id)).toHaveLength(1);
  });
});
