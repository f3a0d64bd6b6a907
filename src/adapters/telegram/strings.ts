/**
 * What the Telegram bot says, in English and French. Both tables have the same type, so a key
 * missing in one language is a compile error. Domain refusals come from src/i18n (shared with
 * Discord); a code whose wording must differ on Telegram (it names a Telegram command) is overridden
 * here first.
 */
import type { DomainError } from "../../errors.ts";
import { errorText, type Locale } from "../../i18n/index.ts";

type Params = Record<string, string | number>;
type Text = string | ((p: Params) => string);

/** The same in every language: rank, title, upvotes, id, then the description indented below. */
const ideaLine = (p: Params): string =>
  `${p.rank}. ${p.title} (${p.votes}) · ${p.id}${p.description ? `\n   ${p.description}` : ""}`;

const en = {
  // Refusals worded for Telegram.
  "error.not_a_member": "You have no membership yet. Send /start to pick a tier.",
  "error.unexpected": (p: Params) =>
    `Something went wrong on our side. Nothing changed; please try again. (ref: ${p.ref})`,

  // Fans.
  "start.welcome": "Welcome! Members get into the private chats of this community. Pick a tier:",
  "start.one_tier": (p: Params) => `${p.name}${p.description ? `\n${p.description}` : ""}\n\nTap to join:`,
  "start.none": "No membership is on sale yet. Come back soon!",
  "start.unknown_tier": (p: Params) => `There is no tier “${p.slug}” on sale. Here are the tiers:`,
  "interval.month": "month",
  "interval.year": "year",
  "checkout.ready": (p: Params) =>
    `Here is your checkout for ${p.tier}. It is tied to your Telegram account: the access it pays for can only ever be yours.${Number(p.trialDays) > 0 ? `\nYour first ${p.trialDays} day(s) are free.` : ""}`,
  "checkout.button": "Pay securely with Stripe",
  "checkout.already_member": (p: Params) =>
    `You are already a member (${p.tier}). Change your tier or your card in the billing portal.`,
  "portal.button": "Manage my membership",
  "callback.invalid": "This button is not valid. Send /start to get fresh ones.",
  "callback.working": "One moment…",
  "membership.header": "Your membership:",
  "membership.line": (p: Params) => `• ${p.tier}: ${p.status}${p.until ? ` (until ${p.until})` : ""}`,
  "membership.none": "You have no subscription yet. Send /start to pick a tier.",
  "membership.suspended": "Your access was revoked by the creator.",
  "link.code": (p: Params) =>
    `Your linking code: ${p.code}\nOn Discord, run /link ${p.code} within 15 minutes. It works once.`,
  "link.done": (p: Params) =>
    `Linked! Your membership now covers this Telegram account.${Number(p.grants) > 0 ? ` Your invite link(s) are on their way (${p.grants}).` : ""}`,
  "claim.done": (p: Params) => `Checking your access: your link(s) to ${p.count} chat(s) are on their way.`,
  "claim.nothing": "Your membership opens no Telegram chat right now.",
  "grant.invite": (p: Params) =>
    `Welcome to ${p.tier}! Here is your personal link to join “${p.chat}”:\n${p.link}\nIt only works for you: the bot lets members in and turns everyone else away.`,
  "grant.button": (p: Params) => `Join ${p.chat}`,
  "revoke.removed": (p: Params) =>
    `Your membership no longer includes “${p.chat}”, so you were removed from it. Send /start to join again anytime.`,
  "join.not_member": (p: Params) =>
    `“${p.chat}” is for members only, so your request to join was declined. Become a member here: ${p.link}`,
  "join.not_yours": (p: Params) =>
    `This invite link was made for another member, so your request to join “${p.chat}” was declined. Become a member to get your own: ${p.link}`,
  "join.removed": (p: Params) =>
    `“${p.chat}” is for members only and you joined with a link that was not yours, so you were removed. Become a member here: ${p.link}`,

  // Binding a chat.
  "bind.usage": (p: Params) => `Usage: ${p.usage}`,
  "bind.anonymous":
    "I cannot tell who you are while you post anonymously. Turn off “Remain anonymous” in your administrator rights, or send me /bind <code> <chat id> in a private chat.",
  "bind.caller_not_admin": "Only an administrator of this chat can bind it. Nothing changed.",
  "bind.bot_not_admin": (p: Params) =>
    `I am not an administrator of this chat. Make me one with these rights, then send /bind again: ${p.missing}. Nothing changed.`,
  "bind.bot_missing_rights": (p: Params) =>
    `I am missing these administrator rights here: ${p.missing}. Give them to me in the chat's administrator settings, then send /bind again. Nothing changed.`,
  "bind.chat_not_found":
    "I cannot find that chat. Add me to it as an administrator first, then give its numeric id (like -1001234567890) or its @username.",
  "bind.private_chat": "Send /bind <code> in the group itself, or /bind <code> <chat id or @username> here.",
  "bind.done": (p: Params) =>
    `“${p.chat}” is now bound to tier ${p.tier}. Members get a personal link; I let them in and remove those whose membership ends.`,
  "right.can_invite_users": "Invite users via link",
  "right.can_restrict_members": "Ban users",

  // Creators.
  "creator.only": "This command is for the creator of this community and their managers.",
  "creator.usage": (p: Params) => `Usage: ${p.usage}`,
  "tiers.none": "No tier yet. Create one with /newtier.",
  "tiers.line": (p: Params) =>
    `• ${p.name} (${p.slug}): ${p.price}${p.archived ? " [archived]" : ""}\n  opens: ${p.opens}\n  link: ${p.deepLink}`,
  "tiers.opens_nothing": "nothing yet (/bindcode)",
  "tier.created": (p: Params) =>
    `Tier ${p.name} (${p.slug}) created at ${p.price}. Fans join with ${p.deepLink}\nBind a chat to it: /bindcode ${p.slug}`,
  "tier.edited": (p: Params) => `Tier ${p.slug} updated.`,
  "tier.archived": (p: Params) => `Tier ${p.slug} is no longer sold. Current members keep their access.`,
  "tier.price_changed": (p: Params) =>
    `New price for ${p.slug}: ${p.price}. Current members keep the price they pay.`,
  "settings.grace": (p: Params) => `Grace period: ${p.days} day(s) of access after a failed payment.`,
  "settings.trial_default": (p: Params) => `New tiers get ${p.days} free trial day(s).`,
  "settings.trial_tier": (p: Params) => `Tier ${p.slug}: ${p.days} free trial day(s) for new members.`,
  "settings.promo_on": "Fans can now enter promotion codes at checkout.",
  "settings.promo_off": "Promotion codes are off at checkout.",
  "settings.goal": (p: Params) => `Goal set: ${p.goal} true fans.`,
  "settings.managers": (p: Params) => `Managers: ${p.list}`,
  "settings.managers_none": "No managers: only TELEGRAM_CREATOR_IDS may use the creator commands.",
  "settings.managers_creators_only":
    "Only the creators (TELEGRAM_CREATOR_IDS, or who claimed the bot with /setup) may change the managers.",
  stats: (p: Params) =>
    `Members: ${p.active} / ${p.goal} (${p.progress}%)\nTrialing: ${p.trialing} · Past due: ${p.pastDue}\nMonthly revenue: ${p.mrr}\nLast 30 days: +${p.new} / -${p.churned}\n${p.perTier}`,
  "member.text": (p: Params) =>
    `Member ${p.id}${p.suspended ? " [revoked by the creator]" : ""}\nAccounts: ${p.identities}\nStripe customer: ${p.customer}\nSubscriptions:\n${p.subs}\nAccess:\n${p.jobs}`,
  "member.resynced": (p: Params) => `Re-synced: ${p.grants} grant(s), ${p.revokes} revoke(s) queued.`,
  "member.revoked": (p: Params) => `Access revoked: ${p.revokes} removal(s) queued. /restore gives it back.`,
  "member.restored": (p: Params) => `Access restored: ${p.grants} grant(s) queued.`,
  "member.unlinked": (p: Params) =>
    `${p.platform} account ${p.account} is no longer linked to this membership; its access there is being removed (${p.revokes} change(s)). The fan can now link another ${p.platform} account with /link.`,
  "reconcile.report": (p: Params) =>
    `${p.dry ? "Dry run (nothing changed; /reconcile apply to repair)" : "Reconciliation done"}: ${p.subs} Stripe subscription(s), ${p.members} member(s) checked, ${p.drift} difference(s).${p.lines ? `\n${p.lines}` : ""}${p.unreadable ? `\nCould not read: ${p.unreadable}` : ""}`,
  "deadjobs.none": "No failed access change.",
  "deadjobs.header": (p: Params) =>
    `${p.count} failed access change(s); fix the cause, then /retryjob <id> or /retryjob all:`,
  "deadjobs.line": (p: Params) => `#${p.id} ${p.action} ${p.target} for ${p.user}: ${p.error}`,
  "deadjobs.retried": (p: Params) => `${p.count} job(s) queued again.`,
  "bindcode.done": (p: Params) =>
    `Binding code for tier ${p.tier}: ${p.code}\nAdd me to your private group or channel as an administrator (rights: Invite users via link, Ban users), then send there: /bind ${p.code}\nFor a channel, send me here: /bind ${p.code} <channel id or @username>\nThe code works once, for ${p.minutes} minutes.`,

  // Alerts to the creator.
  "alert.bot_removed": (p: Params) =>
    `I was removed from “${p.chat}” (tier ${p.tiers}): I can no longer let members in or remove those who stop paying there. Add me back as an administrator with: Invite users via link, Ban users.`,
  "alert.rights_lost": (p: Params) =>
    `In “${p.chat}” (tier ${p.tiers}) I am missing these administrator rights: ${p.missing}. Members cannot be let in or removed until you give them back.`,
  "alert.job_dead": (p: Params) =>
    `An access change failed for good in “${p.chat}”: ${p.reason}\nFix it, then send /retryjob all.`,

  // Polls and ideas.
  "poll.help_single": "Tap one option to vote. Tap another one to change your vote.",
  "poll.help_approval": "Tap every option you approve of; tap one again to take your approval back.",
  "poll.help_ranked":
    "Rank the options: tap your 1st choice, then your 2nd, and so on. Tap “Clear my ranking” to start over.",
  "poll.line": (p: Params) => `• ${p.option}: ${p.count} (${p.percent}%)`,
  "poll.first_choices": "First choices so far:",
  "poll.first_choices_final": "First choices:",
  "poll.hidden": "Results are shown when the poll closes.",
  "poll.footer": (p: Params) => `${p.voters} voter(s) · closes ${p.closes} · poll ${p.id}`,
  "poll.final": "Closed. Final results:",
  "poll.winner": (p: Params) => `Winner: ${p.option}`,
  "poll.tie": (p: Params) => `Tie between: ${p.options}`,
  "poll.no_votes": "Nobody voted.",
  "poll.round": (p: Params) => `Round ${p.n}: ${p.counts}${p.out ? ` → out: ${p.out}` : ""}`,
  "poll.final_footer": (p: Params) => `${p.voters} voter(s) · poll ${p.id}`,
  "poll.clear": "Clear my ranking",
  "poll.opened": (p: Params) => `Poll ${p.id} is open until ${p.closes}. Close it early: /closepoll ${p.id}`,
  "poll.posted": (p: Params) => `${p.platform}: posted in ${p.count} place(s).`,
  "poll.unposted_discord":
    "Discord: not posted (no poll channel set: /tribe settings add-poll-channel on Discord).",
  "poll.unposted_telegram":
    "Telegram: no group or channel is bound to the tiers of this poll yet (/bindcode, then /bind there).",
  "poll.post_failed": (p: Params) => `${p.platform}: could not post in ${p.chat} (${p.reason}).`,
  "error.input_duration_invalid": (p: Params) =>
    `“${p.value}” is not a duration. Right after the command, write how long the poll stays open: a number and a unit, e.g. 30m, 12h, 3d or 1w (minutes, hours, days, weeks). Example: /poll 3d single Next video? | Tutorial | Vlog. No poll was opened.`,
  "error.input_weights_invalid": (p: Params) =>
    `In weight=, “${p.part}” is not tier:number: write e.g. weight=gold:3,silver:1 (weights from 1 to 10). No poll was opened.`,
  "error.input_options_missing":
    "No option after the question: write 2 to 10 options after it, each after a |, e.g. /poll 3d single Next video? | Tutorial | Vlog. No poll was opened.",
  "poll.closed_reply": (p: Params) => `Poll ${p.id} closed.

${p.results}`,
  "poll.export_caption": (p: Params) => `Ballots of “${p.question}”`,
  "poll.committed": (p: Params) =>
    `“${p.option}” is now marked ${p.stage}: ${p.notified} voter(s) will hear about it.`,
  "stage.in_the_works": "in the works",
  "stage.shipped": "shipped",
  "vote.counted": (p: Params) => `Vote counted: ${p.choice} (weight ${p.weight}).`,
  "vote.changed": (p: Params) => `Vote changed: ${p.choice} (weight ${p.weight}).`,
  "vote.unchanged": (p: Params) => `Your vote is unchanged: ${p.choice}.`,
  "vote.cleared": "Ranking cleared: it counts for nothing until you tap your 1st choice.",
  "vote.invalid": "This button is not valid: nothing was counted.",
  "ideas.none": "No open idea yet. Propose one: /idea <title> | <description>",
  "ideas.header": "Top ideas (tap to upvote):",
  "ideas.line": ideaLine,
  "ideas.button": (p: Params) => `👍 ${p.title}`,
  "idea.proposed": (p: Params) => `Idea ${p.id} proposed: “${p.title}”. The tribe can upvote it with /ideas.`,
  "idea.upvoted": (p: Params) => `Upvoted: ${p.votes} vote(s).`,
  "idea.decided": (p: Params) => `Idea “${p.title}” is now ${p.decision}. Its author will hear about it.`,
  "decision.accepted": "accepted",
  "decision.merged": "merged",
  "decision.declined": "declined",

  // Claiming a bot started without TELEGRAM_CREATOR_IDS (/setup <code from the log>).
  "setup.usage": "Usage: /setup <code>, with the set-up code the bot printed in its log when it started.",
  "setup.from_env":
    "This bot's creators come from TELEGRAM_CREATOR_IDS in its configuration: /setup is not used. To add a creator, add their Telegram user id there and restart.",
  "setup.already": "This bot already has a creator. A creator can add managers with /managers.",
  "setup.no_code": "There is no set-up code right now. Restart the bot: it prints a new one in its log.",
  "setup.expired": "This set-up code has expired. Restart the bot: it prints a new one in its log.",
  "setup.wrong": "This is not the set-up code. Check the code in the bot's log and try again.",
  "setup.throttled": (p: Params) => `Too many tries. Try again in ${p.minutes} min.`,
  "setup.done": (p: Params) =>
    `Done: you are the creator of @${p.bot}. Your creator commands are in the menu (/tiers to see them at work).\n\nNext steps:\n1. Create a tier: /newtier 5 eur month Gold\n2. Add @${p.bot} to your group or channel as an administrator (allowed to invite users, ban users and manage the chat)\n3. Send /bindcode <tier> here, then /bind <code> in that group`,

  // The bot added to a chat no tier opens: one-tap binding, offered to the creators in private.
  "offer.text": (p: Params) =>
    `I was added to “${p.chat}”, which no tier opens yet. Tap a tier to open this chat to its members:`,
  "offer.no_tier": (p: Params) =>
    `I was added to “${p.chat}”, which no tier opens yet. Create a tier first (/newtier), then send /bindcode <tier> here and /bind <code> in that chat.`,
  "offer.button": (p: Params) => `Open ${p.chat} to ${p.tier}`,
  "offer.tier_gone":
    "This tier is no longer on sale. Send /tiers to see the tiers, and /bindcode to bind the chat.",
  "offer.bot_not_admin": (p: Params) =>
    `I am not an administrator of this chat. Make me one with these rights, then tap the button again: ${p.missing}. Nothing changed.`,
  "offer.bot_missing_rights": (p: Params) =>
    `I am missing these administrator rights there: ${p.missing}. Give them to me in the chat's administrator settings, then tap the button again. Nothing changed.`,
} satisfies Record<string, Text>;

