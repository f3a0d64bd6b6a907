import { ChannelType, EmbedBuilder, PermissionFlagsBits, roleMention } from "discord.js";
import { tribeCommand } from "../../../../commands/discord.ts";
import { DomainError } from "../../../errors.ts";
import { parseMoney } from "../../../i18n/index.ts";
import { slash } from "../context.ts";
import { priceLabel } from "../format.ts";
import { botRoleName, guildOf, requireGrantableBy, requireManageableRole } from "../guild.ts";

/**
 * /tribe tier create: the Stripe product and price, the role (given, or a new one named after the
 * tier) and optionally a private channel only that role sees. Everything Discord could refuse is
 * checked before Stripe is called, so a refusal leaves nothing half made.
 */
export const tierCreateRoute = slash(tribeCommand, ["tier", "create"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const guild = await guildOf(ctx.interaction);
  const currency = args.string("currency").trim().toLowerCase();
  const amount = parseMoney(args.string("price"), currency);
  if (amount === null) throw new DomainError("price_amount_invalid");
  const given = args.role("role");
  const wantsChannel = args.boolean("private-channel") ?? false;
  const me = await guild.members.fetchMe();
  if (given) await requireGrantableBy(ctx.interaction, guild, await requireManageableRole(guild, given));
  else if (!me.permissions.has(PermissionFlagsBits.ManageRoles))
    throw new DomainError("discord_missing_permission", {
      permission: "ManageRoles",
      botRole: botRoleName(me),
    });
  if (wantsChannel && !me.permissions.has(PermissionFlagsBits.ManageChannels))
    throw new DomainError("discord_missing_permission", {
      permission: "ManageChannels",
      botRole: botRoleName(me),
    });
  const interval = (args.string("interval") ?? "month") as "month" | "year";
  const trialDays = args.integer("trial-days") ?? (await ctx.services.app.getSettings()).defaultTrialDays;
  const description = args.string("description");
  await ctx.defer();

  const tier = await ctx.services.app.createTier({
    name: args.string("name"),
    amount,
    currency,
    interval,
    trialDays,
    ...(description ? { description } : {}),
  });
  const reason = `tribegate: tier ${tier.slug} created by ${ctx.interaction.user.username}`;
  const role = given ?? (await guild.roles.create({ name: tier.name, permissions: [], reason }));
  const channel = wantsChannel
    ? await guild.channels.create({
        name: tier.slug,
        type: ChannelType.GuildText,
        reason,
        permissionOverwrites: [
          { id: guild.roles.everyone.id, deny: [PermissionFlagsBits.ViewChannel] },
          {
            id: role.id,
            allow: [
              PermissionFlagsBits.ViewChannel,
              PermissionFlagsBits.SendMessages,
              PermissionFlagsBits.ReadMessageHistory,
            ],
          },
          { id: me.id, allow: [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages] },
        ],
      })
    : null;
  await ctx.services.app.addTierAccess(
    tier.id,
    { platform: "discord", guildId: guild.id, roleId: role.id },
    `@${role.name}`,
  );
  const price = tier.prices.find((p) => p.kind === "recurring");
  await ctx.reply({
    content: [
      ctx.t("discord.tier.created", {
        tier: tier.name,
        slug: tier.slug,
        price: price ? priceLabel(ctx.locale, price) : "",
        role: roleMention(role.id),
      }),
      ...(channel ? [ctx.t("discord.tier.created_channel", { channel: channel.toString() })] : []),
    ].join("\n"),
  });
});

export const tierEditRoute = slash(tribeCommand, ["tier", "edit"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const tier = await ctx.services.app.findTier(args.string("tier"));
  const name = args.string("name");
  const description = args.string("description");
  const trialDays = args.integer("trial-days");
  const priceText = args.string("price");
  const current = tier.prices.find((p) => p.current && p.kind === "recurring");
  // Parse before changing anything: a bad price must not leave the name changed.
  const amount = priceText === null ? null : parseMoney(priceText, current?.currency ?? "usd");
  if (priceText !== null && amount === null) throw new DomainError("price_amount_invalid");
  const lines: string[] = [];
  if (name !== null || description !== null || trialDays !== null) {
    await ctx.services.app.editTier(tier.id, {
      ...(name !== null ? { name } : {}),
      ...(description !== null ? { description } : {}),
      ...(trialDays !== null ? { trialDays } : {}),
    });
  }
  lines.push(ctx.t("discord.tier.edited", { tier: name ?? tier.name }));
  if (amount !== null) {
    await ctx.services.app.changeTierPrice(tier.id, { amount });
    const price = { amount, currency: current?.currency ?? "usd", interval: current?.interval ?? "month" };
    lines.push(ctx.t("discord.tier.price_changed", { price: priceLabel(ctx.locale, price) }));
  }
  await ctx.reply({ content: lines.join("\n") });
});

export const tierArchiveRoute = slash(tribeCommand, ["tier", "archive"], { creator: true }, async (ctx) => {
  const tier = await ctx.services.app.archiveTier(ctx.args.string("tier"));
  await ctx.reply({ content: ctx.t("discord.tier.archived", { tier: tier.name }) });
});

export const tierListRoute = slash(tribeCommand, ["tier", "list"], { creator: true }, async (ctx) => {
  const tiers = await ctx.services.app.listTiers({ includeArchived: true });
  if (tiers.length === 0) {
    await ctx.reply({ content: ctx.t("discord.tier.list_empty") });
    return;
  }
  const embed = new EmbedBuilder().setTitle(ctx.t("discord.tier.list_title"));
  for (const tier of tiers.slice(0, 25)) {
    const prices = tier.prices.map((p) => priceLabel(ctx.locale, p)).join(" · ");
    const access = tier.access
      .map((a) =>
        a.roleId
          ? roleMention(a.roleId)
          : ctx.t("discord.tier.telegram_chat", { chat: a.label || a.chatId || "" }),
      )
      .join(" ");
    embed.addFields({
      name: `${tier.name} (${tier.slug})${tier.archivedAt ? ` · ${ctx.t("discord.tier.archived_flag")}` : ""}`.slice(
        0,
        256,
      ),
      value: `${prices}\n${access || ctx.t("discord.tier.no_access")}`.slice(0, 1024),
    });
  }
  await ctx.reply({ embeds: [embed] });
});

export const tierAddRoleRoute = slash(tribeCommand, ["tier", "add-role"], { creator: true }, async (ctx) => {
  const guild = await guildOf(ctx.interaction);
  const role = await requireManageableRole(guild, ctx.args.role("role"));
  await requireGrantableBy(ctx.interaction, guild, role);
  const tier = await ctx.services.app.findTier(ctx.args.string("tier"));
  await ctx.services.app.addTierAccess(
    tier.id,
    { platform: "discord", guildId: guild.id, roleId: role.id },
    `@${role.name}`,
  );
  await ctx.reply({
    content: ctx.t("discord.tier.role_added", { tier: tier.name, role: roleMention(role.id) }),
  });
});

export const tierRemoveRoleRoute = slash(
  tribeCommand,
  ["tier", "remove-role"],
  { creator: true },
  async (ctx) => {
    const guild = await guildOf(ctx.interaction);
    const role = ctx.args.role("role");
    const tier = await ctx.services.app.findTier(ctx.args.string("tier"));
    await ctx.services.app.removeTierAccess(tier.id, {
      platform: "discord",
      guildId: guild.id,
      roleId: role.id,
    });
    await ctx.reply({
      content: ctx.t("discord.tier.role_removed", { tier: tier.name, role: roleMention(role.id) }),
    });
  },
);
