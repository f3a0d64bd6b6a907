import { ActionRowBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import type { ReconcileReport } from "../../../app/reconcile.ts";
import { parseTargetKey } from "../../../core/access.ts";
import { driftText } from "../../../i18n/index.ts";
import { type ComponentRoute, type HandlerContext, slash } from "../context.ts";

const APPLY = "reconcile";
const SHOWN = 15;

/** Discord accounts and roles as mentions (they render as names, and ping nobody). */
const DISCORD_NAMES = {
  account: (platform: string, userId: string) =>
    platform === "discord" ? `<@${userId}>` : `${platform}:${userId}`,
  target: (key: string) => {
    const target = parseTargetKey(key);
    return target?.platform === "discord" ? `<@&${target.roleId}>` : key;
  },
};

/**
 * /tribe reconcile: a dry run by default, listing what would be repaired, with a button to repair;
 * `apply:true` repairs at once. Repairs go through the same durable access jobs as payments.
 */
export const reconcileRoute = slash(tribeCommand, ["reconcile"], { creator: true }, async (ctx) => {
  await runReconcile(ctx, ctx.args.boolean("apply") ?? false);
});

export const reconcileApplyRoute: ComponentRoute = {
  prefix: APPLY,
  creator: true,
  run: (_i, ctx) => runReconcile(ctx, true),
};

async function runReconcile(ctx: HandlerContext, apply: boolean): Promise<void> {
  await ctx.defer();
  // Every platform's reader (services.platforms): Discord roles and Telegram chats alike.
  const report = await ctx.services.app.reconcileAll({ dryRun: !apply });
  ctx.log.info(
    {
      event: "discord.reconcile.done",
      dryRun: !apply,
      drift: report.drift.length,
      ms: report.ms,
      actor: ctx.actor,
    },
    "reconciliation run from Discord",
  );
  await ctx.reply(render(ctx, report));
}

function render(ctx: HandlerContext, r: ReconcileReport) {
  const lines = [
    ctx.t("discord.reconcile.summary", {
      subs: r.subscriptionsChecked,
      members: r.membersChecked,
      drift: r.drift.length,
    }),
    ...(r.drift.length === 0 ? [ctx.t("discord.reconcile.clean")] : []),
    ...r.drift.slice(0, SHOWN).map((d) => `• ${driftText(ctx.t, d.fact, DISCORD_NAMES)}`),
    ...(r.drift.length > SHOWN ? [ctx.t("discord.reconcile.more", { n: r.drift.length - SHOWN })] : []),
    ...(r.unreadableTargets.length
      ? [ctx.t("discord.reconcile.unreadable", { targets: r.unreadableTargets.join(", ") })]
      : []),
    ...(r.unmanagedHolders.length
      ? [ctx.t("discord.reconcile.unmanaged", { n: r.unmanagedHolders.length })]
      : []),
  ];
  const embed = new EmbedBuilder()
    .setTitle(ctx.t(r.dryRun ? "discord.reconcile.preview_title" : "discord.reconcile.applied_title"))
    .setDescription(lines.join("\n").slice(0, 4000))
    .setFooter({ text: ctx.t("discord.reconcile.note") });
  const button = new ButtonBuilder()
    .setCustomId(`${APPLY}:apply`)
    .setStyle(ButtonStyle.Danger)
    .setLabel(ctx.t("discord.reconcile.apply_button"));
  return {
    embeds: [embed],
    components:
      r.dryRun && r.drift.length > 0 ? [new ActionRowBuilder<ButtonBuilder>().addComponents(button)] : [],
  };
}
