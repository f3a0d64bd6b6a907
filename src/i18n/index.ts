/**
 * Every user-facing text of tribegate, in English and French, behind one lookup: `t(locale, key,
 * params)`. The tables live per area (shared.ts: refusals, states and notices both platforms show;
 * discord.ts: `discord.*`; telegram.ts: `telegram.*`) and are declared one way (messages.ts): a
 * message is a text or a function of typed parameters, and French `satisfies` the English shape.
 * So a key missing in one language, a call without the parameters its English text takes, or with
 * other ones, fails to compile.
 *
 * DomainError codes (src/errors.ts) are the `error.<code>` keys: a code without a translation in
 * both languages does not exist. A platform words a refusal its own way with `<platform>.error.<code>`.
 */

import type { FeedLine } from "../app/feed.ts";
import type { FanNotice } from "../app/notify.ts";
import type { RoadmapDigest } from "../app/roadmapMessage.ts";
import type { DriftFact } from "../core/drift.ts";
import { fitLines } from "../core/fitLines.ts";
import { type BillingStatus, isBillingStatus } from "../core/membership.ts";
import type { PriceOffer, YearlySaving } from "../core/pricing.ts";
import type { DomainError } from "../errors.ts";
import { discordEn, discordFr } from "./discord.ts";
import { formatDay, type Locale, wordsFor } from "./intl.ts";
import type { Message, ParamsArg, ParamsOfMessage } from "./messages.ts";
import { roadmapEn, roadmapFr } from "./roadmap.ts";
import { type PlatformName, STATUS_KEYS, sharedEn, sharedFr } from "./shared.ts";
import { statsEn, statsFr } from "./stats.ts";
import { telegramEn, telegramFr } from "./telegram.ts";
import { webEn, webFr } from "./web.ts";

export type { DiscordPermission } from "./discord.ts";
export {
  type DurationUnit,
  formatDateTime,
  formatDay,
  formatMoney,
  formatShortDay,
  type Locale,
  localeOf,
  parseMoney,
  type Words,
  wordsFor,
} from "./intl.ts";
export type { PlatformName } from "./shared.ts";

const en = { ...sharedEn, ...discordEn, ...telegramEn, ...webEn, ...roadmapEn, ...statsEn };
const fr = { ...sharedFr, ...discordFr, ...telegramFr, ...webFr, ...roadmapFr, ...statsFr };

/** No area may reuse a key of another: the spread above would silently keep only one of them. */
type Overlap =
  | (keyof typeof sharedEn & keyof typeof discordEn)
  | (keyof typeof sharedEn & keyof typeof telegramEn)
  | (keyof typeof discordEn & keyof typeof telegramEn)
  | (keyof typeof webEn & (keyof typeof sharedEn | keyof typeof discordEn | keyof typeof telegramEn))
  | (keyof typeof roadmapEn &
      (keyof typeof sharedEn | keyof typeof discordEn | keyof typeof telegramEn | keyof typeof webEn))
  | (keyof typeof statsEn &
      (
        | keyof typeof sharedEn
        | keyof typeof discordEn
        | keyof typeof telegramEn
        | keyof typeof webEn
        | keyof typeof roadmapEn
      ));
const noOverlap: [Overlap] extends [never] ? true : Overlap = true;
void noOverlap;

type Catalogue = typeof en;
export type MessageKey = keyof Catalogue;
/** The parameters of `key` as its English text declares them (undefined for a fixed text). */
export type ParamsOf<K extends MessageKey> = ParamsOfMessage<Catalogue[K]>;
/** What `t` takes after the key: nothing for a fixed text, the parameters otherwise. */
export type ArgsOf<K extends MessageKey> = ParamsArg<Catalogue[K]>;

const TABLES: Record<Locale, Record<string, Message>> = { en, fr };

/** The text of `key` in `locale`. */
export function t<K extends MessageKey>(locale: Locale, key: K, ...params: ArgsOf<K>): string {
  const entry = TABLES[locale][key];
  if (entry === undefined) throw new Error(`no message ${key}`);
  return typeof entry === "function" ? (entry as (p: unknown) => string)(params[0]) : entry;
}

/** A lookup bound to one reader's language (the Telegram context's `ctx.t`, Discord's `ctx.t`). */
export type Translate = <K extends MessageKey>(key: K, ...params: ArgsOf<K>) => string;

