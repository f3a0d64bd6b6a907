/**
 * Co-creation the tribe can see (`roadmap.*`, `web.roadmap.*`, the idea lifecycle's refusals and
 * notices, the fans' credit name, the results chart): one block, so that it merges cleanly.
 */
import type { IdeaStatus } from "../core/ideaLifecycle.ts";
import { wordsFor } from "./intl.ts";
import type { Messages, Translation } from "./messages.ts";

const EN = wordsFor("en");
const FR = wordsFor("fr");

const STATUS_EN: Record<IdeaStatus, string> = {
  proposed: "proposed",
  shortlisted: "shortlisted",
  in_poll: "in a poll",
  won: "won its poll",
  lost: "lost its poll",
  in_the_works: "in the works",
  shipped: "shipped",
  declined: "declined",
  merged: "merged into another idea",
};
const STATUS_FR: Record<IdeaStatus, string> = {
  proposed: "proposée",
  shortlisted: "retenue",
  in_poll: "soumise au vote",
  won: "gagnante de son sondage",
  lost: "battue à son sondage",
  in_the_works: "en préparation",
  shipped: "sortie",
  declined: "refusée",
  merged: "fusionnée avec une autre idée",
};

export const roadmapEn = {
  "idea.status": (p: { status: IdeaStatus }) => STATUS_EN[p.status],

  "error.idea_closed": (p: { status: IdeaStatus }) =>
    `This idea is ${STATUS_EN[p.status]}: upvotes no longer change it.`,
  "error.idea_not_upvoted": "You have not upvoted this idea: there is no upvote to take back.",
  "error.idea_not_pollable": (p: { title: string; status: IdeaStatus }) =>
    `“${p.title}” is ${STATUS_EN[p.status]}: only proposed, shortlisted or beaten ideas can go into a poll.`,
  "error.idea_decision_invalid": (p: { status: IdeaStatus }) =>
    `This idea is ${STATUS_EN[p.status]}: it can no longer be shortlisted, merged or declined.`,
  "error.idea_move_invalid": (p: { status: IdeaStatus }) =>
    `The idea that won is ${STATUS_EN[p.status]}: it cannot go back to an earlier stage.`,
  "error.idea_decline_reason_invalid": (p: { max: number }) =>
    `Say why you decline it, in 1 to ${EN.number(p.max)} characters: its author and the roadmap show your reason.`,
  "error.poll_already_shipped": "The winner is already shipped: it cannot go back to “in the works”.",
  "error.credit_name_invalid": (p: { max: number }) =>
    `Your name must be 2 to ${EN.number(p.max)} characters on one line (or - to stay anonymous).`,
  "error.credit_not_member": "Only members can choose how their ideas are credited: join a tier first.",

  "notice.idea_shortlisted": (p: { title: string }) =>
    `Your idea “${p.title}” is on the creator's shortlist: it may go to a poll soon.`,
  "notice.idea_merged": (p: { title: string }) => `Your idea “${p.title}” was merged into a similar one.`,
  "notice.idea_declined": (p: { title: string; reason: string }) =>
    `Your idea “${p.title}” was declined this time. The creator's reason: ${p.reason}\nThank you for proposing it!`,
  "notice.idea_won": (p: { title: string; question: string; credit: string | null }) =>
    `Your idea “${p.title}” won the poll “${p.question}”! ${
      p.credit
        ? `The roadmap credits it to ${p.credit}.`
        : "The roadmap credits it anonymously: choose your name with /idea credit (Discord) or /credit (Telegram)."
    }`,
  "notice.idea_shipped": (p: { title: string }) =>
    `“${p.title}”, an idea you backed, has shipped. Thank you for shaping it!`,

  "error.idea_edit_empty": "Give the new title, the new description, or both.",
  "error.roadmap_channel_not_postable": (p: { channel: string }) =>
    `I cannot post in ${p.channel}: give my role View Channel and Send Messages there (channel settings → Permissions), then run /tribe settings again. The roadmap channel was not changed.`,
  "roadmap.edited": (p: { title: string }) => `Idea updated: “${p.title}”.`,
  "roadmap.mine.none": "You have not proposed or upvoted any idea yet.",
  "roadmap.mine.proposed": "Ideas you proposed",
  "roadmap.mine.backed": "Ideas you back",
  "roadmap.mine.more": (p: { count: number }) => `…and ${EN.count(p.count, "more line", "more lines")}.`,
  "roadmap.mine.line": (p: {
    title: string;
    status: IdeaStatus;
    votes: number;
    id: string;
    reason: string | null;
    into: string | null;
  }) =>
    `• ${p.title}: ${STATUS_EN[p.status]}, ${EN.count(p.votes, "upvote", "upvotes")} (${p.id})` +
    (p.reason ? `. The creator's reason: ${p.reason}` : "") +
    (p.into ? `. Now part of “${p.into}”` : ""),
  "roadmap.credit_set": (p: { name: string }) => `Your ideas are now credited to “${p.name}” on the roadmap.`,
  "roadmap.credit_cleared": "Your ideas are now credited anonymously on the roadmap.",
  "roadmap.unvoted": (p: { title: string; votes: number }) =>
    `Upvote taken back from “${p.title}”: ${EN.count(p.votes, "upvote", "upvotes")} now.`,
  "roadmap.unvote_button": "↩️ Take back",
  "roadmap.results_posted": (p: { question: string }) => `Results of “${p.question}”`,

  "roadmap.msg.title": "🗺️ Roadmap: what the tribe decides",
  "roadmap.msg.voting": "🗳️ Voting now",
  "roadmap.msg.voting.line": (p: { question: string; choices: string; date: string }) =>
    `• ${p.question}: ${p.choices} (until ${p.date})`,
  "roadmap.msg.committed": "🛠️ Won, in the works",
  "roadmap.msg.committed.line": (p: { title: string; won: boolean }) =>
    `• ${p.title}: ${p.won ? "won its poll" : "in the works"}`,
  "roadmap.msg.shipped": "🚀 Shipped recently",
  "roadmap.msg.shipped.line": (p: { title: string; date: string }) => `• ${p.title} (${p.date})`,
  "roadmap.msg.shortlisted": "⭐ On the shortlist",
  "roadmap.msg.shortlisted.line": (p: { title: string; votes: number }) =>
    `• ${p.title} (${EN.count(p.votes, "upvote", "upvotes")})`,
  "roadmap.msg.proposed": (p: { count: number }) =>
    `💡 ${EN.count(p.count, "idea waits", "ideas wait")} for the creator's decision.`,
  "roadmap.msg.empty": "Nothing on the roadmap yet: members propose ideas with /idea.",
  "roadmap.msg.more": (p: { count: number }) => `…and ${EN.count(p.count, "more line", "more lines")}.`,
  "roadmap.msg.link": (p: { url: string }) => `The whole roadmap: ${p.url}`,

  "chart.voters": (p: { voters: number; weight: number }) =>
    `${EN.count(p.voters, "voter", "voters")} · total weight ${EN.number(p.weight)}`,
  "chart.round": (p: { n: number }) => `Round ${p.n}`,
  "chart.no_votes": "No votes",
  "chart.first_choices": "First choices, weighted",

  "web.roadmap.title": (p: { name: string }) => `${p.name} · Roadmap`,
  "web.roadmap.heading": "Roadmap",
  "web.roadmap.intro":
    "What the tribe proposed, voted on and saw made: every idea from its proposal to its release, with the fans who shaped it.",
  "web.roadmap.link": "See the roadmap: what the tribe decided",
  "web.roadmap.tribe_link": "Back to the tribe's page",
  "web.roadmap.all": "The whole roadmap",
  "web.roadmap.section.shipped": "Shipped",
  "web.roadmap.section.in_the_works": "In the works",
  "web.roadmap.section.polls": "Polls",
  "web.roadmap.section.ideas": "Ideas on the table",
  "web.roadmap.section.declined": "Not this time",
  "web.roadmap.empty": "Nothing yet: the first ideas will show here.",
  "web.roadmap.by": (p: { name: string }) => `by ${p.name}`,
  "web.roadmap.anonymous": "by an anonymous fan",
  "web.roadmap.upvotes": (p: { votes: number }) => EN.count(p.votes, "upvote", "upvotes"),
  "web.roadmap.step": (p: { stage: IdeaStatus; date: string }) => `${STATUS_EN[p.stage]}: ${p.date}`,
  "web.roadmap.reason": (p: { reason: string }) => `The creator's reason: ${p.reason}`,
  "web.roadmap.merged_into": "Merged into",
  "web.roadmap.poll.open": (p: { date: string }) => `Voting until ${p.date}`,
  "web.roadmap.poll.closed": (p: { date: string }) => `Closed on ${p.date}`,
  "web.roadmap.poll.opened": (p: { date: string }) => `Opened on ${p.date}`,
  "web.roadmap.poll.in_the_works": (p: { date: string }) => `Winner in the works since ${p.date}`,
  "web.roadmap.poll.shipped": (p: { date: string }) => `Winner shipped on ${p.date}`,
  "web.roadmap.poll.hidden": "Results are shown when the poll closes.",
  "web.roadmap.poll.weight": (p: { weight: number }) => `${EN.number(p.weight)} (weighted)`,
  "web.roadmap.poll.voters": (p: { voters: number }) => EN.count(p.voters, "voter", "voters"),
  "web.roadmap.poll.winner": "winner",
  "web.roadmap.poll.tie": "Tie: the creator will settle it.",
  "web.roadmap.poll.chart_alt": (p: { question: string }) => `Results chart of “${p.question}”`,
  "web.roadmap.poll.rounds": "Ranked-choice rounds",
  "web.roadmap.poll.from_idea": "the idea",
  /** `n`: the place's number when the platform has several (0: the only one). */
  "web.roadmap.discuss": (p: { platform: "discord" | "telegram"; n: number }) =>
    `Discuss on ${p.platform === "discord" ? "Discord" : "Telegram"}${p.n > 0 ? ` (${p.n})` : ""}`,
  "web.roadmap.notfound.title": "Not on the roadmap",
  "web.roadmap.notfound.text": "No idea or poll has this address. It may have been mistyped.",
} satisfies Messages;

