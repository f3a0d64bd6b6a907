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
  path: string;
  handler: HttpHandler;
}
