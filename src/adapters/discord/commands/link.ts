import { linkCommand } from "../../../../commands/discord.ts";
import { LINK_CODE_TTL_MS } from "../../../app/members/linking.ts";
import { slash } from "../context.ts";

/** /link: without a code, a single-use code for Telegram; with one (made on Telegram), links this account. */
export const linkRoute = slash(linkCommand, [], { creator: false }, async (ctx) => {
  const code = ctx.args.string("code");
  if (code) {
    await ctx.services.app.redeemLinkCode(ctx.who, code);
    await ctx.reply({ content: ctx.t("discord.link.done") });
    return;
  }
  const made = await ctx.services.app.createLinkCode(ctx.who);
  await ctx.reply({
    content: ctx.t("discord.link.code", { code: made.code, minutes: LINK_CODE_TTL_MS / 60_000 }),
  });
});
