import { AsyncLocalStorage } from "node:async_hooks";
import Stripe from "stripe";
import type { StripePriority } from "../../app/billing/billing.ts";
import { currentTicket, nextTicket } from "../../lib/turn.ts";
import type { Logger } from "../../log.ts";

/**
 * One Stripe budget for the whole process. Stripe lets an account make about 100 requests per second
 * in live mode and 25 in test mode, and 25 per second on most single endpoints (an endpoint is an
 * operation: `GET /v1/subscriptions` and `POST /v1/checkout/sessions` count apart); past that it
 * answers 429. Every request the bot's stripe-node client sends waits here first (`BudgetedHttpClient`
 * is the client's `httpClient`), so checkouts, webhook re-reads, reconciliation and the doctor share
 * one count, kept below Stripe's:
 *
 * - at most `requestsPerSecond` requests in any second, and `endpointRequestsPerSecond` per endpoint,
 *   spread over the second (bursts of a fifth of it at most);
 * - among fans, the request that started first goes first: an interactive call carries its
 *   request's ticket (src/lib/turn.ts), so a fan's second call (the checkout session after the
 *   customer) goes before a later fan's first, and under load each fan waits for the queue once, not
 *   once per call; background calls go in the order they come (a long reconciliation a creator
 *   started must not keep the webhook re-reads queued after it waiting until it ends);
 * - fans waiting at a keyboard (`interactive`: checkout, portal, tier commands) go first; background
 *   work (webhook re-reads, reconciliation, the doctor) still gets `backgroundShare` of the requests
 *   made while both wait, so it is slowed by a launch but never starved;
 * - a 429 slows the whole process, not only the call that got it: every request pauses (Stripe's
 *   `Retry-After` when it sends one, else a backoff doubling with each 429 in a row), the per-second
 *   allowance is halved and grows back by a tenth of it each second; the rate-limited request is then
 *   sent again, ahead of its queue. A 429 Stripe marks `Stripe-Should-Retry: true` is a lock timeout on
 *   one object, not the account's rate: it is left to stripe-node, which retries it (through this
 *   budget again); `Stripe-Should-Retry: false` is never retried.
 *
 * Errors and timeouts stay stripe-node's (`maxNetworkRetries`): each of its attempts waits here too.
 */

export type { StripePriority };

const priorityContext = new AsyncLocalStorage<StripePriority>();

/** Runs `fn` with every Stripe request it makes (directly or not) at `priority`. */
export function withStripePriority<T>(priority: StripePriority, fn: () => T): T {
  return priorityContext.run(priority, fn);
}

/** The priority of the code running now: background unless a caller said otherwise. */
export function currentStripePriority(): StripePriority {
  return priorityContext.getStore() ?? "background";
}

/** Stripe's documented limits, requests per second. */
export const STRIPE_LIMITS = { live: 100, test: 25, endpoint: 25 } as const;
/** The share of Stripe's limits the bot keeps to by default, leaving room for the Dashboard and timing slack. */
const DEFAULT_SHARE = 0.8;

export interface StripeBudgetSettings {
  mode: "live" | "test";
  requestsPerSecond: number;
  endpointRequestsPerSecond: number;
  /** "setting": STRIPE_REQUESTS_PER_SECOND; "key": derived from the key's mode. */
  source: "key" | "setting";
}

/**
 * The budget for a key: 80 % of Stripe's limits for its mode (80/s live, 20/s test, 20/s per
 * endpoint), or `override` (STRIPE_REQUESTS_PER_SECOND) for the whole account, with the per-endpoint
 * budget never above it.
 */
export function budgetSettings(secretKey: string, override?: number): StripeBudgetSettings {
  const mode = /^(sk|rk)_live_/.test(secretKey) ? "live" : "test";
  const requestsPerSecond = override ?? Math.floor(STRIPE_LIMITS[mode] * DEFAULT_SHARE);
  return {
    mode,
    requestsPerSecond,
    endpointRequestsPerSecond: Math.min(
      requestsPerSecond,
      Math.floor(STRIPE_LIMITS.endpoint * DEFAULT_SHARE),
    ),
    source: override === undefined ? "key" : "setting",
  };
}

/**
 * The endpoint a request counts against, as Stripe counts: the method and the path with object ids
 * replaced (`GET /v1/customers/cus_…` → `GET /v1/customers/:id`). Ids are the segments with an
 * underscore and a capital or a digit (`cus_NffrFeUfNV2Hib`, `cs_test_a1…`); names such as
 * `billing_portal` or `line_items` have neither. Never holds an id, so it can be logged.
 */
