/**
 * Vote burst (issues #6/#7, #16): 10,000 votes from 5,000 members, through the real platform paths,
 * on one poll posted on Discord and Telegram at once, then 10,000 presses from the same members on a
 * budget poll posted the same way (Discord: the buttons of each fan's private ballot; Telegram: ＋/−). Every press must be acknowledged within the platform's
 * deadline and each final tally must be exact.
 *
 *   npm run bench -- votes
 *   npx tsx bench/vote-burst.ts [--members 5000] [--votes 10000] [--budget-presses <votes>]
 *                               [--in-flight 200] [--backend pglite|postgres]
 *   (--budget-presses: as many as votes by default; 0 runs the single-choice poll alone, and --votes 0
 *   the budget poll alone, with four presses per member unless told)
 *
 * The bot runs for real (bootstrap, discord.js, grammY with its runner, PGlite or PostgreSQL) against
 * the Discord and Telegram stand-ins. The ledger is seeded directly (members, identities, active
 * subscriptions: Discord-only, Telegram-only and linked members; Silver weighs 1, Gold 2), then one
 * single-choice poll is opened with openPoll() and posted with publishPoll() (a Discord channel and the
 * two Telegram groups bound to the tiers).
 *
 * The presses (deterministic, seeded): every member votes once; linked members also press on their
 * other platform (same or another option); the rest are members changing their vote. A member's
 * presses go one after the other (the next only once the previous one was answered), so "the last
 * ballot counts" has one meaning; across members `inFlight` presses are outstanding at every moment.
 * - Discord: a button click dispatched as INTERACTION_CREATE over the gateway; acknowledged when the
 *   bot's POST /interactions/:id/:token/callback reaches the stand-in (a deferral counts). Deadline:
 *   Discord's 3 s for the initial response.
 * - Telegram: a callback_query queued in the stand-in and handed out by getUpdates; acknowledged by
 *   answerCallbackQuery. Telegram's client shows a spinner until then and gives up on the query after
 *   some seconds (not documented precisely): the deadline checked here is 10 s.
 * Latencies are measured from the stand-ins' own timestamps (dispatch → callback arrival; getUpdates
 * answer → answerCallbackQuery arrival), not by the driver's polling. The stand-ins share the bot's
 * busy event loop, and Node accepts about one new connection per turn of it: the first wave's calls,
 * each on a new connection, reach the stand-ins later than they would reach Discord or Telegram, so
 * the figures err on the slow side (with 400 in flight the first wave's deferrals, sent at 2 s, are
 * read by the stand-in after 3 s). Their keep-alive is raised so later calls reuse connections.
 *
 * Then the poll closes; the expected tally is computed here independently (each member's last
 * ballot, the tier weights) and compared exactly with the stored result, and the ballot count with
 * the stored ballots and the CSV export. Anything off, or any late acknowledgment, throws.
 *
 * The budget phase: a second poll, mode "budget" (Silver spreads 5 points, Gold 10, at most 4 on one
 * option), posted in the same channel and groups. On Telegram its buttons are a ＋ and a − per option
 * (signed `pv:`/`pm:` data), each press storing the ballot changed by one point. On Discord the poll
 * message has one button opening the fan's private ballot, and the fan's real flow is driven: open it
 * (`pv:<poll>:b`, a private reply from their stored points), press the ＋/− buttons the bot drew on it
 * (found by label on the message the previous answer left, and enabled: a fan cannot press a disabled
 * one), each step redrawing that message without storing anything, then "Cast my points". Every
 * member gives a point to their favourite option; linked members do it again on their other platform
 * (one allocation across both: the answer shows the points given on either); the rest of the presses
 * go to eager members (15 %), mostly ＋ on their favourites, so they hit the cap and run out of points,
 * sometimes − on any option (often one at 0; on Discord, a disabled step makes the fan press another).
 * Each press's outcome is replayed here from the member's allocation before it, never asked of the
 * bot: on Telegram the new allocation and the points left, nothing changed (− at 0), or a refusal
 * (over the cap, no point left) that must still be answered in time, as an alert; on Discord the
 * private ballot word for word (each option's points, the points left) and which of its buttons are
 * enabled, and the cast's answer (counted, changed, unchanged, cleared). At the closing the points per
 * option (each member's last allocation), the voters, the points cast and the winners must equal the
 * stored result; the stored ballots the presses and casts that changed an allocation; and the CSV
 * export, member by member and in order, the platform, the allocation in words ("3 × Cooking + 1 ×
 * Music") and the points owned. Its figures are recorded beside the single-choice ones, as "vote
 * burst, budget".
 *
 * Measured at the full size with the default 200 in flight, on the 2-core machine, quiet
 * (2026-12-01, `npm run bench -- votes`): PGlite 159 votes/s then 265 presses/s, PostgreSQL 424 then
 * 603, every answer in time, the tallies exact (see the README's Benchmarks section).
 */

import { monitorEventLoopDelay } from "node:perf_hooks";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import type { Message, User as TelegramUser } from "@grammyjs/types";
import {
  type APIMessage,
  type APIUser,
  Locale as DiscordLocale,
  InteractionResponseType,
  MessageFlags,
} from "discord-api-types/v10";
import { choicesLabel, loadPollView, pollEmbed } from "../src/adapters/discord/pollView.ts";
import { choiceText, liveText, pollLocale } from "../src/adapters/telegram/pollView.ts";
import { closePoll, exportBallotsCsv, openPoll, pollResults, publishPoll } from "../src/app/polls.ts";
import { addTierAccess, createTier } from "../src/app/tiers.ts";
import { useCases } from "../src/app/useCases.ts";
import type { Tribegate } from "../src/bootstrap.ts";
import type { CountTally } from "../src/core/polls.ts";
import { DomainError } from "../src/errors.ts";
import { localeOf, refusalText, t as translate } from "../src/i18n/index.ts";
import { createLogger } from "../src/log.ts";
import {
  DEFAULT_BUCKETS,
  INTERACTION_CALLBACK_ROUTE,
  type InteractionRecord,
  type startDiscordStandin,
} from "../test/standins/discord.ts";
import { buttonClick, user as discordUser, guild, member } from "../test/standins/discord-payloads.ts";
import type { startStripeStandin } from "../test/standins/stripe.ts";
import type { startTelegramStandin } from "../test/standins/telegram.ts";
import { supergroup, user as telegramUser } from "../test/standins/telegram-payloads.ts";
import { parseCsv } from "../test/support/csv.ts";
import { type Prng, prng, sleep } from "../test/support/helpers.ts";
import { mark, record, round, startBenchWorld, summarize } from "./lib.ts";

const STRIPE_KEY = "sk_test_bench0123456789";
const DISCORD_TOKEN = "discord-bench-token.abcdef.0123456789";
const TELEGRAM_TOKEN = "123456789:AAbenchbenchbenchbenchbench";
const DISCORD_DEADLINE_MS = 3_000;
const TELEGRAM_DEADLINE_MS = 10_000;
/** Discord's per-channel bucket for message edits (5 per 5 s), enforced with real 429s. */
const MESSAGE_EDIT_ROUTE = "/channels/:channel/messages/:message";
const EDIT_BUCKET = { limit: 5, windowMs: 5_000 };
/** Telegram: about one message per second in a chat, at most 20 per minute in a group. */
const TELEGRAM_GROUP_PER_MINUTE = 20;
const OPTIONS = ["Tutorial series", "Behind the scenes", "Live Q&A", "Collab episode"];
/** How often members pick each option at first (a clear but not runaway winner). */
const POPULARITY = [0.34, 0.3, 0.22, 0.14];
/** The budget poll: Silver members spread 5 points, Gold 10, at most 4 on one option. */
const BUDGET_OPTIONS = ["Cooking", "Travel", "Music", "Gaming"];
const BUDGET = { silver: 5, gold: 10 };
const BUDGET_CAP = 4;

type Platform = "discord" | "telegram";

interface Fan {
  memberId: string;
  discord: { user: APIUser; locale: DiscordLocale } | undefined;
  telegram: TelegramUser | undefined;
  gold: boolean;
  silver: boolean;
  weight: number;
  /** The single-choice poll's presses, in order. */
  presses: VotePress[];
}

/** A press on the single-choice poll. */
interface VotePress {
  kind: "vote";
  fan: Fan;
  platform: Platform;
  choice: number;
  /** What the bot must answer, from the member's previous presses. */
  expect: "counted" | "changed" | "unchanged";
}

/**
 * A Telegram press on the budget poll: ＋ (delta 1) or − (delta -1) on one option. `outcome`: what it
 * must do, from the member's allocation before it (replayed here, see planBudget): store the new
 * allocation, change nothing (− on an option at 0), or be refused (past the cap, no point left).
 */
