import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { until } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import { fanJoins, goldTierInChat, startTelegramHarness, tg, waitForStatus } from "./helpers.ts";

describe("Telegram pay → approve → revoke on PostgreSQL", () => {
  let h: TelegramHarness;
  const chat = supergroup({ title: "PG Lounge" });

  beforeAll(async () => {
    h = await startTelegramHarness("postgres");
    await goldTierInChat(h, chat);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a fan pays, is approved; a stranger is declined; canceling removes the fan by ban+unban", async () => {
    expect(h.logs.events("startup.complete")[0]).toMatchObject({ database: "postgres" });
    const fan = user();
    const subscriptionId = await fanJoins(h, fan, "gold", chat);
    const link = (await h.deps.db.telegramInvite.findFirstOrThrow({ where: { userId: String(fan.id) } }))
      .inviteLink;

    const stranger = user();
    tg(h).userLeaves(fan, chat.id);
    expect(tg(h).userJoinsViaLink(stranger, link).outcome).toBe("requested");
    await until(
      () => h.logs.events("telegram.join_declined").some((l) => l.userId === String(stranger.id)),
      "decline",
    );
    tg(h).userJoinsViaLink(fan, link);
    await waitForStatus(h, chat.id, fan.id, "member");

    h.stripe.updateSubscription(subscriptionId, { status: "canceled" });
    await h.deliverAll();
    await waitForStatus(h, chat.id, fan.id, "left");
    expect(tg(h).callsOf("unbanChatMember").at(-1)!.params).toMatchObject({
      user_id: fan.id,
      only_if_banned: true,
    });
  });
});
