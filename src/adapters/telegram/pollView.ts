import type { InlineKeyboardMarkup } from "grammy/types";
import type { Db, PollRow } from "../../app/db.ts";
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

function weight(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** The open poll's text: question, how to vote, the tally so far (or that it is hidden). */
export function liveText(
  locale: Locale,
  row: PollRow,
  view: { tally: Tally | null; hidden: boolean; voters: number },
): string {
  const lines = [`📊 ${row.question}`, tr(locale, `poll.help_${row.mode as "single"}`), ""];
  if (view.hidden || !view.tally) lines.push(tr(locale, "poll.hidden"));
  else lines.push(...countLines(locale, row, view.tally));
  lines.push(
    "",
    tr(locale, "poll.footer", { voters: view.voters, closes: formatDate(row.closesAt), id: shortId(row.id) }),
  );
  return lines.join("\n");
}

/** Current weight per option: counts, or the first round of an instant runoff. */
function countLines(locale: Locale, row: PollRow, tally: Tally): string[] {
  if (tally.mode === "ranked") {
    const first = tally.rounds[0];
    const byOption = new Map(first?.counts.map((c) => [c.option, c.weight]) ?? []);
    return [
      tr(locale, "poll.first_choices"),
      ...row.options.map((o, i) =>
        tr(locale, "poll.line", { option: o, count: weight(byOption.get(i) ?? 0) }),
      ),
    ];
  }
  return row.options.map((o, i) =>
    tr(locale, "poll.line", { option: o, count: weight(tally.counts[i] ?? 0) }),
  );
}

/** The closed poll: final counts (ranked: each round), the winner or the tie. */
export function finalText(locale: Locale, row: PollRow, tally: Tally): string {
  const lines = [`📊 ${row.question}`, tr(locale, "poll.final"), ""];
  if (tally.mode === "ranked") {
    tally.rounds.forEach((round, n) => {
      lines.push(
        tr(locale, "poll.round", {
          n: n + 1,
          counts: round.counts.map((c) => `${row.options[c.option]} ${weight(c.weight)}`).join(" · "),
          out: round.eliminated.map((o) => row.options[o]).join(", "),
        }),
      );
    });
  } else {
    lines.push(...countLines(locale, row, tally));
  }
  lines.push("");
  if (tally.winners.length === 0) lines.push(tr(locale, "poll.no_votes"));
  else if (tally.tie || tally.winners.length > 1)
    lines.push(tr(locale, "poll.tie", { options: tally.winners.map((w) => row.options[w]).join(", ") }));
  else lines.push(tr(locale, "poll.winner", { option: row.options[tally.winners[0]!] ?? "" }));
  lines.push(tr(locale, "poll.final_footer", { voters: tally.totalVoters, id: shortId(row.id) }));
  return lines.join("\n");
}

/** A ballot in words: one option, the approved set, or the ranking. */
export function choiceText(row: Pick<PollRow, "mode" | "options">, choices: readonly number[]): string {
  if (row.mode === "ranked") return choices.map((c, i) => `${i + 1}. ${row.options[c]}`).join(", ");
  return choices.map((c) => row.options[c]).join(", ");
}