interface BudgetPress {
  kind: "budget";
  fan: Fan;
  platform: "telegram";
  option: number;
  delta: 1 | -1;
  outcome:
    | { kind: "stored" | "unchanged"; points: readonly number[] }
    | { kind: "refused"; code: "ballot_over_option_cap" | "ballot_over_budget" };
}

/**
 * A Discord fan's press in the budget poll's private ballot: open it from the poll message, ＋/− on
 * one option (only an enabled button: the fan cannot press a disabled one), or cast it. `draft`: what
 * the private ballot must show after it (open: the member's stored allocation); `cast`: what castVote
 * must answer, and whether it stores a ballot (replayed here, see planBudget).
 */
interface BallotPress {
  kind: "ballot";
  fan: Fan;
  platform: "discord";
  action: { kind: "open" } | { kind: "step"; option: number; delta: 1 | -1 } | { kind: "cast" };
  draft: readonly number[];
  cast?: { status: "counted" | "changed" | "unchanged" | "cleared"; stored: boolean };
  /** A step the fan wanted was disabled (at the cap, no point left, − at 0): they pressed another. */
  redirected?: boolean;
}

type BudgetPhasePress = BudgetPress | BallotPress;
type Press = VotePress | BudgetPhasePress;

interface Flight {
  press: Press;
  startedAt: number;
  discord?: InteractionRecord;
  /** A private ballot's press: its content before the press (a deferred update is done once it changes). */
  shownBefore?: string;
  /** A private ballot's press: the message as the bot left it (the stand-in edits it in place later). */
  shown?: APIMessage;
  telegram?: { queryId: string; updateId: number };
}

export interface VoteBurstOptions {
  members: number;
  votes: number;
  /** Presses outstanding at every moment (across members). */
  inFlight: number;
  seed: number;
  /** Presses on the budget poll that follows (the same members); 0 skips that phase. */
  budgetPresses: number;
}

/** The most edits that fall in any window of `windowMs` (times in ms, any order). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < s.length; hi++) {
    while (s[hi]! - s[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Members, their accounts and tiers, and every press they will make on the single-choice poll, in order. */
function plan(opts: VoteBurstOptions, rng: Prng): { fans: Fan[]; order: VotePress[] } {
  const rand = rng.next;
  const pick = (): number => {
    let x = rand();
    for (const [i, p] of POPULARITY.entries()) {
      if (x < p) return i;
      x -= p;
    }
    return POPULARITY.length - 1;
  };
  const other = (choice: number): number =>
    (choice + 1 + Math.floor(rand() * (OPTIONS.length - 1))) % OPTIONS.length;
  const fans: Fan[] = [];
  for (let i = 0; i < opts.members; i++) {
    // 40 % Discord only, 35 % Telegram only, 25 % linked on both.
    const r = rand();
    const onDiscord = r < 0.4 || r >= 0.75;
    const onTelegram = r >= 0.4;
    // 70 % Silver, 25 % Gold, 5 % both (weight: the highest, 2).
    const t = rand();
    const gold = t >= 0.7;
    const silver = t < 0.7 || t >= 0.95;
    fans.push({
      memberId: `m-bench-${String(i).padStart(5, "0")}`,
      discord: onDiscord
        ? {
            user: discordUser({ username: `fan${i}` }),
            locale: rand() < 0.3 ? DiscordLocale.French : DiscordLocale.EnglishUS,
          }
        : undefined,
      telegram: onTelegram
        ? telegramUser({ id: 500_000_000 + i, language_code: rand() < 0.3 ? "fr" : "en" })
        : undefined,
      gold,
      silver,
      weight: gold ? 2 : 1,
      presses: [],
    });
  }
  const add = (fan: Fan, platform: Platform, choice: number) => {
    const current = fan.presses.filter((p) => p.expect !== "unchanged").at(-1)?.choice;
    const expect = current === undefined ? "counted" : current === choice ? "unchanged" : "changed";
    fan.presses.push({ kind: "vote", fan, platform, choice, expect });
  };
  const rounds: Fan[][] = [];
  // Round 1: everyone votes once, on one of their platforms.
  for (const fan of fans) {
    const platforms = platformsOf(fan);
    add(fan, platforms[Math.floor(rand() * platforms.length)]!, pick());
  }
  rounds.push(rng.shuffle(fans));
  let left = opts.votes - opts.members;
  // Round 2: linked members press on their other platform too (half the time another option).
  const second: Fan[] = [];
  for (const fan of fans) {
    if (left === 0 || !fan.discord || !fan.telegram) continue;
    const first = fan.presses[0]!;
    add(
      fan,
      first.platform === "discord" ? "telegram" : "discord",
      rand() < 0.5 ? first.choice : other(first.choice),
    );
    second.push(fan);
    left--;
  }
  rounds.push(rng.shuffle(second));
  // Then members change their mind (some several times) until the burst holds `votes` presses.
  while (left > 0) {
    const round: Fan[] = [];
    for (const fan of rng.shuffle(fans)) {
      if (left === 0) break;
      if (rand() < 0.5) continue;
      const platforms = platformsOf(fan);
      const last = fan.presses.at(-1)!.choice;
      add(fan, platforms[Math.floor(rand() * platforms.length)]!, rand() < 0.15 ? last : other(last));
      round.push(fan);
      left--;
    }
    rounds.push(round);
  }
  // Each member's presses in their own order, wherever their turns fall.
  const taken = new Map<Fan, number>();
  const order = rounds.flat().map((fan) => {
    const n = taken.get(fan) ?? 0;
    taken.set(fan, n + 1);
    return fan.presses[n]!;
  });
  return { fans, order };
}

function platformsOf(f: Fan): Platform[] {
  return [...(f.discord ? (["discord"] as const) : []), ...(f.telegram ? (["telegram"] as const) : [])];
}

/** The points a member spreads on the budget poll: their highest tier's. */
const budgetOf = (fan: Fan): number => (fan.gold ? BUDGET.gold : BUDGET.silver);

/**
 * The budget poll's presses, in order, each with what it must do. Everyone gives a point once to their
 * favourite option; linked members then do it again on their other platform (the same allocation);
 * the rest go to a few eager members (15 %) coming back again and again: mostly ＋ on their
 * favourites (so they reach the cap and run out of points), sometimes − on any option.
 * On Telegram that is one press on the poll message. On Discord it is a visit to the fan's private
 * ballot: open it (from their stored points), one step (eager members: one to four), cast it; a step
 * whose button is disabled (＋ at the cap or with no point left, − at 0) is not pressed, the fan
 * presses another one instead. When the presses run out mid-visit the fan opens and leaves, or
 * opens and casts without a step. The outcome of each press is replayed here from the member's stored
 * allocation (cap first, then the points left, as a ballot is checked), not asked of the bot.
 */
