import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { startHarness, type TelegramHarness } from "../harness.ts";
import { CREATOR, fanJoins, goldTierInChat, tg } from "./helpers.ts";

const SECRET = "webhook-secret-0123456789";

/**
 * Webhook mode: Telegram POSTs updates to <PUBLIC_BASE_URL>/telegram/webhook with the secret header.
 * The stand-in only queues updates, so the test plays Telegram's part and forwards them.
 */
describe("Telegram in webhook mode (PGlite)", () => {
  let h: TelegramHarness;
  let forwarder: NodeJS.Timeout;
  const chat = supergroup({ title: "Hook Lounge" });

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      telegram: true,
      env: {
        TELEGRAM_MODE: "webhook",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_CREATOR_IDS: String(CREATOR.id),
      },
    });
    let last = 0;
    let busy = false;
    forwarder = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        for (const update of tg(h).pendingUpdates.filter((u) => u.update_id > last)) {
          last = update.update_id;
          await fetch(`${h.app.http.url}/telegram/webhook`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
            body: JSON.stringify(update),
          });
        }
      } catch {
        // The bot is shutting down at the end of the file: Telegram would retry, so do we (not).
      } finally {
        busy = false;
      }
    }, 5);
    await goldTierInChat(h, chat);
  });
  afterAll(async () => {
    clearInterval(forwarder);
    await h?.stop();
  });

  it("registers the webhook, refuses calls without the secret, and runs the whole fan flow", async () => {
    expect(tg(h).callsOf("setWebhook")[0]!.params).toMatchObject({
      url: "https://tribe.example.test/telegram/webhook",
      secret_token: SECRET,
    });
    const forged = await fetch(`${h.app.http.url}/telegram/webhook`, { method: "POST", body: "{}" });
    expect(forged.status).toBe(401);
    await fanJoins(h, user(), "gold", chat);
  });
});