export function endpointOf(method: string, path: string): string {
  const bare = path.split("?")[0] ?? path;
  const segments = bare.split("/").map((s) => (s.includes("_") && /[A-Z0-9]/.test(s) ? ":id" : s));
  return `${method.toUpperCase()} ${segments.join("/")}`;
}

export interface StripeBudgetOptions {
  /** Requests in any one second, for the whole process. */
  requestsPerSecond: number;
  /** Requests in any one second to one endpoint (default: requestsPerSecond). */
  endpointRequestsPerSecond?: number;
  /** Of the requests granted while both kinds of work wait, the share background work gets (default 0.25). */
  backgroundShare?: number;
  /** The pause after a first 429 without `Retry-After` (default 1000 ms); doubles with each 429 in a row. */
  backoffBaseMs?: number;
  /** The longest pause after a 429 (default 16 s). */
  backoffMaxMs?: number;
  /** How many times one request is sent again after a rate-limit 429 before its caller gets the error (default 4). */
  maxRateLimitRetries?: number;
  /** Waits at least this long are logged as `stripe.queue_slow` (defaults: 2 s interactive, 30 s background). */
  slowWaitMs?: Partial<Record<StripePriority, number>>;
  log?: Logger;
  /** Milliseconds, monotonic (default performance.now). */
  now?: () => number;
  /** For the backoff's jitter (default Math.random). */
  random?: () => number;
}

export interface StripeBudgetStats {
  /** Requests granted, by priority. */
  granted: Record<StripePriority, number>;
  /** Longest wait in the queue, by priority (ms). */
  maxWaitMs: Record<StripePriority, number>;
  /** Total wait in the queue, by priority (ms): divide by `granted` for the mean. */
  totalWaitMs: Record<StripePriority, number>;
  /** 429s Stripe answered (rate limits; lock timeouts are not counted). */
  rateLimited: number;
  /** Requests sent again after a rate-limit 429. */
  retried: number;
  /** Requests whose caller got the 429 (retries exhausted, or `Stripe-Should-Retry: false`). */
  gaveUp: number;
  queued: Record<StripePriority, number>;
  /** The per-second allowance now (lower than requestsPerSecond after a 429, growing back). */
  requestsPerSecondNow: number;
}

interface Waiter {
  readonly priority: StripePriority;
  readonly endpoint: string;
  /** The place in line: the ticket of the request that made the call (lowest first; a retry: -∞). */
  readonly ticket: number;
  readonly enqueuedAt: number;
  readonly resolve: (grant: Grant) => void;
  readonly reject: (err: Error) => void;
}

export interface Grant {
  /** When the request was let through (budget clock). */
  readonly at: number;
  readonly waitedMs: number;
}

const WINDOW_MS = 1000;
const PRIORITIES: readonly StripePriority[] = ["interactive", "background"];

