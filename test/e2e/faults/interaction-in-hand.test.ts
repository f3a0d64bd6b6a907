import { Locale, MessageFlags } from "discord-api-types/v10";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/adapters/db/database.ts";
import { migrate } from "../../../src/adapters/db/migrator.ts";
import { t } from "../../../src/i18n/index.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";
import { createLogger } from "../../../src/log.ts";
import { type DiscordStandin, startDiscordStandin } from "../../standins/discord.ts";
import { botRole, buttonClick, guild, member, message, role, user } from "../../standins/discord-payloads.ts";
import { type StripeStandin, startStripeStandin } from "../../standins/stripe.ts";
import { sleep } from "../../support/helpers.ts";
import {
  createTestDatabase,
  createTestDataDir,
  type TestDatabase,
  type TestDataDir,
} from "../../support/postgres.ts";
import { command, opt } from "../discord/helpers.ts";
import { DISCORD_TOKEN, STRIPE_KEY, WEBHOOK_SECRET } from "../harness.ts";
import { type BotProcess, botEnv, freePort, seedGoldTier, spawnBot, waitForBotEvent } from "./support.ts";

/**
 * FAULT: the leader acknowledged two interactions ("thinking…": Stripe is slow to make their
 * Checkout) and is SIGKILLed before answering them. The process that takes the lead tells each fan
 * to try again, in their language, while Discord still takes an answer: the deferred reply of a
 * slash command is edited; under a button, whose message must stay as it is, a private follow-up
 * says it. Real processes (`src/main.ts`) on one PostgreSQL.
 */
const silent = createLogger({ level: "silent", pretty: false });

describe("FAULT: a leader killed with interactions in hand", () => {
  let stripe: StripeStandin;
  let discord: DiscordStandin;
  let db: TestDatabase;
  const dirs: TestDataDir[] = [];
  const bots: BotProcess[] = [];
  let pool: pg.Pool;

  beforeAll(async () => {
    [stripe, discord, db] = await Promise.all([
      startStripeStandin({ secretKey: STRIPE_KEY }),
      startDiscordStandin({ token: DISCORD_TOKEN }),
      createTestDatabase(),
    ]);
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
  });
  afterAll(async () => {
    for (const b of bots)
      if (b.child.exitCode === null && b.child.signalCode === null) b.child.kill("SIGKILL");
    await Promise.allSettled(bots.map((b) => b.exit));
    await pool?.end();
    await Promise.allSettled([stripe?.close(), discord?.close()]);
    await db?.drop();
    await Promise.allSettled(dirs.map((d) => d.remove()));
  });

  it("the next leader asks both fans to try again: the command's reply edited, a follow-up under the button", async () => {
    const goldRole = role({ name: "Gold", position: 1 });
    const fans = [user({ username: "fan-fr" }), user({ username: "fan-en" })];
    const g = guild({ members: fans.map((u) => member({ user: u })), roles: [goldRole] });
    discord.addGuild(g, { botRole: botRole({ position: 5 }) });

    const setup = await openDatabase({ databaseUrl: db.url, dataDir: "/nonexistent", log: silent });
    await migrate(setup, { migrationsDir: MIGRATIONS_DIR, log: silent });
    await seedGoldTier(setup.prisma, {
      stripeOrigin: stripe.origin,
      secretKey: STRIPE_KEY,
      webhookSecret: WEBHOOK_SECRET,
      guildId: g.id,
      roleId: goldRole.id,
    });
    await setup.close();

    const start = async (): Promise<BotProcess> => {
      const dir = await createTestDataDir();
      dirs.push(dir);
      const bot = spawnBot(
        botEnv({
          secrets: { stripeKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET, discordToken: DISCORD_TOKEN },
          stripe,
          discord,
          guildId: g.id,
          port: await freePort(),
          dataDir: dir.dir,
          databaseUrl: db.url,
        }),
      );
      bots.push(bot);
      await waitForBotEvent(bot, "startup.complete", 90_000);
      return bot;
    };
    const first = await start();
    await waitForBotEvent(first, "discord.ready", 30_000);
    const second = await start();
    await waitForBotEvent(second, "discord.standby", 30_000);

    // Stripe takes its time: both Checkouts hang, so the leader acknowledges and keeps them in hand.
    stripe.failNext({ method: "POST", path: "/v1/checkout/sessions" }, { kind: "hang" }, 2);
    const slash = discord.interaction(
      command({ user: fans[0]!, guildId: g.id, locale: Locale.French }, "join", [opt.str("tier", "gold")]),
    );
    const channelId = discord.guild(g.id)!.channels[0]!.id;
    const priceList = message({ channel_id: channelId, content: "Gold: 5 €" });
    const click = discord.interaction(
      buttonClick({
        customId: "buy:gold:month",
        user: fans[1]!,
        guildId: g.id,
        channelId,
        message: priceList,
      }),
    );
    // Both deferred and kept (the row is written right after the deferral).
    await expect
      .poll(
        async () =>
          Number((await pool.query("SELECT count(*) AS n FROM interaction_in_hand")).rows[0].n) === 2 &&
          slash.acknowledged &&
          click.acknowledged,
        { timeout: 15_000, interval: 50 },
      )
      .toBe(true);
    const held = await pool.query<{ mode: string; locale: string }>(
      "SELECT mode, locale FROM interaction_in_hand ORDER BY mode",
    );
    expect(held.rows).toEqual([
      { mode: "reply", locale: "fr" },
      { mode: "update", locale: "en" },
    ]);

    first.child.kill("SIGKILL");
    await first.exit;
    const tookOver = Date.now();
    await waitForBotEvent(second, "leader.acquired", 30_000);

    // The new leader leaves a live earlier leader 10 s to answer, then asks the fans to try again.
    await expect
      .poll(() => slash.original?.content, { timeout: 40_000, interval: 100 })
      .toBe(t("fr", "discord.interaction.try_again"));
    expect((slash.original?.flags ?? 0) & MessageFlags.Loading).toBe(0);
    await expect.poll(() => click.followups.length, { timeout: 10_000, interval: 100 }).toBe(1);
    expect(click.followups[0]!.content).toBe(t("en", "discord.interaction.try_again"));
    expect((click.followups[0]!.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    // The button's message is left as it was.
    expect(click.original?.content).toBe("Gold: 5 €");
    // The log line is written once Discord has answered the follow-up, a moment after the stand-in
    // recorded it, and the child's stdout reaches us later still: wait for it.
    await expect
      .poll(
        () =>
          second
            .events()
            .filter((e) => e.event === "discord.in_hand.try_again")
            .map((e) => e.command)
            .sort(),
        { timeout: 10_000, interval: 100 },
      )
      .toEqual(["component buy", "join"]);
    // The token (a credential) appears in no log line.
    for (const b of bots)
      for (const line of b.events()) {
        expect(JSON.stringify(line)).not.toContain(slash.payload.token);
        expect(JSON.stringify(line)).not.toContain(click.payload.token);
      }
    expect(Number((await pool.query("SELECT count(*) AS n FROM interaction_in_hand")).rows[0].n)).toBe(0);
    // Once only: a later sweep (another leader change) finds nothing.
    await sleep(500);
    expect(click.followups).toHaveLength(1);
    process.stdout.write(
      `[fault interaction-in-hand] both fans asked to try again ${Date.now() - tookOver} ms after the kill\n`,
    );
  }, 180_000);
});
