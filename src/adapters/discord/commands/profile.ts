import { EmbedBuilder } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { slash } from "../context.ts";

/** /tribe profile: changes the fields given (each checked by the app), then shows the public page's profile. */
export const profileRoute = slash(tribeCommand, ["profile"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const changes = {
    name: args.string("name"),
    pitch: args.string("pitch"),
    pictureUrl: args.string("picture"),
    discordInvite: args.string("invite"),
    showGoal: args.boolean("show-goal"),
  };
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null));
  const changed = Object.keys(given).length > 0;
  const p = await ctx.services.app.updateCreatorProfile(given);
  const none = ctx.t("discord.settings.none");
  const embed = new EmbedBuilder()
    .setTitle(ctx.t("discord.profile.title"))
    .setDescription(ctx.t("discord.profile.page", { url: `${ctx.services.publicBaseUrl}/` }))
    .addFields(
      { name: ctx.t("discord.profile.name"), value: p.name || none },
      { name: ctx.t("discord.profile.pitch"), value: p.pitch || none },
      { name: ctx.t("discord.profile.picture"), value: p.pictureUrl || none },
      { name: ctx.t("discord.profile.invite"), value: p.discordInvite || none },
      {
        name: ctx.t("discord.profile.goal"),
        value: ctx.t(p.showGoal ? "discord.settings.on" : "discord.settings.off"),
      },
    );
  await ctx.reply({ ...(changed ? { content: ctx.t("discord.settings.saved") } : {}), embeds: [embed] });
});
