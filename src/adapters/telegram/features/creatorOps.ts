import { Composer } from "grammy";
import { BIND_CODE_TTL_MS } from "../../../app/chatBinding.ts";
import type { CycleSettings, CycleView } from "../../../app/cycle.ts";
import { FEED_KINDS, isFeedKind } from "../../../app/feedKinds.ts";
import { CYCLE_MODES } from "../../../app/settings.ts";
import { driftText, jobProblemText, type Locale, t } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { formatDate } from "../pollView.ts";
import { argsOf, creatorOnly, isOwner, replyUsage } from "./creatorGuard.ts";

/**
 * Creator commands about running the place: reconciliation (dry run by default), failed access
 * changes, binding codes, managers. `onManagersChanged` re-registers the command menus.
 */
export function creatorOpsFeature(
  deps: TelegramDeps,
  opts: { onManagersChanged: () => void },
): Composer<TgContext> {
  const { services } = deps;
  const composer = new Composer<TgContext>();
  const cmd = composer.chatType("private");
  const only = creatorOnly(deps);

  cmd.command("reconcile", only, async (ctx) => {
    const [mode] = argsOf(ctx);
    if (mode !== undefined && mode !== "apply") return replyUsage(ctx, "reconcile");
    // Every platform's reader (services.platforms): Telegram chats and Discord roles alike.
    const report = await services.app.reconcileAll({ dryRun: mode !== "apply" });
    return ctx.reply(
      ctx.t("telegram.reconcile.report", {
        dry: report.dryRun,
        subs: report.subscriptionsChecked,
        members: report.membersChecked,
        drift: report.drift.length,
        lines: report.drift
          .slice(0, 15)
          .map((d) => `• ${driftText(ctx.t, d.fact)}`)
          .join("\n"),
        unreadable: report.unreadableTargets.join(", "),
      }),
    );
  });

  cmd.command("deadjobs", only, async (ctx) => {
    const jobs = await services.app.listDeadJobs({ limit: 20 });
    if (jobs.length === 0) return ctx.reply(ctx.t("telegram.deadjobs.none"));
    const lines = jobs.map((j) =>
      ctx.t("telegram.deadjobs.line", {
        id: String(j.id),
        action: ctx.t(`access.${j.action}`),
        target: j.targetKey,
        user: `${j.platform}:${j.platformUserId}`,
        error: jobProblemText(ctx.t, j).slice(0, 300),
      }),
    );
    return ctx.reply(
      [ctx.t("telegram.deadjobs.header", { count: jobs.length }), ...lines].join("\n").slice(0, 4000),
    );
  });

  cmd.command("retryjob", only, async (ctx) => {
    const [which] = argsOf(ctx);
    if (!which || (which !== "all" && !/^\d{1,18}$/.test(which))) return replyUsage(ctx, "retryjob");
    const count = await services.app.retryDeadJobs({
      ...(which === "all" ? {} : { id: BigInt(which) }),
      now: services.clock.now(),
      onWork: services.onWork,
    });
    return ctx.reply(ctx.t("telegram.deadjobs.retried", { count }));
  });

  cmd.command("bindcode", only, async (ctx) => {
    const [tier] = argsOf(ctx);
    if (!tier) return replyUsage(ctx, "bindcode");
    const made = await services.app.createBindCode({ tier, createdBy: `telegram:${ctx.from.id}` });
    return ctx.reply(
      ctx.t("telegram.bindcode.done", {
        code: made.code,
        tier: made.tierSlug,
        minutes: BIND_CODE_TTL_MS / 60_000,
      }),
    );
  });

  cmd.command("managers", only, async (ctx) => {
    const [action, id] = argsOf(ctx);
    const current = (await services.app.getSettings()).telegramManagerIds;
    if (action !== undefined) {
      if ((action !== "add" && action !== "remove") || !id || !/^\d{1,20}$/.test(id))
        return replyUsage(ctx, "managers");
      // Managers may use the commands, not hand them out.
      if (!(await isOwner(deps, ctx.from.id)))
        return ctx.reply(ctx.t("telegram.settings.managers_creators_only"));
      const next = action === "add" ? [...new Set([...current, id])] : current.filter((m) => m !== id);
      await services.app.updateSettings({ set: { telegramManagerIds: next } });
      opts.onManagersChanged();
      return ctx.reply(
        next.length
          ? ctx.t("telegram.settings.managers", { list: next.join(", ") })
          : ctx.t("telegram.settings.managers_none"),
      );
    }
    return ctx.reply(
      current.length
        ? ctx.t("telegram.settings.managers", { list: current.join(", ") })
        : ctx.t("telegram.settings.managers_none"),
    );
  });

  /** /feed: the lines of the creator's feed, each kind switched on or off (for Discord as well). */
  cmd.command("feed", only, async (ctx) => {
    const [action, kind] = argsOf(ctx);
    if (action !== undefined) {
      if ((action !== "on" && action !== "off") || !kind || !isFeedKind(kind)) return replyUsage(ctx, "feed");
      await services.app.updateSettings(
        action === "off" ? { add: { feedOff: [kind] } } : { remove: { feedOff: [kind] } },
      );
    }
    const off = new Set<string>((await services.app.getSettings()).feedOff);
    return ctx.reply(
      ctx.t("telegram.feed.status", {
        lines: FEED_KINDS.map(
          (k) =>
            `${off.has(k) ? "✗" : "✓"} ${k}: ${ctx.t(`feed.kind.${k}`)} (${ctx.t(off.has(k) ? "telegram.feed.off" : "telegram.feed.on")})`,
        ).join("\n"),
      }),
    );
  });

  /** /roadmapmsg on|off: the roadmap message pinned and kept up to date in the bound chats. */
  cmd.command("roadmapmsg", only, async (ctx) => {
    const [action] = argsOf(ctx);
    if (action !== undefined) {
      if (action !== "on" && action !== "off") return replyUsage(ctx, "roadmapmsg");
      await services.app.updateSettings({ set: { roadmapTelegram: action === "on" } });
      // Posted (or pinned at last) at once; off leaves the last message where it is.
      if (action === "on") await services.app.refreshRoadmapSoon();
    }
    const { roadmapTelegram } = await services.app.getSettings();
    return ctx.reply(ctx.t("telegram.roadmapmsg.status", { on: roadmapTelegram }));
  });

  /** /cycle on day=25 days=5 top=3 min=2 | /cycle off: the monthly poll of the top shortlisted ideas. */
  cmd.command("cycle", only, async (ctx) => {
    const [action, ...options] = argsOf(ctx);
    if (action === undefined) return ctx.reply(cycleText(ctx.locale, await services.app.cycleStatus()));
    if (action === "off" && options.length === 0)
      return ctx.reply(cycleText(ctx.locale, await services.app.setCycle({ on: false })));
    const change = action === "on" ? parseCycleOptions(options) : null;
    if (!change) return replyUsage(ctx, "cycle");
    const view = await services.app.setCycle({ ...change, on: true, locale: ctx.locale });
    return ctx.reply(cycleText(ctx.locale, view));
  });

  return composer;
}

