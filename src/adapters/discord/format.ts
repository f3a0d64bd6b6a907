import { roleMention, TimestampStyles, time } from "discord.js";
import { type Locale, t } from "../../i18n/index.ts";

/** "€4.99/month", "4,99 €/an", "€50.00 once". */
export function priceLabel(
  locale: Locale,
  price: { amount: number; currency: string; interval: string | null },
): string {
  const interval = price.interval === "year" || price.interval === "month" ? price.interval : "once";
  return t(locale, "price", { amount: price.amount, currency: price.currency, interval });
}

/** A date every reader sees in their own language and time zone (Discord renders it). */
export function discordDate(date: Date): string {
  return time(date, TimestampStyles.LongDate);
}

export { roleMention };
