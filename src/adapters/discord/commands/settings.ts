import {
  type ChatInputCommandInteraction,
  channelMention,
  EmbedBuilder,
  PermissionFlagsBits,
  roleMention,
} from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { FEED_KINDS, type FeedKind, isFeedKind } from "../../../app/feedKinds.ts";
import { DomainError } from "../../../errors.ts";
import { slash } from "../context.ts";
import { guildOf, requireGrantableBy, requireManageableRole } from "../guild.ts";

const kindOf = (value: string | null): FeedKind | null => (value && isFeedKind(value) ? value : null);

/** Refuses a channel of this server where the bot may not read or send messages (`code` says which setting). */
async function requirePostable(
  interaction: ChatInputCommandInteraction,
  channelId: string,
  code: "feed_channel_not_postable" | "roadmap_channel_not_postable",
): Promise<void> {
  const guild = interaction.guild;
  const channel = guild ? await guild.channels.fetch(channelId).catch(() => null) : null;
  const me = guild ? (guild.members.me ?? (await guild.members.fetchMe().catch(() => null))) : null;
  const allowed =
    channel !== null &&
    me !== null &&
    channel.isSendable() &&
    channel.permissionsFor(me).has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages]);
  if (!allowed) throw new DomainError(code, { channel: channelMention(channelId) });
}

/** One id, or none, as a list. */
const ids = (id: string | null | undefined): string[] => (id ? [id] : []);

