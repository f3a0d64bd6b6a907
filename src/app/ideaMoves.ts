import { canMove, type IdeaStatus, isIdeaStatus } from "../core/ideaLifecycle.ts";
import { DomainError } from "../errors.ts";
import type { Tx } from "./db.ts";
import { scheduleDiscussion } from "./discussions.ts";
import { scheduleRoadmapRefresh } from "./roadmapMessage.ts";

/**
 * Moves one idea through its lifecycle (src/core/ideaLifecycle.ts) inside the caller's transaction:
 * the idea's row is locked, the move checked, its status (and what goes with it) written, and the
 * move kept, dated, in idea_transition for the roadmap. A move to where the idea already is changes
 * nothing (false); a move the lifecycle forbids is refused with `refusal` (idea_move_invalid unless
 * the caller has a better word for it).
 */
export async function moveIdea(
  tx: Tx,
  move: {
    ideaId: string;
    to: IdeaStatus;
    actor: string;
    at: Date;
    pollId?: string;
    /** The creator's reason (declined) or the target idea (merged). */
    detail?: string;
  },
  refusal: (status: IdeaStatus, title: string) => DomainError = (status) =>
    new DomainError("idea_move_invalid", { status }),
): Promise<boolean> {
  const [locked] = await tx.$queryRaw<{ status: string; title: string }[]>`
    SELECT status, title FROM idea WHERE id = ${move.ideaId} FOR UPDATE`;
  if (!locked) throw new DomainError("idea_not_found");
  const from: IdeaStatus = isIdeaStatus(locked.status) ? locked.status : "proposed";
  if (from === move.to) return false;
  if (!canMove(from, move.to)) throw refusal(from, locked.title);
  await tx.idea.update({
    where: { id: move.ideaId },
    data: {
      status: move.to,
      ...(move.pollId ? { pollId: move.pollId } : {}),
      ...(move.to === "declined" ? { declineReason: move.detail ?? null } : {}),
      ...(move.to === "merged" ? { mergedInto: move.detail ?? null } : {}),
    },
  });
  await tx.ideaTransition.create({
    data: {
      ideaId: move.ideaId,
      fromStatus: from,
      toStatus: move.to,
      pollId: move.pollId ?? null,
      detail: move.detail ?? null,
      actor: move.actor,
      at: move.at,
    },
  });
  // The roadmap message shows where each idea stands: one refresh for the burst this move is part of.
  await scheduleRoadmapRefresh(tx, move.at);
  // Shortlisted: the tribe gets a place to talk about it (src/app/discussions.ts; none twice).
  if (move.to === "shortlisted") await scheduleDiscussion(tx, { kind: "idea", id: move.ideaId }, move.at);
  return true;
}