export function translator(locale: Locale): Translate {
  return (key, ...params) => t(locale, key, ...params);
}

export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

/** Every refusal code: the `error.<code>` keys of the catalogue. */
export type ErrorCode = MessageKey extends infer K ? (K extends `error.${infer C}` ? C : never) : never;
/** What `new DomainError(code, …)` takes after the code (distributes over a union of codes). */
export type ErrorArgs<C extends ErrorCode> = C extends ErrorCode ? ArgsOf<`error.${C}`> : never;

/**
 * A platform's own wording of a refusal must need no parameter the shared one lacks (the error
 * carries the shared parameters, plus the reference of the failure).
 */
type OverrideKey = Extract<MessageKey, `${PlatformName}.error.${string}`>;
type BadOverride = {
  [K in OverrideKey]: K extends `${PlatformName}.error.${infer C}`
    ? C extends ErrorCode
      ? [ParamsOf<`error.${C}`> & { ref: string }] extends [ParamsOf<K> & object]
        ? never
        : K
      : K
    : K;
}[OverrideKey];
const overridesFit: [BadOverride] extends [never] ? true : BadOverride = true;
void overridesFit;

/**
 * A refusal the user can act on, in their language, worded for the platform they use when it has
 * its own wording. `ref` is the reference of the failure (logged with it).
 */
export function refusalText(locale: Locale, err: DomainError, platform: PlatformName, ref = ""): string {
  // The error's own reference (e.g. the one logged with Stripe's refusal) wins over the boundary's.
  const params = { ref, ...err.params };
  const own = `${platform}.error.${err.code}`;
  const key = hasMessage(own) ? own : `error.${err.code}`;
  return hasMessage(key) ? t(locale, key, params as never) : t(locale, "error.unexpected", { ref });
}

/** A subscription status (Stripe's word, or "lifetime") as the fan reads it; an unknown one as is. */
export function statusText(locale: Locale, status: string): string {
  return status in STATUS_KEYS ? t(locale, STATUS_KEYS[status as BillingStatus]) : status;
}

/** What a member's history row says happened; an action this version does not know, as is. */
export function historyText(locale: Locale, action: string): string {
  const key = `history.${action}`;
  return hasMessage(key) ? t(locale, key as never) : action;
}

/**
 * A member's history row as the creator reads it. The row's `reason` is the ledger's own note, in
 * English (it is also what the logs say): an English reader gets it; in another language the
 * row says what it can in that language (the action, the states before and after), and the note
 * only when a person wrote it (the reason a creator gave for revoking).
 */
export function historyLine(
  locale: Locale,
  row: { action: string; fromState: string | null; toState: string | null; reason: string },
): string {
  const what = historyText(locale, row.action);
  const state = (raw: string | null) => (raw ? statusText(locale, raw.split(" ")[0] ?? raw) : "–");
  const detail =
    locale === "en" || row.action === "member.suspended"
      ? row.reason
      : row.action.startsWith("subscription.")
        ? `${state(row.fromState)} → ${state(row.toState)}`
        : "";
  return detail ? `${what} · ${detail}` : what;
}

