import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { PermissionFlagsBits } from "discord-api-types/v10";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberForIdentity } from "../../../src/app/members/identity.ts";
import { archiveTier, createTier } from "../../../src/app/tiers.ts";
import { member, user } from "../../standins/discord-payloads.ts";
import { supergroup, user as tgUser } from "../../standins/telegram-payloads.ts";
import {
  DESKTOP,
  launchBrowser,
  newVisitor,
  PHONE,
  screenshot,
  seriousViolations,
} from "../../support/browser.ts";
import { until } from "../../support/helpers.ts";
import { addServer, createTierViaDiscord, type Server } from "../discord/helpers.ts";
import { type DualHarness, startHarness } from "../harness.ts";
import {
  bindNewChat,
  CREATOR,
  command,
  inviteLinkSent,
  startCheckoutFromTelegram,
  tg,
} from "../telegram/helpers.ts";

/**
 * A fan arrives on the tribe's page from anywhere, in a real browser: picks a tier, signs in with
 * Discord on the stand-in's OAuth2 pages, pays on the Stripe stand-in's page, and is added to the
 * server with the tier's role in one call; or goes through the Telegram bot; and every refusal
 * (replayed or forged state, cancelled sign-in, archived tier, an account of another membership)
 * is a clear page. Accessibility is checked, and screenshots written, on the way.
 */
