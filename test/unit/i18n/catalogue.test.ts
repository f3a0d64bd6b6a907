import { describe, expect, it } from "vitest";
import { discordCommands } from "../../../commands/discord.ts";
import { IDEA_STATUSES } from "../../../src/core/ideaLifecycle.ts";
import { BILLING_STATUSES } from "../../../src/core/membership.ts";
import { DomainError } from "../../../src/errors.ts";
import {
  type ErrorCode,
  historyLine,
  type Locale,
  type MessageKey,
  messageKeys,
  type ParamsOf,
  refusalText,
  statusText,
  t,
} from "../../../src/i18n/index.ts";

/**
 * Renders every message of the catalogue, and every path a status or a refusal takes to the reader,
 * in French, and looks for the English words that used to leak (raw statuses, English reasons,
 * "day(s)"). The typing makes a missing key or parameter a compile error; this catches English text
 * sitting in the French table, or English words reaching French readers through parameters.
 */

/** English words a French message never contains (checked outside commands and placeholders). */
const ENGLISH =
  /\b(the|your|you|is|are|was|were|and|with|has|have|this|that|of|to|for|now|will|accepted|declined|merged|open|closed|pending|running|done|dead|active|trialing|past_due|canceled|unpaid|incomplete|incomplete_expired|paused|lifetime|member|members|tier|tiers|role|roles|grant|revoke|removal|shipped|works|voters|day|days|hour|hours|week|weeks|seconds|chat|chats|server|subscription|payment|refunded|disputed|failed|changed|upvote|upvotes|ballot|ballots|refused|could|cannot)\b/i;

/** What a French text may name in English: slash commands and their arguments, placeholders, settings. */
function prose(text: string): string {
  return text
    .replace(/\/[\p{L}\d_-]+(?: [\p{L}\d_-]+)*/gu, " ") // /tribu palier créer, /reconcile apply, /retryjob all
    .replace(/<[^>]*>/g, " ") // <code>, <t:…>, <@&…>
    .replace(/\b[A-Z][A-Z_]{2,}\b/g, " "); // TELEGRAM_CREATOR_IDS
}

type AnyParams = Exclude<{ [K in MessageKey]: ParamsOf<K> }[MessageKey], undefined>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
/** One value for every parameter name the catalogue uses, of a type every message taking it accepts. */
type AllParams = UnionToIntersection<AnyParams>;

/** Neutral samples: names a French creator could give (never English words the check looks for). */
function samples(n: number, flag: boolean): AllParams {
  const many = (one: string, two: string) => (n === 1 ? [one] : [one, two]);
  const holds: ("refunded" | "disputed")[] = flag ? ["refunded"] : [];
  return {
    tier: "Or",
    tierName: "Or",
    slug: "or",
    name: "Or",
    currency: "eur",
    platform: "telegram",
    minutes: n * 15,
    seconds: n * 30,
    trialDays: n,
    days: n,
    n,
    count: n,
    grants: n,
    revokes: n,
    votes: n,
    voters: n,
    subs: n,
    subscriptions: "• Or : actif",
    position: n,
    cap: n,
    points: n * 5,
    left: n,
    members: n,
    drift: n,
    notified: n,
    active: n,
    goal: n * 100,
    percent: 42,
    months: n,
    since: "1 mars 2026",
    badge: flag ? null : n * 3,
    saving: "2 mois offerts",
    offers: "10,00 € par mois · 100,00 € par an (2 mois offerts)",
    progress: 42,
    trialing: n,
    pastDue: n,
    new: n,
    churned: n,
    rate: flag ? 0.025 : null,
    lost: n,
    base: n * 40,
    converted: n,
    ended: n * 2,
    oneOff: flag ? "300,00 €" : null,
    weeks: "+3 · 0 · −2",
    weight: n,
    rank: n,
    min: 0,
    max: 60,
    option: "Tutoriel",
    setting: "graceDays",
    message: "montant invalide",
    ref: "a1b2c3d4",
    priceId: "price_123",
    prefix: "1a2b",
    id: "1a2b3c4d",
    into: flag ? "Vidéo du lundi" : null,
    value: "3x",
    part: "or3",
    status: "shortlisted",
    credit: flag ? "Camille" : null,
    title: "Vlog quotidien",
    description: "Détails",
    question: "Prochaine vidéo ?",
    choice: "« Tutoriel »",
    options: many("Tutoriel", "Vlog"),
    choices: "Tutoriel · Vlog",
    won: flag,
    out: many("Tutoriel", "Vlog"),
    counts: "Tutoriel 3 · Vlog 2",
    stage: "shipped",
    decision: "merged",
    url: "https://exemple.fr/portail",
    link: "https://t.me/exemple",
    deepLink: "https://t.me/exemple?start=or",
    chat: "Salon VIP",
    label: "Salon VIP",
    pitch: "Des vidéos chaque semaine",
    picture: "https://exemple.fr/moi.jpg",
    invite: "https://discord.gg/exemple",
    goalShown: flag,
    tiers: many("Or", "Argent"),
    missing: "Bannir des utilisateurs",
    role: "<@&123>",
    botRole: flag ? "Camille Bot" : null,
    permission: "ManageRoles",
    permissions: ["Administrator", "BanMembers"],
    server: "Chez Camille",
    user: "@camille",
    account: "@camille (42)",
    reason: "impossible de publier",
    detail: "Forbidden: 403",
    targets: "<@&123>",
    channel: "<#456>",
    links: "https://discord.com/channels/1/2/3",
    date: "<t:1800000000:D>",
    closes: "12 décembre 2026 à 14:00 UTC",
    until: "12 décembre 2026 à 14:00 UTC",
    price: "4,99 €",
    amount: 499,
    interval: "month",
    code: "ABCD-EFGH",
    usage: "/bind <code>",
    list: "42, 43",
    bot: "camille_bot",
    identities: "telegram:42 (@camille)",
    customer: "cus_123",
    subscription: "sub_123",
    changes: "prix price_1 → price_2",
    from: "actif",
    to: "annulé",
    cancels: flag,
    paused: flag,
    on: flag,
    saved: flag,
    kept: flag,
    grant: flag,
    jobs: "–",
    mrr: "499,00 €",
    perTier: "• Or : 3",
    lines: "• écart",
    unreadable: "<@&123>",
    dry: flag,
    suspended: flag,
    archived: flag,
    opens: "Salon VIP",
    action: "ajout",
    target: "telegram:-100123",
    error: "impossible",
    state: "actif",
    holds,
    results: "Gagnant : Tutoriel",
    who: "camille (Discord)",
    trial: flag,
    failed: n,
    recovered: n,
    holder: "hote-1:4242:ab12cd34",
    previous: "hote-2:4343:ef56ab78",
    fromTier: flag ? "Argent" : null,
    toTier: "Or",
    month: "décembre 2026",
    day: 25,
    hour: 12,
    top: n + 1,
    ideas: n,
    mode: flag ? "single" : "ranked",
    next: "25 décembre 2026 à 12:00 UTC",
  };
}

