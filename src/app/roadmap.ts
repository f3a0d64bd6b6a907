import type { IdeaStatus } from "../core/ideaLifecycle.ts";
import type { Tally } from "../core/polls.ts";
import type { Db } from "./db.ts";
import { type DiscussionLink, discussionLinks } from "./discussions.ts";
import { ideaStatus } from "./ideas.ts";
import { type PollDeps, pollResults } from "./polls.ts";

/**
 * What the public roadmap shows (src/adapters/http/roadmapPage.ts renders it): every idea with its
 * dated chain and the name its author chose (or none: anonymous), every poll with its dates and
 * vote counts, unless the poll hides them until it closes. Read-only, for anyone on the internet:
 * no member id, no platform account, no ballot.
 */

export interface RoadmapIdea {
  id: string;
  title: string;
  description: string;
  status: IdeaStatus;
  upvotes: number;
  /** The author's chosen credit name; null: anonymous. */
  author: string | null;
  declineReason: string | null;
  mergedInto: { id: string; title: string } | null;
  pollId: string | null;
  /** Each stage reached, in order, with its date. */
  steps: { status: IdeaStatus; at: Date }[];
  /** Where the tribe discusses it (src/app/discussions.ts): links built from the platforms' ids. */
  discuss: DiscussionLink[];
}

export interface RoadmapPoll {
  id: string;
  question: string;
  mode: string;
  options: { label: string; ideaId: string | null }[];
  opensAt: Date;
  closesAt: Date;
  closedAt: Date | null;
  inTheWorksAt: Date | null;
  shippedAt: Date | null;
  /** The tally (final once closed); null while the poll hides its results. */
  tally: Tally | null;
  hidden: boolean;
  /** Where the tribe discusses it (a Discord thread on each poll message, each Telegram poll message). */
  discuss: DiscussionLink[];
}

export interface Roadmap {
  ideas: RoadmapIdea[];
  polls: RoadmapPoll[];
}

/** The most items of each kind the page lists (newest first). */
export const ROADMAP_LIMIT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function ideasOf(db: Db, where: { id?: { in: string[] } } = {}): Promise<RoadmapIdea[]> {
  const rows = await db.idea.findMany({
    where,
    orderBy: { createdAt: "desc" },
    take: ROADMAP_LIMIT,
    include: { transitions: { orderBy: [{ at: "asc" }, { id: "asc" }] } },
  });
  const authors = await db.member.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.authorMemberId))] } },
    select: { id: true, creditName: true },
  });
  const credit = new Map(authors.map((a) => [a.id, a.creditName]));
  const targets = rows.flatMap((r) => (r.mergedInto ? [r.mergedInto] : []));
  const [merged, links] = await Promise.all([
    targets.length
      ? db.idea.findMany({ where: { id: { in: targets } }, select: { id: true, title: true } })
      : [],
    discussionLinks(
      db,
      "idea",
      rows.map((r) => r.id),
    ),
  ]);
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    description: r.description,
    status: ideaStatus(r.status),
    upvotes: r.voteCount,
    author: credit.get(r.authorMemberId) ?? null,
    declineReason: r.declineReason,
    mergedInto: merged.find((m) => m.id === r.mergedInto) ?? null,
    pollId: r.pollId,
    steps: r.transitions.map((t) => ({ status: ideaStatus(t.toStatus), at: t.at })),
    discuss: links.get(r.id) ?? [],
  }));
}

async function pollsOf(deps: PollDeps, where: { id?: string } = {}): Promise<RoadmapPoll[]> {
  const rows = await deps.db.poll.findMany({ where, orderBy: { createdAt: "desc" }, take: ROADMAP_LIMIT });
  const links = await discussionLinks(
    deps.db,
    "poll",
    rows.map((r) => r.id),
  );
  const out: RoadmapPoll[] = [];
  for (const row of rows) {
    // Open polls count their ballots now (and hide them when the poll says so); closed ones read the stored result.
    const view =
      row.closedAt && row.result
        ? { tally: row.result as unknown as Tally, hidden: false }
        : await pollResults(deps, row.id);
    out.push({
      id: row.id,
      question: row.question,
      mode: row.mode,
      options: row.options.map((label, i) => ({ label, ideaId: row.ideaIds[i] ?? null })),
      opensAt: row.opensAt,
      closesAt: row.closesAt,
      closedAt: row.closedAt,
      inTheWorksAt: row.inTheWorksAt,
      shippedAt: row.shippedAt,
      tally: view.hidden ? null : view.tally,
      hidden: view.hidden,
      discuss: links.get(row.id) ?? [],
    });
  }
  return out;
}

export async function readRoadmap(deps: PollDeps): Promise<Roadmap> {
  const [ideas, polls] = await Promise.all([ideasOf(deps.db), pollsOf(deps)]);
  return { ideas, polls };
}

/** One idea or poll by its full id, with what it links to; null when there is none. */
export async function readRoadmapItem(
  deps: PollDeps,
  id: string,
): Promise<
  | { kind: "idea"; idea: RoadmapIdea; poll: RoadmapPoll | null }
  | { kind: "poll"; poll: RoadmapPoll; ideas: RoadmapIdea[] }
  | null
> {
  const key = id.trim().toLowerCase();
  if (!UUID.test(key)) return null;
  const [idea] = await ideasOf(deps.db, { id: { in: [key] } });
  if (idea) {
    const [poll] = idea.pollId ? await pollsOf(deps, { id: idea.pollId }) : [];
    return { kind: "idea", idea, poll: poll ?? null };
  }
  const [poll] = await pollsOf(deps, { id: key });
  if (!poll) return null;
  const ideaIds = poll.options.flatMap((o) => (o.ideaId ? [o.ideaId] : []));
  return { kind: "poll", poll, ideas: ideaIds.length ? await ideasOf(deps.db, { id: { in: ideaIds } }) : [] };
}
