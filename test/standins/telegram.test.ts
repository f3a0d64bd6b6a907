import { autoRetry } from "@grammyjs/auto-retry";
import { run } from "@grammyjs/runner";
import type { Update } from "@grammyjs/types";
import { Bot, GrammyError } from "grammy";
import { afterEach, describe, expect, it } from "vitest";
import { startTelegramStandin, type TelegramStandin, type TelegramStandinOptions } from "./telegram.ts";
import { chatMember, supergroup, user } from "./telegram-payloads.ts";

const owner = user({ first_name: "Owner" });
const fan = user({ first_name: "Fan" });
const friend = user({ first_name: "Friend" });
const group = supergroup({ title: "Tribe VIP" });

let standin: TelegramStandin | undefined;
let stopBot: (() => Promise<unknown>) | undefined;

afterEach(async () => {
  await stopBot?.();
  await standin?.close();
  stopBot = undefined;
  standin = undefined;
});

async function setup(options: TelegramStandinOptions = {}) {
  standin = await startTelegramStandin(options);
  standin.addChat(group, { members: [chatMember.creator(owner)] });
  const bot = new Bot(standin.token, { client: { apiRoot: standin.apiRoot } });
  return { standin, bot };
}

/** bot.start() with a way to stop it from afterEach; resolves once polling runs. */
async function startPolling(bot: Bot, allowedUpdates?: Exclude<keyof Update, "update_id">[]) {
  let running: Promise<void> | undefined;
  await new Promise<void>((resolve) => {
    running = bot.start({
      onStart: () => resolve(),
      ...(allowedUpdates && { allowed_updates: allowedUpdates }),
    });
  });
  stopBot = async () => {
    await bot.stop();
    await running;
  };
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof GrammyError ? `${e.error_code} ${e.description}` : String(e)),
  );

