import { channelMention, EmbedBuilder, PermissionFlagsBits, roleMention } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { getSettings, setSetting } from "../../../app/settings.ts";
import { DomainError } from "../../../errors.ts";
import { slash } from "../context.ts";

/** /tribe settings: changes the options given (each validated by the app), then shows them all. */
export const settingsRoute = slash(tribeCommand, ["settings"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const db = ctx.services.db;
  const grace = args.integer("grace-days");
  const trial = args.integer("trial-days");
  const promo = args.boolean("promotion-codes");
  const goal = args.integer("fans-goal");
  const addRole = args.role("add-manager-role");
  const removeRole = args.role("remove-manager-role");
  const addChannel = args.channelId("add-poll-channel");
  const removeChannel = args.channelId("remove-poll-channel");
  // A manager role may not make more managers (nor remove the others): Manage Server holders only.
  if ((addRole || removeRole) && !ctx.interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new DomainError("discord_manage_server_only");
  }
  let changed = false;
  await db.$transaction(async (tx) => {
    if (grace !== null) await setSetting(tx, "graceDays", grace);
    if (trial !== null) await setSetting(tx, "defaultTrialDays", trial);
    if (promo !== null) await setSetting(tx, "allowPromotionCodes", promo);
    if (goal !== null) await setSetting(tx, "trueFansGoal", goal);
    if (addRole || removeRole) {
      const ids = new Set((await getSettings(tx)).discordManagerRoleIds);
      if (addRole) ids.add(addRole.id);
      if (removeRole) ids.delete(removeRole.id);
      await setSetting(tx, "discordManagerRoleIds", [...ids]);
    }
    if (addChannel || removeChannel) {
      const ids = new Set((await getSettings(tx)).discordPollChannelIds);
      if (addChannel) ids.add(addChannel);
      if (removeChannel) ids.delete(removeChannel);
      await setSetting(tx, "discordPollChannelIds", [...ids]);
    }
    changed = [grace, trial, promo, goal, addRole, removeRole, addChannel, removeChannel].some(
      (v) => v !== null,
    );
  });
  const s = await getSettings(db);
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
      name: ctx.t("discord.settings.managers"),
      value: s.discordManagerRoleIds.map((id) => roleMention(id)).join(" ") || ctx.t("discord.settings.none"),
    },
    {
      name: ctx.t("discord.settings.pollChannels"),
      value:
        s.discordPollChannelIds.map((id) => channelMention(id)).join(" ") || ctx.t("discord.settings.none"),
    },
  );
  await ctx.reply({ ...(changed ? { content: ctx.t("discord.settings.saved") } : {}), embeds: [embed] });
});
