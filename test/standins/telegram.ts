/**
 * A local stand-in for the Telegram Bot API. grammY talks to it unmodified:
 * `new Bot(token, { client: { apiRoot: standin.apiRoot } })` → `POST /bot<token>/<method>`.
 *
 * It keeps chats with members, administrators and the bot's own rights, invite links, pending join
 * requests and sent messages; `getUpdates` really long-polls (offset, timeout, allowed_updates, 409 when
 * a second poller arrives); errors are Telegram's `{ ok: false, error_code, description, parameters? }`.
 * Tests push updates (numbered here) and simulate users (joining by link, leaving, voting).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  ApiMethods,
  BotCommand,
  CallbackQuery,
  Chat,
  ChatFullInfo,
  ChatInviteLink,
  ChatJoinRequest,
  ChatMember,
  ChatMemberUpdated,
  InlineKeyboardMarkup,
  Message,
  Opts,
  Poll,
  Update,
  User,
  UserFromGetMe,
  WebhookInfo,
} from "@grammyjs/types";
import {
  CallLog,
  clone,
  FaultQueue,
  onClientGone,
  parseForm,
  parseJson,
  type RecordedCall,
  readBody,
  type StartedServer,
  sendJson,
  startHttpServer,
  unixSeconds,
} from "./http.ts";
import {
  type AdminRights,
  BOT_ADMIN_RIGHTS,
  botFromToken,
  chatMember,
  chatMemberUpdated,
  commandMessage,
  type GroupChat,
  callbackQuery as makeCallbackQuery,
  chatJoinRequest as makeJoinRequest,
  pollAnswer,
  privateChat,
  type UpdateBody,
} from "./telegram-payloads.ts";

// ---------------------------------------------------------------------------------------------------
// Public types

export interface TelegramStandinOptions {
  /** The only token accepted (401 otherwise). The bot's id is its number before the colon. */
  token?: string;
  bot?: Partial<UserFromGetMe>;
  /**
   * Telegram delivers `chat_member`, `message_reaction` and `message_reaction_count` only to bots that
   * list them in `allowed_updates`; other updates of unrequested types are dropped. Default true.
   */
  enforceAllowedUpdates?: boolean;
  /**
   * Sending a private message requires the user to have talked to the bot (`/start`) or to have a
   * pending join request, as on Telegram ("Forbidden: bot can't initiate conversation with a user").
   * Default true.
   */
  requireConversation?: boolean;
}

export interface TelegramCall extends RecordedCall {
  /** The Bot API method, e.g. `sendMessage`. */
  readonly method: string;
  readonly token: string;
  readonly params: Record<string, unknown>;
  /** `{ ok, result }` or `{ ok: false, error_code, description }` as answered. */
  response: unknown;
  /** Set when an outage caught the call (see `TelegramStandin.outage`). */
  outage?: OutageMode;
}

/**
 * How an outage treats a call. `"hang"`: the request goes nowhere (not carried out, not answered).
 * `"late"`: it is carried out at once but its answer is held back (the answer is lost on the way back,
 * so the client cannot know the call worked).
 */
export type OutageMode = "hang" | "late";

export interface OutageOptions {
  /** Bot API methods affected; every method (getUpdates included) when omitted. */
  methods?: readonly string[];
  /** `"hang"` by default; a function chooses per call (e.g. from a seeded PRNG). getUpdates always hangs. */
  mode?: OutageMode | ((call: TelegramCall) => OutageMode);
}

export interface Outage {
  /** Calls this outage caught, in arrival order. */
  readonly calls: readonly TelegramCall[];
  /**
   * Telegram answers again. Held requests whose client still waits are served now (hung ones are
   * carried out then, late ones get their held answer); those whose client gave up stay `"gone"`.
   */
  end(): void;
}

/**
 * Telegram's flood limits for a bot, as its FAQ states them: about 30 messages a second in all, one a
 * second in one private chat, 20 a minute in one group. Past them Telegram answers 429 with
 * `retry_after` (seconds until the window has room again).
 */
export interface FloodLimits {
  perSecond: number;
  perChatPerSecond: number;
  perGroupPerMinute: number;
}

export const TELEGRAM_FLOOD_LIMITS: FloodLimits = {
  perSecond: 30,
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
};

/** The Bot API methods that send a message (and so count against the flood limits). */
const SENDING_METHODS = new Set([
  "sendMessage",
  "sendPhoto",
  "sendDocument",
  "sendPoll",
  "sendAnimation",
  "sendVideo",
  "sendAudio",
  "sendVoice",
  "sendMediaGroup",
  "copyMessage",
  "forwardMessage",
]);

export type TelegramFault =
  | { kind: "rate_limit"; retryAfter: number }
  | { kind: "server_error" }
  | { kind: "blocked" }
  | { kind: "error"; errorCode: number; description: string }
  /** Never answer (grammY's `timeoutSeconds` must fire). */
  | { kind: "hang" };

export interface ChatSetup {
  /** Members, administrators and the creator (the bot is added separately, see `botStatus`). */
  members?: ChatMember[];
  /** The bot's standing: admin rights (default: invite users + restrict members), `"member"` or `"none"`. */
  botStatus?: AdminRights | "member" | "none";
}

export type JoinOutcome =
  | { outcome: "joined"; update: Update | undefined }
  | { outcome: "requested"; update: Update }
  | { outcome: "link_invalid" | "limit_reached" | "banned" | "already_member" };

// ---------------------------------------------------------------------------------------------------

class TelegramError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new TelegramError(400, `Bad Request: ${what}`);
const forbidden = (what: string) => new TelegramError(403, `Forbidden: ${what}`);

/** Updates Telegram sends only when `allowed_updates` names them. */
const OPT_IN_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

interface LinkState {
  link: ChatInviteLink;
  joined: number;
}

interface ChatState {
  chat: Chat;
  members: Map<number, ChatMember>;
  links: Map<string, LinkState>;
  joinRequests: Map<number, ChatJoinRequest>;
  messages: Map<number, Message>;
  nextMessageId: number;
  /** Pinned messages' ids, the latest last. */
  pinned: number[];
}

interface HeldCall {
  release: () => void;
}

interface ActiveOutage {
  options: OutageOptions;
  calls: TelegramCall[];
  held: Set<HeldCall>;
}

const errorBody = (error: TelegramError) => ({
  ok: false,
  error_code: error.errorCode,
  description: error.description,
  ...(error.parameters && { parameters: error.parameters }),
});

const covers = (outage: ActiveOutage, method: string): boolean =>
  outage.options.methods === undefined || outage.options.methods.includes(method);

interface Poller {
  call: TelegramCall;
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout | undefined;
}

type Methods = ApiMethods<never>;
type Handlers = { [M in keyof Methods]?: (params: Opts<never>[M]) => ReturnType<Methods[M]> };

