/**
 * Every text the Discord adapter shows, in English and French. Both tables have the same type, so a
 * string missing in one language is a compile error. Refusals of the rules (DomainError) come from
 * src/i18n, shared with Telegram; codes only Discord raises are translated here first.
 */
import type { DomainError } from "../../errors.ts";
import { errorText, type Locale, t } from "../../i18n/index.ts";

type Params = Record<string, string | number>;
type Text = string | ((p: Params) => string);

const en = {
  // Refusals only the Discord adapter raises (DomainError codes).
  "error.discord_guild_only": "This command works in a server only. Run it in your server, not in a DM.",
  "error.discord_not_manager":
    "Only members with the Manage Server permission, or a manager role the creator set, can use this.",
  "error.discord_role_unmanageable": (p) =>
    `tribegate cannot give or take ${p.role}: in Server Settings → Roles, drag the “tribegate” role above ${p.role}. Nothing changed.`,
  "error.discord_role_managed": (p) =>
    `${p.role} is managed by Discord or an integration (or is @everyone), so no bot can give it. Pick a normal role. Nothing changed.`,
  "error.discord_missing_permission": (p) =>
    `tribegate lacks the ${p.permission} permission here. Give it in Server Settings → Roles → tribegate, then try again. Nothing changed.`,
  "error.discord_no_tiers": "Nothing is for sale yet. The creator has not created a tier.",
  "error.discord_unknown_command": "This command is not known any more. Discord may still be updating it.",
  "error.discord_not_home":
    "tribegate works only in its creator's own server, and this is not one of them. If you are the creator and own the bot's Discord application, run /tribe setup here first.",
  "error.discord_not_home_fixed":
    "tribegate works only in its creator's own servers (the DISCORD_GUILD_IDS setting), and this is not one of them. Nothing changed.",
  "error.discord_setup_owner_only":
    "Only the owner of tribegate's Discord application (or a member of its team) can make this server tribegate's home. Ask them to run /tribe setup here. Nothing changed.",
  "error.discord_manage_server_only":
    "Only members with the Manage Server permission can change the manager roles. Nothing changed.",
  "error.discord_role_dangerous": (p) =>
    `${p.role} carries ${p.permissions}: every paying fan would get power over the server. Pick a role without admin or moderation permissions (or remove them from it in Server Settings → Roles). Nothing changed.`,
  "error.discord_role_above_you": (p) =>
    `${p.role} sits at or above your own highest role, so you cannot hand it out. Ask someone above it, or the server owner. Nothing changed.`,

  "join.pick": "Pick the tier you want to join:",
  "join.placeholder": "Choose a tier",
  "join.checkout": (p) =>
    `Join **${p.tier}** for ${p.price}. This private link opens Stripe's secure checkout; your roles arrive as soon as the payment goes through.`,
  "join.checkout_trial": (p) =>
    `Join **${p.tier}**: ${p.trialDays} day(s) free, then ${p.price}. This private link opens Stripe's secure checkout; your roles arrive as soon as you confirm.`,
  "join.pay": "Pay with Stripe",
  "join.already": (p) =>
    `You are already a member of **${p.tier}**. To change tier or card, or to cancel, use your membership portal.`,
  "join.already_no_portal": (p) =>
    `You are already a member of **${p.tier}**. Stripe cannot open your portal right now: try /membership in a minute.`,
  "portal.button": "Manage my membership",

  "membership.title": "Your membership",
  "membership.suspended": "Your access is paused by the creator.",
  "membership.renews": (p) => `renews ${p.date}`,
  "membership.ends": (p) => `ends ${p.date}`,
  "membership.trial_ends": (p) => `free trial until ${p.date}`,
  "membership.ended": (p) => `ended ${p.date}`,
  "membership.none_active": "No active membership. Use /join to pick a tier.",
  "state.active": "active",
  "state.trialing": "free trial",
  "state.past_due": "payment failed: update your card",
  "state.canceled": "canceled",
  "state.unpaid": "unpaid",
  "state.incomplete": "payment not finished",
  "state.incomplete_expired": "payment expired",
  "state.paused": "paused",
  "state.lifetime": "for life",

  "link.code": (p) =>
    `Your link code: **${p.code}** (single use, valid ${p.minutes} minutes). On Telegram, send \`/link ${p.code}\` to the bot.`,
  "link.done":
    "Done: this Discord account is now linked to your membership. Your member roles are on their way.",
  "claim.done": (p) => `Your access is being restored: ${p.count} role(s) or group(s) on their way.`,

  "setup.ok": (p) =>
    `All set: tribegate can give and take the ${p.count} tier role(s) of this server. Create tiers with /tribe tier create.`,
  "setup.problems": "tribegate cannot manage every tier role yet. Fix this, then run /tribe setup again:",
  "setup.bound": (p) =>
    `**${p.server}** is now tribegate's home server: its creator commands and fan commands work here, and nowhere else.`,
  "setup.public_bot":
    "⚠️ Your bot is a **Public Bot**: anyone can invite it (it leaves servers that are not yours, but turn it off). Developer portal → your application → Bot → Public Bot: off.",
  "setup.no_manage_roles":
    "Give the “tribegate” role the **Manage Roles** permission (Server Settings → Roles → tribegate).",
  "setup.role_above": (p) =>
    `Drag the “tribegate” role **above** ${p.role} (tier ${p.tier}) in Server Settings → Roles.`,
  "setup.role_managed": (p) =>
    `${p.role} (tier ${p.tier}) is managed by an integration: map the tier to a normal role with /tribe tier add-role.`,
  "setup.role_deleted": (p) =>
    `The role of tier ${p.tier} was deleted: map a new one with /tribe tier add-role, then /tribe jobs retry.`,
  "setup.no_manage_channels":
    "Optional: give tribegate **Manage Channels** if you want it to create private tier channels.",

  "tier.created": (p) =>
    `Tier **${p.tier}** (\`${p.slug}\`) is for sale at ${p.price}. Members get ${p.role}.`,
  "tier.created_channel": (p) => `Private channel ${p.channel} is open to them only.`,
  "tier.edited": (p) => `Tier **${p.tier}** updated.`,
  "tier.price_changed": (p) =>
    `New members now pay ${p.price}; current members keep the price they signed up for.`,
  "tier.archived": (p) =>
    `Tier **${p.tier}** is no longer for sale. Its members keep their access until they stop paying.`,
  "tier.list_title": "Tiers",
  "tier.list_empty": "No tier yet. Create one with /tribe tier create.",
  "tier.archived_flag": "archived",
  "tier.no_access": "no role yet",
  "tier.telegram_chat": (p) => `Telegram chat ${p.chat}`,
  "tier.role_added": (p) => `Members of **${p.tier}** now also get ${p.role}.`,
  "tier.role_removed": (p) => `Members of **${p.tier}** no longer get ${p.role}.`,
  "interval.month": (p) => `${p.price}/month`,
  "interval.year": (p) => `${p.price}/year`,
  "interval.once": (p) => `${p.price} once`,

  "settings.title": "Settings",
  "settings.saved": "Saved.",
  "settings.graceDays": "Grace period after a failed payment",
  "settings.defaultTrialDays": "Default free trial",
  "settings.allowPromotionCodes": "Promotion codes at checkout",
  "settings.trueFansGoal": "True-fans goal",
  "settings.managers": "Manager roles (besides Manage Server)",
  "settings.pollChannels": "Channels where new polls are posted",
  "settings.days": (p) => `${p.n} day(s)`,
  "settings.on": "on",
  "settings.off": "off",
  "settings.none": "none",

  "stats.title": "Your tribe",
  "stats.active": "Members",
  "stats.goal": (p) => `${p.active} of ${p.goal} true fans (${p.percent}%)`,
  "stats.trialing": "In free trial",
  "stats.past_due": "Payment failed (in grace)",
  "stats.mrr": "Monthly revenue",
  "stats.new": "New (30 days)",
  "stats.churned": "Left (30 days)",
  "stats.per_tier": "Per tier",

  "member.title": (p) => `Member ${p.user}`,
  "member.subscriptions": "Subscriptions",
  "member.none": "none",
  "member.identities": "Accounts",
  "member.history": "Recent history",
  "member.access": "Access jobs",
  "member.suspended": (p) => `Access revoked by the creator: ${p.reason}`,
  "member.resynced": (p) => `Re-sync requested: ${p.grants} grant(s), ${p.revokes} revoke(s) on their way.`,
  "member.revoked": (p) =>
    `${p.user}'s access is revoked (${p.revokes} role(s) being removed) until you restore it.`,
  "member.restored": (p) => `${p.user}'s access is restored (${p.grants} role(s) on their way).`,
  "member.unlinked": (p) =>
    `${p.platform} account ${p.account} is no longer linked to ${p.user}'s membership; its access there is being removed (${p.revokes} change(s)). The fan can now link another ${p.platform} account with /link.`,

  "reconcile.preview_title": "Reconciliation preview (nothing changed)",
  "reconcile.applied_title": "Reconciliation done",
  "reconcile.summary": (p) =>
    `${p.subs} Stripe subscription(s) and ${p.members} member(s) checked; ${p.drift} difference(s).`,
  "reconcile.clean": "Stripe, the ledger and Discord agree.",
  "reconcile.more": (p) => `…and ${p.n} more.`,
  "reconcile.unreadable": (p) => `Could not read: ${p.targets} (deleted role, or the bot left the server).`,
  "reconcile.unmanaged": (p) => `${p.n} account(s) hold a tier role without a membership (left alone).`,
  "reconcile.apply_button": "Repair now",
  "reconcile.note": "Only Discord is read here; the periodic reconciliation also reads Telegram.",

  "jobs.title": "Role changes that failed",
  "jobs.none": "No failed role change.",
  "jobs.retry_hint": "Fix the cause, then run /tribe jobs retry.",
  "jobs.retried": (p) => `${p.count} role change(s) queued again.`,

  "bind.code": (p) =>
    `Bind code for **${p.tier}**: **${p.code}** (single use, valid ${p.minutes} minutes). In the Telegram group or channel, as an administrator, send \`/bind ${p.code}\` (the bot must be an admin there).`,
  "error.input_duration_invalid": (p) =>
    `The duration “${p.value}” is not one: write a number and a unit, e.g. 30m, 12h, 3d or 1w (minutes, hours, days, weeks). Nothing changed.`,
  "error.input_weights_invalid": (p) =>
    `In the weights option, “${p.part}” is not tier=number: write e.g. gold=3, silver=1 (weights from 1 to 10). Nothing changed.`,
  "error.input_options_missing":
    "The options option holds no option: write 2 to 10 options separated by | or ;, e.g. Tutorial | Vlog | Live. Nothing changed.",
  "error.discord_poll_channel":
    "tribegate cannot post in that channel: pick a text channel of this server it can see and write in.",

  "poll.opened": (p) => `Poll \`${p.id}\` is open; it closes ${p.closes}.`,
  "poll.posted_discord": (p) => `Discord: ${p.links}`,
  "poll.posted_telegram": (p) => `Telegram: posted in ${p.count} chat(s).`,
  "poll.unposted_discord":
    "Discord: not posted (no poll channel set: `/tribe settings add-poll-channel`, or name a channel).",
  "poll.unposted_telegram":
    "Telegram: no group or channel is bound to the tiers of this poll (`/tribe bind`, then `/bind` there).",
  "poll.post_failed": (p) => `${p.platform}: could not post in ${p.chat} (${p.reason}).`,
  "poll.closed": (p) => `Poll closed: **${p.question}**. The results are on its message.`,
  "poll.closed_title": (p) => `Closed: ${p.question}`,
  "poll.winner": (p) => `🏆 Winner: **${p.option}**`,
  "poll.tie": (p) => `Tie between ${p.options}: no single winner.`,
  "poll.no_votes": "Nobody voted.",
  "poll.round": (p) => `Round ${p.n}: ${p.counts}`,
  "poll.round_out": (p) => ` → out: ${p.options}`,
  "poll.hint_single": "Click an option to vote. You can change your vote until the poll closes.",
  "poll.hint_approval":
    "Pick every option you like in the menu. You can change your picks until the poll closes.",
  "poll.hint_ranked":
    "Click “Rank the options”, then pick them one by one, favourite first (a menu cannot keep the order of several picks).",
  "poll.field_closes": "Closes",
  "poll.field_closed": "Closed",
  "poll.field_mode": "Mode",
  "poll.field_voters": "Voters",
  "poll.field_who": "Who votes",
  "poll.everyone": "every member",
  "poll.mode_single": "single choice",
  "poll.mode_approval": "approval (several picks)",
  "poll.mode_ranked": "ranked choice",
  "poll.hidden_note": "Results are hidden until the poll closes.",
  "poll.approval_placeholder": "Pick the options you like",
  "poll.rank_button": "Rank the options",
  "poll.rank_intro": "Pick your options one by one, favourite first. Submit whenever you are done.",
  "poll.rank_so_far": "Your ranking so far:",
  "poll.rank_pick": (p) => `Your choice #${p.n}`,
  "poll.rank_submit": "Submit this ranking",
  "poll.exported": (p) =>
    `${p.count} ballot(s) of “${p.question}”, every one cast (the latest of each member counts).`,
  "poll.committed": (p) => `Done: the winning option is ${p.stage}. ${p.count} voter(s) are being told.`,
  "poll.stage_in_the_works": "in the works",
  "poll.stage_shipped": "shipped",
  "vote.counted": (p) => `Your vote for ${p.choice} is counted (weight ${p.weight}).`,
  "vote.changed": (p) =>
    `Your vote is now ${p.choice} (weight ${p.weight}); your previous vote no longer counts.`,
  "vote.unchanged": (p) => `You already voted ${p.choice}: nothing changed (weight ${p.weight}).`,
  "vote.cleared": "Your ballot is cleared: it counts for nothing until you vote again.",

  "idea.proposed": (p) =>
    `Idea proposed: **${p.title}** (\`${p.id}\`). Other members can upvote it with /idea upvote.`,
  "idea.upvoted": (p) => `You upvoted **${p.title}**: ${p.votes} upvote(s) now.`,
  "idea.top_title": "Top ideas",
  "idea.top_empty": "No open idea yet. Propose one with /idea propose.",
  "idea.votes": (p) => `${p.votes} upvote(s)`,
  "idea.decided": (p) => `**${p.title}** is ${p.decision}. Its author is being told.`,
  "idea.decision_accepted": "accepted",
  "idea.decision_merged": "merged",
  "idea.decision_declined": "declined",
} satisfies Record<string, Text>;

