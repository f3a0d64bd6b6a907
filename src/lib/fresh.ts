/**
 * A value read at most once per `ttlMs` however many ask for it at once (micro-caching): the
 * callers of one window share one read, a failed read is not kept (the next caller reads again).
 * For pages anyone on the internet may load in a crowd, where being up to `ttlMs` late is fine.
 */
export function freshFor<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now) {
  let current: { at: number; value: Promise<T> } | undefined;
  return (): Promise<T> => {
    const t = now();
    if (current && t - current.at < ttlMs && t >= current.at) return current.value;
    const value = read();
    const entry = { at: t, value };
    current = entry;
    value.catch(() => {
      if (current === entry) current = undefined;
    });
    return value;
  };
}
