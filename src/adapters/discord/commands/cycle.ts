import { TimestampStyles, time } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import type { CycleView } from "../../../app/cycle.ts";
import { CYCLE_MODES, type CycleMode } from "../../../app/settings.ts";
import type { Locale } from "../../../i18n/index.ts";
import { t } from "../../../i18n/index.ts";
import { slash } from "../context.ts";

/** The option's value, among the modes a cycle offers (Discord only sends its choices). */
const cycleMode = (value: string | null): CycleMode | null => CYCLE_MODES.find((m) => m === value) ?? null;

/** The cycle as the creator reads it: on (with its next poll) or off. */
export function cycleText(locale: Locale, view: CycleView): string {
  const { cycle, next } = view;
  if (!cycle.on || !next) return t(locale, "cycle.status_off");
  return t(locale, "cycle.status_on", { ...cycle, next: time(next, TimestampStyles.LongDateTime) });
}

/** /tribe cycle set: switches the cycle on with the options given (the poll's question in the caller's language). */
export const cycleSetRoute = slash(tribeCommand, ["cycle", "set"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const view = await ctx.services.app.setCycle({
    on: true,
    locale: ctx.locale,
    ...optional("day", args.integer("day")),
    ...optional("hour", args.integer("hour")),
    ...optional("days", args.integer("days")),
    ...optional("top", args.integer("top")),
    ...optional("min", args.integer("min-upvotes")),
    ...optional("mode", cycleMode(args.string("mode"))),
  });
  await ctx.reply({ content: cycleText(ctx.locale, view) });
});

export const cycleOffRoute = slash(tribeCommand, ["cycle", "off"], { creator: true }, async (ctx) => {
  const view = await ctx.services.app.setCycle({ on: false });
  await ctx.reply({ content: cycleText(ctx.locale, view) });
});

export const cycleShowRoute = slash(tribeCommand, ["cycle", "show"], { creator: true }, async (ctx) => {
  await ctx.reply({ content: cycleText(ctx.locale, await ctx.services.app.cycleStatus()) });
});

/** `{ key: value }` when the option was given, else nothing (the setting keeps its value). */
function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
