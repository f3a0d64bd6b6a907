import { randomUUID } from "node:crypto";
import type { Identity } from "../core/access.ts";
import { type IdeaStatus, isIdeaStatus, takesUpvotes } from "../core/ideaLifecycle.ts";
import { idPrefixKey, pickByPrefix } from "../core/pollInput.ts";
import type { PollInput } from "../core/polls.ts";
import { DomainError } from "../errors.ts";
import { type Db, isUniqueViolation } from "./db.ts";
import { moveIdea } from "./ideaMoves.ts";
import { entitledTierIds, openPoll, type PollDeps } from "./polls.ts";
import { spendToken } from "./rateLimits.ts";
import { scheduleRoadmapRefresh } from "./roadmapMessage.ts";
import { scheduleTaskOnce } from "./tasks.ts";

/**
 * Ideas: members with an active membership propose what the creator could make next and upvote
 * each other's ideas (one upvote per member per idea, whichever platform, and they may take it
 * back); the creator shortlists, merges or declines them (with a reason; the author is told) and
 * turns a shortlist into a poll. The lifecycle: src/core/ideaLifecycle.ts.
 */

export const IDEA_DECISIONS = ["shortlisted", "merged", "declined"] as const;
export type IdeaDecision = (typeof IDEA_DECISIONS)[number];

/** The longest reason a creator gives for declining an idea. */
export const DECLINE_REASON_MAX = 300;

/** The stored status, as the lifecycle knows it. */
export function ideaStatus(raw: string): IdeaStatus {
  return isIdeaStatus(raw) ? raw : "proposed";
}

async function activeMember(deps: PollDeps, who: Identity): Promise<string> {
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (!identity || (await entitledTierIds(deps.db, identity.memberId, deps.clock.now())).length === 0) {
    throw new DomainError("idea_members_only");
  }
  return identity.memberId;
}

/**
 * An idea named by its id or the first characters of it: the same rule as polls (findPollByRef),
 * idea_not_found or idea_ambiguous (type more characters).
 */
export async function findIdeaIdByRef(db: Db, ref: string): Promise<string> {
  const key = idPrefixKey(ref);
  const found = key
    ? await db.idea.findMany({ where: { id: { startsWith: key } }, take: 2, select: { id: true } })
    : [];
  const picked = pickByPrefix(found.map((i) => i.id));
  if (!picked.ok) throw new DomainError(`idea_${picked.code}`, { prefix: ref.trim() });
  return picked.id;
}

/** An idea by its full id; idea_not_found when there is none. */
export async function getIdea(db: Db, ideaId: string) {
  const idea = await db.idea.findUnique({ where: { id: ideaId } });
  if (!idea) throw new DomainError("idea_not_found");
  return idea;
}

export async function proposeIdea(
  deps: PollDeps,
  who: Identity,
  input: { title: string; description?: string },
) {
  const title = input.title.trim();
  const description = (input.description ?? "").trim();
  if (title.length < 3 || title.length > 100) throw new DomainError("idea_title_invalid");
  if (description.length > 500) throw new DomainError("idea_description_invalid");
  // After the checks of the text: a typo does not cost the fan one of their proposals.
  await spendToken(deps, "idea", who);
  const memberId = await activeMember(deps, who);
  const now = deps.clock.now();
  const idea = await deps.db.$transaction(async (tx) => {
    const created = await tx.idea.create({
      data: {
        id: randomUUID(),
        title,
        description,
        authorMemberId: memberId,
        status: "proposed",
        createdAt: now,
        transitions: {
          create: { fromStatus: null, toStatus: "proposed", actor: `${who.platform}:${who.userId}`, at: now },
        },
      },
    });
    await scheduleRoadmapRefresh(tx, now);
    return created;
  });
  deps.onWork?.();
  deps.log.info({ event: "idea.proposed", ideaId: idea.id, memberId }, `idea proposed: ${title}`);
  return idea;
}

export async function upvoteIdea(deps: PollDeps, who: Identity, ideaId: string): Promise<{ votes: number }> {
  await spendToken(deps, "upvote", who);
  const idea = await deps.db.idea.findUnique({ where: { id: ideaId } });
  if (!idea) throw new DomainError("idea_not_found");
  // Once in a poll or decided, an idea's fate is no longer the upvotes'.
  const status = ideaStatus(idea.status);
  if (!takesUpvotes(status)) throw new DomainError("idea_closed", { status });
  const memberId = await activeMember(deps, who);
  try {
    // The count is kept with the idea, in the vote's transaction, so the top list reads an index.
    const updated = await deps.db.$transaction(async (tx) => {
      await tx.ideaVote.create({ data: { ideaId, memberId } });
      // Upvotes order the shortlist the roadmap message shows.
      if (status === "shortlisted") await scheduleRoadmapRefresh(tx, deps.clock.now());
      return tx.idea.update({ where: { id: ideaId }, data: { voteCount: { increment: 1 } } });
    });
    return { votes: updated.voteCount };
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError("idea_already_upvoted");
    throw err;
  }
}

