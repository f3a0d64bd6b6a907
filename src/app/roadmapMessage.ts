import { createHash } from "node:crypto";
import type { Platform as PlatformName } from "../core/access.ts";
import { clipLine } from "../core/fitLines.ts";
import type { Tally } from "../core/polls.ts";
import type { Logger } from "../log.ts";
import type { Db, Tx } from "./db.ts";
import { type DiscussionLink, discussionLinks } from "./discussions.ts";
import { type CreatorSettings, getSettings } from "./settings.ts";
import { scheduleTaskNoLaterThan } from "./tasks.ts";
import type { TaskHandler } from "./taskWorker.ts";
import type { Clock, JobResult } from "./worker.ts";

/**
 * The roadmap message: a compact view of where the tribe's ideas stand (voting now, won or in the
 * works, shipped recently, the top of the shortlist), kept up to date in the places the creator
 * chose: the Discord roadmap channel (/tribe settings roadmap-channel) and, once switched on
 * (/roadmapmsg on), pinned in each Telegram chat bound to a tier. The full story is the public page
 * (<PUBLIC_BASE_URL>/roadmap, src/app/roadmap.ts).
 *
 * - Every change the message shows (an idea proposed, decided, edited, a shortlisted one upvoted; a poll opened or
 *   closed; a winner in the works or shipped) schedules one durable refresh `ROADMAP_BURST_MS`
 *   later, in the transaction of the change where there is one: the changes of a burst join it,
 *   so a burst makes one edit per place, far under the platforms' rate limits, and a refresh
 *   scheduled before a crash runs after the restart.
 * - Each place's message is sent once, then edited in place; its id and a hash of its text are
 *   kept in roadmap_post, so an unchanged text is not sent again. A message someone deleted is sent
 *   anew.
 * - A refresh that shows shipped items schedules the next one for when the oldest of them leaves
 *   "shipped recently" (the same task key: a change before then moves it earlier, never later).
 */

/** Changes gathered into one refresh. */
export const ROADMAP_BURST_MS = 5_000;
/** How long a shipped idea stays in "shipped recently". */
export const ROADMAP_SHIPPED_DAYS = 30;
/** The most lines of each section. */
export const ROADMAP_SECTION_MAX = 10;
/** The longest fan text (a title, a question, an option) a line quotes, in characters. */
const TEXT_MAX = 100;

export const ROADMAP_REFRESH_TASK = { key: "roadmap:refresh", kind: "roadmap.refresh" } as const;

/**
 * What the roadmap message shows, whatever the platform and language. `discuss`: the links of the
 * item's discussion places (src/app/discussions.ts), each platform shows its own.
 */
export interface RoadmapDigest {
  /** Open polls, closing soonest first: the question, its options, when voting ends. */
  voting: { question: string; options: string[]; closesAt: Date; discuss: DiscussionLink[] }[];
  /** Winners the creator has not shipped yet (an idea that won, or a poll's winner in the works). */
  committed: { title: string; stage: "won" | "in_the_works"; discuss: DiscussionLink[] }[];
  /** Shipped in the last ROADMAP_SHIPPED_DAYS days, newest first. */
  shipped: { title: string; at: Date; discuss: DiscussionLink[] }[];
  /** Shortlisted ideas, most upvoted first. */
  shortlisted: { title: string; upvotes: number; discuss: DiscussionLink[] }[];
  /** Ideas proposed, waiting for the creator's decision. */
  proposed: number;
}

/** Fan text clipped to TEXT_MAX characters (whole code points), before any escaping. */
function clip(text: string, max = TEXT_MAX): string {
  return clipLine(text, max);
}

/** The winner's label of a closed poll with one winner; null otherwise. */
function winnerOf(poll: { options: string[]; result: unknown }): string | null {
  const tally = poll.result as Tally | null;
  const index = tally && tally.winners.length === 1 ? tally.winners[0] : undefined;
  return index === undefined ? null : (poll.options[index] ?? null);
}

