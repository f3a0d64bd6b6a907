import {
  type APIApplicationCommandSubcommandGroupOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";
import { cycleModeOption } from "../options.ts";

/** The limits are the app's (src/app/settings.ts CYCLE_LIMITS); Discord enforces them as well. */
export const cycleGroup = {
  type: Opt.SubcommandGroup,
  name: "cycle",
  description: "A monthly rhythm: the top shortlisted ideas go to a poll on a set day",
  description_localizations: {
    fr: "Un rythme mensuel : les idées retenues les plus soutenues passent au vote un jour fixe",
  },
  options: [
    {
      type: Opt.Subcommand,
      name: "set",
      name_localizations: { fr: "régler" },
      description: "Switch the cycle on, changing the options given (the others are kept)",
      description_localizations: {
        fr: "Activer le cycle, en changeant les options données (les autres sont gardées)",
      },
      options: [
        {
          type: Opt.Integer,
          name: "day",
          name_localizations: { fr: "jour" },
          description: "Day of the month the poll opens, 1 to 28 (default 25)",
          description_localizations: { fr: "Jour du mois où le sondage s'ouvre, de 1 à 28 (25 par défaut)" },
          min_value: 1,
          max_value: 28,
        },
        {
          type: Opt.Integer,
          name: "hour",
          name_localizations: { fr: "heure" },
          description: "Hour it opens, UTC, 0 to 23 (default 12)",
          description_localizations: { fr: "Heure d'ouverture, UTC, de 0 à 23 (12 par défaut)" },
          min_value: 0,
          max_value: 23,
        },
        {
          type: Opt.Integer,
          name: "days",
          name_localizations: { fr: "durée" },
          description: "How many days the poll stays open, 1 to 14 (default 5)",
          description_localizations: {
            fr: "Nombre de jours d'ouverture du sondage, de 1 à 14 (5 par défaut)",
          },
          min_value: 1,
          max_value: 14,
        },
        {
          type: Opt.Integer,
          name: "top",
          name_localizations: { fr: "nombre" },
          description: "How many of the most upvoted shortlisted ideas enter it, 2 to 10 (default 3)",
          description_localizations: {
            fr: "Combien d'idées retenues parmi les plus soutenues y entrent, de 2 à 10 (3 par défaut)",
          },
          min_value: 2,
          max_value: 10,
        },
        {
          type: Opt.Integer,
          name: "min-upvotes",
          name_localizations: { fr: "soutiens-min" },
          description: "Upvotes an idea needs to enter (default 0)",
          description_localizations: { fr: "Soutiens qu'une idée doit avoir pour y entrer (0 par défaut)" },
          min_value: 0,
          max_value: 1_000_000,
        },
        cycleModeOption,
      ],
    },
    {
      type: Opt.Subcommand,
      name: "off",
      name_localizations: { fr: "arrêter" },
      description: "Switch the cycle off (its options are kept for next time)",
      description_localizations: { fr: "Désactiver le cycle (ses options sont gardées pour la suite)" },
    },
    {
      type: Opt.Subcommand,
      name: "show",
      name_localizations: { fr: "voir" },
      description: "Show the cycle and when its next poll opens",
      description_localizations: { fr: "Voir le cycle et la date de son prochain sondage" },
    },
  ],
} as const satisfies APIApplicationCommandSubcommandGroupOption;
