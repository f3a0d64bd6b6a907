import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";
import type { Clock } from "./worker.ts";

/** A Discord interaction acknowledged and not answered yet. `token` is a credential: never log it. */
export interface InteractionInHand {
  interactionId: string;
  applicationId: string;
  token: string;
  /** "reply": the deferred private reply is edited; "update": a button's message, left as it is. */
  mode: "reply" | "update";
  command: string;
  locale: string;
}

export interface LeftInteraction extends InteractionInHand {
  deferredAt: Date;
}

/**
 * The Discord interactions this process acknowledged and has not answered (table interaction_in_hand).
 * Discord shows the fan "thinking…" until the answer comes; a process that dies in between would
 * leave them waiting for good. The next leader takes what a dead one left (`takeLeft`) and tells the
 * fan to try again, while Discord still accepts an answer. Only deferred interactions are kept (the
 * few that take longer than two seconds), so a quick one costs no write.
 */
export interface InteractionsInHand {
  /** The interaction was deferred: kept until `answered`. Never throws (a failure is logged). */
  deferred(interaction: InteractionInHand): void;
  /** Its answer was sent, or could not be (whatever happened, it is no longer in hand). */
  answered(interactionId: string): void;
  /**
   * Interactions other processes deferred at least `minAgeMs` ago and did not answer, now removed:
   * a process that lost the lead but still runs may be finishing the younger ones.
   */
  takeLeft(minAgeMs: number): Promise<LeftInteraction[]>;
  /** Waits for the writes under way. */
  settle(): Promise<void>;
}

export function createInteractionsInHand(opts: {
  db: Db;
  owner: string;
  log: Logger;
  clock: Clock;
}): InteractionsInHand {
  const { db } = opts;
  const log = opts.log.child({ module: "discord.in_hand" });
  // Interactions deferred here and not answered yet, each with its last write, so the one that
  // removes it comes after the one that keeps it.
  const held = new Map<string, Promise<void>>();
  const removing = new Set<Promise<void>>();

  return {
    deferred(i) {
      // One INSERT … ON CONFLICT DO NOTHING (an upsert would read first, then write, then read back).
      const write = db.interactionInHand
        .createMany({
          data: [{ ...i, owner: opts.owner, deferredAt: opts.clock.now() }],
          skipDuplicates: true,
        })
        .then(
          () => undefined,
          (err: unknown) =>
            log.warn(
              { event: "discord.in_hand.keep_failed", interactionId: i.interactionId, err },
              "could not record an interaction in hand: if this process dies now, its fan is not told to try again",
            ),
        );
      held.set(i.interactionId, write);
    },
    answered(interactionId) {
      const kept = held.get(interactionId);
      if (!kept) return;
      held.delete(interactionId);
      const write = kept
        .then(() => db.interactionInHand.deleteMany({ where: { interactionId } }))
        .then(
          () => undefined,
          (err: unknown) =>
            log.warn(
              { event: "discord.in_hand.release_failed", interactionId, err },
              "could not clear an answered interaction (a later leader may tell its fan to try again)",
            ),
        );
      removing.add(write);
      void write.finally(() => removing.delete(write));
    },
    async takeLeft(minAgeMs) {
      const before = new Date(opts.clock.now().getTime() - minAgeMs);
      const rows = await db.interactionInHand.findMany({
        where: { owner: { not: opts.owner }, deferredAt: { lte: before } },
        orderBy: { deferredAt: "asc" },
      });
      if (rows.length === 0) return [];
      // Taken by whoever deletes them: two processes sweeping at once never answer one twice.
      const taken: LeftInteraction[] = [];
      for (const row of rows) {
        const { count } = await db.interactionInHand.deleteMany({
          where: { interactionId: row.interactionId, owner: row.owner },
        });
        if (count === 1)
          taken.push({
            interactionId: row.interactionId,
            applicationId: row.applicationId,
            token: row.token,
            mode: row.mode === "update" ? "update" : "reply",
            command: row.command,
            locale: row.locale,
            deferredAt: row.deferredAt,
          });
      }
      return taken;
    },
    async settle() {
      await Promise.all([...held.values(), ...removing]);
    },
  };
}
