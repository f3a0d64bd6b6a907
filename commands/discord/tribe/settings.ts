import {
  type APIApplicationCommandSubcommandOption,
  ChannelType,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";
import type { FeedKind } from "../../../src/app/feedKinds.ts";

/** The kinds of lines of the creator's feed (src/app/feedKinds.ts), as a choice. */
const FEED_KIND_CHOICES = [
  { name: "New members", name_localizations: { fr: "Nouveaux membres" }, value: "member_new" },
  { name: "Tier changes", name_localizations: { fr: "Changements de palier" }, value: "tier_change" },
  { name: "Cancellations", name_localizations: { fr: "Résiliations" }, value: "cancellation" },
  { name: "Failed payments", name_localizations: { fr: "Paiements refusés" }, value: "payment_failed" },
  {
    name: "Recovered payments",
    name_localizations: { fr: "Paiements rétablis" },
    value: "payment_recovered",
  },
  {
    name: "Access changes failed for good",
    name_localizations: { fr: "Changements d'accès en échec" },
    value: "access_failed",
  },
  { name: "Weekly summary", name_localizations: { fr: "Bilan de la semaine" }, value: "weekly_summary" },
  { name: "Failovers", name_localizations: { fr: "Bascules" }, value: "failover" },
  { name: "Co-creation cycle", name_localizations: { fr: "Cycle de co-création" }, value: "cycle" },
] as const satisfies readonly { name: string; name_localizations: { fr: string }; value: FeedKind }[];

export const settingsSubcommand = {
  type: Opt.Subcommand,
  name: "settings",
  name_localizations: { fr: "réglages" },
  description:
    "Show or change grace, trials, promo codes, pauses, extra roles, goal, managers, channels, feed",
  description_localizations: {
    fr: "Voir ou changer grâce, essais, codes promo, pauses, rôles en plus, objectif, gérants, salons, fil",
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
      type: Opt.Boolean,
      name: "pause-allowed",
      name_localizations: { fr: "pause-autorisée" },
      description: "Let fans pause their payments from /membership (off by default)",
      description_localizations: { fr: "Permettre aux fans de suspendre leurs paiements depuis /abonnement" },
    },
    {
      type: Opt.String,
      name: "pause-access",
      name_localizations: { fr: "accès-en-pause" },
      description: "During a pause, the fan keeps or loses access (default: loses)",
      description_localizations: {
        fr: "Pendant une pause, le fan garde ou perd son accès (par défaut : perd)",
      },
      choices: [
        { name: "kept", name_localizations: { fr: "gardé" }, value: "kept" },
        { name: "lost", name_localizations: { fr: "perdu" }, value: "lost" },
      ],
    },
    {
      type: Opt.Integer,
      name: "pause-max-months",
      name_localizations: { fr: "pause-max-mois" },
      description: "The longest pause offered, in months (1-3, default 1)",
      description_localizations: { fr: "La plus longue pause proposée, en mois (1-3, par défaut 1)" },
      min_value: 1,
      max_value: 3,
    },
    {
      type: Opt.Role,
      name: "trial-role",
      name_localizations: { fr: "rôle-essai" },
      description: "Give this role during a free trial, taken when it converts or ends (off by default)",
      description_localizations: {
        fr: "Donner ce rôle pendant un essai gratuit, retiré à sa conversion ou sa fin (désactivé par défaut)",
      },
    },
    {
      type: Opt.Role,
      name: "alumni-role",
      name_localizations: { fr: "rôle-anciens" },
      description: "Give this role to former members, taken back when they return (off by default)",
      description_localizations: {
        fr: "Donner ce rôle aux anciens abonnés, retiré à leur retour (désactivé par défaut)",
      },
    },
    {
      type: Opt.Role,
      name: "tenure-role",
      name_localizations: { fr: "rôle-ancienneté" },
      description: "Give this role after tenure-months of continuous membership (set both)",
      description_localizations: {
        fr: "Donner ce rôle après ancienneté-mois d'abonnement sans interruption (les deux ensemble)",
      },
    },
    {
      type: Opt.Integer,
      name: "tenure-months",
      name_localizations: { fr: "ancienneté-mois" },
      description: "Months of continuous membership for tenure-role, e.g. 3, 6 or 12",
      description_localizations: {
        fr: "Mois d'abonnement sans interruption pour rôle-ancienneté, ex. 3, 6 ou 12",
      },
      min_value: 1,
      max_value: 120,
    },
    {
      type: Opt.Integer,
      name: "remove-tenure-months",
      name_localizations: { fr: "retirer-ancienneté-mois" },
      description: "Stop giving the tenure role set at this many months",
      description_localizations: { fr: "Ne plus donner le rôle d'ancienneté fixé à ce nombre de mois" },
      min_value: 1,
      max_value: 120,
    },
    {
      type: Opt.String,
      name: "role-off",
      name_localizations: { fr: "rôle-désactiver" },
      description: "Stop using the trial role, the alumni role or every tenure role (holders lose it)",
      description_localizations: {
        fr: "Ne plus utiliser le rôle d'essai, des anciens ou d'ancienneté (ceux qui l'ont le perdent)",
      },
      choices: [
        { name: "trial", name_localizations: { fr: "essai" }, value: "trial" },
        { name: "alumni", name_localizations: { fr: "anciens" }, value: "alumni" },
        {
          name: "every tenure role",
          name_localizations: { fr: "tous les rôles d'ancienneté" },
          value: "tenure",
        },
      ],
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
    {
      type: Opt.Channel,
      name: "feed-channel",
      name_localizations: { fr: "salon-du-fil" },
      description:
        "Post your feed here: new members, cancellations, failed payments... (one message per burst)",
      description_localizations: {
        fr: "Publier votre fil ici : nouveaux membres, résiliations, paiements refusés… (un message par salve)",
      },
      channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
    },
    {
      type: Opt.Boolean,
      name: "feed-channel-off",
      name_localizations: { fr: "fil-désactivé" },
      description: "True: stop posting your feed on Discord",
      description_localizations: { fr: "Vrai : ne plus publier votre fil sur Discord" },
    },
    {
      type: Opt.Channel,
      name: "roadmap-channel",
      name_localizations: { fr: "salon-feuille-de-route" },
      description: "Keep a roadmap message up to date here: polls, winners, shipped, shortlist",
      description_localizations: {
        fr: "Tenir ici un message de feuille de route à jour : sondages, gagnantes, sorties, sélection",
      },
      channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
    },
    {
      type: Opt.Boolean,
      name: "roadmap-channel-off",
      name_localizations: { fr: "feuille-de-route-désactivée" },
      description: "True: stop updating the roadmap message on Discord (the last one stays)",
      description_localizations: {
        fr: "Vrai : ne plus mettre à jour le message de feuille de route sur Discord (le dernier reste)",
      },
    },
    {
      type: Opt.String,
      name: "feed-on",
      name_localizations: { fr: "fil-activer" },
      description: "Post this kind of line in your feed again (Discord and Telegram)",
      description_localizations: {
        fr: "Publier de nouveau ce type de ligne dans votre fil (Discord et Telegram)",
      },
      choices: [...FEED_KIND_CHOICES],
    },
    {
      type: Opt.String,
      name: "feed-off",
      name_localizations: { fr: "fil-couper" },
      description: "Stop posting this kind of line in your feed (Discord and Telegram)",
      description_localizations: {
        fr: "Ne plus publier ce type de ligne dans votre fil (Discord et Telegram)",
      },
      choices: [...FEED_KIND_CHOICES],
    },
  ],
} as const satisfies APIApplicationCommandSubcommandOption;
