import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import {
  botMessages,
  goldTierInChat,
  inviteLinkSent,
  startCheckoutFromTelegram,
  startTelegramHarness,
  tg,
  waitForStatus,
} from "./helpers.ts";

/**
 * Telegram never delivers a join request twice, so an approval it did not take must not be lost:
 * it becomes a durable task that judges the request again and keeps trying, across a restart.
 */
describe("a join request Telegram did not let us approve at once (PGlite)", () => {
  let h: TelegramHarness;
  const lounge = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    // Calls that get no answer fail after 2 s instead of 30.
    h = await startTelegramHarness("pglite", { timeouts: { requestTimeoutSeconds: 2 } });
    await goldTierInChat(h, lounge);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("is approved by a durable task, even after the bot restarts in between", async () => {
    const fan = user({ first_name: "Nina" });
    tg(h).addUser(fan);
    const sessionId = await startCheckoutFromTelegram(h, fan, "gold");
    const seen = botMessages(h, fan.id).length;
    await pay(h, sessionId);
    const link = await inviteLinkSent(h, fan, seen, lounge.title);

    // The approval gets no answer twice: once at the door, once on the task's first run.
    tg(h).failNext("approveChatJoinRequest", { kind: "hang" }, { times: 2 });
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await until(
      () => h.logs.events("telegram.join_decision_retry").find((l) => l.userId === String(fan.id)),
      "the approval to be handed to a durable task",
    );
    const task = await h.deps.db.task.findUniqueOrThrow({
      where: { key: `telegram:join:${lounge.id}:${fan.id}` },
    });
    expect(task.kind).toBe("telegram.join_decision");

    await h.restart();
    await waitForStatus(h, lounge.id, fan.id, "member");
    await expect
      .poll(async () => (await h.deps.db.task.findUniqueOrThrow({ where: { key: task.key } })).state, {
        timeout: 20_000,
      })
      .toBe("done");
    const approvals = tg(h)
      .callsOf("approveChatJoinRequest")
      .filter((c) => Number(c.params.user_id) === fan.id);
    expect(approvals.length).toBeGreaterThanOrEqual(3);
    expect(h.logs.events("telegram.join_approved").some((l) => l.userId === String(fan.id) && l.late)).toBe(
      true,
    );
  }, 60_000);
});
