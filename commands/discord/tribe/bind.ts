import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";
import { tierOption } from "../options.ts";

export const bindSubcommand = {
  type: Opt.Subcommand,
  name: "bind",
  name_localizations: { fr: "lier-telegram" },
  description: "Make a code that opens a Telegram group or channel to a tier",
  description_localizations: { fr: "Créer un code qui ouvre un groupe ou canal Telegram à un palier" },
  options: [tierOption(true)],
} as const satisfies APIApplicationCommandSubcommandOption;