function planBudget(fans: readonly Fan[], presses: number, rng: Prng): BudgetPhasePress[] {
  const rand = rng.next;
  const n = BUDGET_OPTIONS.length;
  /** Each member's stored allocation (both platforms: one member, one ballot). */
  const allocation = new Map<Fan, number[]>();
  const storedOf = (fan: Fan): number[] => allocation.get(fan) ?? BUDGET_OPTIONS.map(() => 0);
  const sum = (points: readonly number[]) => points.reduce((s, p) => s + p, 0);
  /** Each member's options, most wanted first (a shuffled order, biased towards the first options). */
  const taste = new Map<Fan, number[]>();
  for (const fan of fans) {
    taste.set(
      fan,
      BUDGET_OPTIONS.map((_, i) => i)
        .map((i) => ({ i, key: rand() * (1 + i * 0.5) }))
        .sort((a, b) => a.key - b.key)
        .map((o) => o.i),
    );
  }
  const order: BudgetPhasePress[] = [];
  const press = (fan: Fan, option: number, delta: 1 | -1) => {
    const before = storedOf(fan);
    const total = sum(before);
    let outcome: BudgetPress["outcome"];
    if (delta === 1 && before[option]! + 1 > BUDGET_CAP)
      outcome = { kind: "refused", code: "ballot_over_option_cap" };
    else if (delta === 1 && total + 1 > budgetOf(fan))
      outcome = { kind: "refused", code: "ballot_over_budget" };
    else if (delta === -1 && before[option] === 0) outcome = { kind: "unchanged", points: before };
    else {
      const after = [...before];
      after[option]! += delta;
      allocation.set(fan, after);
      outcome = { kind: "stored", points: after };
    }
    order.push({ kind: "budget", fan, platform: "telegram", option, delta, outcome });
  };
  /** A Discord visit of `size` presses (open, steps, cast), each step the fan wants from `want()`. */
  const visit = (fan: Fan, size: number, want: () => { option: number; delta: 1 | -1 }) => {
    const before = storedOf(fan);
    let draft = [...before];
    const ballot = (action: BallotPress["action"], extra: Partial<BallotPress> = {}) =>
      order.push({ kind: "ballot", fan, platform: "discord", action, draft: [...draft], ...extra });
    ballot({ kind: "open" });
    if (size === 1) return;
    for (let s = 0; s < size - 2; s++) {
      const wanted = want();
      const left = budgetOf(fan) - sum(draft);
      const enabled = (option: number, delta: 1 | -1) =>
        delta === 1 ? left > 0 && draft[option]! < BUDGET_CAP : draft[option]! > 0;
      // The fan's private ballot shows impossible steps disabled: they press one they can.
      const step = enabled(wanted.option, wanted.delta)
        ? wanted
        : ([
            ...taste.get(fan)!.map((option) => ({ option, delta: 1 as const })),
            ...BUDGET_OPTIONS.map((_, option) => ({ option, delta: -1 as const })),
          ].find((o) => enabled(o.option, o.delta)) ?? wanted);
      draft = draft.map((p, i) => (i === step.option ? p + step.delta : p));
      ballot({ kind: "step", ...step }, step === wanted ? {} : { redirected: true });
    }
    const same = draft.every((p, i) => p === before[i]);
    const status = same
      ? "unchanged"
      : sum(draft) === 0
        ? "cleared"
        : sum(before) > 0
          ? "changed"
          : "counted";
    if (!same) allocation.set(fan, draft);
    ballot({ kind: "cast" }, { cast: { status, stored: !same } });
  };
  const favourite = (fan: Fan): number => {
    const x = rand();
    const t = taste.get(fan)!;
    return x < 0.5 ? t[0]! : x < 0.8 ? t[1]! : t[2 + Math.floor(rand() * (n - 2))]!;
  };
  const anyPlatform = (fan: Fan): Platform => {
    const platforms = platformsOf(fan);
    return platforms[Math.floor(rand() * platforms.length)]!;
  };
  let left = presses;
  /** One point more on `option` (Telegram: a press; Discord: a visit of up to `size` presses). */
  const give = (fan: Fan, platform: Platform, option: number, size = 3) => {
    if (platform === "telegram") {
      press(fan, option, 1);
      left--;
    } else {
      const take = Math.min(size, left);
      visit(fan, take, () => ({ option, delta: 1 }));
      left -= take;
    }
  };
  const firstPlatform = new Map<Fan, Platform>();
  for (const fan of rng.shuffle(fans)) {
    if (left === 0) break;
    const platform = anyPlatform(fan);
    firstPlatform.set(fan, platform);
    give(fan, platform, taste.get(fan)![0]!);
  }
  for (const fan of rng.shuffle(fans)) {
    if (left === 0) break;
    if (!fan.discord || !fan.telegram || !firstPlatform.has(fan)) continue;
    give(fan, firstPlatform.get(fan) === "discord" ? "telegram" : "discord", favourite(fan));
  }
  const eager = fans.filter((f) => firstPlatform.has(f) && rand() < 0.15);
  const wish = (fan: Fan) =>
    rand() < 0.7
      ? { option: favourite(fan), delta: 1 as const }
      : { option: Math.floor(rand() * n), delta: -1 as const };
  while (left > 0 && eager.length > 0) {
    for (const fan of rng.shuffle(eager)) {
      if (left === 0) break;
      if (rand() < 0.4) continue;
      if (anyPlatform(fan) === "telegram") {
        const { option, delta } = wish(fan);
        press(fan, option, delta);
        left--;
      } else {
        const take = Math.min(2 + 1 + Math.floor(rand() * 4), left);
        visit(fan, take, () => wish(fan));
        left -= take;
      }
    }
  }
  return order;
}

/** A budget allocation in words, as the bot must show it: "6 × Cooking + 3 × Music". */
function budgetLabel(points: readonly number[]): string {
  return points.flatMap((p, i) => (p > 0 ? [`${p} × ${BUDGET_OPTIONS[i]}`] : [])).join(" + ");
}

/** The tally the poll must end with: each member's last counted choice, at their weight. */
function expectedTally(fans: readonly Fan[]): {
  counts: number[];
  totalVoters: number;
  totalWeight: number;
  ballots: number;
} {
  const counts = OPTIONS.map(() => 0);
  let totalVoters = 0;
  let totalWeight = 0;
  let ballots = 0;
  for (const fan of fans) {
    const stored = fan.presses.filter((p) => p.expect !== "unchanged");
    ballots += stored.length;
    const last = stored.at(-1);
    if (!last) continue;
    counts[last.choice]! += fan.weight;
    totalVoters++;
    totalWeight += fan.weight;
  }
  return { counts, totalVoters, totalWeight, ballots };
}

/**
 * What the budget poll must end with, from the replayed presses: each member's last allocation
 * (points per option, summed), the members who gave at least one point, and every ballot stored,
 * member by member in order, as the CSV export must list them (platform, allocation, points owned).
 */
function expectedBudget(order: readonly BudgetPhasePress[]): {
  counts: number[];
  totalVoters: number;
  totalWeight: number;
  ballots: number;
  rows: Map<string, string[]>;
} {
  const last = new Map<Fan, readonly number[]>();
  const rows = new Map<string, string[]>();
  let ballots = 0;
  for (const p of order) {
    const points =
      p.kind === "budget"
        ? p.outcome.kind === "stored"
          ? p.outcome.points
          : undefined
        : p.cast?.stored
          ? p.draft
          : undefined;
    if (!points) continue;
    last.set(p.fan, points);
    ballots++;
    const list = rows.get(p.fan.memberId) ?? [];
    list.push(`${p.platform},${budgetLabel(points)},${budgetOf(p.fan)}`);
    rows.set(p.fan.memberId, list);
  }
  const counts = BUDGET_OPTIONS.map(() => 0);
  let totalVoters = 0;
  for (const points of last.values()) {
    for (const [i, n] of points.entries()) counts[i]! += n;
    if (points.some((n) => n > 0)) totalVoters++;
  }
  const totalWeight = counts.reduce((s, n) => s + n, 0);
  return { counts, totalVoters, totalWeight, ballots, rows };
}

type Backend = "pglite" | "postgres";

/** The bot running for real against the stand-ins, and what the benchmark reads from them. */
interface World {
  backend: Backend;
  stripe: Awaited<ReturnType<typeof startStripeStandin>>;
  discord: Awaited<ReturnType<typeof startDiscordStandin>>;
  telegram: Awaited<ReturnType<typeof startTelegramStandin>>;
  owner: APIUser;
  server: ReturnType<typeof guild>;
  channelId: string;
  app: Tribegate;
  /** Stops the bot and the stand-ins, and removes the database. */
  stop(): Promise<void>;
  /** Warnings and errors the bot logged (production logging, info level, into a sink). */
  problems: string[];
}

/** The tiers, the Telegram groups they open, and the poll as posted on both platforms. */
interface Posted {
  poll: Awaited<ReturnType<typeof openPoll>>;
  groups: ReturnType<typeof supergroup>[];
  discordMessage: APIMessage;
  telegramMessages: Message[];
  /** Each Telegram message's buttons' callback data, by row (one per option) and column (budget: ＋, −). */
  callbackData: string[][][];
}

/** The tiers and the Telegram groups they open (Silver's first). */
interface Ledger {
  silver: Awaited<ReturnType<typeof createTier>>;
  gold: Awaited<ReturnType<typeof createTier>>;
  groups: ReturnType<typeof supergroup>[];
}

interface Burst {
  launched: Flight[];
  t0: number;
  lastAnswer: number;
  wallMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Discord's 429 count when the burst started (the world's counter spans both phases). */
  discord429Before: number;
}