export type UiKey = keyof typeof en;

const fr: Record<UiKey, Text> = {
  "error.discord_guild_only":
    "Cette commande ne fonctionne que dans un serveur. Lancez-la dans votre serveur, pas en message privé.",
  "error.discord_not_manager":
    "Seuls les membres ayant la permission Gérer le serveur, ou un rôle gérant choisi par le créateur, peuvent l'utiliser.",
  "error.discord_role_unmanageable": (p) =>
    `tribegate ne peut pas donner ni retirer ${p.role} : dans Paramètres du serveur → Rôles, placez le rôle « tribegate » au-dessus de ${p.role}. Rien n'a changé.`,
  "error.discord_role_managed": (p) =>
    `${p.role} est géré par Discord ou une intégration (ou c'est @everyone) : aucun bot ne peut le donner. Choisissez un rôle normal. Rien n'a changé.`,
  "error.discord_missing_permission": (p) =>
    `tribegate n'a pas la permission ${p.permission} ici. Donnez-la dans Paramètres du serveur → Rôles → tribegate, puis réessayez. Rien n'a changé.`,
  "error.discord_no_tiers": "Rien n'est encore en vente : le créateur n'a pas créé de palier.",
  "error.discord_unknown_command":
    "Cette commande n'existe plus. Discord est peut-être encore en train de la mettre à jour.",
  "error.discord_not_home":
    "tribegate ne fonctionne que dans le serveur de son créateur, et ce n'en est pas un. Si vous êtes le créateur et possédez l'application Discord du bot, lancez d'abord /tribu installer ici.",
  "error.discord_not_home_fixed":
    "tribegate ne fonctionne que dans les serveurs de son créateur (le réglage DISCORD_GUILD_IDS), et ce n'en est pas un. Rien n'a changé.",
  "error.discord_setup_owner_only":
    "Seul le propriétaire de l'application Discord de tribegate (ou un membre de son équipe) peut faire de ce serveur la maison de tribegate. Demandez-lui de lancer /tribu installer ici. Rien n'a changé.",
  "error.discord_manage_server_only":
    "Seuls les membres ayant la permission Gérer le serveur peuvent changer les rôles gérants. Rien n'a changé.",
  "error.discord_role_dangerous": (p) =>
    `${p.role} donne ${p.permissions} : chaque fan payant aurait du pouvoir sur le serveur. Choisissez un rôle sans permission d'administration ni de modération (ou retirez-les-lui dans Paramètres du serveur → Rôles). Rien n'a changé.`,
  "error.discord_role_above_you": (p) =>
    `${p.role} est au niveau de votre rôle le plus haut, ou au-dessus : vous ne pouvez pas le distribuer. Demandez à quelqu'un au-dessus, ou au propriétaire du serveur. Rien n'a changé.`,

  "join.pick": "Choisissez le palier que vous voulez rejoindre :",
  "join.placeholder": "Choisir un palier",
  "join.checkout": (p) =>
    `Rejoindre **${p.tier}** pour ${p.price}. Ce lien privé ouvre le paiement sécurisé de Stripe ; vos rôles arrivent dès que le paiement passe.`,
  "join.checkout_trial": (p) =>
    `Rejoindre **${p.tier}** : ${p.trialDays} jour(s) gratuit(s), puis ${p.price}. Ce lien privé ouvre le paiement sécurisé de Stripe ; vos rôles arrivent dès votre confirmation.`,
  "join.pay": "Payer avec Stripe",
  "join.already": (p) =>
    `Vous êtes déjà membre de **${p.tier}**. Pour changer de palier ou de carte, ou pour résilier, utilisez votre espace d'abonnement.`,
  "join.already_no_portal": (p) =>
    `Vous êtes déjà membre de **${p.tier}**. Stripe ne peut pas ouvrir votre espace pour le moment : réessayez /abonnement dans une minute.`,
  "portal.button": "Gérer mon abonnement",

  "membership.title": "Votre abonnement",
  "membership.suspended": "Votre accès est suspendu par le créateur.",
  "membership.renews": (p) => `renouvelé ${p.date}`,
  "membership.ends": (p) => `prend fin ${p.date}`,
  "membership.trial_ends": (p) => `essai gratuit jusqu'au ${p.date}`,
  "membership.ended": (p) => `terminé ${p.date}`,
  "membership.none_active": "Aucun abonnement actif. Utilisez /rejoindre pour choisir un palier.",
  "state.active": "actif",
  "state.trialing": "essai gratuit",
  "state.past_due": "paiement échoué : mettez votre carte à jour",
  "state.canceled": "résilié",
  "state.unpaid": "impayé",
  "state.incomplete": "paiement non terminé",
  "state.incomplete_expired": "paiement expiré",
  "state.paused": "en pause",
  "state.lifetime": "à vie",

  "link.code": (p) =>
    `Votre code de liaison : **${p.code}** (usage unique, valable ${p.minutes} minutes). Sur Telegram, envoyez \`/link ${p.code}\` au bot.`,
  "link.done": "C'est fait : ce compte Discord est lié à votre abonnement. Vos rôles de membre arrivent.",
  "claim.done": (p) =>
    `Votre accès est en cours de rétablissement : ${p.count} rôle(s) ou groupe(s) en route.`,

  "setup.ok": (p) =>
    `Tout est prêt : tribegate peut donner et retirer les ${p.count} rôle(s) de palier de ce serveur. Créez des paliers avec /tribu palier créer.`,
  "setup.problems":
    "tribegate ne peut pas encore gérer tous les rôles des paliers. Corrigez ceci, puis relancez /tribu installer :",
  "setup.bound": (p) =>
    `**${p.server}** est désormais le serveur de tribegate : ses commandes de créateur et de fan fonctionnent ici, et nulle part ailleurs.`,
  "setup.public_bot":
    "⚠️ Votre bot est un **bot public** : n'importe qui peut l'inviter (il quitte les serveurs qui ne sont pas les vôtres, mais désactivez-le). Portail développeur → votre application → Bot → Public Bot : désactivé.",
  "setup.no_manage_roles":
    "Donnez au rôle « tribegate » la permission **Gérer les rôles** (Paramètres du serveur → Rôles → tribegate).",
  "setup.role_above": (p) =>
    `Placez le rôle « tribegate » **au-dessus** de ${p.role} (palier ${p.tier}) dans Paramètres du serveur → Rôles.`,
  "setup.role_managed": (p) =>
    `${p.role} (palier ${p.tier}) est géré par une intégration : associez le palier à un rôle normal avec /tribu palier ajouter-rôle.`,
  "setup.role_deleted": (p) =>
    `Le rôle du palier ${p.tier} a été supprimé : associez-en un nouveau avec /tribu palier ajouter-rôle, puis /tribu tâches relancer.`,
  "setup.no_manage_channels":
    "Facultatif : donnez à tribegate **Gérer les salons** pour qu'il crée les salons privés des paliers.",

  "tier.created": (p) =>
    `Le palier **${p.tier}** (\`${p.slug}\`) est en vente à ${p.price}. Ses membres reçoivent ${p.role}.`,
  "tier.created_channel": (p) => `Le salon privé ${p.channel} leur est réservé.`,
  "tier.edited": (p) => `Palier **${p.tier}** mis à jour.`,
  "tier.price_changed": (p) =>
    `Les nouveaux membres paient désormais ${p.price} ; les membres actuels gardent leur prix.`,
  "tier.archived": (p) =>
    `Le palier **${p.tier}** n'est plus en vente. Ses membres gardent leur accès tant qu'ils paient.`,
  "tier.list_title": "Paliers",
  "tier.list_empty": "Aucun palier. Créez-en un avec /tribu palier créer.",
  "tier.archived_flag": "archivé",
  "tier.no_access": "pas encore de rôle",
  "tier.telegram_chat": (p) => `groupe Telegram ${p.chat}`,
  "tier.role_added": (p) => `Les membres de **${p.tier}** reçoivent aussi ${p.role}.`,
  "tier.role_removed": (p) => `Les membres de **${p.tier}** ne reçoivent plus ${p.role}.`,
  "interval.month": (p) => `${p.price}/mois`,
  "interval.year": (p) => `${p.price}/an`,
  "interval.once": (p) => `${p.price} une fois`,

  "settings.title": "Réglages",
  "settings.saved": "Enregistré.",
  "settings.graceDays": "Délai de grâce après un paiement échoué",
  "settings.defaultTrialDays": "Essai gratuit par défaut",
  "settings.allowPromotionCodes": "Codes promo au paiement",
  "settings.trueFansGoal": "Objectif de vrais fans",
  "settings.managers": "Rôles gérants (en plus de Gérer le serveur)",
  "settings.pollChannels": "Salons où les nouveaux sondages sont publiés",
  "settings.days": (p) => `${p.n} jour(s)`,
  "settings.on": "oui",
  "settings.off": "non",
  "settings.none": "aucun",

  "stats.title": "Votre tribu",
  "stats.active": "Membres",
  "stats.goal": (p) => `${p.active} sur ${p.goal} vrais fans (${p.percent} %)`,
  "stats.trialing": "En essai gratuit",
  "stats.past_due": "Paiement échoué (en grâce)",
  "stats.mrr": "Revenu mensuel",
  "stats.new": "Nouveaux (30 jours)",
  "stats.churned": "Départs (30 jours)",
  "stats.per_tier": "Par palier",

  "member.title": (p) => `Membre ${p.user}`,
  "member.subscriptions": "Abonnements",
  "member.none": "aucun",
  "member.identities": "Comptes",
  "member.history": "Historique récent",
  "member.access": "Tâches d'accès",
  "member.suspended": (p) => `Accès retiré par le créateur : ${p.reason}`,
  "member.resynced": (p) =>
    `Resynchronisation demandée : ${p.grants} ajout(s) et ${p.revokes} retrait(s) en route.`,
  "member.revoked": (p) =>
    `L'accès de ${p.user} est retiré (${p.revokes} rôle(s) en cours de retrait) jusqu'à ce que vous le rétablissiez.`,
  "member.restored": (p) => `L'accès de ${p.user} est rétabli (${p.grants} rôle(s) en route).`,
  "member.unlinked": (p) =>
    `Le compte ${p.platform} ${p.account} n'est plus lié à l'abonnement de ${p.user} ; son accès y est retiré (${p.revokes} changement(s)). Le fan peut maintenant lier un autre compte ${p.platform} avec /link.`,

  "reconcile.preview_title": "Aperçu de la réconciliation (rien n'a changé)",
  "reconcile.applied_title": "Réconciliation terminée",
  "reconcile.summary": (p) =>
    `${p.subs} abonnement(s) Stripe et ${p.members} membre(s) vérifiés ; ${p.drift} différence(s).`,
  "reconcile.clean": "Stripe, le registre et Discord sont d'accord.",
  "reconcile.more": (p) => `…et ${p.n} de plus.`,
  "reconcile.unreadable": (p) => `Illisible : ${p.targets} (rôle supprimé, ou le bot a quitté le serveur).`,
  "reconcile.unmanaged": (p) =>
    `${p.n} compte(s) ont un rôle de palier sans abonnement (laissés tels quels).`,
  "reconcile.apply_button": "Réparer maintenant",
  "reconcile.note": "Seul Discord est lu ici ; la réconciliation périodique lit aussi Telegram.",

  "jobs.title": "Changements de rôle en échec",
  "jobs.none": "Aucun changement de rôle en échec.",
  "jobs.retry_hint": "Corrigez la cause, puis lancez /tribu tâches relancer.",
  "jobs.retried": (p) => `${p.count} changement(s) de rôle relancé(s).`,

  "bind.code": (p) =>
    `Code de liaison pour **${p.tier}** : **${p.code}** (usage unique, valable ${p.minutes} minutes). Dans le groupe ou canal Telegram, en tant qu'administrateur, envoyez \`/bind ${p.code}\` (le bot doit y être administrateur).`,
  "error.input_duration_invalid": (p) =>
    `La durée « ${p.value} » n'en est pas une : écrivez un nombre et une unité, par ex. 30m, 12h, 3j ou 1w (minutes, heures, jours, semaines). Rien n'a changé.`,
  "error.input_weights_invalid": (p) =>
    `Dans l'option poids, « ${p.part} » n'est pas de la forme palier=nombre : écrivez par ex. gold=3, silver=1 (poids de 1 à 10). Rien n'a changé.`,
  "error.input_options_missing":
    "L'option options ne contient aucune option : écrivez 2 à 10 options séparées par | ou ;, par ex. Tutoriel | Vlog | Direct. Rien n'a changé.",
  "error.discord_poll_channel":
    "tribegate ne peut pas publier dans ce salon : choisissez un salon textuel de ce serveur où il peut lire et écrire.",

  "poll.opened": (p) => `Le sondage \`${p.id}\` est ouvert ; il se ferme ${p.closes}.`,
  "poll.posted_discord": (p) => `Discord : ${p.links}`,
  "poll.posted_telegram": (p) => `Telegram : publié dans ${p.count} groupe(s) ou canal(aux).`,
  "poll.unposted_discord":
    "Discord : pas publié (aucun salon de sondage : `/tribe settings add-poll-channel`, ou nommez un salon).",
  "poll.unposted_telegram":
    "Telegram : aucun groupe ni canal n'est lié aux paliers de ce sondage (`/tribe bind`, puis `/bind` là-bas).",
  "poll.post_failed": (p) => `${p.platform} : impossible de publier dans ${p.chat} (${p.reason}).`,
  "poll.closed": (p) => `Sondage fermé : **${p.question}**. Les résultats sont sur son message.`,
  "poll.closed_title": (p) => `Terminé : ${p.question}`,
  "poll.winner": (p) => `🏆 Gagnant : **${p.option}**`,
  "poll.tie": (p) => `Égalité entre ${p.options} : pas de gagnant unique.`,
  "poll.no_votes": "Personne n'a voté.",
  "poll.round": (p) => `Tour ${p.n} : ${p.counts}`,
  "poll.round_out": (p) => ` → éliminé(s) : ${p.options}`,
  "poll.hint_single": "Cliquez sur une option pour voter. Vous pouvez changer d'avis jusqu'à la fermeture.",
  "poll.hint_approval":
    "Choisissez dans le menu toutes les options qui vous plaisent. Vous pouvez changer jusqu'à la fermeture.",
  "poll.hint_ranked":
    "Cliquez sur « Classer les options », puis choisissez-les une par une, la préférée d'abord (un menu ne garde pas l'ordre de plusieurs choix).",
  "poll.field_closes": "Fermeture",
  "poll.field_closed": "Fermé",
  "poll.field_mode": "Mode",
  "poll.field_voters": "Votants",
  "poll.field_who": "Qui vote",
  "poll.everyone": "tous les membres",
  "poll.mode_single": "choix unique",
  "poll.mode_approval": "approbation (plusieurs choix)",
  "poll.mode_ranked": "vote par classement",
  "poll.hidden_note": "Les résultats sont masqués jusqu'à la fermeture.",
  "poll.approval_placeholder": "Choisissez les options qui vous plaisent",
  "poll.rank_button": "Classer les options",
  "poll.rank_intro": "Choisissez vos options une par une, la préférée d'abord. Validez quand vous voulez.",
  "poll.rank_so_far": "Votre classement pour l'instant :",
  "poll.rank_pick": (p) => `Votre choix n° ${p.n}`,
  "poll.rank_submit": "Valider ce classement",
  "poll.exported": (p) =>
    `${p.count} bulletin(s) de « ${p.question} », tous ceux déposés (le dernier de chaque membre compte).`,
  "poll.committed": (p) =>
    `C'est fait : l'option gagnante est ${p.stage}. ${p.count} votant(s) sont prévenus.`,
  "poll.stage_in_the_works": "en cours",
  "poll.stage_shipped": "livrée",
  "vote.counted": (p) => `Votre vote pour ${p.choice} est compté (poids ${p.weight}).`,
  "vote.changed": (p) =>
    `Votre vote est maintenant ${p.choice} (poids ${p.weight}) ; votre vote précédent ne compte plus.`,
  "vote.unchanged": (p) => `Vous avez déjà voté ${p.choice} : rien n'a changé (poids ${p.weight}).`,
  "vote.cleared": "Votre bulletin est effacé : il ne compte plus jusqu'à votre prochain vote.",

  "idea.proposed": (p) =>
    `Idée proposée : **${p.title}** (\`${p.id}\`). Les autres membres peuvent la soutenir avec /idée soutenir.`,
  "idea.upvoted": (p) => `Vous soutenez **${p.title}** : ${p.votes} soutien(s) maintenant.`,
  "idea.top_title": "Meilleures idées",
  "idea.top_empty": "Aucune idée ouverte. Proposez-en une avec /idée proposer.",
  "idea.votes": (p) => `${p.votes} soutien(s)`,
  "idea.decided": (p) => `**${p.title}** est ${p.decision}. Son auteur est prévenu.`,
  "idea.decision_accepted": "acceptée",
  "idea.decision_merged": "fusionnée",
  "idea.decision_declined": "refusée",
};

const TABLES: Record<Locale, Record<UiKey, Text>> = { en, fr };

/** A Discord UI text in `locale`. */
export function ui(locale: Locale, key: UiKey, params: Params = {}): string {
  const entry = TABLES[locale][key];
  return typeof entry === "function" ? entry(params) : entry;
}

function isUiKey(key: string): key is UiKey {
  return key in en;
}

/** The refusal for a DomainError: Discord's own codes first, then the shared texts of src/i18n. */
export function refusalText(locale: Locale, err: DomainError, ref: string): string {
  const key = `error.${err.code}`;
  return isUiKey(key) ? ui(locale, key, err.params) : errorText(locale, err, ref);
}

/** The generic apology for an unexpected failure, with a reference the creator can find in the logs. */
export function unexpectedText(locale: Locale, ref: string): string {
  return t(locale, "error.unexpected", { ref });
}