export class TelegramStandin {
  readonly apiRoot: string;
  readonly token: string;
  readonly bot: UserFromGetMe;
  /** Updates dropped because the bot's `allowed_updates` did not ask for their type. */
  readonly droppedUpdates: Update[] = [];
  /** Answers given with answerCallbackQuery, by callback query id. */
  readonly callbackAnswers = new Map<string, Opts<never>["answerCallbackQuery"]>();
  /** Every update ever pushed, in order (`pendingUpdates` only holds the unconfirmed ones). */
  readonly pushedUpdates: Update[] = [];

  readonly #http: StartedServer;
  readonly #options: TelegramStandinOptions;
  readonly #log = new CallLog<TelegramCall>(
    "Telegram",
    (c) => `#${c.seq} ${c.method} ${JSON.stringify(c.params).slice(0, 140)} → ${c.status}`,
  );
  readonly #faults = new FaultQueue<TelegramFault, TelegramCall>();
  readonly #handlers: Handlers;
  readonly #chats = new Map<number, ChatState>();
  /** Basic groups that became supergroups: old id → new id. */
  readonly #migrated = new Map<number, number>();
  readonly #users = new Map<number, User>();
  readonly #talkedToBot = new Set<number>();
  readonly #blockedBot = new Set<number>();
  readonly #callbackQueries = new Set<string>();
  readonly #commands = new Map<string, BotCommand[]>();
  readonly #polls = new Map<string, Poll>();
  readonly #outages = new Set<ActiveOutage>();
  #flood: FloodLimits | undefined;
  /** Send times (ms) in the last minute: all of them, and per chat. */
  #sent: number[] = [];
  readonly #sentTo = new Map<number, number[]>();
  /** 429 answers given by the flood limits. */
  floodRefusals = 0;
  #queue: Update[] = [];
  #nextUpdateId = 1;
  #allowedUpdates: readonly string[] = [];
  #poller: Poller | undefined;
  #webhookUrl: string | undefined;
  #linkCounter = 0;
  #pollCounter = 0;
  #fileCounter = 0;
  /** The files uploaded with the call being handled (multipart), by form field name. */
  #uploads = new Map<string, UploadedFile>();
  /** Documents the bot sent (sendDocument with an uploaded file), with their content. */
  readonly documents: { chatId: number; messageId: number; fileName: string; content: string }[] = [];
  /** Photos the bot sent (sendPhoto with an uploaded file), with their bytes and what they reply to. */
  readonly photos: {
    chatId: number;
    messageId: number;
    fileName: string;
    bytes: Buffer;
    caption: string | undefined;
    replyTo: number | undefined;
  }[] = [];

  private constructor(http: StartedServer, options: TelegramStandinOptions) {
    this.#http = http;
    this.#options = options;
    this.apiRoot = http.origin;
    this.token = options.token ?? "123456789:TEST-stand-in-token";
    this.bot = botFromToken(this.token, options.bot);
    this.#users.set(this.bot.id, this.bot);
    this.#handlers = this.#methods();
  }

  static async start(options: TelegramStandinOptions = {}): Promise<TelegramStandin> {
    let standin: TelegramStandin | undefined;
    const http = await startHttpServer("Telegram", (req, res) => standin!.#handle(req, res));
    standin = new TelegramStandin(http, options);
    return standin;
  }

  // -- calls ------------------------------------------------------------------------------------

  get calls(): readonly TelegramCall[] {
    return this.#log.calls;
  }

  waitForCall(predicate: (call: TelegramCall) => boolean, timeoutMs?: number): Promise<TelegramCall> {
    return this.#log.waitFor(predicate, timeoutMs);
  }

  /** Calls of one method, with their params typed. */
  callsOf<M extends keyof Methods>(method: M): (TelegramCall & { params: Opts<never>[M] })[] {
    return this.#log.calls.filter((c) => c.method === method) as (TelegramCall & {
      params: Opts<never>[M];
    })[];
  }

  /** Arms `fault` for the next `times` calls of `method` whose params satisfy `when`. */
  failNext(
    method: string,
    fault: TelegramFault,
    options: { times?: number; when?: (params: Record<string, unknown>) => boolean } = {},
  ): void {
    const { times = 1, when = () => true } = options;
    this.#faults.add((call) => call.method === method && when(call.params), fault, times);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** From now on, sending past Telegram's flood limits is answered 429 (off by default; `undefined` turns it off). */
  enforceFloodLimits(limits: FloodLimits | undefined = TELEGRAM_FLOOD_LIMITS): void {
    this.#flood = limits;
    this.#sent = [];
    this.#sentTo.clear();
  }

  /** The 429 the flood limits give this sending call, or undefined (and the send is counted). */
  #floodCheck(call: TelegramCall): TelegramError | undefined {
    const limits = this.#flood;
    if (!limits || !SENDING_METHODS.has(call.method)) return undefined;
    const now = Date.now();
    const chatId = Number(call.params.chat_id);
    this.#sent = this.#sent.filter((t) => t > now - 1_000);
    const toChat = (this.#sentTo.get(chatId) ?? []).filter((t) => t > now - 60_000);
    this.#sentTo.set(chatId, toChat);
    const group = chatId < 0;
    const inWindow = group ? toChat : toChat.filter((t) => t > now - 1_000);
    const full = (times: number[], max: number, windowMs: number) =>
      times.length >= max ? Math.max(1, Math.ceil((times[times.length - max]! + windowMs - now) / 1_000)) : 0;
    const wait = Math.max(
      full(this.#sent, limits.perSecond, 1_000),
      group
        ? full(inWindow, limits.perGroupPerMinute, 60_000)
        : full(inWindow, limits.perChatPerSecond, 1_000),
    );
    if (wait > 0) {
      this.floodRefusals++;
      return new TelegramError(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
    }
    this.#sent.push(now);
    toChat.push(now);
    return undefined;
  }

  /**
   * Telegram stops answering (some methods, or all of them) until `end()` is called: requests are
   * held open with no answer, so the client's own timeout must fire. See `OutageMode` for what is
   * carried out. A getUpdates long poll already waiting when the outage starts is held too.
   */
  outage(options: OutageOptions = {}): Outage {
    const active: ActiveOutage = { options, calls: [], held: new Set() };
    this.#outages.add(active);
    const poller = this.#poller;
    if (poller && covers(active, "getUpdates")) {
      this.#poller = undefined;
      clearTimeout(poller.timer);
      poller.call.outage = "hang";
      active.calls.push(poller.call);
      const { call, res } = poller;
      this.#hold(active, call, res, () => this.#serve(call, res, new Map(), this.#answerer(call, res)));
    }
    return {
      calls: active.calls,
      end: () => {
        if (!this.#outages.delete(active)) return;
        for (const held of [...active.held]) {
          active.held.delete(held);
          held.release();
        }
      },
    };
  }

  // -- updates ----------------------------------------------------------------------------------

  /** Queues an update (numbering it) and wakes a waiting `getUpdates`. */
  pushUpdate(body: UpdateBody): Update {
    const update = { update_id: this.#nextUpdateId++, ...clone(body) } as Update;
    this.#remember(update);
    this.pushedUpdates.push(clone(update));
    this.#queue.push(update);
    this.#wakePoller();
    return update;
  }

  /** Updates queued and not yet confirmed by an offset. */
  get pendingUpdates(): readonly Update[] {
    return this.#queue;
  }

  /** A user's message; private messages open the conversation (the bot may then write to them). */
  pushMessage(message: Message & Update.NonChannel): Update {
    const state = this.#chatState(message.chat);
    // A reply carries the message it answers as Telegram stores it (without that one's own reply).
    const answered =
      "reply_to_message" in message && message.reply_to_message
        ? state.messages.get(message.reply_to_message.message_id)
        : undefined;
    const { reply_to_message: _nested, ...replied } = (answered ?? {}) as Message & {
      reply_to_message?: Message;
    };
    const numbered = {
      ...message,
      message_id: state.nextMessageId++,
      ...(answered && { reply_to_message: clone(replied) }),
    } as Message & Update.NonChannel;
    state.messages.set(numbered.message_id, numbered);
    if (message.chat.type === "private") this.#talkedToBot.add(message.from.id);
    return this.pushUpdate({ message: numbered });
  }

  /** `/command args` typed by `from` (in a private chat unless `chat` is given). */
  pushCommand(init: Parameters<typeof commandMessage>[0]): Update {
    return this.pushMessage(commandMessage(init));
  }

  /** A button press; the query id becomes answerable with answerCallbackQuery. */
  pushCallbackQuery(init: Parameters<typeof makeCallbackQuery>[0]): Update {
    const query: CallbackQuery = makeCallbackQuery(init);
    this.#callbackQueries.add(query.id);
    return this.pushUpdate({ callback_query: query });
  }

  /** A join request (approvable until decided); see also `userJoinsViaLink`. */
  pushChatJoinRequest(request: ChatJoinRequest): Update {
    const state = this.#requireChat(request.chat.id);
    state.joinRequests.set(request.from.id, request);
    return this.pushUpdate({ chat_join_request: request });
  }

  /** A member's status changed; the new status becomes the chat's state. */
  pushChatMember(change: ChatMemberUpdated): Update {
    this.#requireChat(change.chat.id).members.set(change.new_chat_member.user.id, change.new_chat_member);
    return this.pushUpdate({ chat_member: change });
  }

  /** The bot's own status changed (added, promoted, removed). */
  pushMyChatMember(change: ChatMemberUpdated): Update {
    this.#chatState(change.chat).members.set(this.bot.id, change.new_chat_member);
    return this.pushUpdate({ my_chat_member: change });
  }

  // -- simulated users --------------------------------------------------------------------------

  /**
   * A user opens an invite link, as Telegram would handle it: revoked/expired links and banned users
   * are refused, `creates_join_request` links create a pending request (chat_join_request update),
   * others add the member (chat_member update) until `member_limit` is reached.
   */
  userJoinsViaLink(who: User, inviteLink: string): JoinOutcome {
    const found = this.#findLink(inviteLink);
    if (!found) throw new Error(`Telegram stand-in: no chat has the invite link ${inviteLink}`);
    const { state, link } = found;
    this.#users.set(who.id, who);
    const current = state.members.get(who.id);
    if (
      link.link.is_revoked ||
      (link.link.expire_date !== undefined && link.link.expire_date <= unixSeconds())
    ) {
      return { outcome: "link_invalid" };
    }
    if (current?.status === "kicked") return { outcome: "banned" };
    if (current && isInChat(current)) return { outcome: "already_member" };
    if (link.link.creates_join_request) {
      link.link.pending_join_request_count = (link.link.pending_join_request_count ?? 0) + 1;
      const request = makeJoinRequest({
        chat: state.chat as GroupChat,
        from: who,
        inviteLink: link.link,
        date: unixSeconds(),
      });
      return { outcome: "requested", update: this.pushChatJoinRequest(request) };
    }
    if (link.link.member_limit !== undefined && link.joined >= link.link.member_limit) {
      return { outcome: "limit_reached" };
    }
    link.joined++;
    const update = this.#setMember(state, chatMember.member(who), who, { inviteLink: link.link });
    return { outcome: "joined", update };
  }

  /** A member leaves the chat on their own. */
  userLeaves(who: User, chatId: number): Update | undefined {
    return this.#setMember(this.#requireChat(chatId), chatMember.left(who), who);
  }

  /** The user blocks (or unblocks) the bot: private messages fail with 403. */
  userBlocksBot(userId: number, blocked = true): void {
    if (blocked) this.#blockedBot.add(userId);
    else this.#blockedBot.delete(userId);
  }

  /** A user votes in a poll the bot sent: updates the tally, pushes `poll` (and `poll_answer` if public). */
  userVotes(who: User, pollId: string, optionIds: number[]): void {
    const poll = this.#polls.get(pollId);
    if (!poll) throw new Error(`Telegram stand-in: unknown poll ${pollId}`);
    if (poll.is_closed) throw new Error(`Telegram stand-in: poll ${pollId} is closed`);
    for (const id of optionIds) {
      const option = poll.options[id];
      if (option) option.voter_count++;
    }
    poll.total_voter_count++;
    if (!poll.is_anonymous) this.pushUpdate({ poll_answer: pollAnswer({ pollId, user: who, optionIds }) });
    this.pushUpdate({ poll: clone(poll) });
  }

  // -- state ------------------------------------------------------------------------------------

  /** Registers a group, supergroup or channel as it already is (no update is pushed). */
  addChat(chat: GroupChat | Chat.GroupChat, setup: ChatSetup = {}): void {
    const state = this.#chatState(chat);
    for (const m of setup.members ?? []) {
      state.members.set(m.user.id, clone(m));
      this.#users.set(m.user.id, m.user);
    }
    this.#setBotStatus(state, setup.botStatus ?? BOT_ADMIN_RIGHTS);
  }

  /** An administrator changes the bot's standing in a chat; pushes the my_chat_member update. */
  setBotRights(chatId: number, status: AdminRights | "member" | "none"): Update {
    const state = this.#requireChat(chatId);
    const before = state.members.get(this.bot.id) ?? chatMember.left(this.bot);
    this.#setBotStatus(state, status);
    const owner = [...state.members.values()].find((m) => m.status === "creator")?.user ?? this.bot;
    return this.pushUpdate({
      my_chat_member: chatMemberUpdated({
        chat: state.chat,
        from: owner,
        oldMember: before,
        newMember: state.members.get(this.bot.id) ?? chatMember.left(this.bot),
        date: unixSeconds(),
      }),
    });
  }

  /**
   * The group becomes a supergroup with a new id, as Telegram does when a group grows or an
   * administrator turns on a supergroup-only feature: calls naming the old id answer 400 with
   * `parameters.migrate_to_chat_id`, and the bot gets the service messages in both chats
   * (`migrate_to_chat_id` in the old one, `migrate_from_chat_id` in the new one).
   */
  migrateToSupergroup(chatId: number): { newChatId: number; updates: Update[] } {
    const old = this.#requireChat(chatId);
    if (old.chat.type !== "group") throw new Error(`Telegram stand-in: chat ${chatId} is not a basic group`);
    const newChatId = Number(`-100${Math.abs(chatId)}`);
    const title = "title" in old.chat ? old.chat.title : String(chatId);
    const chat: Chat.SupergroupChat = { id: newChatId, type: "supergroup", title };
    this.#chats.delete(chatId);
    this.#chats.set(newChatId, { ...old, chat, messages: new Map(), nextMessageId: 1, pinned: [] });
    this.#migrated.set(chatId, newChatId);
    const owner = [...old.members.values()].find((m) => m.status === "creator")?.user ?? this.bot;
    const date = unixSeconds();
    const updates = [
      this.pushUpdate({
        message: {
          message_id: 1,
          date,
          chat: old.chat,
          from: owner,
          migrate_to_chat_id: newChatId,
        } as Message & Update.NonChannel,
      }),
      this.pushUpdate({
        message: { message_id: 1, date, chat, from: owner, migrate_from_chat_id: chatId } as Message &
          Update.NonChannel,
      }),
    ];
    return { newChatId, updates };
  }

  /** Registers a user (so getChatMember can answer "left" for them). */
  addUser(who: User, options: { talkedToBot?: boolean } = {}): void {
    this.#users.set(who.id, who);
    if (options.talkedToBot) this.#talkedToBot.add(who.id);
  }

  member(chatId: number, userId: number): ChatMember | undefined {
    const found = this.#chats.get(chatId)?.members.get(userId);
    return found && clone(found);
  }

  inviteLinks(chatId: number): ChatInviteLink[] {
    return [...(this.#chats.get(chatId)?.links.values() ?? [])].map((l) => clone(l.link));
  }

  joinRequests(chatId: number): ChatJoinRequest[] {
    return [...(this.#chats.get(chatId)?.joinRequests.values() ?? [])].map(clone);
  }

  /** The ids of the messages pinned in a chat, the latest last. */
  pinnedMessages(chatId: number): number[] {
    return [...(this.#chats.get(chatId)?.pinned ?? [])];
  }

  /** Messages in a chat (for a user's private chat, the chat id is the user id), bot's and pushed. */
  messages(chatId: number): Message[] {
    return [...(this.#chats.get(chatId)?.messages.values() ?? [])].map(clone);
  }

  /** Commands set with setMyCommands for a scope and language (default scope, no language by default). */
  commands(scope: object = { type: "default" }, languageCode = ""): BotCommand[] | undefined {
    return this.#commands.get(commandKey(scope, languageCode));
  }

  async close(): Promise<void> {
    if (this.#poller) clearTimeout(this.#poller.timer);
    await this.#http.close();
  }

  // -- HTTP plumbing ----------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.#http.origin);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const files = new Map<string, UploadedFile>();
    const params = await parseParams(req, url, files);
    const call = this.#log.add({
      seq: this.#log.nextSeq(),
      time: Date.now(),
      status: "pending",
      method: match?.[2] ?? url.pathname,
      token: match?.[1] ?? "",
      params,
      response: undefined,
    });
    const answer = this.#answerer(call, res);
    const fail = (error: TelegramError) => answer(error.errorCode, errorBody(error));

    if (!match) return fail(new TelegramError(404, "Not Found"));
    if (call.token !== this.token) return fail(new TelegramError(401, "Unauthorized"));
    const fault = this.#faults.take(call);
    if (fault) {
      if (fault.kind === "hang") return this.#log.settle(call, "hang");
      return fail(faultError(fault));
    }
    const flooded = this.#floodCheck(call);
    if (flooded) return fail(flooded);
    const outage = [...this.#outages].find((o) => covers(o, call.method));
    if (outage) {
      const { mode = "hang" } = outage.options;
      const chosen = call.method === "getUpdates" ? "hang" : typeof mode === "function" ? mode(call) : mode;
      call.outage = chosen;
      outage.calls.push(call);
      if (chosen === "hang") {
        return this.#hold(outage, call, res, () => this.#serve(call, res, files, answer));
      }
      // Carried out now; the answer waits for the end of the outage (the client has usually gone by then).
      let held: { status: number; body: unknown } | undefined;
      this.#serve(call, res, files, (status, body) => {
        held = { status, body };
        call.response = body;
      });
      return this.#hold(outage, call, res, () => held && answer(held.status, held.body));
    }
    this.#serve(call, res, files, answer);
  }

  /** Carries out a call (getUpdates long-polls) and hands its answer to `answer`. */
  #serve(
    call: TelegramCall,
    res: ServerResponse,
    files: Map<string, UploadedFile>,
    answer: (status: number, body: unknown) => void,
  ): void {
    const fail = (error: TelegramError) => answer(error.errorCode, errorBody(error));
    if (call.method === "getUpdates") {
      this.#getUpdates(call, res, fail);
      return;
    }
    const handler = this.#handlers[call.method as keyof Methods] as ((p: unknown) => unknown) | undefined;
    if (!handler) {
      fail(new TelegramError(404, "Not Found"));
      return;
    }
    try {
      this.#uploads = files;
      answer(200, { ok: true, result: handler(call.params) });
    } catch (error) {
      if (!(error instanceof TelegramError)) throw error;
      fail(error);
    }
  }

  /** Writes the answer to a call and records it. */
  #answerer(call: TelegramCall, res: ServerResponse): (status: number, body: unknown) => void {
    return (status, body) => {
      call.response = body;
      sendJson(res, status, body);
      this.#log.settle(call, status);
    };
  }

  /** Keeps a request open without an answer until its outage ends (then `release`) or its client leaves. */
  #hold(outage: ActiveOutage, call: TelegramCall, res: ServerResponse, release: () => void): void {
    const held: HeldCall = { release };
    outage.held.add(held);
    this.#log.settle(call, "hang");
    onClientGone(res, () => {
      if (!outage.held.delete(held)) return;
      this.#log.settle(call, "gone");
    });
  }

  /** Long polling as Telegram does it: offset confirms, timeout waits, a newer poller ends the older one. */
  #getUpdates(call: TelegramCall, res: ServerResponse, fail: (error: TelegramError) => void): void {
    const p = call.params as Opts<never>["getUpdates"];
    if (this.#webhookUrl !== undefined) {
      fail(
        new TelegramError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ),
      );
      return;
    }
    if (this.#poller) {
      this.#answerPoller(this.#poller, 409, {
        ok: false,
        error_code: 409,
        description:
          "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      });
    }
    const offset = Number(p.offset ?? 0);
    if (offset > 0) this.#queue = this.#queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.#queue = this.#queue.slice(offset);
    if (p.allowed_updates !== undefined) this.#allowedUpdates = p.allowed_updates;
    const limit = Math.min(Math.max(Number(p.limit ?? 100), 1), 100);
    const timeoutSeconds = Number(p.timeout ?? 0);
    const poller: Poller = { call, res, limit, timer: undefined };
    const ready = this.#deliverable(limit);
    if (ready.length > 0 || timeoutSeconds <= 0) {
      this.#answerPoller(poller, 200, { ok: true, result: ready });
      return;
    }
    poller.timer = setTimeout(
      () => this.#answerPoller(poller, 200, { ok: true, result: [] }),
      timeoutSeconds * 1000,
    );
    this.#poller = poller;
    onClientGone(res, () => {
      if (this.#poller !== poller) return;
      clearTimeout(poller.timer);
      this.#poller = undefined;
      this.#log.settle(call, "gone");
    });
  }

  #wakePoller(): void {
    const poller = this.#poller;
    if (!poller) return;
    const ready = this.#deliverable(poller.limit);
    if (ready.length > 0) this.#answerPoller(poller, 200, { ok: true, result: ready });
  }

  #answerPoller(poller: Poller, status: number, body: unknown): void {
    if (this.#poller === poller) this.#poller = undefined;
    clearTimeout(poller.timer);
    poller.call.response = body;
    sendJson(poller.res, status, body);
    this.#log.settle(poller.call, status);
  }

  /** The first `limit` queued updates of allowed types; unrequested types are dropped, as Telegram does. */
  #deliverable(limit: number): Update[] {
    if (this.#options.enforceAllowedUpdates !== false) {
      const allowed = (type: string) =>
        this.#allowedUpdates.length === 0 ? !OPT_IN_UPDATES.has(type) : this.#allowedUpdates.includes(type);
      const kept: Update[] = [];
      for (const update of this.#queue) {
        if (allowed(updateType(update))) kept.push(update);
        else this.droppedUpdates.push(update);
      }
      this.#queue = kept;
    }
    return this.#queue.slice(0, limit).map(clone);
  }

  // -- methods ----------------------------------------------------------------------------------

  #methods(): Handlers {
    return {
      getMe: () => this.bot,
      logOut: () => true,
      close: () => true,
      setWebhook: (p) => {
        this.#webhookUrl = p.url;
        if (p.drop_pending_updates) this.#queue = [];
        return true;
      },
      deleteWebhook: (p) => {
        this.#webhookUrl = undefined;
        if (p?.drop_pending_updates) this.#queue = [];
        return true;
      },
      getWebhookInfo: () =>
        ({
          url: this.#webhookUrl ?? "",
          has_custom_certificate: false,
          pending_update_count: this.#queue.length,
        }) satisfies WebhookInfo,
      setMyCommands: (p) => {
        for (const c of p.commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest("BOT_COMMAND_INVALID");
          if (c.description.length < 1 || c.description.length > 256) {
            throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
          }
        }
        this.#commands.set(commandKey(p.scope, p.language_code), clone([...p.commands]));
        return true;
      },
      getMyCommands: (p) => this.#commands.get(commandKey(p.scope, p.language_code)) ?? [],
      deleteMyCommands: (p) => {
        this.#commands.delete(commandKey(p.scope, p.language_code));
        return true;
      },
      getChat: (p) => this.#chatFullInfo(this.#resolveChat(p.chat_id)),
      getChatMember: (p) => {
        const state = this.#resolveChat(p.chat_id);
        const found = state.members.get(Number(p.user_id));
        if (found) return found;
        const known = this.#users.get(Number(p.user_id));
        if (!known) throw badRequest("user not found");
        return chatMember.left(known);
      },
      getChatAdministrators: (p) =>
        [...this.#resolveChat(p.chat_id).members.values()].filter(
          (m) => m.status === "creator" || m.status === "administrator",
        ),
      getChatMemberCount: (p) => [...this.#resolveChat(p.chat_id).members.values()].filter(isInChat).length,
      createChatInviteLink: (p) => {
        const state = this.#resolveChat(p.chat_id);
        this.#requireRight(state, "can_invite_users", "not enough rights to manage chat invite link");
        validateLinkOptions(p);
        const link: ChatInviteLink = {
          invite_link: `https://t.me/+${this.#linkHash(state.chat.id)}`,
          creator: this.bot,
          creates_join_request: p.creates_join_request ?? false,
          is_primary: false,
          is_revoked: false,
          ...(p.name !== undefined && { name: p.name }),
          ...(p.expire_date !== undefined && { expire_date: p.expire_date }),
          ...(p.member_limit !== undefined && { member_limit: p.member_limit }),
          ...(p.creates_join_request && { pending_join_request_count: 0 }),
        };
        state.links.set(link.invite_link, { link, joined: 0 });
        return link;
      },
      editChatInviteLink: (p) => {
        const state = this.#resolveChat(p.chat_id);
        this.#requireRight(state, "can_invite_users", "not enough rights to manage chat invite link");
        const entry = state.links.get(p.invite_link) ?? throwError(badRequest("INVITE_HASH_INVALID"));
        if (entry.link.is_revoked) throw badRequest("INVITE_HASH_EXPIRED");
        validateLinkOptions(p);
        const { name, expire_date, member_limit, creates_join_request } = p;
        Object.assign(entry.link, {
          ...(name !== undefined && { name }),
          ...(expire_date !== undefined && { expire_date }),
          ...(member_limit !== undefined && { member_limit }),
          ...(creates_join_request !== undefined && { creates_join_request }),
        });
        return entry.link;
      },
      revokeChatInviteLink: (p) => {
        const state = this.#resolveChat(p.chat_id);
        this.#requireRight(state, "can_invite_users", "not enough rights to manage chat invite link");
        const entry = state.links.get(p.invite_link) ?? throwError(badRequest("INVITE_HASH_INVALID"));
        entry.link.is_revoked = true;
        return entry.link;
      },
      approveChatJoinRequest: (p) => {
        const { state, request } = this.#takeJoinRequest(p.chat_id, p.user_id);
        if (request.invite_link) {
          const entry = state.links.get(request.invite_link.invite_link);
          if (entry) entry.joined++;
        }
        this.#setMember(state, chatMember.member(request.from), this.bot, {
          ...(request.invite_link ? { inviteLink: request.invite_link } : { viaJoinRequest: true }),
        });
        return true;
      },
      declineChatJoinRequest: (p) => {
        this.#takeJoinRequest(p.chat_id, p.user_id);
        return true;
      },
      banChatMember: (p) => {
        const state = this.#resolveChat(p.chat_id);
        this.#requireRight(
          state,
          "can_restrict_members",
          "not enough rights to restrict/unrestrict chat member",
        );
        const target = this.#requireUser(p.user_id);
        const current = state.members.get(target.id);
        if (current?.status === "creator") throw badRequest("can't remove chat owner");
        if (current?.status === "administrator") throw badRequest("user is an administrator of the chat");
        const until = p.until_date ?? 0;
        const forever = until !== 0 && (until - unixSeconds() < 30 || until - unixSeconds() > 366 * 86_400);
        this.#setMember(state, chatMember.kicked(target, forever ? 0 : until), this.bot);
        return true;
      },
      unbanChatMember: (p) => {
        const state = this.#resolveChat(p.chat_id);
        this.#requireRight(
          state,
          "can_restrict_members",
          "not enough rights to restrict/unrestrict chat member",
        );
        const target = this.#requireUser(p.user_id);
        const current = state.members.get(target.id);
        if (current?.status === "creator") throw badRequest("can't remove chat owner");
        if (current?.status === "administrator") throw badRequest("user is an administrator of the chat");
        const banned = current?.status === "kicked";
        if (banned || (!p.only_if_banned && current && isInChat(current))) {
          this.#setMember(state, chatMember.left(target), this.bot);
        }
        return true;
      },
      sendChatAction: (p) => {
        this.#resolveChat(p.chat_id);
        return true;
      },
      sendMessage: (p) => {
        const state = this.#writableChat(p.chat_id);
        checkText(p.text, p.parse_mode);
        const reply = this.#repliedTo(state, p);
        return this.#storeMessage(state, {
          text: p.text,
          ...(p.entities && { entities: p.entities }),
          ...inlineKeyboard(p.reply_markup),
          ...(reply && { reply_to_message: reply }),
        }) as Message.TextMessage;
      },
      sendDocument: (p) => {
        const state = this.#writableChat(p.chat_id);
        // Only uploads (attach://<field>) are supported: no file ids or URLs.
        const ref = typeof p.document === "string" ? p.document : "";
        const file = ref.startsWith("attach://") ? this.#uploads.get(ref.slice(9)) : undefined;
        if (!file) throw badRequest("wrong file identifier/HTTP URL specified");
        if (p.caption !== undefined) checkText(p.caption, p.parse_mode);
        const id = `doc-${++this.#fileCounter}`;
        const sent = this.#storeMessage(state, {
          document: { file_id: id, file_unique_id: id, file_name: file.name, file_size: file.content.length },
          ...(p.caption !== undefined && { caption: p.caption }),
          ...inlineKeyboard(p.reply_markup),
        });
        this.documents.push({
          chatId: state.chat.id,
          messageId: sent.message_id,
          fileName: file.name,
          content: file.content.toString("utf8"),
        });
        return sent as Message.DocumentMessage;
      },
      sendPhoto: (p) => {
        const state = this.#writableChat(p.chat_id);
        // Only uploads (attach://<field>, or the field itself as grammY sends one file) are supported.
        const ref = typeof p.photo === "string" ? p.photo : "";
        const file = ref.startsWith("attach://")
          ? this.#uploads.get(ref.slice(9))
          : this.#uploads.get("photo");
        if (!file) throw badRequest("wrong file identifier/HTTP URL specified");
        if (p.caption !== undefined) checkText(p.caption, p.parse_mode);
        const replyTo = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
        const reply = this.#repliedTo(state, p);
        const id = `photo-${++this.#fileCounter}`;
        const sent = this.#storeMessage(state, {
          photo: [{ file_id: id, file_unique_id: id, width: 0, height: 0, file_size: file.content.length }],
          ...(p.caption !== undefined && { caption: p.caption }),
          ...inlineKeyboard(p.reply_markup),
          ...(reply && { reply_to_message: reply }),
        });
        this.photos.push({
          chatId: state.chat.id,
          messageId: sent.message_id,
          fileName: file.name,
          bytes: file.content,
          caption: p.caption,
          replyTo,
        });
        return sent as Message.PhotoMessage;
      },
      editMessageText: (p) => {
        const target = this.#editableMessage(p.chat_id, p.message_id);
        const text = p.text ?? "";
        checkText(text, p.parse_mode);
        // The same text, entities (links among them) and keyboard: nothing to change, as Telegram says.
        if (
          target.text === text &&
          JSON.stringify(target.entities ?? []) === JSON.stringify(p.entities ?? []) &&
          sameMarkup(target.reply_markup, p.reply_markup)
        )
          throw notModified();
        target.text = text;
        if (p.entities) target.entities = p.entities;
        else delete target.entities;
        // Editing without reply_markup removes the inline keyboard, as on Telegram.
        if (p.reply_markup) target.reply_markup = p.reply_markup;
        else delete target.reply_markup;
        target.edit_date = unixSeconds();
        return target as Update.Edited & Message.TextMessage;
      },
      editMessageReplyMarkup: (p) => {
        const target = this.#editableMessage(p.chat_id, p.message_id);
        if (sameMarkup(target.reply_markup, p.reply_markup)) throw notModified();
        if (p.reply_markup) target.reply_markup = p.reply_markup;
        else delete target.reply_markup;
        target.edit_date = unixSeconds();
        return target as Update.Edited & Message;
      },
      deleteMessage: (p) => {
        const state = this.#resolveChat(p.chat_id);
        if (!state.messages.delete(p.message_id)) throw badRequest("message to delete not found");
        state.pinned = state.pinned.filter((id) => id !== p.message_id);
        return true;
      },
      pinChatMessage: (p) => {
        const state = this.#resolveChat(p.chat_id);
        if (state.chat.type !== "private") {
          // Groups: an administrator with can_pin_messages; channels: with can_edit_messages.
          const me = this.#requireMembership(state);
          const right = state.chat.type === "channel" ? "can_edit_messages" : "can_pin_messages";
          if (me.status !== "creator" && (me.status !== "administrator" || !me[right]))
            throw badRequest("not enough rights to manage pinned messages in the chat");
        }
        if (!state.messages.has(p.message_id)) throw badRequest("message to pin not found");
        state.pinned = [...state.pinned.filter((id) => id !== p.message_id), p.message_id];
        return true;
      },
      answerCallbackQuery: (p) => {
        if (!this.#callbackQueries.delete(p.callback_query_id)) {
          throw badRequest("query is too old and response timeout expired or query ID is invalid");
        }
        this.callbackAnswers.set(p.callback_query_id, p);
        return true;
      },
      sendPoll: (p) => {
        const state = this.#writableChat(p.chat_id);
        if (p.options.length < 2 || p.options.length > 12) throw badRequest("POLL_ANSWERS_INVALID");
        if (p.open_period !== undefined && (p.open_period < 5 || p.open_period > 600)) {
          throw badRequest("POLL_OPEN_PERIOD_INVALID");
        }
        const closeIn = p.close_date === undefined ? undefined : p.close_date - unixSeconds();
        if (closeIn !== undefined && (closeIn < 5 || closeIn > 600))
          throw badRequest("POLL_CLOSE_DATE_INVALID");
        const poll: Poll = {
          id: String(5_000_000_000_000_000_000n + BigInt(++this.#pollCounter)),
          question: p.question,
          options: p.options.map((o, i) => ({ persistent_id: String(i), text: o.text, voter_count: 0 })),
          total_voter_count: 0,
          is_closed: false,
          is_anonymous: p.is_anonymous ?? true,
          type: p.type ?? "regular",
          allows_multiple_answers: p.allows_multiple_answers ?? false,
          allows_revoting: p.allows_revoting ?? true,
          members_only: p.members_only ?? false,
          ...(p.open_period !== undefined && { open_period: p.open_period }),
          ...(p.close_date !== undefined && { close_date: p.close_date }),
        };
        const sent = this.#storeMessage(state, { poll, ...inlineKeyboard(p.reply_markup) });
        this.#polls.set(poll.id, poll);
        return sent as Message.PollMessage;
      },
      stopPoll: (p) => {
        const state = this.#resolveChat(p.chat_id);
        const poll =
          state.messages.get(p.message_id)?.poll ??
          throwError(badRequest("message with poll to stop not found"));
        if (poll.is_closed) throw badRequest("poll has already been closed");
        poll.is_closed = true;
        return poll;
      },
    };
  }

  // -- state helpers ----------------------------------------------------------------------------

  #remember(update: Update): void {
    for (const value of Object.values(update)) {
      if (typeof value !== "object" || value === null) continue;
      const from = (value as { from?: User; user?: User }).from ?? (value as { user?: User }).user;
      if (from) this.#users.set(from.id, from);
    }
  }

  #chatState(chat: Chat): ChatState {
    let state = this.#chats.get(chat.id);
    if (!state) {
      state = {
        chat: clone(chat),
        members: new Map(),
        links: new Map(),
        joinRequests: new Map(),
        messages: new Map(),
        nextMessageId: 1,
        pinned: [],
      };
      this.#chats.set(chat.id, state);
    }
    return state;
  }

  #requireChat(chatId: number): ChatState {
    return (
      this.#chats.get(chatId) ??
      throwError(new Error(`Telegram stand-in: unknown chat ${chatId}; addChat() it first`))
    );
  }

  /** `chat_id` as the API takes it: a number, a numeric string or `@username`. */
  #resolveChat(chatId: number | string): ChatState {
    const migratedTo = this.#migrated.get(Number(chatId));
    if (migratedTo !== undefined) {
      throw new TelegramError(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: migratedTo,
      });
    }
    if (typeof chatId === "string" && chatId.startsWith("@")) {
      for (const state of this.#chats.values()) if (`@${state.chat.username}` === chatId) return state;
      throw badRequest("chat not found");
    }
    const id = Number(chatId);
    const existing = this.#chats.get(id);
    if (existing) return existing;
    const who = id > 0 ? this.#users.get(id) : undefined;
    if (!who) throw badRequest("chat not found");
    return this.#chatState(privateChat(who));
  }

  #requireUser(userId: number | string): User {
    return this.#users.get(Number(userId)) ?? throwError(badRequest("user not found"));
  }

  #setBotStatus(state: ChatState, status: AdminRights | "member" | "none"): void {
    if (status === "none") state.members.set(this.bot.id, chatMember.left(this.bot));
    else if (status === "member") state.members.set(this.bot.id, chatMember.member(this.bot));
    else state.members.set(this.bot.id, chatMember.administrator(this.bot, status));
  }

  #requireMembership(state: ChatState): ChatMember {
    const me = state.members.get(this.bot.id);
    const kind =
      state.chat.type === "channel" ? "channel" : state.chat.type === "group" ? "group" : "supergroup";
    if (me?.status === "kicked") throw forbidden(`bot was kicked from the ${kind} chat`);
    if (!me || !isInChat(me)) throw forbidden(`bot is not a member of the ${kind} chat`);
    return me;
  }

  #requireRight(state: ChatState, right: "can_invite_users" | "can_restrict_members", message: string): void {
    const me = this.#requireMembership(state);
    if (me.status === "creator") return;
    if (me.status !== "administrator" || !me[right]) throw badRequest(message);
  }

  /** The chat the bot may post in: a group it is in, or a private chat with a user who allows it. */
  #writableChat(chatId: number | string): ChatState {
    const state = this.#resolveChat(chatId);
    if (state.chat.type !== "private") {
      this.#requireMembership(state);
      return state;
    }
    const userId = state.chat.id;
    if (this.#blockedBot.has(userId)) throw forbidden("bot was blocked by the user");
    const pendingRequest = [...this.#chats.values()].some((c) => c.joinRequests.has(userId));
    if (this.#options.requireConversation !== false && !this.#talkedToBot.has(userId) && !pendingRequest) {
      throw forbidden("bot can't initiate conversation with a user");
    }
    return state;
  }

  #storeMessage(state: ChatState, content: Partial<Message>): Message {
    const stored = {
      message_id: state.nextMessageId++,
      date: unixSeconds(),
      chat: state.chat,
      ...(state.chat.type === "channel" ? { sender_chat: state.chat } : { from: this.bot }),
      ...content,
    } as Message;
    state.messages.set(stored.message_id, stored);
    return clone(stored);
  }

  /**
   * The message a new one replies to (reply_parameters, or the older reply_to_message_id), as
   * Telegram puts it in `reply_to_message`: without its own reply. A missing one is refused unless
   * allow_sending_without_reply says to send anyway.
   */
  #repliedTo(
    state: ChatState,
    p: {
      reply_parameters?: { message_id?: number; allow_sending_without_reply?: boolean };
      reply_to_message_id?: number;
    },
  ): NonNullable<Message["reply_to_message"]> | undefined {
    const id = p.reply_parameters?.message_id ?? p.reply_to_message_id;
    if (id === undefined) return undefined;
    const found = state.messages.get(Number(id));
    if (!found) {
      if (p.reply_parameters?.allow_sending_without_reply) return undefined;
      throw badRequest("message to be replied not found");
    }
    const { reply_to_message: _nested, ...replied } = found as Message & { reply_to_message?: Message };
    return clone(replied) as NonNullable<Message["reply_to_message"]>;
  }

  #editableMessage(chatId: number | string | undefined, messageId: number | undefined): Message {
    if (chatId === undefined || messageId === undefined) throw badRequest("message to edit not found");
    const found = this.#resolveChat(chatId).messages.get(messageId);
    if (!found) throw badRequest("message to edit not found");
    if (found.from?.id !== this.bot.id && found.sender_chat === undefined) {
      throw badRequest("message can't be edited");
    }
    return found;
  }

  #takeJoinRequest(chatId: number | string, userId: number): { state: ChatState; request: ChatJoinRequest } {
    const state = this.#resolveChat(chatId);
    this.#requireRight(state, "can_invite_users", "not enough rights");
    const request = state.joinRequests.get(Number(userId));
    if (!request) throw badRequest("HIDE_REQUESTER_MISSING");
    const current = state.members.get(request.from.id);
    if (current && isInChat(current)) throw badRequest("USER_ALREADY_PARTICIPANT");
    state.joinRequests.delete(request.from.id);
    const link = request.invite_link && state.links.get(request.invite_link.invite_link)?.link;
    if (link?.pending_join_request_count) link.pending_join_request_count--;
    return { state, request };
  }

  /** Sets a member's status; pushes the chat_member update Telegram would send when it changed. */
  #setMember(
    state: ChatState,
    next: ChatMember,
    actor: User,
    extra: { inviteLink?: ChatInviteLink; viaJoinRequest?: boolean } = {},
  ): Update | undefined {
    const who = next.user;
    const previous = state.members.get(who.id) ?? chatMember.left(who);
    state.members.set(who.id, next);
    this.#users.set(who.id, who);
    if (previous.status === next.status) return undefined;
    return this.pushUpdate({
      chat_member: chatMemberUpdated({
        chat: state.chat,
        from: actor,
        oldMember: previous,
        newMember: next,
        date: unixSeconds(),
        ...extra,
      }),
    });
  }

  #findLink(inviteLink: string): { state: ChatState; link: LinkState } | undefined {
    for (const state of this.#chats.values()) {
      const link = state.links.get(inviteLink);
      if (link) return { state, link };
    }
    return undefined;
  }

  #linkHash(chatId: number): string {
    return createHash("sha256")
      .update(`${chatId}:${++this.#linkCounter}`)
      .digest("base64url")
      .slice(0, 16);
  }

  #chatFullInfo(state: ChatState): ChatFullInfo {
    const common = {
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: false,
        limited_gifts: false,
        unique_gifts: false,
        premium_subscription: false,
        gifts_from_channels: false,
      },
    };
    return { ...state.chat, ...common } as ChatFullInfo;
  }
}

