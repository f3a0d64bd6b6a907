import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  EmbedBuilder,
  escapeMarkdown,
  type MessageActionRowComponentBuilder,
  StringSelectMenuBuilder,
  time,
} from "discord.js";
import type { PollRow } from "../../app/db.ts";
import type { PortUseCases, UseCases } from "../../app/useCases.ts";
import { optionLabel, type PollSummary, summarizeTally } from "../../core/pollSummary.ts";
import { allocationLabel, type Tally } from "../../core/polls.ts";
import { DomainError } from "../../errors.ts";
import { type Locale, t, wordsFor } from "../../i18n/index.ts";

/**
 * How a poll looks on Discord: the public message (embed + voting components), the custom ids the
 * components carry and their strict parsing, and the autocomplete of the poll and idea options.
 *
 * Custom ids (router prefix first, parsed by the router on ":"):
 * - `pv:<pollId>:<index>`  single choice: one button per option;
 * - `pv:<pollId>:a`        approval: one multi-select menu, values are option indexes;
 * - `pv:<pollId>:r`        ranked: a button opening the fan's private ranking steps;
 * - `pr:<pollId>:<digits>` ranked step: a select of the options not ranked yet (digits = ranking so far);
 * - `pr:<pollId>:<digits>:ok` submits that ranking;
 * - `pv:<pollId>:b`        budget: a button opening the fan's private ballot (their points to spread);
 * - `pb:<pollId>:<counts>:<action>` budget step: counts = the draft, points per option joined by "."
 *   ("6.0.3"); action `p<i>` one point more on option i, `m<i>` one less, `c` clear, `ok` casts it;
 * - `pv:<pollId>:<i>` / `pv:<pollId>:m<i>`: ＋/− on the budget poll messages posted before the private
 *   ballot (each press changed the stored ballot by one point); still honoured.
 * A select menu's values arrive unordered on Discord, so a ranking is built one pick per step, in
 * the fan's private message, and only the final submit casts the ballot. A budget ballot is drafted
 * the same way: each step only redraws the private message, and only "Cast my points" stores it.
 */
export const VOTE_PREFIX = "pv";
export const RANK_PREFIX = "pr";
export const BUDGET_PREFIX = "pb";
/** Discord's longest custom id. */
export const MAX_CUSTOM_ID = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INDEX = /^(?:\d|[1-9]\d)$/;

/** A poll id from a custom id: anything but a well-formed id is a tampered or stale component. */
export function parsePollId(raw: string | undefined): string {
  if (raw === undefined || !UUID.test(raw)) throw new DomainError("ballot_unknown_option");
  return raw;
}

/** An option index that exists in `poll`, or ballot_unknown_option. */
export function parseOption(poll: Pick<PollRow, "options">, raw: string | undefined): number {
  if (raw === undefined || !INDEX.test(raw)) throw new DomainError("ballot_unknown_option");
  const n = Number(raw);
  if (n >= poll.options.length) throw new DomainError("ballot_unknown_option");
  return n;
}

