import { describe, expect, it } from "vitest";
import type { RoadmapDigest } from "../../../src/app/roadmapMessage.ts";
import { roadmapMessageText } from "../../../src/i18n/index.ts";

const day = (d: Date) => d.toISOString().slice(0, 10);
const long = (i: number) => `${"Long idea title ".repeat(6)}${i}`.slice(0, 100);

/** A roadmap far longer than a message: ten of everything, every title 100 characters. */
const FULL: RoadmapDigest = {
  voting: Array.from({ length: 10 }, (_, i) => ({
    question: long(i),
    options: Array.from({ length: 6 }, (_, j) => long(j).slice(0, 60)),
    closesAt: new Date(Date.UTC(2026, 11, 10 + i)),
  })),
  committed: Array.from({ length: 10 }, (_, i) => ({
    title: long(i),
    stage: i % 2 ? "won" : "in_the_works",
  })),
  shipped: Array.from({ length: 10 }, (_, i) => ({
    title: long(i),
    at: new Date(Date.UTC(2026, 10, i + 1)),
  })),
  shortlisted: Array.from({ length: 10 }, (_, i) => ({ title: long(i), upvotes: i })),
  proposed: 12,
};

describe("the roadmap message's text", () => {
  it("fits a platform's limit, counts the lines left out, and always ends with the link", () => {
    for (const max of [2000, 4096]) {
      for (const locale of ["en", "fr"] as const) {
        const text = roadmapMessageText(locale, FULL, {
          max,
          quote: (s) => s,
          date: day,
          url: "https://tribe.example/roadmap",
        });
        expect(text.length).toBeLessThanOrEqual(max);
        expect(text).toMatch(
          /\n\n(The whole roadmap|Toute la feuille de route) ?: https:\/\/tribe\.example\/roadmap$/,
        );
        expect(text).toMatch(/(…and \d+ more lines\.|…et \d+ autres lignes\.)\n\n/);
      }
    }
  });

  it("leaves empty sections out, says when there is nothing yet, and shows no link without a public address", () => {
    const empty: RoadmapDigest = { voting: [], committed: [], shipped: [], shortlisted: [], proposed: 0 };
    expect(roadmapMessageText("fr", empty, { max: 2000, quote: (s) => s, date: day, url: null })).toBe(
      "🗺️ Feuille de route : ce que la tribu décide\n\nRien sur la feuille de route pour l'instant : les membres proposent des idées avec /idea.",
    );
    const one = { ...empty, shortlisted: [{ title: "*Vlog*", upvotes: 1 }] };
    expect(
      roadmapMessageText("en", one, {
        max: 2000,
        quote: (s) => s.replace(/\*/g, "\\*"),
        date: day,
        url: null,
      }),
    ).toBe("🗺️ Roadmap: what the tribe decides\n\n⭐ On the shortlist\n• \\*Vlog\\* (1 upvote)");
  });
});
