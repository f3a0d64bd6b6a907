import { Composer } from "grammy";
import type { InlineKeyboardButton } from "grammy/types";
import { LINK_CODE_TTL_MS } from "../../../app/members/linking.ts";
import type { FanIdentity } from "../../../app/members/types.ts";
import { type OfferKind, tierOffers } from "../../../core/pricing.ts";
import { DomainError } from "../../../errors.ts";
import { formatMoney, type Locale, offerLabel, statusText, t } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { formatDate } from "../pollView.ts";

/**
 * The fan's side, in a private chat: /start (or t.me/<bot>?start=<tier>) lists the tiers as buttons,
 * a button opens a Stripe Checkout bound to this Telegram account, /membership shows the state, the
 * billing portal, tier switches and (when the creator allows it) pause or resume, /link links a Discord account, /claim sends the member links again.
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
    // Every price of each tier side by side (monthly, yearly with its saving, lifetime), a button each.
    const keyboard: InlineKeyboardButton[][] = shown.flatMap((t) =>
      tierOffers(t.prices).map((o) => [
        {
          text: ctx.t("telegram.start.offer", { tier: t.name, price: offerLabel(ctx.locale, o) }),
          callback_data: signer.sign(ctx.from.id, `buy:${t.id}:${OFFER_CODE[o.kind]}`),
        },
      ]),
    );
    return ctx.reply(header, { reply_markup: { inline_keyboard: keyboard } });
  });

  composer.on("callback_query:data", async (ctx) => {
    // Signed for this user by this bot: a forged or replayed button fails here (callbackData.ts).
    const payload = signer.verify(ctx.from.id, ctx.callbackQuery.data);
    const [kind, arg, extra] = payload?.split(":") ?? [];
    const offer = kind === "buy" ? offerOfCode(extra) : undefined;
    const valid =
      (kind === "buy" && arg && offer !== null) ||
      (kind === "sw" && arg) ||
      (kind === "link" && !arg) ||
      (kind === "pz" && arg && extra && /^\d{1,2}$/.test(extra)) ||
      (kind === "rs" && arg);
    if (!valid) {
      log.warn(
        { event: "telegram.callback_rejected", userId: ctx.from.id },
        "callback data that this bot did not sign for this user",
      );
      return ctx.answerCallbackQuery({ text: ctx.t("telegram.callback.invalid"), show_alert: true });
    }
    // Answer at once: Stripe may take a second, and Telegram shows a spinner until then.
    await ctx.answerCallbackQuery({ text: ctx.t("telegram.callback.working") });
    if (kind === "link") return replyLinkCode(ctx);
    if (kind === "pz") {
      // Signed for this user, and the subscription must still be theirs (pauseMembership checks).
      const done = await services.app.pauseMembership(
        { platform: "telegram", userId: String(ctx.from.id) },
        arg!,
        Number(extra),
      );
      return ctx.reply(
        ctx.t("pause.done", {
          tier: done.tierName,
          until: formatDate(ctx.locale, done.resumesAt),
          kept: done.keepsAccess,
        }),
      );
    }
    if (kind === "rs") {
      const done = await services.app.resumeMembership(
        { platform: "telegram", userId: String(ctx.from.id) },
        arg!,
      );
      return ctx.reply(ctx.t("pause.resumed", { tier: done.tierName }));
    }
    if (kind === "sw") {
      // The clicker's own subscription is the one switched (switchTier looks it up by their account).
      const done = await services.app.switchTier({ platform: "telegram", userId: String(ctx.from.id) }, arg!);
      return ctx.reply(ctx.t("telegram.switch.done", { tier: done.tierName }));
    }
    const outcome = await services.app.startCheckout({
      who: who(ctx.from),
      tier: arg!,
      ...(offer ? { offer } : {}),
    });
    const tierName = (await services.app.tierName(arg!)) ?? "";
    if (outcome.kind === "checkout") {
      const lines = [
        outcome.offer.kind === "lifetime"
          ? ctx.t("telegram.checkout.ready_lifetime", {
              tier: tierName,
              price: offerLabel(ctx.locale, outcome.offer),
            })
          : ctx.t("telegram.checkout.ready", { tier: tierName, trialDays: outcome.trialDays }),
        ...(outcome.linkHint ? [ctx.t("telegram.checkout.link_hint", { platform: outcome.linkHint })] : []),
      ];
      return ctx.reply(lines.join("\n"), {
        reply_markup: {
          inline_keyboard: [[{ text: ctx.t("telegram.checkout.button"), url: outcome.url }]],
        },
      });
    }
    // Already a member: never a second subscription.
    const tier = outcome.tierName;
    const lines = [
      outcome.sameTier
        ? ctx.t(outcome.forLife ? "telegram.checkout.has_tier_for_life" : "telegram.checkout.has_tier", {
            tier,
          })
        : outcome.switchTo
          ? ctx.t("telegram.checkout.switch_offer", { tier, to: outcome.switchTo.name })
          : ctx.t("telegram.checkout.already_member", { tier }),
      ...(outcome.linkPlatform
        ? [ctx.t("telegram.checkout.other_platform", { platform: outcome.linkPlatform })]
        : []),
    ];
    const rows: InlineKeyboardButton[][] = [
      ...(outcome.switchTo ? [[switchButton(ctx, outcome.switchTo)]] : []),
      ...(outcome.portalUrl ? [[{ text: ctx.t("telegram.portal.button"), url: outcome.portalUrl }]] : []),
      ...(outcome.linkPlatform ? [[linkCodeButton(ctx)]] : []),
    ];
    return ctx.reply(lines.join("\n"), rows.length ? { reply_markup: { inline_keyboard: rows } } : {});
  });

  const switchButton = (ctx: TgContext & { from: { id: number } }, to: { slug: string; name: string }) => ({
    text: ctx.t("telegram.switch.button", { tier: to.name }),
    callback_data: signer.sign(ctx.from.id, `sw:${to.slug}`),
  });
  const linkCodeButton = (ctx: TgContext & { from: { id: number } }) => ({
    text: ctx.t("telegram.link.button"),
    callback_data: signer.sign(ctx.from.id, "link"),
  });
  const replyLinkCode = async (
    ctx: TgContext & { from: { id: number; username?: string; language_code?: string } },
  ) => {
    const created = await services.app.createLinkCode(who(ctx.from));
    return ctx.reply(ctx.t("telegram.link.code", { code: created.code, minutes: LINK_CODE_TTL_MS / 60_000 }));
  };

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
    const lines = member.subscriptions.map((s) => {
      const line = ctx.t("telegram.membership.line", {
        tier: s.tier?.name ?? s.stripePriceId,
        state: statusText(ctx.locale, s.status),
        until: s.currentPeriodEnd ? formatDate(ctx.locale, s.currentPeriodEnd) : "",
      });
      if (!s.pausedSince) return line;
      return `${line} (${
        s.pauseResumesAt
          ? ctx.t("pause.paused_until", { until: formatDate(ctx.locale, s.pauseResumesAt) })
          : ctx.t("pause.paused")
      })`;
    });
    // How long without a break, and the creator's tenure step reached.
    const tenure = await services.app.membershipTenure({ platform: "telegram", userId: String(ctx.from.id) });
    const text = [
      ctx.t("telegram.membership.header"),
      ...lines,
      ...(tenure
        ? [
            ctx.t("membership.tenure", {
              months: tenure.months,
              since: formatDate(ctx.locale, tenure.since),
              badge: tenure.badge,
            }),
          ]
        : []),
      ...(member.suspendedAt ? [ctx.t("telegram.membership.suspended")] : []),
    ].join("\n");
    const portalUrl = member.stripeCustomerId
      ? await services.app.openPortal({ platform: "telegram", userId: String(ctx.from.id) })
      : null;
    // A button per tier the fan can switch to (Stripe prorates; the new access comes first).
    const switches = (await services.app.switchChoices({ platform: "telegram", userId: String(ctx.from.id) }))
      .flatMap((c) => c.to)
      .map((to) => [switchButton(ctx, to)]);
    // Pause (1 month up to the creator's longest) or Resume, when the creator allows pauses.
    const pauses = (
      await services.app.pauseChoices({ platform: "telegram", userId: String(ctx.from.id) })
    ).map((c): InlineKeyboardButton[] =>
      c.action === "resume"
        ? [
            {
              text: ctx.t("pause.resume_button", { tier: c.tierName }),
              callback_data: signer.sign(ctx.from.id, `rs:${c.subscriptionId}`),
            },
          ]
        : c.months.map((months) => ({
            text: ctx.t("pause.button", { tier: c.tierName, months }),
            callback_data: signer.sign(ctx.from.id, `pz:${c.subscriptionId}:${months}`),
          })),
    );
    const rows: InlineKeyboardButton[][] = [
      ...(portalUrl ? [[{ text: ctx.t("telegram.portal.button"), url: portalUrl }]] : []),
      ...pauses,
      ...switches,
    ];
    return ctx.reply(text, rows.length ? { reply_markup: { inline_keyboard: rows } } : {});
  });

  fans.command("link", async (ctx) => {
    const code = ctx.match.trim();
    if (!code) return replyLinkCode(ctx);
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

/** Price kinds as callback data carries them (Telegram allows 64 bytes, signature included). */
const OFFER_CODE: Record<OfferKind, string> = { month: "m", year: "y", lifetime: "l" };

/** The price kind a button names; undefined for an older button without one (the default price); null if unknown. */
function offerOfCode(code: string | undefined): OfferKind | undefined | null {
  if (code === undefined) return undefined;
  return (Object.keys(OFFER_CODE) as OfferKind[]).find((k) => OFFER_CODE[k] === code) ?? null;
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

export function priceLabel(locale: Locale, p: PriceRow): string {
  return p.interval === "month" || p.interval === "year"
    ? t(locale, "price", { amount: p.amount, currency: p.currency, interval: p.interval })
    : formatMoney(locale, p.amount, p.currency);
}
