import { clipLine } from "./fitLines.ts";

/**
 * Where the tribe talks about a poll or a shortlisted idea, as links (src/app/discussions.ts keeps
 * the places). Pure: a link is built from the platforms' ids only, never from a text a fan typed.
 */

export type DiscussionSubject = "poll" | "idea";

/** A discussion place as stored (the discussion table). */
export interface DiscussionPlace {
  platform: "discord" | "telegram";
  /** Discord: the thread's parent channel; Telegram: the chat. */
  chatId: string;
  /** Discord: the thread's id; Telegram: the id of the message replies go to. */
  threadId: string;
  /** Discord: the thread's server. */
  guildId?: string | null;
  /** Telegram: the chat's public @username (without the @), when it has one. */
  username?: string | null;
}

const SNOWFLAKE = /^\d{1,20}$/;
const MESSAGE_ID = /^\d{1,12}$/;
/** Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter. */
const USERNAME = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
/** A supergroup's or channel's id: -100 then its bare id, which t.me/c links use. */
const SUPERGROUP = /^-100(\d{1,15})$/;

/**
 * The link that opens a place, or null when the place cannot be linked to: a Discord thread
 * (https://discord.com/channels/<server>/<thread>), a Telegram message's reply thread
 * (https://t.me/<username>/<message>?thread=<message> in a public chat,
 * https://t.me/c/<bare id>/<message>?thread=<message> in a private supergroup, for its members; a
 * basic group has no such link).
 */
export function discussionUrl(place: DiscussionPlace): string | null {
  if (place.platform === "discord") {
    if (!place.guildId || !SNOWFLAKE.test(place.guildId) || !SNOWFLAKE.test(place.threadId)) return null;
    return `https://discord.com/channels/${place.guildId}/${place.threadId}`;
  }
  if (!MESSAGE_ID.test(place.threadId)) return null;
  const message = place.threadId;
  if (place.username && USERNAME.test(place.username))
    return `https://t.me/${place.username}/${message}?thread=${message}`;
  const bare = SUPERGROUP.exec(place.chatId)?.[1];
  return bare ? `https://t.me/c/${bare}/${message}?thread=${message}` : null;
}

/** Discord's longest thread name. */
export const THREAD_NAME_MAX = 100;

/**
 * A thread's name from a fan's text: one line, whitespace collapsed, at most THREAD_NAME_MAX
 * characters (whole code points, an ellipsis when cut); `fallback` when nothing is left.
 */
export function threadName(text: string, fallback: string): string {
  return clipLine(text, THREAD_NAME_MAX) || fallback;
}
