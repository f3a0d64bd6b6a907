import { ActionRowBuilder, ButtonBuilder, ButtonStyle, StringSelectMenuBuilder } from "discord.js";
import { joinCommand } from "../../../../commands/discord.ts";
import type { CheckoutOutcome } from "../../../app/members/checkout.ts";
import { LINK_CODE_TTL_MS } from "../../../app/members/linking.ts";
import { isOfferKind, type OfferKind, tierOffers } from "../../../core/pricing.ts";
import { DomainError } from "../../../errors.ts";
import { type Locale, offerLabel, t } from "../../../i18n/index.ts";
import { type ComponentRoute, type HandlerContext, slash } from "../context.ts";

/** `custom_id` of the tier picker; its value is the tier's slug. */
const PICK = "join";
/** `custom_id` of a price button: "buy:<tier slug>:<month|year|lifetime>". */
const BUY = "buy";
/** `custom_id` of a tier switch button: "switch:<subscription id>:<tier slug>". */
const SWITCH = "switch";
/** `custom_id` of the button that makes a /link code (on the cross-platform nudge). */
export const LINK_CODE = "linkcode";

/**
 * /join: a private Stripe Checkout link for the fan, the tier and the price they pick. Without a tier
 * it offers a picker (or goes straight to the only tier); a tier with several prices (monthly, yearly,
 * lifetime) offers them side by side, the yearly one with its saving. A member is never sold a second
 * subscription: they are told what they have, offered a switch when they asked for another tier,
 * and /link when their tier also opens chats on Telegram.
 */
export const joinRoute = slash(joinCommand, [], { creator: false }, async (ctx) => {
  const tier = ctx.args.string("tier");
  if (tier) return offerTier(ctx, tier);
  const forSale = await ctx.services.app.listTiersForSale();
  const [only] = forSale;
  if (!only) throw new DomainError("discord_no_tiers");
  if (forSale.length === 1) return offerTier(ctx, only.slug);
  const menu = new StringSelectMenuBuilder()
    .setCustomId(PICK)
    .setPlaceholder(ctx.t("discord.join.placeholder"))
    .addOptions(
      forSale.slice(0, 25).map((t) => {
        const prices = tierOffers(t.prices)
          .map((o) => offerLabel(ctx.locale, o))
          .join(" · ");
        return {
          label: t.name.slice(0, 100),
          value: t.slug,
          ...(prices ? { description: prices.slice(0, 100) } : {}),
        };
      }),
    );
  await ctx.reply({
    content: ctx.t("discord.join.pick"),
    components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)],
  });
});

export const joinPickRoute: ComponentRoute = {
  prefix: PICK,
  creator: false,
  async run(i, ctx) {
    const slug = i.isStringSelectMenu() ? i.values[0] : undefined;
    if (slug) await offerTier(ctx, slug);
  },
};

/**
 * The button on the goodbye DM: the same price button as /join's, so a click starts Checkout for
 * the clicker (their own account, whoever they are: a copied id buys nothing for anyone else).
 */
export function comeBackButton(locale: Locale, back: { tierSlug: string; offer: OfferKind }): ButtonBuilder {
  return new ButtonBuilder()
    .setStyle(ButtonStyle.Primary)
    .setCustomId(`${BUY}:${back.tierSlug}:${back.offer}`.slice(0, 100))
    .setLabel(t(locale, "discord.revoke.come_back"));
}

/** A price button: Checkout for that tier at that price. */
export const joinBuyRoute: ComponentRoute = {
  prefix: BUY,
  creator: false,
  async run(_i, ctx, [slug, kind]) {
    if (!slug || !kind || !isOfferKind(kind)) throw new DomainError("discord_unknown_command");
    await checkout(ctx, slug, kind);
  },
};

/**
 * A switch button (on /membership, or offered to a member who picked another tier). Its ids come
 * back from the client and can be forged: switchTier checks the subscription is the clicker's own.
 */
export const switchRoute: ComponentRoute = {
  prefix: SWITCH,
  creator: false,
  async run(_i, ctx, [subscriptionId, slug]) {
    if (!subscriptionId || !slug) throw new DomainError("discord_unknown_command");
    const done = await ctx.services.app.switchTier(ctx.who, slug, { subscriptionId });
    await ctx.reply({ content: ctx.t("discord.switch.done", { tier: done.tierName }), components: [] });
  },
};

