/**
 * Factories for Telegram Bot API objects, typed with @grammyjs/types (the types grammY itself uses).
 * Ids come from deterministic counters (`resetTelegramIds()` restarts them). Updates are built without
 * `update_id`: the stand-in assigns it when the update is pushed.
 */
import type {
  CallbackQuery,
  Chat,
  ChatInviteLink,
  ChatJoinRequest,
  ChatMember,
  ChatMemberAdministrator,
  ChatMemberUpdated,
  Message,
  MessageEntity,
  PollAnswer,
  Update,
  User,
  UserFromGetMe,
} from "@grammyjs/types";

/** An update before the stand-in numbers it. */
export type UpdateBody = Omit<Update, "update_id">;
export type GroupChat = Chat.SupergroupChat | Chat.ChannelChat;

let userCounter = 0;
let chatCounter = 0;
let callbackCounter = 0;
/** Fixed clock for `date` fields unless a factory is given one: stable snapshots. */
export const TELEGRAM_EPOCH = Math.floor(Date.UTC(2026, 0, 1) / 1000);

export function resetTelegramIds(): void {
  userCounter = 0;
  chatCounter = 0;
  callbackCounter = 0;
}

export function user(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? 100_000_000 + ++userCounter;
  return {
    id,
    is_bot: false,
    first_name: `Fan ${id % 1000}`,
    username: `fan${id}`,
    language_code: "en",
    ...overrides,
  };
}

/** The bot behind a token: Telegram bot ids are the token's number before the colon. */
export function botFromToken(token: string, overrides: Partial<UserFromGetMe> = {}): UserFromGetMe {
  const id = Number(token.split(":")[0]);
  return {
    id: Number.isSafeInteger(id) ? id : 1,
    is_bot: true,
    first_name: "Tribegate",
    username: "tribegate_bot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
    ...overrides,
  };
}

export function privateChat(of: User): Chat.PrivateChat {
  return {
    id: of.id,
    type: "private",
    first_name: of.first_name,
    ...(of.last_name !== undefined && { last_name: of.last_name }),
    ...(of.username !== undefined && { username: of.username }),
  };
}

/** Supergroup ids look like -100xxxxxxxxxx. */
export function supergroup(overrides: Partial<Chat.SupergroupChat> = {}): Chat.SupergroupChat {
  const id = overrides.id ?? -1_001_000_000_000 - ++chatCounter;
  return { id, type: "supergroup", title: `Tribe ${-id % 1000}`, ...overrides };
}

export function channel(overrides: Partial<Chat.ChannelChat> = {}): Chat.ChannelChat {
  const id = overrides.id ?? -1_001_000_000_000 - ++chatCounter;
  return { id, type: "channel", title: `Channel ${-id % 1000}`, ...overrides };
}

// ---------------------------------------------------------------------------------------------------
// Chat members

export type AdminRights = Omit<ChatMemberAdministrator, "status" | "user" | "custom_title">;

/** Administrator rights; everything false unless overridden (`can_manage_chat` true, as Telegram forces). */
export function adminRights(overrides: Partial<AdminRights> = {}): AdminRights {
  return {
    can_be_edited: false,
    is_anonymous: false,
    can_manage_chat: true,
    can_delete_messages: false,
    can_manage_video_chats: false,
    can_restrict_members: false,
    can_promote_members: false,
    can_change_info: false,
    can_invite_users: false,
    can_post_stories: false,
    can_edit_stories: false,
    can_delete_stories: false,
    can_send_welcome_messages: false,
    ...overrides,
  };
}

/** What a membership bot needs: invite users (links, join requests) and restrict members (ban/unban). */
export const BOT_ADMIN_RIGHTS = adminRights({ can_invite_users: true, can_restrict_members: true });

export const chatMember = {
  member: (of: User): ChatMember => ({ status: "member", user: of }),
  left: (of: User): ChatMember => ({ status: "left", user: of }),
  kicked: (of: User, untilDate = 0): ChatMember => ({ status: "kicked", user: of, until_date: untilDate }),
  creator: (of: User): ChatMember => ({ status: "creator", user: of, is_anonymous: false }),
  administrator: (of: User, rights: AdminRights = BOT_ADMIN_RIGHTS): ChatMember => ({
    status: "administrator",
    user: of,
    ...rights,
  }),
};

// ---------------------------------------------------------------------------------------------------
// Update contents

export function message(init: { chat: Chat; from: User; text: string; date?: number; messageId?: number }) {
  return {
    message_id: init.messageId ?? 1,
    date: init.date ?? TELEGRAM_EPOCH,
    chat: init.chat,
    from: init.from,
    text: init.text,
  } satisfies Message;
}

/**
 * `/start payload` as a user types it: grammY's `bot.command()` needs the `bot_command` entity.
 * In groups pass `botUsername` to get `/start@bot`.
 */
export function commandMessage(init: {
  command: string;
  args?: string;
  from: User;
  chat?: Chat;
  botUsername?: string;
  date?: number;
  messageId?: number;
}): Message & Update.NonChannel {
  const command = `/${init.command}${init.botUsername ? `@${init.botUsername}` : ""}`;
  const text = init.args ? `${command} ${init.args}` : command;
  const entities: MessageEntity[] = [{ type: "bot_command", offset: 0, length: command.length }];
  const chat = (init.chat ?? privateChat(init.from)) as Exclude<Chat, Chat.ChannelChat>;
  return { ...message({ ...init, chat, text }), chat, entities };
}

export function callbackQuery(init: {
  from: User;
  data: string;
  message?: Message;
  id?: string;
}): CallbackQuery {
  return {
    id: init.id ?? `cbq-${++callbackCounter}`,
    from: init.from,
    chat_instance: `instance-${init.message?.chat.id ?? init.from.id}`,
    data: init.data,
    ...(init.message && { message: init.message }),
  };
}

export function chatJoinRequest(init: {
  chat: GroupChat;
  from: User;
  inviteLink?: ChatInviteLink;
  date?: number;
  bio?: string;
}): ChatJoinRequest {
  return {
    chat: init.chat,
    from: init.from,
    user_chat_id: init.from.id,
    date: init.date ?? TELEGRAM_EPOCH,
    ...(init.inviteLink && { invite_link: init.inviteLink }),
    ...(init.bio !== undefined && { bio: init.bio }),
  };
}

export function chatMemberUpdated(init: {
  chat: Chat;
  from: User;
  oldMember: ChatMember;
  newMember: ChatMember;
  inviteLink?: ChatInviteLink;
  viaJoinRequest?: boolean;
  date?: number;
}): ChatMemberUpdated {
  return {
    chat: init.chat,
    from: init.from,
    date: init.date ?? TELEGRAM_EPOCH,
    old_chat_member: init.oldMember,
    new_chat_member: init.newMember,
    ...(init.inviteLink && { invite_link: init.inviteLink }),
    ...(init.viaJoinRequest !== undefined && { via_join_request: init.viaJoinRequest }),
  };
}

export function pollAnswer(init: { pollId: string; user: User; optionIds: number[] }): PollAnswer {
  return {
    poll_id: init.pollId,
    user: init.user,
    option_ids: init.optionIds,
    option_persistent_ids: init.optionIds.map(String),
  };
}