/** A free port for the bot, so PUBLIC_BASE_URL is where the browser really reaches it (redirects included). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

describe("joining from the page, in a browser (PGlite)", () => {
  let h: DualHarness;
  let browser: Browser;
  let server: Server;
  let gold: { slug: string; roleId: string };
  let PUBLIC = "";
  /** The fan of the first test, a paying member afterwards. */
  let paidFan: ReturnType<typeof user> | undefined;

  async function visitor(opts: { viewport?: typeof PHONE; locale?: "en-US" | "fr-FR" } = {}) {
    const v = await newVisitor(browser, opts);
    // The picture host and t.me are outside: answered here, so the browser never leaves the machine.
    await v.context.route("https://t.me/**", (r) =>
      r.fulfill({ contentType: "text/html", body: "<title>Telegram</title>" }),
    );
    return v;
  }

  /** Clicks the first link or button whose text matches, and waits for the navigation it starts. */
  async function follow(page: Page, name: string | RegExp): Promise<void> {
    await Promise.all([
      page.waitForEvent("framenavigated"),
      page.getByRole("link", { name }).first().click(),
    ]);
    await page.waitForLoadState();
  }

  async function press(page: Page, name: string): Promise<void> {
    await Promise.all([page.waitForEvent("framenavigated"), page.getByRole("button", { name }).click()]);
    await page.waitForLoadState();
  }

  beforeAll(async () => {
    const port = await freePort();
    PUBLIC = `http://127.0.0.1:${port}`;
    h = await startHarness({
      backend: "pglite",
      discord: true,
      telegram: true,
      env: {
        DISCORD_CLIENT_SECRET: "discord-test-client-secret-0123456789",
        TELEGRAM_CREATOR_IDS: String(CREATOR.id),
        PORT: String(port),
        PUBLIC_BASE_URL: PUBLIC,
      },
    });
    h.discord.redirectUris = [`${PUBLIC}/join/discord/callback`];
    await h.discord.waitForReady();
    server = await addServer(h, {
      botPermissions: [
        PermissionFlagsBits.ManageRoles,
        PermissionFlagsBits.ManageChannels,
        PermissionFlagsBits.ViewChannel,
        PermissionFlagsBits.SendMessages,
        PermissionFlagsBits.CreateInstantInvite,
      ],
    });
    gold = await createTierViaDiscord(h, server, { name: "Gold" });
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
    await bindNewChat(h, gold.slug, supergroup({ title: "Gold lounge" }));
    await createTier(h.deps, { name: "Old", slug: "old", amount: 100, currency: "eur", interval: "month" });
    await archiveTier(h.deps, "old");
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it("Discord: a fan who was never in the server signs in, pays, and is added with the role in one call", async () => {
    const fan = user({ username: "newfan" });
    paidFan = fan;
    h.discord.browserUser = fan;
    const { context, page } = await visitor({ viewport: PHONE, locale: "fr-FR" });
    await page.goto(`${PUBLIC}/`);
    expect(await page.getAttribute("html", "lang")).toBe("fr");
    await follow(page, "Rejoindre avec Discord");
    expect(page.url()).toContain(`${h.discord.apiUrl.replace(/\/api$/, "")}/oauth2/authorize?`);
    const asked = new URL(page.url());
    expect(asked.searchParams.get("scope")).toBe("identify guilds.join");
    expect(asked.searchParams.get("redirect_uri")).toBe(`${PUBLIC}/join/discord/callback`);
    const cookie = (await context.cookies(PUBLIC)).find((c) => c.name === "tribegate_visit");
    // Secure too when PUBLIC_BASE_URL is https (test/unit/adapters/http/discordJoin.test.ts).
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(await page.textContent("#who")).toBe("newfan");
    await press(page, "Authorize");
    // Off to Stripe's page, with the fan's Discord identity on the session.
    expect(page.url()).toMatch(/\/checkout\/cs_/);
    const sessionId = page.url().split("/").pop()!;
    const session = await h.stripeClient.checkout.sessions.retrieve(sessionId);
    expect(session.client_reference_id).toBe(`discord:${fan.id}`);
    expect(session.locale).toBe("fr");
    await press(page, "Pay");
    expect(page.url()).toBe(`${PUBLIC}/checkout/success?session_id=${sessionId}`);
    expect(await page.textContent("h1")).toBe("Merci !");
    expect(await page.getAttribute("a.btn.discord", "href")).toBe(
      `https://discord.com/channels/${server.id}`,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "join-discord-success-phone-fr");

    const delivered = await h.deliverAll();
    expect(delivered.filter((d) => d.status !== 200)).toEqual([]);
    const put = await h.discord.waitForCall(
      (c) => c.method === "PUT" && c.path === `/guilds/${server.id}/members/${fan.id}`,
    );
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ roles: [gold.roleId] });
    expect(h.discord.member(server.id, fan.id)?.roles).toEqual([gold.roleId]);
    // The token is gone once used, and was never written to a log line.
    await until(async () => (await h.deps.db.discordJoinToken.count()) === 0, "the join token to be dropped");
    const token = (put.body as { access_token: string }).access_token;
    expect(h.logs.raw.some((l) => l.includes(token))).toBe(false);
    await context.close();
  });

  it("Discord: a fan already in the server just gets the role", async () => {
    const fan = user({ username: "regular" });
    h.discord.addMember(server.id, member({ user: fan }));
    h.discord.browserUser = fan;
    const { context, page } = await visitor({ viewport: DESKTOP as unknown as typeof PHONE });
    await page.goto(`${PUBLIC}/t/${gold.slug}`);
    await follow(page, "Join with Discord");
    await press(page, "Authorize");
    await press(page, "Pay");
    expect(await page.textContent("h1")).toBe("Thank you!");
    await screenshot(page, "join-discord-success-desktop-en");
    await h.deliverAll();
    await until(() => h.discord.member(server.id, fan.id)?.roles.includes(gold.roleId), "the role");
    expect(
      h.discord.calls.some((c) => c.method === "PUT" && c.path === `/guilds/${server.id}/members/${fan.id}`),
    ).toBe(false);
    await context.close();
  });

  it("Telegram: the page opens the bot with the tier chosen; once paid, the personal join link arrives", async () => {
    const { context, page } = await visitor({ viewport: PHONE });
    await page.goto(`${PUBLIC}/`);
    await follow(page, "Join with Telegram");
    expect(page.url()).toBe(`https://t.me/tribegate_bot?start=${gold.slug}`);
    // In Telegram, the fan presses Start: /start gold, then the tier's button.
    const fan = tgUser({ first_name: "Tg fan" });
    tg(h).addUser(fan);
    const sessionId = await startCheckoutFromTelegram(h, fan, gold.slug);
    await page.goto(`${h.stripe.origin}/checkout/${sessionId}`);
    await press(page, "Pay");
    expect(page.url()).toBe(`${PUBLIC}/checkout/success?session_id=${sessionId}`);
    expect(await page.getAttribute("a.btn.telegram", "href")).toBe("https://t.me/tribegate_bot");
    expect(await page.textContent("main")).toContain(
      "Your personal join link arrives in your chat with the Telegram bot",
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "join-telegram-success-phone-en");
    await h.deliverAll();
    expect(await inviteLinkSent(h, fan, 0, "Gold lounge")).toMatch(/^https:\/\/t\.me\/\+/);
    await context.close();
  });

  it("refuses a replayed state, a state from another browser, and says so", async () => {
    const fan = user({ username: "replayer" });
    h.discord.browserUser = fan;
    const { context, page } = await visitor();
    await page.goto(`${PUBLIC}/t/${gold.slug}`);
    await follow(page, "Join with Discord");
    let callback = "";
    page.on("request", (r) => {
      if (r.url().startsWith(`${PUBLIC}/join/discord/callback`)) callback ||= r.url();
    });
    await press(page, "Authorize");
    expect(callback).toContain("state=");
    // The same callback again (back button, a replay): refused, nothing charged.
    const again = await page.goto(callback);
    expect(again?.status()).toBe(400);
    expect(await page.textContent("main")).toContain("This sign-in link is no longer valid");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "join-refused-state-desktop-en");
    // Another browser (no cookie) with a state it did not start.
    const other = await visitor();
    const forged = await other.page.goto(
      `${PUBLIC}/join/discord/callback?code=abc&state=${new URL(callback).searchParams.get("state")}`,
    );
    expect(forged?.status()).toBe(400);
    expect(h.logs.events("web.discord.state_refused").length).toBeGreaterThanOrEqual(2);
    await other.context.close();
    await context.close();
  });

  it("says nothing happened when the fan cancels on Discord, and offers the tiers again", async () => {
    h.discord.browserUser = user({ username: "hesitant" });
    const { context, page } = await visitor({ locale: "fr-FR" });
    await page.goto(`${PUBLIC}/`);
    await follow(page, "Rejoindre avec Discord");
    await press(page, "Cancel");
    expect(await page.textContent("main")).toContain("Vous n'avez pas autorisé la connexion avec Discord");
    expect(await page.textContent("main")).toContain("Voici ce que vous pouvez rejoindre");
    await context.close();
  });

  it("refuses an archived tier with a 404 page offering the tiers on sale", async () => {
    const { context, page } = await visitor();
    const res = await page.goto(`${PUBLIC}/join/discord?tier=old`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent("main")).toContain("This membership is no longer for sale.");
    expect(await page.textContent("main")).toContain("Gold");
    await context.close();
  });

  it("refuses a Discord account of another membership in a browser signed in as someone else, pointing to /link", async () => {
    const first = user({ username: "first" });
    const second = user({ username: "second" });
    await memberForIdentity(h.deps.db, { platform: "discord", userId: second.id });
    const { context, page } = await visitor();
    h.discord.browserUser = first;
    await page.goto(`${PUBLIC}/`);
    await follow(page, "Join with Discord");
    await press(page, "Authorize");
    expect(page.url()).toMatch(/\/checkout\/cs_/);
    // Back on the page in the same browser, now signed in to Discord as `second`.
    h.discord.browserUser = second;
    await page.goto(`${PUBLIC}/`);
    await follow(page, "Join with Discord");
    await press(page, "Authorize");
    expect(page.url()).toContain("/join/discord/callback");
    expect(await page.textContent("main")).toContain("type /link in the creator's Discord server");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "join-refused-identity-desktop-en");
    await context.close();
  });

  it("a paying member who signs in again is told so, nothing charged, and no token is kept", async () => {
    h.discord.browserUser = paidFan;
    const { context, page } = await visitor();
    await page.goto(`${PUBLIC}/`);
    await follow(page, "Join with Discord");
    await press(page, "Authorize");
    expect(await page.textContent("main")).toContain("You are already a member (Gold). Nothing was charged.");
    expect(await page.getByRole("link", { name: "Manage my membership" }).count()).toBe(1);
    expect(await h.deps.db.discordJoinToken.count({ where: { userId: paidFan!.id } })).toBe(0);
    await context.close();
  });

  it("limits sign-ins per address: 20 in 10 minutes, then 429 with Retry-After, callbacks included", async () => {
    const from = (address: string, path = `/join/discord?tier=${gold.slug}`) =>
      fetch(`${PUBLIC}${path}`, { headers: { "x-forwarded-for": address }, redirect: "manual" });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await from("198.51.100.7")).status);
    // Each one began a sign-in: a 302 to Discord with its own state.
    expect(statuses).toEqual(Array(20).fill(302));
    const refused = await from("198.51.100.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.text()).toContain("Too many requests from your address");
    // The callback shares the address's budget: no state is even looked at.
    const before = h.logs.events("web.discord.state_refused").length;
    expect((await from("198.51.100.7", "/join/discord/callback?code=x&state=y")).status).toBe(429);
    expect(h.logs.events("web.discord.state_refused").length).toBe(before);
    // Another address is not affected.
    expect((await from("198.51.100.8")).status).toBe(302);
    expect(
      h.logs
        .events("page.rate_limited")
        .some((l) => l.path === "/join/discord" && l.address === "198.51.100.7"),
    ).toBe(true);
  });

  it("the cancel page offers the tiers again", async () => {
    const { context, page } = await visitor({ locale: "fr-FR" });
    await page.goto(`${PUBLIC}/checkout/cancel`);
    expect(await page.textContent("h1")).toBe("Paiement annulé");
    expect(await page.getByRole("link", { name: "Rejoindre avec Discord" }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
