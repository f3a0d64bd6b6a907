/**
 * The creator's stats as both platforms show them (`stats.*`): each figure a name and a value (a
 * Discord embed field, a Telegram line), and the trend chart's texts. Definitions: src/core/stats.ts.
 */
import { wordsFor } from "./intl.ts";
import type { Messages, Translation } from "./messages.ts";

const EN = wordsFor("en");
const FR = wordsFor("fr");

/** A rate (0..1) as a percentage with one decimal at most. */
const pct = (w: typeof EN, rate: number) => w.percent(Math.round(rate * 1000) / 10);

export const statsEn = {
  "stats.line": (p: { name: string; value: string }) => `${p.name}: ${p.value}`,
  "stats.churn.name": "Churn rate (30 days)",
  "stats.churn.value": (p: { rate: number | null; lost: number; base: number }) =>
    p.rate === null
      ? "– (nobody was a member 30 days ago)"
      : `${pct(EN, p.rate)} (${EN.number(p.lost)} of ${EN.count(p.base, "member", "members")} active 30 days ago left)`,
  "stats.trials.name": "Trial conversion (30 days)",
  "stats.trials.value": (p: { rate: number | null; converted: number; ended: number }) =>
    p.rate === null
      ? "– (no trial ended)"
      : `${pct(EN, p.rate)} (${EN.number(p.converted)} paid of ${EN.count(p.ended, "trial", "trials")} that ended)`,
  "stats.revenue.name": "Revenue per tier",
  "stats.revenue.line": (p: { tier: string; mrr: string; oneOff: string | null }) =>
    `${p.tier}: ${p.mrr} a month${p.oneOff ? ` + ${p.oneOff} one-off (lifetime)` : ""}`,
  "stats.one_off.name": "Lifetime purchases (30 days, one-off, not in monthly revenue)",
  "stats.weekly.name": "Net new members per week (12 weeks)",
  "stats.weekly.value": (p: { weeks: string }) => `${p.weeks} (oldest first; the last is this week so far)`,
  "stats.chart.title": "Net new members per week",
  "stats.chart.subtitle": "Joined − left in each ISO week (from Monday, UTC), last 12 weeks",
} satisfies Messages;

export const statsFr = {
  "stats.line": (p) => `${p.name} : ${p.value}`,
  "stats.churn.name": "Taux de départ (30 jours)",
  "stats.churn.value": (p) =>
    p.rate === null
      ? "– (aucun membre il y a 30 jours)"
      : `${pct(FR, p.rate)} (${FR.count(p.lost, "départ", "départs")} sur ${FR.count(p.base, "membre", "membres")} présents il y a 30 jours)`,
  "stats.trials.name": "Essais convertis (30 jours)",
  "stats.trials.value": (p) =>
    p.rate === null
      ? "– (aucun essai terminé)"
      : `${pct(FR, p.rate)} (${FR.count(p.converted, "payant", "payants")} sur ${FR.count(p.ended, "essai terminé", "essais terminés")})`,
  "stats.revenue.name": "Revenu par palier",
  "stats.revenue.line": (p) =>
    `${p.tier} : ${p.mrr} par mois${p.oneOff ? ` + ${p.oneOff} en achats à vie` : ""}`,
  "stats.one_off.name": "Achats à vie (30 jours, ponctuels, hors revenu mensuel)",
  "stats.weekly.name": "Solde de membres par semaine (12 semaines)",
  "stats.weekly.value": (p) => `${p.weeks} (de la plus ancienne à la semaine en cours)`,
  "stats.chart.title": "Solde de membres par semaine",
  "stats.chart.subtitle": "Arrivées − départs par semaine ISO (du lundi, UTC), 12 dernières semaines",
} satisfies Translation<typeof statsEn>;