/** A private message to a fan, in their language. */
export function noticeText(locale: Locale, notice: FanNotice): string {
  switch (notice.template) {
    case "payment_failed":
      return [
        t(locale, "notice.payment_failed", { days: notice.daysLeft }),
        ...(notice.portalUrl ? [t(locale, "notice.payment_failed.portal", { url: notice.portalUrl })] : []),
      ].join("\n");
    case "payment_last_day":
      return [
        t(locale, "notice.payment_last_day"),
        ...(notice.portalUrl ? [t(locale, "notice.payment_failed.portal", { url: notice.portalUrl })] : []),
      ].join("\n");
    case "trial_ending":
      return [
        t(locale, "notice.trial_ending", {
          tierName: notice.tierName,
          date: formatDay(locale, notice.endsOn, "UTC"),
        }),
        ...(notice.portalUrl ? [t(locale, "notice.manage.portal", { url: notice.portalUrl })] : []),
      ].join("\n");
    case "cancel_scheduled":
      return [
        notice.endsOn
          ? t(locale, "notice.cancel_scheduled", {
              tierName: notice.tierName,
              date: formatDay(locale, notice.endsOn, "UTC"),
            })
          : t(locale, "notice.cancel_scheduled.no_date", { tierName: notice.tierName }),
        ...(notice.portalUrl ? [t(locale, "notice.manage.portal", { url: notice.portalUrl })] : []),
      ].join("\n");
    case "cancel_withdrawn":
      return t(locale, "notice.cancel_withdrawn", { tierName: notice.tierName });
    case "pause_started":
      return t(locale, "notice.pause_started", {
        tierName: notice.tierName,
        until: notice.until ? formatDay(locale, notice.until, "UTC") : null,
        kept: notice.keepsAccess,
      });
    case "pause_resumed":
      return t(locale, "notice.pause_resumed", { tierName: notice.tierName });
    case "access_granted":
      return [
        ...(notice.welcomeBack ? [t(locale, "notice.welcome_back")] : []),
        t(locale, "notice.access_granted", { tierName: notice.tierName }),
        ...(notice.opened?.length
          ? [t(locale, "notice.access_granted.opened", { links: wordsFor(locale).list(notice.opened) })]
          : []),
      ].join("\n");
    case "access_revoked":
      return t(locale, "notice.access_revoked");
    case "access_switched":
      return t(locale, "notice.access_switched", { fromTier: notice.fromTier, toTier: notice.toTier });
    case "poll_commitment":
      return t(locale, notice.stage === "shipped" ? "notice.poll_shipped" : "notice.poll_in_the_works", {
        question: notice.question,
        option: notice.option,
      });
    case "idea_decided":
      return notice.decision === "declined"
        ? t(locale, "notice.idea_declined", { title: notice.title, reason: notice.reason ?? "" })
        : t(locale, `notice.idea_${notice.decision}`, { title: notice.title });
    case "idea_won":
      return t(locale, "notice.idea_won", {
        title: notice.title,
        question: notice.question,
        credit: notice.credit,
      });
    case "idea_shipped":
      return t(locale, "notice.idea_shipped", { title: notice.title });
    case "link_nudge":
      return t(locale, "notice.link_nudge", { tierName: notice.tierName, platform: notice.platform });
  }
}

/** One price of a tier as a fan picks it: "€10.00/month", "€100.00/year (2 months free)", "€200.00 once, for life". */
export function offerLabel(
  locale: Locale,
  offer: Pick<PriceOffer, "kind" | "amount" | "currency" | "saving">,
): string {
  if (offer.kind === "lifetime")
    return t(locale, "offer.lifetime", { amount: offer.amount, currency: offer.currency });
  const price = t(locale, "price", { amount: offer.amount, currency: offer.currency, interval: offer.kind });
  return offer.saving
    ? t(locale, "offer.with_saving", { price, saving: savingText(locale, offer.saving) })
    : price;
}

/** What a yearly price saves: "2 months free" when whole months, else "save 17%". */
export function savingText(locale: Locale, saving: YearlySaving): string {
  return saving.monthsFree !== null
    ? t(locale, "offer.months_free", { months: saving.monthsFree })
    : t(locale, "offer.save_percent", { percent: saving.percent });
}

/** The catalogue's keys, for the test that renders every message. */
export function messageKeys(): MessageKey[] {
  return Object.keys(en) as MessageKey[];
}

/** Why a chat refused a post, in the reader's words (the platform's own words when nothing better). */
export function postProblemText(
  t: Translate,
  failure: { problem: "bot_not_allowed" | "chat_gone" | "platform_failed"; detail: string },
): string {
  switch (failure.problem) {
    case "bot_not_allowed":
      return t("post_problem.bot_not_allowed");
    case "chat_gone":
      return t("post_problem.chat_gone");
    case "platform_failed":
      return t("post_problem.platform_failed", { detail: failure.detail });
  }
}

/** A disagreement found by reconciliation, in the reader's words. */
export function driftText(
  t: Translate,
  fact: DriftFact,
  /** How the reader's platform names an account and a target key (a mention on Discord). */
  names: { account?: (platform: string, userId: string) => string; target?: (key: string) => string } = {},
): string {
  const status = (s: string) => (isBillingStatus(s) ? t(STATUS_KEYS[s]) : s);
  switch (fact.kind) {
    case "stripe": {
      const ids = { subscription: fact.subscriptionId, customer: fact.customerId };
      if ("missing" in fact) return t("drift.stripe_missing", { ...ids, state: status(fact.missing.status) });
      const changes = fact.changes.map((c) =>
        c.field === "status"
          ? t("drift.change.status", { from: status(c.from), to: status(c.to) })
          : c.field === "price"
            ? t("drift.change.price", { from: c.from, to: c.to })
            : c.field === "cancel_at_period_end"
              ? t("drift.change.cancels", { cancels: c.to })
              : c.field === "pause"
                ? t("drift.change.pause", { paused: c.to })
                : c.field === "pause_end"
                  ? t("drift.change.pause_end")
                  : t("drift.change.period_end"),
      );
      return t("drift.stripe_changed", { ...ids, changes: changes.join(", ") });
    }
    case "ledger":
    case "platform":
      return t(fact.kind === "ledger" ? "drift.ledger" : "drift.platform", {
        grant: fact.action === "grant",
        account: names.account?.(fact.platform, fact.userId) ?? `${fact.platform}:${fact.userId}`,
        target: names.target?.(fact.target) ?? fact.target,
      });
  }
}

