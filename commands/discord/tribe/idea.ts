import {
  type APIApplicationCommandSubcommandGroupOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";
import { channelOption, durationOption, ideaOption, modeOption } from "../options.ts";

export const ideaGroup = {
  type: Opt.SubcommandGroup,
  name: "idea",
  name_localizations: { fr: "idée" },
  description: "Decide on your members' ideas, or put a shortlist to the vote",
  description_localizations: {
    fr: "Décider des idées de vos membres, ou soumettre une sélection au vote",
  },
  options: [
    {
      type: Opt.Subcommand,
      name: "decide",
      name_localizations: { fr: "décider" },
      description: "Shortlist, merge or decline an idea (its author is told)",
      description_localizations: {
        fr: "Retenir, fusionner ou refuser une idée (son auteur est prévenu)",
      },
      options: [
        ideaOption("idea", "idée", true),
        {
          type: Opt.String,
          name: "decision",
          name_localizations: { fr: "décision" },
          description: "What you decide",
          description_localizations: { fr: "Ce que vous décidez" },
          required: true,
          choices: [
            { name: "shortlisted", name_localizations: { fr: "retenue" }, value: "shortlisted" },
            { name: "merged", name_localizations: { fr: "fusionnée" }, value: "merged" },
            { name: "declined", name_localizations: { fr: "refusée" }, value: "declined" },
          ],
        },
        {
          ...ideaOption("into", "dans", false),
          description: "When merged: the idea it joins",
          description_localizations: { fr: "En cas de fusion : l'idée qu'elle rejoint" },
        },
        {
          type: Opt.String,
          name: "reason",
          name_localizations: { fr: "raison" },
          description: "When declined: why (its author and the roadmap show it)",
          description_localizations: {
            fr: "En cas de refus : pourquoi (son auteur et la feuille de route l'affichent)",
          },
          max_length: 300,
        },
      ],
    },
    {
      type: Opt.Subcommand,
      name: "edit",
      name_localizations: { fr: "modifier" },
      description: "Fix an idea's title or description (a typo, a clearer wording)",
      description_localizations: {
        fr: "Corriger le titre ou la description d'une idée (une coquille, une formulation plus claire)",
      },
      options: [
        ideaOption("idea", "idée", true),
        {
          type: Opt.String,
          name: "title",
          name_localizations: { fr: "titre" },
          description: "The new title (3 to 100 characters)",
          description_localizations: { fr: "Le nouveau titre (3 à 100 caractères)" },
          max_length: 100,
        },
        {
          type: Opt.String,
          name: "description",
          description: "The new description (up to 500 characters)",
          description_localizations: { fr: "La nouvelle description (jusqu'à 500 caractères)" },
          max_length: 500,
        },
      ],
    },
    {
      type: Opt.Subcommand,
      name: "poll",
      name_localizations: { fr: "sondage" },
      description: "Open a poll whose options are these ideas",
      description_localizations: { fr: "Ouvrir un sondage dont les options sont ces idées" },
      options: [
        {
          type: Opt.String,
          name: "ideas",
          name_localizations: { fr: "idées" },
          description: "2 to 10 idea ids, separated by spaces or commas",
          description_localizations: {
            fr: "2 à 10 identifiants d'idées, séparés par des espaces ou virgules",
          },
          required: true,
          autocomplete: true,
          max_length: 1000,
        },
        durationOption,
        modeOption,
        {
          type: Opt.String,
          name: "question",
          description: "The question (default: What should I make next?)",
          description_localizations: { fr: "La question (par défaut : Que dois-je créer ensuite ?)" },
          max_length: 300,
        },
        channelOption,
      ],
    },
  ],
} as const satisfies APIApplicationCommandSubcommandGroupOption;