/** A ranking "021" (best first, each option once), checked against `poll`. */
export function parseRanking(poll: Pick<PollRow, "options">, raw: string | undefined): number[] {
  if (raw === undefined || !/^\d{0,10}$/.test(raw)) throw new DomainError("ballot_unknown_option");
  const ranking = [...raw].map((d) => parseOption(poll, d));
  if (new Set(ranking).size !== ranking.length) throw new DomainError("ballot_duplicate_choice");
  return ranking;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Autocomplete for the poll and idea options (values are ids, names what people recognise). */
export async function ledgerChoices(
  app: Pick<UseCases, "listPolls" | "topIdeas">,
  option: string,
  typed: string,
): Promise<{ name: string; value: string }[]> {
  const needle = typed.trim().toLowerCase();
  if (option === "poll") {
    // The database narrows and bounds the page: typed text finds an old poll too.
    const polls = await app.listPolls({ limit: 25, search: needle });
    return polls.map((p) => ({ name: `${p.closedAt ? "✓ " : ""}${p.question}`.slice(0, 100), value: p.id }));
  }
  if (option === "idea" || option === "into") {
    const ideas = await app.topIdeas(25, { search: needle });
    return ideas.map((i) => ({ name: `${i.title} (${i.votes})`.slice(0, 100), value: i.id }));
  }
  if (option === "ideas") {
    // Several ids in one option: complete the last one, keep the ones already chosen. Values use
    // the 8-character short ids (findIdeaIdByRef takes them), so ten ideas fit Discord's 100 characters.
    const parts = typed.split(/[\s,;|]+/).filter(Boolean);
    const done = /[\s,;|]$/.test(typed) || typed === "" ? parts : parts.slice(0, -1);
    const last = done.length === parts.length ? "" : (parts.at(-1) ?? "").toLowerCase();
    const chosen = (id: string) => done.some((d) => id.startsWith(d.toLowerCase()));
    const ideas = await app.topIdeas(25, { search: last });
    return ideas
      .filter((i) => !chosen(i.id))
      .map((i) => ({ name: `+ ${i.title}`.slice(0, 100), value: [...done, shortId(i.id)].join(" ") }))
      .filter((c) => c.value.length <= 100);
  }
  return [];
}

export interface PollView {
  poll: PollRow;
  tally: Tally | null;
  voters: number;
  tierNames: string[];
}

export async function loadPollView(
  app: Pick<PortUseCases, "pollResults" | "tierNames">,
  pollId: string,
  opts: { creator?: boolean } = {},
): Promise<PollView> {
  const { poll, tally, voters } = await app.pollResults(pollId, opts);
  return { poll, tally, voters, tierNames: await app.tierNames(poll.tierIds) };
}

/** The lines under the options once closed: winner or tie, and the instant-runoff rounds (if several). */
export function outcomeLines(locale: Locale, summary: PollSummary): string[] {
  const { outcome } = summary;
  const lines: string[] = [];
  if (outcome.kind === "no_votes") lines.push(t(locale, "discord.poll.no_votes"));
  else if (outcome.kind === "tie") lines.push(t(locale, "discord.poll.tie", { options: outcome.labels }));
  else lines.push(t(locale, "discord.poll.winner", { option: outcome.label }));
  for (const round of summary.rounds) {
    const counts = round.counts.map((c) => `${c.label} ${c.weight}`).join(" · ");
    const out = round.eliminated.map((o) => o.label);
    lines.push(t(locale, "discord.poll.round", { n: round.n, counts, out }));
  }
  return lines;
}

export function pollEmbed(locale: Locale, view: PollView): EmbedBuilder {
  const { poll, tally } = view;
  const closed = poll.closedAt !== null;
  const summary = tally ? summarizeTally(poll.options, tally) : null;
  const words = wordsFor(locale);
  const optionLines = summary
    ? summary.rows.map(
        (r) =>
          `**${r.option + 1}.** ${r.label} — ${r.weight} (${words.percent(r.percent)})${closed && r.winner ? " 🏆" : ""}`,
      )
    : poll.options.map((label, i) => `**${i + 1}.** ${label}`);
  const lines = [...optionLines, ""];
  if (closed && summary) lines.push(...outcomeLines(locale, summary));
  else lines.push(t(locale, `discord.poll.hint_${poll.mode as "single" | "approval" | "ranked" | "budget"}`));
  const ends = poll.closedAt ?? poll.closesAt;
  const embed = new EmbedBuilder()
    .setTitle(
      (closed ? t(locale, "discord.poll.closed_title", { question: poll.question }) : poll.question).slice(
        0,
        256,
      ),
    )
    .setDescription(lines.join("\n").slice(0, 4096))
    .addFields(
      {
        name: t(locale, closed ? "discord.poll.field_closed" : "discord.poll.field_closes"),
        value: `${time(ends, "f")} (${time(ends, "R")})`,
        inline: true,
      },
      {
        name: t(locale, "discord.poll.field_mode"),
        value: t(locale, `discord.poll.mode_${poll.mode as "single" | "approval" | "ranked" | "budget"}`),
        inline: true,
      },
      { name: t(locale, "discord.poll.field_voters"), value: String(view.voters), inline: true },
      {
        name: t(locale, "discord.poll.field_who"),
        value: view.tierNames.length ? view.tierNames.join(", ") : t(locale, "discord.poll.everyone"),
        inline: true,
      },
    );
  if (!tally) embed.setFooter({ text: t(locale, "discord.poll.hidden_note") });
  return embed;
}

/** Voting components; disabled once the poll is closed. */
export function pollComponents(
  locale: Locale,
  poll: Pick<PollRow, "id" | "mode" | "options" | "closedAt">,
): ActionRowBuilder<MessageActionRowComponentBuilder>[] {
  const disabled = poll.closedAt !== null;
  if (poll.mode === "approval") {
    const menu = new StringSelectMenuBuilder()
      .setCustomId(`${VOTE_PREFIX}:${poll.id}:a`)
      .setPlaceholder(t(locale, "discord.poll.approval_placeholder"))
      .setMinValues(1)
      .setMaxValues(poll.options.length)
      .setDisabled(disabled)
      .addOptions(
        poll.options.map((label, i) => ({ label: `${i + 1}. ${label}`.slice(0, 100), value: String(i) })),
      );
    return [new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(menu)];
  }
  if (poll.mode === "ranked") {
    const button = new ButtonBuilder()
      .setCustomId(`${VOTE_PREFIX}:${poll.id}:r`)
      .setLabel(t(locale, "discord.poll.rank_button"))
      .setStyle(ButtonStyle.Primary)
      .setDisabled(disabled);
    return [new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(button)];
  }
  if (poll.mode === "budget") {
    const button = new ButtonBuilder()
      .setCustomId(`${VOTE_PREFIX}:${poll.id}:b`)
      .setLabel(t(locale, "discord.poll.budget_button"))
      .setStyle(ButtonStyle.Primary)
      .setDisabled(disabled);
    return [new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(button)];
  }
  const rows: ActionRowBuilder<MessageActionRowComponentBuilder>[] = [];
  for (let start = 0; start < poll.options.length; start += 5) {
    rows.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        poll.options.slice(start, start + 5).map((label, k) =>
          new ButtonBuilder()
            .setCustomId(`${VOTE_PREFIX}:${poll.id}:${start + k}`)
            .setLabel(`${start + k + 1}. ${label}`.slice(0, 80))
            .setStyle(ButtonStyle.Secondary)
            .setDisabled(disabled),
        ),
      ),
    );
  }
  return rows;
}

