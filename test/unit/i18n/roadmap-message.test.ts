import { describe, expect, it } from "vitest";
import type { RoadmapDigest } from "../../../src/app/roadmapMessage.ts";
import { roadmapMessage, roadmapMessageText } from "../../../src/i18n/index.ts";

const day = (d: Date) => d.toISOString().slice(0, 10);
const long = (i: number) => `${"Long idea title ".repeat(6)}${i}`.slice(0, 100);

/** A roadmap far longer than a message: ten of everything, every title 100 characters. */
const FULL: RoadmapDigest = {
  voting: Array.from({ length: 10 }, (_, i) => ({
    question: long(i),
    options: Array.from({ length: 6 }, (_, j) => long(j).slice(0, 60)),
    closesAt: new Date(Date.UTC(2026, 11, 10 + i)),
    discuss: [],
  })),
  committed: Array.from({ length: 10 }, (_, i) => ({
    title: long(i),
    stage: i % 2 ? "won" : "in_the_works",
    discuss: [],
  })),
  shipped: Array.from({ length: 10 }, (_, i) => ({
    title: long(i),
    at: new Date(Date.UTC(2026, 10, i + 1)),
    discuss: [],
  })),
  shortlisted: Array.from({ length: 10 }, (_, i) => ({ title: long(i), upvotes: i, discuss: [] })),
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
    const one = { ...empty, shortlisted: [{ title: "*Vlog*", upvotes: 1, discuss: [] }] };
    expect(
      roadmapMessageText("en", one, {
        max: 2000,
        quote: (s) => s.replace(/\*/g, "\\*"),
        date: day,
        url: null,
      }),
    ).toBe("🗺️ Roadmap: what the tribe decides\n\n⭐ On the shortlist\n• \\*Vlog\\* (1 upvote)");
  });

  it("ends an item's line with its discussion link and says where each link is (UTF-16 offsets)", () => {
    const thread = (chatId: string, n: number) => ({
      platform: "telegram" as const,
      chatId,
      url: `https://t.me/c/${n}/7?thread=7`,
    });
    const digest: RoadmapDigest = {
      voting: [
        {
          question: "Next 🎬?",
          options: ["A", "B"],
          closesAt: new Date(Date.UTC(2026, 11, 10)),
          discuss: [thread("-1001", 1), thread("-1002", 2)],
        },
      ],
      committed: [],
      shipped: [],
      shortlisted: [
        { title: "No place", upvotes: 0, discuss: [] },
        { title: "Vlog 🎥", upvotes: 2, discuss: [thread("-1002", 3)] },
      ],
      proposed: 0,
    };
    const opts = {
      max: 4096,
      quote: (s: string) => s,
      date: day,
      url: "https://tribe.example/roadmap",
      discuss: (links: RoadmapDigest["voting"][number]["discuss"]) => {
        const here = links.find((l) => l.chatId === "-1002");
        return here ? { text: "💬", url: here.url } : null;
      },
    };
    const { text, links } = roadmapMessage("en", digest, opts);
    expect(text).toBe(
      [
        "🗺️ Roadmap: what the tribe decides",
        "",
        "🗳️ Voting now",
        "• Next 🎬?: A · B (until 2026-12-10) 💬",
        "",
        "⭐ On the shortlist",
        "• No place (0 upvotes)",
        "• Vlog 🎥 (2 upvotes) 💬",
        "",
        "The whole roadmap: https://tribe.example/roadmap",
      ].join("\n"),
    );
    expect(links).toEqual([
      { offset: text.indexOf("💬"), length: 2, url: "https://t.me/c/2/7?thread=7" },
      { offset: text.lastIndexOf("💬"), length: 2, url: "https://t.me/c/3/7?thread=7" },
    ]);
    for (const l of links) expect(text.slice(l.offset, l.offset + l.length)).toBe("💬");
    // A line left out (too long a message) takes its link with it.
    const cut = roadmapMessage("en", digest, { ...opts, max: 120 });
    expect(cut.text).toContain("…and");
    expect(cut.links.every((l) => cut.text.slice(l.offset, l.offset + l.length) === "💬")).toBe(true);
    expect(cut.links.length).toBeLessThan(2);
    // Without discuss, the text is as before.
    const { discuss: _, ...plain } = opts;
    expect(roadmapMessageText("en", digest, plain)).not.toContain("💬");
  });
});