export async function benchVoteBurst(backend: Backend, opts: VoteBurstOptions): Promise<void> {
  const rand = prng(opts.seed);
  const { fans, order } = plan(opts, rand);
  const total = order.length;
  if (opts.votes > 0 && total !== opts.votes)
    throw new Error(`planned ${total} presses, wanted ${opts.votes}`);
  const budgetOrder = planBudget(fans, opts.budgetPresses, rand);
  if (budgetOrder.length !== opts.budgetPresses)
    throw new Error(`planned ${budgetOrder.length} budget presses, wanted ${opts.budgetPresses}`);
  const world = await startWorld(backend);
  try {
    await world.app.discord!.ready();
    mark(`votes ${backend} seed`);
    const { seedMs, ledger } = await seedLedger(world, fans);
    if (opts.votes > 0) {
      const posted = await postPoll(world, ledger, {
        question: "What should the next season be?",
        options: OPTIONS,
        mode: "single",
        weights: { [ledger.gold.id]: 2 },
      });
      mark(`votes ${backend} single burst`);
      const burst = await drive(world, posted, order, opts.inFlight);
      mark(`votes ${backend} single checks`);
      const caughtUpMs = await awaitLiveResults(world, posted, burst.lastAnswer);
      const liveEnd = Date.now();
      const checked = await check(world, posted, fans, burst, liveEnd);
      report(world, { opts, fans, total, seedMs, burst, caughtUpMs, checked });
    }
    if (budgetOrder.length === 0) return;

    // The budget poll, the same members pressing ＋/− on its buttons on both platforms.
    mark(`votes ${backend} budget poll`);
    const budgetPosted = await postPoll(world, ledger, {
      question: "Where do the funds go?",
      options: BUDGET_OPTIONS,
      mode: "budget",
      budget: {
        points: { [ledger.silver.id]: BUDGET.silver, [ledger.gold.id]: BUDGET.gold },
        maxPerOption: BUDGET_CAP,
      },
    });
    mark(`votes ${backend} budget burst`);
    const budgetBurst = await drive(world, budgetPosted, budgetOrder, opts.inFlight);
    mark(`votes ${backend} budget checks`);
    const budgetCaughtUpMs = await awaitLiveResults(world, budgetPosted, budgetBurst.lastAnswer);
    const budgetChecked = await checkBudget(world, budgetPosted, budgetOrder, budgetBurst, Date.now());
    reportBudget(world, {
      opts,
      order: budgetOrder,
      burst: budgetBurst,
      caughtUpMs: budgetCaughtUpMs,
      checked: budgetChecked,
    });
  } finally {
    await stopWorld(world);
  }
}

/** Starts the stand-ins, a fresh database and the bot (bootstrap, discord.js, grammY). */
async function startWorld(backend: Backend): Promise<World> {
  const owner = discordUser({ username: "creator" });
  const server = guild({ ownerId: owner.id, members: [member({ user: owner })] });
  const channelId = server.channels[0]!.id;
  // Production logging (info, one JSON line per event) into a sink that keeps warnings and errors.
  const problems: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (/"level":"(warn|error|fatal)"/.test(line)) problems.push(line.slice(0, 600));
      }
      done();
    },
  });
  const world = await startBenchWorld({
    backend,
    stripe: { secretKey: STRIPE_KEY, webhookSecret: "whsec_bench0123456789abcdef" },
    discord: {
      token: DISCORD_TOKEN,
      guilds: [server],
      rateLimits: {
        buckets: [
          ...DEFAULT_BUCKETS,
          { bucket: "channel-message-edit", methods: ["PATCH"], route: MESSAGE_EDIT_ROUTE, ...EDIT_BUCKET },
        ],
      },
    },
    telegram: { token: TELEGRAM_TOKEN },
    log: createLogger({ level: "info", destination: sink }),
    // Discord and Telegram keep idle connections open for a while; the stand-ins' 1-second default
    // would open a new connection for most calls of the burst, and accepting those in this one busy
    // process takes seconds that Discord would never see.
    keepAliveMs: 30_000,
  });
  const { app, stripe, discord, telegram } = world;
  return { backend, stripe, discord, telegram, owner, server, channelId, app, stop: world.stop, problems };
}

async function stopWorld(world: World): Promise<void> {
  await world.stop();
}

/** Tiers, each opening a Telegram group, and the ledger (members, their accounts, active subscriptions). */
async function seedLedger(world: World, fans: readonly Fan[]): Promise<{ seedMs: number; ledger: Ledger }> {
  const { telegram } = world;
  const services = world.app.services;
  const db = world.app.db.prisma;

  // Tiers, each opening a Telegram group (bound before any member exists: no access jobs).
  const silver = await createTier(services, { name: "Silver", amount: 500, currency: "eur" });
  const gold = await createTier(services, { name: "Gold", amount: 1500, currency: "eur" });
  const groups = [supergroup({ title: "Silver lounge" }), supergroup({ title: "Gold lounge" })];
  for (const g of groups) telegram.addChat(g);
  await addTierAccess(services, silver.id, { platform: "telegram", chatId: String(groups[0]!.id) });
  await addTierAccess(services, gold.id, { platform: "telegram", chatId: String(groups[1]!.id) });

  // The ledger: members, their accounts, an active subscription per tier held.
  const seeded = performance.now();
  const now = new Date();
  for (let i = 0; i < fans.length; i += 1_000) {
    const chunk = fans.slice(i, i + 1_000);
    await db.member.createMany({ data: chunk.map((f) => ({ id: f.memberId })) });
    await db.identity.createMany({
      data: chunk.flatMap((f) => [
        ...(f.discord
          ? [{ platform: "discord" as const, platformUserId: f.discord.user.id, memberId: f.memberId }]
          : []),
        ...(f.telegram
          ? [{ platform: "telegram" as const, platformUserId: String(f.telegram.id), memberId: f.memberId }]
          : []),
      ]),
    });
    await db.subscription.createMany({
      data: chunk.flatMap((f) =>
        [...(f.silver ? [silver] : []), ...(f.gold ? [gold] : [])].map((tier) => ({
          id: `sub_bench_${f.memberId}_${tier.slug}`,
          memberId: f.memberId,
          tierId: tier.id,
          stripePriceId: tier.prices[0]!.stripePriceId,
          kind: "recurring" as const,
          status: "active",
          currentPeriodEnd: new Date(now.getTime() + 20 * 86_400_000),
          amount: tier.prices[0]!.amount,
          currency: "eur",
          interval: "month",
          syncedAt: now,
          startedAt: now,
        })),
      ),
    });
  }
  const seedMs = performance.now() - seeded;
  return { seedMs, ledger: { silver, gold, groups } };
}

/**
 * A poll opened with openPoll() and posted with publishPoll() in the Discord channel and the two
 * Telegram groups; its messages and the buttons they carry, as the members see them.
 */
async function postPoll(
  world: World,
  ledger: Ledger,
  input: Pick<Parameters<typeof openPoll>[1], "question" | "options" | "mode" | "weights" | "budget">,
): Promise<Posted> {
  const { discord, telegram, owner, channelId } = world;
  const services = world.app.services;
  const db = world.app.db.prisma;
  const { groups } = ledger;
  const poll = await openPoll(services, {
    ...input,
    closesAt: new Date(Date.now() + 3_600_000),
    eligibility: { kind: "all" },
    createdBy: `discord:${owner.id}`,
  });
  const reports = await publishPoll(services, poll.id, {
    chosen: { platform: "discord", chatIds: [channelId] },
  });
  const posted = (p: Platform) => reports.find((r) => r.platform === p)?.posted.length ?? 0;
  if (posted("discord") !== 1 || posted("telegram") !== 2)
    throw new Error(`the poll was not posted everywhere: ${JSON.stringify(reports)}`);
  const discordMessage: APIMessage = discord
    .messages(channelId)
    .find((m) => JSON.stringify(m.components ?? []).includes(poll.id))!;
  const telegramMessages: Message[] = [];
  for (const g of groups) {
    const post = await db.pollPost.findFirstOrThrow({
      where: { pollId: poll.id, platform: "telegram", chatId: String(g.id) },
    });
    telegramMessages.push(telegram.messages(g.id).find((m) => m.message_id === Number(post.messageId))!);
  }
  const callbackData = telegramMessages.map((m) =>
    (m.reply_markup?.inline_keyboard ?? []).map((row) =>
      row.map((button) => (button as { callback_data: string }).callback_data),
    ),
  );
  return { poll, groups, discordMessage, telegramMessages, callbackData };
}

/**
 * The burst: `inFlight` presses outstanding at every moment, a member's presses one after the
 * other. Throws as soon as a Discord interaction misses its deadline or a press gets no answer.
 */
