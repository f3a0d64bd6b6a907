/**
 * tribegate's Discord slash commands, as the JSON Discord stores (typed data, after Yuudachi).
 * English names and descriptions, French localizations. The handlers in src/adapters/discord/commands/
 * read their options through types derived from these objects, so renaming an option here is a
 * compile error there. Registered by scripts/deploy-discord-commands.ts, and by the bot at start-up
 * when what Discord has differs.
 */
import {
  type APIApplicationCommandBasicOption,
  ApplicationIntegrationType,
  ChannelType,
  InteractionContextType,
  ApplicationCommandOptionType as Opt,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord-api-types/v10";

/** Fans may use their commands in a server or in a DM with the bot. */
const FAN_CONTEXTS: InteractionContextType[] = [InteractionContextType.Guild, InteractionContextType.BotDM];
/** Creator commands act on a server; Discord does not offer them in DMs (the bot refuses them there too). */
const GUILD_ONLY: InteractionContextType[] = [InteractionContextType.Guild];
const GUILD_INSTALL: ApplicationIntegrationType[] = [ApplicationIntegrationType.GuildInstall];

const tierOption = <const R extends boolean>(required: R) =>
  ({
    type: Opt.String,
    name: "tier",
    name_localizations: { fr: "palier" },
    description: "The tier (its name or slug)",
    description_localizations: { fr: "Le palier (son nom ou identifiant)" },
    required,
    autocomplete: true,
    max_length: 100,
  }) as const;

const userOption = {
  type: Opt.User,
  name: "user",
  name_localizations: { fr: "utilisateur" },
  description: "The member on Discord",
  description_localizations: { fr: "Le membre sur Discord" },
  required: true,
} as const;

const pollOption = {
  type: Opt.String,
  name: "poll",
  name_localizations: { fr: "sondage" },
  description: "The poll (pick it from the list, or paste its id)",
  description_localizations: { fr: "Le sondage (choisissez-le dans la liste, ou collez son identifiant)" },
  required: true,
  autocomplete: true,
  max_length: 64,
} as const;

const ideaOption = <const N extends string, const R extends boolean>(name: N, fr: string, required: R) =>
  ({
    type: Opt.String,
    name,
    name_localizations: { fr },
    description: "The idea (pick it from the list, or paste its id)",
    description_localizations: { fr: "L'idée (choisissez-la dans la liste, ou collez son identifiant)" },
    required,
    autocomplete: true,
    max_length: 64,
  }) as const;

const durationOption = {
  type: Opt.String,
  name: "duration",
  name_localizations: { fr: "durée" },
  description: "How long it stays open: 30m, 2h, 3d, 1w",
  description_localizations: { fr: "Combien de temps il reste ouvert : 30m, 2h, 3j (jours), 1w (semaines)" },
  required: true,
  max_length: 10,
} as const;

const modeOption = {
  type: Opt.String,
  name: "mode",
  description: "single choice (default), approval (several), or ranked (order of preference)",
  description_localizations: {
    fr: "choix unique (par défaut), approbation (plusieurs), ou classement (ordre de préférence)",
  },
  choices: [
    { name: "single choice", name_localizations: { fr: "choix unique" }, value: "single" },
    { name: "approval", name_localizations: { fr: "approbation" }, value: "approval" },
    { name: "ranked", name_localizations: { fr: "classement" }, value: "ranked" },
  ],
} as const satisfies APIApplicationCommandBasicOption;

const channelOption = {
  type: Opt.Channel,
  name: "channel",
  name_localizations: { fr: "salon" },
  description: "Where to post the poll on Discord (the poll channels in settings, else here, if empty)",
  description_localizations: {
    fr: "Où publier le sondage sur Discord (les salons de sondage des réglages, sinon ici, si vide)",
  },
  channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
} as const satisfies APIApplicationCommandBasicOption;

export const joinCommand = {
  name: "join",
  name_localizations: { fr: "rejoindre" },
  description: "Become a member: pick a tier and pay securely with Stripe",
  description_localizations: { fr: "Devenir membre : choisissez un palier et payez en sécurité avec Stripe" },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
  options: [tierOption(false)],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const membershipCommand = {
  name: "membership",
  name_localizations: { fr: "abonnement" },
  description: "Your membership: state, renewal date and a link to manage it",
  description_localizations: { fr: "Votre abonnement : état, date de renouvellement et lien pour le gérer" },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const linkCommand = {
  name: "link",
  name_localizations: { fr: "lier" },
  description: "Link your Telegram account: get a code, or enter the code Telegram gave you",
  description_localizations: {
    fr: "Lier votre compte Telegram : obtenez un code, ou saisissez celui donné sur Telegram",
  },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
  options: [
    {
      type: Opt.String,
      name: "code",
      description: "A code made on Telegram (leave empty to get a code for Telegram)",
      description_localizations: {
        fr: "Un code créé sur Telegram (laissez vide pour obtenir un code pour Telegram)",
      },
      required: false,
      max_length: 16,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const claimCommand = {
  name: "claim",
  name_localizations: { fr: "récupérer" },
  description: "Get your member roles back (after leaving and rejoining the server)",
  description_localizations: {
    fr: "Retrouver vos rôles de membre (après avoir quitté puis rejoint le serveur)",
  },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const tribeCommand = {
  name: "tribe",
  name_localizations: { fr: "tribu" },
  description: "Creator tools: tiers, settings, members, stats",
  description_localizations: { fr: "Outils du créateur : paliers, réglages, membres, statistiques" },
  // Hidden from members without Manage Server (server admins can widen it for manager roles in
  // Server Settings → Integrations); the bot checks again on every use.
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  contexts: GUILD_ONLY,
  integration_types: GUILD_INSTALL,
  options: [
    {
      type: Opt.Subcommand,
      name: "setup",
      name_localizations: { fr: "installer" },
      description: "Check that tribegate can give and take this server's tier roles",
      description_localizations: {
        fr: "Vérifier que tribegate peut donner et retirer les rôles des paliers de ce serveur",
      },
    },
    {
      type: Opt.Subcommand,
      name: "stats",
      name_localizations: { fr: "stats" },
      description: "Members, revenue, churn and your true-fans goal",
      description_localizations: { fr: "Membres, revenus, départs et votre objectif de vrais fans" },
    },
    {
      type: Opt.Subcommand,
      name: "settings",
      name_localizations: { fr: "réglages" },
      description:
        "Show or change the grace period, trials, promotion codes, goal, manager roles, poll channels",
      description_localizations: {
        fr: "Voir ou changer délai de grâce, essais, codes promo, objectif, rôles gérants, salons de sondage",
      },
      options: [
        {
          type: Opt.Integer,
          name: "grace-days",
          name_localizations: { fr: "jours-de-grâce" },
          description: "Days a member whose payment failed keeps access (0-60)",
          description_localizations: { fr: "Jours d'accès conservés après un paiement échoué (0-60)" },
          min_value: 0,
          max_value: 60,
        },
        {
          type: Opt.Integer,
          name: "trial-days",
          name_localizations: { fr: "jours-d-essai" },
          description: "Default free trial for new tiers, in days (0-730)",
          description_localizations: {
            fr: "Essai gratuit par défaut des nouveaux paliers, en jours (0-730)",
          },
          min_value: 0,
          max_value: 730,
        },
        {
          type: Opt.Boolean,
          name: "promotion-codes",
          name_localizations: { fr: "codes-promo" },
          description: "Let fans enter Stripe promotion codes at checkout",
          description_localizations: { fr: "Autoriser les codes promo Stripe au paiement" },
        },
        {
          type: Opt.Integer,
          name: "fans-goal",
          name_localizations: { fr: "objectif-fans" },
          description: "Your true-fans goal shown in stats",
          description_localizations: { fr: "Votre objectif de vrais fans affiché dans les stats" },
          min_value: 1,
          max_value: 10_000_000,
        },
        {
          type: Opt.Role,
          name: "add-manager-role",
          name_localizations: { fr: "ajouter-rôle-gérant" },
          description: "Let this role use the creator commands",
          description_localizations: { fr: "Autoriser ce rôle à utiliser les commandes du créateur" },
        },
        {
          type: Opt.Role,
          name: "remove-manager-role",
          name_localizations: { fr: "retirer-rôle-gérant" },
          description: "Stop letting this role use the creator commands",
          description_localizations: { fr: "Retirer à ce rôle l'accès aux commandes du créateur" },
        },
        {
          type: Opt.Channel,
          name: "add-poll-channel",
          name_localizations: { fr: "ajouter-salon-sondages" },
          description: "Post every new poll in this channel (also polls opened on Telegram)",
          description_localizations: {
            fr: "Publier chaque nouveau sondage dans ce salon (aussi ceux ouverts sur Telegram)",
          },
          channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
        },
        {
          type: Opt.Channel,
          name: "remove-poll-channel",
          name_localizations: { fr: "retirer-salon-sondages" },
          description: "Stop posting new polls in this channel",
          description_localizations: { fr: "Ne plus publier les nouveaux sondages dans ce salon" },
          channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement],
        },
      ],
    },
    {
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
    },
    {
      type: Opt.Subcommand,
      name: "bind",
      name_localizations: { fr: "lier-telegram" },
      description: "Make a code that opens a Telegram group or channel to a tier",
      description_localizations: { fr: "Créer un code qui ouvre un groupe ou canal Telegram à un palier" },
      options: [tierOption(true)],
    },
    {
      type: Opt.SubcommandGroup,
      name: "tier",
      name_localizations: { fr: "palier" },
      description: "Create and manage tiers",
      description_localizations: { fr: "Créer et gérer les paliers" },
      options: [
        {
          type: Opt.Subcommand,
          name: "create",
          name_localizations: { fr: "créer" },
          description: "Create a tier with its price, role and (optionally) a private channel",
          description_localizations: {
            fr: "Créer un palier avec son prix, son rôle et (au choix) un salon privé",
          },
          options: [
            {
              type: Opt.String,
              name: "name",
              name_localizations: { fr: "nom" },
              description: "The tier's name, e.g. Supporter",
              description_localizations: { fr: "Le nom du palier, par exemple Soutien" },
              required: true,
              max_length: 100,
            },
            {
              type: Opt.String,
              name: "price",
              name_localizations: { fr: "prix" },
              description: "Price per period in the currency's main unit, e.g. 5 or 4.99",
              description_localizations: { fr: "Prix par période dans l'unité de la devise, ex. 5 ou 4,99" },
              required: true,
              max_length: 12,
            },
            {
              type: Opt.String,
              name: "currency",
              name_localizations: { fr: "devise" },
              description: "Three-letter currency code, e.g. eur or usd",
              description_localizations: { fr: "Code de devise à trois lettres, ex. eur ou usd" },
              required: true,
              min_length: 3,
              max_length: 3,
            },
            {
              type: Opt.String,
              name: "interval",
              name_localizations: { fr: "période" },
              description: "Billing period (monthly by default)",
              description_localizations: { fr: "Période de facturation (mensuelle par défaut)" },
              choices: [
                { name: "monthly", name_localizations: { fr: "mensuelle" }, value: "month" },
                { name: "yearly", name_localizations: { fr: "annuelle" }, value: "year" },
              ],
            },
            {
              type: Opt.Role,
              name: "role",
              name_localizations: { fr: "rôle" },
              description: "The role members get (a new role named after the tier if empty)",
              description_localizations: {
                fr: "Le rôle des membres (un nouveau rôle au nom du palier si vide)",
              },
            },
            {
              type: Opt.Boolean,
              name: "private-channel",
              name_localizations: { fr: "salon-privé" },
              description: "Also create a channel only this tier's members can see",
              description_localizations: { fr: "Créer aussi un salon visible des seuls membres du palier" },
            },
            {
              type: Opt.Integer,
              name: "trial-days",
              name_localizations: { fr: "jours-d-essai" },
              description: "Free trial in days (the default from settings if empty)",
              description_localizations: { fr: "Essai gratuit en jours (la valeur des réglages si vide)" },
              min_value: 0,
              max_value: 730,
            },
            {
              type: Opt.String,
              name: "description",
              description: "What members get",
              description_localizations: { fr: "Ce que les membres reçoivent" },
              max_length: 500,
            },
          ],
        },
        {
          type: Opt.Subcommand,
          name: "edit",
          name_localizations: { fr: "modifier" },
          description: "Rename a tier, change its description, trial or price (for new members)",
          description_localizations: {
            fr: "Renommer un palier, changer sa description, son essai ou son prix (nouveaux membres)",
          },
          options: [
            tierOption(true),
            {
              type: Opt.String,
              name: "name",
              name_localizations: { fr: "nom" },
              description: "New name",
              description_localizations: { fr: "Nouveau nom" },
              max_length: 100,
            },
            {
              type: Opt.String,
              name: "description",
              description: "New description",
              description_localizations: { fr: "Nouvelle description" },
              max_length: 500,
            },
            {
              type: Opt.Integer,
              name: "trial-days",
              name_localizations: { fr: "jours-d-essai" },
              description: "New free trial, in days",
              description_localizations: { fr: "Nouvel essai gratuit, en jours" },
              min_value: 0,
              max_value: 730,
            },
            {
              type: Opt.String,
              name: "price",
              name_localizations: { fr: "prix" },
              description: "New price for new members, e.g. 6 or 5.99",
              description_localizations: { fr: "Nouveau prix pour les nouveaux membres, ex. 6 ou 5,99" },
              max_length: 12,
            },
          ],
        },
        {
          type: Opt.Subcommand,
          name: "archive",
          name_localizations: { fr: "archiver" },
          description: "Stop selling a tier (current members keep it until they stop paying)",
          description_localizations: {
            fr: "Arrêter de vendre un palier (les membres le gardent tant qu'ils paient)",
          },
          options: [tierOption(true)],
        },
        {
          type: Opt.Subcommand,
          name: "list",
          name_localizations: { fr: "liste" },
          description: "List the tiers with their prices, roles and channels",
          description_localizations: { fr: "Lister les paliers avec leurs prix, rôles et salons" },
        },
        {
          type: Opt.Subcommand,
          name: "add-role",
          name_localizations: { fr: "ajouter-rôle" },
          description: "Give this role to the tier's members too",
          description_localizations: { fr: "Donner aussi ce rôle aux membres du palier" },
          options: [
            tierOption(true),
            {
              type: Opt.Role,
              name: "role",
              name_localizations: { fr: "rôle" },
              description: "The role",
              description_localizations: { fr: "Le rôle" },
              required: true,
            },
          ],
        },
        {
          type: Opt.Subcommand,
          name: "remove-role",
          name_localizations: { fr: "retirer-rôle" },
          description: "Stop giving this role to the tier's members",
          description_localizations: { fr: "Ne plus donner ce rôle aux membres du palier" },
          options: [
            tierOption(true),
            {
              type: Opt.Role,
              name: "role",
              name_localizations: { fr: "rôle" },
              description: "The role",
              description_localizations: { fr: "Le rôle" },
              required: true,
            },
          ],
        },
      ],
    },
    {
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
    },
    {
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
    },
    {
      type: Opt.SubcommandGroup,
      name: "poll",
      name_localizations: { fr: "sondage" },
      description: "Let the tribe vote on what you make next",
      description_localizations: { fr: "Faire voter la tribu sur ce que vous créez ensuite" },
      options: [
        {
          type: Opt.Subcommand,
          name: "open",
          name_localizations: { fr: "ouvrir" },
          description: "Open a poll and post it in a channel",
          description_localizations: { fr: "Ouvrir un sondage et le publier dans un salon" },
          options: [
            {
              type: Opt.String,
              name: "question",
              description: "The question members answer",
              description_localizations: { fr: "La question posée aux membres" },
              required: true,
              max_length: 300,
            },
            {
              type: Opt.String,
              name: "options",
              description: "2 to 10 options separated by | or ; (e.g. Tutorial | Vlog | Live)",
              description_localizations: {
                fr: "2 à 10 options séparées par | ou ; (par ex. Tutoriel | Vlog | Direct)",
              },
              required: true,
              max_length: 1100,
            },
            durationOption,
            modeOption,
            {
              ...tierOption(false),
              description: "Only members of this tier may vote (every member if empty)",
              description_localizations: { fr: "Seuls les membres de ce palier votent (tous si vide)" },
            },
            {
              type: Opt.String,
              name: "weights",
              name_localizations: { fr: "poids" },
              description: "Extra weight per tier, e.g. gold=2, silver=1 (1 to 10)",
              description_localizations: { fr: "Poids par palier, par ex. gold=2, silver=1 (1 à 10)" },
              max_length: 200,
            },
            {
              type: Opt.Boolean,
              name: "hidden",
              name_localizations: { fr: "masqué" },
              description: "Hide the results until the poll closes",
              description_localizations: { fr: "Masquer les résultats jusqu'à la fermeture" },
            },
            {
              type: Opt.Boolean,
              name: "late-joiners",
              name_localizations: { fr: "nouveaux-venus" },
              description: "Let members who join after the poll opens vote too (off: eligibility frozen now)",
              description_localizations: {
                fr: "Laisser voter les membres arrivés après l'ouverture (non : électeurs figés maintenant)",
              },
            },
            channelOption,
          ],
        },
        {
          type: Opt.Subcommand,
          name: "close",
          name_localizations: { fr: "fermer" },
          description: "Close a poll now and post its results",
          description_localizations: { fr: "Fermer un sondage maintenant et publier ses résultats" },
          options: [pollOption],
        },
        {
          type: Opt.Subcommand,
          name: "results",
          name_localizations: { fr: "résultats" },
          description: "See a poll's results (even hidden ones)",
          description_localizations: { fr: "Voir les résultats d'un sondage (même masqués)" },
          options: [pollOption],
        },
        {
          type: Opt.Subcommand,
          name: "export",
          name_localizations: { fr: "exporter" },
          description: "Every ballot of a poll, as a CSV file",
          description_localizations: { fr: "Tous les bulletins d'un sondage, en fichier CSV" },
          options: [pollOption],
        },
        {
          type: Opt.Subcommand,
          name: "commit",
          name_localizations: { fr: "engager" },
          description: "Tell the voters the winning option is in the works, or shipped",
          description_localizations: {
            fr: "Annoncer aux votants que l'option gagnante est en cours, ou livrée",
          },
          options: [
            pollOption,
            {
              type: Opt.String,
              name: "stage",
              name_localizations: { fr: "étape" },
              description: "Where the winning option stands",
              description_localizations: { fr: "Où en est l'option gagnante" },
              required: true,
              choices: [
                { name: "in the works", name_localizations: { fr: "en cours" }, value: "in_the_works" },
                { name: "shipped", name_localizations: { fr: "livré" }, value: "shipped" },
              ],
            },
          ],
        },
      ],
    },
    {
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
          description: "Accept, merge or decline an idea (its author is told)",
          description_localizations: {
            fr: "Accepter, fusionner ou refuser une idée (son auteur est prévenu)",
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
                { name: "accepted", name_localizations: { fr: "acceptée" }, value: "accepted" },
                { name: "merged", name_localizations: { fr: "fusionnée" }, value: "merged" },
                { name: "declined", name_localizations: { fr: "refusée" }, value: "declined" },
              ],
            },
            {
              ...ideaOption("into", "dans", false),
              description: "When merged: the idea it joins",
              description_localizations: { fr: "En cas de fusion : l'idée qu'elle rejoint" },
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
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const ideaCommand = {
  name: "idea",
  name_localizations: { fr: "idée" },
  description: "Propose what the creator could make next, and upvote the best ideas",
  description_localizations: {
    fr: "Proposer ce que le créateur pourrait faire ensuite, et soutenir les meilleures idées",
  },
  contexts: FAN_CONTEXTS,
  integration_types: GUILD_INSTALL,
  options: [
    {
      type: Opt.Subcommand,
      name: "propose",
      name_localizations: { fr: "proposer" },
      description: "Propose an idea (members only)",
      description_localizations: { fr: "Proposer une idée (membres seulement)" },
      options: [
        {
          type: Opt.String,
          name: "title",
          name_localizations: { fr: "titre" },
          description: "Your idea in a few words (3 to 100 characters)",
          description_localizations: { fr: "Votre idée en quelques mots (3 à 100 caractères)" },
          required: true,
          max_length: 100,
        },
        {
          type: Opt.String,
          name: "description",
          description: "More details (up to 500 characters)",
          description_localizations: { fr: "Plus de détails (jusqu'à 500 caractères)" },
          max_length: 500,
        },
      ],
    },
    {
      type: Opt.Subcommand,
      name: "upvote",
      name_localizations: { fr: "soutenir" },
      description: "Upvote an idea (once per idea)",
      description_localizations: { fr: "Soutenir une idée (une fois par idée)" },
      options: [ideaOption("idea", "idée", true)],
    },
    {
      type: Opt.Subcommand,
      name: "top",
      name_localizations: { fr: "meilleures" },
      description: "The most upvoted open ideas",
      description_localizations: { fr: "Les idées ouvertes les plus soutenues" },
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const discordCommands = [
  joinCommand,
  membershipCommand,
  linkCommand,
  claimCommand,
  tribeCommand,
  ideaCommand,
] as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody[];

export type DiscordCommand = (typeof discordCommands)[number];
export type DiscordCommandName = DiscordCommand["name"];