export const startTelegramStandin = (options?: TelegramStandinOptions): Promise<TelegramStandin> =>
  TelegramStandin.start(options);

// ---------------------------------------------------------------------------------------------------
// Helpers

function throwError(error: Error): never {
  throw error;
}

const isInChat = (m: ChatMember): boolean =>
  m.status === "member" ||
  m.status === "administrator" ||
  m.status === "creator" ||
  (m.status === "restricted" && m.is_member);

const updateType = (update: Update): string =>
  Object.keys(update).find((k) => k !== "update_id") ?? "unknown";

const commandKey = (scope: object | undefined, languageCode: string | undefined): string =>
  `${JSON.stringify(scope ?? { type: "default" })}|${languageCode ?? ""}`;

/** Messages carry only inline keyboards; reply keyboards are client-side state. */
const inlineKeyboard = (markup: object | undefined): Pick<Message, "reply_markup"> =>
  markup && "inline_keyboard" in markup ? { reply_markup: markup as InlineKeyboardMarkup } : {};

const sameMarkup = (a: unknown, b: unknown): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const notModified = () =>
  badRequest(
    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
  );

function faultError(fault: Exclude<TelegramFault, { kind: "hang" }>): TelegramError {
  switch (fault.kind) {
    case "rate_limit":
      return new TelegramError(429, `Too Many Requests: retry after ${fault.retryAfter}`, {
        retry_after: fault.retryAfter,
      });
    case "server_error":
      return new TelegramError(500, "Internal Server Error");
    case "blocked":
      return forbidden("bot was blocked by the user");
    case "error":
      return new TelegramError(fault.errorCode, fault.description);
  }
}

