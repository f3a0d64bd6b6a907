import {
  type APIApplicationCommandSubcommandGroupOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

export const jobsGroup = {
  type: Opt.SubcommandGroup,
  name: "jobs",
  name_localizations: { fr: "tâches" },
  description: "Role changes that failed for good",
  description_localizations: { fr: "Changements de rôle en échec définitif" },
  options: [
    {
      type: Opt.Subcommand,
      name: "list",
      name_localizations: { fr: "liste" },
      description: "List the role changes that failed, and why",
      description_localizations: { fr: "Lister les changements de rôle en échec, et pourquoi" },
    },
    {
      type: Opt.Subcommand,
      name: "retry",
      name_localizations: { fr: "relancer" },
      description: "Try failed role changes again (after fixing the cause)",
      description_localizations: { fr: "Relancer les changements en échec (une fois la cause réparée)" },
      options: [
        {
          type: Opt.Integer,
          name: "id",
          description: "One job's number (all of them if empty)",
          description_localizations: { fr: "Le numéro d'une tâche (toutes si vide)" },
          min_value: 1,
        },
      ],
    },
  ],
} as const satisfies APIApplicationCommandSubcommandGroupOption;