/**
 * Why an access job failed, in the reader's words: the stored problem when the platform recognised
 * one (a JobProblem), else the platform's own words (English, as recorded).
 */
export function jobProblemText(
  t: Translate,
  job: { lastProblem: unknown; lastError: string | null },
): string {
  const p = job.lastProblem as Record<string, unknown> | null;
  const str = (k: string) => (typeof p?.[k] === "string" ? (p[k] as string) : null);
  const role = str("role");
  const server = str("server");
  const chat = str("chat");
  switch (p?.code) {
    case "role_gone":
      if (role && server) return t("job_problem.role_gone", { role, server });
      break;
    case "role_not_manageable":
      if (role && server) return t("job_problem.role_not_manageable", { role, server });
      break;
    case "bot_not_in_server":
      if (server) return t("job_problem.bot_not_in_server", { server });
      break;
    case "bot_removed":
    case "rights_missing":
    case "chat_gone":
      if (chat) return t(`job_problem.${p.code}`, { chat });
      break;
  }
  return job.lastError ?? "";
}

/**
 * One line of the creator's feed in `locale`. The names in it are the fans' own: the platform
 * neutralises them (no mentions, no markup) before sending. `date` writes a date as the platform
 * shows dates (Discord: a timestamp the reader's app converts; Telegram: words with the time zone).
 */
export function feedLineText(locale: Locale, line: FeedLine, date: (d: Date) => string): string {
  switch (line.kind) {
    case "member_new":
      return t(locale, "feed.member_new", line.params);
    case "tier_change":
      return t(locale, "feed.tier_change", line.params);
    case "cancellation": {
      const { who, tier, ended, endsOn } = line.params;
      if (ended) return t(locale, "feed.ended", { who, tier });
      const until = endsOn ? new Date(endsOn) : null;
      return until && !Number.isNaN(until.getTime())
        ? t(locale, "feed.cancellation", { who, tier, until: date(until) })
        : t(locale, "feed.cancellation_open", { who, tier });
    }
    case "payment_failed":
      return t(locale, "feed.payment_failed", line.params);
    case "payment_recovered":
      return t(locale, "feed.payment_recovered", line.params);
    case "access_failed":
      return t(locale, "feed.access_failed", {
        who: line.params.who,
        target: line.params.target,
        action: t(locale, line.params.action === "grant" ? "access.grant" : "access.revoke"),
        // The reason as the creator can act on it, in their language, when the job named one.
        error: jobProblemText(translator(locale), {
          lastProblem: line.params.problem ?? null,
          lastError: line.params.error,
        }),
      });
    case "weekly_summary": {
      const p = line.params;
      return t(locale, "feed.weekly_summary", {
        new: p.joined,
        churned: p.ended,
        failed: p.failed,
        recovered: p.recovered,
        members: p.members,
      });
    }
    case "cycle": {
      const { outcome, month, ideas, min } = line.params;
      return outcome === "opened"
        ? t(locale, "feed.cycle_opened", { month, ideas })
        : t(locale, "feed.cycle_skipped", { month, ideas, min });
    }
    case "failover":
      return t(locale, "feed.failover", {
        holder: line.params.holder,
        previous: line.params.previous,
        date: date(new Date(line.params.at)),
      });
  }
}

/** A feed message: its lines, then "+K more" when the burst had more than one message holds. */
export function feedText(
  locale: Locale,
  lines: readonly FeedLine[],
  more: number,
  date: (d: Date) => string,
): string {
  const out = lines.map((l) => feedLineText(locale, l, date));
  if (more > 0) out.push(t(locale, "feed.more", { count: more }));
  return out.join("\n");
}

