import {
  type APIApplicationCommandSubcommandOption,
  ChannelType,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

export const settingsSubcommand = {
  type: Opt.Subcommand,
  name: "settings",
  name_localizations: { fr: "réglages" },
  description: "Show or change the grace period, trials, promotion codes, goal, manager roles, poll channels",
  description_localizations: {
    fr: "Voir ou changer délai de grâce, essais, codes promo, objectif, rôles gérants, salons de sondage",
  },
  options: [
    {
      type: Opt.Integer,
      name: "grace-days",
      name_localizations: { fr: "jours-de-grâce" },
      description: "Days a member whose payment failed keeps access (0-60)",
      description_localizations: { fr: "Jours d'accès conservés après un paiement échoué (0-60)" },
      min_value: 0,
      max_value: 60,
    },
    {
      type: Opt.Integer,
      name: "trial-days",
      name_localizations: { fr: "jours-d-essai" },
      description: "Default free trial for new tiers, in days (0-730)",
      description_localizations: {
        fr: "Essai gratuit par défaut des nouveaux paliers, en jours (0-730)",
      },
      min_value: 0,
      max_value: 730,
    },
    {
      type: Opt.Boolean,
      name: "promotion-codes",
      name_localizations: { fr: "codes-promo" },
      description: "Let fans enter Stripe promotion codes at checkout",
      description_localizations: { fr: "Autoriser les codes promo Stripe au paiement" },
    },
    {
      type: Opt.Integer,
      name: "fans-goal",
      name_localizations: { fr: "objectif-fans" },
      description: "Your true-fans goal shown in stats",
      description_localizations: { fr: "Votre objectif de vrais fans affiché dans les stats" },
      min_value: 1,
      max_value: 10_000_000,
    },
    {
      type: Opt.Role,
      name: "add-manager-role",
      name_localizations: { fr: "ajouter-rôle-gérant" },
      description: "Let this role use the creator commands",
      description_localizations: { fr: "Autoriser ce rôle à utiliser les commandes du créateur" },
    },
    {
      type: Opt.Role,
      name: "remove-manager-role",
      name_localizations: { fr: "retirer-rôle-gérant" },
      description: "Stop letting this role use the creator commands",
      description_localizations: { fr: "Retirer à ce rôle l'accès aux commandes du créateur" },
    },
    {
      type: Opt.Channel,
      name: "add-poll-channel",
      name_localizations: { fr: "ajouter-salon-sondages" },
      description: "Post every new poll in this channel (also polls opened on Telegram)",
      description_localizations: {
        fr: "Publier chaque nouveau sondage dans ce salon (aussi ceux ouverts sur Telegram)",
      },
      channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
    },
    {
      type: Opt.Channel,
      name: "remove-poll-channel",
      name_localizations: { fr: "retirer-salon-sondages" },
      description: "Stop posting new polls in this channel",
      description_localizations: { fr: "Ne plus publier les nouveaux sondages dans ce salon" },
      channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
    },
  ],
} as const satisfies APIApplicationCommandSubcommandOption;