/**
 * A fan takes their upvote back (while the idea still takes upvotes), whichever platform they gave
 * it from: idea_not_upvoted when there is none to take back.
 */
export async function unvoteIdea(deps: PollDeps, who: Identity, ideaId: string): Promise<{ votes: number }> {
  await spendToken(deps, "upvote", who);
  const idea = await deps.db.idea.findUnique({ where: { id: ideaId } });
  if (!idea) throw new DomainError("idea_not_found");
  const status = ideaStatus(idea.status);
  if (!takesUpvotes(status)) throw new DomainError("idea_closed", { status });
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
  });
  if (!identity) throw new DomainError("idea_not_upvoted");
  const updated = await deps.db.$transaction(async (tx) => {
    const removed = await tx.ideaVote.deleteMany({ where: { ideaId, memberId: identity.memberId } });
    if (removed.count === 0) return null;
    if (status === "shortlisted") await scheduleRoadmapRefresh(tx, deps.clock.now());
    return tx.idea.update({ where: { id: ideaId }, data: { voteCount: { decrement: removed.count } } });
  });
  if (!updated) throw new DomainError("idea_not_upvoted");
  deps.log.info(
    { event: "idea.unvoted", ideaId, memberId: identity.memberId, votes: updated.voteCount },
    "upvote taken back",
  );
  return { votes: updated.voteCount };
}

/**
 * The creator fixes an idea's words (a typo, a clearer title): the same limits as a proposal, in any
 * status. A poll that holds the idea keeps the words its voters saw.
 */
export async function editIdea(
  deps: PollDeps,
  ideaId: string,
  input: { title?: string; description?: string },
  actor: string,
) {
  const title = input.title?.trim();
  const description = input.description?.trim();
  if (title === undefined && description === undefined) throw new DomainError("idea_edit_empty");
  if (title !== undefined && (title.length < 3 || title.length > 100))
    throw new DomainError("idea_title_invalid");
  if (description !== undefined && description.length > 500)
    throw new DomainError("idea_description_invalid");
  const before = await getIdea(deps.db, ideaId);
  const updated = await deps.db.$transaction(async (tx) => {
    const row = await tx.idea.update({
      where: { id: ideaId },
      data: {
        ...(title !== undefined ? { title } : {}),
        ...(description !== undefined ? { description } : {}),
      },
    });
    // The roadmap message quotes its title.
    if (row.title !== before.title) await scheduleRoadmapRefresh(tx, deps.clock.now());
    return row;
  });
  deps.onWork?.();
  deps.log.info(
    {
      event: "idea.edited",
      ideaId,
      actor,
      titleChanged: title !== undefined && title !== before.title,
      descriptionChanged: description !== undefined && description !== before.description,
    },
    `idea edited: ${before.title} → ${updated.title}`,
  );
  return updated;
}

/** An idea as a member's own list shows it. */
export interface MyIdea {
  id: string;
  title: string;
  status: IdeaStatus;
  votes: number;
  declineReason: string | null;
  /** When merged: the title of the idea it joined. */
  mergedIntoTitle: string | null;
}

/** How many ideas each part of "my ideas" shows, newest first. */
export const MY_IDEAS_MAX = 10;

/**
 * A member's ideas, whichever platform they proposed or upvoted them from (linked accounts are one
 * member): those they proposed and those they back, newest first, each with where it stands.
 */
export async function myIdeas(
  deps: PollDeps,
  who: Identity,
): Promise<{ proposed: MyIdea[]; backed: MyIdea[] }> {
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    select: { memberId: true },
  });
  if (!identity) return { proposed: [], backed: [] };
  const [proposed, votes] = await Promise.all([
    deps.db.idea.findMany({
      where: { authorMemberId: identity.memberId },
      orderBy: { createdAt: "desc" },
      take: MY_IDEAS_MAX,
    }),
    deps.db.ideaVote.findMany({
      where: { memberId: identity.memberId },
      orderBy: { createdAt: "desc" },
      take: MY_IDEAS_MAX,
      include: { idea: true },
    }),
  ]);
  const backedIdeas = votes.map((v) => v.idea);
  const mergedIds = [...proposed, ...backedIdeas].flatMap((i) => (i.mergedInto ? [i.mergedInto] : []));
  const targets = mergedIds.length
    ? await deps.db.idea.findMany({ where: { id: { in: mergedIds } }, select: { id: true, title: true } })
    : [];
  const titleOf = new Map(targets.map((i) => [i.id, i.title]));
  const view = (i: (typeof proposed)[number]): MyIdea => ({
    id: i.id,
    title: i.title,
    status: ideaStatus(i.status),
    votes: i.voteCount,
    declineReason: i.declineReason,
    mergedIntoTitle: i.mergedInto ? (titleOf.get(i.mergedInto) ?? null) : null,
  });
  return { proposed: proposed.map(view), backed: backedIdeas.map(view) };
}