/** The one-tap /link: a code to send to the bot on Telegram, in a new private message. */
export const linkCodeRoute: ComponentRoute = {
  prefix: LINK_CODE,
  creator: false,
  answer: "private",
  async run(_i, ctx) {
    const made = await ctx.services.app.createLinkCode(ctx.who);
    await ctx.reply({
      content: ctx.t("discord.link.code", { code: made.code, minutes: LINK_CODE_TTL_MS / 60_000 }),
    });
  },
};

/** The tier's prices side by side, or Checkout at once when it has a single price. */
async function offerTier(ctx: HandlerContext, tierSlug: string): Promise<void> {
  const tier = await ctx.services.app.findTier(tierSlug);
  const offers = tierOffers(tier.prices);
  if (offers.length <= 1) return checkout(ctx, tier.slug, offers[0]?.kind);
  await ctx.reply({
    content: ctx.t("discord.join.offers", {
      tier: tier.name,
      offers: offers.map((o) => offerLabel(ctx.locale, o)).join(" · "),
    }),
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        offers.map((o) =>
          new ButtonBuilder()
            .setStyle(o.kind === "year" ? ButtonStyle.Success : ButtonStyle.Primary)
            .setCustomId(`${BUY}:${tier.slug}:${o.kind}`)
            .setLabel(offerLabel(ctx.locale, o).slice(0, 80)),
        ),
      ),
    ],
  });
}

async function checkout(ctx: HandlerContext, tierSlug: string, offer?: OfferKind): Promise<void> {
  const tier = await ctx.services.app.findTier(tierSlug);
  const outcome = await ctx.services.app.startCheckout({
    who: ctx.who,
    tier: tier.slug,
    ...(offer ? { offer } : {}),
  });
  if (outcome.kind === "already_member") return alreadyMember(ctx, outcome);
  const price = offerLabel(ctx.locale, outcome.offer);
  const lines = [
    outcome.offer.kind === "lifetime"
      ? ctx.t("discord.join.checkout_lifetime", { tier: tier.name, price })
      : outcome.trialDays > 0
        ? ctx.t("discord.join.checkout_trial", { tier: tier.name, price, trialDays: outcome.trialDays })
        : ctx.t("discord.join.checkout", { tier: tier.name, price }),
    ...(outcome.linkHint ? [ctx.t("discord.join.link_hint", { platform: outcome.linkHint })] : []),
  ];
  await ctx.reply({
    content: lines.join("\n"),
    components: [linkButton(outcome.url, ctx.t("discord.join.pay"))],
  });
}

/** What a member who asked to join is told instead of a second subscription. */
async function alreadyMember(
  ctx: HandlerContext,
  outcome: Extract<CheckoutOutcome, { kind: "already_member" }>,
): Promise<void> {
  const tier = outcome.tierName;
  const lines = [
    outcome.sameTier
      ? ctx.t(outcome.forLife ? "discord.join.has_tier_for_life" : "discord.join.has_tier", { tier })
      : outcome.switchTo
        ? ctx.t("discord.join.switch_offer", { tier, to: outcome.switchTo.name })
        : ctx.t(outcome.portalUrl ? "discord.join.already" : "discord.join.already_no_portal", { tier }),
    ...(outcome.linkPlatform
      ? [ctx.t("discord.join.other_platform", { platform: outcome.linkPlatform })]
      : []),
  ];
  const buttons: ButtonBuilder[] = [];
  if (outcome.switchTo) buttons.push(switchButton(ctx, outcome.switchTo.subscriptionId, outcome.switchTo));
  if (outcome.portalUrl)
    buttons.push(
      new ButtonBuilder()
        .setStyle(ButtonStyle.Link)
        .setURL(outcome.portalUrl)
        .setLabel(ctx.t("discord.portal.button")),
    );
  if (outcome.linkPlatform) buttons.push(linkCodeButton(ctx));
  await ctx.reply({
    content: lines.join("\n"),
    components: buttons.length ? [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)] : [],
  });
}

export function switchButton(
  ctx: Pick<HandlerContext, "t">,
  subscriptionId: string,
  to: { slug: string; name: string },
): ButtonBuilder {
  return new ButtonBuilder()
    .setStyle(ButtonStyle.Primary)
    .setCustomId(`${SWITCH}:${subscriptionId}:${to.slug}`)
    .setLabel(ctx.t("discord.switch.button", { tier: to.name }).slice(0, 80));
}

export function linkCodeButton(ctx: Pick<HandlerContext, "t">): ButtonBuilder {
  return new ButtonBuilder()
    .setStyle(ButtonStyle.Secondary)
    .setCustomId(LINK_CODE)
    .setLabel(ctx.t("discord.link.button"));
}

export function linkButton(url: string, label: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setStyle(ButtonStyle.Link).setURL(url).setLabel(label),
  );
}
