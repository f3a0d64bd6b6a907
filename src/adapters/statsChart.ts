import type { StatsView } from "../app/stats.ts";
import type { WeekTrend } from "../core/stats.ts";
import { type ColumnChartInput, columnChartSvg } from "../core/statsChart.ts";
import { formatMoney, formatShortDay, type Locale, t, wordsFor } from "../i18n/index.ts";
import { svgToPng } from "../lib/chartPng.ts";

/** "+3", "−2", "0": a week's net change, signed. */
function signed(locale: Locale, n: number): string {
  const words = wordsFor(locale);
  if (n > 0) return `+${words.number(n)}`;
  if (n < 0) return `−${words.number(-n)}`;
  return words.number(0);
}

/** The trend chart in the reader's language: net new members per ISO week, for 12 weeks. */
export function statsChartInput(locale: Locale, weeks: readonly WeekTrend[]): ColumnChartInput {
  return {
    title: t(locale, "stats.chart.title"),
    subtitle: t(locale, "stats.chart.subtitle"),
    bars: weeks.map((w) => ({
      label: formatShortDay(locale, w.weekStart),
      value: w.net,
      note: signed(locale, w.net),
    })),
  };
}

export function statsChartPng(locale: Locale, weeks: readonly WeekTrend[]): Buffer {
  return svgToPng(columnChartSvg(statsChartInput(locale, weeks)));
}

/** The file name both platforms attach the chart under. */
export const STATS_CHART_FILE = "tribe-stats.png";

/**
 * The figures the stats command adds to the dashboard (churn rate, trial conversion, revenue per
 * tier and currency, one-off revenue, the weekly trend), each a name and a value, on both platforms.
 */
export function statsFigures(
  locale: Locale,
  s: StatsView,
): { name: string; value: string /** One line per item (a tier), shown as a list. */; list: boolean }[] {
  const money = (amounts: Record<string, number>) =>
    Object.entries(amounts)
      .map(([currency, amount]) => formatMoney(locale, amount, currency))
      .join(" + ");
  const figures = [
    {
      name: t(locale, "stats.churn.name"),
      value: t(locale, "stats.churn.value", {
        rate: s.churnRate,
        lost: s.churnedLast30Days,
        base: s.activeAtWindowStart,
      }),
      list: false,
    },
    {
      name: t(locale, "stats.trials.name"),
      value: t(locale, "stats.trials.value", {
        rate: s.trialConversion,
        converted: s.trialsConverted,
        ended: s.trialsEnded,
      }),
      list: false,
    },
  ];
  if (s.revenue.length > 0) {
    figures.push({
      name: t(locale, "stats.revenue.name"),
      value: s.revenue
        .map((r) =>
          t(locale, "stats.revenue.line", {
            tier: s.tierNames[r.tierId] ?? r.tierId,
            mrr: formatMoney(locale, r.mrr, r.currency),
            oneOff: r.oneOff > 0 ? formatMoney(locale, r.oneOff, r.currency) : null,
          }),
        )
        .join("\n"),
      list: true,
    });
  }
  if (Object.keys(s.oneOff).length > 0)
    figures.push({ name: t(locale, "stats.one_off.name"), value: money(s.oneOff), list: false });
  figures.push({
    name: t(locale, "stats.weekly.name"),
    value: t(locale, "stats.weekly.value", { weeks: s.weeks.map((w) => signed(locale, w.net)).join(" · ") }),
    list: false,
  });
  return figures;
}
