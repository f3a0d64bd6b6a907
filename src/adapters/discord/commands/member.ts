import { EmbedBuilder, TimestampStyles, time, userMention } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import type { lookupMember } from "../../../app/members/creatorActions.ts";
import type { UseCases } from "../../../app/useCases.ts";
import { parseTargetKey } from "../../../core/access.ts";
import { historyLine, jobProblemText, statusText } from "../../../i18n/index.ts";
import { slash } from "../context.ts";

type Member = Awaited<ReturnType<typeof lookupMember>>;

const lookup = (app: Pick<UseCases, "lookupMember">, userId: string): Promise<Member> =>
  app.lookupMember({ platform: "discord", userId });

const clip = (lines: string[], empty: string): string => {
  let out = "";
  for (const line of lines) {
    if (out.length + line.length + 1 > 1000) return `${out}\n…`;
    out += (out ? "\n" : "") + line;
  }
  return out || empty;
};

/** /tribe member show: state, linked accounts, access jobs and recent history of one member. */
export const memberShowRoute = slash(tribeCommand, ["member", "show"], { creator: true }, async (ctx) => {
  const user = ctx.args.user("user");
  const m = await lookup(ctx.services.app, user.id);
  const none = ctx.t("discord.member.none");
  const subs = m.subscriptions.map(
    (s) =>
      `**${s.tier?.name ?? s.stripePriceId}** ${statusText(ctx.locale, s.status)}${s.currentPeriodEnd ? ` → ${time(s.currentPeriodEnd, TimestampStyles.ShortDate)}` : ""}${s.cancelAtPeriodEnd ? ` (${ctx.t("discord.member.cancels")})` : ""} · \`${s.id}\``,
  );
  const identities = m.identities.map((i) =>
    i.platform === "discord"
      ? `Discord ${userMention(i.platformUserId)}`
      : `Telegram ${i.username ? `@${i.username}` : ""} (${i.platformUserId})`,
  );
  const jobs = m.jobs.map((j) => {
    const target = parseTargetKey(j.targetKey);
    const where = target?.platform === "discord" ? `<@&${target.roleId}>` : j.targetKey;
    return `#${j.id} ${ctx.t(`access.${j.action}`)} ${where}: ${ctx.t(`access.state.${j.state}`)}${j.lastError ? ` (${jobProblemText(ctx.t, j).slice(0, 160)})` : ""}`;
  });
  const history = m.history
    .slice(0, 10)
    .map(
      (h) =>
        `${time(h.createdAt, TimestampStyles.ShortDateTime)} ${historyLine(ctx.locale, h).slice(0, 140)}`,
    );
  const embed = new EmbedBuilder()
    .setTitle(ctx.t("discord.member.title", { user: user.username }))
    .setDescription(
      [
        `\`${m.id}\`${m.stripeCustomerId ? ` · Stripe \`${m.stripeCustomerId}\`` : ""}`,
        ...(m.suspendedAt ? [ctx.t("discord.member.suspended", { reason: m.suspendedReason || "-" })] : []),
      ].join("\n"),
    )
    .addFields(
      { name: ctx.t("discord.member.subscriptions"), value: clip(subs, none) },
      { name: ctx.t("discord.member.identities"), value: clip(identities, none) },
      { name: ctx.t("discord.member.access"), value: clip(jobs, none) },
      { name: ctx.t("discord.member.history"), value: clip(history, none) },
    );
  await ctx.reply({ embeds: [embed] });
});

export const memberResyncRoute = slash(tribeCommand, ["member", "resync"], { creator: true }, async (ctx) => {
  const m = await lookup(ctx.services.app, ctx.args.user("user").id);
  const r = await ctx.services.app.resyncMember(m.id, ctx.actor);
  await ctx.reply({ content: ctx.t("discord.member.resynced", { grants: r.grants, revokes: r.revokes }) });
});

export const memberRevokeRoute = slash(tribeCommand, ["member", "revoke"], { creator: true }, async (ctx) => {
  const user = ctx.args.user("user");
  const m = await lookup(ctx.services.app, user.id);
  const r = await ctx.services.app.suspendMember(m.id, ctx.actor, ctx.args.string("reason") ?? "");
  await ctx.reply({
    content: ctx.t("discord.member.revoked", { user: userMention(user.id), revokes: r.revokes }),
  });
});

export const memberRestoreRoute = slash(
  tribeCommand,
  ["member", "restore"],
  { creator: true },
  async (ctx) => {
    const user = ctx.args.user("user");
    const m = await lookup(ctx.services.app, user.id);
    const r = await ctx.services.app.restoreMember(m.id, ctx.actor);
    await ctx.reply({
      content: ctx.t("discord.member.restored", { user: userMention(user.id), grants: r.grants }),
    });
  },
);

/**
 * /tribe member unlink: detaches the member's account on one platform (a fan who lost their Telegram
 * account links a new one after this); that account's access there is revoked by the access jobs.
 */
export const memberUnlinkRoute = slash(tribeCommand, ["member", "unlink"], { creator: true }, async (ctx) => {
  const user = ctx.args.user("user");
  const platform = ctx.args.string("platform") === "discord" ? "discord" : "telegram";
  const m = await lookup(ctx.services.app, user.id);
  const r = await ctx.services.app.unlinkIdentity({ memberId: m.id, platform, actor: ctx.actor });
  await ctx.reply({
    content: ctx.t("discord.member.unlinked", {
      user: userMention(user.id),
      platform,
      account: r.username ? `@${r.username} (${r.platformUserId})` : r.platformUserId,
      revokes: r.revokes,
    }),
  });
});
