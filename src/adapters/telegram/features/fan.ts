import { Composer } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { LINK_CODE_TTL_MS } from "../../../app/members/linking.ts";
import type { FanIdentity } from "../../../app/members/types.ts";
import { DomainError } from "../../../errors.ts";
import { formatMoney, type Locale, statusText, t } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { formatDate } from "../pollView.ts";

/**
 * The fan's side, in a private chat: /start (or t.me/<bot>?start=<tier>) lists the tiers as buttons,
 * a button opens a Stripe Checkout bound to this Telegram account, /membership shows the state and
 * the billing portal, /link links a Discord account, /claim sends the member links again.
 */
export function fanFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services, signer, log } = deps;
  const composer = new Composer<TgContext>();
  const fans = composer.chatType("private");

  fans.command("start", async (ctx) => {
    // Remembers the fan's language for the private messages that come later (invites, reminders).
    // A member the creator suspended is told so at once, rather than offered tiers they cannot buy.
    await services.app.greetFan(who(ctx.from));
    const tiers = await services.app.listTiersForSale();
    const wanted = ctx.match.trim().toLowerCase();
    const one = wanted ? tiers.find((t) => t.slug === wanted) : undefined;
    const shown = one ? [one] : tiers;
    if (shown.length === 0) return ctx.reply(ctx.t("telegram.start.none"));
    const header = one
      ? ctx.t("telegram.start.one_tier", { name: one.name, description: one.description })
      : wanted
        ? ctx.t("telegram.start.unknown_tier", { slug: wanted })
        : ctx.t("telegram.start.welcome");
    const keyboard: InlineKeyboardButton[][] = shown.map((t) => [
      { text: tierLabel(ctx.locale, t), callback_data: signer.sign(ctx.from.id, `buy:${t.id}`) },
    ]);
    return ctx.reply(header, { reply_markup: { inline_keyboard: keyboard } });
  });

  composer.on("callback_query:data", async (ctx) => {
    const payload = signer.verify(ctx.from.id, ctx.callbackQuery.data);
    const [kind, arg] = payload?.split(":") ?? [];
    if (kind !== "buy" || !arg) {
      log.warn(
        { event: "telegram.callback_rejected", userId: ctx.from.id },
        "callback data that this bot did not sign for this user",
      );
      return ctx.answerCallbackQuery({ text: ctx.t("telegram.callback.invalid"), show_alert: true });
    }
    // Answer at once: Stripe may take a second, and Telegram shows a spinner until then.
    await ctx.answerCallbackQuery({ text: ctx.t("telegram.callback.working") });
    const outcome = await services.app.startCheckout({ who: who(ctx.from), tier: arg });
    const tier = { name: await services.app.tierName(arg) };
    if (outcome.kind === "checkout") {
      return ctx.reply(
        ctx.t("telegram.checkout.ready", { tier: tier?.name ?? "", trialDays: outcome.trialDays }),
        {
          reply_markup: {
            inline_keyboard: [[{ text: ctx.t("telegram.checkout.button"), url: outcome.url }]],
          },
        },
      );
    }
    return ctx.reply(
      ctx.t("telegram.checkout.already_member", { tier: outcome.tierName }),
      outcome.portalUrl
        ? {
            reply_markup: {
              inline_keyboard: [[{ text: ctx.t("telegram.portal.button"), url: outcome.portalUrl }]],
            },
          }
        : {},
    );
  });

  fans.command("membership", async (ctx) => {
    const member = await services.app
      .lookupMember({
        platform: "telegram",
        userId: String(ctx.from.id),
      })
      .catch((err: unknown) => {
        throw err instanceof DomainError && err.code === "member_not_found"
          ? new DomainError("not_a_member")
          : err;
      });
    if (member.subscriptions.length === 0) return ctx.reply(ctx.t("telegram.membership.none"));
    const lines = member.subscriptions.map((s) =>
      ctx.t("telegram.membership.line", {
        tier: s.tier?.name ?? s.stripePriceId,
        state: statusText(ctx.locale, s.status),
        until: s.currentPeriodEnd ? formatDate(ctx.locale, s.currentPeriodEnd) : "",
      }),
    );
    const text = [
      ctx.t("telegram.membership.header"),
      ...lines,
      ...(member.suspendedAt ? [ctx.t("telegram.membership.suspended")] : []),
    ].join("\n");
    const portalUrl = member.stripeCustomerId
      ? await services.app.openPortal({ platform: "telegram", userId: String(ctx.from.id) })
      : null;
    return ctx.reply(
      text,
      portalUrl
        ? { reply_markup: { inline_keyboard: [[{ text: ctx.t("telegram.portal.button"), url: portalUrl }]] } }
        : {},
    );
  });

  fans.command("link", async (ctx) => {
    const code = ctx.match.trim();
    if (!code) {
      const created = await services.app.createLinkCode(who(ctx.from));
      return ctx.reply(
        ctx.t("telegram.link.code", { code: created.code, minutes: LINK_CODE_TTL_MS / 60_000 }),
      );
    }
    const r = await services.app.redeemLinkCode(who(ctx.from), code);
    return ctx.reply(ctx.t("telegram.link.done", { grants: r.grants }));
  });

  fans.command("claim", async (ctx) => {
    const { owed } = await services.app.claimAccess({ platform: "telegram", userId: String(ctx.from.id) });
    return ctx.reply(
      owed > 0 ? ctx.t("telegram.claim.done", { count: owed }) : ctx.t("telegram.claim.nothing"),
    );
  });

  return composer;
}

export function who(from: { id: number; username?: string; language_code?: string }): FanIdentity {
  return {
    platform: "telegram",
    userId: String(from.id),
    username: from.username ?? null,
    locale: from.language_code ?? null,
  };
}

type PriceRow = { kind: string; current: boolean; amount: number; currency: string; interval: string | null };

function recurringPrice(prices: readonly PriceRow[]): PriceRow | undefined {
  return prices.find((p) => p.current && p.kind === "recurring");
}

export function priceLabel(locale: Locale, p: PriceRow): string {
  return p.interval === "month" || p.interval === "year"
    ? t(locale, "price", { amount: p.amount, currency: p.currency, interval: p.interval })
    : formatMoney(locale, p.amount, p.currency);
}

function tierLabel(locale: Locale, tier: { name: string; prices: readonly PriceRow[] }): string {
  const price = recurringPrice(tier.prices);
  return price ? `${tier.name} · ${priceLabel(locale, price)}` : tier.name;
}