/** /tribe settings: changes the options given (each validated by the app), then shows them all. */
export const settingsRoute = slash(tribeCommand, ["settings"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const grace = args.integer("grace-days");
  const trial = args.integer("trial-days");
  const promo = args.boolean("promotion-codes");
  const goal = args.integer("fans-goal");
  const pauseAllowed = args.boolean("pause-allowed");
  const pauseAccess = args.string("pause-access");
  const pauseMaxMonths = args.integer("pause-max-months");
  const addRole = args.role("add-manager-role");
  const removeRole = args.role("remove-manager-role");
  const addChannel = args.channelId("add-poll-channel");
  const removeChannel = args.channelId("remove-poll-channel");
  const feedChannel = args.channelId("feed-channel");
  const feedChannelOff = args.boolean("feed-channel-off");
  const roadmapChannel = args.channelId("roadmap-channel");
  const roadmapChannelOff = args.boolean("roadmap-channel-off");
  const feedOn = kindOf(args.string("feed-on"));
  const feedOff = kindOf(args.string("feed-off"));
  const trialRole = args.role("trial-role");
  const alumniRole = args.role("alumni-role");
  const tenureRole = args.role("tenure-role");
  const tenureMonths = args.integer("tenure-months");
  const removeTenure = args.integer("remove-tenure-months");
  const roleOff = args.string("role-off");
  if (Boolean(tenureRole) !== (typeof tenureMonths === "number"))
    throw new DomainError("tenure_months_without_role");
  // The roles beyond the tiers': the bot must be able to give and take each (Manage Roles, its
  // role above it), and the caller to hand it out, as for a tier's role.
  const guild = trialRole || alumniRole || tenureRole ? await guildOf(ctx.interaction) : null;
  const extraRole = async (role: typeof trialRole) => {
    if (!role || !guild) return undefined;
    await requireGrantableBy(ctx.interaction, guild, await requireManageableRole(guild, role));
    return { platform: "discord" as const, guildId: guild.id, roleId: role.id };
  };
  const trialTarget = await extraRole(trialRole);
  const alumniTarget = await extraRole(alumniRole);
  const tenureTarget = await extraRole(tenureRole);
  // The bot must be able to post there: refused now, with what to fix, rather than a silent feed.
  if (feedChannel) await requirePostable(ctx.interaction, feedChannel, "feed_channel_not_postable");
  // The roadmap message is sent, then edited: the same rights (a bot may always edit its own messages).
  if (roadmapChannel) await requirePostable(ctx.interaction, roadmapChannel, "roadmap_channel_not_postable");
  // A manager role may not make more managers (nor remove the others): Manage Server holders only.
  if ((addRole || removeRole) && !ctx.interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new DomainError("discord_manage_server_only");
  }
  // A change of these roles re-plans every member: answered once it is done.
  if (trialTarget || alumniTarget || tenureTarget || roleOff || typeof removeTenure === "number")
    await ctx.defer();
  const rolesChanged = await ctx.services.app.changeExtraRoles({
    ...(trialTarget ? { trial: trialTarget } : roleOff === "trial" ? { trial: null } : {}),
    ...(alumniTarget ? { alumni: alumniTarget } : roleOff === "alumni" ? { alumni: null } : {}),
    ...(tenureTarget && typeof tenureMonths === "number"
      ? { tenure: { months: tenureMonths, target: tenureTarget } }
      : {}),
    ...(roleOff === "tenure"
      ? { tenureOff: "all" as const }
      : typeof removeTenure === "number"
        ? { tenureOff: removeTenure }
        : {}),
  });
  const settingsChanged = await ctx.services.app.updateSettings({
    set: {
      graceDays: grace ?? undefined,
      defaultTrialDays: trial ?? undefined,
      allowPromotionCodes: promo ?? undefined,
      trueFansGoal: goal ?? undefined,
      feedDiscordChannelId: feedChannel ?? (feedChannelOff ? "" : undefined),
      roadmapDiscordChannelId: roadmapChannel ?? (roadmapChannelOff ? "" : undefined),
      pauseAllowed: pauseAllowed ?? undefined,
      pauseKeepsAccess: pauseAccess ? pauseAccess === "kept" : undefined,
      pauseMaxMonths: pauseMaxMonths ?? undefined,
    },
    add: {
      discordManagerRoleIds: ids(addRole?.id),
      discordPollChannelIds: ids(addChannel),
      feedOff: ids(feedOff),
    },
    remove: {
      discordManagerRoleIds: ids(removeRole?.id),
      discordPollChannelIds: ids(removeChannel),
      feedOff: ids(feedOn),
    },
  });
  // A roadmap channel set: the message is posted there at once (coalesced with other changes).
  if (roadmapChannel) await ctx.services.app.refreshRoadmapSoon();
  const changed = rolesChanged || settingsChanged;
  const s = await ctx.services.app.getSettings();
  const roleOf = (key: string) =>
    key ? roleMention(key.split(":")[2] ?? "") : ctx.t("discord.settings.none");
  const days = (n: number) => ctx.t("discord.settings.days", { n });
  const embed = new EmbedBuilder().setTitle(ctx.t("discord.settings.title")).addFields(
    { name: ctx.t("discord.settings.graceDays"), value: days(s.graceDays), inline: true },
    { name: ctx.t("discord.settings.defaultTrialDays"), value: days(s.defaultTrialDays), inline: true },
    {
      name: ctx.t("discord.settings.allowPromotionCodes"),
      value: ctx.t(s.allowPromotionCodes ? "discord.settings.on" : "discord.settings.off"),
      inline: true,
    },
    { name: ctx.t("discord.settings.trueFansGoal"), value: String(s.trueFansGoal), inline: true },
    {
      name: ctx.t("settings.pause"),
      value: ctx.t("settings.pause.value", {
        on: s.pauseAllowed,
        kept: s.pauseKeepsAccess,
        months: s.pauseMaxMonths,
      }),
    },
    { name: ctx.t("discord.settings.trialRole"), value: roleOf(s.trialRole), inline: true },
    { name: ctx.t("discord.settings.alumniRole"), value: roleOf(s.alumniRole), inline: true },
    {
      name: ctx.t("discord.settings.tenureRoles"),
      value:
        s.tenureRoles
          .map((r) => ctx.t("discord.settings.tenureStep", { months: r.months, role: roleOf(r.role) }))
          .join("\n") || ctx.t("discord.settings.none"),
    },
    {
      name: ctx.t("discord.settings.managers"),
      value: s.discordManagerRoleIds.map((id) => roleMention(id)).join(" ") || ctx.t("discord.settings.none"),
    },
    {
      name: ctx.t("discord.settings.pollChannels"),
      value:
        s.discordPollChannelIds.map((id) => channelMention(id)).join(" ") || ctx.t("discord.settings.none"),
    },
    {
      name: ctx.t("discord.settings.feedChannel"),
      value: s.feedDiscordChannelId ? channelMention(s.feedDiscordChannelId) : ctx.t("discord.settings.none"),
    },
    {
      name: ctx.t("discord.settings.roadmapChannel"),
      value: s.roadmapDiscordChannelId
        ? channelMention(s.roadmapDiscordChannelId)
        : ctx.t("discord.settings.none"),
    },
    {
      name: ctx.t("discord.settings.feedKinds"),
      value: FEED_KINDS.map(
        (k) =>
          `${s.feedOff.includes(k) ? "✗" : "✓"} ${ctx.t(`feed.kind.${k}`)}: ${ctx.t(s.feedOff.includes(k) ? "discord.settings.off" : "discord.settings.on")}`,
      ).join("\n"),
    },
  );
  await ctx.reply({ ...(changed ? { content: ctx.t("discord.settings.saved") } : {}), embeds: [embed] });
});