function validateLinkOptions(p: {
  member_limit?: number;
  creates_join_request?: boolean;
  name?: string;
}): void {
  if (p.member_limit !== undefined && p.creates_join_request) {
    throw badRequest("member_limit can't be specified for links requiring administrator approval");
  }
  if (p.member_limit !== undefined && (p.member_limit < 1 || p.member_limit > 99_999)) {
    throw badRequest("USAGE_LIMIT_INVALID");
  }
  if (p.name !== undefined && p.name.length > 32) throw badRequest("invite link name is too long");
}

const MARKDOWN_V2_ALWAYS_ESCAPED = new Set([".", "!", "-", "=", "+", "#", "{", "}"]);
const HTML_TAGS = new Set(
  "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji tg-time".split(" "),
);

/**
 * The parse errors a bot meets most: MarkdownV2 characters that must always be escaped
 * (outside code and link URLs), and HTML tags Telegram does not support. Not a full parser.
 */
function checkText(text: string, parseMode: string | undefined): void {
  if (text.trim().length === 0) throw badRequest("message text is empty");
  if (text.length > 4096) throw badRequest("message is too long");
  if (parseMode === "MarkdownV2") {
    let inCode = false;
    let inUrl = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (ch === "\\") {
        i++;
        continue;
      }
      if (ch === "`") inCode = !inCode;
      else if (!inCode && ch === "(" && text[i - 1] === "]") inUrl = true;
      else if (inUrl && ch === ")") inUrl = false;
      else if (!inCode && !inUrl && MARKDOWN_V2_ALWAYS_ESCAPED.has(ch)) {
        throw badRequest(
          `can't parse entities: Character '${ch}' is reserved and must be escaped with the preceding '\\'`,
        );
      }
    }
  } else if (parseMode === "HTML") {
    for (const m of text.matchAll(/<(\/?)([^\s>/]*)/g)) {
      const tag = (m[2] ?? "").toLowerCase();
      if (!HTML_TAGS.has(tag)) {
        throw badRequest(
          `can't parse entities: Unsupported start tag "${tag}" at byte offset ${m.index ?? 0}`,
        );
      }
    }
  }
}

