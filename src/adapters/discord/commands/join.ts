import { ActionRowBuilder, ButtonBuilder, ButtonStyle, StringSelectMenuBuilder } from "discord.js";
import { joinCommand } from "../../../../commands/discord.ts";
import { DomainError } from "../../../errors.ts";
import { type ComponentRoute, type HandlerContext, slash } from "../context.ts";
import { priceLabel } from "../format.ts";

/** `custom_id` of the tier picker; its value is the tier's slug. */
const PICK = "join";

/**
 * /join: a private Stripe Checkout link for the fan and the tier. Without a tier it offers a picker
 * (or goes straight to the only tier). A fan who already pays gets their portal link instead, where
 * they change tier or card: a second subscription is never sold to them.
 */
export const joinRoute = slash(joinCommand, [], { creator: false }, async (ctx) => {
  const tier = ctx.args.string("tier");
  if (tier) return checkout(ctx, tier);
  const forSale = await ctx.services.app.listTiersForSale();
  const [only] = forSale;
  if (!only) throw new DomainError("discord_no_tiers");
  if (forSale.length === 1) return checkout(ctx, only.slug);
  const menu = new StringSelectMenuBuilder()
    .setCustomId(PICK)
    .setPlaceholder(ctx.t("discord.join.placeholder"))
    .addOptions(
      forSale.slice(0, 25).map((t) => {
        const price = t.prices.find((p) => p.kind === "recurring");
        return {
          label: t.name.slice(0, 100),
          value: t.slug,
          ...(price ? { description: priceLabel(ctx.locale, price).slice(0, 100) } : {}),
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
    if (slug) await checkout(ctx, slug);
  },
};

async function checkout(ctx: HandlerContext, tierSlug: string): Promise<void> {
  const tier = await ctx.services.app.findTier(tierSlug);
  const outcome = await ctx.services.app.startCheckout({ who: ctx.who, tier: tier.slug });
  if (outcome.kind === "already_member") {
    await ctx.reply({
      content: ctx.t(outcome.portalUrl ? "discord.join.already" : "discord.join.already_no_portal", {
        tier: outcome.tierName,
      }),
      components: outcome.portalUrl ? [linkButton(outcome.portalUrl, ctx.t("discord.portal.button"))] : [],
    });
    return;
  }
  const price = tier.prices.find((p) => p.current && p.kind === "recurring");
  const priceText = price ? priceLabel(ctx.locale, price) : "";
  await ctx.reply({
    content:
      outcome.trialDays > 0
        ? ctx.t("discord.join.checkout_trial", {
            tier: tier.name,
            price: priceText,
            trialDays: outcome.trialDays,
          })
        : ctx.t("discord.join.checkout", { tier: tier.name, price: priceText }),
    components: [linkButton(outcome.url, ctx.t("discord.join.pay"))],
  });
}

export function linkButton(url: string, label: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setStyle(ButtonStyle.Link).setURL(url).setLabel(label),
  );
}
