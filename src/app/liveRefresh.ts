/**
 * Live poll results: ballots arrive in bursts, and every platform limits how often a message may be
 * edited, so the refreshes of one poll's messages are coalesced. One rule for every platform:
 *
 * - at most one refresh per poll per interval, counted from the end of the previous refresh (a slow
 *   read of the tally never brings two rounds of edits closer than the interval);
 * - the first request after a quiet spell refreshes at once; requests while one is planned are folded
 *   into it, and it reads the tally when it runs (so the last ballot is always shown);
 * - a request while a refresh runs plans one more after it, never a queue (in a burst, reading the
 *   ballots can take longer than the interval, and queued refreshes would go out back to back);
 * - refreshes of one poll run one at a time, so a late live refresh never overwrites the final one;
 * - stop() plans nothing more and resolves once the refreshes under way are done.
 *
 * The platform passes what a refresh does (read the poll, edit its messages there).
 */

/**
 * One interval for every platform: Telegram lets a bot send a group about 20 messages a minute
 * (edits included), Discord about 5 edits per 5 s in a channel; one refresh per poll every 3 s keeps
 * under both.
 */
export const LIVE_REFRESH_INTERVAL_MS = 3_000;

export interface LiveRefresher {
  /** Something changed (a ballot): refresh soon, coalesced. */
  request(pollId: string): void;
  /**
   * Refresh now, for the last time (the poll closed): the planned refresh is dropped, the one under
   * way finishes first. Rejects when the refresh fails (the caller reports it).
   */
  final(pollId: string): Promise<void>;
  stop(): Promise<void>;
}

interface PollState {
  timer: NodeJS.Timeout | undefined;
  /** When the last refresh ended (0: never). */
  lastEnd: number;
  /** Refreshes started and not yet ended; `again`: a request came in meanwhile, one more follows. */
  inFlight: number;
  again: boolean;
  /** The refreshes of this poll, one after the other. */
  chain: Promise<void>;
}

export function createLiveRefresher(opts: {
  /** Edits the poll's messages on one platform; `final`: the poll is closed, show the results. */
  refresh: (pollId: string, final: boolean) => Promise<void>;
  /** A live refresh failed (a final one rejects instead). */
  onError: (pollId: string, err: unknown) => void;
  intervalMs?: number;
}): LiveRefresher {
  const intervalMs = opts.intervalMs ?? LIVE_REFRESH_INTERVAL_MS;
  const states = new Map<string, PollState>();
  let stopped = false;

  const stateOf = (pollId: string): PollState => {
    let s = states.get(pollId);
    if (!s) {
      s = { timer: undefined, lastEnd: 0, inFlight: 0, again: false, chain: Promise.resolve() };
      states.set(pollId, s);
    }
    return s;
  };

  const run = (pollId: string, s: PollState, final: boolean): Promise<void> => {
    s.inFlight += 1;
    const done = s.chain.then(() => opts.refresh(pollId, final));
    s.chain = done
      .catch(() => undefined)
      .finally(() => {
        s.inFlight -= 1;
        s.lastEnd = Date.now();
        if (s.inFlight === 0 && s.again && states.get(pollId) === s) {
          s.again = false;
          request(pollId);
        }
      });
    return done;
  };

  const request = (pollId: string): void => {
    if (stopped) return;
    const s = stateOf(pollId);
    if (s.inFlight > 0) {
      s.again = true;
      return;
    }
    if (s.timer) return; // a refresh is planned: it will read this change too
    const wait = Math.max(0, s.lastEnd + intervalMs - Date.now());
    s.timer = setTimeout(() => {
      s.timer = undefined;
      run(pollId, s, false).catch((err: unknown) => opts.onError(pollId, err));
    }, wait);
    s.timer.unref();
  };

  return {
    request,
    async final(pollId) {
      const s = stateOf(pollId);
      if (s.timer) clearTimeout(s.timer);
      s.timer = undefined;
      s.again = false; // the final refresh follows the one under way, and reads everything
      try {
        await run(pollId, s, true);
      } finally {
        if (states.get(pollId) === s && !s.timer) states.delete(pollId);
      }
    },
    async stop() {
      stopped = true;
      for (const s of states.values()) {
        if (s.timer) clearTimeout(s.timer);
        s.timer = undefined;
        s.again = false;
      }
      await Promise.all([...states.values()].map((s) => s.chain));
      states.clear();
    },
  };
}
