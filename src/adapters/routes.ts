import type { IncomingHttpHeaders } from "node:http";

/**
 * An HTTP route as an adapter declares it (health, the Stripe webhook, Telegram's webhook) and the
 * http adapter serves it (src/adapters/http/server.ts). Neutral ground: any adapter may declare
 * routes without importing the http adapter.
 */

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The values of a route's `:name` segments ("/t/:tier" → { tier }), decoded. */
  params: Readonly<Record<string, string>>;
  /**
   * The client's address: the socket's, or, when that is a proxy on this machine or a private
   * network (a reverse proxy in front of the bot), the last address of X-Forwarded-For.
   */
  remoteAddress: string;
  /** The exact bytes received: the Stripe signature is computed over them. */
  rawBody: Buffer;
}

export interface HttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface Route {
  method: "GET" | "POST";
  /** An exact path, or one with `:name` segments matching one segment each ("/t/:tier"). */
  path: string;
  handler: HttpHandler;
}