describe("Telegram stand-in with grammY", () => {
  it("long-polls: a pushed /start reaches bot.command and the reply is recorded; stop() ends promptly", async () => {
    const { standin, bot } = await setup();
    bot.command("start", (ctx) => ctx.reply(`Welcome! code=${ctx.match}`));
    await startPolling(bot);

    standin.pushCommand({ command: "start", args: "abc123", from: fan });
    const sent = await standin.waitForCall((c) => c.method === "sendMessage");
    expect(sent.params).toMatchObject({ chat_id: fan.id, text: "Welcome! code=abc123" });
    expect(standin.messages(fan.id).map((m) => m.text)).toEqual(["/start abc123", "Welcome! code=abc123"]);

    // Stop while the next long poll (timeout 30 s) is waiting.
    await expect
      .poll(() => standin.calls.filter((c) => c.method === "getUpdates").at(-1)?.status)
      .toBe("pending");
    const started = Date.now();
    await stopBot?.();
    stopBot = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
    // The aborted long poll was seen going away; the final getUpdates confirmed the offset.
    expect(standin.calls.some((c) => c.method === "getUpdates" && c.status === "gone")).toBe(true);
    expect(standin.pendingUpdates).toHaveLength(0);
  });

  it("delivers chat_join_request; approveChatJoinRequest adds the member and emits chat_member", async () => {
    const { standin, bot } = await setup();
    const seen: string[] = [];
    bot.on("chat_join_request", async (ctx) => {
      seen.push(`request:${ctx.from.id}`);
      await ctx.approveChatJoinRequest(ctx.from.id);
    });
    bot.on("chat_member", (ctx) => {
      seen.push(`member:${ctx.chatMember.new_chat_member.status}:${ctx.chatMember.invite_link?.name}`);
    });
    await startPolling(bot, ["message", "chat_join_request", "chat_member"]);

    const link = await bot.api.createChatInviteLink(group.id, { creates_join_request: true, name: "fan-42" });
    expect(link.invite_link).toMatch(/^https:\/\/t\.me\/\+[\w-]{16}$/);
    expect(standin.userJoinsViaLink(fan, link.invite_link).outcome).toBe("requested");

    await standin.waitForCall((c) => c.method === "approveChatJoinRequest");
    expect(standin.member(group.id, fan.id)?.status).toBe("member");
    await expect.poll(() => seen).toEqual([`request:${fan.id}`, "member:member:fan-42"]);
    expect(await errorOf(bot.api.approveChatJoinRequest(group.id, fan.id))).toBe(
      "400 Bad Request: HIDE_REQUESTER_MISSING",
    );
  });

  it("drops chat_member updates the bot did not ask for, as Telegram does", async () => {
    const { standin, bot } = await setup();
    bot.on("message", () => {});
    await startPolling(bot); // default allowed_updates: no chat_member
    const link = await bot.api.createChatInviteLink(group.id, {});
    standin.userJoinsViaLink(fan, link.invite_link);
    standin.pushCommand({ command: "help", from: fan });
    await expect.poll(() => standin.pendingUpdates.length).toBe(0);
    expect(standin.droppedUpdates.map((u) => Object.keys(u)[1])).toEqual(["chat_member"]);
  });

  it("invite links: member_limit 1, revocation, and missing rights", async () => {
    const { standin, bot } = await setup();
    const link = await bot.api.createChatInviteLink(group.id, {
      member_limit: 1,
      expire_date: 4_102_444_800,
    });
    expect(link).toMatchObject({ member_limit: 1, creates_join_request: false, is_revoked: false });
    expect(standin.userJoinsViaLink(fan, link.invite_link).outcome).toBe("joined");
    expect(standin.userJoinsViaLink(friend, link.invite_link).outcome).toBe("limit_reached");
    await bot.api.revokeChatInviteLink(group.id, link.invite_link);
    expect(standin.userJoinsViaLink(friend, link.invite_link).outcome).toBe("link_invalid");
    expect(
      await errorOf(bot.api.createChatInviteLink(group.id, { member_limit: 1, creates_join_request: true })),
    ).toMatch(/^400 Bad Request: member_limit/);

    standin.setBotRights(group.id, "member");
    expect(await errorOf(bot.api.createChatInviteLink(group.id, {}))).toBe(
      "400 Bad Request: not enough rights to manage chat invite link",
    );
    expect(await errorOf(bot.api.banChatMember(group.id, fan.id))).toBe(
      "400 Bad Request: not enough rights to restrict/unrestrict chat member",
    );
  });

  it("ban, unban with only_if_banned, getChatMember and administrators", async () => {
    const { standin, bot } = await setup();
    const link = await bot.api.createChatInviteLink(group.id, {});
    standin.userJoinsViaLink(fan, link.invite_link);
    standin.addUser(friend);

    await bot.api.banChatMember(group.id, fan.id);
    expect((await bot.api.getChatMember(group.id, fan.id)).status).toBe("kicked");
    expect(standin.userJoinsViaLink(fan, link.invite_link).outcome).toBe("banned");
    await bot.api.unbanChatMember(group.id, fan.id, { only_if_banned: true });
    expect((await bot.api.getChatMember(group.id, fan.id)).status).toBe("left");
    expect((await bot.api.getChatMember(group.id, friend.id)).status).toBe("left");
    expect(await errorOf(bot.api.banChatMember(group.id, owner.id))).toBe(
      "400 Bad Request: can't remove chat owner",
    );

    const admins = await bot.api.getChatAdministrators(group.id);
    expect(admins.map((a) => a.status).sort()).toEqual(["administrator", "creator"]);
    expect(admins.find((a) => a.status === "administrator")).toMatchObject({
      user: { id: standin.bot.id },
      can_invite_users: true,
      can_restrict_members: true,
    });
  });

  it("private messages: conversation required, blocked users, edits, parse errors", async () => {
    const { standin, bot } = await setup();
    expect(await errorOf(bot.api.sendMessage(fan.id, "hi"))).toBe("400 Bad Request: chat not found");
    standin.addUser(fan);
    expect(await errorOf(bot.api.sendMessage(fan.id, "hi"))).toBe(
      "403 Forbidden: bot can't initiate conversation with a user",
    );
    standin.pushCommand({ command: "start", from: fan });
    const sent = await bot.api.sendMessage(fan.id, "Pick a tier", {
      reply_markup: { inline_keyboard: [[{ text: "Gold", callback_data: "tier:gold" }]] },
    });
    expect(sent).toMatchObject({ chat: { id: fan.id, type: "private" }, from: { id: standin.bot.id } });
    await bot.api.editMessageText(fan.id, sent.message_id, "Picked Gold");
    expect(await errorOf(bot.api.editMessageText(fan.id, sent.message_id, "Picked Gold"))).toMatch(
      /^400 Bad Request: message is not modified/,
    );
    expect(await errorOf(bot.api.sendMessage(fan.id, "Price: 5.00", { parse_mode: "MarkdownV2" }))).toMatch(
      /^400 Bad Request: can't parse entities: Character '\.' is reserved/,
    );
    await bot.api.sendMessage(fan.id, "Price: 5\\.00 *bold* [site](https://x.test/a-b)", {
      parse_mode: "MarkdownV2",
    });

    standin.userBlocksBot(fan.id);
    expect(await errorOf(bot.api.sendMessage(fan.id, "hi"))).toBe(
      "403 Forbidden: bot was blocked by the user",
    );
    standin.userBlocksBot(fan.id, false);
    standin.failNext("sendMessage", { kind: "blocked" }, { when: (p) => p.chat_id === fan.id });
    expect(await errorOf(bot.api.sendMessage(fan.id, "hi"))).toBe(
      "403 Forbidden: bot was blocked by the user",
    );
  });

  it("replies: reply_parameters is kept as reply_to_message; a missing message is refused unless allowed", async () => {
    const { standin, bot } = await setup();
    const root = await bot.api.sendMessage(group.id, "💬 Shortlisted: Vlog");
    const reply = await bot.api.sendMessage(group.id, "Thanks!", {
      reply_parameters: { message_id: root.message_id },
    });
    expect(reply.message_id).toBe(root.message_id + 1);
    expect(reply.reply_to_message).toMatchObject({
      message_id: root.message_id,
      text: "💬 Shortlisted: Vlog",
    });
    // The stored message carries it too (the replied one without its own reply).
    const stored = standin.messages(group.id).find((m) => m.message_id === reply.message_id);
    expect(stored?.reply_to_message?.message_id).toBe(root.message_id);
    expect(await errorOf(bot.api.sendMessage(group.id, "x", { reply_parameters: { message_id: 999 } }))).toBe(
      "400 Bad Request: message to be replied not found",
    );
    const anyway = await bot.api.sendMessage(group.id, "x", {
      reply_parameters: { message_id: 999, allow_sending_without_reply: true },
    });
    expect(anyway.reply_to_message).toBeUndefined();
    // A fan's reply pushed as an update carries the message it answers.
    const update = standin.pushMessage({
      message_id: 0,
      date: 0,
      chat: group,
      from: fan,
      text: "Yes please",
      reply_to_message: { message_id: root.message_id } as never,
    });
    expect(update.message?.reply_to_message).toMatchObject({ message_id: root.message_id, text: root.text });
  });

  it("polls: votes reach poll_answer, stopPoll closes; a callback query is answerable once", async () => {
    const { standin, bot } = await setup();
    const votes: number[][] = [];
    bot.on("poll_answer", (ctx) => {
      votes.push(ctx.pollAnswer.option_ids);
    });
    bot.on("callback_query:data", (ctx) => ctx.answerCallbackQuery({ text: "Saved" }));
    await startPolling(bot, ["poll_answer", "callback_query"]);

    const sent = await bot.api.sendPoll(group.id, "Next video?", ["Tour", "Q&A"], { is_anonymous: false });
    standin.userVotes(fan, sent.poll.id, [1]);
    await expect.poll(() => votes).toEqual([[1]]);
    const closed = await bot.api.stopPoll(group.id, sent.message_id);
    expect(closed).toMatchObject({ is_closed: true, total_voter_count: 1 });
    expect(closed.options.map((o) => o.voter_count)).toEqual([0, 1]);
    expect(await errorOf(bot.api.sendPoll(group.id, "Q", ["a", "b"], { open_period: 3_600 }))).toBe(
      "400 Bad Request: POLL_OPEN_PERIOD_INVALID",
    );

    const click = standin.pushCallbackQuery({ from: fan, data: "tier:gold" });
    await standin.waitForCall((c) => c.method === "answerCallbackQuery");
    expect(standin.callbackAnswers.get(click.callback_query?.id ?? "")).toMatchObject({ text: "Saved" });
    expect(await errorOf(bot.api.answerCallbackQuery(click.callback_query?.id ?? ""))).toMatch(
      /query is too old/,
    );
  });

  it("a 429 with retry_after is retried by @grammyjs/auto-retry", async () => {
    const { standin, bot } = await setup();
    bot.api.config.use(autoRetry());
    standin.pushCommand({ command: "start", from: fan });
    standin.failNext("sendMessage", { kind: "rate_limit", retryAfter: 1 });
    const started = Date.now();
    await bot.api.sendMessage(fan.id, "hello");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(standin.callsOf("sendMessage").map((c) => c.status)).toEqual([429, 200]);
    expect(standin.callsOf("sendMessage")[0]?.response).toEqual({
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
  });

  it("works with @grammyjs/runner: run(bot) handles updates and handle.stop() ends promptly", async () => {
    const { standin, bot } = await setup();
    const texts: string[] = [];
    bot.on("message:text", (ctx) => {
      texts.push(ctx.message.text);
    });
    const handle = run(bot);
    stopBot = () => handle.stop() ?? Promise.resolve();
    standin.pushCommand({ command: "join", args: "gold", from: fan });
    await expect.poll(() => texts).toEqual(["/join gold"]);
    // Stop while the next long poll is waiting.
    await expect
      .poll(() => standin.calls.filter((c) => c.method === "getUpdates").at(-1)?.status)
      .toBe("pending");

    const started = Date.now();
    await handle.stop();
    stopBot = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(handle.isRunning()).toBe(false);
    await expect
      .poll(() => standin.calls.filter((c) => c.method === "getUpdates").at(-1)?.status)
      .toBe("gone");
  });

  it("answers 409 to the older of two pollers and when a webhook is set", async () => {
    const { bot } = await setup();
    const first = bot.api.getUpdates({ timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = bot.api.getUpdates({ timeout: 0 });
    expect(await errorOf(first)).toMatch(/^409 Conflict: terminated by other getUpdates request/);
    expect(await second).toEqual([]);
    await bot.api.setWebhook("https://bot.example.test/telegram");
    expect(await errorOf(bot.api.getUpdates())).toMatch(
      /^409 Conflict: can't use getUpdates method while webhook/,
    );
    expect((await bot.api.getWebhookInfo()).url).toBe("https://bot.example.test/telegram");
  });

  it("an outage holds calls unanswered until grammY's timeout fires; late calls were carried out; end() serves who still waits", async () => {
    const { standin } = await setup();
    standin.addUser(fan, { talkedToBot: true });
    standin.addChat(group, { members: [chatMember.creator(owner), chatMember.member(fan)] });
    const hasty = new Bot(standin.token, { client: { apiRoot: standin.apiRoot, timeoutSeconds: 1 } });
    const patient = new Bot(standin.token, { client: { apiRoot: standin.apiRoot } });
    const outage = standin.outage({
      methods: ["sendMessage", "banChatMember", "getUpdates"],
      mode: (call) => (call.method === "sendMessage" ? "late" : "hang"),
    });

    // "late": carried out at once, the answer never reaches the client.
    expect(await errorOf(hasty.api.sendMessage(fan.id, "hello"))).toContain(
      "Network request for 'sendMessage' failed",
    );
    expect(standin.messages(fan.id).map((m) => m.text)).toEqual(["hello"]);
    // "hang": not carried out.
    expect(await errorOf(hasty.api.banChatMember(group.id, fan.id))).toContain("Network request");
    expect(standin.member(group.id, fan.id)?.status).toBe("member");
    // Methods outside the outage answer as usual.
    expect((await hasty.api.getChatMember(group.id, fan.id)).status).toBe("member");
    await expect
      .poll(() => outage.calls.map((c) => [c.method, c.outage, c.status]))
      .toEqual([
        ["sendMessage", "late", "gone"],
        ["banChatMember", "hang", "gone"],
      ]);
    expect(outage.calls[0]!.settledAt! - outage.calls[0]!.time).toBeLessThan(5_000);

    // A long poll gets nothing during the outage; a request still waiting at end() is carried out then.
    const poll = patient.api.getUpdates({ timeout: 30 });
    const ban = patient.api.banChatMember(group.id, fan.id);
    standin.pushCommand({ command: "start", from: fan });
    await expect.poll(() => outage.calls.filter((c) => c.status === "hang").length).toBe(2);
    expect(standin.member(group.id, fan.id)?.status).toBe("member");
    outage.end();
    expect(await ban).toBe(true);
    expect(standin.member(group.id, fan.id)?.status).toBe("kicked");
    expect((await poll).map((u) => u.message?.text)).toEqual(["/start"]);
    expect(await hasty.api.sendMessage(fan.id, "again")).toMatchObject({ text: "again" });
  });

  it("an outage starting while a long poll waits holds that poll too", async () => {
    const { standin, bot } = await setup();
    const poll = bot.api.getUpdates({ timeout: 30 });
    await expect.poll(() => standin.callsOf("getUpdates").at(-1)?.status).toBe("pending");
    const outage = standin.outage();
    standin.pushCommand({ command: "start", from: fan });
    await new Promise((r) => setTimeout(r, 100));
    expect(standin.callsOf("getUpdates").at(-1)?.status).toBe("hang");
    outage.end();
    expect((await poll).map((u) => u.message?.text)).toEqual(["/start"]);
  });
  it("flood limits (when enforced): one message a second per private chat, 20 a minute per group, 30 a second in all, answered 429 with retry_after", async () => {
    const { standin, bot } = await setup();
    standin.addUser(fan, { talkedToBot: true });
    standin.addUser(friend, { talkedToBot: true });
    standin.enforceFloodLimits({ perSecond: 3, perChatPerSecond: 1, perGroupPerMinute: 2 });
    await bot.api.sendMessage(fan.id, "one");
    expect(await errorOf(bot.api.sendMessage(fan.id, "two"))).toBe("429 Too Many Requests: retry after 1");
    await bot.api.sendMessage(friend.id, "one");
    await bot.api.sendMessage(group.id, "one");
    // Three sent this second in all: a fourth chat waits too.
    expect(await errorOf(bot.api.sendMessage(group.id, "two"))).toBe("429 Too Many Requests: retry after 1");
    await new Promise((r) => setTimeout(r, 1_050));
    await bot.api.sendMessage(fan.id, "two");
    await bot.api.sendMessage(group.id, "two");
    // The group had its two this minute: the next waits for the first to be a minute old.
    const third = await errorOf(bot.api.sendMessage(group.id, "three"));
    expect(third).toMatch(/^429 Too Many Requests: retry after (5[89]|60)$/);
    expect(standin.floodRefusals).toBe(3);
    // auto-retry waits out what it is told (here: the private chat's second).
    bot.api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 2 }));
    await bot.api.sendMessage(friend.id, "two");
    await bot.api.sendMessage(friend.id, "three");
    expect(standin.floodRefusals).toBe(4);
    standin.enforceFloodLimits(undefined);
    await bot.api.sendMessage(group.id, "free again");
  });
});
