import { Composer, InputFile } from "grammy";
import type { HoldReason } from "../../../core/membership.ts";
import { formatMoney, statusText } from "../../../i18n/index.ts";
import { STATS_CHART_FILE, statsChartPng, statsFigures } from "../../statsChart.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { formatDate } from "../pollView.ts";
import { argsOf, creatorOnly, replyUsage } from "./creatorGuard.ts";

/** Creator commands about people: stats, looking a member up, re-sync, revoke and restore by hand. */
export function creatorMemberFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services, log } = deps;
  const composer = new Composer<TgContext>();
  const cmd = composer.chatType("private");
  const only = creatorOnly(deps);
  const actor = (ctx: { from: { id: number } }) => `telegram:${ctx.from.id}`;

  cmd.command("stats", only, async (ctx) => {
    const s = await services.app.getCreatorStats(services.clock.now());
    const mrr = Object.entries(s.mrr).map(([currency, amount]) => formatMoney(ctx.locale, amount, currency));
    await ctx.reply(
      `${ctx.t("telegram.stats", {
        active: s.activeMembers,
        goal: s.goal,
        progress: Math.round(s.goalProgress * 1000) / 10,
        trialing: s.trialing,
        pastDue: s.pastDue,
        mrr: mrr.join(", ") || "0",
        new: s.newLast30Days,
        churned: s.churnedLast30Days,
        perTier: s.perTier.map((t) => `• ${s.tierNames[t.tierId] ?? t.tierId}: ${t.members}`).join("\n"),
      })}\n\n${statsFigures(ctx.locale, s)
        .map((f) =>
          f.list
            ? `${f.name}\n${f.value
                .split("\n")
                .map((l) => `• ${l}`)
                .join("\n")}`
            : ctx.t("stats.line", { name: f.name, value: f.value }),
        )
        .join("\n")}`,
    );
    // The trend as a photo after the figures: a chart that cannot be drawn or sent is logged, the
    // figures were answered anyway.
    try {
      await ctx.replyWithPhoto(new InputFile(statsChartPng(ctx.locale, s.weeks), STATS_CHART_FILE), {
        caption: ctx.t("stats.chart.title"),
      });
    } catch (err) {
      log.warn(
        { event: "telegram.stats.chart_failed", err },
        "could not send the stats chart: figures sent without it",
      );
    }
  });

  cmd.command("member", only, async (ctx) => {
    const [ref] = argsOf(ctx);
    if (!ref) return replyUsage(ctx, "member");
    const m = await services.app.lookupMember({ memberId: await services.app.resolveMemberRef(ref) });
    return ctx.reply(
      ctx.t("telegram.member.text", {
        id: m.id,
        suspended: m.suspendedAt !== null,
        identities:
          m.identities
            .map((i) => `${i.platform}:${i.platformUserId}${i.username ? ` (@${i.username})` : ""}`)
            .join(", ") || "–",
        customer: m.stripeCustomerId ?? "–",
        subscriptions:
          m.subscriptions
            .map((s) =>
              ctx.t("telegram.member.sub_line", {
                tier: s.tier?.name ?? s.stripePriceId,
                state: statusText(ctx.locale, s.status),
                until: s.currentPeriodEnd ? formatDate(ctx.locale, s.currentPeriodEnd) : "",
                holds: s.holds.map((h) => h.reason as HoldReason),
              }),
            )
            .join("\n") || "–",
        jobs:
          m.jobs
            .map((j) =>
              ctx.t("telegram.member.job_line", {
                action: ctx.t(`access.${j.action}`),
                target: j.targetKey,
                user: j.platformUserId,
                state: ctx.t(`access.state.${j.state}`),
              }),
            )
            .join("\n") || "–",
      }),
    );
  });

  cmd.command("resync", only, async (ctx) => {
    const [ref] = argsOf(ctx);
    if (!ref) return replyUsage(ctx, "resync");
    const r = await services.app.resyncMember(await services.app.resolveMemberRef(ref), actor(ctx));
    return ctx.reply(ctx.t("telegram.member.resynced", { grants: r.grants, revokes: r.revokes }));
  });

  cmd.command("revoke", only, async (ctx) => {
    const [ref, ...reason] = argsOf(ctx);
    if (!ref) return replyUsage(ctx, "revoke");
    const r = await services.app.suspendMember(
      await services.app.resolveMemberRef(ref),
      actor(ctx),
      reason.join(" "),
    );
    return ctx.reply(ctx.t("telegram.member.revoked", { revokes: r.revokes }));
  });

  cmd.command("restore", only, async (ctx) => {
    const [ref] = argsOf(ctx);
    if (!ref) return replyUsage(ctx, "restore");
    const r = await services.app.restoreMember(await services.app.resolveMemberRef(ref), actor(ctx));
    return ctx.reply(ctx.t("telegram.member.restored", { grants: r.grants }));
  });

  // The twin of Discord's /tribe member unlink: a fan who lost an account links a new one after this.
  cmd.command("unlink", only, async (ctx) => {
    const [ref, platform] = argsOf(ctx);
    if (!ref || (platform !== "discord" && platform !== "telegram")) return replyUsage(ctx, "unlink");
    const r = await services.app.unlinkIdentity({
      memberId: await services.app.resolveMemberRef(ref),
      platform,
      actor: actor(ctx),
    });
    return ctx.reply(
      ctx.t("telegram.member.unlinked", {
        platform,
        account: r.username ? `@${r.username} (${r.platformUserId})` : r.platformUserId,
        revokes: r.revokes,
      }),
    );
  });

  return composer;
}
