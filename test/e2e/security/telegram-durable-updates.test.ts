import type { Update, User } from "@grammyjs/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { type Cluster, findPostgresBin, startCluster } from "../../support/global-setup.ts";
import { pay, sleep, until } from "../../support/helpers.ts";
import { startHarness, type TelegramHarness } from "../harness.ts";
import {
  botMessages,
  CREATOR,
  goldTierInChat,
  inviteLinkSent,
  startCheckoutFromTelegram,
  tg,
  waitForStatus,
} from "../telegram/helpers.ts";

/**
 * FAULT: the database is down at the moment a fan's join request reaches the bot. Telegram sends a
 * join request once (in webhook mode, again only after a non-2xx answer), so a request the bot
 * could not even store must not be forgotten: in polling mode the bot keeps trying to store it and
 * decides it once the database is back; in webhook mode the update is answered 5xx and the
 * redelivered update is decided, once. A stranger using the fan's forwarded link at the same time
 * is still refused. Each part runs its own PostgreSQL server, stopped and started again.
 */

function needCluster(): Promise<Cluster> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      "This test stops and restarts its own PostgreSQL server and needs the server binaries " +
        "(apt-get install -y postgresql, or TEST_POSTGRES_BIN=<dir of pg_ctl>).",
    );
  }
  return startCluster(bin);
}

/** A paying fan holding their personal join-request link, and a stranger they forwarded it to. */
async function paidFanWithLink(
  h: TelegramHarness,
  chatTitle: string,
): Promise<{ fan: User; stranger: User; link: string }> {
  const fan = user({ first_name: "Nina", language_code: "en" });
  const stranger = user({ first_name: "Sam", language_code: "en" });
  tg(h).addUser(fan);
  tg(h).addUser(stranger);
  const sessionId = await startCheckoutFromTelegram(h, fan, "gold");
  const seen = botMessages(h, fan.id).length;
  await pay(h, sessionId);
  return { fan, stranger, link: await inviteLinkSent(h, fan, seen, chatTitle) };
}

const approvalsOf = (h: TelegramHarness, userId: number) =>
  tg(h)
    .callsOf("approveChatJoinRequest")
    .filter((c) => Number(c.params.user_id) === userId);

describe("FAULT: the database down when a join request arrives, long polling (PostgreSQL)", () => {
  let cluster: Cluster;
  let h: TelegramHarness;
  const lounge = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    cluster = await needCluster();
    h = await startHarness({
      backend: "postgres",
      databaseUrl: cluster.url,
      telegram: true,
      env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
    });
    await goldTierInChat(h, lounge);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await cluster?.stop();
  });

  it("the requests wait at Telegram while the database is down; once back, the paying fan is approved and the stranger declined", async () => {
    const { fan, stranger, link } = await paidFanWithLink(h, lounge.title);

    const outageStart = Date.now();
    await cluster.halt("fast");
    // Without the database no process may hold the lead: this one stops its long poll within the
    // leader's fence (4 s), so the updates that come now stay with Telegram, unconfirmed.
    await h.logs.waitFor("telegram.paused", 15_000, (l) => Date.parse(String(l.time)) >= outageStart);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    expect(tg(h).userJoinsViaLink(stranger, link).outcome).toBe("requested");
    await sleep(1_000);
    expect(
      h.logs
        .events("telegram.join_request_store_failed")
        .filter((l) => Date.parse(String(l.time)) >= outageStart),
    ).toEqual([]);
    // Nobody was let in (or turned away) without the ledger.
    expect(approvalsOf(h, fan.id)).toHaveLength(0);
    expect(tg(h).callsOf("declineChatJoinRequest")).toHaveLength(0);
    expect(tg(h).member(lounge.id, fan.id)?.status ?? "none").not.toBe("member");

    await cluster.resume();
    // The database back, the process leads again and polls: Telegram hands the requests out now.
    await h.logs.waitFor("leader.acquired", 20_000, (l) => Date.parse(String(l.time)) >= outageStart);
    await waitForStatus(h, lounge.id, fan.id, "member");
    await until(
      () => tg(h).joinRequests(lounge.id).length === 0,
      "the stranger's request to be declined",
      30_000,
    );
    expect(tg(h).member(lounge.id, stranger.id)?.status ?? "none").not.toBe("member");
    // The decline is logged once Telegram answered the call that emptied the request list.
    await h.logs.waitFor(
      "telegram.join_declined",
      10_000,
      (l) => l.userId === String(stranger.id) && l.why === "someone_elses_link",
    );
    // Decided once: one approval; nothing had been handed out during the outage.
    expect(approvalsOf(h, fan.id)).toHaveLength(1);
    expect(
      h.logs
        .events("telegram.join_request_store_failed")
        .filter((l) => Date.parse(String(l.time)) >= outageStart),
    ).toEqual([]);
    // And the paying fan keeps their membership.
    const sub = await h.deps.db.subscription.findFirstOrThrow({
      where: { member: { identities: { some: { platformUserId: String(fan.id) } } } },
    });
    expect(sub.status).toBe("active");
  }, 120_000);
});