/** Reads what the roadmap message shows now. */
export async function readRoadmapDigest(db: Db | Tx, now: Date): Promise<RoadmapDigest> {
  const since = new Date(now.getTime() - ROADMAP_SHIPPED_DAYS * 86_400_000);
  const [open, committedIdeas, shippedIdeas, shortlisted, plainPolls, proposed] = await Promise.all([
    db.poll.findMany({
      where: { closedAt: null },
      orderBy: [{ closesAt: "asc" }, { id: "asc" }],
      take: ROADMAP_SECTION_MAX,
      select: { id: true, question: true, options: true, closesAt: true },
    }),
    db.idea.findMany({
      where: { status: { in: ["won", "in_the_works"] } },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: ROADMAP_SECTION_MAX,
      select: { id: true, title: true, status: true },
    }),
    db.ideaTransition.findMany({
      where: { toStatus: "shipped", at: { gte: since } },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: ROADMAP_SECTION_MAX,
      select: { at: true, idea: { select: { id: true, title: true } } },
    }),
    db.idea.findMany({
      where: { status: "shortlisted" },
      orderBy: [{ voteCount: "desc" }, { createdAt: "asc" }],
      take: ROADMAP_SECTION_MAX,
      select: { id: true, title: true, voteCount: true },
    }),
    // Polls not made of ideas whose winner the creator took on: their winner is on the roadmap too.
    db.poll.findMany({
      where: {
        ideaIds: { isEmpty: true },
        OR: [{ commitment: "in_the_works" }, { shippedAt: { gte: since } }],
      },
      orderBy: [{ commitmentAt: "desc" }, { id: "asc" }],
      take: ROADMAP_SECTION_MAX,
      select: { id: true, options: true, result: true, commitment: true, shippedAt: true },
    }),
    db.idea.count({ where: { status: "proposed" } }),
  ]);
  const [pollLinks, ideaLinks] = await Promise.all([
    discussionLinks(
      db,
      "poll",
      [...open, ...plainPolls].map((p) => p.id),
    ),
    discussionLinks(db, "idea", [
      ...committedIdeas.map((i) => i.id),
      ...shippedIdeas.map((t) => t.idea.id),
      ...shortlisted.map((i) => i.id),
    ]),
  ]);
  const committed: RoadmapDigest["committed"] = committedIdeas.map((i) => ({
    title: clip(i.title),
    stage: i.status === "won" ? "won" : "in_the_works",
    discuss: ideaLinks.get(i.id) ?? [],
  }));
  const shipped: RoadmapDigest["shipped"] = shippedIdeas.map((t) => ({
    title: clip(t.idea.title),
    at: t.at,
    discuss: ideaLinks.get(t.idea.id) ?? [],
  }));
  for (const p of plainPolls) {
    const winner = winnerOf(p);
    if (!winner) continue;
    const discuss = pollLinks.get(p.id) ?? [];
    if (p.commitment === "shipped" && p.shippedAt)
      shipped.push({ title: clip(winner), at: p.shippedAt, discuss });
    else if (p.commitment === "in_the_works")
      committed.push({ title: clip(winner), stage: "in_the_works", discuss });
  }
  shipped.sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    voting: open.map((p) => ({
      question: clip(p.question),
      options: p.options.slice(0, 6).map((o) => clip(o, 60)),
      closesAt: p.closesAt,
      discuss: pollLinks.get(p.id) ?? [],
    })),
    committed: committed.slice(0, ROADMAP_SECTION_MAX),
    shipped: shipped.slice(0, ROADMAP_SECTION_MAX),
    shortlisted: shortlisted.map((i) => ({
      title: clip(i.title),
      upvotes: i.voteCount,
      discuss: ideaLinks.get(i.id) ?? [],
    })),
    proposed,
  };
}

/**
 * Makes sure a refresh of the roadmap message runs soon, in the caller's transaction: the first
 * change of a burst sets when; the later ones join it (a running refresh runs again after).
 */
export async function scheduleRoadmapRefresh(tx: Tx, now: Date): Promise<void> {
  await scheduleTaskNoLaterThan(tx, {
    ...ROADMAP_REFRESH_TASK,
    payload: {},
    runAfter: new Date(now.getTime() + ROADMAP_BURST_MS),
    now,
  });
}

/** The use case: a refresh soon (a setting changed, a chat was bound). */
export async function refreshRoadmapSoon(deps: { db: Db; clock: Clock; onWork?: () => void }): Promise<void> {
  const now = deps.clock.now();
  await deps.db.$transaction((tx) => scheduleRoadmapRefresh(tx, now));
  deps.onWork?.();
}

/** What roadmap_post keeps of a text: enough to tell a changed one. */
export function roadmapTextHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** The public roadmap's address, when the bot has a public address. */
export function roadmapUrl(publicBaseUrl: string): string | null {
  return publicBaseUrl ? `${publicBaseUrl.replace(/\/+$/, "")}/roadmap` : null;
}

/** What a place shows now, as stored. */
export interface RoadmapShown {
  messageId: string;
  textHash: string;
  pinned: boolean;
}

