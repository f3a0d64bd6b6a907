/**
 * tribegate's Discord slash commands, as the JSON Discord stores (typed data, after Yuudachi).
 * English names and descriptions, French localizations. The handlers in src/adapters/discord/commands/
 * read their options through types derived from these objects, so renaming an option here is a
 * compile error there. Registered by scripts/deploy-discord-commands.ts, and by the bot at start-up
 * when what Discord has differs. /tribe is assembled here from one file per subcommand or group
 * in commands/discord/tribe/; the options several commands share are in commands/discord/options.ts.
 */
import {
  ApplicationCommandOptionType as Opt,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";
import { FAN_CONTEXTS, GUILD_INSTALL, GUILD_ONLY, ideaOption, tierOption } from "./discord/options.ts";
import { bindSubcommand } from "./discord/tribe/bind.ts";
import { cycleGroup } from "./discord/tribe/cycle.ts";
import { ideaGroup } from "./discord/tribe/idea.ts";
import { jobsGroup } from "./discord/tribe/jobs.ts";
import { memberGroup } from "./discord/tribe/member.ts";
import { pollGroup } from "./discord/tribe/poll.ts";
import { profileSubcommand } from "./discord/tribe/profile.ts";
import { reconcileSubcommand } from "./discord/tribe/reconcile.ts";
import { settingsSubcommand } from "./discord/tribe/settings.ts";
import { setupSubcommand } from "./discord/tribe/setup.ts";
import { statsSubcommand } from "./discord/tribe/stats.ts";
import { tierGroup } from "./discord/tribe/tier.ts";

export const joinCommand = {
  name: "join",
  name_localizations: { fr: "rejoindre" },
  description: "Become a member: pick a tier and pay securely with Stripe",
  description_localizations: { fr: "Devenir membre : choisissez un palier et payez en sécurité avec Stripe" },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
  options: [tierOption(false)],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const membershipCommand = {
  name: "membership",
  name_localizations: { fr: "abonnement" },
  description: "Your membership: state, renewal date and a link to manage it",
  description_localizations: { fr: "Votre abonnement : état, date de renouvellement et lien pour le gérer" },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const linkCommand = {
  name: "link",
  name_localizations: { fr: "lier" },
  description: "Link your Telegram account: get a code, or enter the code Telegram gave you",
  description_localizations: {
    fr: "Lier votre compte Telegram : obtenez un code, ou saisissez celui donné sur Telegram",
  },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
  options: [
    {
      type: Opt.String,
      name: "code",
      description: "A code made on Telegram (leave empty to get a code for Telegram)",
      description_localizations: {
        fr: "Un code créé sur Telegram (laissez vide pour obtenir un code pour Telegram)",
      },
      required: false,
      max_length: 16,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const claimCommand = {
  name: "claim",
  name_localizations: { fr: "récupérer" },
  description: "Get your member roles back (after leaving and rejoining the server)",
  description_localizations: {
    fr: "Retrouver vos rôles de membre (après avoir quitté puis rejoint le serveur)",
  },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
export const tribeCommand = {
  name: "tribe",
  name_localizations: { fr: "tribu" },
  description: "Creator tools: tiers, settings, members, stats",
  description_localizations: { fr: "Outils du créateur : paliers, réglages, membres, statistiques" },
  // Hidden from members without Manage Server (server admins can widen it for manager roles in
  // Server Settings → Integrations); the bot checks again on every use.
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  contexts: GUILD_ONLY,
  integration_types: GUILD_INSTALL,
  options: [
    setupSubcommand,
    statsSubcommand,
    settingsSubcommand,
    profileSubcommand,
    reconcileSubcommand,
    bindSubcommand,
    tierGroup,
    memberGroup,
    jobsGroup,
    pollGroup,
    ideaGroup,
    cycleGroup,
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const ideaCommand = {
  name: "idea",
  name_localizations: { fr: "idée" },
  description: "Propose what the creator could make next, and upvote the best ideas",
  description_localizations: {
    fr: "Proposer ce que le créateur pourrait faire ensuite, et soutenir les meilleures idées",
  },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
  options: [
    {
      type: Opt.Subcommand,
      name: "propose",
      name_localizations: { fr: "proposer" },
      description: "Propose an idea (members only)",
      description_localizations: { fr: "Proposer une idée (membres seulement)" },
      options: [
        {
          type: Opt.String,
          name: "title",
          name_localizations: { fr: "titre" },
          description: "Your idea in a few words (3 to 100 characters)",
          description_localizations: { fr: "Votre idée en quelques mots (3 à 100 caractères)" },
          required: true,
          max_length: 100,
        },
        {
          type: Opt.String,
          name: "description",
          description: "More details (up to 500 characters)",
          description_localizations: { fr: "Plus de détails (jusqu'à 500 caractères)" },
          max_length: 500,
        },
      ],
    },
    {
      type: Opt.Subcommand,
      name: "upvote",
      name_localizations: { fr: "soutenir" },
      description: "Upvote an idea (once per idea)",
      description_localizations: { fr: "Soutenir une idée (une fois par idée)" },
      options: [ideaOption("idea", "idée", true)],
    },
    {
      type: Opt.Subcommand,
      name: "unvote",
      name_localizations: { fr: "retirer" },
      description: "Take back your upvote of an idea",
      description_localizations: { fr: "Retirer votre soutien à une idée" },
      options: [ideaOption("idea", "idée", true)],
    },
    {
      type: Opt.Subcommand,
      name: "credit",
      name_localizations: { fr: "créditer" },
      description: "The name your ideas are credited by on the roadmap (- for anonymous)",
      description_localizations: {
        fr: "Le nom qui crédite vos idées sur la feuille de route (- pour l'anonymat)",
      },
      options: [
        {
          type: Opt.String,
          name: "name",
          name_localizations: { fr: "nom" },
          description: "2 to 32 characters, or - to be credited anonymously",
          description_localizations: { fr: "2 à 32 caractères, ou - pour être crédité anonymement" },
          required: true,
          max_length: 64,
        },
      ],
    },
    {
      type: Opt.Subcommand,
      name: "top",
      name_localizations: { fr: "meilleures" },
      description: "The most upvoted open ideas",
      description_localizations: { fr: "Les idées ouvertes les plus soutenues" },
    },
    {
      type: Opt.Subcommand,
      name: "mine",
      name_localizations: { fr: "miennes" },
      description: "The ideas you proposed and those you back, and where each stands",
      description_localizations: {
        fr: "Les idées que vous avez proposées et celles que vous soutenez, et où chacune en est",
      },
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const discordCommands = [
  joinCommand,
  membershipCommand,
  linkCommand,
  claimCommand,
  tribeCommand,
  ideaCommand,
] as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody[];

export type DiscordCommand = (typeof discordCommands)[number];
export type DiscordCommandName = DiscordCommand["name"];
