import type { Platform as PlatformName } from "../core/access.ts";
import { type DiscussionPlace, type DiscussionSubject, discussionUrl } from "../core/discussion.ts";
import type { IdeaStatus } from "../core/ideaLifecycle.ts";
import type { Logger } from "../log.ts";
import type { Db, Tx } from "./db.ts";
import { roadmapPlaces, scheduleRoadmapRefresh } from "./roadmapMessage.ts";
import { getSettings } from "./settings.ts";
import { scheduleTaskUnlessPending } from "./tasks.ts";
import type { TaskHandler } from "./taskWorker.ts";
import type { Clock, JobResult } from "./worker.ts";

/**
 * Deliberation: each poll and each shortlisted idea gets its place to talk about it, and the
 * roadmap (the message, the public page) links to it.
 *
 * - A poll: on Discord, a public thread on each poll message; on Telegram, the poll message in
 *   each chat is the root, its replies the discussion (recorded with the post: recordPollPost).
 * - A shortlisted idea: on Discord, a public thread in the roadmap channel (none without one); on
 *   Telegram, a short message of the bot in each chat where the roadmap message is on, whose
 *   replies are the discussion.
 *
 * Opening the places is a durable task, scheduled in the transaction that makes the subject
 * discussable (a poll message recorded, an idea moved to shortlisted): a crash does not lose it.
 * Each place is stored (the discussion table) once it exists and the task skips the stored ones,
 * so a task run again opens no second thread; the platforms' openers also treat "a thread exists
 * already" as done. A place the bot may not open (a missing permission) is logged with what to give
 * and not retried. Threads stay open when a poll closes or an idea ships or is declined: the talk
 * may go on.
 */

export const DISCUSSION_OPEN_TASK = "discussion.open";

/** Idea statuses whose places are still opened (an idea shortlisted, then quickly polled, still gets one). */
const DISCUSSABLE: readonly IdeaStatus[] = ["shortlisted", "in_poll", "won", "lost", "in_the_works"];

/** What opening one place did. */
export type DiscussionOpenResult =
  /** The place exists (opened now, or found already there). */
  | { outcome: "opened"; place: DiscussionPlace }
  /** The platform refused for good (the bot lacks a permission, the chat is gone): logged, not retried. */
  | { outcome: "refused"; error: string }
  /** Passing trouble: the task runs again. */
  | { outcome: "retry"; error: string; retryAfterMs?: number };

/** Opens discussion places on one platform (see Platform.discussions). */
export interface DiscussionOpener {
  readonly platform: PlatformName;
  /**
   * Opens the place of a poll on its message `messageId` in `chatId`. Absent on a platform whose
   * poll messages are their own places (Telegram: recorded with the post).
   */
  pollPlace?(post: {
    pollId: string;
    question: string;
    chatId: string;
    messageId: string;
  }): Promise<DiscussionOpenResult>;
  /**
   * Opens the place of a shortlisted idea in `chatId` (the platform's roadmap place). `again`: an
   * earlier try may have opened it without its answer coming back (the platform looks first).
   */
  ideaPlace(
    idea: { id: string; title: string },
    chatId: string,
    opts: { again: boolean },
  ): Promise<DiscussionOpenResult>;
}

/**
 * Makes sure the places of a poll or an idea get opened soon, in the caller's transaction. A task
 * already pending keeps its time; one running is bumped, so it runs again and sees the new post.
 */
export async function scheduleDiscussion(
  tx: Tx,
  subject: { kind: DiscussionSubject; id: string },
  now: Date,
): Promise<void> {
  await scheduleTaskUnlessPending(tx, {
    key: `discussion:${subject.kind}:${subject.id}`,
    kind: DISCUSSION_OPEN_TASK,
    payload: { subject: subject.kind, id: subject.id },
    runAfter: now,
    now,
  });
}

/** Stores a place that exists (a second write of the same place changes nothing). */
export async function recordDiscussion(
  db: Db | Tx,
  subject: { kind: DiscussionSubject; id: string },
  place: DiscussionPlace,
  now: Date,
): Promise<void> {
  const key = {
    subjectKind: subject.kind,
    subjectId: subject.id,
    platform: place.platform,
    chatId: place.chatId,
  };
  await db.discussion.upsert({
    where: { subjectKind_subjectId_platform_chatId: key },
    create: {
      ...key,
      threadId: place.threadId,
      guildId: place.guildId ?? null,
      username: place.username ?? null,
      createdAt: now,
    },
    update: {},
  });
}

/** A place as a link, for the roadmap. */
export interface DiscussionLink {
  platform: PlatformName;
  chatId: string;
  url: string;
}

