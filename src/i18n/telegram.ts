/**
 * What the Telegram bot says (`telegram.*`). Telegram commands have the same name in every language
 * (/start, /link…), so the French text names them as they are. Dates are written in words with
 * their time zone named ("12 décembre 2026 à 14:00 UTC"): Telegram has no timestamp the reader's
 * app would convert, as Discord does.
 */
import type { HoldReason } from "../core/membership.ts";
import { wordsFor } from "./intl.ts";
import type { Messages, Translation } from "./messages.ts";
import { PLATFORM_LABEL, type PlatformName } from "./shared.ts";

const EN = wordsFor("en");
const FR = wordsFor("fr");

/** The same in every language: rank, title, upvotes, id, then the description indented below. */
const ideaLine = (p: {
  rank: number;
  title: string;
  votes: number;
  id: string;
  description: string;
}): string => `${p.rank}. ${p.title} (${p.votes}) · ${p.id}${p.description ? `\n   ${p.description}` : ""}`;

const HOLD_EN: Record<HoldReason, string> = { refunded: "refunded", disputed: "disputed" };
const HOLD_FR: Record<HoldReason, string> = { refunded: "remboursé", disputed: "contesté" };

export const telegramEn = {
  // Shared refusals, worded with Telegram's commands.
  "telegram.error.not_a_member":
    "You have no membership yet. Send /start to pick a tier. Already a member on Discord? Send /link to link this account.",
  "telegram.error.no_price": (p: { tier: string }) =>
    `Tier “${p.tier}” has no price for sale. Set one with /price.`,
  "telegram.error.bind_code_invalid": "This binding code is not valid. Create a new one with /bindcode.",
  "telegram.error.input_duration_invalid": (p: { value: string }) =>
    `“${p.value}” is not a duration. Right after the command, write how long the poll stays open: a number and a unit, e.g. 30m, 12h, 3d or 1w (minutes, hours, days, weeks). Example: /poll 3d single Next video? | Tutorial | Vlog. No poll was opened.`,
  "telegram.error.input_weights_invalid": (p: { part: string }) =>
    `In weight=, “${p.part}” is not tier:number: write e.g. weight=gold:3,silver:1 (weights from 1 to 10). No poll was opened.`,
  "telegram.error.input_options_missing":
    "No option after the question: write 2 to 10 options after it, each after a |, e.g. /poll 3d single Next video? | Tutorial | Vlog. No poll was opened.",

  // Fans.
  "telegram.start.welcome": "Welcome! Members get into the private chats of this community. Pick a tier:",
  "telegram.start.one_tier": (p: { name: string; description: string }) =>
    `${p.name}${p.description ? `\n${p.description}` : ""}\n\nTap to join:`,
  "telegram.start.none": "No membership is on sale yet. Come back soon!",
  "telegram.start.unknown_tier": (p: { slug: string }) =>
    `There is no tier “${p.slug}” on sale. Here are the tiers:`,
  "telegram.checkout.ready": (p: { tier: string; trialDays: number }) =>
    `Here is your checkout for ${p.tier}. It is tied to your Telegram account: the access it pays for can only ever be yours.${p.trialDays > 0 ? `\nYour first ${EN.duration(p.trialDays, "day")} ${EN.plural(p.trialDays, "is", "are")} free.` : ""}`,
  "telegram.checkout.button": "Pay securely with Stripe",
  "telegram.checkout.already_member": (p: { tier: string }) =>
    `You are already a member (${p.tier}). Change your tier or your card in the billing portal.`,
  "telegram.portal.button": "Manage my membership",
  "telegram.revoke.come_back": "Join again",
  "telegram.callback.invalid": "This button is not valid. Send /start to get fresh ones.",
  "telegram.callback.working": "One moment…",
  "telegram.membership.header": "Your membership:",
  "telegram.membership.line": (p: { tier: string; state: string; until: string }) =>
    `• ${p.tier}: ${p.state}${p.until ? ` (until ${p.until})` : ""}`,
  "telegram.membership.none":
    "You have no subscription yet. Send /start to pick a tier. Already a member on Discord? Send /link to link this account.",
  "telegram.membership.suspended": "Your access was revoked by the creator.",
  "telegram.link.code": (p: { code: string; minutes: number }) =>
    `Your linking code: ${p.code}\nOn Discord, run /link ${p.code} within ${EN.duration(p.minutes, "minute")}. It works once.`,
  "telegram.link.done": (p: { grants: number }) =>
    `Linked! Your membership now covers this Telegram account.${p.grants > 0 ? ` ${EN.plural(p.grants, "Your invite link is", "Your invite links are")} on the way (${EN.number(p.grants)}).` : ""}`,
  "telegram.claim.done": (p: { count: number }) =>
    `Checking your access: your ${EN.plural(p.count, "link", "links")} to ${EN.count(p.count, "chat", "chats")} ${EN.plural(p.count, "is", "are")} on the way.`,
  "telegram.claim.nothing": "Your membership opens no Telegram chat right now.",
  "telegram.grant.invite": (p: { tier: string; chat: string; link: string }) =>
    `Welcome to ${p.tier}! Here is your personal link to join “${p.chat}”:\n${p.link}\nIt only works for you: the bot lets members in and turns everyone else away.`,
  "telegram.grant.button": (p: { chat: string }) => `Join ${p.chat}`,
  "telegram.revoke.switched": (p: { chat: string; tier: string }) =>
    `You are now a ${p.tier} member, which does not include “${p.chat}”, so you were removed from it.`,
  "telegram.revoke.removed": (p: { chat: string }) =>
    `Your membership no longer includes “${p.chat}”, so you were removed from it. Send /start to join again anytime.`,
  "telegram.join.not_member": (p: { chat: string; link: string }) =>
    `“${p.chat}” is for members only, so your request to join was declined. Become a member here: ${p.link}`,
  "telegram.join.not_yours": (p: { chat: string; link: string }) =>
    `This invite link was made for another member, so your request to join “${p.chat}” was declined. Become a member to get your own: ${p.link}`,
  "telegram.join.removed": (p: { chat: string; link: string }) =>
    `“${p.chat}” is for members only and you joined with a link that was not yours, so you were removed. Become a member here: ${p.link}`,

  // Binding a chat.
  "telegram.bind.usage": (p: { usage: string }) => `Usage: ${p.usage}`,
  "telegram.bind.anonymous":
    "I cannot tell who you are while you post anonymously. Turn off “Remain anonymous” in your administrator rights, or send me /bind <code> <chat id> in a private chat.",
  "telegram.bind.caller_not_admin": "Only an administrator of this chat can bind it. Nothing changed.",
  "telegram.bind.bot_not_admin": (p: { missing: string }) =>
    `I am not an administrator of this chat. Make me one with these rights, then send /bind again: ${p.missing}. Nothing changed.`,
  "telegram.bind.bot_missing_rights": (p: { missing: string }) =>
    `I am missing these administrator rights here: ${p.missing}. Give them to me in the chat's administrator settings, then send /bind again. Nothing changed.`,
  "telegram.bind.chat_not_found":
    "I cannot find that chat. Add me to it as an administrator first, then give its numeric id (like -1001234567890) or its @username.",
  "telegram.bind.private_chat":
    "Send /bind <code> in the group itself, or /bind <code> <chat id or @username> here.",
  "telegram.bind.done": (p: { chat: string; tier: string }) =>
    `“${p.chat}” is now bound to tier ${p.tier}. Members get a personal link; I let them in and remove those whose membership ends.`,
  "telegram.right.can_invite_users": "Invite users via link",
  "telegram.right.can_restrict_members": "Ban users",

  // Creators.
  "telegram.creator.only": "This command is for the creator of this community and their managers.",
  "telegram.creator.usage": (p: { usage: string }) => `Usage: ${p.usage}`,
  "telegram.tiers.none": "No tier yet. Create one with /newtier.",
  "telegram.tiers.line": (p: {
    name: string;
    slug: string;
    price: string;
    archived: boolean;
    opens: string;
    deepLink: string;
  }) =>
    `• ${p.name} (${p.slug}): ${p.price}${p.archived ? " [archived]" : ""}\n  opens: ${p.opens}\n  link: ${p.deepLink}`,
  "telegram.tiers.opens_nothing": "nothing yet (/bindcode)",
  "telegram.tier.created": (p: { name: string; slug: string; price: string; deepLink: string }) =>
    `Tier ${p.name} (${p.slug}) created at ${p.price}. Fans join with ${p.deepLink}\nBind a chat to it: /bindcode ${p.slug}`,
  "telegram.tier.edited": (p: { slug: string }) => `Tier ${p.slug} updated.`,
  "telegram.tier.archived": (p: { slug: string }) =>
    `Tier ${p.slug} is no longer sold. Current members keep their access.`,
  "telegram.tier.price_changed": (p: { slug: string; price: string }) =>
    `New price for ${p.slug}: ${p.price}. Current members keep the price they pay.`,
  "telegram.settings.grace": (p: { days: number }) =>
    `Grace period: ${EN.duration(p.days, "day")} of access after a failed payment.`,
  "telegram.settings.trial_default": (p: { days: number }) =>
    `New tiers get a free trial of ${EN.duration(p.days, "day")}.`,
  "telegram.settings.trial_tier": (p: { slug: string; days: number }) =>
    `Tier ${p.slug}: a free trial of ${EN.duration(p.days, "day")} for new members.`,
  "telegram.settings.promo_on": "Fans can now enter promotion codes at checkout.",
  "telegram.settings.pauses": (p: { saved: boolean; value: string }) =>
    `${p.saved ? "Saved. " : ""}Pauses: ${p.value}. Change with /pauses on|off, kept|lost and the longest pause in months (1-3).`,
  "telegram.settings.promo_off": "Promotion codes are off at checkout.",
  "telegram.profile": (p: {
    url: string;
    name: string;
    pitch: string;
    picture: string;
    invite: string;
    goalShown: boolean;
  }) =>
    [
      `Your public page: ${p.url}`,
      `Name: ${p.name || "none"}`,
      `Pitch: ${p.pitch || "none"}`,
      `Picture: ${p.picture || "none"}`,
      `Discord invite (when sign-in is not set up): ${p.invite || "none"}`,
      `True-fans goal on the page: ${p.goalShown ? "shown" : "hidden"}`,
    ].join("\n"),
  "telegram.settings.goal": (p: { goal: number }) =>
    `Goal set: ${EN.count(p.goal, "true fan", "true fans")}.`,
  "telegram.settings.managers": (p: { list: string }) => `Managers: ${p.list}`,
  "telegram.settings.managers_none": "No managers: only TELEGRAM_CREATOR_IDS may use the creator commands.",
  "telegram.settings.managers_creators_only":
    "Only the creators (TELEGRAM_CREATOR_IDS, or who claimed the bot with /setup) may change the managers.",
  "telegram.stats": (p: {
    active: number;
    goal: number;
    progress: number;
    trialing: number;
    pastDue: number;
    mrr: string;
    new: number;
    churned: number;
    perTier: string;
  }) =>
    `Members: ${EN.number(p.active)} / ${EN.number(p.goal)} (${EN.percent(p.progress)})\nTrialing: ${EN.number(p.trialing)} · Past due: ${EN.number(p.pastDue)}\nMonthly revenue: ${p.mrr}\nLast 30 days: +${EN.number(p.new)} / -${EN.number(p.churned)}\n${p.perTier}`,
  "telegram.member.text": (p: {
    id: string;
    suspended: boolean;
    identities: string;
    customer: string;
    subscriptions: string;
    jobs: string;
  }) =>
    `Member ${p.id}${p.suspended ? " [revoked by the creator]" : ""}\nAccounts: ${p.identities}\nStripe customer: ${p.customer}\nSubscriptions:\n${p.subscriptions}\nAccess:\n${p.jobs}`,
  "telegram.member.sub_line": (p: {
    tier: string;
    state: string;
    until: string;
    holds: readonly HoldReason[];
  }) =>
    `• ${p.tier}: ${p.state}${p.until ? ` → ${p.until}` : ""}${p.holds.length ? ` [${EN.list(p.holds.map((h) => HOLD_EN[h]))}]` : ""}`,
  "telegram.member.job_line": (p: { action: string; target: string; user: string; state: string }) =>
    `• ${p.action} ${p.target} (${p.user}): ${p.state}`,
  "telegram.member.resynced": (p: { grants: number; revokes: number }) =>
    `Re-synced: ${EN.count(p.grants, "grant", "grants")} and ${EN.count(p.revokes, "removal", "removals")} queued.`,
  "telegram.member.revoked": (p: { revokes: number }) =>
    `Access revoked: ${EN.count(p.revokes, "removal", "removals")} queued. /restore gives it back.`,
  "telegram.member.restored": (p: { grants: number }) =>
    `Access restored: ${EN.count(p.grants, "grant", "grants")} queued.`,
  "telegram.member.unlinked": (p: { platform: PlatformName; account: string; revokes: number }) =>
    `${PLATFORM_LABEL[p.platform]} account ${p.account} is no longer linked to this membership; its access there is being removed (${EN.count(p.revokes, "change", "changes")}). The fan can now link another ${PLATFORM_LABEL[p.platform]} account with /link (on Telegram or Discord).`,
  "telegram.reconcile.report": (p: {
    dry: boolean;
    subs: number;
    members: number;
    drift: number;
    lines: string;
    unreadable: string;
  }) =>
    `${p.dry ? "Dry run (nothing changed; /reconcile apply to repair)" : "Reconciliation done"}: ${EN.count(p.subs, "Stripe subscription", "Stripe subscriptions")} and ${EN.count(p.members, "member", "members")} checked, ${EN.count(p.drift, "difference", "differences")}.${p.lines ? `\n${p.lines}` : ""}${p.unreadable ? `\nCould not read: ${p.unreadable}` : ""}`,
  "telegram.deadjobs.none": "No failed access change.",
  "telegram.deadjobs.header": (p: { count: number }) =>
    `${EN.count(p.count, "failed access change", "failed access changes")}; fix the cause, then /retryjob <id> or /retryjob all:`,
  "telegram.deadjobs.line": (p: {
    id: string;
    action: string;
    target: string;
    user: string;
    error: string;
  }) => `#${p.id} ${p.action} ${p.target} for ${p.user}: ${p.error}`,
  "telegram.deadjobs.retried": (p: { count: number }) => `${EN.count(p.count, "job", "jobs")} queued again.`,
  "telegram.bindcode.done": (p: { tier: string; code: string; minutes: number }) =>
    `Binding code for tier ${p.tier}: ${p.code}\nAdd me to your private group or channel as an administrator (rights: Invite users via link, Ban users), then send there: /bind ${p.code}\nFor a channel, send me here: /bind ${p.code} <channel id or @username>\nThe code works once, for ${EN.duration(p.minutes, "minute")}.`,

  // Alerts to the creator.
  "telegram.feed.status": (p: { lines: string }) =>
    `Your feed (here, and in the Discord feed channel if one is set). Each new member, cancellation, failed payment... reaches you here, gathered every 30 seconds:\n${p.lines}\nSwitch a kind with /feed on <kind> or /feed off <kind>.`,
  "telegram.feed.on": "on",
  "telegram.roadmapmsg.status": (p: { on: boolean }) =>
    p.on
      ? "The roadmap message is on: pinned in each chat bound to a tier (without a notification) and edited as ideas and polls move. For pinning, I need the right to pin messages there. /roadmapmsg off stops the updates (the last message stays)."
      : "The roadmap message is off on Telegram. /roadmapmsg on pins it in each chat bound to a tier and keeps it up to date.",
  "telegram.feed.off": "off",
  "telegram.alert.bot_removed": (p: { chat: string; tiers: readonly string[] }) =>
    `I was removed from “${p.chat}” (${EN.plural(p.tiers.length, "tier", "tiers")} ${EN.list(p.tiers)}): I can no longer let members in or remove those who stop paying there. Add me back as an administrator with: Invite users via link, Ban users.`,
  "telegram.alert.rights_lost": (p: { chat: string; tiers: readonly string[]; missing: string }) =>
    `In “${p.chat}” (${EN.plural(p.tiers.length, "tier", "tiers")} ${EN.list(p.tiers)}) I am missing these administrator rights: ${p.missing}. Members cannot be let in or removed until you give them back.`,
  "telegram.alert.roadmap_not_pinned": (p: { chat: string }) =>
    `I posted the roadmap message in “${p.chat}” but cannot pin it: make me an administrator there with the right to pin messages (in a channel: to edit messages of others). I pin it at the next change of the roadmap, or now with /roadmapmsg on.`,

  // Polls and ideas.
  "telegram.discussion.idea": (p: { title: string }) =>
    `💬 Shortlisted: ${p.title} — reply to this message to discuss`,
  "telegram.poll.help_single": "Tap one option to vote. Tap another one to change your vote.",
  "telegram.poll.help_budget":
    "Spread your points across the options: ＋ gives one point to an option, − takes one back. Each tap is saved; you see your points left.",
  "telegram.poll.help_approval": "Tap every option you approve of; tap one again to take your approval back.",
  "telegram.poll.help_ranked":
    "Rank the options: tap your 1st choice, then your 2nd, and so on. Tap “Clear my ranking” to start over.",
  "telegram.poll.line": (p: { option: string; count: number; percent: number }) =>
    `• ${p.option}: ${EN.number(p.count)} (${EN.percent(p.percent)})`,
  "telegram.poll.first_choices": "First choices so far:",
  "telegram.poll.first_choices_final": "First choices:",
  "telegram.poll.hidden": "Results are shown when the poll closes.",
  "telegram.poll.footer": (p: { voters: number; closes: string; id: string }) =>
    `${EN.count(p.voters, "voter", "voters")} · closes on ${p.closes} · poll ${p.id}`,
  "telegram.poll.final": "Closed. Final results:",
  "telegram.poll.winner": (p: { option: string }) => `Winner: ${p.option}`,
  "telegram.poll.tie": (p: { options: readonly string[] }) => `Tie between ${EN.list(p.options)}`,
  "telegram.poll.no_votes": "Nobody voted.",
  "telegram.poll.round": (p: { n: number; counts: string; out: readonly string[] }) =>
    `Round ${p.n}: ${p.counts}${p.out.length ? ` → out: ${EN.list(p.out)}` : ""}`,
  "telegram.poll.final_footer": (p: { voters: number; id: string }) =>
    `${EN.count(p.voters, "voter", "voters")} · poll ${p.id}`,
  "telegram.poll.clear": "Clear my ranking",
  "telegram.poll.opened": (p: { id: string; closes: string }) =>
    `Poll ${p.id} is open until ${p.closes}. Close it early: /closepoll ${p.id}`,
  "telegram.poll.posted": (p: { platform: PlatformName; count: number }) =>
    `${PLATFORM_LABEL[p.platform]}: posted in ${EN.count(p.count, "place", "places")}.`,
  "telegram.poll.unposted_discord":
    "Discord: not posted (no poll channel set: /tribe settings add-poll-channel on Discord).",
  "telegram.poll.unposted_telegram":
    "Telegram: no group or channel is bound to the tiers of this poll yet (/bindcode, then /bind there).",
  "telegram.poll.post_failed": (p: { platform: PlatformName; chat: string; reason: string }) =>
    `${PLATFORM_LABEL[p.platform]}: could not post in ${p.chat} (${p.reason}).`,
  "telegram.poll.closed_reply": (p: { id: string; results: string }) =>
    `Poll ${p.id} closed.\n\n${p.results}`,
  "telegram.poll.export_caption": (p: { question: string }) => `Ballots of “${p.question}”`,
  "telegram.poll.committed": (p: { option: string; stage: "in_the_works" | "shipped"; notified: number }) =>
    `“${p.option}” is now marked ${p.stage === "shipped" ? "shipped" : "in the works"}: ${EN.count(p.notified, "voter", "voters")} will hear about it.`,
  "telegram.vote.counted": (p: { choice: string; weight: number }) =>
    `Vote counted: ${p.choice} (weight ${p.weight}).`,
  "telegram.vote.budget": (p: { choice: string; left: number; weight: number }) =>
    p.choice
      ? `Your points: ${p.choice}. Points left: ${p.left} of ${p.weight}.`
      : `You have given no point: your ballot counts for nothing. Points left: ${p.left} of ${p.weight}.`,
  "telegram.vote.changed": (p: { choice: string; weight: number }) =>
    `Vote changed: ${p.choice} (weight ${p.weight}).`,
  "telegram.vote.unchanged": (p: { choice: string; weight: number }) =>
    `Your vote is unchanged: ${p.choice}.`,
  "telegram.vote.cleared": "Ranking cleared: it counts for nothing until you tap your 1st choice.",
  "telegram.vote.invalid": "This button is not valid: nothing was counted.",
  "telegram.ideas.none": "No open idea yet. Propose one: /idea <title> | <description>",
  "telegram.ideas.header": "Top ideas (tap to upvote):",
  "telegram.ideas.line": ideaLine,
  "telegram.ideas.button": (p: { title: string }) => `👍 ${p.title}`,
  "telegram.idea.proposed": (p: { id: string; title: string }) =>
    `Idea ${p.id} proposed: “${p.title}”. The tribe can upvote it with /ideas.`,
  "telegram.idea.upvoted": (p: { votes: number }) => `Upvoted: ${EN.count(p.votes, "upvote", "upvotes")}.`,
  "telegram.idea.decided": (p: { title: string; decision: "shortlisted" | "merged" | "declined" }) =>
    `Idea “${p.title}” is now ${p.decision}. Its author will hear about it.`,

  // Claiming a bot started without TELEGRAM_CREATOR_IDS (/setup <code from the log>).
  "telegram.setup.usage":
    "Usage: /setup <code>, with the set-up code the bot printed in its log when it started.",
  "telegram.setup.from_env":
    "This bot's creators come from TELEGRAM_CREATOR_IDS in its configuration: /setup is not used. To add a creator, add their Telegram user id there and restart.",
  "telegram.setup.already": "This bot already has a creator. A creator can add managers with /managers.",
  "telegram.setup.no_code":
    "There is no set-up code right now. Restart the bot: it prints a new one in its log.",
  "telegram.setup.expired": "This set-up code has expired. Restart the bot: it prints a new one in its log.",
  "telegram.setup.wrong": "This is not the set-up code. Check the code in the bot's log and try again.",
  "telegram.setup.throttled": (p: { minutes: number }) =>
    `Too many tries. Try again in ${EN.duration(p.minutes, "minute")}.`,
  "telegram.setup.done": (p: { bot: string }) =>
    `Done: you are the creator of @${p.bot}. Your creator commands are in the menu (/tiers to see them at work).\n\nNext steps:\n1. Create a tier: /newtier 5 eur month Gold\n2. Add @${p.bot} to your group or channel as an administrator (allowed to invite users, ban users and manage the chat)\n3. Send /bindcode <tier> here, then /bind <code> in that group`,

  // The bot added to a chat no tier opens: one-tap binding, offered to the creators in private.
  "telegram.offer.text": (p: { chat: string }) =>
    `I was added to “${p.chat}”, which no tier opens yet. Tap a tier to open this chat to its members:`,
  "telegram.offer.no_tier": (p: { chat: string }) =>
    `I was added to “${p.chat}”, which no tier opens yet. Create a tier first (/newtier), then send /bindcode <tier> here and /bind <code> in that chat.`,
  "telegram.offer.button": (p: { chat: string; tier: string }) => `Open ${p.chat} to ${p.tier}`,
  "telegram.offer.tier_gone":
    "This tier is no longer on sale. Send /tiers to see the tiers, and /bindcode to bind the chat.",
  "telegram.offer.bot_not_admin": (p: { missing: string }) =>
    `I am not an administrator of this chat. Make me one with these rights, then tap the button again: ${p.missing}. Nothing changed.`,
  "telegram.offer.bot_missing_rights": (p: { missing: string }) =>
    `I am missing these administrator rights there: ${p.missing}. Give them to me in the chat's administrator settings, then tap the button again. Nothing changed.`,

  // The fan's journey (issue 17): every price side by side, switching tier, linking the other platform.
  "telegram.start.offer": (p: { tier: string; price: string }) => `${p.tier} · ${p.price}`,
  "telegram.checkout.ready_lifetime": (p: { tier: string; price: string }) =>
    `Here is your checkout for ${p.tier}, for life: ${p.price}, paid once, no renewal. It is tied to your Telegram account: the access it pays for can only ever be yours.`,
  "telegram.checkout.link_hint": (p: { platform: PlatformName }) =>
    `Already a member through ${PLATFORM_LABEL[p.platform]}? Do not pay twice: send /link here.`,
  "telegram.checkout.has_tier": (p: { tier: string }) =>
    `You already have ${p.tier}: there is nothing more to pay. Change your card or cancel in the billing portal.`,
  "telegram.checkout.has_tier_for_life": (p: { tier: string }) =>
    `You already have ${p.tier}, for life: there is nothing more to pay.`,
  "telegram.checkout.switch_offer": (p: { tier: string; to: string }) =>
    `You are a member of ${p.tier}. Switch to ${p.to} instead of paying twice? Stripe prorates the difference on your next invoice.`,
  "telegram.checkout.other_platform": (p: { platform: PlatformName }) =>
    `It also opens chats on ${PLATFORM_LABEL[p.platform]}: send /link to link your ${PLATFORM_LABEL[p.platform]} account and get them.`,
  "telegram.switch.button": (p: { tier: string }) => `Switch to ${p.tier}`,
  "telegram.switch.done": (p: { tier: string }) =>
    `Done: you are now a member of ${p.tier}. Stripe prorates the change on your next invoice; your access follows in a moment.`,
  "telegram.link.button": "Get my /link code",
} satisfies Messages;

