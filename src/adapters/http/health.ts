import type { Route } from "./server.ts";

export interface ReadinessCheck {
  name: string;
  /** Resolves with a short state ("ok", "ready", "connecting"...) and whether it counts as ready. */
  check(): Promise<{ ready: boolean; state: string }>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * GET /healthz: the process is alive and serving HTTP (liveness).
 * GET /readyz: the database answers and each configured platform is connected (readiness);
 * 503 with the failing parts otherwise, so a load balancer or orchestrator can wait.
 */
export function healthRoutes(checks: readonly ReadinessCheck[], startedAt: number): Route[] {
  return [
    {
      method: "GET",
      path: "/healthz",
      handler: () => ({
        status: 200,
        body: { status: "ok", uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) },
      }),
    },
    {
      method: "GET",
      path: "/readyz",
      handler: async () => {
        const results = await Promise.all(
          checks.map(async (c) => {
            try {
              return [c.name, await withTimeout(c.check(), CHECK_TIMEOUT_MS)] as const;
            } catch (err) {
              return [c.name, { ready: false, state: `error: ${(err as Error).message}` }] as const;
            }
          }),
        );
        const ready = results.every(([, r]) => r.ready);
        return {
          status: ready ? 200 : 503,
          body: {
            status: ready ? "ready" : "not_ready",
            checks: Object.fromEntries(results.map(([n, r]) => [n, r.state])),
          },
        };
      },
    },
  ];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
