import { AttachmentBuilder, EmbedBuilder } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { formatMoney } from "../../../i18n/index.ts";
import { STATS_CHART_FILE, statsChartPng, statsFigures } from "../../statsChart.ts";
import { slash } from "../context.ts";

const BAR = 20;

/**
 * /tribe stats: the creator's dashboard as an embed, with the trend chart (net new members per week)
 * as its image. A chart that cannot be drawn is logged and left out: the figures are answered anyway.
 */
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
      ...statsFigures(ctx.locale, s).map((f) => ({
        name: f.name.slice(0, 256),
        value: f.value.slice(0, 1024),
      })),
    );
  let chart: AttachmentBuilder | null = null;
  try {
    chart = new AttachmentBuilder(statsChartPng(ctx.locale, s.weeks), { name: STATS_CHART_FILE });
    embed.setImage(`attachment://${STATS_CHART_FILE}`);
  } catch (err) {
    ctx.log.warn(
      { event: "discord.stats.chart_failed", err },
      "could not draw the stats chart: figures sent without it",
    );
  }
  await ctx.reply({ embeds: [embed], ...(chart ? { files: [chart] } : {}) });
});
