/**
 * Driving the real bot the way people do on Telegram: commands and button presses pushed into the
 * stand-in's long poll, invite links opened, payments completed on the Stripe stand-in.
 */
import type { Chat, Message, User } from "@grammyjs/types";
import { expect } from "vitest";
import { createTier } from "../../../src/app/tiers.ts";
import type { TelegramStandin } from "../../standins/telegram.ts";
import { BOT_ADMIN_RIGHTS, chatMember, type GroupChat, user } from "../../standins/telegram-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import { type Backend, type Harness, startHarness, type TelegramHarness } from "../harness.ts";

export const CREATOR: User = user({ id: 7_000_001, first_name: "Creator", username: "the_creator" });

export async function startTelegramHarness<const D extends boolean = false>(
  backend: Backend,
  opts: {
    discord?: D;
    /** Shorter deadlines for calls Telegram does not answer (the fault tests). */
    timeouts?: { requestTimeoutSeconds?: number; pollTimeoutSeconds?: number };
  } = {},
): Promise<Harness<{ telegram: true; discord: D }>> {
  const { timeouts } = opts;
  const h = await startHarness({
    backend,
    telegram: true,
    discord: opts.discord === true,
    env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
    ...(timeouts
      ? { configure: (config) => ({ ...config, telegram: { ...config.telegram!, ...timeouts } }) }
      : {}),
  });
  // The Discord stand-in runs exactly when `discord` is true, as the type says.
  return h as Harness<{ telegram: true; discord: D }>;
}

/** The usual opening: a Gold tier (10 EUR a month), the creator's /start, and `chat` bound to Gold. */
export async function goldTierInChat(h: TelegramHarness, chat: GroupChat): Promise<void> {
  await createTier(h.deps, { name: "Gold", slug: "gold", amount: 1000, currency: "eur", interval: "month" });
  await creatorBindsChat(h, "gold", chat);
}

/** The creator starts the bot and binds `chat` to an existing tier (one created on Discord, say). */
export async function creatorBindsChat(h: TelegramHarness, tierSlug: string, chat: GroupChat): Promise<void> {
  tg(h).addUser(CREATOR);
  await command(h, CREATOR, "start");
  await bindNewChat(h, tierSlug, chat);
}

export function tg(h: TelegramHarness): TelegramStandin {
  return h.telegram;
}

/** The bot's messages in a chat (a user's private chat has the user's id). */
export function botMessages(h: TelegramHarness, chatId: number): Message[] {
  return tg(h)
    .messages(chatId)
    .filter((m) => m.from?.id === tg(h).bot.id);
}

/** Waits for the bot's next message in a chat after `seen` of its messages, optionally matching. */
export async function nextBotMessage(
  h: TelegramHarness,
  chatId: number,
  seen: number,
  match: (m: Message) => boolean = () => true,
  timeout = 10_000,
): Promise<Message> {
  return until(
    () => botMessages(h, chatId).slice(seen).find(match),
    `a message from the bot in chat ${chatId} (seen so far: ${JSON.stringify(
      botMessages(h, chatId)
        .slice(seen)
        .map((m) => m.text),
    )})`,
    timeout,
  );
}

/** Sends a command and waits for the bot's answer in the same chat. */
export async function command(
  h: TelegramHarness,
  from: User,
  name: string,
  args = "",
  chat?: Chat,
): Promise<Message> {
  const chatId = chat?.id ?? from.id;
  const seen = botMessages(h, chatId).length;
  tg(h).pushCommand({ command: name, ...(args ? { args } : {}), from, ...(chat ? { chat } : {}) });
  return nextBotMessage(h, chatId, seen);
}

export function buttons(m: Message) {
  return (m.reply_markup?.inline_keyboard ?? []).flat();
}

/** A group bound to a tier the way a creator does it: /bindcode in private, /bind in the group. */
export async function bindNewChat(h: TelegramHarness, tierSlug: string, chat: GroupChat): Promise<void> {
  tg(h).addChat(chat, { members: [chatMember.creator(CREATOR)], botStatus: BOT_ADMIN_RIGHTS });
  const answer = await command(h, CREATOR, "bindcode", tierSlug);
  const code = /: ([A-Z0-9]{8})\n/.exec(answer.text ?? "")?.[1];
  expect(code, answer.text).toBeDefined();
  const bound = await command(h, CREATOR, "bind", code!, chat);
  expect(bound.text).toContain("is now bound to tier");
}

/** /start <tier> → the tier's button → the private checkout link; returns the Checkout Session id. */
export async function startCheckoutFromTelegram(
  h: TelegramHarness,
  fan: User,
  tierSlug: string,
): Promise<string> {
  const menu = await command(h, fan, "start", tierSlug);
  const [button] = buttons(menu);
  expect(button && "callback_data" in button).toBe(true);
  const seen = botMessages(h, fan.id).length;
  tg(h).pushCallbackQuery({
    from: fan,
    data: (button as { callback_data: string }).callback_data,
    message: menu,
  });
  const checkout = await nextBotMessage(h, fan.id, seen);
  const pay = buttons(checkout).find((b) => "url" in b) as { url: string } | undefined;
  expect(pay?.url, checkout.text).toMatch(/\/checkout\/cs_/);
  return pay!.url.split("/").pop()!;
}

/** The personal invite link the bot sent the fan (the newest one after `seen` messages). */
export async function inviteLinkSent(
  h: TelegramHarness,
  fan: User,
  seen = 0,
  chatTitle = "",
): Promise<string> {
  const m = await nextBotMessage(
    h,
    fan.id,
    seen,
    (x) => /https:\/\/t\.me\/\+/.test(x.text ?? "") && (x.text ?? "").includes(chatTitle),
  );
  return /https:\/\/t\.me\/\+\S+/.exec(m.text ?? "")![0];
}

export async function waitForStatus(
  h: TelegramHarness,
  chatId: number,
  userId: number,
  status: string,
): Promise<void> {
  await until(
    () => (tg(h).member(chatId, userId)?.status ?? "none") === status,
    `user ${userId} to be ${status} in ${chatId} (is ${tg(h).member(chatId, userId)?.status})`,
  );
}

/** A whole paid membership: /start → button → checkout → pay → invite → join request → approved. */
export async function fanJoins(
  h: TelegramHarness,
  fan: User,
  tierSlug: string,
  chat: GroupChat,
): Promise<string> {
  tg(h).addUser(fan);
  const sessionId = await startCheckoutFromTelegram(h, fan, tierSlug);
  const seen = botMessages(h, fan.id).length;
  const subscriptionId = await pay(h, sessionId);
  const link = await inviteLinkSent(h, fan, seen, chat.title);
  expect(tg(h).userJoinsViaLink(fan, link).outcome).toBe("requested");
  await waitForStatus(h, chat.id, fan.id, "member");
  return subscriptionId;
}
