import type { User } from "@grammyjs/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import { botMessages, buttons, goldTierInChat, nextBotMessage, startTelegramHarness, tg } from "./helpers.ts";

/** Waits are long on purpose: a fan waits out 429s, on a machine running other tests beside. */
const WAIT_MS = 45_000;

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
    // Each fan as fanJoins does it: /start gold, the price button, pay, the invite, the join request.
    const joins = async (fan: User) => {
      tg(h).addUser(fan);
      let seen = botMessages(h, fan.id).length;
      tg(h).pushCommand({ command: "start", args: "gold", from: fan });
      const menu = await nextBotMessage(h, fan.id, seen, () => true, WAIT_MS);
      const [button] = buttons(menu);
      seen = botMessages(h, fan.id).length;
      tg(h).pushCallbackQuery({
        from: fan,
        data: (button as { callback_data: string }).callback_data,
        message: menu,
      });
      const checkout = await nextBotMessage(h, fan.id, seen, () => true, WAIT_MS);
      const url = (buttons(checkout).find((b) => "url" in b) as { url: string } | undefined)?.url;
      expect(url, checkout.text).toMatch(/\/checkout\/cs_/);
      seen = botMessages(h, fan.id).length;
      await pay(h, url!.split("/").pop()!);
      const invite = await nextBotMessage(
        h,
        fan.id,
        seen,
        (m) => /https:\/\/t\.me\/\+/.test(m.text ?? ""),
        WAIT_MS,
      );
      const link = /https:\/\/t\.me\/\+\S+/.exec(invite.text ?? "")![0];
      expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
      await until(
        () => tg(h).member(gold.id, fan.id)?.status === "member",
        `${fan.first_name} let in`,
        WAIT_MS,
      );
    };
    await Promise.all(fans.map(joins));
    // The limits bit: some sends were refused, and each was sent again.
    expect(tg(h).floodRefusals).toBeGreaterThan(0);
    const refused = tg(h).calls.filter((c) => c.status === 429).length;
    expect(refused).toBe(tg(h).floodRefusals);
    expect(await h.deps.db.accessJob.count({ where: { state: "dead" } })).toBe(0);
    expect(h.logs.lines.filter((l) => l.event === "telegram.handler_failed" || l.level === "error")).toEqual(
      [],
    );
    process.stdout.write(`[telegram flood] 40 fans let in; ${refused} sends answered 429 and waited out\n`);
  }, 240_000);
});
