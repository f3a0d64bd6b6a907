import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEED_BURST_MS } from "../../../src/app/feed.ts";
import { createTier } from "../../../src/app/tiers.ts";
import { adminRights, supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  buttons,
  CREATOR,
  command,
  fanJoins,
  goldTierInChat,
  inviteLinkSent,
  nextBotMessage,
  startCheckoutFromTelegram,
  startTelegramHarness,
  tg,
  waitForStatus,
} from "./helpers.ts";

const DAY = 24 * 60 * 60 * 1000;

describe("Telegram memberships end to end (PGlite)", () => {
  let h: TelegramHarness;
  const gold = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite");
    await goldTierInChat(h, gold);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a fan pays and is let in through a join request on their own link", async () => {
    const fan = user({ language_code: "fr" });
    await fanJoins(h, fan, "gold", gold);
    const link = tg(h).callsOf("createChatInviteLink").at(-1)!.params;
    expect(link).toMatchObject({
      chat_id: String(gold.id),
      creates_join_request: true,
      name: `member ${fan.id}`,
    });
    expect(link).not.toHaveProperty("member_limit");
    const welcome = botMessages(h, fan.id).find((m) => m.text?.includes("t.me/+"))!;
    expect(welcome.text).toContain("Bienvenue dans Gold");
    expect(tg(h).callsOf("approveChatJoinRequest").at(-1)!.params).toMatchObject({ user_id: fan.id });
    await h.logs.waitFor("telegram.join_approved", 5_000, (l) => l.userId === String(fan.id));
    await h.logs.waitFor("access.granted", 5_000, (l) => l.userId === String(fan.id));
  });

  it("a stranger's join request is declined with a reason, and a forwarded link lets nobody else in", async () => {
    const fan = user();
    await fanJoins(h, fan, "gold", gold);
    tg(h).userLeaves(fan, gold.id);
    const fansLink = (await h.deps.db.telegramInvite.findFirstOrThrow({ where: { userId: String(fan.id) } }))
      .inviteLink;

    // The fan forwards their link to a friend who never paid.
    const friend = user();
    expect(tg(h).userJoinsViaLink(friend, fansLink).outcome).toBe("requested");
    const told = await nextBotMessage(h, friend.id, 0);
    expect(told.text).toContain("made for another member");
    expect(told.text).toContain("t.me/tribegate_bot?start=gold");
    await expect
      .poll(() =>
        tg(h)
          .joinRequests(gold.id)
          .some((r) => r.from.id === friend.id),
      )
      .toBe(false);
    expect(tg(h).member(gold.id, friend.id)?.status ?? "left").toBe("left");
    expect(tg(h).callsOf("declineChatJoinRequest").at(-1)!.params).toMatchObject({ user_id: friend.id });
    // Nothing changed for the fan: their link still works for them.
    expect(
      tg(h)
        .inviteLinks(gold.id)
        .find((l) => l.invite_link === fansLink)?.is_revoked,
    ).toBe(false);
    expect(tg(h).userJoinsViaLink(fan, fansLink).outcome).toBe("requested");
    await waitForStatus(h, gold.id, fan.id, "member");

    // Someone who never paid asks through an ordinary join-request link of the chat.
    const stranger = user();
    const open = await h.app.telegram!.bot.api.createChatInviteLink(gold.id, { creates_join_request: true });
    expect(tg(h).userJoinsViaLink(stranger, open.invite_link).outcome).toBe("requested");
    expect((await nextBotMessage(h, stranger.id, 0)).text).toContain("is for members only");
    await h.logs.waitFor("telegram.join_declined", 5_000, (l) => l.userId === String(stranger.id));
    expect(tg(h).member(gold.id, stranger.id)?.status ?? "left").toBe("left");
  });

  it("someone who gets in by a link that was not theirs is removed, and the link revoked", async () => {
    // A link without approval (as an administrator might make), passed around.
    const leaked = await h.app.telegram!.bot.api.createChatInviteLink(gold.id, { member_limit: 5 });
    const intruder = user();
    expect(tg(h).userJoinsViaLink(intruder, leaked.invite_link).outcome).toBe("joined");
    await waitForStatus(h, gold.id, intruder.id, "left");
    expect(
      tg(h)
        .callsOf("banChatMember")
        .some((c) => c.params.user_id === intruder.id),
    ).toBe(true);
    expect(
      tg(h)
        .callsOf("unbanChatMember")
        .find((c) => c.params.user_id === intruder.id)?.params,
    ).toMatchObject({
      only_if_banned: true,
    });
    await h.logs.waitFor("telegram.intruder_removed", 5_000, (l) => l.userId === intruder.id);
    expect(
      tg(h)
        .inviteLinks(gold.id)
        .find((l) => l.invite_link === leaked.invite_link)?.is_revoked,
    ).toBe(true);
  });

  it("payment fails: a reminder with the portal link, removal by ban+unban after the grace period, back in after paying", async () => {
    const fan = user();
    const subscriptionId = await fanJoins(h, fan, "gold", gold);
    let seen = botMessages(h, fan.id).length;

    h.stripe.updateSubscription(subscriptionId, { status: "past_due" });
    await h.deliverAll();
    const reminder = await nextBotMessage(h, fan.id, seen);
    expect(reminder.text).toContain("did not go through");
    expect(buttons(reminder).some((b) => "url" in b && b.url.includes("/billing/"))).toBe(true);
    expect(tg(h).member(gold.id, fan.id)?.status).toBe("member"); // still inside the grace period

    // Let the reminder task settle first: jumping the test clock by days would expire its lease mid-run.
    await h.logs.waitFor("task.done", 5_000, (l) =>
      String(l.key).startsWith(`notify:payment_failed:${subscriptionId}`),
    );
    seen = botMessages(h, fan.id).length;
    h.clock.advance(3 * DAY + 60_000);
    h.app.wake();
    await waitForStatus(h, gold.id, fan.id, "left");
    const ban = tg(h)
      .callsOf("banChatMember")
      .find((c) => c.params.user_id === fan.id)!;
    const unban = tg(h)
      .callsOf("unbanChatMember")
      .find((c) => c.params.user_id === fan.id)!;
    expect(unban.params).toMatchObject({ chat_id: String(gold.id), only_if_banned: true });
    expect(unban.seq).toBeGreaterThan(ban.seq);
    await nextBotMessage(h, fan.id, seen, (m) => Boolean(m.text?.includes("you were removed")));
    expect(botMessages(h, fan.id).filter((m) => m.text?.includes("did not go through"))).toHaveLength(1);
    // Their old link no longer opens the door.
    expect(
      tg(h)
        .inviteLinks(gold.id)
        .filter((l) => l.name === `member ${fan.id}`)
        .every((l) => l.is_revoked),
    ).toBe(true);

    seen = botMessages(h, fan.id).length;
    h.stripe.updateSubscription(subscriptionId, { status: "active" });
    await h.deliverAll();
    const link = await inviteLinkSent(h, fan, seen);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, gold.id, fan.id, "member");
  });

  it("/membership shows the tier and its state in the fan's language, with the portal button", async () => {
    const fan = user({ language_code: "fr" });
    await fanJoins(h, fan, "gold", gold);
    const answer = await command(h, fan, "membership");
    expect(answer.text).toContain("Gold : actif");
    expect(JSON.stringify(answer.reply_markup)).toMatch(/https?:\/\//);
  });

  it("a member who leaves keeps the membership and /claim lets them back in", async () => {
    const fan = user();
    await fanJoins(h, fan, "gold", gold);
    tg(h).userLeaves(fan, gold.id);
    await h.logs.waitFor("telegram.member_left", 5_000, (l) => l.userId === fan.id);
    const seen = botMessages(h, fan.id).length;
    const answer = await command(h, fan, "claim");
    expect(answer.text).toContain("your link to 1 chat is on the way.");
    const link = await inviteLinkSent(h, fan, seen);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, gold.id, fan.id, "member");
  });

  it("a fan who already left when the membership ends: the revoke completes without a ban", async () => {
    const fan = user();
    const subscriptionId = await fanJoins(h, fan, "gold", gold);
    tg(h).userLeaves(fan, gold.id);
    h.stripe.updateSubscription(subscriptionId, { status: "canceled" });
    await h.deliverAll();
    const revoked = await h.logs.waitFor("access.revoked", 10_000, (l) => l.userId === String(fan.id));
    expect(String(revoked.msg)).toContain("not in the chat");
    expect(
      tg(h)
        .callsOf("banChatMember")
        .some((c) => c.params.user_id === fan.id),
    ).toBe(false);
    expect(tg(h).member(gold.id, fan.id)?.status).toBe("left");
  });

  it("a grant run again for the same change (its outcome lost, the same wish repeated) sends one invite", async () => {
    const fan = user();
    tg(h).addUser(fan);
    const sessionId = await startCheckoutFromTelegram(h, fan, "gold");
    const seen = botMessages(h, fan.id).length;
    await pay(h, sessionId);
    await inviteLinkSent(h, fan, seen, gold.title);
    await h.logs.waitFor("access.granted", 10_000, (l) => l.userId === String(fan.id));
    const linksBefore = tg(h).callsOf("createChatInviteLink").length;
    const messagesBefore = botMessages(h, fan.id).length;
    // As if its completion had been lost: the same job, same change, due again.
    await h.deps.db.accessJob.updateMany({
      where: { platformUserId: String(fan.id) },
      data: { state: "pending", runAfter: new Date(), finishedAt: null },
    });
    h.app.wake();
    await h.logs.waitFor(
      "access.granted",
      10_000,
      (l) => l.userId === String(fan.id) && String(l.msg).includes("already sent for this change"),
    );
    expect(tg(h).callsOf("createChatInviteLink").length).toBe(linksBefore);
    expect(botMessages(h, fan.id).length).toBe(messagesBefore);
    // /claim is the fan asking again: that one does send a fresh link.
    await command(h, fan, "claim");
    await expect
      .poll(() => tg(h).callsOf("createChatInviteLink").length, { timeout: 10_000 })
      .toBe(linksBefore + 1);
  });

  it("a fan who blocked the bot: the grant completes cleanly", async () => {
    const fan = user();
    tg(h).addUser(fan);
    const sessionId = await startCheckoutFromTelegram(h, fan, "gold");
    tg(h).userBlocksBot(fan.id);
    await pay(h, sessionId);
    const granted = await h.logs.waitFor("access.granted", 10_000, (l) => l.userId === String(fan.id));
    expect(String(granted.msg)).toContain("cannot be messaged");
    const job = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: String(fan.id) } });
    expect(job.state).toBe("done");
  });

  it("a 429 from Telegram is waited out and the fan still gets in", async () => {
    tg(h).failNext("createChatInviteLink", { kind: "rate_limit", retryAfter: 1 });
    const before = tg(h).callsOf("createChatInviteLink").length;
    const fan = user();
    await fanJoins(h, fan, "gold", gold);
    const calls = tg(h).callsOf("createChatInviteLink").slice(before);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.time - calls[0]!.time).toBeGreaterThanOrEqual(900);
  });

  it("tampered or replayed buttons are refused and nothing is started", async () => {
    const fan = user();
    tg(h).addUser(fan);
    const menu = await command(h, fan, "start");
    const data = (buttons(menu)[0] as { callback_data: string }).callback_data;
    const sessionsBefore = h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length;
    const tampered = data.replace(/^buy:./, (m) => (m.endsWith("a") ? "buy:b" : "buy:a"));
    const q1 = tg(h).pushCallbackQuery({ from: fan, data: tampered, message: menu });
    const other = user();
    tg(h).addUser(other);
    const q2 = tg(h).pushCallbackQuery({ from: other, data, message: menu });
    for (const q of [q1, q2]) {
      await expect
        .poll(() => tg(h).callbackAnswers.get(q.callback_query!.id))
        .toMatchObject({
          show_alert: true,
          text: expect.stringContaining("not valid"),
        });
    }
    expect(h.stripe.calls.filter((c) => c.path === "/v1/checkout/sessions").length).toBe(sessionsBefore);
  });

  it("the bot losing its rights dead-letters the job with the reason, tells the creator in the feed, and /retryjob finishes it", async () => {
    await createTier(h.deps, {
      name: "Silver",
      slug: "silver",
      amount: 500,
      currency: "eur",
      interval: "month",
    });
    const silver = supergroup({ title: "Silver Room" });
    await bindNewChat(h, "silver", silver);
    let creatorSeen = botMessages(h, CREATOR.id).length;
    tg(h).setBotRights(silver.id, adminRights({ can_restrict_members: true }));
    const alert = await nextBotMessage(h, CREATOR.id, creatorSeen);
    expect(alert.text).toContain("missing these administrator rights: Invite users via link");
    await h.logs.waitFor("telegram.bot_rights_lost");

    const fan = user();
    tg(h).addUser(fan);
    creatorSeen = botMessages(h, CREATOR.id).length;
    await pay(h, await startCheckoutFromTelegram(h, fan, "silver"));
    await h.logs.waitFor("access.dead", 10_000, (l) => l.userId === String(fan.id));
    const job = await h.deps.db.accessJob.findFirstOrThrow({ where: { platformUserId: String(fan.id) } });
    expect(job.state).toBe("dead");
    expect(job.lastError).toContain("lacks an administrator right");
    expect(job.lastProblem).toEqual({ code: "rights_missing", chat: expect.any(String) });
    // The creator's feed says so once its burst window has passed (src/app/feed.ts).
    h.clock.advance(FEED_BURST_MS + 1_000);
    h.app.wake();
    const feed = (
      await nextBotMessage(
        h,
        CREATOR.id,
        creatorSeen,
        (m) => m.text?.includes("❌ Access change failed") === true,
      )
    ).text;
    expect(feed).toContain(`Access change failed for good (grant telegram:${silver.id}`);
    expect(feed).toContain("/retryjob all");
    const dead = (await command(h, CREATOR, "deadjobs")).text;
    expect(dead).toContain(`#${job.id} grant telegram:${silver.id}`);
    expect(dead).toContain("the bot lacks an administrator right in");

    tg(h).setBotRights(silver.id, adminRights({ can_restrict_members: true, can_invite_users: true }));
    const seen = botMessages(h, fan.id).length;
    expect((await command(h, CREATOR, "retryjob", "all")).text).toContain("1 job queued again.");
    const link = await inviteLinkSent(h, fan, seen);
    expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
    await waitForStatus(h, silver.id, fan.id, "member");
  });

  it("the bot removed from a bound chat is reported to the creator", async () => {
    await createTier(h.deps, {
      name: "Bronze",
      slug: "bronze",
      amount: 300,
      currency: "eur",
      interval: "month",
    });
    const bronze = supergroup({ title: "Bronze Hall" });
    await bindNewChat(h, "bronze", bronze);
    const seen = botMessages(h, CREATOR.id).length;
    tg(h).setBotRights(bronze.id, "none");
    expect((await nextBotMessage(h, CREATOR.id, seen)).text).toContain("I was removed from “Bronze Hall”");
    await h.logs.waitFor("telegram.bot_removed", 5_000, (l) => l.chatId === String(bronze.id));
  });

  it("20 fans paying one after another each get an invite and are approved (times printed)", async () => {
    const toInvite: number[] = [];
    const toApproved: number[] = [];
    for (let i = 0; i < 20; i++) {
      const fan = user();
      tg(h).addUser(fan);
      const sessionId = await startCheckoutFromTelegram(h, fan, "gold");
      h.stripe.completeCheckout(sessionId);
      const seen = botMessages(h, fan.id).length;
      const t0 = performance.now();
      await h.deliverAll();
      const link = await inviteLinkSent(h, fan, seen);
      toInvite.push(performance.now() - t0);
      tg(h).userJoinsViaLink(fan, link);
      await waitForStatus(h, gold.id, fan.id, "member");
      toApproved.push(performance.now() - t0);
    }
    const stat = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { median: Math.round((s[9]! + s[10]!) / 2), worst: Math.round(s[19]!) };
    };
    const figures = { deliveryToInviteMs: stat(toInvite), deliveryToApprovedMs: stat(toApproved) };
    process.stdout.write(`[telegram latency, PGlite, 20 fans] ${JSON.stringify(figures)}\n`);
    expect(toApproved).toHaveLength(20);
  });
});