export const roadmapFr = {
  "idea.status": (p) => STATUS_FR[p.status],

  "error.idea_closed": (p) => `Cette idée est ${STATUS_FR[p.status]} : les soutiens ne la changent plus.`,
  "error.idea_not_upvoted": "Vous ne soutenez pas cette idée : il n'y a pas de soutien à retirer.",
  "error.idea_not_pollable": (p) =>
    `« ${p.title} » est ${STATUS_FR[p.status]} : seules les idées proposées, retenues ou battues peuvent aller au vote.`,
  "error.idea_decision_invalid": (p) =>
    `Cette idée est ${STATUS_FR[p.status]} : elle ne peut plus être retenue, fusionnée ou refusée.`,
  "error.idea_move_invalid": (p) =>
    `L'idée gagnante est ${STATUS_FR[p.status]} : elle ne peut pas revenir à une étape précédente.`,
  "error.idea_decline_reason_invalid": (p) =>
    `Dites pourquoi vous la refusez, en 1 à ${FR.number(p.max)} caractères : son auteur et la feuille de route affichent votre raison.`,
  "error.poll_already_shipped": "La gagnante est déjà sortie : elle ne peut pas revenir « en préparation ».",
  "error.credit_name_invalid": (p) =>
    `Votre nom doit compter de 2 à ${FR.number(p.max)} caractères sur une ligne (ou - pour rester anonyme).`,
  "error.credit_not_member":
    "Seuls les membres choisissent comment leurs idées sont créditées : rejoignez d'abord un palier.",

  "notice.idea_shortlisted": (p) =>
    `Votre idée « ${p.title} » est dans la sélection du créateur : elle pourrait bientôt passer au vote.`,
  "notice.idea_merged": (p) => `Votre idée « ${p.title} » a été fusionnée avec une idée proche.`,
  "notice.idea_declined": (p) =>
    `Votre idée « ${p.title} » n'a pas été retenue cette fois. La raison du créateur : ${p.reason}\nMerci de l'avoir proposée !`,
  "notice.idea_won": (p) =>
    `Votre idée « ${p.title} » a gagné le sondage « ${p.question} » ! ${
      p.credit
        ? `La feuille de route la crédite à ${p.credit}.`
        : "La feuille de route la crédite anonymement : choisissez votre nom avec /idée créditer (Discord) ou /credit (Telegram)."
    }`,
  "notice.idea_shipped": (p) =>
    `« ${p.title} », une idée que vous avez soutenue, est sortie. Merci d'y avoir contribué !`,

  "error.idea_edit_empty": "Donnez le nouveau titre, la nouvelle description, ou les deux.",
  "error.roadmap_channel_not_postable": (p) =>
    `Je ne peux pas publier dans ${p.channel} : donnez à mon rôle Voir le salon et Envoyer des messages dans ce salon (paramètres du salon → Permissions), puis relancez /tribu réglages. Le salon de la feuille de route n'a pas changé.`,
  "roadmap.edited": (p) => `Idée modifiée : « ${p.title} ».`,
  "roadmap.mine.none": "Vous n'avez encore proposé ni soutenu aucune idée.",
  "roadmap.mine.proposed": "Les idées que vous avez proposées",
  "roadmap.mine.backed": "Les idées que vous soutenez",
  "roadmap.mine.more": (p) => `…et ${FR.count(p.count, "autre ligne", "autres lignes")}.`,
  "roadmap.mine.line": (p) =>
    `• ${p.title} : ${STATUS_FR[p.status]}, ${FR.count(p.votes, "soutien", "soutiens")} (${p.id})` +
    (p.reason ? `. La raison du créateur : ${p.reason}` : "") +
    (p.into ? `. Fait désormais partie de « ${p.into} »` : ""),
  "roadmap.credit_set": (p) => `Vos idées sont maintenant créditées à « ${p.name} » sur la feuille de route.`,
  "roadmap.credit_cleared": "Vos idées sont maintenant créditées anonymement sur la feuille de route.",
  "roadmap.unvoted": (p) =>
    `Soutien retiré de « ${p.title} » : ${FR.count(p.votes, "soutien", "soutiens")} maintenant.`,
  "roadmap.unvote_button": "↩️ Retirer",
  "roadmap.results_posted": (p) => `Résultats de « ${p.question} »`,

  "roadmap.msg.title": "🗺️ Feuille de route : ce que la tribu décide",
  "roadmap.msg.voting": "🗳️ Vote en cours",
  "roadmap.msg.voting.line": (p) => `• ${p.question} : ${p.choices} (jusqu'au ${p.date})`,
  "roadmap.msg.committed": "🛠️ Gagnantes, en préparation",
  "roadmap.msg.committed.line": (p) =>
    `• ${p.title} : ${p.won ? "gagnante de son sondage" : "en préparation"}`,
  "roadmap.msg.shipped": "🚀 Sorties récentes",
  "roadmap.msg.shipped.line": (p) => `• ${p.title} (${p.date})`,
  "roadmap.msg.shortlisted": "⭐ Dans la sélection",
  "roadmap.msg.shortlisted.line": (p) => `• ${p.title} (${FR.count(p.votes, "soutien", "soutiens")})`,
  "roadmap.msg.proposed": (p) =>
    `💡 ${FR.count(p.count, "idée attend", "idées attendent")} la décision du créateur.`,
  "roadmap.msg.empty":
    "Rien sur la feuille de route pour l'instant : les membres proposent des idées avec /idea.",
  "roadmap.msg.more": (p) => `…et ${FR.count(p.count, "autre ligne", "autres lignes")}.`,
  "roadmap.msg.link": (p) => `Toute la feuille de route : ${p.url}`,

  "chart.voters": (p) => `${FR.count(p.voters, "votant", "votants")} · poids total ${FR.number(p.weight)}`,
  "chart.round": (p) => `Tour ${p.n}`,
  "chart.no_votes": "Aucun vote",
  "chart.first_choices": "Premiers choix, pondérés",

  "web.roadmap.title": (p) => `${p.name} · Feuille de route`,
  "web.roadmap.heading": "Feuille de route",
  "web.roadmap.intro":
    "Ce que la tribu a proposé, voté et vu se réaliser : chaque idée de sa proposition à sa sortie, avec les fans qui l'ont façonnée.",
  "web.roadmap.link": "Voir la feuille de route : ce que la tribu a décidé",
  "web.roadmap.tribe_link": "Retour à la page de la tribu",
  "web.roadmap.all": "Toute la feuille de route",
  "web.roadmap.section.shipped": "Sorties",
  "web.roadmap.section.in_the_works": "En préparation",
  "web.roadmap.section.polls": "Sondages",
  "web.roadmap.section.ideas": "Idées sur la table",
  "web.roadmap.section.declined": "Pas cette fois",
  "web.roadmap.empty": "Rien pour l'instant : les premières idées s'afficheront ici.",
  "web.roadmap.by": (p) => `par ${p.name}`,
  "web.roadmap.anonymous": "par un fan anonyme",
  "web.roadmap.upvotes": (p) => FR.count(p.votes, "soutien", "soutiens"),
  "web.roadmap.step": (p) => `${STATUS_FR[p.stage]} : ${p.date}`,
  "web.roadmap.reason": (p) => `La raison du créateur : ${p.reason}`,
  "web.roadmap.merged_into": "Fusionnée avec",
  "web.roadmap.poll.open": (p) => `Vote ouvert jusqu'au ${p.date}`,
  "web.roadmap.poll.closed": (p) => `Fermé le ${p.date}`,
  "web.roadmap.poll.opened": (p) => `Ouvert le ${p.date}`,
  "web.roadmap.poll.in_the_works": (p) => `Gagnante en préparation depuis le ${p.date}`,
  "web.roadmap.poll.shipped": (p) => `Gagnante sortie le ${p.date}`,
  "web.roadmap.poll.hidden": "Les résultats s'affichent à la fermeture du sondage.",
  "web.roadmap.poll.weight": (p) => `${FR.number(p.weight)} (pondéré)`,
  "web.roadmap.poll.voters": (p) => FR.count(p.voters, "votant", "votants"),
  "web.roadmap.poll.winner": "gagnante",
  "web.roadmap.poll.tie": "Égalité : le créateur tranchera.",
  "web.roadmap.poll.chart_alt": (p) => `Graphique des résultats de « ${p.question} »`,
  "web.roadmap.poll.rounds": "Tours du vote par classement",
  "web.roadmap.poll.from_idea": "l'idée",
  "web.roadmap.discuss": (p) =>
    `En discuter sur ${p.platform === "discord" ? "Discord" : "Telegram"}${p.n > 0 ? ` (${p.n})` : ""}`,
  "web.roadmap.notfound.title": "Absent de la feuille de route",
  "web.roadmap.notfound.text":
    "Aucune idée ni aucun sondage n'a cette adresse. Elle a peut-être été mal tapée.",
} satisfies Translation<typeof roadmapEn>;
