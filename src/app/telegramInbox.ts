import { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";
import type { Clock } from "./worker.ts";

/** A Telegram update as the inbox needs it: its id, the rest kept as it came. */
export interface InboxUpdate {
  update_id: number;
}

/**
 * The leader's inbox of Telegram updates (table telegram_update). Long polling confirms a batch
 * with the next getUpdates, which the poller sends while the batch is still being handled: without
 * the inbox, a leader killed then loses what it had in hand, and the next leader never receives it.
 * So a batch is written here before the next poll confirms it; each update is marked handled once
 * its handler finished (at once; those that finish during a write go together in the next); a process that becomes the leader handles
 * first what an earlier leader left unhandled; and an update Telegram delivers a second time
 * (the dead leader stored it but never confirmed it) is recognised and skipped.
 */
export interface TelegramInbox {
  /** Records a fetched batch; returns the updates not seen before, to handle. */
  keep<U extends InboxUpdate>(updates: readonly U[]): Promise<U[]>;
  /** The update's handler finished (whatever its outcome: the error boundary dealt with failures). */
  handled(updateId: number): void;
  /**
   * Updates other processes kept and did not handle (a leader that died), oldest first; now this
   * one's. Only those kept at least `minAgeMs` ago: a leader that lost the lead but still runs may
   * be finishing the younger ones (its handled marks follow within a moment).
   */
  leftovers<U extends InboxUpdate>(minAgeMs: number): Promise<U[]>;
  /** Writes the pending "handled" marks now. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const KEEP_MS = 24 * 60 * 60 * 1000;

export function createTelegramInbox(opts: {
  db: Db;
  botId: number;
  owner: string;
  log: Logger;
  clock: Clock;
  flushMs?: number;
}): TelegramInbox {
  const { db } = opts;
  const botId = BigInt(opts.botId);
  const log = opts.log.child({ module: "telegram.inbox" });
  let pending: bigint[] = [];
  let flushing: Promise<void> | undefined;
  let lastPrune = 0;

  /** Writes the pending marks; marks that come meanwhile go in the next write, at once. */
  const flush = async (): Promise<void> => {
    while (flushing) await flushing;
    while (pending.length > 0) {
      const ids = pending;
      pending = [];
      let failed = false;
      const write = (async () => {
        try {
          await db.$executeRaw`
            UPDATE telegram_update SET handled = true
            WHERE bot_id = ${botId} AND update_id IN (${Prisma.join(ids)})`;
        } catch (err) {
          // Tried again on the timer's next tick; meanwhile a new leader could handle them once more.
          failed = true;
          pending.push(...ids);
          log.warn(
            { event: "telegram.inbox.flush_failed", count: ids.length, err },
            "could not mark updates handled",
          );
        }
      })();
      flushing = write;
      await write;
      flushing = undefined;
      if (failed) return;
    }
  };
  // Marks whose write failed are tried again on this tick.
  const timer = setInterval(() => void flush(), opts.flushMs ?? 250);
  timer.unref();

  return {
    async keep(updates) {
      if (updates.length === 0) return [];
      const now = opts.clock.now();
      const rows = updates.map(
        (u) =>
          Prisma.sql`(${botId}, ${BigInt(u.update_id)}, ${JSON.stringify(u)}::jsonb, ${opts.owner}, false, ${now})`,
      );
      const inserted = await db.$queryRaw<{ update_id: bigint }[]>`
        INSERT INTO telegram_update (bot_id, update_id, payload, owner, handled, received_at)
        VALUES ${Prisma.join(rows)}
        ON CONFLICT (bot_id, update_id) DO NOTHING
        RETURNING update_id`;
      const fresh = new Set(inserted.map((r) => Number(r.update_id)));
      if (fresh.size < updates.length)
        log.info(
          { event: "telegram.inbox.redelivered", count: updates.length - fresh.size },
          "Telegram delivered updates again that an earlier leader had kept: not handled twice",
        );
      if (now.getTime() - lastPrune > 60 * 60 * 1000) {
        lastPrune = now.getTime();
        const before = new Date(now.getTime() - KEEP_MS);
        void db.$executeRaw`DELETE FROM telegram_update WHERE bot_id = ${botId} AND received_at < ${before}`.catch(
          (err: unknown) =>
            log.warn({ event: "telegram.inbox.prune_failed", err }, "could not prune old updates"),
        );
      }
      return updates.filter((u) => fresh.has(u.update_id));
    },
    handled(updateId) {
      pending.push(BigInt(updateId));
      // At once, not on the next tick of the timer: until the mark is written, a leader killed now
      // leaves this update to the next one, which answers it a second time. Marks that come while a
      // write is under way go together in the next one.
      if (!flushing) void flush();
    },
    async leftovers<U extends InboxUpdate>(minAgeMs: number) {
      const before = new Date(opts.clock.now().getTime() - minAgeMs);
      const rows = await db.$queryRaw<{ payload: U }[]>`
        UPDATE telegram_update SET owner = ${opts.owner}
        WHERE bot_id = ${botId} AND NOT handled AND owner <> ${opts.owner} AND received_at <= ${before}
        RETURNING payload`;
      const updates = rows.map((r) => r.payload).sort((a, b) => a.update_id - b.update_id);
      if (updates.length > 0)
        log.warn(
          { event: "telegram.inbox.leftovers", count: updates.length },
          "handling updates an earlier leader received and did not finish",
        );
      return updates;
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
