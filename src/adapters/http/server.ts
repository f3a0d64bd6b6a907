import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../log.ts";
import type { HttpResponse, Route } from "../routes.ts";

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
  const routes = new Map(opts.routes.map((r) => [`${r.method} ${r.path}`, r.handler]));
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
    const handler = routes.get(`${method} ${url.pathname}`);
    if (!handler) {
      const known = [...routes.keys()].some((k) => k.endsWith(` ${url.pathname}`));
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
    const response = await handler({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
    });
    send(res, response);
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
