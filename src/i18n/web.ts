/**
 * The tribe's public page and the pages around joining from the web (`web.*`): the page itself,
 * Discord sign-in, the pages Stripe sends fans back to, and the creator's profile refusals.
 */
import { formatMoney, wordsFor } from "./intl.ts";
import type { Messages, Translation } from "./messages.ts";
import { PLATFORM_LABEL, type PlatformName } from "./shared.ts";

const EN = wordsFor("en");
const FR = wordsFor("fr");

export const webEn = {
  "error.profile_name_invalid": (p: { max: number }) =>
    `The name must be 1 to ${EN.number(p.max)} characters long (or - to clear it).`,
  "error.profile_pitch_too_long": (p: { max: number }) =>
    `The pitch must be at most ${EN.number(p.max)} characters long (or - to clear it).`,
  "error.profile_picture_invalid": (p: { max: number }) =>
    `The picture must be an https:// address of at most ${EN.number(p.max)} characters, e.g. https://example.com/me.jpg (or - to clear it).`,
  "error.profile_invite_invalid":
    "The invite must be a Discord invite link such as https://discord.gg/abcd1234 (or - to clear it).",

  "web.lang": "en",
  /** The language switch shows the other language's own name and invitation (t(other, …)). */
  "web.lang.name": "English",
  "web.lang.read_in": "Read this page in English",
  "web.page.default_name": "Our tribe",
  "web.page.title": (p: { name: string }) => `${p.name}: become a member`,
  "web.page.picture_alt": (p: { name: string }) => `Picture of ${p.name}`,
  "web.page.tiers": "Become a member",
  "web.page.none": "Nothing is for sale right now. Come back soon!",
  "web.page.all_tiers": "See every membership",
  "web.page.footer": "Payments are handled securely by Stripe. No tracking on this page.",
  "web.goal": (p: { members: number; goal: number; percent: number }) =>
    `${EN.number(p.members)} of ${EN.count(p.goal, "true fan", "true fans")} (${EN.percent(p.percent)})`,
  "web.goal.label": "Our true-fans goal",
  "web.price": (p: { amount: number; currency: string; interval: "month" | "year" }) =>
    `${formatMoney("en", p.amount, p.currency)} a ${p.interval}`,
  "web.price.lifetime": (p: { amount: number; currency: string }) =>
    `or ${formatMoney("en", p.amount, p.currency)} once, for life (from the chat)`,
  "web.tier.trial": (p: { days: number }) => `${EN.duration(p.days, "day")} free to start`,
  "web.tier.opens": "What it opens",
  "web.tier.opens_item": (p: { label: string; platform: PlatformName }) =>
    `${p.label} (${PLATFORM_LABEL[p.platform]})`,
  "web.tier.more_places": (p: { count: number }) => `and ${p.count} more`,
  "web.tier.join_label": (p: { name: string }) => `Ways to join ${p.name}`,
  "web.join.discord": "Join with Discord",
  "web.join.telegram": "Join with Telegram",
  "web.join.discord_invite": "Join the Discord server, then type /join",
  "web.join.discord_command": "On Discord: type /join in the creator's server.",
  "web.notfound.title": "Not for sale",
  "web.notfound.archived": "This membership is no longer for sale.",
  "web.notfound.unknown": "There is no membership at this address.",
  "web.notfound.offer": "Here is what you can join:",
  "web.rate_limited": (p: { seconds: number }) =>
    `Too many requests from your address. Please wait ${EN.duration(p.seconds, "second")} and try again.`,
  "web.rate_limited.title": "Slow down",

  "web.signin.title": "Sign-in did not work",
  "web.signin.state_invalid":
    "This sign-in link is no longer valid: it was used already, it expired, or it was opened in another browser. Nothing was charged. Start again from the membership you want.",
  "web.signin.cancelled":
    "You did not allow the sign-in with Discord, so nothing happened and nothing was charged.",
  "web.signin.failed": (p: { ref: string }) =>
    `Discord could not sign you in just now. Nothing was charged: please try again in a minute (reference ${p.ref}).`,
  "web.signin.scope_missing":
    "Discord did not allow tribegate to add you to the server. Start again and keep “Join servers for you” ticked.",
  "web.signin.identity_taken":
    "This Discord account already belongs to another membership than the one you signed in with on this browser. To bring your accounts together, type /link in the creator's Discord server and follow the steps; nothing was charged.",
  "web.signin.not_configured":
    "Discord sign-in is not set up for this tribe. Join the Discord server, then type /join there.",
  "web.signin.refused": "Not possible",
  "web.already_member": (p: { tier: string }) => `You are already a member (${p.tier}). Nothing was charged.`,
  "web.already_member.portal": "Manage my membership",

  "web.success.title": "Thank you!",
  "web.success.text": "Your payment went through.",
  "web.success.discord":
    "You are being added to the Discord server with your member role, within seconds. Open Discord to find it.",
  "web.success.discord_button": "Open the Discord server",
  "web.success.telegram":
    "Your personal join link arrives in your chat with the Telegram bot within seconds.",
  "web.success.telegram_button": "Open the Telegram bot",
  "web.success.generic":
    "Your access arrives in Discord or Telegram within seconds: you can close this page.",
  "web.cancel.title": "Payment cancelled",
  "web.cancel.text": "Nothing was charged. You can pick a membership again whenever you like.",
  "web.portal.title": "All set",
  "web.portal.text": "Your membership changes are saved. Your access follows within seconds.",
} satisfies Messages;

