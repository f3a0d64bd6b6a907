import { claimCommand } from "../../../../commands/discord.ts";
import { slash } from "../context.ts";

/** /claim: the fan asks for their roles again (left and rejoined, or a role removed by hand). */
export const claimRoute = slash(claimCommand, [], { creator: false }, async (ctx) => {
  const { owed } = await ctx.services.app.claimAccess({ platform: "discord", userId: ctx.who.userId });
  await ctx.reply({ content: ctx.t("discord.claim.done", { count: owed }) });
});