export type StringKey = keyof typeof en;

const fr: Record<StringKey, Text> = {
  "error.not_a_member": "Vous n'avez pas encore d'abonnement. Envoyez /start pour choisir un palier.",
  "error.unexpected": (p) =>
    `Une erreur s'est produite de notre côté. Rien n'a changé ; réessayez. (réf : ${p.ref})`,

  "start.welcome":
    "Bienvenue ! Les membres entrent dans les discussions privées de cette communauté. Choisissez un palier :",
  "start.one_tier": (p) =>
    `${p.name}${p.description ? `\n${p.description}` : ""}\n\nTouchez pour rejoindre :`,
  "start.none": "Aucun abonnement n'est en vente pour le moment. Revenez bientôt !",
  "start.unknown_tier": (p) => `Il n'y a pas de palier « ${p.slug} » en vente. Voici les paliers :`,
  "interval.month": "mois",
  "interval.year": "an",
  "checkout.ready": (p) =>
    `Voici votre paiement pour ${p.tier}. Il est lié à votre compte Telegram : l'accès qu'il paie ne peut être qu'à vous.${Number(p.trialDays) > 0 ? `\nVos ${p.trialDays} premier(s) jour(s) sont offerts.` : ""}`,
  "checkout.button": "Payer en sécurité avec Stripe",
  "checkout.already_member": (p) =>
    `Vous êtes déjà membre (${p.tier}). Changez de palier ou de carte dans le portail de paiement.`,
  "portal.button": "Gérer mon abonnement",
  "callback.invalid": "Ce bouton n'est pas valide. Envoyez /start pour en avoir de nouveaux.",
  "callback.working": "Un instant…",
  "membership.header": "Votre abonnement :",
  "membership.line": (p) => `• ${p.tier} : ${p.status}${p.until ? ` (jusqu'au ${p.until})` : ""}`,
  "membership.none": "Vous n'avez pas encore d'abonnement. Envoyez /start pour choisir un palier.",
  "membership.suspended": "Votre accès a été retiré par le créateur.",
  "link.code": (p) =>
    `Votre code de liaison : ${p.code}\nSur Discord, lancez /link ${p.code} dans les 15 minutes. Il ne sert qu'une fois.`,
  "link.done": (p) =>
    `Comptes liés ! Votre abonnement couvre maintenant ce compte Telegram.${Number(p.grants) > 0 ? ` Vos liens d'invitation arrivent (${p.grants}).` : ""}`,
  "claim.done": (p) => `Vérification de votre accès : vos liens vers ${p.count} discussion(s) arrivent.`,
  "claim.nothing": "Votre abonnement n'ouvre aucune discussion Telegram pour le moment.",
  "grant.invite": (p) =>
    `Bienvenue dans ${p.tier} ! Voici votre lien personnel pour rejoindre « ${p.chat} » :\n${p.link}\nIl ne fonctionne que pour vous : le bot fait entrer les membres et refuse tous les autres.`,
  "grant.button": (p) => `Rejoindre ${p.chat}`,
  "revoke.removed": (p) =>
    `Votre abonnement n'inclut plus « ${p.chat} », vous en avez donc été retiré. Envoyez /start pour revenir quand vous voulez.`,
  "join.not_member": (p) =>
    `« ${p.chat} » est réservé aux membres : votre demande a été refusée. Devenez membre ici : ${p.link}`,
  "join.not_yours": (p) =>
    `Ce lien d'invitation a été créé pour un autre membre : votre demande pour rejoindre « ${p.chat} » a été refusée. Devenez membre pour avoir le vôtre : ${p.link}`,
  "join.removed": (p) =>
    `« ${p.chat} » est réservé aux membres et vous êtes entré avec un lien qui n'était pas le vôtre : vous en avez été retiré. Devenez membre ici : ${p.link}`,

  "bind.usage": (p) => `Utilisation : ${p.usage}`,
  "bind.anonymous":
    "Je ne peux pas savoir qui vous êtes quand vous publiez anonymement. Désactivez « Rester anonyme » dans vos droits d'administrateur, ou envoyez-moi /bind <code> <id du groupe> en privé.",
  "bind.caller_not_admin": "Seul un administrateur de ce groupe peut le lier. Rien n'a changé.",
  "bind.bot_not_admin": (p) =>
    `Je ne suis pas administrateur de ce groupe. Nommez-moi administrateur avec ces droits, puis renvoyez /bind : ${p.missing}. Rien n'a changé.`,
  "bind.bot_missing_rights": (p) =>
    `Il me manque ces droits d'administrateur ici : ${p.missing}. Donnez-les-moi dans les réglages des administrateurs, puis renvoyez /bind. Rien n'a changé.`,
  "bind.chat_not_found":
    "Je ne trouve pas ce groupe. Ajoutez-moi d'abord comme administrateur, puis donnez son identifiant numérique (comme -1001234567890) ou son @nom.",
  "bind.private_chat":
    "Envoyez /bind <code> dans le groupe lui-même, ou /bind <code> <id du groupe ou @nom> ici.",
  "bind.done": (p) =>
    `« ${p.chat} » est maintenant lié au palier ${p.tier}. Les membres reçoivent un lien personnel ; je les fais entrer et je retire ceux dont l'abonnement prend fin.`,
  "right.can_invite_users": "Inviter des utilisateurs via un lien",
  "right.can_restrict_members": "Bannir des utilisateurs",

  "creator.only": "Cette commande est réservée au créateur de cette communauté et à ses gestionnaires.",
  "creator.usage": (p) => `Utilisation : ${p.usage}`,
  "tiers.none": "Aucun palier pour le moment. Créez-en un avec /newtier.",
  "tiers.line": (p) =>
    `• ${p.name} (${p.slug}) : ${p.price}${p.archived ? " [archivé]" : ""}\n  ouvre : ${p.opens}\n  lien : ${p.deepLink}`,
  "tiers.opens_nothing": "rien pour le moment (/bindcode)",
  "tier.created": (p) =>
    `Palier ${p.name} (${p.slug}) créé à ${p.price}. Les fans rejoignent avec ${p.deepLink}\nLiez-y un groupe : /bindcode ${p.slug}`,
  "tier.edited": (p) => `Palier ${p.slug} mis à jour.`,
  "tier.archived": (p) => `Le palier ${p.slug} n'est plus en vente. Les membres actuels gardent leur accès.`,
  "tier.price_changed": (p) =>
    `Nouveau prix pour ${p.slug} : ${p.price}. Les membres actuels gardent le prix qu'ils paient.`,
  "settings.grace": (p) => `Délai de grâce : ${p.days} jour(s) d'accès après un paiement échoué.`,
  "settings.trial_default": (p) => `Les nouveaux paliers ont ${p.days} jour(s) d'essai gratuit.`,
  "settings.trial_tier": (p) =>
    `Palier ${p.slug} : ${p.days} jour(s) d'essai gratuit pour les nouveaux membres.`,
  "settings.promo_on": "Les fans peuvent maintenant saisir un code promo au paiement.",
  "settings.promo_off": "Les codes promo sont désactivés au paiement.",
  "settings.goal": (p) => `Objectif fixé : ${p.goal} vrais fans.`,
  "settings.managers": (p) => `Gestionnaires : ${p.list}`,
  "settings.managers_none":
    "Aucun gestionnaire : seuls les identifiants de TELEGRAM_CREATOR_IDS peuvent utiliser les commandes du créateur.",
  "settings.managers_creators_only":
    "Seuls les créateurs (TELEGRAM_CREATOR_IDS, ou qui a pris le bot en main avec /setup) peuvent changer les gestionnaires.",
  stats: (p) =>
    `Membres : ${p.active} / ${p.goal} (${p.progress} %)\nEn essai : ${p.trialing} · En retard de paiement : ${p.pastDue}\nRevenu mensuel : ${p.mrr}\n30 derniers jours : +${p.new} / -${p.churned}\n${p.perTier}`,
  "member.text": (p) =>
    `Membre ${p.id}${p.suspended ? " [retiré par le créateur]" : ""}\nComptes : ${p.identities}\nClient Stripe : ${p.customer}\nAbonnements :\n${p.subs}\nAccès :\n${p.jobs}`,
  "member.resynced": (p) => `Resynchronisé : ${p.grants} ajout(s), ${p.revokes} retrait(s) en file.`,
  "member.revoked": (p) => `Accès retiré : ${p.revokes} retrait(s) en file. /restore le rend.`,
  "member.restored": (p) => `Accès rendu : ${p.grants} ajout(s) en file.`,
  "member.unlinked": (p) =>
    `Le compte ${p.platform} ${p.account} n'est plus lié à cet abonnement ; son accès y est retiré (${p.revokes} changement(s)). Le fan peut maintenant lier un autre compte ${p.platform} avec /link.`,
  "reconcile.report": (p) =>
    `${p.dry ? "À blanc (rien n'a changé ; /reconcile apply pour réparer)" : "Réconciliation faite"} : ${p.subs} abonnement(s) Stripe, ${p.members} membre(s) vérifiés, ${p.drift} différence(s).${p.lines ? `\n${p.lines}` : ""}${p.unreadable ? `\nIllisible : ${p.unreadable}` : ""}`,
  "deadjobs.none": "Aucun changement d'accès en échec.",
  "deadjobs.header": (p) =>
    `${p.count} changement(s) d'accès en échec ; corrigez la cause, puis /retryjob <id> ou /retryjob all :`,
  "deadjobs.line": (p) => `#${p.id} ${p.action} ${p.target} pour ${p.user} : ${p.error}`,
  "deadjobs.retried": (p) => `${p.count} tâche(s) relancée(s).`,
  "bindcode.done": (p) =>
    `Code de liaison pour le palier ${p.tier} : ${p.code}\nAjoutez-moi à votre groupe ou canal privé comme administrateur (droits : Inviter des utilisateurs via un lien, Bannir des utilisateurs), puis envoyez-y : /bind ${p.code}\nPour un canal, envoyez-moi ici : /bind ${p.code} <id du canal ou @nom>\nLe code sert une fois, pendant ${p.minutes} minutes.`,

  "alert.bot_removed": (p) =>
    `J'ai été retiré de « ${p.chat} » (palier ${p.tiers}) : je ne peux plus y faire entrer les membres ni retirer ceux qui ne paient plus. Ajoutez-moi de nouveau comme administrateur avec : Inviter des utilisateurs via un lien, Bannir des utilisateurs.`,
  "alert.rights_lost": (p) =>
    `Dans « ${p.chat} » (palier ${p.tiers}) il me manque ces droits d'administrateur : ${p.missing}. Les membres ne peuvent plus entrer ni être retirés tant que vous ne les rendez pas.`,
  "alert.job_dead": (p) =>
    `Un changement d'accès a définitivement échoué dans « ${p.chat} » : ${p.reason}\nCorrigez-le, puis envoyez /retryjob all.`,

  "poll.help_single": "Touchez une option pour voter. Touchez-en une autre pour changer de vote.",
  "poll.help_approval":
    "Touchez chaque option que vous approuvez ; touchez-la de nouveau pour retirer votre approbation.",
  "poll.help_ranked":
    "Classez les options : touchez votre 1er choix, puis le 2e, et ainsi de suite. Touchez « Effacer mon classement » pour recommencer.",
  "poll.line": (p) => `• ${p.option} : ${p.count} (${p.percent} %)`,
  "poll.first_choices": "Premiers choix pour l'instant :",
  "poll.first_choices_final": "Premiers choix :",
  "poll.hidden": "Les résultats seront affichés à la fermeture du sondage.",
  "poll.footer": (p) => `${p.voters} votant(s) · fermeture ${p.closes} · sondage ${p.id}`,
  "poll.final": "Fermé. Résultats définitifs :",
  "poll.winner": (p) => `Gagnant : ${p.option}`,
  "poll.tie": (p) => `Égalité entre : ${p.options}`,
  "poll.no_votes": "Personne n'a voté.",
  "poll.round": (p) => `Tour ${p.n} : ${p.counts}${p.out ? ` → éliminé(s) : ${p.out}` : ""}`,
  "poll.final_footer": (p) => `${p.voters} votant(s) · sondage ${p.id}`,
  "poll.clear": "Effacer mon classement",
  "poll.opened": (p) =>
    `Le sondage ${p.id} est ouvert jusqu'au ${p.closes}. Fermez-le plus tôt : /closepoll ${p.id}`,
  "poll.posted": (p) => `${p.platform} : publié à ${p.count} endroit(s).`,
  "poll.unposted_discord":
    "Discord : pas publié (aucun salon de sondage : /tribe settings add-poll-channel sur Discord).",
  "poll.unposted_telegram":
    "Telegram : aucun groupe ni canal n'est encore lié aux paliers de ce sondage (/bindcode, puis /bind là-bas).",
  "poll.post_failed": (p) => `${p.platform} : impossible de publier dans ${p.chat} (${p.reason}).`,
  "error.input_duration_invalid": (p) =>
    `« ${p.value} » n'est pas une durée. Juste après la commande, écrivez combien de temps le sondage reste ouvert : un nombre et une unité, par ex. 30m, 12h, 3j ou 1w (minutes, heures, jours, semaines). Exemple : /poll 3j single Prochaine vidéo ? | Tutoriel | Vlog. Aucun sondage ouvert.`,
  "error.input_weights_invalid": (p) =>
    `Dans weight=, « ${p.part} » n'est pas de la forme palier:nombre : écrivez par ex. weight=gold:3,silver:1 (poids de 1 à 10). Aucun sondage ouvert.`,
  "error.input_options_missing":
    "Aucune option après la question : écrivez 2 à 10 options après elle, chacune après un |, par ex. /poll 3j single Prochaine vidéo ? | Tutoriel | Vlog. Aucun sondage ouvert.",
  "poll.closed_reply": (p) => `Sondage ${p.id} fermé.

${p.results}`,
  "poll.export_caption": (p) => `Bulletins de « ${p.question} »`,
  "poll.committed": (p) =>
    `« ${p.option} » est maintenant marqué ${p.stage} : ${p.notified} votant(s) en seront informés.`,
  "stage.in_the_works": "en préparation",
  "stage.shipped": "livré",
  "vote.counted": (p) => `Vote compté : ${p.choice} (poids ${p.weight}).`,
  "vote.changed": (p) => `Vote modifié : ${p.choice} (poids ${p.weight}).`,
  "vote.unchanged": (p) => `Votre vote ne change pas : ${p.choice}.`,
  "vote.cleared": "Classement effacé : il ne compte plus jusqu'à ce que vous touchiez votre 1er choix.",
  "vote.invalid": "Ce bouton n'est pas valide : rien n'a été compté.",
  "ideas.none": "Aucune idée ouverte pour l'instant. Proposez-en une : /idea <titre> | <description>",
  "ideas.header": "Meilleures idées (touchez pour soutenir) :",
  "ideas.line": ideaLine,
  "ideas.button": (p) => `👍 ${p.title}`,
  "idea.proposed": (p) => `Idée ${p.id} proposée : « ${p.title} ». La tribu peut la soutenir avec /ideas.`,
  "idea.upvoted": (p) => `Soutien enregistré : ${p.votes} vote(s).`,
  "idea.decided": (p) => `L'idée « ${p.title} » est maintenant ${p.decision}. Son auteur en sera informé.`,
  "decision.accepted": "acceptée",
  "decision.merged": "fusionnée",
  "decision.declined": "refusée",
  "setup.usage":
    "Utilisation : /setup <code>, avec le code d'installation que le bot a écrit dans son journal au démarrage.",
  "setup.from_env":
    "Les créateurs de ce bot viennent de TELEGRAM_CREATOR_IDS dans sa configuration : /setup ne sert pas. Pour ajouter un créateur, ajoutez-y son identifiant Telegram et redémarrez.",
  "setup.already": "Ce bot a déjà un créateur. Un créateur peut ajouter des gestionnaires avec /managers.",
  "setup.no_code":
    "Il n'y a pas de code d'installation pour l'instant. Redémarrez le bot : il en écrit un nouveau dans son journal.",
  "setup.expired":
    "Ce code d'installation a expiré. Redémarrez le bot : il en écrit un nouveau dans son journal.",
  "setup.wrong": "Ce n'est pas le code d'installation. Vérifiez le code dans le journal du bot et réessayez.",
  "setup.throttled": (p) => `Trop d'essais. Réessayez dans ${p.minutes} min.`,
  "setup.done": (p) =>
    `C'est fait : vous êtes le créateur de @${p.bot}. Vos commandes de créateur sont dans le menu (/tiers pour les voir à l'œuvre).\n\nÉtapes suivantes :\n1. Créez un palier : /newtier 5 eur month Or\n2. Ajoutez @${p.bot} à votre groupe ou canal comme administrateur (autorisé à inviter, bannir et gérer le groupe)\n3. Envoyez /bindcode <palier> ici, puis /bind <code> dans ce groupe`,
  "offer.text": (p) =>
    `On m'a ajouté à « ${p.chat} », qu'aucun palier n'ouvre encore. Touchez un palier pour ouvrir ce groupe à ses membres :`,
  "offer.no_tier": (p) =>
    `On m'a ajouté à « ${p.chat} », qu'aucun palier n'ouvre encore. Créez d'abord un palier (/newtier), puis envoyez /bindcode <palier> ici et /bind <code> dans ce groupe.`,
  "offer.button": (p) => `Ouvrir ${p.chat} à ${p.tier}`,
  "offer.tier_gone":
    "Ce palier n'est plus en vente. Envoyez /tiers pour voir les paliers, et /bindcode pour lier le groupe.",
  "offer.bot_not_admin": (p) =>
    `Je ne suis pas administrateur de ce groupe. Nommez-moi avec ces droits, puis touchez à nouveau le bouton : ${p.missing}. Rien n'a changé.`,
  "offer.bot_missing_rights": (p) =>
    `Il me manque ces droits d'administrateur là-bas : ${p.missing}. Donnez-les-moi dans les réglages d'administration du groupe, puis touchez à nouveau le bouton. Rien n'a changé.`,
};

const TABLES: Record<Locale, Record<StringKey, Text>> = { en, fr };

export function tr(locale: Locale, key: StringKey, params: Params = {}): string {
  const entry = TABLES[locale][key];
  return typeof entry === "function" ? entry(params) : entry;
}

function isKey(key: string): key is StringKey {
  return key in en;
}

/** A refusal in the user's language: the Telegram wording if there is one, else the shared one. */
export function refusalText(locale: Locale, err: DomainError, ref = ""): string {
  const key = `error.${err.code}`;
  if (isKey(key)) return tr(locale, key, { ...err.params, ref });
  return errorText(locale, err, ref);
}
