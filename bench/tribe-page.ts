/**
 * The tribe's public page under a crowd: `GET /` (5 tiers, each opening a Discord role with its
 * private channels and a Telegram chat; the goal shown) and `GET /t/<tier>`, `concurrency` visitors
 * at a time, each from its own address (the page limits 120 a minute per address), with no cache
 * (a first visit: no If-None-Match), then the same with the ETag (a reload: 304).
 *
 *   npm run bench -- page
 *
 * Reports pages served per second and the latency a visitor sees (median, p99), and the page's size.
 * Target: at least 100 first visits a second on the 2-core reference machine (a link shared to
 * 100,000 followers, 5 % of them clicking within the first minute, is about 80 a second). The
 * ledger is read at most once a second for all visitors (freshFor in src/bootstrap.ts); each page
 * is rendered per request. With 32 visitors at a time, latency is mostly waiting in line
 * (32 ÷ pages/s), which the median shows.
 */
import { createWriteStream } from "node:fs";
import { OverwriteType, PermissionFlagsBits } from "discord.js";
import { updateCreatorProfile } from "../src/app/profile.ts";
import { updateSettings } from "../src/app/settings.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { createLogger } from "../src/log.ts";
import { guild, member, role, textChannel, user } from "../test/standins/discord-payloads.ts";
import { mark, record, round, startBenchWorld, summarize } from "./lib.ts";

const KEY = "sk_test_bench0000000000";
const SECRET = "whsec_bench0000000000000";
const DISCORD_TOKEN = "discord-bench-token.abc.def";

export interface PageBenchOptions {
  /** Requests per variant. */
  requests: number;
  /** Visitors at a time. */
  concurrency: number;
}

export async function benchTribePage(
  backend: "pglite" | "postgres",
  opts: PageBenchOptions = { requests: 3_000, concurrency: 32 },
): Promise<void> {
  const owner = user({ username: "creator" });
  const tierRoles = Array.from({ length: 5 }, (_, i) => role({ name: `Tier ${i + 1}`, position: i + 1 }));
  const g = guild({ members: [member({ user: owner })], roles: tierRoles });
  const view = String(PermissionFlagsBits.ViewChannel);
  g.channels = [
    textChannel({ name: "general" }),
    ...tierRoles.flatMap((r, i) =>
      ["lounge", "drops", "behind-the-scenes"].map((name, j) =>
        textChannel({
          name: `t${i + 1}-${name}`,
          position: 10 * i + j,
          permission_overwrites: [
            { id: g.id, type: OverwriteType.Role, allow: "0", deny: view },
            { id: r.id, type: OverwriteType.Role, allow: view, deny: "0" },
          ],
        }),
      ),
    ),
  ].map((c) => ({ ...c, guild_id: g.id }));
  const world = await startBenchWorld({
    backend,
    stripe: { secretKey: KEY, webhookSecret: SECRET },
    discord: { token: DISCORD_TOKEN, guilds: [g] },
    log: createLogger({ level: "info", destination: createWriteStream("/dev/null") }),
  });
  const { app } = world;
  try {
    await app.discord!.ready();
    await updateCreatorProfile(app.services.db, {
      name: "Camille Roux",
      pitch: "Weekly videos on slow travel, and the stories behind them.",
      pictureUrl: "https://images.example.com/camille.jpg",
      showGoal: true,
    });
    await updateSettings(app.services.db, { set: { trueFansGoal: 1000 } });
    for (const [i, r] of tierRoles.entries()) {
      const tier = await createTier(app.services, {
        name: `Tier ${i + 1}`,
        slug: `tier-${i + 1}`,
        description: "What members get, in a few lines.",
        amount: 300 + 200 * i,
        currency: "eur",
      });
      await addTierAccess(app.services, tier.slug, { platform: "discord", guildId: g.id, roleId: r.id });
      await addTierAccess(
        app.services,
        tier.slug,
        { platform: "telegram", chatId: String(-1_000_000_000_000 - i) },
        `Tier ${i + 1} circle`,
      );
    }
    const base = app.http.url;
    const first = await fetch(`${base}/`);
    const html = await first.text();
    if (first.status !== 200 || !html.includes("#t5-behind-the-scenes"))
      throw new Error(`the page did not render its tiers (status ${first.status})`);
    const etag = first.headers.get("etag") ?? "";
    record({ bench: "page", backend, metric: "page size", value: round(html.length / 1024), unit: "KiB" });

    for (const variant of ["first visits", "reloads (304)"] as const) {
      mark(`page ${variant} on ${backend}`);
      const ms: number[] = [];
      let next = 0;
      let bad = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          for (let i = next++; i < opts.requests; i = next++) {
            const path = i % 4 === 3 ? `/t/tier-${(i % 5) + 1}` : "/";
            const headers: Record<string, string> = {
              "accept-language": i % 2 ? "fr-FR,fr;q=0.9" : "en-US,en;q=0.8",
              // One address per visitor: the per-address limit is not what is measured.
              "x-forwarded-for": `198.18.${(i >> 8) & 255}.${i & 255}`,
            };
            if (variant === "reloads (304)" && path === "/" && i % 2 === 0) headers["if-none-match"] = etag;
            const t0 = performance.now();
            const res = await fetch(`${base}${path}`, { headers });
            await res.arrayBuffer();
            ms.push(performance.now() - t0);
            if (res.status !== 200 && res.status !== 304) bad++;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      if (bad > 0) throw new Error(`${bad} page requests were not answered 200/304`);
      const s = summarize(ms);
      const label = variant === "first visits" ? "" : " (reloads)";
      record({
        bench: "page",
        backend,
        metric: `pages/s${label}${label ? "" : " (target ≥ 100)"}`,
        value: round(s.n / seconds),
        unit: "/s",
      });
      record({
        bench: "page",
        backend,
        metric: `latency median${label}`,
        value: round(s.median),
        unit: "ms",
      });
      record({
        bench: "page",
        backend,
        metric: `latency p99${label} (${opts.concurrency} at a time)`,
        value: round(s.p99),
        unit: "ms",
      });
    }
  } finally {
    await world.stop();
  }
}
