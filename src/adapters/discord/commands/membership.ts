import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from "discord.js";
import { membershipCommand } from "../../../../commands/discord.ts";
import type { PauseChoice } from "../../../app/members/pause.ts";
import { DomainError } from "../../../errors.ts";
import { statusText } from "../../../i18n/index.ts";
import { type ComponentRoute, type HandlerContext, slash } from "../context.ts";
import { discordDate } from "../format.ts";
import { linkButton, switchButton } from "./join.ts";

/** `custom_id` of a pause button: "pause:<subscription id>:<months>". */
const PAUSE = "pause";
/** `custom_id` of a resume button: "resume:<subscription id>". */
const RESUME = "resume";

/**
 * /membership: each subscription's state and next date, the Stripe portal link, a button per tier
 * the fan can switch to (Stripe prorates; the new access comes before the old one goes), and, when
 * the creator allows pauses, Pause buttons (1 month up to the creator's longest) or Resume.
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
    const paused = s.pausedSince
      ? s.pauseResumesAt
        ? ctx.t("pause.paused_until", { until: discordDate(s.pauseResumesAt) })
        : ctx.t("pause.paused")
      : "";
    return `**${s.tier?.name ?? s.stripePriceId}**: ${state}${paused ? ` (${paused})` : ""}${when ? `, ${when}` : ""}`;
  });
  if (member.suspendedAt) lines.unshift(ctx.t("discord.membership.suspended"));
  // How long without a break, and the creator's tenure step reached.
  const tenure = await ctx.services.app.membershipTenure({ platform: "discord", userId: ctx.who.userId });
  if (tenure)
    lines.push(
      ctx.t("membership.tenure", {
        months: tenure.months,
        since: discordDate(tenure.since),
        badge: tenure.badge,
      }),
    );
  let portal: string | null = null;
  if (member.stripeCustomerId)
    portal = await ctx.services.app.openPortal(ctx.who).catch((err: unknown) => {
      // Stripe failing still shows the state; a fan going too fast is told so (and when to retry).
      if (err instanceof DomainError && err.code === "rate_limited") throw err;
      return null;
    });
  // Discord allows five rows of buttons: the portal's, one per pausable subscription, then switches.
  const pauses = (await ctx.services.app.pauseChoices(ctx.who))
    .slice(0, 2)
    .map((choice) => new ActionRowBuilder<ButtonBuilder>().addComponents(pauseButtons(ctx, choice)));
  const switches = (await ctx.services.app.switchChoices(ctx.who))
    .slice(0, 4 - pauses.length)
    .map((choice) =>
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        choice.to.slice(0, 5).map((to) => switchButton(ctx, choice.subscriptionId, to)),
      ),
    );
  await ctx.reply({
    embeds: [new EmbedBuilder().setTitle(ctx.t("discord.membership.title")).setDescription(lines.join("\n"))],
    components: [
      ...(portal ? [linkButton(portal, ctx.t("discord.portal.button"))] : []),
      ...pauses,
      ...switches,
    ],
  });
});

function pauseButtons(ctx: Pick<HandlerContext, "t">, choice: PauseChoice): ButtonBuilder[] {
  if (choice.action === "resume")
    return [
      new ButtonBuilder()
        .setStyle(ButtonStyle.Success)
        .setCustomId(`${RESUME}:${choice.subscriptionId}`)
        .setLabel(ctx.t("pause.resume_button", { tier: choice.tierName }).slice(0, 80)),
    ];
  return choice.months.slice(0, 5).map((months) =>
    new ButtonBuilder()
      .setStyle(ButtonStyle.Secondary)
      .setCustomId(`${PAUSE}:${choice.subscriptionId}:${months}`)
      .setLabel(ctx.t("pause.button", { tier: choice.tierName, months }).slice(0, 80)),
  );
}

/**
 * A Pause button. Its ids come back from the client and can be forged: pauseMembership checks the
 * subscription is the clicker's own (and the length one the creator offers) before calling Stripe.
 */
export const pauseRoute: ComponentRoute = {
  prefix: PAUSE,
  creator: false,
  async run(_i, ctx, [subscriptionId, months]) {
    if (!subscriptionId || !months || !/^\d{1,2}$/.test(months))
      throw new DomainError("discord_unknown_command");
    const done = await ctx.services.app.pauseMembership(ctx.who, subscriptionId, Number(months));
    await ctx.reply({
      content: ctx.t("pause.done", {
        tier: done.tierName,
        until: discordDate(done.resumesAt),
        kept: done.keepsAccess,
      }),
      components: [],
    });
  },
};

/** A Resume button: the same check that the subscription is the clicker's own. */
export const resumeRoute: ComponentRoute = {
  prefix: RESUME,
  creator: false,
  async run(_i, ctx, [subscriptionId]) {
    if (!subscriptionId) throw new DomainError("discord_unknown_command");
    const done = await ctx.services.app.resumeMembership(ctx.who, subscriptionId);
    await ctx.reply({ content: ctx.t("pause.resumed", { tier: done.tierName }), components: [] });
  },
};
