import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

export const reconcileSubcommand = {
  type: Opt.Subcommand,
  name: "reconcile",
  name_localizations: { fr: "réconcilier" },
  description: "Compare Stripe, the ledger and Discord roles; preview, then repair",
  description_localizations: {
    fr: "Comparer Stripe, le registre et les rôles Discord ; aperçu, puis réparation",
  },
  options: [
    {
      type: Opt.Boolean,
      name: "apply",
      name_localizations: { fr: "appliquer" },
      description: "Repair at once instead of showing a preview",
      description_localizations: { fr: "Réparer tout de suite au lieu d'afficher un aperçu" },
    },
  ],
} as const satisfies APIApplicationCommandSubcommandOption;
