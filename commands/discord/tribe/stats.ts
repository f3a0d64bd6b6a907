import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

export const statsSubcommand = {
  type: Opt.Subcommand,
  name: "stats",
  name_localizations: { fr: "stats" },
  description: "Members, revenue, churn and your true-fans goal",
  description_localizations: { fr: "Membres, revenus, départs et votre objectif de vrais fans" },
} as const satisfies APIApplicationCommandSubcommandOption;