/** A link a platform puts after a roadmap line (an item's discussion place). */
export interface RoadmapLineLink {
  /** What is written at the end of the line (Discord: a Markdown link; Telegram: the label alone). */
  text: string;
  url: string;
}

/** The options of roadmapMessageText. */
export interface RoadmapTextOptions {
  max: number;
  quote: (text: string) => string;
  date: (d: Date) => string;
  url: string | null;
  /** The link to an item's discussion among its places (null: none shown on this platform). */
  discuss?: (links: RoadmapDigest["voting"][number]["discuss"]) => RoadmapLineLink | null;
}

/**
 * The roadmap message (src/app/roadmapMessage.ts) in `max` characters: its sections (empty ones
 * left out), then the link to the public roadmap when there is one. `quote` makes a fan's text safe
 * for the platform (escaped Markdown on Discord); `date` writes a day as the platform shows it;
 * `discuss` ends an item's line with the link to its discussion. Lines that do not fit are counted
 * in a last line; the link always shows. `links` says where each line's discussion link is in the
 * text (UTF-16 offsets, as Telegram's text_link entities take them).
 */
export function roadmapMessage(
  locale: Locale,
  digest: RoadmapDigest,
  opts: RoadmapTextOptions,
): { text: string; links: { offset: number; length: number; url: string }[] } {
  const { quote, date } = opts;
  const lines = [t(locale, "roadmap.msg.title")];
  /** The link at the end of lines[i], when it has one. */
  const tails = new Map<number, RoadmapLineLink>();
  const item = (line: string, discuss: RoadmapDigest["voting"][number]["discuss"]): string => {
    const link = opts.discuss?.(discuss) ?? null;
    if (!link) return line;
    tails.set(lines.length, link);
    return `${line} ${link.text}`;
  };
  const section = (
    heading: string,
    body: { line: string; discuss: RoadmapDigest["voting"][number]["discuss"] }[],
  ) => {
    if (body.length === 0) return;
    lines.push("", heading);
    for (const b of body) lines.push(item(b.line, b.discuss));
  };
  section(
    t(locale, "roadmap.msg.voting"),
    digest.voting.map((p) => ({
      line: t(locale, "roadmap.msg.voting.line", {
        question: quote(p.question),
        choices: p.options.map(quote).join(" · "),
        date: date(p.closesAt),
      }),
      discuss: p.discuss,
    })),
  );
  section(
    t(locale, "roadmap.msg.committed"),
    digest.committed.map((i) => ({
      line: t(locale, "roadmap.msg.committed.line", { title: quote(i.title), won: i.stage === "won" }),
      discuss: i.discuss,
    })),
  );
  section(
    t(locale, "roadmap.msg.shipped"),
    digest.shipped.map((i) => ({
      line: t(locale, "roadmap.msg.shipped.line", { title: quote(i.title), date: date(i.at) }),
      discuss: i.discuss,
    })),
  );
  section(
    t(locale, "roadmap.msg.shortlisted"),
    digest.shortlisted.map((i) => ({
      line: t(locale, "roadmap.msg.shortlisted.line", { title: quote(i.title), votes: i.upvotes }),
      discuss: i.discuss,
    })),
  );
  if (digest.proposed > 0) lines.push("", t(locale, "roadmap.msg.proposed", { count: digest.proposed }));
  if (lines.length === 1) lines.push("", t(locale, "roadmap.msg.empty"));
  const link = opts.url ? `\n\n${t(locale, "roadmap.msg.link", { url: opts.url })}` : "";
  const text =
    fitLines(lines, opts.max - link.length, (count) => t(locale, "roadmap.msg.more", { count })) + link;
  // fitLines keeps whole lines from the first: a line is in the text where the ones before it end.
  const links: { offset: number; length: number; url: string }[] = [];
  let at = 0;
  for (const [i, line] of lines.entries()) {
    if (!text.startsWith(line, at)) break;
    const tail = tails.get(i);
    if (tail)
      links.push({ offset: at + line.length - tail.text.length, length: tail.text.length, url: tail.url });
    at += line.length + 1;
  }
  return { text, links };
}

/** The roadmap message's text alone (see roadmapMessage). */
export function roadmapMessageText(locale: Locale, digest: RoadmapDigest, opts: RoadmapTextOptions): string {
  return roadmapMessage(locale, digest, opts).text;
}
