import { EmbedBuilder } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { formatMoney } from "../../../i18n/index.ts";
import { slash } from "../context.ts";

const BAR = 20;

/** /tribe stats: the creator's dashboard as an embed. */
export const statsRoute = slash(tribeCommand, ["stats"], { creator: true }, async (ctx) => {
  const s = await ctx.services.app.getCreatorStats(ctx.services.clock.now());
  const filled = Math.min(BAR, Math.round(s.goalProgress * BAR));
  const mrr = Object.entries(s.mrr)
    .map(([currency, amount]) => formatMoney(ctx.locale, amount, currency))
    .join(" + ");
  const perTier = s.perTier.map((p) => `${s.tierNames[p.tierId] ?? p.tierId}: ${p.members}`).join("\n");
  const embed = new EmbedBuilder()
    .setTitle(ctx.t("discord.stats.title"))
    .setDescription(
      `${ctx.t("discord.stats.goal", {
        active: s.activeMembers,
        goal: s.goal,
        percent: Math.round(s.goalProgress * 1000) / 10,
      })}\n\`${"█".repeat(filled)}${"░".repeat(BAR - filled)}\``,
    )
    .addFields(
      { name: ctx.t("discord.stats.active"), value: String(s.activeMembers), inline: true },
      { name: ctx.t("discord.stats.trialing"), value: String(s.trialing), inline: true },
      { name: ctx.t("discord.stats.past_due"), value: String(s.pastDue), inline: true },
      { name: ctx.t("discord.stats.mrr"), value: mrr || "0", inline: true },
      { name: ctx.t("discord.stats.new"), value: String(s.newLast30Days), inline: true },
      { name: ctx.t("discord.stats.churned"), value: String(s.churnedLast30Days), inline: true },
      ...(perTier ? [{ name: ctx.t("discord.stats.per_tier"), value: perTier.slice(0, 1024) }] : []),
    );
  await ctx.reply({ embeds: [embed] });
});