/** The links of the places of these polls or ideas, by subject id (oldest place first). */
export async function discussionLinks(
  db: Db | Tx,
  kind: DiscussionSubject,
  ids: readonly string[],
): Promise<Map<string, DiscussionLink[]>> {
  const out = new Map<string, DiscussionLink[]>();
  if (ids.length === 0) return out;
  const rows = await db.discussion.findMany({
    where: { subjectKind: kind, subjectId: { in: [...new Set(ids)] } },
    orderBy: [{ createdAt: "asc" }, { platform: "asc" }, { chatId: "asc" }],
  });
  for (const row of rows) {
    const url = discussionUrl({
      platform: row.platform,
      chatId: row.chatId,
      threadId: row.threadId,
      guildId: row.guildId,
      username: row.username,
    });
    if (!url) continue;
    const list = out.get(row.subjectId) ?? [];
    list.push({ platform: row.platform, chatId: row.chatId, url });
    out.set(row.subjectId, list);
  }
  return out;
}

/** The durable opening of a poll's or an idea's places on every platform. */
export function discussionTaskHandlers(deps: {
  db: Db;
  clock: Clock;
  openers: readonly DiscussionOpener[];
  log: Logger;
}): Record<string, TaskHandler> {
  const log = deps.log.child({ module: "discussion" });

  /** Where the subject's places go, platform by platform, with what opens each. */
  async function wanted(
    subject: DiscussionSubject,
    id: string,
    again: boolean,
  ): Promise<
    | { skip: string }
    | { jobs: { platform: PlatformName; chatId: string; open: () => Promise<DiscussionOpenResult> }[] }
  > {
    const jobs: { platform: PlatformName; chatId: string; open: () => Promise<DiscussionOpenResult> }[] = [];
    if (subject === "poll") {
      const poll = await deps.db.poll.findUnique({ where: { id }, select: { question: true } });
      if (!poll) return { skip: "poll gone" };
      for (const opener of deps.openers) {
        const open = opener.pollPlace?.bind(opener);
        if (!open) continue;
        const posts = await deps.db.pollPost.findMany({
          where: { pollId: id, platform: opener.platform },
          orderBy: { createdAt: "asc" },
        });
        for (const post of posts)
          jobs.push({
            platform: opener.platform,
            chatId: post.chatId,
            open: () =>
              open({ pollId: id, question: poll.question, chatId: post.chatId, messageId: post.messageId }),
          });
      }
      return { jobs };
    }
    const idea = await deps.db.idea.findUnique({ where: { id }, select: { title: true, status: true } });
    if (!idea) return { skip: "idea gone" };
    if (!(DISCUSSABLE as readonly string[]).includes(idea.status))
      return { skip: `idea ${idea.status}: no place opened` };
    const settings = await getSettings(deps.db);
    for (const opener of deps.openers) {
      for (const chatId of await roadmapPlaces(deps.db, settings, opener.platform))
        jobs.push({
          platform: opener.platform,
          chatId,
          open: () => opener.ideaPlace({ id, title: idea.title }, chatId, { again }),
        });
    }
    return { jobs };
  }

  return {
    [DISCUSSION_OPEN_TASK]: async (payload, task): Promise<JobResult> => {
      const { subject, id } = payload as { subject?: string; id?: string };
      if ((subject !== "poll" && subject !== "idea") || !id)
        return { outcome: "dead", error: "payload without subject or id" };
      const plan = await wanted(subject, id, task.attempts > 1);
      if ("skip" in plan) return { outcome: "done", note: plan.skip };
      const existing = await deps.db.discussion.findMany({
        where: { subjectKind: subject, subjectId: id },
        select: { platform: true, chatId: true },
      });
      const have = new Set(existing.map((e) => `${e.platform}:${e.chatId}`));
      let opened = 0;
      let refused = 0;
      const failures: string[] = [];
      let retry: Extract<DiscussionOpenResult, { outcome: "retry" }> | null = null;
      for (const job of plan.jobs) {
        if (have.has(`${job.platform}:${job.chatId}`)) continue;
        const r = await job.open();
        if (r.outcome === "opened") {
          await recordDiscussion(deps.db, { kind: subject, id }, r.place, deps.clock.now());
          have.add(`${job.platform}:${job.chatId}`);
          opened++;
          log.info(
            {
              event: "discussion.opened",
              subject,
              subjectId: id,
              platform: job.platform,
              chatId: job.chatId,
              threadId: r.place.threadId,
            },
            `discussion place opened for ${subject} ${id} in ${job.platform} ${job.chatId}`,
          );
        } else if (r.outcome === "refused") {
          refused++;
          log.warn(
            {
              event: "discussion.refused",
              subject,
              subjectId: id,
              platform: job.platform,
              chatId: job.chatId,
              error: r.error,
            },
            `no discussion place for ${subject} ${id} in ${job.platform} ${job.chatId}: ${r.error}`,
          );
        } else {
          failures.push(`${job.platform} ${job.chatId}: ${r.error}`);
          retry ??= r;
        }
      }
      // The roadmap message links to the new places.
      if (opened > 0) {
        const now = deps.clock.now();
        await deps.db.$transaction((tx) => scheduleRoadmapRefresh(tx, now));
      }
      if (retry)
        return {
          outcome: "retry",
          error: failures.join("; ").slice(0, 1000),
          ...(retry.retryAfterMs ? { retryAfterMs: retry.retryAfterMs } : {}),
        };
      return { outcome: "done", note: `${opened} opened, ${refused} refused` };
    },
  };
}
