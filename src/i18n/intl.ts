/**
 * Numbers, plurals, units, lists, dates and money in the reader's language, all from Intl (Node 20
 * ships the full ICU data): no "day(s)" or "rôle(s)" in any message, and no hand-made date.
 */

export type Locale = "en" | "fr";

export function localeOf(raw: string | null | undefined): Locale {
  return raw?.toLowerCase().startsWith("fr") ? "fr" : "en";
}

/** The BCP 47 tag Intl formats with (US English, metropolitan French). */
const TAG: Record<Locale, string> = { en: "en-US", fr: "fr-FR" };

export type DurationUnit = "second" | "minute" | "hour" | "day" | "week" | "month";

/** The plural-aware words of one language, for the message tables. */
export interface Words {
  /** "3", "1 234" / "1,234". */
  number(n: number): string;
  /** "1 role" / "3 roles", "0 rôle" / "2 rôles": the number and the form Intl.PluralRules picks. */
  count(n: number, one: string, other: string): string;
  /** Only the word ("rôle" / "rôles"), for a sentence that places the number itself. */
  plural(n: number, one: string, other: string): string;
  /** "3 days", "1 jour", "30 secondes": Intl.NumberFormat's long units. */
  duration(n: number, unit: DurationUnit): string;
  /** "a, b and c" / "a, b et c". */
  list(items: readonly string[], type?: "conjunction" | "disjunction"): string;
  /** "42%" / "42 %", "0.1%" / "0,1 %" (one decimal at most). */
  percent(whole: number): string;
}

const wordsCache = new Map<Locale, Words>();

export function wordsFor(locale: Locale): Words {
  const cached = wordsCache.get(locale);
  if (cached) return cached;
  const tag = TAG[locale];
  const rules = new Intl.PluralRules(tag);
  const numbers = new Intl.NumberFormat(tag);
  const percent = new Intl.NumberFormat(tag, { style: "percent", maximumFractionDigits: 1 });
  const units = new Map<DurationUnit, Intl.NumberFormat>();
  const lists = {
    conjunction: new Intl.ListFormat(tag, { type: "conjunction" }),
    disjunction: new Intl.ListFormat(tag, { type: "disjunction" }),
  };
  const plural = (n: number, one: string, other: string) => (rules.select(n) === "one" ? one : other);
  const words: Words = {
    number: (n) => numbers.format(n),
    count: (n, one, other) => `${numbers.format(n)} ${plural(n, one, other)}`,
    plural,
    duration: (n, unit) => {
      let format = units.get(unit);
      if (!format) {
        format = new Intl.NumberFormat(tag, { style: "unit", unit, unitDisplay: "long" });
        units.set(unit, format);
      }
      return format.format(n);
    },
    list: (items, type = "conjunction") => lists[type].format(items),
    percent: (whole) => percent.format(whole / 100),
  };
  wordsCache.set(locale, words);
  return words;
}

/**
 * "December 12, 2026 at 2:00 PM UTC" / "12 décembre 2026 à 14:00 UTC": a moment in `timeZone`,
 * which the text always names (a reader elsewhere knows to convert).
 */
export function formatDateTime(locale: Locale, date: Date, timeZone: string): string {
  return formatter(
    `dt:${locale}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(TAG[locale], {
        year: "numeric",
        month: "long",
        day: "numeric",
        hour: "numeric",
        minute: "2-digit",
        timeZone,
        timeZoneName: "short",
      }),
  ).format(date);
}

/** "December 12, 2026" / "12 décembre 2026": a day, as seen in `timeZone`. */
export function formatDay(locale: Locale, date: Date, timeZone: string): string {
  return formatter(
    `day:${locale}:${timeZone}`,
    () => new Intl.DateTimeFormat(TAG[locale], { dateStyle: "long", timeZone }),
  ).format(date);
}

/** "Nov 23" / "23 nov.": a day without its year, as seen in UTC (a week's label on a chart). */
export function formatShortDay(locale: Locale, date: Date): string {
  return formatter(
    `short:${locale}`,
    () => new Intl.DateTimeFormat(TAG[locale], { day: "numeric", month: "short", timeZone: "UTC" }),
  ).format(date);
}

/**
 * Intl formatters are costly to build (a page of prices built them by the dozen): each one is
 * made once per language and currency or time zone. The keys come from a short list (the
 * currencies of the tiers, the creator's time zone); the cache is emptied should it ever grow.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function formatter<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let f = formatters.get(key) as F | undefined;
  if (!f) {
    if (formatters.size >= 256) formatters.clear();
    f = make();
    formatters.set(key, f);
  }
  return f;
}

/** The number of digits after the decimal point of `currency` (2 for EUR, 0 for JPY). */
const digitsOf = new Map<string, number>();
function minorDigits(currency: string): number {
  const upper = currency.toUpperCase();
  let digits = digitsOf.get(upper);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat("en", { style: "currency", currency: upper }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    if (digitsOf.size >= 256) digitsOf.clear();
    digitsOf.set(upper, digits);
  }
  return digits;
}

/** Formats an amount in minor units as the fan reads it (4,99 € / €4.99). */
export function formatMoney(locale: Locale, amountMinor: number, currency: string): string {
  const upper = currency.toUpperCase();
  return formatter(
    `cur:${locale}:${upper}`,
    () => new Intl.NumberFormat(TAG[locale], { style: "currency", currency: upper }),
  ).format(amountMinor / 10 ** minorDigits(upper));
}

/** Parses "4.99", "4,99" or "5" in the currency's main unit into minor units; null if not a price. */
export function parseMoney(text: string, currency: string): number | null {
  const cleaned = text.trim().replace(/\s/g, "").replace(",", ".");
  if (!/^\d+(\.\d{1,3})?$/.test(cleaned)) return null;
  const value = Math.round(Number(cleaned) * 10 ** minorDigits(currency));
  return value > 0 ? value : null;
}