const SAMPLES = [samples(1, true), samples(3, false)];

function render(locale: Locale, key: MessageKey): string[] {
  return SAMPLES.map((p) => t(locale, key, p as never));
}

function englishIn(text: string): string | null {
  return ENGLISH.exec(prose(text))?.[0] ?? null;
}

describe("the catalogue in French", () => {
  const keys = messageKeys();

  it("renders every message, with plural forms and no placeholder left", () => {
    expect(keys.length).toBeGreaterThan(300);
    for (const locale of ["en", "fr"] as const) {
      for (const key of keys) {
        for (const text of render(locale, key)) {
          expect(text, `${locale} ${key}`).not.toBe("");
          expect(text, `${locale} ${key}`).not.toMatch(/undefined|\[object|\(s\)|\{\w+\}/);
        }
      }
    }
  });

  it("has no English word in any French message", () => {
    const leaks = keys.flatMap((key) =>
      render("fr", key).flatMap((text) => {
        const word = englishIn(text);
        return word ? [`${key}: “${word}” in ${text}`] : [];
      }),
    );
    expect(leaks).toEqual([]);
  });

  it("says every subscription status in French, on the paths fans and creators see", () => {
    for (const status of BILLING_STATUSES) {
      const text = statusText("fr", status);
      expect(text, status).not.toBe(status);
      expect(englishIn(text), status).toBeNull();
      const line = t("fr", "telegram.membership.line", { tier: "Or", state: text, until: "" });
      expect(englishIn(line), status).toBeNull();
      const history = historyLine("fr", {
        action: "subscription.status",
        fromState: "active (tier_1)",
        toState: `${status} (tier_1)`,
        reason: `subscription sub_1: active → ${status}`,
      });
      expect(englishIn(history), status).toBeNull();
    }
  });

  it("words every refusal (DomainError code) in French on both platforms", () => {
    const codes = keys
      .filter((k) => k.startsWith("error."))
      .map((k) => k.slice("error.".length) as ErrorCode);
    expect(codes).toContain("idea_closed");
    for (const code of codes) {
      for (const platform of ["discord", "telegram"] as const) {
        for (const params of SAMPLES) {
          const text = refusalText("fr", new DomainError(code, params as never), platform, "a1b2c3d4");
          expect(englishIn(text), `${platform} ${code}: ${text}`).toBeNull();
        }
      }
    }
    for (const status of IDEA_STATUSES) {
      const text = refusalText("fr", new DomainError("idea_closed", { status }), "telegram");
      expect(englishIn(text), text).toBeNull();
    }
  });

  it("names Discord commands as the reader's Discord shows them", () => {
    const names = { en: new Set<string>(), fr: new Set<string>() };
    type Node = { name: string; name_localizations?: { fr?: string }; options?: readonly unknown[] };
    const walk = (node: Node, en: string, fr: string) => {
      const enPath = `${en} ${node.name}`.trim();
      const frPath = `${fr} ${node.name_localizations?.fr ?? node.name}`.trim();
      names.en.add(enPath);
      names.fr.add(frPath);
      for (const child of node.options ?? []) {
        const c = child as Node & { type: number };
        if (c.type === 1 || c.type === 2) walk(c, enPath, frPath); // subcommand (group)
      }
    };
    for (const command of discordCommands) walk(command as Node, "", "");
    const discordKeys = messageKeys().filter(
      (k) => k.startsWith("discord.") || k.startsWith("error.discord_"),
    );
    for (const locale of ["en", "fr"] as const) {
      for (const key of discordKeys) {
        for (const text of render(locale, key)) {
          // "/tribe tier create", "/rejoindre": the longest run of words after a slash must be a command path.
          for (const m of text.matchAll(/(?<![\w<:/.])\/([\p{Ll}\d-]+(?: [\p{Ll}\d-]+)*)/gu)) {
            const words = m[1]!.split(" ");
            const known = words.some((_, i) => names[locale].has(words.slice(0, i + 1).join(" ")));
            // Telegram commands (the same in both languages) are named with their platform.
            const telegram = /Telegram|`\/(?:link|bind)/.test(text) && ["link", "bind"].includes(words[0]!);
            expect(known || telegram, `${locale} ${key}: /${m[1]} in ${text}`).toBe(true);
          }
        }
      }
    }
  });
});
