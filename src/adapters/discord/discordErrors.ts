import { DiscordAPIError, HTTPError, RateLimitError, RESTJSONErrorCodes } from "discord.js";
import type { PostProblem } from "../../app/platform.ts";

/**
 * How a failed Discord call reads, whoever made it (role change, DM, member list): Discord said no
 * (`refused`, with its error code), Discord was rate limiting or failing (`passing`, retry later), or
 * the request never got an answer (`passing` too). Executors and readers turn this into their
 * result; keeping the classification in one place keeps them in agreement.
 */
export type DiscordFailure =
  | { kind: "refused"; code: number; status: number; message: string }
  | { kind: "passing"; message: string; retryAfterMs?: number };

export function classifyDiscordError(err: unknown): DiscordFailure {
  if (err instanceof DiscordAPIError) {
    if (err.status === 429 || err.status >= 500) return { kind: "passing", message: describe(err) };
    return { kind: "refused", code: Number(err.code), status: err.status, message: describe(err) };
  }
  if (err instanceof RateLimitError) {
    return { kind: "passing", message: `rate limited on ${err.route}`, retryAfterMs: err.retryAfter };
  }
  if (err instanceof HTTPError)
    return { kind: "passing", message: `${err.status} on ${err.method} ${err.url}` };
  // undici's "fetch failed", timeouts (AbortError), resets: the request may not have reached Discord.
  return { kind: "passing", message: err instanceof Error ? err.message : String(err) };
}

/** Why a channel refused a post, in the app's terms. */
export function postProblemOf(err: unknown): PostProblem {
  const failure = classifyDiscordError(err);
  if (failure.kind !== "refused") return "platform_failed";
  if (failure.code === Code.missingAccess || failure.code === Code.missingPermissions)
    return "bot_not_allowed";
  if (failure.code === RESTJSONErrorCodes.UnknownChannel) return "chat_gone";
  return "platform_failed";
}

function describe(err: DiscordAPIError): string {
  return `${err.status} ${err.code} ${err.message} (${err.method} ${new URL(err.url).pathname})`;
}

export const Code = {
  unknownGuild: RESTJSONErrorCodes.UnknownGuild,
  unknownMember: RESTJSONErrorCodes.UnknownMember,
  unknownRole: RESTJSONErrorCodes.UnknownRole,
  unknownUser: RESTJSONErrorCodes.UnknownUser,
  missingAccess: RESTJSONErrorCodes.MissingAccess,
  cannotDm: RESTJSONErrorCodes.CannotSendMessagesToThisUser,
  missingPermissions: RESTJSONErrorCodes.MissingPermissions,
} as const;
