/**
 * The one lifecycle of an idea, pure: where it can go from where it is.
 *
 *   proposed → shortlisted → in_poll → won → in_the_works → shipped
 *                               └────→ lost → (shortlisted, in_poll again)
 *
 * The creator may decline an idea (with a reason) or merge it into another while it is still the
 * tribe's to shape (proposed, shortlisted, lost); a poll moves its ideas by itself (in_poll when it
 * opens, won or lost when it closes); the creator's commitments move the winner (in_the_works,
 * shipped). declined, merged and shipped are final.
 */

export const IDEA_STATUSES = [
  "proposed",
  "shortlisted",
  "in_poll",
  "won",
  "lost",
  "in_the_works",
  "shipped",
  "declined",
  "merged",
] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

const NEXT: Readonly<Record<IdeaStatus, readonly IdeaStatus[]>> = {
  proposed: ["shortlisted", "in_poll", "declined", "merged"],
  shortlisted: ["in_poll", "declined", "merged"],
  // A tie sends the tied ideas back to the shortlist (the creator may put them to a run-off).
  in_poll: ["won", "lost", "shortlisted"],
  won: ["in_the_works", "shipped"],
  lost: ["shortlisted", "in_poll", "declined", "merged"],
  in_the_works: ["shipped"],
  shipped: [],
  declined: [],
  merged: [],
};

export function isIdeaStatus(value: string): value is IdeaStatus {
  return (IDEA_STATUSES as readonly string[]).includes(value);
}

/** Whether an idea in `from` may move to `to`. */
export function canMove(from: IdeaStatus, to: IdeaStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses an idea may leave `from` for (the creator's choices are among them). */
export function nextStatuses(from: IdeaStatus): readonly IdeaStatus[] {
  return NEXT[from];
}

/** Ideas the tribe can still upvote (and take an upvote back from): not yet in a poll or decided. */
export function takesUpvotes(status: IdeaStatus): boolean {
  return status === "proposed" || status === "shortlisted";
}

/**
 * Where the ideas of a closing poll go: the one winner is won; the others are lost. In a tie, the
 * tied ideas go back to the shortlist (nobody won) and the others are lost. `ideaIds` are in option
 * order; `winners` are option indexes.
 */
export function closingMoves(
  ideaIds: readonly string[],
  winners: readonly number[],
): { ideaId: string; to: "won" | "lost" | "shortlisted" }[] {
  const single = winners.length === 1;
  return ideaIds.map((ideaId, option) => ({
    ideaId,
    to: winners.includes(option) ? (single ? "won" : "shortlisted") : "lost",
  }));
}

/** The stages the roadmap shows, in order, for an idea's chain. */
export const CHAIN: readonly IdeaStatus[] = [
  "proposed",
  "shortlisted",
  "in_poll",
  "won",
  "in_the_works",
  "shipped",
];
