import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../log.ts";
import type { HttpHandler, HttpResponse, Route } from "../routes.ts";

/**
 * The bot's one HTTP door: health checks, the Stripe webhook and (optionally) Telegram's webhook.
 *
 * Written on node:http rather than a framework: there are a handful of routes, the Stripe route
 * needs the raw bytes of the body (signature check), and graceful shutdown needs to know exactly
 * which requests are in flight. A framework would add more surface than it removes.
 */

export interface HttpServer {
  /** The port actually bound (useful with port 0 in tests). */
  readonly port: number;
  readonly url: string;
  /** Stops accepting connections, waits for in-flight requests (up to the deadline), then closes. */
  close(deadlineMs: number): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startHttpServer(opts: {
  host: string;
  port: number;
  routes: readonly Route[];
  log: Logger;
}): Promise<HttpServer> {
  const log = opts.log.child({ module: "http" });
  const routes = new Map(
    opts.routes.filter((r) => !r.path.includes("/:")).map((r) => [`${r.method} ${r.path}`, r.handler]),
  );
  const patterns = opts.routes
    .filter((r) => r.path.includes("/:"))
    .map((r) => ({ ...r, parts: r.path.split("/") }));
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((err: unknown) => {
        // The path only: a query string may carry a session id or a token.
        const path = (req.url ?? "/").split("?")[0];
        log.error({ event: "http.unhandled", err, method: req.method, path }, "request failed");
        if (!res.headersSent) send(res, { status: 500, body: { error: "internal_error" } });
      })
      .finally(() => {
        inFlight--;
        if (draining && inFlight === 0) drained?.();
      });
  });
  // `Expect: 100-continue` (curl sends it for large bodies): a body declared over the limit is
  // refused before the client is invited to send it.
  server.on("checkContinue", (req, res) => {
    const declared = declaredLength(req);
    if (typeof declared === "number" && declared > MAX_BODY_BYTES) {
      log.warn(
        {
          event: "http.body_too_large",
          method: req.method,
          declaredBytes: declared,
          limitBytes: MAX_BODY_BYTES,
        },
        "request body declared over the limit: refused before it was sent",
      );
      refuse(req, res, 413, { error: "body_too_large", limitBytes: MAX_BODY_BYTES });
      return;
    }
    res.writeContinue();
    server.emit("request", req, res);
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    if (draining) {
      res.setHeader("connection", "close");
      send(res, { status: 503, body: { error: "shutting_down" }, headers: { "retry-after": "5" } });
      return;
    }
    const found = findRoute(method, url.pathname);
    if (!found) {
      const known =
        [...routes.keys()].some((k) => k.endsWith(` ${url.pathname}`)) ||
        patterns.some((p) => matchParts(p.parts, url.pathname) !== null);
      send(
        res,
        known
          ? { status: 405, body: { error: "method_not_allowed" } }
          : { status: 404, body: { error: "not_found" } },
      );
      return;
    }
    // A declared length over the limit is refused before one byte of the body is read; a body
    // without a length (chunked) is read up to the limit and no further.
    const declared = declaredLength(req);
    if (declared === "invalid") {
      refuse(req, res, 400, { error: "bad_content_length" });
      return;
    }
    if (declared !== null && declared > MAX_BODY_BYTES) {
      log.warn(
        {
          event: "http.body_too_large",
          method,
          path: url.pathname,
          declaredBytes: declared,
          limitBytes: MAX_BODY_BYTES,
        },
        "request body declared over the limit: refused unread",
      );
      refuse(req, res, 413, { error: "body_too_large", limitBytes: MAX_BODY_BYTES });
      return;
    }
    const rawBody = await readBody(req);
    if (rawBody === "too_large") {
      log.warn(
        { event: "http.body_too_large", method, path: url.pathname, limitBytes: MAX_BODY_BYTES },
        "request body over the limit: reading stopped at the limit",
      );
      refuse(req, res, 413, { error: "body_too_large", limitBytes: MAX_BODY_BYTES });
      return;
    }
    const response = await found.handler({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      params: found.params,
      remoteAddress: clientAddress(req),
      rawBody,
    });
    send(res, response);
  }

  function findRoute(
    method: string,
    pathname: string,
  ): { handler: HttpHandler; params: Record<string, string> } | undefined {
    const exact = routes.get(`${method} ${pathname}`);
    if (exact) return { handler: exact, params: {} };
    for (const p of patterns) {
      if (p.method !== method) continue;
      const params = matchParts(p.parts, pathname);
      if (params) return { handler: p.handler, params };
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;
  log.info({ event: "http.listening", host: opts.host, port }, `listening on ${opts.host}:${port}`);

  return {
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    async close(deadlineMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          sleep(deadlineMs),
        ]);
      }
      server.closeAllConnections();
      await closed;
      log.info({ event: "http.closed", abandoned: inFlight }, "http server closed");
    },
  };
}

/** The `:name` values when `pathname` fits the pattern's parts, else null. */
function matchParts(parts: readonly string[], pathname: string): Record<string, string> | null {
  const segments = pathname.split("/");
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(":")) {
      if (segment === "") return null;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (part !== segment) return null;
  }
  return params;
}

/**
 * The client's address. A reverse proxy on this machine or a private network (how the README says
 * to put the bot behind a domain) passes the real one as the last X-Forwarded-For entry; from any
 * other peer the header is the client's own say and is ignored.
 */
export function clientAddress(req: Pick<IncomingMessage, "headers" | "socket">): string {
  const peer = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  const forwarded = req.headers["x-forwarded-for"];
  if (!forwarded || !isProxyAddress(peer)) return peer || "unknown";
  const list = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded).split(",");
  const last = list[list.length - 1]?.trim().replace(/^::ffff:/, "");
  return last && /^[0-9a-fA-F:.]{2,45}$/.test(last) ? last : peer;
}

function isProxyAddress(ip: string): boolean {
  return (
    ip === "::1" ||
    /^127\./.test(ip) ||
    /^10\./.test(ip) ||
    /^192\.168\./.test(ip) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(ip) ||
    /^f[cd][0-9a-f]{2}:/i.test(ip)
  );
}

/** The Content-Length header as a number; null without one; "invalid" when it is not a length. */
function declaredLength(req: IncomingMessage): number | null | "invalid" {
  const raw = req.headers["content-length"];
  if (raw === undefined) return null;
  if (!/^\d{1,15}$/.test(raw.trim())) return "invalid";
  return Number(raw);
}

/**
 * Reads the body up to MAX_BODY_BYTES. Past the limit it stops at once ("too_large"): the rest
 * is never read nor buffered, whatever the sender keeps sending.
 */
function readBody(req: IncomingMessage): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off("data", onData);
      req.pause();
      chunks.length = 0;
      resolve("too_large");
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Answers and closes the connection without reading what is left of the body: the socket stops
 * reading, the answer is flushed, then the connection is closed.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  req.pause();
  req.socket.pause();
  res.shouldKeepAlive = false;
  res.once("finish", () => {
    // Half-close first so the answer reaches the client, then let go of the socket for good.
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 1_000).unref();
  });
  send(res, { status, body, headers: { connection: "close" } });
}

function send(res: ServerResponse, r: HttpResponse): void {
  if (r.status === 304 || r.status === 204) {
    res.writeHead(r.status, r.headers);
    res.end();
    return;
  }
  const body = r.body === undefined ? "" : typeof r.body === "string" ? r.body : JSON.stringify(r.body);
  res.writeHead(r.status, {
    "content-type": typeof r.body === "string" ? "text/plain; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(body),
    ...r.headers,
  });
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
