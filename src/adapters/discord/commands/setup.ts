import { PermissionFlagsBits, roleMention } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { DomainError } from "../../../errors.ts";
import { slash } from "../context.ts";
import { botRoleName, guildOf } from "../guild.ts";

/**
 * /tribe setup: in a server that is not a home server yet, the application's owner (or a member of
 * its team) binds it (no one else can: creator power must not follow whoever invites the bot). Then
 * says exactly what stops the bot from giving and taking this server's tier roles (Manage Roles, its
 * role's position, deleted or integration-managed roles) before a fan pays, and warns while the
 * application is a Public Bot that anyone can invite.
 */
export const setupRoute = slash(tribeCommand, ["setup"], { creator: true, claim: true }, async (ctx) => {
  const guild = await guildOf(ctx.interaction);
  const lines: string[] = [];
  const app = await ctx.home.application();
  if (!(await ctx.home.isHome(guild.id))) {
    if (ctx.home.fixed) throw new DomainError("discord_not_home_fixed");
    if (!app.owners.has(ctx.who.userId)) {
      ctx.log.warn(
        { event: "discord.home.claim_refused", guildId: guild.id, userId: ctx.who.userId },
        "someone who does not own the application tried to bind a server",
      );
      throw new DomainError("discord_setup_owner_only");
    }
    await ctx.home.bind(guild.id, ctx.actor);
    lines.push(ctx.t("discord.setup.bound", { server: guild.name }));
  }
  const [me, roles] = await Promise.all([guild.members.fetchMe(), guild.roles.fetch()]);
  const problems: string[] = [];
  const botRole = botRoleName(me);
  if (!me.permissions.has(PermissionFlagsBits.ManageRoles))
    problems.push(ctx.t("discord.setup.no_manage_roles", { botRole }));
  let count = 0;
  for (const tier of await ctx.services.app.listTiers({ includeArchived: true })) {
    for (const access of tier.access) {
      if (access.platform !== "discord" || access.guildId !== guild.id || !access.roleId) continue;
      count++;
      const role = roles.get(access.roleId);
      const params = { tier: tier.name, role: roleMention(access.roleId), botRole };
      if (!role) problems.push(ctx.t("discord.setup.role_deleted", params));
      else if (role.managed) problems.push(ctx.t("discord.setup.role_managed", params));
      else if (me.roles.highest.comparePositionTo(role) <= 0)
        problems.push(ctx.t("discord.setup.role_above", params));
    }
  }
  const hints = me.permissions.has(PermissionFlagsBits.ManageChannels)
    ? []
    : [ctx.t("discord.setup.no_manage_channels", { botRole })];
  if (app.botPublic) hints.push(ctx.t("discord.setup.public_bot"));
  lines.push(
    ...(problems.length
      ? [ctx.t("discord.setup.problems"), ...problems.map((p) => `• ${p}`), ...hints]
      : [ctx.t("discord.setup.ok", { count }), ...hints]),
  );
  await ctx.reply({ content: lines.join("\n") });
});