export const telegramFr = {
  "telegram.error.not_a_member":
    "Vous n'avez pas encore d'abonnement. Envoyez /start pour choisir un palier. Déjà membre sur Discord ? Envoyez /link pour lier ce compte.",
  "telegram.error.no_price": (p) =>
    `Le palier « ${p.tier} » n'a pas de prix en vente. Fixez-en un avec /price.`,
  "telegram.error.bind_code_invalid":
    "Ce code de liaison n'est pas valide. Créez-en un nouveau avec /bindcode.",
  "telegram.error.input_duration_invalid": (p) =>
    `« ${p.value} » n'est pas une durée. Juste après la commande, écrivez combien de temps le sondage reste ouvert : un nombre et une unité, par ex. 30m, 12h, 3j ou 1w (minutes, heures, jours, semaines). Exemple : /poll 3j single Prochaine vidéo ? | Tutoriel | Vlog. Aucun sondage ouvert.`,
  "telegram.error.input_weights_invalid": (p) =>
    `Dans weight=, « ${p.part} » n'est pas de la forme palier:nombre : écrivez par ex. weight=gold:3,silver:1 (poids de 1 à 10). Aucun sondage ouvert.`,
  "telegram.error.input_options_missing":
    "Aucune option après la question : écrivez 2 à 10 options après elle, chacune après un |, par ex. /poll 3j single Prochaine vidéo ? | Tutoriel | Vlog. Aucun sondage ouvert.",

  "telegram.start.welcome":
    "Bienvenue ! Les membres entrent dans les discussions privées de cette communauté. Choisissez un palier :",
  "telegram.start.one_tier": (p) =>
    `${p.name}${p.description ? `\n${p.description}` : ""}\n\nTouchez pour rejoindre :`,
  "telegram.start.none": "Aucun abonnement n'est en vente pour le moment. Revenez bientôt !",
  "telegram.start.unknown_tier": (p) => `Il n'y a pas de palier « ${p.slug} » en vente. Voici les paliers :`,
  "telegram.checkout.ready": (p) =>
    `Voici votre paiement pour ${p.tier}. Il est lié à votre compte Telegram : l'accès qu'il paie ne peut être qu'à vous.${p.trialDays > 0 ? `\n${FR.plural(p.trialDays, "Votre premier jour est offert", `Vos ${FR.number(p.trialDays)} premiers jours sont offerts`)}.` : ""}`,
  "telegram.checkout.button": "Payer en sécurité avec Stripe",
  "telegram.checkout.already_member": (p) =>
    `Vous êtes déjà membre (${p.tier}). Changez de palier ou de carte dans le portail de paiement.`,
  "telegram.portal.button": "Gérer mon abonnement",
  "telegram.revoke.come_back": "Revenir",
  "telegram.callback.invalid": "Ce bouton n'est pas valide. Envoyez /start pour en avoir de nouveaux.",
  "telegram.callback.working": "Un instant…",
  "telegram.membership.header": "Votre abonnement :",
  "telegram.membership.line": (p) => `• ${p.tier} : ${p.state}${p.until ? ` (jusqu'au ${p.until})` : ""}`,
  "telegram.membership.none":
    "Vous n'avez pas encore d'abonnement. Envoyez /start pour choisir un palier. Déjà membre sur Discord ? Envoyez /link pour lier ce compte.",
  "telegram.membership.suspended": "Votre accès a été retiré par le créateur.",
  "telegram.link.code": (p) =>
    `Votre code de liaison : ${p.code}\nSur Discord, lancez /lier ${p.code} dans les ${FR.duration(p.minutes, "minute")}. Il ne sert qu'une fois.`,
  "telegram.link.done": (p) =>
    `Comptes liés ! Votre abonnement couvre maintenant ce compte Telegram.${p.grants > 0 ? ` ${FR.plural(p.grants, "Votre lien d'invitation arrive", "Vos liens d'invitation arrivent")} (${FR.number(p.grants)}).` : ""}`,
  "telegram.claim.done": (p) =>
    `Vérification de votre accès : ${FR.plural(p.count, "votre lien", "vos liens")} vers ${FR.count(p.count, "discussion", "discussions")} ${FR.plural(p.count, "arrive", "arrivent")}.`,
  "telegram.claim.nothing": "Votre abonnement n'ouvre aucune discussion Telegram pour le moment.",
  "telegram.grant.invite": (p) =>
    `Bienvenue dans ${p.tier} ! Voici votre lien personnel pour rejoindre « ${p.chat} » :\n${p.link}\nIl ne fonctionne que pour vous : le bot fait entrer les membres et refuse tous les autres.`,
  "telegram.grant.button": (p) => `Rejoindre ${p.chat}`,
  "telegram.revoke.switched": (p) =>
    `Vous êtes maintenant membre ${p.tier}, qui n'inclut pas « ${p.chat} » : vous en avez donc été retiré.`,
  "telegram.revoke.removed": (p) =>
    `Votre abonnement n'inclut plus « ${p.chat} », vous en avez donc été retiré. Envoyez /start pour revenir quand vous voulez.`,
  "telegram.join.not_member": (p) =>
    `« ${p.chat} » est réservé aux membres : votre demande a été refusée. Devenez membre ici : ${p.link}`,
  "telegram.join.not_yours": (p) =>
    `Ce lien d'invitation a été créé pour un autre membre : votre demande pour rejoindre « ${p.chat} » a été refusée. Devenez membre pour avoir le vôtre : ${p.link}`,
  "telegram.join.removed": (p) =>
    `« ${p.chat} » est réservé aux membres et vous êtes entré avec un lien qui n'était pas le vôtre : vous en avez été retiré. Devenez membre ici : ${p.link}`,

  "telegram.bind.usage": (p) => `Utilisation : ${p.usage}`,
  "telegram.bind.anonymous":
    "Je ne peux pas savoir qui vous êtes quand vous publiez anonymement. Désactivez « Rester anonyme » dans vos droits d'administrateur, ou envoyez-moi /bind <code> <id du groupe> en privé.",
  "telegram.bind.caller_not_admin": "Seul un administrateur de ce groupe peut le lier. Rien n'a changé.",
  "telegram.bind.bot_not_admin": (p) =>
    `Je ne suis pas administrateur de ce groupe. Nommez-moi administrateur avec ces droits, puis renvoyez /bind : ${p.missing}. Rien n'a changé.`,
  "telegram.bind.bot_missing_rights": (p) =>
    `Il me manque ces droits d'administrateur ici : ${p.missing}. Donnez-les-moi dans les réglages des administrateurs, puis renvoyez /bind. Rien n'a changé.`,
  "telegram.bind.chat_not_found":
    "Je ne trouve pas ce groupe. Ajoutez-moi d'abord comme administrateur, puis donnez son identifiant numérique (comme -1001234567890) ou son @nom.",
  "telegram.bind.private_chat":
    "Envoyez /bind <code> dans le groupe lui-même, ou /bind <code> <id du groupe ou @nom> ici.",
  "telegram.bind.done": (p) =>
    `« ${p.chat} » est maintenant lié au palier ${p.tier}. Les membres reçoivent un lien personnel ; je les fais entrer et je retire ceux dont l'abonnement prend fin.`,
  "telegram.right.can_invite_users": "Inviter des utilisateurs via un lien",
  "telegram.right.can_restrict_members": "Bannir des utilisateurs",

  "telegram.creator.only":
    "Cette commande est réservée au créateur de cette communauté et à ses gestionnaires.",
  "telegram.creator.usage": (p) => `Utilisation : ${p.usage}`,
  "telegram.tiers.none": "Aucun palier pour le moment. Créez-en un avec /newtier.",
  "telegram.tiers.line": (p) =>
    `• ${p.name} (${p.slug}) : ${p.price}${p.archived ? " [archivé]" : ""}\n  ouvre : ${p.opens}\n  lien : ${p.deepLink}`,
  "telegram.tiers.opens_nothing": "rien pour le moment (/bindcode)",
  "telegram.tier.created": (p) =>
    `Palier ${p.name} (${p.slug}) créé à ${p.price}. Les fans rejoignent avec ${p.deepLink}\nLiez-y un groupe : /bindcode ${p.slug}`,
  "telegram.tier.edited": (p) => `Palier ${p.slug} mis à jour.`,
  "telegram.tier.archived": (p) =>
    `Le palier ${p.slug} n'est plus en vente. Les membres actuels gardent leur accès.`,
  "telegram.tier.price_changed": (p) =>
    `Nouveau prix pour ${p.slug} : ${p.price}. Les membres actuels gardent le prix qu'ils paient.`,
  "telegram.settings.grace": (p) =>
    `Délai de grâce : ${FR.duration(p.days, "day")} d'accès après un paiement échoué.`,
  "telegram.settings.trial_default": (p) =>
    `Les nouveaux paliers ont un essai gratuit de ${FR.duration(p.days, "day")}.`,
  "telegram.settings.trial_tier": (p) =>
    `Palier ${p.slug} : un essai gratuit de ${FR.duration(p.days, "day")} pour les nouveaux membres.`,
  "telegram.settings.pauses": (p) =>
    `${p.saved ? "Enregistré. " : ""}Pauses : ${p.value}. Changez-les avec /pauses on|off, kept|lost et la plus longue pause en mois (1-3).`,
  "telegram.settings.promo_on": "Les fans peuvent maintenant saisir un code promo au paiement.",
  "telegram.settings.promo_off": "Les codes promo sont désactivés au paiement.",
  "telegram.profile": (p) =>
    [
      `Votre page publique : ${p.url}`,
      `Nom : ${p.name || "aucun"}`,
      `Présentation : ${p.pitch || "aucune"}`,
      `Image : ${p.picture || "aucune"}`,
      `Invitation Discord (sans connexion Discord) : ${p.invite || "aucune"}`,
      `Objectif de vrais fans sur la page : ${p.goalShown ? "affiché" : "masqué"}`,
    ].join("\n"),
  "telegram.settings.goal": (p) => `Objectif fixé : ${FR.count(p.goal, "vrai fan", "vrais fans")}.`,
  "telegram.settings.managers": (p) => `Gestionnaires : ${p.list}`,
  "telegram.settings.managers_none":
    "Aucun gestionnaire : seuls les identifiants de TELEGRAM_CREATOR_IDS peuvent utiliser les commandes du créateur.",
  "telegram.settings.managers_creators_only":
    "Seuls les créateurs (TELEGRAM_CREATOR_IDS, ou qui a pris le bot en main avec /setup) peuvent changer les gestionnaires.",
  "telegram.stats": (p) =>
    `Membres : ${FR.number(p.active)} / ${FR.number(p.goal)} (${FR.percent(p.progress)})\nEn essai : ${FR.number(p.trialing)} · En retard de paiement : ${FR.number(p.pastDue)}\nRevenu mensuel : ${p.mrr}\n30 derniers jours : +${FR.number(p.new)} / -${FR.number(p.churned)}\n${p.perTier}`,
  "telegram.member.text": (p) =>
    `Membre ${p.id}${p.suspended ? " [retiré par le créateur]" : ""}\nComptes : ${p.identities}\nClient Stripe : ${p.customer}\nAbonnements :\n${p.subscriptions}\nAccès :\n${p.jobs}`,
  "telegram.member.sub_line": (p) =>
    `• ${p.tier} : ${p.state}${p.until ? ` → ${p.until}` : ""}${p.holds.length ? ` [${FR.list(p.holds.map((h) => HOLD_FR[h]))}]` : ""}`,
  "telegram.member.job_line": (p) => `• ${p.action} ${p.target} (${p.user}) : ${p.state}`,
  "telegram.member.resynced": (p) =>
    `Resynchronisé : ${FR.count(p.grants, "ajout", "ajouts")} et ${FR.count(p.revokes, "retrait", "retraits")} en file.`,
  "telegram.member.revoked": (p) =>
    `Accès retiré : ${FR.count(p.revokes, "retrait", "retraits")} en file. /restore le rend.`,
  "telegram.member.restored": (p) => `Accès rendu : ${FR.count(p.grants, "ajout", "ajouts")} en file.`,
  "telegram.member.unlinked": (p) =>
    `Le compte ${PLATFORM_LABEL[p.platform]} ${p.account} n'est plus lié à cet abonnement ; son accès y est retiré (${FR.count(p.revokes, "changement", "changements")}). Le fan peut maintenant lier un autre compte ${PLATFORM_LABEL[p.platform]} avec /link sur Telegram ou /lier sur Discord.`,
  "telegram.reconcile.report": (p) =>
    `${p.dry ? "À blanc (rien n'a changé ; /reconcile apply pour réparer)" : "Réconciliation faite"} : ${FR.count(p.subs, "abonnement", "abonnements")} Stripe et ${FR.count(p.members, "membre", "membres")} ${FR.plural(p.subs + p.members, "vérifié", "vérifiés")}, ${FR.count(p.drift, "différence", "différences")}.${p.lines ? `\n${p.lines}` : ""}${p.unreadable ? `\nIllisible : ${p.unreadable}` : ""}`,
  "telegram.deadjobs.none": "Aucun changement d'accès en échec.",
  "telegram.deadjobs.header": (p) =>
    `${FR.count(p.count, "changement d'accès en échec", "changements d'accès en échec")} ; corrigez la cause, puis /retryjob <id> ou /retryjob all :`,
  "telegram.deadjobs.line": (p) => `#${p.id} ${p.action} ${p.target} pour ${p.user} : ${p.error}`,
  "telegram.deadjobs.retried": (p) => `${FR.count(p.count, "tâche relancée", "tâches relancées")}.`,
  "telegram.bindcode.done": (p) =>
    `Code de liaison pour le palier ${p.tier} : ${p.code}\nAjoutez-moi à votre groupe ou canal privé comme administrateur (droits : Inviter des utilisateurs via un lien, Bannir des utilisateurs), puis envoyez-y : /bind ${p.code}\nPour un canal, envoyez-moi ici : /bind ${p.code} <id du canal ou @nom>\nLe code sert une fois, pendant ${FR.duration(p.minutes, "minute")}.`,

  "telegram.feed.status": (p) =>
    `Votre fil (ici, et dans le salon du fil sur Discord s'il est choisi). Chaque nouveau membre, résiliation, paiement refusé… vous parvient ici, regroupé toutes les 30 secondes :\n${p.lines}\nActivez ou coupez un type avec /feed on <type> ou /feed off <type>.`,
  "telegram.feed.on": "activé",
  "telegram.roadmapmsg.status": (p) =>
    p.on
      ? "Le message de feuille de route est activé : épinglé dans chaque groupe lié à un palier (sans notification) et modifié à mesure qu'idées et sondages avancent. Pour l'épingler, il me faut le droit d'épingler des messages. /roadmapmsg off arrête les mises à jour (le dernier message reste)."
      : "Le message de feuille de route est coupé sur Telegram. /roadmapmsg on l'épingle dans chaque groupe lié à un palier et le tient à jour.",
  "telegram.feed.off": "coupé",
  "telegram.alert.bot_removed": (p) =>
    `J'ai été retiré de « ${p.chat} » (${FR.plural(p.tiers.length, "palier", "paliers")} ${FR.list(p.tiers)}) : je ne peux plus y faire entrer les membres ni retirer ceux qui ne paient plus. Ajoutez-moi de nouveau comme administrateur avec : Inviter des utilisateurs via un lien, Bannir des utilisateurs.`,
  "telegram.alert.rights_lost": (p) =>
    `Dans « ${p.chat} » (${FR.plural(p.tiers.length, "palier", "paliers")} ${FR.list(p.tiers)}), il me manque ces droits d'administrateur : ${p.missing}. Les membres ne peuvent plus entrer ni être retirés tant que vous ne les rendez pas.`,
  "telegram.alert.roadmap_not_pinned": (p) =>
    `J'ai publié le message de feuille de route dans « ${p.chat} » mais je ne peux pas l'épingler : faites de moi un administrateur avec le droit d'épingler des messages (dans une chaîne : de modifier les messages des autres). Je l'épinglerai au prochain changement de la feuille de route, ou tout de suite avec /roadmapmsg on.`,

  "telegram.discussion.idea": (p) =>
    `💬 Dans la sélection : ${p.title} — répondez à ce message pour en discuter`,
  "telegram.poll.help_single": "Touchez une option pour voter. Touchez-en une autre pour changer de vote.",
  "telegram.poll.help_budget":
    "Répartissez vos points entre les options : ＋ donne un point à une option, − en reprend un. Chaque touche est enregistrée ; vous voyez vos points restants.",
  "telegram.poll.help_approval":
    "Touchez chaque option que vous approuvez ; touchez-la de nouveau pour retirer votre approbation.",
  "telegram.poll.help_ranked":
    "Classez les options : touchez votre 1er choix, puis le 2e, et ainsi de suite. Touchez « Effacer mon classement » pour recommencer.",
  "telegram.poll.line": (p) => `• ${p.option} : ${FR.number(p.count)} (${FR.percent(p.percent)})`,
  "telegram.poll.first_choices": "Premiers choix pour l'instant :",
  "telegram.poll.first_choices_final": "Premiers choix :",
  "telegram.poll.hidden": "Les résultats seront affichés à la fermeture du sondage.",
  "telegram.poll.footer": (p) =>
    `${FR.count(p.voters, "votant", "votants")} · fermeture le ${p.closes} · sondage ${p.id}`,
  "telegram.poll.final": "Fermé. Résultats définitifs :",
  "telegram.poll.winner": (p) => `Gagnant : ${p.option}`,
  "telegram.poll.tie": (p) => `Égalité entre ${FR.list(p.options)}`,
  "telegram.poll.no_votes": "Personne n'a voté.",
  "telegram.poll.round": (p) =>
    `Tour ${p.n} : ${p.counts}${p.out.length ? ` → ${FR.plural(p.out.length, "éliminée", "éliminées")} : ${FR.list(p.out)}` : ""}`,
  "telegram.poll.final_footer": (p) => `${FR.count(p.voters, "votant", "votants")} · sondage ${p.id}`,
  "telegram.poll.clear": "Effacer mon classement",
  "telegram.poll.opened": (p) =>
    `Le sondage ${p.id} est ouvert jusqu'au ${p.closes}. Fermez-le plus tôt : /closepoll ${p.id}`,
  "telegram.poll.posted": (p) =>
    `${PLATFORM_LABEL[p.platform]} : publié à ${FR.count(p.count, "endroit", "endroits")}.`,
  "telegram.poll.unposted_discord":
    "Discord : pas publié (aucun salon de sondage : /tribu réglages ajouter-salon-sondages sur Discord).",
  "telegram.poll.unposted_telegram":
    "Telegram : aucun groupe ni canal n'est encore lié aux paliers de ce sondage (/bindcode, puis /bind là-bas).",
  "telegram.poll.post_failed": (p) =>
    `${PLATFORM_LABEL[p.platform]} : impossible de publier dans ${p.chat} (${p.reason}).`,
  "telegram.poll.closed_reply": (p) => `Sondage ${p.id} fermé.\n\n${p.results}`,
  "telegram.poll.export_caption": (p) => `Bulletins de « ${p.question} »`,
  "telegram.poll.committed": (p) =>
    `« ${p.option} » est maintenant marqué ${p.stage === "shipped" ? "livré" : "en préparation"} : ${FR.count(p.notified, "votant en sera informé", "votants en seront informés")}.`,
  "telegram.vote.counted": (p) => `Vote compté : ${p.choice} (poids ${p.weight}).`,
  "telegram.vote.budget": (p) =>
    p.choice
      ? `Vos points : ${p.choice}. Points restants : ${p.left} sur ${p.weight}.`
      : `Vous n'avez donné aucun point : votre bulletin ne compte pas. Points restants : ${p.left} sur ${p.weight}.`,
  "telegram.vote.changed": (p) => `Vote modifié : ${p.choice} (poids ${p.weight}).`,
  "telegram.vote.unchanged": (p) => `Votre vote ne change pas : ${p.choice}.`,
  "telegram.vote.cleared":
    "Classement effacé : il ne compte plus jusqu'à ce que vous touchiez votre 1er choix.",
  "telegram.vote.invalid": "Ce bouton n'est pas valide : rien n'a été compté.",
  "telegram.ideas.none":
    "Aucune idée ouverte pour l'instant. Proposez-en une : /idea <titre> | <description>",
  "telegram.ideas.header": "Meilleures idées (touchez pour soutenir) :",
  "telegram.ideas.line": ideaLine,
  "telegram.ideas.button": (p) => `👍 ${p.title}`,
  "telegram.idea.proposed": (p) =>
    `Idée ${p.id} proposée : « ${p.title} ». La tribu peut la soutenir avec /ideas.`,
  "telegram.idea.upvoted": (p) => `Soutien enregistré : ${FR.count(p.votes, "soutien", "soutiens")}.`,
  "telegram.idea.decided": (p) =>
    `L'idée « ${p.title} » est maintenant ${{ shortlisted: "retenue", merged: "fusionnée", declined: "refusée" }[p.decision]}. Son auteur en sera informé.`,

  "telegram.setup.usage":
    "Utilisation : /setup <code>, avec le code d'installation que le bot a écrit dans son journal au démarrage.",
  "telegram.setup.from_env":
    "Les créateurs de ce bot viennent de TELEGRAM_CREATOR_IDS dans sa configuration : /setup ne sert pas. Pour ajouter un créateur, ajoutez-y son identifiant Telegram et redémarrez.",
  "telegram.setup.already":
    "Ce bot a déjà un créateur. Un créateur peut ajouter des gestionnaires avec /managers.",
  "telegram.setup.no_code":
    "Il n'y a pas de code d'installation pour l'instant. Redémarrez le bot : il en écrit un nouveau dans son journal.",
  "telegram.setup.expired":
    "Ce code d'installation a expiré. Redémarrez le bot : il en écrit un nouveau dans son journal.",
  "telegram.setup.wrong":
    "Ce n'est pas le code d'installation. Vérifiez le code dans le journal du bot et réessayez.",
  "telegram.setup.throttled": (p) => `Trop d'essais. Réessayez dans ${FR.duration(p.minutes, "minute")}.`,
  "telegram.setup.done": (p) =>
    `C'est fait : vous êtes le créateur de @${p.bot}. Vos commandes de créateur sont dans le menu (/tiers pour les voir à l'œuvre).\n\nÉtapes suivantes :\n1. Créez un palier : /newtier 5 eur month Or\n2. Ajoutez @${p.bot} à votre groupe ou canal comme administrateur (autorisé à inviter, bannir et gérer le groupe)\n3. Envoyez /bindcode <palier> ici, puis /bind <code> dans ce groupe`,
  "telegram.offer.text": (p) =>
    `On m'a ajouté à « ${p.chat} », qu'aucun palier n'ouvre encore. Touchez un palier pour ouvrir ce groupe à ses membres :`,
  "telegram.offer.no_tier": (p) =>
    `On m'a ajouté à « ${p.chat} », qu'aucun palier n'ouvre encore. Créez d'abord un palier (/newtier), puis envoyez /bindcode <palier> ici et /bind <code> dans ce groupe.`,
  "telegram.offer.button": (p) => `Ouvrir ${p.chat} à ${p.tier}`,
  "telegram.offer.tier_gone":
    "Ce palier n'est plus en vente. Envoyez /tiers pour voir les paliers, et /bindcode pour lier le groupe.",
  "telegram.offer.bot_not_admin": (p) =>
    `Je ne suis pas administrateur de ce groupe. Nommez-moi avec ces droits, puis touchez à nouveau le bouton : ${p.missing}. Rien n'a changé.`,
  "telegram.offer.bot_missing_rights": (p) =>
    `Il me manque ces droits d'administrateur là-bas : ${p.missing}. Donnez-les-moi dans les réglages d'administration du groupe, puis touchez à nouveau le bouton. Rien n'a changé.`,

  // The fan's journey (issue 17): every price side by side, switching tier, linking the other platform.
  "telegram.start.offer": (p) => `${p.tier} · ${p.price}`,
  "telegram.checkout.ready_lifetime": (p) =>
    `Voici votre paiement pour ${p.tier}, à vie : ${p.price}, payé une fois, sans renouvellement. Il est lié à votre compte Telegram : l'accès qu'il paie ne peut être qu'à vous.`,
  "telegram.checkout.link_hint": (p) =>
    `Déjà membre via ${PLATFORM_LABEL[p.platform]} ? Ne payez pas deux fois : envoyez /link ici.`,
  "telegram.checkout.has_tier": (p) =>
    `Vous avez déjà ${p.tier} : il n'y a rien de plus à payer. Changez de carte ou résiliez dans l'espace de facturation.`,
  "telegram.checkout.has_tier_for_life": (p) =>
    `Vous avez déjà ${p.tier}, à vie : il n'y a rien de plus à payer.`,
  "telegram.checkout.switch_offer": (p) =>
    `Vous êtes membre de ${p.tier}. Passer à ${p.to} plutôt que payer deux fois ? Stripe calcule la différence au prorata sur votre prochaine facture.`,
  "telegram.checkout.other_platform": (p) =>
    `Il ouvre aussi des salons sur ${PLATFORM_LABEL[p.platform]} : envoyez /link pour lier votre compte ${PLATFORM_LABEL[p.platform]} et y accéder.`,
  "telegram.switch.button": (p) => `Passer à ${p.tier}`,
  "telegram.switch.done": (p) =>
    `C'est fait : vous êtes maintenant membre de ${p.tier}. Stripe calcule le changement au prorata sur votre prochaine facture ; votre accès suit dans un instant.`,
  "telegram.link.button": "Obtenir mon code /link",
} satisfies Translation<typeof telegramEn>;