/** The cycle as the creator reads it on Telegram: on (with its next poll, in words) or off. */
function cycleText(locale: Locale, view: CycleView): string {
  const { cycle, next } = view;
  if (!cycle.on || !next) return t(locale, "cycle.status_off");
  return t(locale, "cycle.status_on", { ...cycle, next: formatDate(locale, next) });
}

const CYCLE_NUMBERS = { day: "day", hour: "hour", days: "days", top: "top", min: "min" } as const;

/** "day=25 top=3 mode=ranked" → the changes (the app checks the ranges); null: a word it cannot read. */
export function parseCycleOptions(words: readonly string[]): Partial<CycleSettings> | null {
  const change: Partial<CycleSettings> = {};
  for (const word of words) {
    const m = /^([a-z]+)=(\S+)$/i.exec(word);
    if (!m) return null;
    const key = m[1]!.toLowerCase();
    const value = m[2]!;
    if (key === "mode") {
      const mode = CYCLE_MODES.find((x) => x === value);
      if (!mode) return null;
      change.mode = mode;
    } else if (key in CYCLE_NUMBERS) {
      if (!/^\d{1,7}$/.test(value)) return null;
      change[CYCLE_NUMBERS[key as keyof typeof CYCLE_NUMBERS]] = Number(value);
    } else return null;
  }
  return change;
}
