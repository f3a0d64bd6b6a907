import { tribeCommand } from "../../../../commands/discord.ts";
import { BIND_CODE_TTL_MS } from "../../../app/chatBinding.ts";
import { slash } from "../context.ts";

/** /tribe bind: a code the creator sends in a Telegram group to open it to a tier. */
export const bindRoute = slash(tribeCommand, ["bind"], { creator: true }, async (ctx) => {
  const made = await ctx.services.app.createBindCode({ tier: ctx.args.string("tier"), createdBy: ctx.actor });
  await ctx.reply({
    content: ctx.t("discord.bind.code", {
      tier: made.tierSlug,
      code: made.code,
      minutes: BIND_CODE_TTL_MS / 60_000,
    }),
  });
});
