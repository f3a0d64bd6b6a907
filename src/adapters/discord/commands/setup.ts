import { PermissionFlagsBits, roleMention } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { listTiers } from "../../../app/tiers.ts";
import { slash } from "../context.ts";
import { guildOf } from "../guild.ts";

/**
 * /tribe setup: says exactly what stops the bot from giving and taking this server's tier roles
 * (Manage Roles, its role's position, deleted or integration-managed roles), before a fan pays.
 */
export const setupRoute = slash(tribeCommand, ["setup"], { creator: true }, async (ctx) => {
  const guild = await guildOf(ctx.interaction);
  const [me, roles] = await Promise.all([guild.members.fetchMe(), guild.roles.fetch()]);
  const problems: string[] = [];
  if (!me.permissions.has(PermissionFlagsBits.ManageRoles)) problems.push(ctx.t("setup.no_manage_roles"));
  let count = 0;
  for (const tier of await listTiers(ctx.services.db, { includeArchived: true })) {
    for (const access of tier.access) {
      if (access.platform !== "discord" || access.guildId !== guild.id || !access.roleId) continue;
      count++;
      const role = roles.get(access.roleId);
      const params = { tier: tier.name, role: roleMention(access.roleId) };
      if (!role) problems.push(ctx.t("setup.role_deleted", params));
      else if (role.managed) problems.push(ctx.t("setup.role_managed", params));
      else if (me.roles.highest.comparePositionTo(role) <= 0)
        problems.push(ctx.t("setup.role_above", params));
    }
  }
  const hints = me.permissions.has(PermissionFlagsBits.ManageChannels)
    ? []
    : [ctx.t("setup.no_manage_channels")];
  const text = problems.length
    ? [ctx.t("setup.problems"), ...problems.map((p) => `• ${p}`), ...hints].join("\n")
    : [ctx.t("setup.ok", { count }), ...hints].join("\n");
  await ctx.reply({ content: text });
});
