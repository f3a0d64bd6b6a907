/**
 * The co-creation cycle (issue #16): once a month, at a day and hour the creator set (UTC), the top
 * ideas by upvotes go to a poll. Pure rules: when the next opening is, which ideas qualify, and
 * which month an opening belongs to (its key: one poll per month).
 */

/** When the cycle's poll opens each month: a day of the month (1 to 28, so every month has it) and an hour (UTC). */
export interface CycleTime {
  day: number;
  hour: number;
}

/** The first opening strictly after `now`: this month's if it is still ahead, else next month's. */
export function nextCycleOpening(now: Date, at: CycleTime): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const thisMonth = new Date(Date.UTC(year, month, at.day, at.hour));
  if (thisMonth.getTime() > now.getTime()) return thisMonth;
  // Date.UTC carries month 12 into the next year; day ≤ 28 never spills into the month after.
  return new Date(Date.UTC(year, month + 1, at.day, at.hour));
}

/** The month an opening belongs to, "YYYY-MM" (UTC): the key that makes one poll per month. */
export function cycleMonth(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** An idea that may enter the cycle's poll. */
export interface CycleCandidate {
  id: string;
  upvotes: number;
  createdAt: Date;
}

/**
 * The ideas of this month's poll: at least `min` upvotes, most upvoted first, ties broken by the
 * oldest first (then by id, so the choice never depends on the order read), at most `top`.
 */
export function pickCycleIdeas<T extends CycleCandidate>(
  candidates: readonly T[],
  rule: { top: number; min: number },
): T[] {
  return candidates
    .filter((c) => c.upvotes >= rule.min)
    .sort(
      (a, b) =>
        b.upvotes - a.upvotes ||
        a.createdAt.getTime() - b.createdAt.getTime() ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, rule.top);
}
