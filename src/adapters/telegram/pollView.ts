import type { InlineKeyboardMarkup } from "grammy/types";
import type { PollRow } from "../../app/db.ts";
import type { PortUseCases } from "../../app/useCases.ts";
import { optionLabel, type PollSummary, summarizeTally } from "../../core/pollSummary.ts";
import { allocationLabel, type Tally } from "../../core/polls.ts";
import { formatDateTime, type Locale, t } from "../../i18n/index.ts";
import type { CallbackSigner } from "./callbackData.ts";
import { TELEGRAM_TIME_ZONE } from "./context.ts";
import { localeOfUser } from "./messaging.ts";

/**
 * How a poll looks on Telegram: one message per bound chat, its text carrying the question, how to
 * vote, the live tally (unless hidden) and, once closed, the final results with the keyboard gone.
 *
 * A poll message is shown to a whole chat, so its buttons are signed for "anyone" (user 0): the
 * signature still refuses forged or altered data, and the voter is the sender Telegram vouches for.
 */
export const ANYONE = 0;

/** Short id shown to people (the first 8 characters of the uuid); commands accept any prefix. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** "12 décembre 2026 à 14:00 UTC": in words, in the reader's language, naming the time zone. */
export function formatDate(locale: Locale, d: Date): string {
  return formatDateTime(locale, d, TELEGRAM_TIME_ZONE);
}

/**
 * Messages in chats speak the creator's language (the one they used with the bot); a poll the
 * monthly cycle opened ("cycle:YYYY-MM"), the language the cycle was set in.
 */
export async function pollLocale(
  app: Pick<PortUseCases, "storedLocale" | "getSettings">,
  row: Pick<PollRow, "createdBy">,
): Promise<Locale> {
  const [platform, id] = row.createdBy.split(":");
  if (platform === "cycle") return (await app.getSettings()).cycle.locale;
  return platform === "telegram" && id ? localeOfUser(app, id) : "en";
}

export function pollKeyboard(signer: CallbackSigner, locale: Locale, row: PollRow): InlineKeyboardMarkup {
  // Budget: ＋ gives the option one point (pv), − takes one back (pm); the ballot is the stored one.
  const rows = row.options.map((label, i) =>
    row.mode === "budget"
      ? [
          { text: `＋ ${label}`, callback_data: signer.sign(ANYONE, `pv:${row.id}:${i}`) },
          { text: "−", callback_data: signer.sign(ANYONE, `pm:${row.id}:${i}`) },
        ]
      : [{ text: label, callback_data: signer.sign(ANYONE, `pv:${row.id}:${i}`) }],
  );
  if (row.mode === "ranked") {
    rows.push([
      { text: t(locale, "telegram.poll.clear"), callback_data: signer.sign(ANYONE, `pc:${row.id}`) },
    ]);
  }
  return { inline_keyboard: rows };
}

/** The open poll's text: question, how to vote, the tally so far (or that it is hidden). */
export function liveText(
  locale: Locale,
  row: PollRow,
  view: { tally: Tally | null; hidden: boolean; voters: number },
): string {
  const lines = [
    `📊 ${row.question}`,
    t(locale, `telegram.poll.help_${row.mode as "single" | "approval" | "ranked" | "budget"}`),
    "",
  ];
  if (view.hidden || !view.tally) lines.push(t(locale, "telegram.poll.hidden"));
  else
    lines.push(...rowLines(locale, summarizeTally(row.options, view.tally), "telegram.poll.first_choices"));
  lines.push(
    "",
    t(locale, "telegram.poll.footer", {
      voters: view.voters,
      closes: formatDate(locale, row.closesAt),
      id: shortId(row.id),
    }),
  );
  return lines.join("\n");
}

/** Weight per option (a ranked poll: its first choices, under a heading saying so). */
function rowLines(
  locale: Locale,
  summary: PollSummary,
  heading: "telegram.poll.first_choices" | "telegram.poll.first_choices_final",
): string[] {
  return [
    ...(summary.firstChoices ? [t(locale, heading)] : []),
    ...summary.rows.map((r) =>
      t(locale, "telegram.poll.line", { option: r.label, count: r.weight, percent: r.percent }),
    ),
  ];
}

/** The closed poll: final counts, the instant-runoff rounds (when more than one), the winner or the tie. */
export function finalText(locale: Locale, row: PollRow, tally: Tally): string {
  const summary = summarizeTally(row.options, tally);
  const lines = [`📊 ${row.question}`, t(locale, "telegram.poll.final"), ""];
  lines.push(...rowLines(locale, summary, "telegram.poll.first_choices_final"));
  for (const round of summary.rounds) {
    lines.push(
      t(locale, "telegram.poll.round", {
        n: round.n,
        counts: round.counts.map((c) => `${c.label} ${c.weight}`).join(" · "),
        out: round.eliminated.map((o) => o.label),
      }),
    );
  }
  lines.push("");
  const { outcome } = summary;
  if (outcome.kind === "no_votes") lines.push(t(locale, "telegram.poll.no_votes"));
  else if (outcome.kind === "tie") lines.push(t(locale, "telegram.poll.tie", { options: outcome.labels }));
  else lines.push(t(locale, "telegram.poll.winner", { option: outcome.label }));
  lines.push(t(locale, "telegram.poll.final_footer", { voters: summary.voters, id: shortId(row.id) }));
  return lines.join("\n");
}

/** A ballot in words: one option, the approved set, or the ranking. */
export function choiceText(row: Pick<PollRow, "mode" | "options">, choices: readonly number[]): string {
  if (row.mode === "budget") return allocationLabel(row.options, choices);
  const labels = choices.map((c) => optionLabel(row.options, c));
  return row.mode === "ranked" ? labels.map((l, i) => `${i + 1}. ${l}`).join(", ") : labels.join(", ");
}
