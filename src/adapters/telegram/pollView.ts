import type { InlineKeyboardMarkup } from "grammy/types";
import type { Db, PollRow } from "../../app/db.ts";
import { optionLabel, type PollSummary, summarizeTally } from "../../core/pollSummary.ts";
import type { Tally } from "../../core/polls.ts";
import type { Locale } from "../../i18n/index.ts";
import type { CallbackSigner } from "./callbackData.ts";
import { localeOfUser } from "./messaging.ts";
import { tr } from "./strings.ts";

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

export function formatDate(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Messages in chats speak the creator's language (the one they used with the bot). */
export async function pollLocale(db: Db, row: Pick<PollRow, "createdBy">): Promise<Locale> {
  const [platform, id] = row.createdBy.split(":");
  return platform === "telegram" && id ? localeOfUser(db, id) : "en";
}

export function pollKeyboard(signer: CallbackSigner, locale: Locale, row: PollRow): InlineKeyboardMarkup {
  const rows = row.options.map((label, i) => [
    { text: label, callback_data: signer.sign(ANYONE, `pv:${row.id}:${i}`) },
  ]);
  if (row.mode === "ranked") {
    rows.push([{ text: tr(locale, "poll.clear"), callback_data: signer.sign(ANYONE, `pc:${row.id}`) }]);
  }
  return { inline_keyboard: rows };
}

/** The open poll's text: question, how to vote, the tally so far (or that it is hidden). */
export function liveText(
  locale: Locale,
  row: PollRow,
  view: { tally: Tally | null; hidden: boolean; voters: number },
): string {
  const lines = [`📊 ${row.question}`, tr(locale, `poll.help_${row.mode as "single"}`), ""];
  if (view.hidden || !view.tally) lines.push(tr(locale, "poll.hidden"));
  else lines.push(...rowLines(locale, summarizeTally(row.options, view.tally), "poll.first_choices"));
  lines.push(
    "",
    tr(locale, "poll.footer", { voters: view.voters, closes: formatDate(row.closesAt), id: shortId(row.id) }),
  );
  return lines.join("\n");
}

/** Weight per option (a ranked poll: its first choices, under a heading saying so). */
function rowLines(
  locale: Locale,
  summary: PollSummary,
  heading: "poll.first_choices" | "poll.first_choices_final",
): string[] {
  return [
    ...(summary.firstChoices ? [tr(locale, heading)] : []),
    ...summary.rows.map((r) =>
      tr(locale, "poll.line", { option: r.label, count: r.weight, percent: r.percent }),
    ),
  ];
}

/** The closed poll: final counts, the instant-runoff rounds (when more than one), the winner or the tie. */
export function finalText(locale: Locale, row: PollRow, tally: Tally): string {
  const summary = summarizeTally(row.options, tally);
  const lines = [`📊 ${row.question}`, tr(locale, "poll.final"), ""];
  lines.push(...rowLines(locale, summary, "poll.first_choices_final"));
  for (const round of summary.rounds) {
    lines.push(
      tr(locale, "poll.round", {
        n: round.n,
        counts: round.counts.map((c) => `${c.label} ${c.weight}`).join(" · "),
        out: round.eliminated.map((o) => o.label).join(", "),
      }),
    );
  }
  lines.push("");
  const { outcome } = summary;
  if (outcome.kind === "no_votes") lines.push(tr(locale, "poll.no_votes"));
  else if (outcome.kind === "tie") lines.push(tr(locale, "poll.tie", { options: outcome.labels.join(", ") }));
  else lines.push(tr(locale, "poll.winner", { option: outcome.label }));
  lines.push(tr(locale, "poll.final_footer", { voters: summary.voters, id: shortId(row.id) }));
  return lines.join("\n");
}

/** A ballot in words: one option, the approved set, or the ranking. */
export function choiceText(row: Pick<PollRow, "mode" | "options">, choices: readonly number[]): string {
  const labels = choices.map((c) => optionLabel(row.options, c));
  return row.mode === "ranked" ? labels.map((l, i) => `${i + 1}. ${l}`).join(", ") : labels.join(", ");
}