/** What showing the roadmap in one place did. */
export type RoadmapShowResult =
  | { outcome: "unchanged" }
  /** The message kept (its text edited, or pinned at last): `pinned` as it stands now. */
  | { outcome: "edited"; messageId: string; textHash: string; pinned: boolean }
  | { outcome: "sent"; messageId: string; textHash: string; pinned: boolean }
  | Exclude<JobResult, { outcome: "done" }>;

/** Shows the roadmap message on one platform (see Platform.roadmap). */
export interface RoadmapPoster {
  readonly platform: PlatformName;
  /**
   * Shows `digest` in `place`: edits the message `shown` when its text changed (nothing when it did
   * not), or sends a new one (pinned where the platform pins it) when there is none or it is gone.
   */
  show(place: string, digest: RoadmapDigest, shown: RoadmapShown | null): Promise<RoadmapShowResult>;
}

/**
 * Where the roadmap message lives on a platform now (and where shortlisted ideas get their
 * discussion place, src/app/discussions.ts).
 */
export async function roadmapPlaces(
  db: Db,
  settings: CreatorSettings,
  platform: PlatformName,
): Promise<string[]> {
  if (platform === "discord")
    return settings.roadmapDiscordChannelId ? [settings.roadmapDiscordChannelId] : [];
  if (!settings.roadmapTelegram) return [];
  const chats = await db.tierAccess.findMany({
    where: { platform: "telegram", chatId: { not: null } },
    select: { chatId: true },
    orderBy: { chatId: "asc" },
  });
  return [...new Set(chats.map((c) => c.chatId as string))];
}

/** The durable refresh: every place of every platform shows the digest read now. */
export function roadmapTaskHandlers(deps: {
  db: Db;
  clock: Clock;
  posters: readonly RoadmapPoster[];
  log: Logger;
}): Record<string, TaskHandler> {
  const log = deps.log.child({ module: "roadmap" });
  return {
    [ROADMAP_REFRESH_TASK.kind]: async () => {
      const settings = await getSettings(deps.db);
      const digest = await readRoadmapDigest(deps.db, deps.clock.now());
      let edited = 0;
      let sent = 0;
      let unchanged = 0;
      const failures: string[] = [];
      let retry: Exclude<JobResult, { outcome: "done" }> | null = null;
      for (const poster of deps.posters) {
        for (const place of await roadmapPlaces(deps.db, settings, poster.platform)) {
          const key = { platform: poster.platform, chatId: place };
          const row = await deps.db.roadmapPost.findUnique({ where: { platform_chatId: key } });
          const r = await poster.show(place, digest, row);
          const now = deps.clock.now();
          if (r.outcome === "unchanged") {
            unchanged++;
          } else if (r.outcome === "edited" || r.outcome === "sent") {
            const data = { messageId: r.messageId, textHash: r.textHash, pinned: r.pinned, updatedAt: now };
            await deps.db.roadmapPost.upsert({
              where: { platform_chatId: key },
              create: { ...key, ...data },
              update: data,
            });
            if (r.outcome === "sent") sent++;
            else edited++;
            log.info(
              {
                event: r.outcome === "sent" ? "roadmap.message.sent" : "roadmap.message.edited",
                platform: poster.platform,
                chatId: place,
                messageId: r.messageId,
                pinned: r.pinned,
              },
              `roadmap message ${r.outcome} in ${poster.platform} ${place}`,
            );
          } else {
            log.warn(
              { event: "roadmap.message.failed", platform: poster.platform, chatId: place, error: r.error },
              `could not show the roadmap message in ${poster.platform} ${place}`,
            );
            failures.push(`${poster.platform} ${place}: ${r.error}`);
            if (r.outcome === "retry") retry ??= r;
          }
        }
      }
      // A shipped item leaves the message ROADMAP_SHIPPED_DAYS after it shipped, whether or not
      // anything else changes: the refresh runs again then (a change before moves it earlier).
      const expiry = digest.shipped.reduce<number | null>((first, item) => {
        const at = item.at.getTime() + ROADMAP_SHIPPED_DAYS * 86_400_000 + 1_000;
        return first === null || at < first ? at : first;
      }, null);
      if (expiry !== null) {
        const now = deps.clock.now();
        await deps.db.$transaction((tx) =>
          scheduleTaskNoLaterThan(tx, {
            ...ROADMAP_REFRESH_TASK,
            payload: {},
            runAfter: new Date(expiry),
            now,
          }),
        );
      }
      // Passing trouble somewhere: the whole refresh runs again, and the places already up to
      // date are skipped then (their hash matches).
      if (retry) return { ...retry, error: failures.join("; ").slice(0, 1000) };
      return {
        outcome: "done",
        note: `${edited} edited, ${sent} sent, ${unchanged} unchanged, ${failures.length} failed`,
      };
    },
  };
}