/** The most ideas a list or an autocomplete reads at once. */
export const IDEA_PAGE_MAX = 25;

/**
 * Ideas the tribe can still upvote (proposed, shortlisted), most upvoted first (then oldest first): one bounded page read in the order of the
 * (status, vote_count, created_at) index, never every open idea. `search` narrows it to ideas whose
 * id starts with it or whose title contains it (what an autocomplete has typed so far).
 */
export async function topIdeas(db: Db, limit = 10, opts: { search?: string } = {}) {
  const needle = opts.search?.trim().toLowerCase() ?? "";
  const ideas = await db.idea.findMany({
    where: {
      status: { in: ["proposed", "shortlisted"] },
      ...(needle
        ? { OR: [{ id: { startsWith: needle } }, { title: { contains: needle, mode: "insensitive" } }] }
        : {}),
    },
    orderBy: [{ voteCount: "desc" }, { createdAt: "asc" }],
    take: Math.min(Math.max(1, limit), IDEA_PAGE_MAX),
  });
  return ideas.map((i) => ({
    id: i.id,
    title: i.title,
    description: i.description,
    votes: i.voteCount,
    authorMemberId: i.authorMemberId,
  }));
}

/**
 * The creator decides on an idea: shortlists it, merges it into another, or declines it with a
 * reason. Its author hears about it on their platforms (with the reason).
 */
export async function decideIdea(
  deps: PollDeps,
  ideaId: string,
  decision: IdeaDecision,
  opts: { mergedInto?: string; reason?: string; actor?: string } = {},
) {
  const idea = await deps.db.idea.findUnique({ where: { id: ideaId } });
  if (!idea) throw new DomainError("idea_not_found");
  if (decision === "merged") {
    if (
      !opts.mergedInto ||
      opts.mergedInto === ideaId ||
      !(await deps.db.idea.findUnique({ where: { id: opts.mergedInto } }))
    ) {
      throw new DomainError("idea_merge_target_invalid");
    }
  }
  const reason = decision === "declined" ? cleanReason(opts.reason ?? "") : "";
  if (decision === "declined" && (reason.length === 0 || reason.length > DECLINE_REASON_MAX))
    throw new DomainError("idea_decline_reason_invalid", { max: DECLINE_REASON_MAX });
  const now = deps.clock.now();
  const detail = decision === "merged" ? opts.mergedInto : decision === "declined" ? reason : undefined;
  const updated = await deps.db.$transaction(async (tx) => {
    await moveIdea(
      tx,
      { ideaId, to: decision, actor: opts.actor ?? "creator", at: now, ...(detail ? { detail } : {}) },
      (status) => new DomainError("idea_decision_invalid", { status }),
    );
    await scheduleTaskOnce(tx, {
      key: `notify:idea:${ideaId}:${decision}`,
      kind: "member.notify",
      payload: {
        memberId: idea.authorMemberId,
        template: "idea_decided",
        title: idea.title,
        decision,
        ...(reason ? { reason } : {}),
      },
      runAfter: now,
      now,
    });
    return tx.idea.findUniqueOrThrow({ where: { id: ideaId } });
  });
  deps.log.info({ event: "idea.decided", ideaId, decision }, `idea ${decision}: ${idea.title}`);
  deps.onWork?.();
  return updated;
}

/** A creator's reason, on one line, without control characters. */
function cleanReason(raw: string): string {
  return raw
    .normalize("NFC")
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** A shortlist of ideas becomes a poll, one option per idea title, in the order given. */
export async function pollFromIdeas(
  deps: PollDeps,
  ideaIds: readonly string[],
  input: Omit<PollInput, "options" | "question"> & { question?: string; createdBy: string },
) {
  const ideas = await deps.db.idea.findMany({ where: { id: { in: [...ideaIds] } } });
  if (ideas.length !== new Set(ideaIds).size) throw new DomainError("idea_not_found");
  const byId = new Map(ideas.map((i) => [i.id, i]));
  // Checked again under lock when the poll opens (openPoll moves them in_poll).
  for (const idea of ideas) {
    const status = ideaStatus(idea.status);
    if (status !== "proposed" && status !== "shortlisted" && status !== "lost")
      throw new DomainError("idea_not_pollable", { title: idea.title, status });
  }
  const options = ideaIds.map((id) => byId.get(id)!.title);
  return openPoll(deps, {
    ...input,
    question: input.question ?? "What should I make next?",
    options,
    ideaIds: [...ideaIds],
  });
}
