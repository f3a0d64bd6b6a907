/**
 * Telegram commands as typed data: one list per audience, each description in English and French.
 * The adapter registers them with setMyCommands (src/adapters/telegram/commandMenu.ts) and routes the
 * same names, so the menu a user sees and what the bot answers cannot drift apart
 * (test/unit/command-handlers.test.ts).
 */
import type { BotCommand } from "grammy/types";

export type CommandLocale = "en" | "fr";

export interface TelegramCommand {
  /** 1-32 lowercase letters, digits or underscores (Telegram's rule). */
  readonly command: string;
  readonly description: Readonly<Record<CommandLocale, string>>;
  /** How to call it, shown when the arguments are wrong. */
  readonly usage?: Readonly<Record<CommandLocale, string>>;
}

/** Everyone, in a private chat with the bot. */
export const FAN_COMMANDS = [
  {
    command: "start",
    description: { en: "Become a member: pick a tier", fr: "Devenir membre : choisir un palier" },
  },
  {
    command: "membership",
    description: {
      en: "Your membership and billing portal",
      fr: "Votre abonnement et le portail de paiement",
    },
  },
  {
    command: "link",
    description: {
      en: "Link your Discord account (or redeem a code)",
      fr: "Lier votre compte Discord (ou utiliser un code)",
    },
    usage: { en: "/link or /link <code from Discord>", fr: "/link ou /link <code venant de Discord>" },
  },
  {
    command: "claim",
    description: { en: "Get your member chats back", fr: "Retrouver vos discussions de membre" },
  },
  {
    command: "idea",
    description: {
      en: "Propose what the creator makes next",
      fr: "Proposer ce que le créateur fera ensuite",
    },
    usage: { en: "/idea <title> | <description>", fr: "/idea <titre> | <description>" },
  },
  {
    command: "ideas",
    description: { en: "Top ideas, to upvote", fr: "Les meilleures idées, à soutenir" },
  },
  {
    command: "myideas",
    description: {
      en: "Your ideas and those you back, where each stands",
      fr: "Vos idées et celles que vous soutenez, où chacune en est",
    },
  },
  {
    command: "credit",
    description: {
      en: "Your name on the roadmap for your ideas",
      fr: "Votre nom sur la feuille de route pour vos idées",
    },
    usage: {
      en: "/credit <name, 2 to 32 characters> or /credit - to be credited anonymously",
      fr: "/credit <nom, 2 à 32 caractères> ou /credit - pour être crédité anonymement",
    },
  },
] as const satisfies readonly TelegramCommand[];

/** Administrators of any group or channel the bot is in. */
export const GROUP_ADMIN_COMMANDS = [
  {
    command: "bind",
    description: {
      en: "Bind this chat to a tier (code from /bindcode)",
      fr: "Lier ce groupe à un palier (code de /bindcode)",
    },
    usage: {
      en: "/bind <code> in the chat, or /bind <code> <chat id or @username> in private",
      fr: "/bind <code> dans le groupe, ou /bind <code> <id du groupe ou @nom> en privé",
    },
  },
] as const satisfies readonly TelegramCommand[];