async function drive(
  world: World,
  posted: Posted,
  order: readonly Press[],
  inFlightTarget: number,
): Promise<Burst> {
  const { discord, telegram, server, channelId, problems } = world;
  const { poll, discordMessage, telegramMessages, callbackData } = posted;
  const total = order.length;
  const discord429Before = discord.rateLimitHits.global + discord.rateLimitHits.route;
  const launched: Flight[] = [];
  /** Members with a press outstanding; `waiting`: presses whose turn came while their member was busy. */
  const busy = new Set<Fan>();
  const waiting: Press[] = [];
  let cursor = 0;
  const nextPress = (): Press | undefined => {
    const i = waiting.findIndex((p) => !busy.has(p.fan));
    if (i >= 0) return waiting.splice(i, 1)[0];
    while (cursor < order.length) {
      const press = order[cursor++]!;
      if (!busy.has(press.fan)) return press;
      waiting.push(press);
    }
    return undefined;
  };
  /** Each Discord fan's private ballot as the bot last left it (the next step is pressed on it). */
  const ballots = new Map<Fan, APIMessage>();
  const launch = (press: Press): void => {
    const { fan } = press;
    busy.add(fan);
    const flight: Flight = { press, startedAt: Date.now() };
    if (press.kind === "ballot") {
      // The fan's real flow: the poll message's one button opens their private ballot; then they
      // press the buttons the bot drew on it (found by their label, which must be enabled).
      const shown = press.action.kind === "open" ? discordMessage : ballots.get(fan);
      if (!shown) throw new Error(`${fan.memberId} has no private ballot open to press on`);
      const label =
        press.action.kind === "open"
          ? undefined
          : press.action.kind === "cast"
            ? translate(localeOf(fan.discord!.locale), "discord.ballot.cast_button")
            : `${press.action.delta === 1 ? "＋" : "−"}${press.action.option + 1}`;
      const buttons = (shown.components ?? []).flatMap((row) =>
        "components" in row
          ? (row.components as { label?: string; custom_id?: string; disabled?: boolean }[])
          : [],
      );
      const button = label === undefined ? buttons[0] : buttons.find((b) => b.label === label);
      if (!button?.custom_id || button.disabled)
        throw new Error(
          `${fan.memberId}: no enabled ${label ?? "ballot"} button to press on ${JSON.stringify(shown.content)}`,
        );
      if (press.action.kind !== "open") flight.shownBefore = shown.content;
      flight.discord = discord.interaction(
        buttonClick({
          customId: button.custom_id,
          user: fan.discord!.user,
          locale: fan.discord!.locale,
          guildId: server.id,
          channelId,
          message: shown,
        }),
      );
      launched.push(flight);
      return;
    }
    // The button: single choice, one per option; Telegram's budget, ＋ and − per option.
    const option = press.kind === "vote" ? press.choice : press.option;
    const minus = press.kind === "budget" && press.delta === -1;
    if (press.platform === "discord") {
      flight.discord = discord.interaction(
        buttonClick({
          customId: `pv:${poll.id}:${minus ? "m" : ""}${option}`,
          user: fan.discord!.user,
          locale: fan.discord!.locale,
          guildId: server.id,
          channelId,
          message: discordMessage,
        }),
      );
    } else {
      const g = fan.gold ? 1 : 0;
      const update = telegram.pushCallbackQuery({
        from: fan.telegram!,
        data: callbackData[g]![option]![minus ? 1 : 0]!,
        message: telegramMessages[g] as Message,
      });
      flight.telegram = { queryId: update.callback_query!.id, updateId: update.update_id };
    }
    launched.push(flight);
  };
  /** Answered for good: Discord's final message (not a "thinking…" deferral), Telegram's answer. */
  const answered = (f: Flight): boolean => {
    if (f.discord) {
      const o = f.discord.original;
      if (f.discord.response === undefined || o === undefined) return false;
      // A private ballot's step updates its message: a deferred update is answered once it changed.
      if (f.shownBefore !== undefined) return o.content !== f.shownBefore;
      return ((o.flags ?? 0) & MessageFlags.Loading) === 0;
    }
    return telegram.callbackAnswers.has(f.telegram!.queryId);
  };

  const inFlight = new Set<Flight>();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let done = 0;
  const t0 = Date.now();
  while (done < total) {
    while (inFlight.size < inFlightTarget) {
      const press = nextPress();
      if (!press) break;
      launch(press);
      inFlight.add(launched.at(-1)!);
    }
    await sleep(1);
    for (const f of inFlight) {
      if (answered(f)) {
        inFlight.delete(f);
        busy.delete(f.press.fan);
        done++;
        if (f.press.kind === "ballot") {
          // A copy: the stand-in edits this message in place at the fan's next step.
          f.shown = structuredClone(f.discord!.original!);
          if (f.press.action.kind === "cast") ballots.delete(f.press.fan);
          else ballots.set(f.press.fan, f.shown);
        }
      } else if (
        f.discord &&
        !f.discord.acknowledged &&
        Date.now() - f.discord.receivedAt > DISCORD_DEADLINE_MS
      ) {
        // Past the window the stand-in refuses any answer, as Discord does: the fan saw "This interaction failed".
        throw new Error(
          `a Discord interaction was not acknowledged within ${DISCORD_DEADLINE_MS} ms (${done}/${total} presses answered; ` +
            `event loop delayed up to ${round(loopDelay.max / 1e6)} ms)${problems.length ? `\n${problems.slice(0, 3).join("\n")}` : ""}`,
        );
      } else if (Date.now() - f.startedAt > 30_000) {
        throw new Error(
          `a ${f.press.platform} press got no answer in 30 s (${done}/${total} presses answered)`,
        );
      }
    }
  }
  const lastAnswer = Date.now();
  loopDelay.disable();
  const wallMs = lastAnswer - t0;
  return {
    launched,
    t0,
    lastAnswer,
    wallMs,
    loopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
    loopDelayMaxMs: round(loopDelay.max / 1e6),
    discord429Before,
  };
}

/** How long after the last answer both platforms' poll messages show the final tally. */
async function awaitLiveResults(world: World, posted: Posted, lastAnswer: number): Promise<number> {
  const { discord, telegram, channelId } = world;
  const { poll, groups, discordMessage, telegramMessages } = posted;
  const services = world.app.services;
  const app = useCases(services);
  const view = await loadPollView(app, poll.id);
  const wantDiscord = pollEmbed("en", view).toJSON().description;
  const results = await pollResults(services, poll.id);
  const wantTelegram = liveText(await pollLocale(app, results.poll), results.poll, results);
  let caughtUpMs = Number.NaN;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(50)) {
    const d = discord.messages(channelId).find((m) => m.id === discordMessage.id)?.embeds[0]?.description;
    const tg = groups.map(
      (g, i) => telegram.messages(g.id).find((m) => m.message_id === telegramMessages[i]!.message_id)?.text,
    );
    if (d === wantDiscord && tg.every((t) => t === wantTelegram)) {
      caughtUpMs = Date.now() - lastAnswer;
      break;
    }
  }
  if (Number.isNaN(caughtUpMs)) throw new Error("the live results never showed the final tally");
  return caughtUpMs;
}

/**
 * Every press acknowledged (from the stand-ins' clocks) with the right answer, the live-result
 * edits within the platforms' limits, and after closing, the tally, the stored ballots and the CSV
 * export exactly as computed here.
 */
async function check(world: World, posted: Posted, fans: readonly Fan[], burst: Burst, liveEnd: number) {
  const db = world.app.db.prisma;
  const row = await db.poll.findUniqueOrThrow({ where: { id: posted.poll.id } });
  const answers = checkAnswers(world, burst.launched, (press, platform) => {
    if (press.kind !== "vote") throw new Error("a budget press in the single-choice burst");
    const { fan } = press;
    const locale = localeOf(platform === "discord" ? fan.discord!.locale : fan.telegram!.language_code);
    const params = {
      choice: platform === "discord" ? choicesLabel(row, [press.choice]) : choiceText(row, [press.choice]),
      weight: fan.weight,
    };
    return { text: translate(locale, `${platform}.vote.${press.expect}`, params) };
  });
  const edits = countEdits(world, posted, burst, liveEnd);
  const closed = await closeAndCompare(world, posted, fans, answers);
  return { ...answers, ...edits, ...closed };
}

/**
 * The budget poll's checks: every press acknowledged in time with the answer its replayed outcome
 * calls for (the allocation and the points left, or the refusal), the live-result edits within the
 * limits, and after closing the tally, the stored ballots and the CSV export as computed here.
 */
async function checkBudget(
  world: World,
  posted: Posted,
  order: readonly BudgetPhasePress[],
  burst: Burst,
  liveEnd: number,
) {
  const answers = checkAnswers(world, burst.launched, (press, platform, ref) => {
    if (press.kind === "vote") throw new Error("a single-choice press in the budget burst");
    if (press.kind === "ballot") return privateBallot(press, posted.poll.question);
    const { fan, outcome } = press;
    const locale = localeOf(platform === "discord" ? fan.discord!.locale : fan.telegram!.language_code);
    if (outcome.kind === "refused") {
      const refused =
        outcome.code === "ballot_over_option_cap"
          ? new DomainError(outcome.code, { cap: BUDGET_CAP })
          : new DomainError(outcome.code, { points: budgetOf(fan) });
      return { text: refusalText(locale, refused, platform, ref), alert: true };
    }
    const given = outcome.points.reduce((sum, n) => sum + n, 0);
    return {
      text: translate(locale, `${platform}.vote.budget`, {
        choice: budgetLabel(outcome.points),
        left: budgetOf(fan) - given,
        weight: budgetOf(fan),
      }),
    };
  });
  const edits = countEdits(world, posted, burst, liveEnd);
  const closed = await closeAndCompareBudget(world, posted, order, answers);
  return { ...answers, ...edits, ...closed };
}

