/** What the Discord commands share: where they may be used, and the options several of them take. */
import {
  type APIApplicationCommandBasicOption,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

/** Fans may use their commands in a server or in a DM with the bot. */
export const FAN_CONTEXTS: InteractionContextType[] = [
  InteractionContextType.Guild,
  InteractionContextType.BotDM,
];
/** Creator commands act on a server; Discord does not offer them in DMs (the bot refuses them there too). */
export const GUILD_ONLY: InteractionContextType[] = [InteractionContextType.Guild];
export const GUILD_INSTALL: ApplicationIntegrationType[] = [ApplicationIntegrationType.GuildInstall];

export const tierOption = <const R extends boolean>(required: R) =>
  ({
    type: Opt.String,
    name: "tier",
    name_localizations: { fr: "palier" },
    description: "The tier (its name or slug)",
    description_localizations: { fr: "Le palier (son nom ou identifiant)" },
    required,
    autocomplete: true,
    max_length: 100,
  }) as const;

export const userOption = {
  type: Opt.User,
  name: "user",
  name_localizations: { fr: "utilisateur" },
  description: "The member on Discord",
  description_localizations: { fr: "Le membre sur Discord" },
  required: true,
} as const;

export const pollOption = {
  type: Opt.String,
  name: "poll",
  name_localizations: { fr: "sondage" },
  description: "The poll (pick it from the list, or paste its id)",
  description_localizations: { fr: "Le sondage (choisissez-le dans la liste, ou collez son identifiant)" },
  required: true,
  autocomplete: true,
  max_length: 64,
} as const;

export const ideaOption = <const N extends string, const R extends boolean>(
  name: N,
  fr: string,
  required: R,
) =>
  ({
    type: Opt.String,
    name,
    name_localizations: { fr },
    description: "The idea (pick it from the list, or paste its id)",
    description_localizations: { fr: "L'idée (choisissez-la dans la liste, ou collez son identifiant)" },
    required,
    autocomplete: true,
    max_length: 64,
  }) as const;

export const durationOption = {
  type: Opt.String,
  name: "duration",
  name_localizations: { fr: "durée" },
  description: "How long it stays open: 30m, 2h, 3d, 1w",
  description_localizations: { fr: "Combien de temps il reste ouvert : 30m, 2h, 3j (jours), 1w (semaines)" },
  required: true,
  max_length: 10,
} as const;

export const modeOption = {
  type: Opt.String,
  name: "mode",
  description: "single choice (default), approval (several), ranked (by preference), budget (points)",
  description_localizations: {
    fr: "choix unique (par défaut), approbation (plusieurs), classement (préférence), budget (points)",
  },
  choices: [
    { name: "single choice", name_localizations: { fr: "choix unique" }, value: "single" },
    { name: "approval", name_localizations: { fr: "approbation" }, value: "approval" },
    { name: "ranked", name_localizations: { fr: "classement" }, value: "ranked" },
    {
      name: "budget (spread points)",
      name_localizations: { fr: "budget (répartir des points)" },
      value: "budget",
    },
  ],
} as const satisfies APIApplicationCommandBasicOption;

/** The modes a cycle's poll may take: a budget poll needs points per tier, which a cycle does not set. */
export const cycleModeOption = {
  ...modeOption,
  description: "the poll's mode: single choice (default), approval (several), ranked (by preference)",
  description_localizations: {
    fr: "le mode du sondage : choix unique (par défaut), approbation (plusieurs), classement (préférence)",
  },
  choices: modeOption.choices.filter((c) => c.value !== "budget"),
} as const satisfies APIApplicationCommandBasicOption;

export const channelOption = {
  type: Opt.Channel,
  name: "channel",
  name_localizations: { fr: "salon" },
  description: "Where to post the poll on Discord (the poll channels in settings, else here, if empty)",
  description_localizations: {
    fr: "Où publier le sondage sur Discord (les salons de sondage des réglages, sinon ici, si vide)",
  },
  channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
} as const satisfies APIApplicationCommandBasicOption;
