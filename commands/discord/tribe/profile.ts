import {
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";

/** The limits are the app's (src/app/profile.ts PROFILE_LIMITS); Discord enforces them as well. */
export const profileSubcommand = {
  type: Opt.Subcommand,
  name: "profile",
  name_localizations: { fr: "profil" },
  description: "Show or change what your public page shows: name, pitch, picture, invite, goal",
  description_localizations: {
    fr: "Voir ou changer votre page publique : nom, présentation, image, invitation, objectif",
  },
  options: [
    {
      type: Opt.String,
      name: "name",
      name_localizations: { fr: "nom" },
      description: "Your name as fans know it (up to 80 characters; - to clear)",
      description_localizations: {
        fr: "Votre nom tel que vos fans le connaissent (80 caractères max ; - pour effacer)",
      },
      max_length: 80,
    },
    {
      type: Opt.String,
      name: "pitch",
      name_localizations: { fr: "présentation" },
      description: "A short pitch: why join (up to 500 characters; - to clear)",
      description_localizations: {
        fr: "Une courte présentation : pourquoi rejoindre (500 caractères max ; - pour effacer)",
      },
      max_length: 500,
    },
    {
      type: Opt.String,
      name: "picture",
      name_localizations: { fr: "image" },
      description: "The https:// address of your picture (- to clear)",
      description_localizations: { fr: "L'adresse https:// de votre image (- pour effacer)" },
      max_length: 500,
    },
    {
      type: Opt.String,
      name: "invite",
      name_localizations: { fr: "invitation" },
      description: "A discord.gg invite shown when Discord sign-in is not set up (- to clear)",
      description_localizations: {
        fr: "Une invitation discord.gg montrée si la connexion Discord n'est pas en place (- pour effacer)",
      },
      max_length: 200,
    },
    {
      type: Opt.Boolean,
      name: "show-goal",
      name_localizations: { fr: "montrer-objectif" },
      description: "Show your true-fans goal's progress on the page",
      description_localizations: { fr: "Montrer la progression de votre objectif de vrais fans sur la page" },
    },
  ],
} as const satisfies APIApplicationCommandSubcommandOption;