/** TELEGRAM_CREATOR_IDS and the managers of settings.telegramManagerIds, in a private chat. */
export const CREATOR_COMMANDS = [
  { command: "tiers", description: { en: "List the tiers", fr: "Lister les paliers" } },
  {
    command: "newtier",
    description: { en: "Create a tier", fr: "Créer un palier" },
    usage: {
      en: "/newtier <amount> <currency> <month|year> <name>, e.g. /newtier 5 eur month Gold",
      fr: "/newtier <montant> <devise> <month|year> <nom>, ex. /newtier 5 eur month Or",
    },
  },
  {
    command: "edittier",
    description: { en: "Rename or describe a tier", fr: "Renommer ou décrire un palier" },
    usage: {
      en: "/edittier <tier> name <new name> | /edittier <tier> description <text>",
      fr: "/edittier <palier> name <nouveau nom> | /edittier <palier> description <texte>",
    },
  },
  {
    command: "archivetier",
    description: { en: "Stop selling a tier", fr: "Arrêter de vendre un palier" },
    usage: { en: "/archivetier <tier>", fr: "/archivetier <palier>" },
  },
  {
    command: "price",
    description: {
      en: "Set a new price for new members",
      fr: "Fixer un nouveau prix pour les nouveaux membres",
    },
    usage: {
      en: "/price <tier> <amount> [month|year|lifetime]",
      fr: "/price <palier> <montant> [month|year|lifetime]",
    },
  },
  {
    command: "grace",
    description: { en: "Days a failed payment keeps access", fr: "Jours d'accès après un paiement échoué" },
    usage: { en: "/grace <days>", fr: "/grace <jours>" },
  },
  {
    command: "trial",
    description: {
      en: "Free trial days (default or per tier)",
      fr: "Jours d'essai gratuit (par défaut ou par palier)",
    },
    usage: { en: "/trial <days> | /trial <tier> <days>", fr: "/trial <jours> | /trial <palier> <jours>" },
  },
  {
    command: "promocodes",
    description: { en: "Allow promotion codes at checkout", fr: "Autoriser les codes promo au paiement" },
    usage: { en: "/promocodes on|off", fr: "/promocodes on|off" },
  },
  {
    command: "pauses",
    description: {
      en: "Let fans pause payments; access kept or lost",
      fr: "Pauses des paiements : accès gardé ou perdu",
    },
    usage: {
      en: "/pauses [on|off] [kept|lost] [1-3 months]",
      fr: "/pauses [on|off] [kept|lost] [1-3 mois]",
    },
  },
  {
    command: "goal",
    description: { en: "Set the true-fans goal", fr: "Fixer l'objectif de vrais fans" },
    usage: { en: "/goal <members>", fr: "/goal <membres>" },
  },
  { command: "stats", description: { en: "Members, revenue, goal", fr: "Membres, revenus, objectif" } },
  {
    command: "profile",
    description: {
      en: "Your public page: name, pitch, picture",
      fr: "Votre page publique : nom, présentation, image",
    },
    usage: {
      en: "/profile | /profile name|pitch|picture|invite <text, or - to clear> | /profile goal on|off",
      fr: "/profile | /profile name|pitch|picture|invite <texte, ou - pour effacer> | /profile goal on|off",
    },
  },
  {
    command: "member",
    description: { en: "Look a member up", fr: "Consulter un membre" },
    usage: {
      en: "/member <telegram id | @username | discord:<id> | cus_…>",
      fr: "/member <id telegram | @nom | discord:<id> | cus_…>",
    },
  },
  {
    command: "resync",
    description: { en: "Re-apply a member's access", fr: "Réappliquer l'accès d'un membre" },
    usage: { en: "/resync <member>", fr: "/resync <membre>" },
  },
  {
    command: "revoke",
    description: { en: "Take a member's access away", fr: "Retirer l'accès d'un membre" },
    usage: { en: "/revoke <member> [reason]", fr: "/revoke <membre> [raison]" },
  },
  {
    command: "restore",
    description: { en: "Give a revoked member access back", fr: "Rendre l'accès à un membre retiré" },
    usage: { en: "/restore <member>", fr: "/restore <membre>" },
  },
  {
    command: "unlink",
    description: {
      en: "Detach a member's Discord or Telegram account",
      fr: "Détacher le compte Discord ou Telegram d'un membre",
    },
    usage: {
      en: "/unlink <member> <discord|telegram>, e.g. /unlink discord:123456789012345678 telegram",
      fr: "/unlink <membre> <discord|telegram>, ex. /unlink discord:123456789012345678 telegram",
    },
  },
  {
    command: "reconcile",
    description: {
      en: "Compare Stripe, ledger, Telegram (dry run)",
      fr: "Comparer Stripe, registre, Telegram (à blanc)",
    },
    usage: { en: "/reconcile (dry run) | /reconcile apply", fr: "/reconcile (à blanc) | /reconcile apply" },
  },
  {
    command: "deadjobs",
    description: { en: "Access changes that failed", fr: "Changements d'accès en échec" },
  },
  {
    command: "retryjob",
    description: { en: "Retry failed access changes", fr: "Relancer les changements en échec" },
    usage: { en: "/retryjob <id> | /retryjob all", fr: "/retryjob <id> | /retryjob all" },
  },
  {
    command: "bindcode",
    description: { en: "Code to bind a chat to a tier", fr: "Code pour lier un groupe à un palier" },
    usage: { en: "/bindcode <tier>", fr: "/bindcode <palier>" },
  },
  {
    command: "managers",
    description: { en: "Who else may use these commands", fr: "Qui d'autre peut utiliser ces commandes" },
    usage: { en: "/managers [add|remove <telegram id>]", fr: "/managers [add|remove <id telegram>]" },
  },
  {
    command: "feed",
    description: { en: "Your feed: which lines you receive", fr: "Votre fil : les lignes que vous recevez" },
    usage: {
      en: "/feed | /feed on <kind> | /feed off <kind> (kinds: member_new, tier_change, cancellation, payment_failed, payment_recovered, access_failed, weekly_summary, failover, cycle)",
      fr: "/feed | /feed on <type> | /feed off <type> (types : member_new, tier_change, cancellation, payment_failed, payment_recovered, access_failed, weekly_summary, failover, cycle)",
    },
  },
  {
    command: "roadmapmsg",
    description: {
      en: "Roadmap message pinned in the member chats",
      fr: "Message de feuille de route épinglé dans les groupes",
    },
    usage: {
      en: "/roadmapmsg | /roadmapmsg on | /roadmapmsg off",
      fr: "/roadmapmsg | /roadmapmsg on | /roadmapmsg off",
    },
  },
  {
    command: "cycle",
    description: {
      en: "Monthly poll of the top shortlisted ideas",
      fr: "Sondage mensuel des idées retenues les plus soutenues",
    },
    usage: {
      en: "/cycle | /cycle on [day=1-28] [hour=0-23] [days=1-14] [top=2-10] [min=upvotes] [mode=single|approval|ranked] | /cycle off\nExample: /cycle on day=25 days=5 top=3 min=2 (hour in UTC; options left out keep their value)",
      fr: "/cycle | /cycle on [day=1-28] [hour=0-23] [days=1-14] [top=2-10] [min=soutiens] [mode=single|approval|ranked] | /cycle off\nExemple : /cycle on day=25 days=5 top=3 min=2 (heure UTC ; les options absentes gardent leur valeur)",
    },
  },
  {
    command: "poll",
    description: { en: "Open a poll in the member chats", fr: "Ouvrir un sondage dans les groupes" },
    usage: {
      en: "/poll <30m|2h|3d|1w> <single|approval|ranked|budget> [tier=gold,silver] [weight=gold:2] [budget=gold:10,silver:5] [cap=3] [hidden] [late] <question> | <option 1> | <option 2> ...\ntier: only these tiers vote · weight: a tier's ballot counts more · budget: points each member spreads (budget mode) · cap: most points per option · hidden: results at the closing · late: members who join later may vote",
      fr: "/poll <30m|2h|3j|1w> <single|approval|ranked|budget> [tier=gold,silver] [weight=gold:2] [budget=gold:10,silver:5] [cap=3] [hidden] [late] <question> | <option 1> | <option 2> ...\ntier : seuls ces paliers votent · weight : le bulletin d'un palier compte plus · budget : points que chaque membre répartit (mode budget) · cap : points maximum par option · hidden : résultats à la fermeture · late : les membres arrivés ensuite peuvent voter",
    },
  },
  {
    command: "ideapoll",
    description: {
      en: "Turn a shortlist of ideas into a poll",
      fr: "Faire d'une sélection d'idées un sondage",
    },
    usage: {
      en: "/ideapoll <30m|2h|3d|1w> <single|approval|ranked> <idea id> <idea id> ... [| <question>]",
      fr: "/ideapoll <30m|2h|3j|1w> <single|approval|ranked> <id d'idée> <id d'idée> ... [| <question>]",
    },
  },
  {
    command: "closepoll",
    description: { en: "Close a poll now", fr: "Fermer un sondage maintenant" },
    usage: { en: "/closepoll <poll id>", fr: "/closepoll <id du sondage>" },
  },
  {
    command: "results",
    description: { en: "A poll's results (even hidden ones)", fr: "Résultats d'un sondage (même cachés)" },
    usage: { en: "/results <poll id>", fr: "/results <id du sondage>" },
  },
  {
    command: "exportpoll",
    description: { en: "Every ballot of a poll, as CSV", fr: "Tous les bulletins d'un sondage, en CSV" },
    usage: { en: "/exportpoll <poll id>", fr: "/exportpoll <id du sondage>" },
  },
  {
    command: "commit",
    description: {
      en: "Tell voters the winner is in the works or shipped",
      fr: "Dire aux votants que le gagnant est en préparation ou livré",
    },
    usage: {
      en: "/commit <poll id> in_the_works|shipped",
      fr: "/commit <id du sondage> in_the_works|shipped",
    },
  },
  {
    command: "decide",
    description: { en: "Shortlist, merge or decline an idea", fr: "Retenir, fusionner ou refuser une idée" },
    usage: {
      en: "/decide <idea id> shortlisted | /decide <idea id> declined <reason> | /decide <idea id> merged <into idea id>",
      fr: "/decide <id de l'idée> shortlisted | /decide <id de l'idée> declined <raison> | /decide <id de l'idée> merged <id de l'idée cible>",
    },
  },
  {
    command: "editidea",
    description: {
      en: "Fix an idea's title or description",
      fr: "Corriger le titre ou la description d'une idée",
    },
    usage: {
      en: "/editidea <idea id> <new title> | <new description> (either part may be left out)",
      fr: "/editidea <id de l'idée> <nouveau titre> | <nouvelle description> (l'une des deux parties peut manquer)",
    },
  },
] as const satisfies readonly TelegramCommand[];

export type CreatorCommandName = (typeof CREATOR_COMMANDS)[number]["command"];
export type FanCommandName = (typeof FAN_COMMANDS)[number]["command"];

export const ALL_COMMANDS: readonly TelegramCommand[] = [
  ...FAN_COMMANDS,
  ...GROUP_ADMIN_COMMANDS,
  ...CREATOR_COMMANDS,
];

/** The usage line of a command, in a language. */
export function usageOf(name: string, locale: CommandLocale): string {
  const found = ALL_COMMANDS.find((c) => c.command === name);
  return found?.usage?.[locale] ?? `/${name}`;
}

/** As setMyCommands takes them, in one language. */
export function botCommands(list: readonly TelegramCommand[], locale: CommandLocale): BotCommand[] {
  return list.map((c) => ({ command: c.command, description: c.description[locale] }));
}
