import {
  type APIApplicationCommandSubcommandGroupOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";
import { channelOption, durationOption, modeOption, pollOption, tierOption } from "../options.ts";

export const pollGroup = {
  type: Opt.SubcommandGroup,
  name: "poll",
  name_localizations: { fr: "sondage" },
  description: "Let the tribe vote on what you make next",
  description_localizations: { fr: "Faire voter la tribu sur ce que vous créez ensuite" },
  options: [
    {
      type: Opt.Subcommand,
      name: "open",
      name_localizations: { fr: "ouvrir" },
      description: "Open a poll and post it in a channel",
      description_localizations: { fr: "Ouvrir un sondage et le publier dans un salon" },
      options: [
        {
          type: Opt.String,
          name: "question",
          description: "The question members answer",
          description_localizations: { fr: "La question posée aux membres" },
          required: true,
          max_length: 300,
        },
        {
          type: Opt.String,
          name: "options",
          description: "2 to 10 options separated by | or ; (e.g. Tutorial | Vlog | Live)",
          description_localizations: {
            fr: "2 à 10 options séparées par | ou ; (par ex. Tutoriel | Vlog | Direct)",
          },
          required: true,
          max_length: 1100,
        },
        durationOption,
        modeOption,
        {
          ...tierOption(false),
          description: "Only members of this tier may vote (every member if empty)",
          description_localizations: { fr: "Seuls les membres de ce palier votent (tous si vide)" },
        },
        {
          type: Opt.String,
          name: "weights",
          name_localizations: { fr: "poids" },
          description: "Extra weight per tier, e.g. gold=2, silver=1 (1 to 10)",
          description_localizations: { fr: "Poids par palier, par ex. gold=2, silver=1 (1 à 10)" },
          max_length: 200,
        },
        {
          type: Opt.String,
          name: "budget",
          description: "Budget mode: points per member, e.g. 5, or per tier gold=10, silver=5 (1 to 100)",
          description_localizations: {
            fr: "Mode budget : points par membre, par ex. 5, ou par palier gold=10, silver=5 (1 à 100)",
          },
          max_length: 200,
        },
        {
          type: Opt.Integer,
          name: "cap",
          name_localizations: { fr: "plafond" },
          description: "Budget mode: most points one option may get from a member (no cap if empty)",
          description_localizations: {
            fr: "Mode budget : points maximum qu'un membre peut donner à une option (aucun si vide)",
          },
          min_value: 1,
          max_value: 100,
        },
        {
          type: Opt.Boolean,
          name: "hidden",
          name_localizations: { fr: "masqué" },
          description: "Hide the results until the poll closes",
          description_localizations: { fr: "Masquer les résultats jusqu'à la fermeture" },
        },
        {
          type: Opt.Boolean,
          name: "late-joiners",
          name_localizations: { fr: "nouveaux-venus" },
          description: "Let members who join after the poll opens vote too (off: eligibility frozen now)",
          description_localizations: {
            fr: "Laisser voter les membres arrivés après l'ouverture (non : électeurs figés maintenant)",
          },
        },
        channelOption,
      ],
    },
    {
      type: Opt.Subcommand,
      name: "close",
      name_localizations: { fr: "fermer" },
      description: "Close a poll now and post its results",
      description_localizations: { fr: "Fermer un sondage maintenant et publier ses résultats" },
      options: [pollOption],
    },
    {
      type: Opt.Subcommand,
      name: "results",
      name_localizations: { fr: "résultats" },
      description: "See a poll's results (even hidden ones)",
      description_localizations: { fr: "Voir les résultats d'un sondage (même masqués)" },
      options: [pollOption],
    },
    {
      type: Opt.Subcommand,
      name: "export",
      name_localizations: { fr: "exporter" },
      description: "Every ballot of a poll, as a CSV file",
      description_localizations: { fr: "Tous les bulletins d'un sondage, en fichier CSV" },
      options: [pollOption],
    },
    {
      type: Opt.Subcommand,
      name: "commit",
      name_localizations: { fr: "engager" },
      description: "Tell the voters the winning option is in the works, or shipped",
      description_localizations: {
        fr: "Annoncer aux votants que l'option gagnante est en cours, ou livrée",
      },
      options: [
        pollOption,
        {
          type: Opt.String,
          name: "stage",
          name_localizations: { fr: "étape" },
          description: "Where the winning option stands",
          description_localizations: { fr: "Où en est l'option gagnante" },
          required: true,
          choices: [
            { name: "in the works", name_localizations: { fr: "en cours" }, value: "in_the_works" },
            { name: "shipped", name_localizations: { fr: "livré" }, value: "shipped" },
          ],
        },
      ],
    },
  ],
} as const satisfies APIApplicationCommandSubcommandGroupOption;