/**
 * What a Discord fan's private ballot must show after a press, word for word, and which of its
 * buttons must be enabled (in their order), from the replayed draft; after the cast, the answer
 * castVote's outcome calls for, and no button.
 */
function privateBallot(press: BallotPress, question: string): { text: string; enabled: string[] } {
  const { fan, draft } = press;
  const locale = localeOf(fan.discord!.locale);
  const points = budgetOf(fan);
  const given = draft.reduce((sum, n) => sum + n, 0);
  const left = points - given;
  if (press.cast) {
    const { status } = press.cast;
    const summary = translate(locale, "discord.vote.budget", {
      choice: budgetLabel(draft),
      left,
      weight: points,
    });
    return {
      text:
        status === "cleared"
          ? translate(locale, "discord.vote.cleared")
          : `${translate(locale, `discord.ballot.${status}`)}\n${summary}`,
      enabled: [],
    };
  }
  const text = [
    `**${question}**`,
    translate(locale, "discord.ballot.intro"),
    ...BUDGET_OPTIONS.map((label, i) =>
      translate(locale, "discord.ballot.line", { n: i + 1, label, points: draft[i]! }),
    ),
    translate(locale, "discord.ballot.left", { left, points, cap: BUDGET_CAP }),
  ].join("\n");
  const enabled = [
    ...BUDGET_OPTIONS.flatMap((_, i) => (left > 0 && draft[i]! < BUDGET_CAP ? [`＋${i + 1}`] : [])),
    ...BUDGET_OPTIONS.flatMap((_, i) => (draft[i]! > 0 ? [`−${i + 1}`] : [])),
    translate(locale, "discord.ballot.cast_button"),
    ...(given > 0 ? [translate(locale, "discord.ballot.clear_button")] : []),
  ];
  return { text, enabled };
}

/**
 * Each press's acknowledgment time, from the stand-ins' clocks, and whether it said what `want`
 * says it must (Telegram: the first 200 characters; `alert`: shown as an alert, as refusals are;
 * `enabled`: the labels of the enabled buttons of the message a Discord press left, in order).
 */
function checkAnswers(
  world: World,
  launched: readonly Flight[],
  want: (
    press: Press,
    platform: Platform,
    ref: string,
  ) => { text: string; alert?: boolean; enabled?: string[] },
) {
  const { discord, telegram } = world;
  const callbacks = new Map<string, { time: number; status: unknown }>();
  for (const c of discord.calls) {
    if (c.route === INTERACTION_CALLBACK_ROUTE && !callbacks.has(c.params.interaction!))
      callbacks.set(c.params.interaction!, { time: c.time, status: c.status });
  }
  const handedOut = new Map<number, number>();
  for (const c of telegram.callsOf("getUpdates")) {
    if (c.status !== 200) continue;
    if (c.settledAt === undefined) throw new Error("the Telegram stand-in does not record settledAt");
    for (const u of (c.response as { result: { update_id: number }[] }).result) {
      if (!handedOut.has(u.update_id)) handedOut.set(u.update_id, c.settledAt);
    }
  }
  const answers = new Map<string, { time: number; status: unknown }>();
  for (const c of telegram.callsOf("answerCallbackQuery")) {
    if (!answers.has(c.params.callback_query_id))
      answers.set(c.params.callback_query_id, { time: c.time, status: c.status });
  }
  const discordAck: number[] = [];
  const telegramAck: number[] = [];
  const telegramPressToAnswer: number[] = [];
  let deferrals = 0;
  let wrongAnswers = 0;
  const wrong: string[] = [];
  for (const f of launched) {
    const { press } = f;
    if (f.discord) {
      const id = f.discord.payload.id;
      const cb = callbacks.get(id);
      if (!cb || (cb.status !== 204 && cb.status !== 200))
        throw new Error(`Discord interaction ${id} was not acknowledged (${cb?.status})`);
      discordAck.push(cb.time - f.discord.receivedAt);
      const type = f.discord.response?.type;
      if (
        type === InteractionResponseType.DeferredChannelMessageWithSource ||
        type === InteractionResponseType.DeferredMessageUpdate
      )
        deferrals++;
      const { text, enabled } = want(press, "discord", id);
      const shown = f.shown ?? f.discord.original;
      const buttons = (shown?.components ?? []).flatMap((row) =>
        "components" in row ? (row.components as { label?: string; disabled?: boolean }[]) : [],
      );
      const enabledNow = buttons.filter((b) => !b.disabled).map((b) => b.label ?? "");
      if (shown?.content !== text) {
        wrongAnswers++;
        if (wrong.length < 5) wrong.push(`discord: ${shown?.content} ≠ ${text}`);
      } else if (enabled && enabledNow.join(" ") !== enabled.join(" ")) {
        wrongAnswers++;
        if (wrong.length < 5) wrong.push(`discord buttons: ${enabledNow.join(" ")} ≠ ${enabled.join(" ")}`);
      }
    } else {
      const { queryId, updateId } = f.telegram!;
      const out = handedOut.get(updateId);
      const ans = answers.get(queryId);
      if (out === undefined || !ans || ans.status !== 200)
        throw new Error(`Telegram callback query ${queryId} was not answered (${ans?.status})`);
      telegramAck.push(ans.time - out);
      telegramPressToAnswer.push(ans.time - f.startedAt);
      const { text, alert = false } = want(press, "telegram", "");
      const got = telegram.callbackAnswers.get(queryId);
      if (got?.text !== text.slice(0, 200) || Boolean(got?.show_alert) !== alert) {
        wrongAnswers++;
        if (wrong.length < 5)
          wrong.push(
            `telegram: ${got?.text}${got?.show_alert ? " (alert)" : ""} ≠ ${text}${alert ? " (alert)" : ""}`,
          );
      }
    }
  }
  return { discordAck, telegramAck, telegramPressToAnswer, deferrals, wrongAnswers, wrong };
}

/** The live-result edits during the burst (and its trailing edit), and any that failed. */
function countEdits(world: World, posted: Posted, burst: Burst, liveEnd: number) {
  const { t0 } = burst;
  const { discord, telegram } = world;
  const { groups, discordMessage, telegramMessages } = posted;
  const discordEdits = discord.calls.filter(
    (c) => c.method === "PATCH" && c.route === MESSAGE_EDIT_ROUTE && c.params.message === discordMessage.id,
  );
  const telegramEdits = telegram
    .callsOf("editMessageText")
    .filter((c) =>
      telegramMessages.some(
        (m) => m.message_id === c.params.message_id && m.chat.id === Number(c.params.chat_id),
      ),
    );
  const editsIn = <T extends { time: number }>(calls: T[]) =>
    calls.filter((c) => c.time >= t0 && c.time <= liveEnd);
  const discordEditTimes = editsIn(discordEdits).map((c) => c.time);
  const telegramEditsPerGroup = groups.map((g) =>
    editsIn(telegramEdits)
      .filter((c) => Number(c.params.chat_id) === g.id)
      .map((c) => c.time),
  );
  const discord429 = discord.rateLimitHits.global + discord.rateLimitHits.route - burst.discord429Before;
  const telegramEditFailures = telegramEdits.filter((c) => c.status !== 200).length;
  const discordEditFailures = discordEdits.filter((c) => c.status !== 200).length;
  return { discordEditTimes, telegramEditsPerGroup, discord429, discordEditFailures, telegramEditFailures };
}

/**
 * Closes the poll (timed) and compares what both phases check the same way: the counts per option,
 * the voters, the weight (points cast), no invalid ballot, the winners and the tie, the stored
 * ballots. `words` names the counts and the weight in the mismatch lines.
 */
async function closeAndTally(
  world: World,
  poll: Posted["poll"],
  want: { counts: number[]; totalVoters: number; totalWeight: number; ballots: number },
  winners: readonly number[],
  words: { counts: string; weight: string },
) {
  const closeStart = performance.now();
  const { tally } = await closePoll(world.app.services, poll.id, { actor: "bench" });
  const closeMs = performance.now() - closeStart;
  const got = tally as CountTally;
  const stored = await world.app.db.prisma.pollBallot.count({ where: { pollId: poll.id } });
  const mismatches = [
    JSON.stringify(got.counts) !== JSON.stringify(want.counts) &&
      `${words.counts} ${JSON.stringify(got.counts)} ≠ ${JSON.stringify(want.counts)}`,
    got.totalVoters !== want.totalVoters && `voters ${got.totalVoters} ≠ ${want.totalVoters}`,
    got.totalWeight !== want.totalWeight && `${words.weight} ${got.totalWeight} ≠ ${want.totalWeight}`,
    got.invalid !== 0 && `${got.invalid} invalid ballots`,
    JSON.stringify(got.winners) !== JSON.stringify(winners) && `winners ${got.winners} ≠ ${winners}`,
    got.tie !== winners.length > 1 && `tie ${got.tie}`,
    stored !== want.ballots && `stored ballots ${stored} ≠ ${want.ballots}`,
  ];
  return { closeMs, got, stored, mismatches };
}

