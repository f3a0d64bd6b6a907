import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import type { TelegramHarness } from "../harness.ts";
import { fanJoins, goldTierInChat, startTelegramHarness, tg } from "./helpers.ts";

/**
 * Telegram's flood limits, enforced by the stand-in as Telegram does (30 messages a second in all,
 * one a second per private chat, 20 a minute per group; past them a 429 with retry_after): 40 fans
 * start, pay and are let in at the same moment. The bot waits out every 429 it is given; each fan
 * gets their invite and is let in, no message is lost and no job gives up.
 */
describe("Telegram's flood limits during a rush of 40 fans (PGlite)", () => {
  let h: TelegramHarness;
  const gold = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite");
    await goldTierInChat(h, gold);
    tg(h).enforceFloodLimits();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("every fan gets their invite and is let in; the bot waits out each 429", async () => {
    const fans = Array.from({ length: 40 }, (_, i) => user({ first_name: `Fan${i}` }));
    await Promise.all(fans.map((fan) => fanJoins(h, fan, "gold", gold)));
    // The limits bit: some sends were refused, and each was sent again.
    expect(tg(h).floodRefusals).toBeGreaterThan(0);
    const refused = tg(h).calls.filter((c) => c.status === 429).length;
    expect(refused).toBe(tg(h).floodRefusals);
    expect(await h.deps.db.accessJob.count({ where: { state: "dead" } })).toBe(0);
    expect(h.logs.lines.filter((l) => l.event === "telegram.handler_failed" || l.level === "error")).toEqual(
      [],
    );
    process.stdout.write(`[telegram flood] 40 fans let in; ${refused} sends answered 429 and waited out\n`);
  }, 120_000);
});
