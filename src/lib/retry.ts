/** Exponential backoff with full jitter, capped. attempt is 0-based. */
export function backoffDelay(attempt: number, baseMs = 1_000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Retries `attempt` with backoff until it succeeds, a fatal error occurs, or `stopped()` is true. */
export async function retryForever(opts: {
  attempt: () => Promise<void>;
  isFatal: (err: unknown) => boolean;
  stopped: () => boolean;
  onError: (err: unknown, delayMs: number) => void;
  baseMs?: number;
}): Promise<void> {
  for (let n = 0; !opts.stopped(); n++) {
    const delay = backoffDelay(n, opts.baseMs);
    await sleep(delay);
    if (opts.stopped()) return;
    try {
      await opts.attempt();
      return;
    } catch (err) {
      if (opts.isFatal(err)) throw err;
      opts.onError(err, backoffDelay(n + 1, opts.baseMs));
    }
  }
}