/** The line that reports the answers to voters that were not the ones replayed here. */
const wrongAnswersLine = (answers: { wrongAnswers: number; wrong: readonly string[] }) =>
  answers.wrongAnswers > 0 &&
  `${answers.wrongAnswers} wrong answers to voters, e.g. ${answers.wrong.join(" | ")}`;

/** Closes the poll and compares its tally, stored ballots and CSV export with the tally computed here. */
async function closeAndCompare(
  world: World,
  posted: Posted,
  fans: readonly Fan[],
  answers: { wrongAnswers: number; wrong: readonly string[] },
) {
  const want = expectedTally(fans);
  const top = Math.max(...want.counts);
  const winners = want.counts.flatMap((n, i) => (n === top ? [i] : []));
  const closed = await closeAndTally(world, posted.poll, want, winners, {
    counts: "counts",
    weight: "weight",
  });
  const csv = await exportBallotsCsv(world.app.services, posted.poll.id);
  const csvRows = csv.trimEnd().split("\r\n").length - 1;
  const mismatches = [
    ...closed.mismatches,
    csvRows !== want.ballots && `CSV rows ${csvRows} ≠ ${want.ballots}`,
    wrongAnswersLine(answers),
  ].filter(Boolean);
  return { ...closed, mismatches };
}

/**
 * Closes the budget poll and compares its tally with the one replayed here, the stored ballots with
 * the count of presses that changed an allocation, and the CSV export row by row: each member's
 * ballots in order, with the platform pressed on, the allocation in words and the points owned.
 */
async function closeAndCompareBudget(
  world: World,
  posted: Posted,
  order: readonly BudgetPhasePress[],
  answers: { wrongAnswers: number; wrong: readonly string[] },
) {
  const want = expectedBudget(order);
  const top = Math.max(...want.counts);
  const winners = want.totalWeight > 0 ? want.counts.flatMap((n, i) => (n === top ? [i] : [])) : [];
  const closed = await closeAndTally(world, posted.poll, want, winners, {
    counts: "points",
    weight: "points cast",
  });
  const [header, ...records] = parseCsv(await exportBallotsCsv(world.app.services, posted.poll.id));
  const csvRows = new Map<string, string[]>();
  for (const [memberId, platform, choice, weight] of records) {
    const list = csvRows.get(memberId!) ?? [];
    list.push(`${platform},${choice},${weight}`);
    csvRows.set(memberId!, list);
  }
  const csvWrong = [...new Set([...want.rows.keys(), ...csvRows.keys()])].filter(
    (m) => JSON.stringify(want.rows.get(m)) !== JSON.stringify(csvRows.get(m)),
  );
  const mismatches = [
    closed.got.mode !== "budget" && `mode ${closed.got.mode}`,
    ...closed.mismatches,
    header?.join() !== "member,platform,choice,weight,time" && `CSV header ${header?.join()}`,
    records.length !== want.ballots && `CSV rows ${records.length} ≠ ${want.ballots}`,
    csvWrong.length > 0 &&
      `${csvWrong.length} members' CSV rows differ, e.g. ${csvWrong[0]}: ${JSON.stringify(csvRows.get(csvWrong[0]!))} ≠ ${JSON.stringify(want.rows.get(csvWrong[0]!))}`,
    wrongAnswersLine(answers),
  ].filter(Boolean);
  return { ...closed, mismatches };
}

/** Records the figures, then throws if anything was off or late. */
function report(
  world: World,
  run: {
    opts: VoteBurstOptions;
    fans: readonly Fan[];
    total: number;
    seedMs: number;
    burst: Burst;
    caughtUpMs: number;
    checked: Awaited<ReturnType<typeof check>>;
  },
): void {
  const { backend } = world;
  const { opts, fans, total, seedMs, caughtUpMs } = run;
  const { wallMs } = run.burst;
  const {
    discordAck,
    telegramAck,
    telegramPressToAnswer,
    deferrals,
    discordEditTimes,
    telegramEditsPerGroup,
    discord429,
    closeMs,
    got,
    stored,
    mismatches,
  } = run.checked;
  const d = summarize(discordAck);
  const t = summarize(telegramAck);
  const p = summarize(telegramPressToAnswer);
  const discordLate = discordAck.filter((ms) => ms > DISCORD_DEADLINE_MS).length;
  const telegramLate = telegramAck.filter((ms) => ms > TELEGRAM_DEADLINE_MS).length;
  const maxDiscordEdits5s = maxInWindow(discordEditTimes, EDIT_BUCKET.windowMs);
  const maxTelegramPerMinute = Math.max(...telegramEditsPerGroup.map((times) => maxInWindow(times, 60_000)));
  const maxTelegramPerSecond = Math.max(...telegramEditsPerGroup.map((times) => maxInWindow(times, 1_000)));

  const b = "vote burst";
  const fig = (metric: string, value: number, unit: string) =>
    record({ bench: b, backend, metric, value, unit });
  const count = (f: (fan: Fan) => boolean) => fans.filter(f).length;
  fig("members", fans.length, "members");
  fig(
    "  Discord only",
    count((f) => !f.telegram),
    "members",
  );
  fig(
    "  Telegram only",
    count((f) => !f.discord),
    "members",
  );
  fig(
    "  linked on both",
    count((f) => Boolean(f.discord && f.telegram)),
    "members",
  );
  fig(
    "  Gold (weight 2)",
    count((f) => f.gold),
    "members",
  );
  fig("presses (Discord + Telegram)", total, "votes");
  fig("  of which on Discord", discordAck.length, "votes");
  fig("  of which on Telegram", telegramAck.length, "votes");
  fig("presses in flight", opts.inFlight, "presses");
  fig("ledger seeding", Math.round(seedMs), "ms");
  fig("burst wall time", round(wallMs / 1000, 2), "s");
  fig("throughput", round(total / (wallMs / 1000)), "votes/s");
  fig("event-loop delay p99 (bot, stand-ins, driver)", run.burst.loopDelayP99Ms, "ms");
  fig("event-loop delay max", run.burst.loopDelayMaxMs, "ms");
  fig("Discord ack median (dispatch → callback)", d.median, "ms");
  fig("Discord ack p99", d.p99, "ms");
  fig("Discord ack max", d.max, "ms");
  fig(`Discord acks over ${DISCORD_DEADLINE_MS / 1000} s`, discordLate, "acks");
  fig("Discord acks that were deferrals", deferrals, "acks");
  fig("Telegram ack median (handed out → answer)", t.median, "ms");
  fig("Telegram ack p99", t.p99, "ms");
  fig("Telegram ack max", t.max, "ms");
  fig(`Telegram acks over ${TELEGRAM_DEADLINE_MS / 1000} s`, telegramLate, "acks");
  fig("Telegram press → answer median (with long poll)", p.median, "ms");
  fig("Telegram press → answer p99", p.p99, "ms");
  fig("Discord poll-message edits", discordEditTimes.length, "edits");
  fig("Discord edits, most in 5 s (limit 5)", maxDiscordEdits5s, "edits");
  fig("Discord 429s", discord429, "answers");
  fig("Telegram poll-message edits (2 groups)", telegramEditsPerGroup.flat().length, "edits");
  fig(
    `Telegram edits per group, most in 60 s (limit ${TELEGRAM_GROUP_PER_MINUTE})`,
    maxTelegramPerMinute,
    "edits",
  );
  fig("Telegram edits per group, most in 1 s", maxTelegramPerSecond, "edits");
  fig("live results final after last answer", caughtUpMs, "ms");
  fig("ballots stored (= CSV rows)", stored, "ballots");
  fig("voters in the tally", got.totalVoters, "members");
  fig("close (tally, final results posted)", Math.round(closeMs), "ms");
  fig("tally exact", mismatches.length === 0 ? 1 : 0, "bool");

  throwOnFailures(world, "vote burst", run.checked);
}

