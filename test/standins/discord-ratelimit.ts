/**
 * Discord's REST rate limits as the stand-in enforces them: a global window per bot (interaction
 * callbacks and interaction webhooks are exempt) and per-route buckets keyed by the route's major
 * parameter (guild, channel or webhook). Windows are fixed and start with their first request, as
 * Discord's do. Answers carry the headers discord.js reads: `x-ratelimit-limit/remaining/reset/
 * reset-after/bucket`, and on 429 `retry-after` (whole seconds, rounded up), `x-ratelimit-scope` and,
 * for the global limit, `x-ratelimit-global`; the body has `retry_after` in seconds.
 */

export const MEMBER_ROLE_ROUTE = "/guilds/:guild/members/:user/roles/:role";
/** A thread started on a message, and one without a message: both count in the channel's thread bucket. */
export const THREAD_FROM_MESSAGE_ROUTE = "/channels/:channel/messages/:message/threads";
export const THREAD_ROUTE = "/channels/:channel/threads";

export interface RateLimitOptions {
  /** Default: Discord's documented 50 requests per second. */
  global?: { limit: number; windowMs: number };
  /** Default: `DEFAULT_BUCKETS`. */
  buckets?: readonly BucketRule[];
}

export interface BucketRule {
  /** Sent as `x-ratelimit-bucket`. */
  bucket: string;
  methods: readonly string[];
  /** A route template as recorded in `DiscordCall.route`, e.g. `MEMBER_ROLE_ROUTE`. */
  route: string;
  limit: number;
  windowMs: number;
}

export const DEFAULT_BUCKETS: readonly BucketRule[] = [
  {
    bucket: "guild-member-role",
    methods: ["PUT", "DELETE"],
    route: MEMBER_ROLE_ROUTE,
    limit: 10,
    windowMs: 10_000,
  },
  // Discord keeps thread creation per channel tight (its exact numbers are not published).
  {
    bucket: "channel-threads",
    methods: ["POST"],
    route: THREAD_FROM_MESSAGE_ROUTE,
    limit: 5,
    windowMs: 5_000,
  },
  { bucket: "channel-threads", methods: ["POST"], route: THREAD_ROUTE, limit: 5, windowMs: 5_000 },
];

export interface RateLimitedRequest {
  method: string;
  route: string;
  params: Record<string, string>;
}

export interface TooManyRequests {
  status: 429;
  body: { message: string; retry_after: number; global: boolean };
  headers: Record<string, string>;
}

/** Interaction responses do not count against the global limit. */
export const isInteractionRoute = (route: string | undefined): boolean =>
  route !== undefined && (route.startsWith("/interactions/") || route.startsWith("/webhooks/"));

export class RateLimiter {
  /** 429 answers sent, by scope. */
  readonly hits = { global: 0, route: 0 };
  readonly #global: { limit: number; windowMs: number };
  readonly #buckets: readonly BucketRule[];
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(options: RateLimitOptions = {}) {
    this.#global = options.global ?? { limit: 50, windowMs: 1_000 };
    this.#buckets = options.buckets ?? DEFAULT_BUCKETS;
  }

  /** Counts the request; a 429 when it is over a limit, otherwise the bucket headers to send. */
  check(
    request: RateLimitedRequest,
    now = Date.now(),
  ): { limited?: TooManyRequests; headers: Record<string, string> } {
    if (!isInteractionRoute(request.route)) {
      const global = this.#window("global", this.#global.windowMs, now);
      if (global.count >= this.#global.limit) {
        this.hits.global++;
        return { limited: tooManyRequests(global.resetAt - now, true), headers: {} };
      }
      global.count++;
    }
    const rule = this.#buckets.find((b) => b.route === request.route && b.methods.includes(request.method));
    if (!rule) return { headers: {} };
    const { params } = request;
    const major = params.guild ?? params.channel ?? params.webhook ?? params.application ?? "";
    const window = this.#window(`${rule.bucket}:${major}`, rule.windowMs, now);
    const headers = (remaining: number): Record<string, string> => ({
      "x-ratelimit-limit": String(rule.limit),
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": (window.resetAt / 1000).toFixed(3),
      "x-ratelimit-reset-after": ((window.resetAt - now) / 1000).toFixed(3),
      "x-ratelimit-bucket": rule.bucket,
    });
    if (window.count >= rule.limit) {
      this.hits.route++;
      const limited = tooManyRequests(window.resetAt - now, false);
      return { limited: { ...limited, headers: { ...headers(0), ...limited.headers } }, headers: {} };
    }
    window.count++;
    return { headers: headers(rule.limit - window.count) };
  }

  #window(key: string, windowMs: number, now: number): { count: number; resetAt: number } {
    let window = this.#windows.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    return window;
  }
}

/** A 429 as Discord writes it. */
export function tooManyRequests(retryAfterMs: number, global: boolean): TooManyRequests {
  const seconds = Math.max(0, retryAfterMs) / 1000;
  const headers: Record<string, string> = {
    "retry-after": String(Math.ceil(seconds)),
    "x-ratelimit-scope": global ? "global" : "user",
  };
  if (global) headers["x-ratelimit-global"] = "true";
  return {
    status: 429,
    body: { message: "You are being rate limited.", retry_after: Number(seconds.toFixed(3)), global },
    headers,
  };
}
