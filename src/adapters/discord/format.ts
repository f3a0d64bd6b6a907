import { roleMention, TimestampStyles, time } from "discord.js";
import { formatMoney, type Locale } from "../../i18n/index.ts";
import { ui } from "./strings.ts";

/** "€4.99/month", "4,99 €/an", "€50.00 once". */
export function priceLabel(
  locale: Locale,
  price: { amount: number; currency: string; interval: string | null },
): string {
  const money = formatMoney(locale, price.amount, price.currency);
  const key =
    price.interval === "year"
      ? "interval.year"
      : price.interval === "month"
        ? "interval.month"
        : "interval.once";
  return ui(locale, key, { price: money });
}

/** A date every reader sees in their own language and time zone (Discord renders it). */
export function discordDate(date: Date): string {
  return time(date, TimestampStyles.LongDate);
}

export { roleMention };
