import { ActionRowBuilder, type ButtonBuilder, EmbedBuilder } from "discord.js";
import { membershipCommand } from "../../../../commands/discord.ts";
import { DomainError } from "../../../errors.ts";
import { statusText } from "../../../i18n/index.ts";
import { slash } from "../context.ts";
import { discordDate } from "../format.ts";
import { linkButton, switchButton } from "./join.ts";

/**
 * /membership: each subscription's state and next date, the Stripe portal link, and a button per
 * tier the fan can switch to (Stripe prorates; the new access comes before the old one goes).
 */
export const membershipRoute = slash(membershipCommand, [], { creator: false }, async (ctx) => {
  const member = await ctx.services.app
    .lookupMember({ platform: "discord", userId: ctx.who.userId })
    .catch((err: unknown) => {
      throw err instanceof DomainError && err.code === "member_not_found"
        ? new DomainError("not_a_member")
        : err;
    });
  if (member.subscriptions.length === 0) throw new DomainError("not_a_member");
  const lines = member.subscriptions.slice(0, 10).map((s) => {
    const state = statusText(ctx.locale, s.status);
    const end = s.currentPeriodEnd;
    const when =
      s.endedAt || s.status === "canceled"
        ? ctx.t("discord.membership.ended", { date: discordDate(s.endedAt ?? end ?? new Date()) })
        : !end
          ? ""
          : s.status === "trialing"
            ? ctx.t("discord.membership.trial_ends", { date: discordDate(end) })
            : s.cancelAtPeriodEnd
              ? ctx.t("discord.membership.ends", { date: discordDate(end) })
              : ctx.t("discord.membership.renews", { date: discordDate(end) });
    return `**${s.tier?.name ?? s.stripePriceId}**: ${state}${when ? `, ${when}` : ""}`;
  });
  if (member.suspendedAt) lines.unshift(ctx.t("discord.membership.suspended"));
  let portal: string | null = null;
  if (member.stripeCustomerId)
    portal = await ctx.services.app.openPortal(ctx.who).catch((err: unknown) => {
      // Stripe failing still shows the state; a fan going too fast is told so (and when to retry).
      if (err instanceof DomainError && err.code === "rate_limited") throw err;
      return null;
    });
  const switches = (await ctx.services.app.switchChoices(ctx.who))
    .slice(0, 4)
    .map((choice) =>
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        choice.to.slice(0, 5).map((to) => switchButton(ctx, choice.subscriptionId, to)),
      ),
    );
  await ctx.reply({
    embeds: [new EmbedBuilder().setTitle(ctx.t("discord.membership.title")).setDescription(lines.join("\n"))],
    components: [...(portal ? [linkButton(portal, ctx.t("discord.portal.button"))] : []), ...switches],
  });
});