/** What a phase must not have: a late acknowledgment, a mismatch, a 429, edits past the limits, a warning. */
function throwOnFailures(
  world: World,
  phase: string,
  checked: Awaited<ReturnType<typeof check>> | Awaited<ReturnType<typeof checkBudget>>,
): void {
  const { backend, problems } = world;
  const { discordAck, telegramAck, discordEditTimes, telegramEditsPerGroup, mismatches } = checked;
  const { discord429, discordEditFailures, telegramEditFailures } = checked;
  const discordLate = discordAck.filter((ms) => ms > DISCORD_DEADLINE_MS).length;
  const telegramLate = telegramAck.filter((ms) => ms > TELEGRAM_DEADLINE_MS).length;
  const maxDiscordEdits5s = maxInWindow(discordEditTimes, EDIT_BUCKET.windowMs);
  const maxTelegramPerMinute = Math.max(...telegramEditsPerGroup.map((times) => maxInWindow(times, 60_000)));
  const maxTelegramPerSecond = Math.max(...telegramEditsPerGroup.map((times) => maxInWindow(times, 1_000)));
  const failures = [
    ...mismatches,
    discordLate > 0 && `${discordLate} Discord interactions acknowledged after ${DISCORD_DEADLINE_MS} ms`,
    telegramLate > 0 && `${telegramLate} Telegram callback queries answered after ${TELEGRAM_DEADLINE_MS} ms`,
    discord429 > 0 && `${discord429} Discord 429s`,
    discordEditFailures > 0 && `${discordEditFailures} Discord edits failed`,
    telegramEditFailures > 0 && `${telegramEditFailures} Telegram edits failed`,
    maxDiscordEdits5s > EDIT_BUCKET.limit && `${maxDiscordEdits5s} Discord edits in 5 s`,
    maxTelegramPerSecond > 1 && `${maxTelegramPerSecond} Telegram edits in a second in one group`,
    maxTelegramPerMinute > TELEGRAM_GROUP_PER_MINUTE &&
      `${maxTelegramPerMinute} Telegram edits in a minute in one group`,
    problems.length > 0 && `${problems.length} warnings/errors logged, first: ${problems[0]}`,
  ].filter(Boolean);
  if (failures.length > 0) throw new Error(`${phase} on ${backend} failed:\n  - ${failures.join("\n  - ")}`);
}

/** Records the budget phase's figures (beside the single-choice ones), then throws if anything was off or late. */
function reportBudget(
  world: World,
  run: {
    opts: VoteBurstOptions;
    order: readonly BudgetPhasePress[];
    burst: Burst;
    caughtUpMs: number;
    checked: Awaited<ReturnType<typeof checkBudget>>;
  },
): void {
  const { backend } = world;
  const { opts, order, caughtUpMs, checked } = run;
  const { wallMs } = run.burst;
  const {
    discordAck,
    telegramAck,
    telegramPressToAnswer,
    deferrals,
    discordEditTimes,
    telegramEditsPerGroup,
  } = checked;
  const d = summarize(discordAck);
  const t = summarize(telegramAck);
  const p = summarize(telegramPressToAnswer);
  const count = (f: (press: BudgetPhasePress) => boolean) => order.filter(f).length;
  const telegram = (f: (press: BudgetPress) => boolean) => count((o) => o.kind === "budget" && f(o));
  const discord = (f: (press: BallotPress) => boolean) => count((o) => o.kind === "ballot" && f(o));
  const b = "vote burst, budget";
  const fig = (metric: string, value: number, unit: string) =>
    record({ bench: b, backend, metric, value, unit });
  const dl = `target ≤ ${DISCORD_DEADLINE_MS} ms`;
  const tl = `target ≤ ${TELEGRAM_DEADLINE_MS} ms`;
  fig(
    `members pressing (Silver ${BUDGET.silver} points, Gold ${BUDGET.gold}, cap ${BUDGET_CAP} per option)`,
    new Set(order.map((o) => o.fan)).size,
    "members",
  );
  fig("presses (Discord private ballots, Telegram ＋ and −)", order.length, "presses");
  fig("  of which on Discord", discordAck.length, "presses");
  fig(
    "    private ballots opened",
    discord((o) => o.action.kind === "open"),
    "presses",
  );
  fig(
    "    ＋/− steps (nothing stored)",
    discord((o) => o.action.kind === "step"),
    "presses",
  );
  fig(
    "    steps redirected (the wanted button was disabled)",
    discord((o) => Boolean(o.redirected)),
    "presses",
  );
  fig(
    "    casts",
    discord((o) => o.action.kind === "cast"),
    "presses",
  );
  fig(
    "    casts that changed nothing",
    discord((o) => o.cast?.status === "unchanged"),
    "presses",
  );
  fig("  of which on Telegram", telegramAck.length, "presses");
  fig(
    "    ＋",
    telegram((o) => o.delta === 1),
    "presses",
  );
  fig(
    "    −",
    telegram((o) => o.delta === -1),
    "presses",
  );
  fig(
    "    refused: over the cap",
    telegram((o) => o.outcome.kind === "refused" && o.outcome.code === "ballot_over_option_cap"),
    "presses",
  );
  fig(
    "    refused: no points left",
    telegram((o) => o.outcome.kind === "refused" && o.outcome.code === "ballot_over_budget"),
    "presses",
  );
  fig(
    "    − on an option at 0 (nothing changes)",
    telegram((o) => o.outcome.kind === "unchanged"),
    "presses",
  );
  fig(
    "  by linked members (both platforms, one allocation)",
    count((o) => Boolean(o.fan.discord && o.fan.telegram)),
    "presses",
  );
  fig("presses in flight", opts.inFlight, "presses");
  fig("burst wall time", round(wallMs / 1000, 2), "s");
  fig("throughput", round(order.length / (wallMs / 1000)), "presses/s");
  fig("event-loop delay p99 (bot, stand-ins, driver)", run.burst.loopDelayP99Ms, "ms");
  fig("event-loop delay max", run.burst.loopDelayMaxMs, "ms");
  fig(`Discord ack median (${dl})`, d.median, "ms");
  fig(`Discord ack p99 (${dl})`, d.p99, "ms");
  fig("Discord ack max", d.max, "ms");
  fig(
    `Discord acks over ${DISCORD_DEADLINE_MS / 1000} s`,
    discordAck.filter((ms) => ms > DISCORD_DEADLINE_MS).length,
    "acks",
  );
  fig("Discord acks that were deferrals", deferrals, "acks");
  fig(`Telegram ack median (${tl})`, t.median, "ms");
  fig(`Telegram ack p99 (${tl})`, t.p99, "ms");
  fig("Telegram ack max", t.max, "ms");
  fig(
    `Telegram acks over ${TELEGRAM_DEADLINE_MS / 1000} s`,
    telegramAck.filter((ms) => ms > TELEGRAM_DEADLINE_MS).length,
    "acks",
  );
  fig("Telegram press → answer p99 (with long poll)", p.p99, "ms");
  fig("Discord edits, most in 5 s (limit 5)", maxInWindow(discordEditTimes, EDIT_BUCKET.windowMs), "edits");
  fig(
    `Telegram edits per group, most in 60 s (limit ${TELEGRAM_GROUP_PER_MINUTE})`,
    Math.max(...telegramEditsPerGroup.map((times) => maxInWindow(times, 60_000))),
    "edits",
  );
  fig("Discord 429s", checked.discord429, "answers");
  fig("live results final after last answer", caughtUpMs, "ms");
  fig("ballots stored (= CSV rows, each member's in order)", checked.stored, "ballots");
  fig("voters in the tally (at least one point)", checked.got.totalVoters, "members");
  fig("points cast", checked.got.totalWeight, "points");
  fig("close (tally, final results posted)", Math.round(checked.closeMs), "ms");
  fig("tally exact", checked.mismatches.length === 0 ? 1 : 0, "bool");
  throwOnFailures(world, "vote burst, budget phase", checked);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "5000" },
      votes: { type: "string", default: "10000" },
      "budget-presses": { type: "string" },
      "in-flight": { type: "string", default: "200" },
      seed: { type: "string", default: "7" },
      backend: { type: "string", default: "pglite" },
    },
  });
  const { figures, printAndSave, stopBenchServer } = await import("./lib.ts");
  const command = `npx tsx bench/vote-burst.ts ${process.argv.slice(2).join(" ")}`.trim();
  try {
    await benchVoteBurst(values.backend === "postgres" ? "postgres" : "pglite", {
      members: Number(values.members),
      votes: Number(values.votes),
      // As many as votes; with the single-choice poll skipped, four per member (a Discord visit to the
      // private ballot is three presses: open, a step, cast).
      budgetPresses: Number(
        values["budget-presses"] ?? (Number(values.votes) > 0 ? values.votes : 4 * Number(values.members)),
      ),
      inFlight: Number(values["in-flight"]),
      seed: Number(values.seed),
    });
  } catch (err) {
    if (figures.length > 0) printAndSave(`${command} (FAILED)`);
    throw err;
  } finally {
    await stopBenchServer();
  }
  printAndSave(command);
}