/** One step of a fan's private ranking: what is ranked so far, a select for the next pick, submit. */
export function rankingStep(
  locale: Locale,
  poll: Pick<PollRow, "id" | "options" | "question">,
  ranking: readonly number[],
): { content: string; components: ActionRowBuilder<MessageActionRowComponentBuilder>[] } {
  const digits = ranking.join("");
  const left = poll.options.map((label, i) => ({ label, i })).filter((o) => !ranking.includes(o.i));
  const so = ranking.map((i, n) => `${n + 1}. ${poll.options[i]}`).join("\n");
  const content = [
    `**${poll.question}**`,
    t(locale, "discord.poll.rank_intro"),
    ...(ranking.length ? [t(locale, "discord.poll.rank_so_far"), so] : []),
  ].join("\n");
  const components: ActionRowBuilder<MessageActionRowComponentBuilder>[] = [];
  if (left.length) {
    components.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        new StringSelectMenuBuilder()
          .setCustomId(`${RANK_PREFIX}:${poll.id}:${digits}`)
          .setPlaceholder(t(locale, "discord.poll.rank_pick", { n: ranking.length + 1 }))
          .addOptions(
            left.map((o) => ({ label: `${o.i + 1}. ${o.label}`.slice(0, 100), value: String(o.i) })),
          ),
      ),
    );
  }
  if (ranking.length) {
    components.push(
      new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(`${RANK_PREFIX}:${poll.id}:${digits}:ok`)
          .setLabel(t(locale, "discord.poll.rank_submit"))
          .setStyle(ButtonStyle.Success),
      ),
    );
  }
  return { content, components };
}

/** A fan's text as plain text in Markdown (option labels, the question). */
const quote = (text: string): string =>
  escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true });

const COUNT = /^(?:0|[1-9]\d{0,2})$/;

/**
 * A budget draft "6.0.3" from a custom id: exactly one whole count per option of `poll`, or a refusal.
 * Only its shape is checked here; the member's points and the cap are the server's (budgetBallot).
 */
export function parseDraft(poll: Pick<PollRow, "options">, raw: string | undefined): number[] {
  const parts = raw === undefined ? [] : raw.split(".");
  if (parts.length !== poll.options.length) throw new DomainError("ballot_unknown_option");
  if (!parts.every((p) => COUNT.test(p))) throw new DomainError("ballot_points_invalid");
  return parts.map(Number);
}

export type BudgetAction = { kind: "plus" | "minus"; option: number } | { kind: "clear" } | { kind: "cast" };

/** What a button of the private ballot does: `p<i>`, `m<i>`, `c`, `ok`. */
export function parseBudgetAction(poll: Pick<PollRow, "options">, raw: string | undefined): BudgetAction {
  if (raw === "ok") return { kind: "cast" };
  if (raw === "c") return { kind: "clear" };
  if (raw?.startsWith("p")) return { kind: "plus", option: parseOption(poll, raw.slice(1)) };
  if (raw?.startsWith("m")) return { kind: "minus", option: parseOption(poll, raw.slice(1)) };
  throw new DomainError("ballot_unknown_option");
}

