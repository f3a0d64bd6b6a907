import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

export const setupSubcommand = {
  type: Opt.Subcommand,
  name: "setup",
  name_localizations: { fr: "installer" },
  description: "Check that tribegate can give and take this server's tier roles",
  description_localizations: {
    fr: "Vérifier que tribegate peut donner et retirer les rôles des paliers de ce serveur",
  },
} as const satisfies APIApplicationCommandSubcommandOption;