export const webFr = {
  "error.profile_name_invalid": (p) =>
    `Le nom doit compter de 1 à ${FR.number(p.max)} caractères (ou - pour l'effacer).`,
  "error.profile_pitch_too_long": (p) =>
    `La présentation doit compter au plus ${FR.number(p.max)} caractères (ou - pour l'effacer).`,
  "error.profile_picture_invalid": (p) =>
    `L'image doit être une adresse https:// d'au plus ${FR.number(p.max)} caractères, par exemple https://exemple.fr/moi.jpg (ou - pour l'effacer).`,
  "error.profile_invite_invalid":
    "L'invitation doit être un lien d'invitation Discord comme https://discord.gg/abcd1234 (ou - pour l'effacer).",

  "web.lang": "fr",
  "web.lang.name": "Français",
  "web.lang.read_in": "Lire cette page en français",
  "web.page.default_name": "Notre tribu",
  "web.page.title": (p) => `${p.name} : devenir membre`,
  "web.page.picture_alt": (p) => `Photo de ${p.name}`,
  "web.page.tiers": "Devenir membre",
  "web.page.none": "Rien n'est en vente pour l'instant. Revenez bientôt !",
  "web.page.all_tiers": "Voir toutes les formules",
  "web.page.footer": "Paiements sécurisés par Stripe. Aucun pistage sur cette page.",
  "web.goal": (p) =>
    `${FR.number(p.members)} sur ${FR.count(p.goal, "vrai fan", "vrais fans")} (${FR.percent(p.percent)})`,
  "web.goal.label": "Notre objectif de vrais fans",
  "web.price": (p) =>
    `${formatMoney("fr", p.amount, p.currency)} par ${p.interval === "month" ? "mois" : "an"}`,
  "web.price.lifetime": (p) =>
    `ou ${formatMoney("fr", p.amount, p.currency)} une fois, à vie (depuis la conversation)`,
  "web.tier.trial": (p) => `${FR.duration(p.days, "day")} offerts pour commencer`,
  "web.tier.opens": "Ce que cela ouvre",
  "web.tier.opens_item": (p) => `${p.label} (${PLATFORM_LABEL[p.platform]})`,
  "web.tier.more_places": (p) => `et ${p.count} de plus`,
  "web.tier.join_label": (p) => `Rejoindre ${p.name}`,
  "web.join.discord": "Rejoindre avec Discord",
  "web.join.telegram": "Rejoindre avec Telegram",
  "web.join.discord_invite": "Rejoindre le serveur Discord, puis taper /rejoindre",
  "web.join.discord_command": "Sur Discord : tapez /rejoindre dans le serveur du créateur.",
  "web.notfound.title": "Pas en vente",
  "web.notfound.archived": "Cette formule n'est plus en vente.",
  "web.notfound.unknown": "Aucune formule à cette adresse.",
  "web.notfound.offer": "Voici ce que vous pouvez rejoindre :",
  "web.rate_limited": (p) =>
    `Trop de requêtes depuis votre adresse. Patientez ${FR.duration(p.seconds, "second")} puis réessayez.`,
  "web.rate_limited.title": "Doucement",

  "web.signin.title": "La connexion n'a pas abouti",
  "web.signin.state_invalid":
    "Ce lien de connexion n'est plus valable : il a déjà servi, il a expiré, ou il a été ouvert dans un autre navigateur. Rien n'a été débité. Recommencez depuis la formule voulue.",
  "web.signin.cancelled":
    "Vous n'avez pas autorisé la connexion avec Discord : rien ne s'est passé et rien n'a été débité.",
  "web.signin.failed": (p) =>
    `Discord n'a pas pu vous connecter pour l'instant. Rien n'a été débité : réessayez dans une minute (référence ${p.ref}).`,
  "web.signin.scope_missing":
    "Discord n'a pas permis à tribegate de vous ajouter au serveur. Recommencez en laissant cochée « Rejoindre des serveurs pour toi ».",
  "web.signin.identity_taken":
    "Ce compte Discord appartient déjà à un autre abonnement que celui avec lequel vous vous êtes connecté sur ce navigateur. Pour réunir vos comptes, tapez /lier dans le serveur Discord du créateur et suivez les étapes ; rien n'a été débité.",
  "web.signin.not_configured":
    "La connexion avec Discord n'est pas en place pour cette tribu. Rejoignez le serveur Discord, puis tapez /rejoindre.",
  "web.signin.refused": "Impossible",
  "web.already_member": (p) => `Vous êtes déjà abonné (${p.tier}). Rien n'a été débité.`,
  "web.already_member.portal": "Gérer mon abonnement",

  "web.success.title": "Merci !",
  "web.success.text": "Votre paiement est passé.",
  "web.success.discord":
    "Vous êtes ajouté au serveur Discord avec votre rôle d'abonné, d'ici quelques secondes. Ouvrez Discord pour le retrouver.",
  "web.success.discord_button": "Ouvrir le serveur Discord",
  "web.success.telegram":
    "Votre lien personnel pour entrer arrive dans votre conversation avec le robot Telegram d'ici quelques secondes.",
  "web.success.telegram_button": "Ouvrir le robot Telegram",
  "web.success.generic":
    "Votre accès arrive sur Discord ou Telegram d'ici quelques secondes : vous pouvez fermer cette page.",
  "web.cancel.title": "Paiement annulé",
  "web.cancel.text": "Rien n'a été débité. Vous pouvez choisir une formule quand vous voulez.",
  "web.portal.title": "C'est fait",
  "web.portal.text":
    "Les changements de votre abonnement sont enregistrés. Votre accès suit d'ici quelques secondes.",
} satisfies Translation<typeof webEn>;
