import {
  type APIApplicationCommandSubcommandGroupOption,
  ApplicationCommandOptionType as Opt,
} from "discord-api-types/v10";
import { userOption } from "../options.ts";

export const memberGroup = {
  type: Opt.SubcommandGroup,
  name: "member",
  name_localizations: { fr: "membre" },
  description: "Look a member up, re-sync, revoke or restore their access",
  description_localizations: { fr: "Consulter un membre, resynchroniser, retirer ou rétablir son accès" },
  options: [
    {
      type: Opt.Subcommand,
      name: "show",
      name_localizations: { fr: "voir" },
      description: "State, history and linked accounts of a member",
      description_localizations: { fr: "État, historique et comptes liés d'un membre" },
      options: [userOption],
    },
    {
      type: Opt.Subcommand,
      name: "resync",
      name_localizations: { fr: "resynchroniser" },
      description: "Apply again what the ledger says this member is owed",
      description_localizations: { fr: "Réappliquer ce que le registre doit à ce membre" },
      options: [userOption],
    },
    {
      type: Opt.Subcommand,
      name: "revoke",
      name_localizations: { fr: "retirer" },
      description: "Take this member's access away until you restore it",
      description_localizations: {
        fr: "Retirer l'accès de ce membre jusqu'à ce que vous le rétablissiez",
      },
      options: [
        userOption,
        {
          type: Opt.String,
          name: "reason",
          name_localizations: { fr: "raison" },
          description: "Why (kept in the member's history)",
          description_localizations: { fr: "Pourquoi (gardé dans l'historique du membre)" },
          max_length: 200,
        },
      ],
    },
    {
      type: Opt.Subcommand,
      name: "restore",
      name_localizations: { fr: "rétablir" },
      description: "Give back what this member's subscriptions owe them",
      description_localizations: { fr: "Rendre à ce membre ce que ses abonnements lui doivent" },
      options: [userOption],
    },
    {
      type: Opt.Subcommand,
      name: "unlink",
      name_localizations: { fr: "délier" },
      description: "Detach this member's account on a platform (its access there is removed)",
      description_localizations: {
        fr: "Détacher le compte de ce membre sur une plateforme (son accès y est retiré)",
      },
      options: [
        userOption,
        {
          type: Opt.String,
          name: "platform",
          name_localizations: { fr: "plateforme" },
          description: "Which of the member's accounts to unlink",
          description_localizations: { fr: "Quel compte du membre délier" },
          required: true,
          choices: [
            { name: "Telegram", value: "telegram" },
            { name: "Discord", value: "discord" },
          ],
        },
      ],
    },
  ],
} as const satisfies APIApplicationCommandSubcommandGroupOption;