/**
 * The draft a step leads to (a − at 0 gives −1, which the server refuses as ballot_points_invalid:
 * the button was disabled, so only a forged id gets there).
 */
export function stepDraft(draft: readonly number[], action: BudgetAction): number[] {
  if (action.kind === "clear") return draft.map(() => 0);
  if (action.kind === "cast") return [...draft];
  return draft.map((n, i) => (i === action.option ? n + (action.kind === "plus" ? 1 : -1) : n));
}

/**
 * The fan's private budget ballot: each option with its points, the points left, and a ＋ and a −
 * per option (＋1..＋5 / −1..−5 / ＋6..＋10 / −6..−10), then "Cast my points" and "Clear": at most the
 * 5 rows of 5 buttons Discord allows. A step that cannot be taken is disabled (− at 0, ＋ at the cap
 * or with no point left). The draft lives in the buttons' ids: nothing is stored until the cast.
 */
export function budgetStep(
  locale: Locale,
  poll: Pick<PollRow, "id" | "options" | "question">,
  ballot: { points: number; cap: number | null; allocation: readonly number[] },
): { content: string; components: ActionRowBuilder<MessageActionRowComponentBuilder>[] } {
  const { points, cap, allocation } = ballot;
  const given = allocation.reduce((s, n) => s + n, 0);
  const left = Math.max(0, points - given);
  const content = [
    `**${quote(poll.question)}**`,
    t(locale, "discord.ballot.intro"),
    ...poll.options.map((label, i) =>
      t(locale, "discord.ballot.line", { n: i + 1, label: quote(label), points: allocation[i] ?? 0 }),
    ),
    t(locale, "discord.ballot.left", { left, points, cap }),
  ].join("\n");
  const id = (action: string) => `${BUDGET_PREFIX}:${poll.id}:${allocation.join(".")}:${action}`;
  const step = (i: number, plus: boolean) => {
    const n = allocation[i] ?? 0;
    return new ButtonBuilder()
      .setCustomId(id(`${plus ? "p" : "m"}${i}`))
      .setLabel(`${plus ? "＋" : "−"}${i + 1}`)
      .setStyle(plus ? ButtonStyle.Primary : ButtonStyle.Secondary)
      .setDisabled(plus ? left === 0 || (cap !== null && n >= cap) : n === 0);
  };
  const rows: ActionRowBuilder<MessageActionRowComponentBuilder>[] = [];
  for (let start = 0; start < poll.options.length; start += 5) {
    const indexes = poll.options.slice(start, start + 5).map((_, k) => start + k);
    for (const plus of [true, false])
      rows.push(
        new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
          indexes.map((i) => step(i, plus)),
        ),
      );
  }
  rows.push(
    new ActionRowBuilder<MessageActionRowComponentBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(id("ok"))
        .setLabel(t(locale, "discord.ballot.cast_button"))
        .setStyle(ButtonStyle.Success),
      new ButtonBuilder()
        .setCustomId(id("c"))
        .setLabel(t(locale, "discord.ballot.clear_button"))
        .setStyle(ButtonStyle.Danger)
        .setDisabled(given === 0),
    ),
  );
  return { content, components: rows };
}

/** What the fan reads once their points are cast (the private ballot's last state, no buttons). */
export function budgetCast(
  locale: Locale,
  poll: Pick<PollRow, "options">,
  outcome: {
    status: "counted" | "changed" | "unchanged" | "cleared";
    weight: number;
    choices: readonly number[];
  },
): string {
  if (outcome.status === "cleared") return t(locale, "discord.vote.cleared");
  const summary = t(locale, "discord.vote.budget", {
    choice: allocationLabel(poll.options.map(quote), outcome.choices),
    left: Math.max(0, outcome.weight - outcome.choices.length),
    weight: outcome.weight,
  });
  return `${t(locale, `discord.ballot.${outcome.status}`)}\n${summary}`;
}

/** The options a ballot names, as the fan reads them back. */
export function choicesLabel(poll: Pick<PollRow, "options" | "mode">, choices: readonly number[]): string {
  if (poll.mode === "budget") return allocationLabel(poll.options, choices);
  const labels = choices.map((i) => `“${optionLabel(poll.options, i)}”`);
  return poll.mode === "ranked" ? labels.map((l, n) => `${n + 1}. ${l}`).join(", ") : labels.join(", ");
}
