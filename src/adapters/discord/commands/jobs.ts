import { userMention } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { parseTargetKey } from "../../../core/access.ts";
import { jobProblemText } from "../../../i18n/index.ts";
import { slash } from "../context.ts";

/** /tribe jobs list: role changes that failed for good, with the reason the executor gave. */
export const jobsListRoute = slash(tribeCommand, ["jobs", "list"], { creator: true }, async (ctx) => {
  const jobs = await ctx.services.app.listDeadJobs({ limit: 15 });
  if (jobs.length === 0) {
    await ctx.reply({ content: ctx.t("discord.jobs.none") });
    return;
  }
  const lines = jobs.map((j) => {
    const target = parseTargetKey(j.targetKey);
    const where = target?.platform === "discord" ? `<@&${target.roleId}>` : j.targetKey;
    const who = j.platform === "discord" ? userMention(j.platformUserId) : `telegram:${j.platformUserId}`;
    return `**#${j.id}** ${ctx.t(`access.${j.action}`)} ${where} → ${who}: ${jobProblemText(ctx.t, j).slice(0, 300)}`;
  });
  await ctx.reply({
    content: [`**${ctx.t("discord.jobs.title")}**`, ...lines, ctx.t("discord.jobs.retry_hint")].join("\n"),
  });
});

/** /tribe jobs retry [id]: queues dead jobs again, once the creator fixed the cause. */
export const jobsRetryRoute = slash(tribeCommand, ["jobs", "retry"], { creator: true }, async (ctx) => {
  const id = ctx.args.integer("id");
  const count = await ctx.services.app.retryDeadJobs({
    ...(id !== null ? { id: BigInt(id) } : {}),
    now: ctx.services.clock.now(),
    onWork: ctx.services.onWork,
  });
  await ctx.reply({ content: ctx.t("discord.jobs.retried", { count }) });
});