function multipartParts(
  raw: Buffer,
  boundary: string,
): { name: string; filename: string | undefined; body: Buffer }[] {
  const parts: { name: string; filename: string | undefined; body: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.subarray(start, start + 2).toString() === "--") break;
    const next = raw.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = raw.subarray(start + 2, next - 2); // after CRLF, before the CRLF of the next delimiter
    const headEnd = chunk.indexOf("\r\n\r\n");
    const head = chunk.subarray(0, headEnd).toString("utf8");
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? "";
    const filename = /filename="?([^";\r\n]*)"?/i.exec(head)?.[1];
    parts.push({ name, filename, body: chunk.subarray(headEnd + 4) });
    at = next;
  }
  return parts;
}

interface UploadedFile {
  name: string;
  content: Buffer;
}

async function parseParams(
  req: IncomingMessage,
  url: URL,
  files?: Map<string, UploadedFile>,
): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const raw = await readBody(req);
  const type = req.headers["content-type"] ?? "";
  if (raw.length === 0) return params;
  if (type.startsWith("application/json"))
    return { ...params, ...(parseJson(raw) as Record<string, unknown>) };
  if (type.startsWith("application/x-www-form-urlencoded"))
    return { ...params, ...parseForm(raw.toString("utf8")) };
  if (type.startsWith("multipart/form-data")) {
    // grammY writes its own multipart (unquoted filenames, lowercase headers) that undici's
    // FormData parser refuses, so the parts are read by hand.
    const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2] ?? "";
    for (const part of multipartParts(raw, boundary)) {
      if (part.filename !== undefined) {
        params[part.name] = `(file ${part.filename})`;
        files?.set(part.name, { name: part.filename, content: part.body });
        continue;
      }
      const value = part.body.toString("utf8");
      params[part.name] = /^[[{]/.test(value)
        ? JSON.parse(value)
        : /^-?\d+$/.test(value)
          ? Number(value)
          : value;
    }
  }
  return params;
}
