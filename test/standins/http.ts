/**
 * Shared plumbing for the local stand-ins of Discord, Telegram and Stripe: an HTTP server on
 * 127.0.0.1 with an ephemeral port, body parsing, a call log with `waitFor`, a tiny path router and
 * a queue of injected faults. Each stand-in records every request it receives so tests assert on the
 * wire traffic the real client libraries produced.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// ---------------------------------------------------------------------------------------------------
// Server

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * How long the stand-ins keep an idle keep-alive connection (read when a stand-in starts). Short for
 * tests; benchmarks raise it to what the real APIs allow, or every burst of calls opens new
 * connections, which in one busy process takes seconds to be accepted (bench/vote-burst.ts).
 */
export const serverSettings = { keepAliveTimeoutMs: 1_000 };

export interface StartedServer {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Stops listening and destroys every open connection (keep-alive sockets, hanging requests). */
  close(): Promise<void>;
}

/**
 * Starts `handler` on 127.0.0.1, port 0. A handler that throws answers 500 with the error in the body
 * (and prints it): a broken stand-in must fail loudly, not hang a test.
 */
export async function startHttpServer(name: string, handler: RequestHandler): Promise<StartedServer> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      console.error(`[${name} stand-in] handler crashed on ${req.method} ${req.url}`, error);
      if (!res.headersSent) sendJson(res, 500, { standin_error: String(error) });
      else res.destroy();
    });
  });
  // Keep-alive sockets (grammY, undici) must not keep the server open after close().
  server.keepAliveTimeout = serverSettings.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Requests and responses

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON body, or `undefined` when empty. Throws on malformed JSON (the real APIs answer 400). */
export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  return JSON.parse(raw.toString("utf8"));
}

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/**
 * Parses an `application/x-www-form-urlencoded` body or query string written in the bracket notation
 * Stripe uses (`line_items[0][price]=p&metadata[k]=v&expand[]=x`) into nested objects and arrays.
 * Every scalar stays a string, as on the wire.
 */