const SECRET = "webhook-secret-0123456789";

describe("FAULT: the database down when updates arrive, webhook mode (PostgreSQL)", () => {
  let cluster: Cluster;
  let h: TelegramHarness;
  const lounge = supergroup({ title: "Hook Lounge" });
  const forwarded = new Set<number>();
  let paused = false;
  let forwarder: NodeJS.Timeout | undefined;

  /** Telegram's part: POSTs one update to the webhook, returns the HTTP status. */
  const deliver = async (update: Update): Promise<number> => {
    forwarded.add(update.update_id);
    const res = await fetch(`${h.app.http.url}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
      signal: AbortSignal.timeout(30_000),
    });
    await res.text();
    return res.status;
  };
  const lastUpdate = (): Update => tg(h).pendingUpdates.at(-1)!;

  beforeAll(async () => {
    cluster = await needCluster();
    h = await startHarness({
      backend: "postgres",
      databaseUrl: cluster.url,
      telegram: true,
      env: {
        TELEGRAM_MODE: "webhook",
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_CREATOR_IDS: String(CREATOR.id),
      },
    });
    let busy = false;
    forwarder = setInterval(async () => {
      if (busy || paused) return;
      busy = true;
      try {
        for (const update of tg(h).pendingUpdates.filter((u) => !forwarded.has(u.update_id))) {
          if (paused) break;
          await deliver(update);
        }
      } catch {
        // The bot is shutting down at the end of the file.
      } finally {
        busy = false;
      }
    }, 5);
    await goldTierInChat(h, lounge);
  }, 120_000);
  afterAll(async () => {
    clearInterval(forwarder);
    await h?.stop();
    await cluster?.stop();
  });

  it("answers 5xx while the database is down; the redelivered updates are handled once; a refusal is a 2xx", async () => {
    const { fan, link } = await paidFanWithLink(h, lounge.title);
    // A refusal answered to the user is a handled update: 2xx, not redelivered.
    paused = true;
    const seenBefore = botMessages(h, fan.id).length;
    tg(h).pushCommand({ command: "link", args: "WRNG-ZZZZ", from: fan });
    expect(await deliver(lastUpdate())).toBe(200);
    expect(
      botMessages(h, fan.id)
        .slice(seenBefore)
        .map((m) => m.text),
    ).toEqual([expect.stringContaining("This code is not valid")]);

    await cluster.halt("fast");
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    const joinUpdate = lastUpdate();
    expect(joinUpdate.chat_join_request?.from.id).toBe(fan.id);
    expect(await deliver(joinUpdate)).toBeGreaterThanOrEqual(500);
    // Any update that fails for want of the database: 5xx, and no apology (the redelivery answers).
    const seen = botMessages(h, fan.id).length;
    tg(h).pushCommand({ command: "membership", from: fan });
    const membershipUpdate = lastUpdate();
    expect(await deliver(membershipUpdate)).toBeGreaterThanOrEqual(500);
    expect(botMessages(h, fan.id).length).toBe(seen);
    expect(approvalsOf(h, fan.id)).toHaveLength(0);

    // Telegram redelivers once the database is back: each update is handled, once.
    await cluster.resume();
    expect(await deliver(joinUpdate)).toBe(200);
    await waitForStatus(h, lounge.id, fan.id, "member");
    expect(await deliver(membershipUpdate)).toBe(200);
    const answers = botMessages(h, fan.id).slice(seen);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.text).toContain("Gold");
    // A duplicate delivery of the decided join request changes nothing.
    expect(await deliver(joinUpdate)).toBe(200);
    expect(
      h.logs.events("telegram.join_request_duplicate").some((l) => l.updateId === joinUpdate.update_id),
    ).toBe(true);
    expect(approvalsOf(h, fan.id)).toHaveLength(1);
    expect(h.logs.events("telegram.webhook_update_failed").length).toBeGreaterThanOrEqual(2);
    paused = false;
  }, 120_000);
});
