import { Composer } from "grammy";
import type { ProfileChanges } from "../../../app/profile.ts";
import { DomainError } from "../../../errors.ts";
import { parseMoney } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import { deepLink, type TelegramDeps } from "../deps.ts";
import { argsOf, creatorOnly, replyUsage, wholeNumber } from "./creatorGuard.ts";
import { priceLabel } from "./fan.ts";

/** Creator commands about what is sold: tiers, prices, trial, grace period, promotion codes, goal. */
export function creatorTierFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services } = deps;
  const composer = new Composer<TgContext>();
  const cmd = composer.chatType("private");
  const only = creatorOnly(deps);

  cmd.command("tiers", only, async (ctx) => {
    const tiers = await services.app.listTiers({ includeArchived: true });
    if (tiers.length === 0) return ctx.reply(ctx.t("telegram.tiers.none"));
    const lines = tiers.map((t) =>
      ctx.t("telegram.tiers.line", {
        name: t.name,
        slug: t.slug,
        price: t.prices.map((p) => priceLabel(ctx.locale, p)).join(" / ") || "–",
        archived: t.archivedAt !== null,
        opens:
          t.access.map((a) => a.label || a.targetKey).join(", ") || ctx.t("telegram.tiers.opens_nothing"),
        deepLink: deepLink(deps, t.slug),
      }),
    );
    return ctx.reply(lines.join("\n"));
  });

  cmd.command("newtier", only, async (ctx) => {
    const [amountText, currency, interval, ...nameWords] = argsOf(ctx);
    const amount = amountText && currency ? parseMoney(amountText, currency) : null;
    if (
      amount === null ||
      !currency ||
      (interval !== "month" && interval !== "year") ||
      nameWords.length === 0
    )
      return replyUsage(ctx, "newtier");
    const settings = await services.app.getSettings();
    const tier = await services.app.createTier({
      name: nameWords.join(" "),
      amount,
      currency,
      interval,
      trialDays: settings.defaultTrialDays,
    });
    const price = tier.prices.find((p) => p.kind === "recurring");
    return ctx.reply(
      ctx.t("telegram.tier.created", {
        name: tier.name,
        slug: tier.slug,
        price: price ? priceLabel(ctx.locale, price) : "",
        deepLink: deepLink(deps, tier.slug),
      }),
    );
  });

  cmd.command("edittier", only, async (ctx) => {
    const [slug, field, ...rest] = argsOf(ctx);
    const value = rest.join(" ");
    if (!slug || (field !== "name" && field !== "description") || (field === "name" && !value))
      return replyUsage(ctx, "edittier");
    const tier = await services.app.editTier(
      slug,
      field === "name" ? { name: value } : { description: value },
    );
    return ctx.reply(ctx.t("telegram.tier.edited", { slug: tier.slug }));
  });

  cmd.command("archivetier", only, async (ctx) => {
    const [slug] = argsOf(ctx);
    if (!slug) return replyUsage(ctx, "archivetier");
    const tier = await services.app.archiveTier(slug);
    return ctx.reply(ctx.t("telegram.tier.archived", { slug: tier.slug }));
  });

  cmd.command("price", only, async (ctx) => {
    const [slug, amountText, kindText = "month"] = argsOf(ctx);
    if (!slug || !amountText || !["month", "year", "lifetime"].includes(kindText))
      return replyUsage(ctx, "price");
    const tier = await services.app.findTier(slug);
    const currency = tier.prices.find((p) => p.current)?.currency ?? "usd";
    const amount = parseMoney(amountText, currency);
    if (amount === null) throw new DomainError("price_amount_invalid");
    const lifetime = kindText === "lifetime";
    await services.app.changeTierPrice(tier.slug, {
      amount,
      kind: lifetime ? "lifetime" : "recurring",
      ...(lifetime ? {} : { interval: kindText as "month" | "year" }),
    });
    const price = { kind: "", current: true, amount, currency, interval: lifetime ? null : kindText };
    return ctx.reply(
      ctx.t("telegram.tier.price_changed", { slug: tier.slug, price: priceLabel(ctx.locale, price) }),
    );
  });

  cmd.command("grace", only, async (ctx) => {
    const days = wholeNumber(argsOf(ctx)[0]);
    if (days === null) return replyUsage(ctx, "grace");
    await services.app.updateSettings({ set: { graceDays: days } });
    return ctx.reply(ctx.t("telegram.settings.grace", { days }));
  });

  cmd.command("trial", only, async (ctx) => {
    const args = argsOf(ctx);
    if (args.length === 1) {
      const days = wholeNumber(args[0]);
      if (days === null) return replyUsage(ctx, "trial");
      await services.app.updateSettings({ set: { defaultTrialDays: days } });
      return ctx.reply(ctx.t("telegram.settings.trial_default", { days }));
    }
    const days = wholeNumber(args[1]);
    if (args.length !== 2 || !args[0] || days === null) return replyUsage(ctx, "trial");
    const tier = await services.app.editTier(args[0], { trialDays: days });
    return ctx.reply(ctx.t("telegram.settings.trial_tier", { slug: tier.slug, days }));
  });

  cmd.command("promocodes", only, async (ctx) => {
    const [value] = argsOf(ctx);
    if (value !== "on" && value !== "off") return replyUsage(ctx, "promocodes");
    await services.app.updateSettings({ set: { allowPromotionCodes: value === "on" } });
    return ctx.reply(ctx.t(value === "on" ? "telegram.settings.promo_on" : "telegram.settings.promo_off"));
  });

  // /pauses shows the pause settings; on|off, kept|lost and a number of months (any order) change them.
  cmd.command("pauses", only, async (ctx) => {
    const set: { pauseAllowed?: boolean; pauseKeepsAccess?: boolean; pauseMaxMonths?: number } = {};
    for (const word of argsOf(ctx).map((a) => a.toLowerCase())) {
      if (word === "on" || word === "off") set.pauseAllowed = word === "on";
      else if (word === "kept" || word === "lost") set.pauseKeepsAccess = word === "kept";
      else {
        const months = wholeNumber(word);
        if (months === null) return replyUsage(ctx, "pauses");
        set.pauseMaxMonths = months;
      }
    }
    const changed = await services.app.updateSettings({ set });
    const s = await services.app.getSettings();
    return ctx.reply(
      ctx.t("telegram.settings.pauses", {
        saved: changed,
        value: ctx.t("settings.pause.value", {
          on: s.pauseAllowed,
          kept: s.pauseKeepsAccess,
          months: s.pauseMaxMonths,
        }),
      }),
    );
  });

  cmd.command("goal", only, async (ctx) => {
    const goal = wholeNumber(argsOf(ctx)[0]);
    if (goal === null) return replyUsage(ctx, "goal");
    await services.app.updateSettings({ set: { trueFansGoal: goal } });
    return ctx.reply(ctx.t("telegram.settings.goal", { goal }));
  });

  cmd.command("profile", only, async (ctx) => {
    const text = ctx.match.trim();
    let profile = await services.app.getCreatorProfile();
    if (text) {
      // The pitch keeps its line breaks: everything after the field name, as typed.
      const field = /^\S+/.exec(text)?.[0] ?? "";
      const value = text.slice(field.length).trim();
      const fields: Record<string, keyof ProfileChanges> = {
        name: "name",
        pitch: "pitch",
        picture: "pictureUrl",
        invite: "discordInvite",
      };
      const key = fields[field.toLowerCase()];
      if (key && value.length > 0) profile = await services.app.updateCreatorProfile({ [key]: value });
      else if (field.toLowerCase() === "goal" && (value === "on" || value === "off"))
        profile = await services.app.updateCreatorProfile({ showGoal: value === "on" });
      else return replyUsage(ctx, "profile");
    }
    return ctx.reply(
      ctx.t("telegram.profile", {
        url: `${services.publicBaseUrl}/`,
        name: profile.name,
        pitch: profile.pitch,
        picture: profile.pictureUrl,
        invite: profile.discordInvite,
        goalShown: profile.showGoal,
      }),
      { link_preview_options: { is_disabled: true } },
    );
  });

  return composer;
}