export function parseForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
    if (!match) continue;
    const segments = [
      match[1] as string,
      ...[...(match[2] ?? "").matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? ""),
    ];
    assignPath(root, segments, value);
  }
  return root;
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function assignPath(root: FormObject, segments: string[], value: string): void {
  let container: FormObject | FormValue[] = root;
  for (const [i, segment] of segments.entries()) {
    if (FORBIDDEN_KEYS.has(segment)) return;
    // `a[]=x` appends; `a[0]=x` and `a[k]=x` address a slot.
    const key: string | number = Array.isArray(container) && segment === "" ? container.length : segment;
    const slots = container as Record<string | number, FormValue>;
    const next = segments[i + 1];
    if (next === undefined) {
      slots[key] = value;
      return;
    }
    let child: FormValue | undefined = slots[key];
    if (typeof child !== "object") {
      child = next === "" || /^\d+$/.test(next) ? [] : {};
      slots[key] = child;
    }
    container = child;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** Resolves when the client goes away before an answer was written (abort, timeout, socket closed). */
export function onClientGone(res: ServerResponse, callback: () => void): void {
  res.once("close", () => {
    if (!res.writableEnded) callback();
  });
}

/** The headers worth asserting on, lower-cased, joined when repeated. */
export function pickHeaders(req: IncomingMessage, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = req.headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return picked;
}

// ---------------------------------------------------------------------------------------------------
// Call log

/**
 * The HTTP status answered; `"pending"` while the stand-in works on it (or long-polls), `"hang"` when a
 * fault withholds the answer on purpose, `"gone"` when the client went away before an answer (abort).
 */
export type CallStatus = number | "pending" | "hang" | "gone";

export interface RecordedCall {
  /** 1, 2, 3... in arrival order, per stand-in. */
  readonly seq: number;
  /** `Date.now()` at arrival. */
  readonly time: number;
  status: CallStatus;
  /** `Date.now()` when the status was last set (answered, held, or the client went away). */
  settledAt?: number;
}

/**
 * Every call a stand-in received. A call is visible in `calls` from its arrival; `waitFor` only
 * matches it once its answer is decided (status set), so state changes are visible when it resolves.
 */
export class CallLog<T extends RecordedCall> {
  readonly calls: T[] = [];
  readonly #waiters = new Set<{ predicate: (call: T) => boolean; resolve: (call: T) => void }>();

  constructor(
    private readonly name: string,
    private readonly describe: (call: T) => string,
  ) {}

  nextSeq(): number {
    return this.calls.length + 1;
  }

  add(call: T): T {
    this.calls.push(call);
    return call;
  }

  settle(call: T, status: Exclude<CallStatus, "pending">): void {
    call.status = status;
    call.settledAt = Date.now();
    for (const waiter of this.#waiters) {
      if (waiter.predicate(call)) {
        this.#waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  /** The first answered call matching `predicate`, already received or still to come. */
  waitFor(predicate: (call: T) => boolean, timeoutMs = 5_000): Promise<T> {
    const found = this.calls.find((call) => call.status !== "pending" && predicate(call));
    if (found) return Promise.resolve(found);
    const stack = new Error().stack;
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (call: T) => {
          clearTimeout(timer);
          resolve(call);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const recent = this.calls.slice(-25).map((call) => `  ${this.describe(call)}`);
        const error = new Error(
          `${this.name} stand-in: no matching call within ${timeoutMs} ms. ` +
            `Last ${recent.length} of ${this.calls.length} calls:\n${recent.join("\n") || "  (none)"}`,
        );
        error.stack = `${error.message}\n${stack?.split("\n").slice(2).join("\n") ?? ""}`;
        reject(error);
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  clear(): void {
    this.calls.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Routing

/**
 * Matches `/guilds/:guild/members/:user` against a concrete path. Segments are compared decoded.
 * Returns the named parameters, or `undefined` when the path does not fit the template.
 */
export function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) {
      if (g === "") return undefined;
      params[w.slice(1)] = g;
    } else if (w !== g) return undefined;
  }
  return params;
}

export interface Route<H> {
  readonly method: string;
  readonly template: string;
  readonly handler: H;
}

export class Router<H> {
  readonly #routes: Route<H>[] = [];

  on(method: string, template: string, handler: H): this {
    this.#routes.push({ method, template, handler });
    return this;
  }

  /** The first route whose method and template fit; literal segments win over parameters. */
  find(method: string, path: string): { route: Route<H>; params: Record<string, string> } | undefined {
    let best: { route: Route<H>; params: Record<string, string>; literals: number } | undefined;
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, path);
      if (!params) continue;
      const literals = route.template.split("/").filter((s) => !s.startsWith(":")).length;
      if (!best || literals > best.literals) best = { route, params, literals };
    }
    return best && { route: best.route, params: best.params };
  }

  /** Whether any method serves this path (tells 405 from 404). */
  allows(path: string): boolean {
    return this.#routes.some((route) => matchTemplate(route.template, path) !== undefined);
  }
}

/** Path matcher for fault injection: an exact path, a `:param` template, a RegExp or a predicate. */
export type PathMatcher = string | RegExp | ((path: string) => boolean);

export function pathMatches(matcher: PathMatcher, path: string): boolean {
  if (typeof matcher === "function") return matcher(path);
  if (matcher instanceof RegExp) return matcher.test(path);
  return matchTemplate(matcher, path) !== undefined;
}

// ---------------------------------------------------------------------------------------------------
// Fault injection

interface FaultRule<F, C> {
  readonly matches: (call: C) => boolean;
  readonly fault: F;
  remaining: number;
}

/** Faults armed for the next N calls that match; the first armed rule that matches wins. */
export class FaultQueue<F, C> {
  readonly #rules: FaultRule<F, C>[] = [];

  add(matches: (call: C) => boolean, fault: F, times = 1): void {
    this.#rules.push({ matches, fault, remaining: times });
  }

  take(call: C): F | undefined {
    const rule = this.#rules.find((r) => r.remaining > 0 && r.matches(call));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.fault;
  }

  clear(): void {
    this.#rules.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** Deep copy of JSON data (state handed out must not alias the stand-in's own). */
export const clone = <T>(value: T): T => structuredClone(value);

export const unixSeconds = (ms = Date.now()): number => Math.floor(ms / 1000);