export class StripeBudget {
  readonly requestsPerSecond: number;
  readonly endpointRequestsPerSecond: number;
  readonly maxRateLimitRetries: number;
  readonly #queues: Record<StripePriority, Waiter[]> = { interactive: [], background: [] };
  /** The pace of the whole process, then of each endpoint. */
  readonly #pace = new Pace();
  readonly #paceByEndpoint = new Map<string, Pace>();
  /** Interactive grants in a row while background work waited; at `#interactiveRunMax` background goes. */
  #interactiveRun = 0;
  readonly #interactiveRunMax: number;
  #pausedUntil = 0;
  /** After a 429: the allowance it was cut to and when; it grows back from there. */
  #cut: { to: number; at: number } | undefined;
  /** 429s in a row (each counted once per pause: requests already in flight do not add). */
  #streak = 0;
  #lastPenaltyAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #closed = false;
  #lastSlowLog: Record<StripePriority, number> = {
    interactive: Number.NEGATIVE_INFINITY,
    background: Number.NEGATIVE_INFINITY,
  };
  readonly #stats = {
    granted: { interactive: 0, background: 0 },
    maxWaitMs: { interactive: 0, background: 0 },
    totalWaitMs: { interactive: 0, background: 0 },
    rateLimited: 0,
    retried: 0,
    gaveUp: 0,
  };
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #slowWaitMs: Record<StripePriority, number>;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(opts: StripeBudgetOptions) {
    if (!(opts.requestsPerSecond >= 1)) throw new Error("StripeBudget: requestsPerSecond must be at least 1");
    this.requestsPerSecond = Math.floor(opts.requestsPerSecond);
    this.endpointRequestsPerSecond = Math.max(
      1,
      Math.floor(Math.min(opts.endpointRequestsPerSecond ?? this.requestsPerSecond, this.requestsPerSecond)),
    );
    const share = Math.min(0.5, Math.max(0.01, opts.backgroundShare ?? 0.25));
    this.#interactiveRunMax = Math.max(1, Math.round((1 - share) / share));
    this.maxRateLimitRetries = opts.maxRateLimitRetries ?? 4;
    this.#backoffBaseMs = opts.backoffBaseMs ?? 1000;
    this.#backoffMaxMs = opts.backoffMaxMs ?? 16_000;
    this.#slowWaitMs = {
      interactive: opts.slowWaitMs?.interactive ?? 2000,
      background: opts.slowWaitMs?.background ?? 30_000,
    };
    this.#log = opts.log;
    this.#now = opts.now ?? (() => performance.now());
    this.#random = opts.random ?? Math.random;
  }

  /**
   * Resolves when a request to `endpoint` may be sent. `retry`: a request Stripe rate-limited, sent
   * again ahead of the others of its priority (it has waited already).
   */
  acquire(
    endpoint: string,
    priority: StripePriority,
    retry = false,
    ticket: number = (priority === "interactive" ? currentTicket() : undefined) ?? nextTicket(),
  ): Promise<Grant> {
    if (this.#closed) return Promise.reject(new Error("the Stripe budget is closed (shutting down)"));
    return new Promise<Grant>((resolve, reject) => {
      // A rate-limited call sent again goes before every first try of its priority (it has waited).
      const place = retry ? Number.NEGATIVE_INFINITY : ticket;
      const waiter: Waiter = { priority, endpoint, ticket: place, enqueuedAt: this.#now(), resolve, reject };
      const queue = this.#queues[priority];
      queue.splice(this.#placeOf(queue, place), 0, waiter);
      this.#pump();
    });
  }

  /** Where a call with `ticket` joins `queue` (kept in ticket order): after every call with a ticket as low. */
  #placeOf(queue: readonly Waiter[], ticket: number): number {
    // Most calls hold the newest ticket: they go at the end without a search.
    if (queue.length === 0 || (queue[queue.length - 1] as Waiter).ticket <= ticket) return queue.length;
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((queue[mid] as Waiter).ticket <= ticket) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Stripe answered 429 (a rate limit) to a request granted at `grant.at`. Pauses every request and
   * cuts the allowance (once per episode: requests already in flight when the pause began do not
   * escalate it). Returns how long the process now waits.
   */
  rateLimited(info: {
    grant: Grant;
    endpoint: string;
    priority: StripePriority;
    retryAfterMs?: number | undefined;
    reason?: string | undefined;
    attempt: number;
  }): number {
    const now = this.#now();
    this.#stats.rateLimited++;
    if (info.grant.at > this.#lastPenaltyAt) {
      this.#streak++;
      this.#lastPenaltyAt = now;
      const backoff = Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** (this.#streak - 1));
      const pause = info.retryAfterMs ?? Math.round(backoff * (0.75 + 0.25 * this.#random()));
      this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
      this.#cut = { to: Math.max(1, Math.floor(this.#allowance(now) / 2)), at: now + pause };
    }
    const retryInMs = Math.max(0, Math.round(this.#pausedUntil - now));
    this.#log?.warn(
      {
        event: "stripe.rate_limited",
        endpoint: info.endpoint,
        priority: info.priority,
        attempt: info.attempt + 1,
        reason: info.reason ?? null,
        retryInMs,
        requestsPerSecondNow: this.#cut?.to ?? this.requestsPerSecond,
        queued: this.#queueLengths(),
      },
      `Stripe answered 429 (rate limit${info.reason ? `: ${info.reason}` : ""}); every Stripe request waits ${retryInMs} ms and the pace is cut`,
    );
    this.#pump();
    return retryInMs;
  }

  /** The rate-limited request is sent again. */
  retrying(): void {
    this.#stats.retried++;
  }

  /** Its caller gets the 429 (out of retries, or Stripe said not to retry). */
  gaveUp(info: { endpoint: string; priority: StripePriority; attempts: number }): void {
    this.#stats.gaveUp++;
    this.#log?.error(
      { event: "stripe.rate_limit_gave_up", ...info, queued: this.#queueLengths() },
      "a Stripe request is still rate-limited after its retries; its caller gets the error",
    );
  }

  /** A request granted at `grant` got an answer other than 429: a 429 streak that began before it ends. */
  answered(grant: Grant): void {
    if (grant.at > this.#lastPenaltyAt) this.#streak = 0;
  }

  stats(): StripeBudgetStats {
    return {
      granted: { ...this.#stats.granted },
      maxWaitMs: { ...this.#stats.maxWaitMs },
      totalWaitMs: { ...this.#stats.totalWaitMs },
      rateLimited: this.#stats.rateLimited,
      retried: this.#stats.retried,
      gaveUp: this.#stats.gaveUp,
      queued: this.#queueLengths(),
      requestsPerSecondNow: this.#allowance(this.#now()),
    };
  }

  /** Refuses every waiting and future request (shutdown). */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const p of PRIORITIES) {
      for (const w of this.#queues[p].splice(0))
        w.reject(new Error("the Stripe budget is closed (shutting down)"));
    }
  }

  // -------------------------------------------------------------------------------------------------

  /** The per-second allowance at `now`: full, or growing back by a tenth each second after a 429. */
  #allowance(now: number): number {
    if (!this.#cut) return this.requestsPerSecond;
    const step = Math.max(1, Math.round(this.requestsPerSecond / 10));
    const grown = this.#cut.to + Math.max(0, Math.floor((now - this.#cut.at) / 1000)) * step;
    if (grown >= this.requestsPerSecond) {
      this.#cut = undefined;
      return this.requestsPerSecond;
    }
    return grown;
  }

  #endpointAllowance(allowance: number): number {
    return Math.max(1, Math.floor((this.endpointRequestsPerSecond * allowance) / this.requestsPerSecond));
  }

  #queueLengths(): Record<StripePriority, number> {
    return { interactive: this.#queues.interactive.length, background: this.#queues.background.length };
  }

  #paceOf(endpoint: string): Pace {
    let pace = this.#paceByEndpoint.get(endpoint);
    if (!pace) {
      pace = new Pace();
      this.#paceByEndpoint.set(endpoint, pace);
    }
    return pace;
  }

  #firstEligible(priority: StripePriority, now: number, limit: number): number {
    const queue = this.#queues[priority];
    const full = new Set<string>();
    for (let i = 0; i < queue.length; i++) {
      const endpoint = (queue[i] as Waiter).endpoint;
      if (full.has(endpoint)) continue;
      if (this.#paceOf(endpoint).nextAt(now, limit) <= now) return i;
      full.add(endpoint);
    }
    return -1;
  }

  #pump(): void {
    if (this.#closed) return;
    const now = this.#now();
    for (;;) {
      if (this.#queues.interactive.length === 0 && this.#queues.background.length === 0) return;
      if (now < this.#pausedUntil) {
        this.#wakeAt(this.#pausedUntil);
        return;
      }
      const allowance = this.#allowance(now);
      const globalAt = this.#pace.nextAt(now, allowance);
      if (globalAt > now) {
        this.#wakeAt(globalAt);
        return;
      }
      const endpointLimit = this.#endpointAllowance(allowance);
      const i = this.#firstEligible("interactive", now, endpointLimit);
      const b = this.#firstEligible("background", now, endpointLimit);
      if (i < 0 && b < 0) {
        // Every waiting request's endpoint is at its limit: wake when the first one has room.
        let at = Number.POSITIVE_INFINITY;
        for (const p of PRIORITIES) {
          for (const w of this.#queues[p])
            at = Math.min(at, this.#paceOf(w.endpoint).nextAt(now, endpointLimit));
        }
        this.#wakeAt(at);
        return;
      }
      let priority: StripePriority;
      let index: number;
      if (i >= 0 && (b < 0 || this.#interactiveRun < this.#interactiveRunMax)) {
        priority = "interactive";
        index = i;
        if (b >= 0) this.#interactiveRun++;
      } else {
        priority = "background";
        index = b;
        this.#interactiveRun = 0;
      }
      const [waiter] = this.#queues[priority].splice(index, 1) as [Waiter];
      this.#pace.take(now);
      this.#paceOf(waiter.endpoint).take(now);
      const waitedMs = now - waiter.enqueuedAt;
      this.#stats.granted[priority]++;
      this.#stats.totalWaitMs[priority] += waitedMs;
      this.#stats.maxWaitMs[priority] = Math.max(this.#stats.maxWaitMs[priority], waitedMs);
      if (waitedMs >= this.#slowWaitMs[priority] && now - this.#lastSlowLog[priority] >= 10_000) {
        this.#lastSlowLog[priority] = now;
        this.#log?.warn(
          {
            event: "stripe.queue_slow",
            priority,
            waitedMs: Math.round(waitedMs),
            queued: this.#queueLengths(),
            requestsPerSecondNow: allowance,
          },
          `a ${priority} Stripe request waited ${Math.round(waitedMs)} ms for the Stripe budget`,
        );
      }
      waiter.resolve({ at: now, waitedMs });
    }
  }

  #wakeAt(at: number): void {
    if (this.#timer && this.#timerAt <= at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(1, Math.ceil(at - this.#now())),
    );
  }
}

/**
 * At most `limit` grants in any one second (a sliding window), spread out: a burst of at most a fifth
 * of `limit`, then one every 1/limit s (a token bucket). The spreading keeps Stripe's own count, taken
 * when each request arrives, under its limit when requests arrive later or closer than they left.
 */
class Pace {
  readonly #times: number[] = [];
  #tokens = Number.POSITIVE_INFINITY;
  #at = 0;

  /** When the next grant may happen (≤ now: now). */
  nextAt(now: number, limit: number): number {
    let drop = 0;
    while (drop < this.#times.length && (this.#times[drop] as number) <= now - WINDOW_MS) drop++;
    if (drop > 0) this.#times.splice(0, drop);
    const burst = Math.max(1, Math.ceil(limit / 5));
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#at) * limit) / WINDOW_MS);
    this.#at = now;
    let at = now;
    if (this.#times.length >= limit)
      at = Math.max(at, (this.#times[this.#times.length - limit] as number) + WINDOW_MS);
    if (this.#tokens < 1) at = Math.max(at, now + ((1 - this.#tokens) * WINDOW_MS) / limit);
    return at;
  }

  take(now: number): void {
    this.#times.push(now);
    this.#tokens -= 1;
  }
}

/** `Retry-After` in seconds (Stripe documents none; honoured if it comes). */
function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d+(\.\d+)?$/.test(text.trim())) return undefined;
  return Math.round(Number(text) * 1000);
}

const header = (headers: Record<string, unknown>, name: string): string | undefined => {
  const value = headers[name];
  return typeof value === "string" ? value : Array.isArray(value) ? String(value[0]) : undefined;
};

/**
 * stripe-node's HTTP client behind the budget: each request waits for it at the priority of the code
 * that made it (`withStripePriority`), rate-limit 429s are retried here (so stripe-node, which never
 * retries a 429 without `Stripe-Should-Retry: true`, sees them only when the retries run out).
 */
export class BudgetedHttpClient extends Stripe.HttpClient {
  constructor(
    readonly budget: StripeBudget,
    readonly inner: Stripe.HttpClient = Stripe.createNodeHttpClient(),
  ) {
    super();
  }

  override getClientName(): string {
    return this.inner.getClientName();
  }

  override async makeRequest(
    host: string,
    port: string,
    path: string,
    method: string,
    headers: Parameters<Stripe.HttpClient["makeRequest"]>[4],
    requestData: string,
    protocol: string,
    timeout: number,
  ): Promise<Stripe.HttpClientResponse> {
    const priority = currentStripePriority();
    const endpoint = endpointOf(method, path);
    for (let attempt = 0; ; attempt++) {
      const grant = await this.budget.acquire(endpoint, priority, attempt > 0);
      const res = await this.inner.makeRequest(
        host,
        port,
        path,
        method,
        headers,
        requestData,
        protocol,
        timeout,
      );
      if (res.getStatusCode() !== 429) {
        this.budget.answered(grant);
        return res;
      }
      const h = res.getHeaders() as Record<string, unknown>;
      const shouldRetry = header(h, "stripe-should-retry");
      // A lock timeout on one object: stripe-node retries it (maxNetworkRetries), through the budget.
      if (shouldRetry === "true") return res;
      this.budget.rateLimited({
        grant,
        endpoint,
        priority,
        retryAfterMs: retryAfterMs(header(h, "retry-after")),
        reason: header(h, "stripe-rate-limited-reason"),
        attempt,
      });
      if (shouldRetry === "false" || attempt >= this.budget.maxRateLimitRetries) {
        this.budget.gaveUp({ endpoint, priority, attempts: attempt + 1 });
        return res;
      }
      // Discard this answer's body before asking again.
      await res.toJSON().catch(() => undefined);
      this.budget.retrying();
    }
  }
}
