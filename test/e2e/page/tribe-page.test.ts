import { OverwriteType, PermissionFlagsBits } from "discord.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addTierAccess, archiveTier, createTier } from "../../../src/app/tiers.ts";
import { textChannel } from "../../standins/discord-payloads.ts";
import {
  DESKTOP,
  launchBrowser,
  newVisitor,
  PHONE,
  screenshot,
  seriousViolations,
} from "../../support/browser.ts";
import { creator, homeServerWithTier, interact, opt, sub } from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import { CREATOR, command, startTelegramHarness, tg } from "../telegram/helpers.ts";

/**
 * The tribe's public page: the creator sets the profile on either platform (checked there), and
 * anyone on the internet reads it, escaped, in French or English, cached, rate-limited, with the
 * ways to join each tier; archived and unknown tiers answer 404 with the tiers on sale.
 */
/** The creator's picture, as the picture host would serve it (the browser never leaves the machine). */
const AVATAR =
  '<svg xmlns="http://www.w3.org/2000/svg" width="112" height="112"><rect width="112" height="112" fill="#c2410c"/><text x="56" y="72" font-size="48" text-anchor="middle" fill="#fff" font-family="sans-serif">C</text></svg>';

describe("the tribe's page (PGlite)", () => {
  let h: DualHarness;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${h.app.http.url}${path}`, { headers, redirect: "manual" });
  /** The page once it shows `text`: it is read from the ledger at most once a second. */
  async function showing(path: string, text: string): Promise<string> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const html = await (await get(path)).text();
      if (html.includes(text) || Date.now() > deadline) return html;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
    // Gold: made on Discord, with its role; Silver: a Telegram chat; Old: archived.
    const gold = await homeServerWithTier(h, { name: "Gold" });
    // Two channels only Gold can see (what the page lists under the role), one everyone sees.
    const view = String(PermissionFlagsBits.ViewChannel);
    const privateTo = (roleId: string) => [
      { id: gold.server.id, type: OverwriteType.Role, allow: "0", deny: view },
      { id: roleId, type: OverwriteType.Role, allow: view, deny: "0" },
    ];
    h.discord.addChannel(
      gold.server.id,
      textChannel({
        name: "behind-the-scenes",
        position: 2,
        permission_overwrites: privateTo(gold.tier.roleId),
      }),
    );
    h.discord.addChannel(
      gold.server.id,
      textChannel({ name: "gold-lounge", position: 1, permission_overwrites: privateTo(gold.tier.roleId) }),
    );
    h.discord.addChannel(gold.server.id, textChannel({ name: "lobby", position: 3 }));
    await createTier(h.deps, {
      name: "Silver",
      slug: "silver",
      amount: 300,
      currency: "eur",
      interval: "year",
      trialDays: 7,
    });
    await addTierAccess(h.deps, "silver", { platform: "telegram", chatId: "-100777" }, "Silver <chat>");
    await createTier(h.deps, { name: "Old", slug: "old", amount: 100, currency: "eur", interval: "month" });
    await archiveTier(h.deps, "old");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("lets the creator set the profile on Telegram, refusing what is not allowed", async () => {
    expect((await command(h, CREATOR, "profile", "picture http://example.com/me.jpg")).text).toContain(
      "The picture must be an https:// address",
    );
    expect((await command(h, CREATOR, "profile", "picture javascript:alert(1)")).text).toContain(
      "The picture must be an https:// address",
    );
    expect((await command(h, CREATOR, "profile", `name ${"x".repeat(81)}`)).text).toContain(
      "The name must be 1 to 80 characters long",
    );
    expect((await command(h, CREATOR, "profile", "invite https://evil.example/discord")).text).toContain(
      "Discord invite link",
    );
    expect((await command(h, CREATOR, "profile", "colour blue")).text).toMatch(/^Usage: \/profile/);
    const set = await command(h, CREATOR, "profile", 'name Camille <script>alert("x")</script>');
    expect(set.text).toContain('Name: Camille <script>alert("x")</script>');
    const pic = await command(h, CREATOR, "profile", "picture https://images.example.com/camille.jpg");
    expect(pic.text).toContain("Picture: https://images.example.com/camille.jpg");
    expect(pic.text).toContain("Your public page: https://tribe.example.test/");
  });

  it("lets the creator set the pitch and the goal with /tribe profile on Discord", async () => {
    const server = (await h.deps.db.setting.findUnique({ where: { key: "discordHomeGuildIds" } }))!
      .value as string[];
    const srv = { id: server[0]!, owner: h.discord.applicationOwner } as Parameters<typeof creator>[0];
    const answer = await interact(
      h,
      creator(
        srv,
        sub(
          ["profile"],
          [
            opt.str("pitch", "Weekly videos & behind the scenes.\n<b>Join us</b>"),
            opt.bool("show-goal", true),
          ],
        ),
      ),
    );
    expect(answer.content).toBe("Saved.");
    expect(answer.embeds[0]?.fields?.find((f) => f.name === "Pitch")?.value).toContain("<b>Join us</b>");
    const bad = await interact(
      h,
      creator(srv, sub(["profile"], [opt.str("picture", "ftp://x.example/p.png")])),
    );
    expect(bad.content).toContain("The picture must be an https:// address");
  });

  it("shows the creator, the tiers for sale with their prices and what they open, escaped", async () => {
    const res = await get("/", { "accept-language": "en-US,en;q=0.8" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<h1>Camille &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>");
    expect(html).not.toContain("<script");
    expect(html).toContain("Weekly videos &amp; behind the scenes.<br>&lt;b&gt;Join us&lt;/b&gt;");
    expect(html).toContain('src="https://images.example.com/camille.jpg"');
    expect(html).toContain("€5.00 a month");
    expect(html).toContain("€3.00 a year");
    expect(html).toContain("7 days free to start");
    // The role, and the channels only it can see, as the server shows them now.
    expect(html).toContain(
      'Gold (Discord)<ul class="places"><li>#gold-lounge</li><li>#behind-the-scenes</li></ul>',
    );
    expect(html).not.toContain("#lobby");
    expect(html).toContain("Silver &lt;chat&gt; (Telegram)</li>");
    expect(html).not.toContain("Old");
    expect(html).toContain("0 of 1,000 true fans (0%)");
    // Each tier offers the doors of the platforms it opens: Gold a Discord role, Silver a Telegram chat.
    expect(html).not.toContain('href="https://t.me/tribegate_bot?start=gold"');
    expect(html).toContain('href="https://t.me/tribegate_bot?start=silver"');
    // Without DISCORD_CLIENT_SECRET nor an invite: the way in is /join in the server.
    expect(html.match(/On Discord: type \/join in the creator&#39;s server\./g)).toHaveLength(1);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("speaks French from Accept-Language, and switches language with ?lang=", async () => {
    const fr = await (await get("/", { "accept-language": "fr-FR,fr;q=0.9,en;q=0.5" })).text();
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toContain("5,00\u00a0€ par mois");
    expect(fr).toContain("7\u00a0jours offerts pour commencer");
    expect(fr).toContain("Rejoindre avec Telegram");
    expect(fr).toContain('href="/?lang=en" lang="en"');
    const en = await (await get("/?lang=en", { "accept-language": "fr-FR" })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("Join with Telegram");
  });

  it("is cached a minute, with an ETag a reload answers 304 to", async () => {
    const first = await get("/t/gold");
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("public, max-age=60");
    expect(first.headers.get("vary")).toBe("Accept-Language");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]{20,}"$/);
    const again = await get("/t/gold", { "if-none-match": etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const html = await first.text();
    expect(html).toContain('<h2><a href="/t/gold?lang=en">Gold</a></h2>');
    expect(html).not.toContain("Silver");
    expect(html).toContain("See every membership");
  });

  it("answers 404 for an archived or unknown tier, offering the tiers on sale", async () => {
    for (const [path, why] of [
      ["/t/old", "This membership is no longer for sale."],
      ["/t/nope", "There is no membership at this address."],
      ["/t/%3Cscript%3E", "There is no membership at this address."],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain(why);
      expect(html).toContain("Here is what you can join:");
      expect(html).toContain("https://t.me/tribegate_bot?start=silver");
      expect(html).not.toContain("<script");
    }
  });

  it("without Discord sign-in, offers the creator's invite and /join", async () => {
    const set = await command(h, CREATOR, "profile", "invite https://discord.gg/abcd1234");
    expect(set.text).toContain("Discord invite (when sign-in is not set up): https://discord.gg/abcd1234");
    const html = await showing("/t/gold", "https://discord.gg/abcd1234");
    expect(html).toContain(
      '<a class="btn discord" href="https://discord.gg/abcd1234" rel="noopener">Join the Discord server, then type /join</a>',
    );
    // The sign-in route says it is not set up, offering the tiers.
    const res = await get("/join/discord?tier=gold");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Discord sign-in is not set up for this tribe.");
  });

  describe("in a real browser", () => {
    let browser: Browser;
    beforeAll(async () => {
      // The screenshots are for people (the README shows them): a creator as creators write.
      await command(h, CREATOR, "profile", "name Camille Roux");
      await command(
        h,
        CREATOR,
        "profile",
        "pitch Weekly videos on slow travel, and the stories behind them. Members vote on where I go next.",
      );
      await h.deps.db.tierAccess.updateMany({
        where: { chatId: "-100777" },
        data: { label: "Slow travel circle" },
      });
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("has no serious accessibility violation, at phone and desktop widths, in both languages", async () => {
      for (const [width, viewport] of [
        ["phone", PHONE],
        ["desktop", DESKTOP],
      ] as const) {
        for (const locale of ["en-US", "fr-FR"] as const) {
          const { context, page } = await newVisitor(browser, { viewport, locale });
          await page.route("https://images.example.com/**", (route) =>
            route.fulfill({ contentType: "image/svg+xml", body: AVATAR }),
          );
          await page.goto(`${h.app.http.url}/`);
          expect(await page.getAttribute("html", "lang")).toBe(locale.slice(0, 2));
          expect(await seriousViolations(page), `${width} ${locale}`).toEqual([]);
          // Nothing wider than the screen: readable on a phone without scrolling sideways.
          const overflow = await page.evaluate<number>(
            "document.documentElement.scrollWidth - window.innerWidth",
          );
          expect(overflow, `${width} ${locale}`).toBeLessThanOrEqual(0);
          await screenshot(page, `tribe-page-${width}-${locale.slice(0, 2)}`);
          await context.close();
        }
      }
    });

    it("is usable with the keyboard: Tab reaches the language switch, then the tiers' links", async () => {
      const { context, page } = await newVisitor(browser);
      await page.goto(`${h.app.http.url}/`);
      await page.keyboard.press("Tab");
      expect(await page.evaluate<string>("document.activeElement?.textContent")).toBe("Français");
      await page.keyboard.press("Tab");
      expect(await page.evaluate<string>("document.activeElement?.textContent")).toBe("Gold");
      await context.close();
    });
  });

  it("limits each address: past 120 pages a minute, 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let refused: { retryAfter: string | null; text: string } | undefined;
    // In bursts: the bucket refills 2 pages a second, a slow machine must not refill it meanwhile.
    for (let burst = 0; burst < 8; burst++) {
      const answers = await Promise.all(
        Array.from({ length: 25 }, () => get("/", { "x-forwarded-for": "203.0.113.9" })),
      );
      for (const res of answers) {
        statuses.push(res.status);
        const text = await res.text();
        if (res.status === 429) refused ??= { retryAfter: res.headers.get("retry-after"), text };
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(120);
    expect(refused).toBeDefined();
    expect(Number(refused!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused!.text).toContain("Too many requests from your address");
    // Another address is not affected.
    expect((await get("/", { "x-forwarded-for": "203.0.113.10" })).status).toBe(200);
    expect(h.logs.events("page.rate_limited").length).toBeGreaterThan(0);
  });
});
