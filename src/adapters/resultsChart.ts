import type { PollRow } from "../app/db.ts";
import { summarizeTally } from "../core/pollSummary.ts";
import type { Tally } from "../core/polls.ts";
import { type ChartInput, type ChartPanel, resultsChartSvg } from "../core/resultsChart.ts";
import { type Locale, t, wordsFor } from "../i18n/index.ts";
import { svgToPng } from "../lib/chartPng.ts";

/**
 * A closed poll's results chart in the reader's language, as every platform and the roadmap page
 * show it: the same numbers as the results text (src/core/pollSummary.ts), drawn as bars.
 */
export function pollChartInput(
  locale: Locale,
  poll: Pick<PollRow, "question" | "options">,
  tally: Tally,
): ChartInput {
  const summary = summarizeTally(poll.options, tally);
  const n = wordsFor(locale);
  const winner = summary.outcome.kind === "winner" ? summary.outcome.option : -1;
  let panels: ChartPanel[];
  if (summary.rounds.length > 0) {
    const last = summary.rounds.length - 1;
    panels = summary.rounds.map((round, i) => ({
      title: t(locale, "chart.round", { n: round.n }),
      bars: round.counts.map((c) => ({
        label: c.label,
        value: c.weight,
        note: n.number(c.weight),
        highlight: i === last && c.option === winner,
      })),
    }));
  } else {
    panels = [
      {
        title: summary.firstChoices ? t(locale, "chart.first_choices") : null,
        bars: summary.rows.map((r) => ({
          label: r.label,
          value: r.weight,
          note: `${n.number(r.weight)} · ${r.percent}%`,
          highlight: r.winner && summary.outcome.kind === "winner",
        })),
      },
    ];
  }
  return {
    title: poll.question,
    subtitle:
      summary.voters === 0
        ? t(locale, "chart.no_votes")
        : t(locale, "chart.voters", { voters: summary.voters, weight: summary.totalWeight }),
    panels,
  };
}

export function pollChartSvg(
  locale: Locale,
  poll: Pick<PollRow, "question" | "options">,
  tally: Tally,
): string {
  return resultsChartSvg(pollChartInput(locale, poll, tally));
}

export function pollChartPng(
  locale: Locale,
  poll: Pick<PollRow, "question" | "options">,
  tally: Tally,
): Buffer {
  return svgToPng(pollChartSvg(locale, poll, tally));
}
