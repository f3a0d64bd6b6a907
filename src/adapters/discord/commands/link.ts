import { linkCommand } from "../../../../commands/discord.ts";
import { createLinkCode, LINK_CODE_TTL_MS, redeemLinkCode } from "../../../app/members/linking.ts";
import { slash } from "../context.ts";

/** /link: without a code, a single-use code for Telegram; with one (made on Telegram), links this account. */
export const linkRoute = slash(linkCommand, [], { creator: false }, async (ctx) => {
  const code = ctx.args.string("code");
  if (code) {
    await redeemLinkCode(ctx.services, ctx.who, code);
    await ctx.reply({ content: ctx.t("discord.link.done") });
    return;
  }
  const made = await createLinkCode(ctx.services, ctx.who);
  await ctx.reply({
    content: ctx.t("discord.link.code", { code: made.code, minutes: LINK_CODE_TTL_MS / 60_000 }),
  });
});
