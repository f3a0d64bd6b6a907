import type { Logger } from "../../log.ts";
import type { Route } from "../routes.ts";

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
export function healthRoutes(checks: readonly ReadinessCheck[], startedAt: number, log?: Logger): Route[] {
  // /readyz is public: it names states, never an error's text (host names, ports, drivers). The
  // detail goes to the log, once per change of a part's state.
  const lastFailure = new Map<string, string>();
  const failed = (name: string, state: string, err: unknown): { ready: false; state: string } => {
    const detail = err instanceof Error ? err.message : String(err);
    if (lastFailure.get(name) !== detail) {
      lastFailure.set(name, detail);
      log?.warn(
        { event: "readyz.check_failed", check: name, state, err },
        `readiness check ${name}: ${state}`,
      );
    }
    return { ready: false, state };
  };
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
              const result = await withTimeout(c.check(), CHECK_TIMEOUT_MS);
              if (result.ready) lastFailure.delete(c.name);
              return [c.name, result] as const;
            } catch (err) {
              const state = err instanceof CheckTimeout ? "error: no answer" : "error: unreachable";
              return [c.name, failed(c.name, state, err)] as const;
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

class CheckTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms);
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
