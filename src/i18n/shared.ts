/**
 * The texts both platforms show: refusals of the rules (DomainError codes, `error.<code>`), the
 * membership states, the idea states and the private notices to fans. A platform words a refusal its
 * own way (naming its commands) with a `discord.error.<code>` or `telegram.error.<code>` key.
 */
import type { Platform } from "../core/access.ts";
import type { BillingStatus } from "../core/membership.ts";
import { formatMoney, wordsFor } from "./intl.ts";
import type { Messages, Translation } from "./messages.ts";

const EN = wordsFor("en");
const FR = wordsFor("fr");

/** The cycle's settings as its refusals name them (src/app/settings.ts CYCLE_LIMITS). */
const CYCLE_FIELD_EN: Record<string, string> = {
  day: "day of the month",
  hour: "hour",
  days: "poll length in days",
  top: "number of ideas",
  min: "minimum of upvotes",
};
const CYCLE_FIELD_FR: Record<string, string> = {
  day: "Le jour du mois",
  hour: "L'heure",
  days: "La durée du sondage en jours",
  top: "Le nombre d'idées",
  min: "Le minimum de soutiens",
};

export type PlatformName = Platform;
/** Brand names: the same in every language. */
export const PLATFORM_LABEL: Record<PlatformName, string> = { discord: "Discord", telegram: "Telegram" };
const on = (platform: PlatformName) => PLATFORM_LABEL[platform];

export type PriceInterval = "month" | "year" | "once";

const SETTING_EN: Record<string, string> = {
  graceDays: "The grace period (days)",
  defaultTrialDays: "The default free trial (days)",
  trueFansGoal: "The true-fans goal",
};
const SETTING_FR: Record<string, string> = {
  graceDays: "Le délai de grâce (en jours)",
  defaultTrialDays: "L'essai gratuit par défaut (en jours)",
  trueFansGoal: "L'objectif de vrais fans",
};

export const sharedEn = {
  // Domain errors: what went wrong and what to do.
  "error.access_already_mapped": (p: { tier: string }) =>
    `Tier “${p.tier}” already opens this. Nothing changed.`,
  "error.access_not_mapped": (p: { tier: string }) => `Tier “${p.tier}” does not open this. Nothing changed.`,
  "error.already_linked": "This account is already linked to that membership.",
  "error.already_on_tier": (p: { tier: string }) => `You are already a member of “${p.tier}”.`,
  "error.currency_invalid": (p: { currency: string }) =>
    `“${p.currency}” is not a currency code. Use a three-letter ISO code such as eur, usd or gbp.`,
  "error.identity_taken": (p: { platform: PlatformName }) =>
    `This ${on(p.platform)} account already belongs to another membership. Use the code from that membership's account, or contact the creator.`,
  "error.link_code_expired": "This code has expired (codes last 15 minutes). Create a new one and try again.",
  "error.link_code_invalid":
    "This code is not valid. Check it (8 characters, like ABCD-EFGH) or create a new one.",
  "error.link_code_same_platform": (p: { platform: PlatformName }) =>
    `This code was made on ${on(p.platform)}: redeem it on the other platform.`,
  "error.link_code_used": "This code was already used. Create a new one if you need to link another account.",
  "error.link_too_many_attempts": (p: { minutes: number }) =>
    `Too many codes tried from this account. Please try again in ${EN.duration(p.minutes, "minute")}, with a fresh code if yours has expired.`,
  "error.member_already_suspended": "This member's access is already revoked.",
  "error.member_suspended":
    "Your membership was suspended by the creator, so it cannot be paid for again for now. Nothing was charged. Contact the creator if you think this is a mistake.",
  "error.member_has_other_account": (p: { platform: PlatformName }) =>
    `This membership is already linked to another ${on(p.platform)} account. Ask the creator to unlink it first (/tribe member unlink on Discord, /unlink on Telegram), then use your code again.`,
  "error.member_no_account_on_platform": (p: { platform: PlatformName }) =>
    `This member has no ${on(p.platform)} account linked. Nothing changed.`,
  "error.member_not_found": "No member matches. Check the user, or the Stripe customer id.",
  "error.member_not_suspended": "This member's access is not revoked: nothing to restore.",
  "error.unlink_last_account": (p: { platform: PlatformName }) =>
    `This ${on(p.platform)} account is the only account of this membership: unlinking it would leave the subscription to nobody. Nothing changed (to take the access away, revoke the member).`,
  "error.no_price": (p: { tier: string }) =>
    `Tier “${p.tier}” has no price for sale. Set one with the price command.`,
  "error.no_lifetime_price": (p: { tier: string }) => `Tier “${p.tier}” has no lifetime price.`,
  "error.not_a_member":
    "You have no membership yet: pick a tier to become a member. Already a member on the other platform? Link this account with /link.",
  "error.price_already_linked": (p: { priceId: string }) =>
    `Stripe price ${p.priceId} already belongs to a tier.`,
  "error.price_amount_invalid":
    "The price must be a positive amount, e.g. 5 or 4.99 (in the currency's main unit).",
  "error.price_inactive": (p: { priceId: string }) =>
    `Stripe price ${p.priceId} is archived in Stripe. Activate it or pick another.`,
  "error.price_missing_in_stripe": (p: { tier: string }) =>
    `Tier “${p.tier}” points at a price Stripe no longer has. The creator must set a new price.`,
  "error.price_not_found": (p: { priceId: string }) =>
    `Stripe has no price ${p.priceId}. Check the id (price_…) in your Dashboard.`,
  "error.price_not_recurring": (p: { priceId: string }) =>
    `Stripe price ${p.priceId} is not a monthly or yearly price. Pick a recurring price.`,
  "error.setting_out_of_range": (p: { setting: string; min: number; max: number }) =>
    `${SETTING_EN[p.setting] ?? p.setting} must be between ${EN.number(p.min)} and ${EN.number(p.max)}. Nothing changed.`,
  "error.cycle_out_of_range": (p: { setting: string; min: number; max: number }) =>
    `The cycle's ${CYCLE_FIELD_EN[p.setting] ?? p.setting} must be between ${EN.number(p.min)} and ${EN.number(p.max)}. Nothing changed.`,
  "error.stripe_rejected": (p: { message?: string }) =>
    `Stripe refused: ${p.message ?? "invalid request"}. Nothing changed.`,
  "error.stripe_refused": (p: { ref: string }) =>
    `Stripe could not do this right now. Nothing was charged. If it happens again, give the creator this reference: ${p.ref}.`,
  "error.stripe_unavailable":
    "Stripe is not answering right now. Nothing was charged: try again in a minute.",
  "error.tier_archived": (p: { tier: string }) => `Tier “${p.tier}” is archived and no longer sold.`,
  "error.tier_exists": (p: { slug: string }) =>
    `A tier called “${p.slug}” already exists. Pick another name or slug.`,
  "error.tier_name_invalid": "A tier name must be 1 to 100 characters.",
  "error.tier_slug_invalid": (p: { slug: string }) =>
    `“${p.slug}” cannot be a tier slug: use 1 to 32 lowercase letters, digits or dashes.`,
  "error.trial_days_invalid": (p: { max: number }) => `Trial days must be a whole number from 0 to ${p.max}.`,
  "error.unknown_tier": (p: { tier: string }) => `There is no tier “${p.tier}”. See the list of tiers.`,
  "error.bind_code_invalid": "This binding code is not valid. Create a new one with the bind command.",
  "error.bind_code_used": "This binding code was already used. Create a new one.",
  "error.bind_code_expired": "This binding code has expired (codes last 30 minutes). Create a new one.",
  "error.job_not_dead": (p: { id: string }) => `Job ${p.id} is not dead-lettered: nothing to retry.`,
  "error.rate_limited": (p: { seconds: number }) =>
    `You're going a bit fast: try again in ${EN.duration(p.seconds, "second")}. Nothing was lost.`,
  "error.unexpected": (p: { ref: string }) =>
    `Something went wrong on our side. Nothing changed; please try again. (ref: ${p.ref})`,
  "error.poll_not_found": "This poll does not exist any more.",
  "error.poll_ambiguous": (p: { prefix: string }) =>
    `Several polls have an id starting with “${p.prefix}”: type more characters of it (ids are shown as 8 characters, like 1a2b3c4d).`,
  "error.idea_ambiguous": (p: { prefix: string }) =>
    `Several ideas have an id starting with “${p.prefix}”: type more characters of it (ids are shown as 8 characters, like 1a2b3c4d).`,
  "error.poll_not_closed": "The poll is still open: close it first.",
  "error.poll_no_single_winner": "The poll ended in a tie: there is no single winner to announce.",
  "error.poll_question_invalid": "The question must be 1 to 300 characters.",
  "error.poll_too_few_options": "A poll needs at least 2 options.",
  "error.poll_too_many_options": "A poll can have at most 10 options.",
  "error.poll_option_invalid": (p: { position: number }) =>
    `Option ${p.position} must be 1 to 100 characters.`,
  "error.poll_duplicate_option": (p: { position: number }) => `Option ${p.position} repeats another one.`,
  "error.poll_close_invalid": "The closing time is not a valid date.",
  "error.poll_close_in_past": "The closing time is in the past. Pick a time to come.",
  "error.poll_close_too_soon": "A poll must stay open at least one minute.",
  "error.poll_close_too_far": "A poll can stay open at most 8 weeks.",
  "error.poll_no_tiers": "Pick at least one tier allowed to vote, or let every member vote.",
  "error.poll_mode_invalid": "The mode must be single, approval, ranked or budget.",
  "error.poll_budget_missing":
    "A budget poll needs the points each member spreads: fill in budget, e.g. 5 (every tier) or gold=10, silver=5. Nothing changed.",
  "error.input_budget_invalid": (p: { part: string }) =>
    `In budget, “${p.part}” is neither a number of points nor a tier and a number: write e.g. 5 (every tier) or gold=10, silver=5 (1 to 100 points). Nothing changed.`,
  "error.poll_budget_not_budget_mode":
    "Points (budget, cap) only apply to a budget poll: pick the budget mode, or leave them empty. Nothing changed.",
  "error.poll_budget_points_invalid": (p: { tier: string }) =>
    `In budget, the points${p.tier ? ` of tier ${p.tier}` : ""} must be a whole number from 1 to 100. Nothing changed.`,
  "error.poll_budget_cap_invalid":
    "The cap (most points on one option) must be a whole number from 1 to 100, or empty for no cap. Nothing changed.",
  "error.poll_budget_weights":
    "A budget poll has no tier weights: the points per tier are its weighting. Leave weights empty and set budget, e.g. gold=10, silver=5. Nothing changed.",
  "error.poll_weight_invalid": (p: { tier: string }) =>
    `The weight of tier ${p.tier} must be a whole number from 1 to 10.`,
  "error.input_duration_invalid": (p: { value: string }) =>
    `“${p.value}” is not a duration: write a number and a unit, e.g. 30m, 12h, 3d or 1w (minutes, hours, days, weeks). Nothing changed.`,
  "error.input_weights_invalid": (p: { part: string }) =>
    `In the weights, “${p.part}” is not a tier and a number: write e.g. gold=3, silver=1 (weights from 1 to 10). Nothing changed.`,
  "error.input_options_missing":
    "The poll has no option: write 2 to 10 options separated by |, e.g. Tutorial | Vlog | Live. Nothing changed.",
  "error.ballot_empty": "Pick at least one option.",
  "error.ballot_unknown_option": "That option is not in this poll.",
  "error.ballot_duplicate_choice": "Each option can be picked only once.",
  "error.ballot_too_many_choices": "This poll takes a single choice.",
  "error.ballot_points_invalid": "Points on an option must be a whole number, 0 or more.",
  "error.ballot_over_option_cap": (p: { cap: number }) =>
    `At most ${p.cap} points can go to one option: move some to another option.`,
  "error.ballot_over_budget": (p: { points: number }) =>
    `You have ${p.points} points to spread: take some back before you submit.`,
  "error.vote_closed": "This poll is closed: votes are no longer counted.",
  "error.vote_not_member": "Only members can vote. Join to have your say in what comes next.",
  "error.vote_lapsed": "Your membership has ended, so your vote cannot count. Renew it to vote again.",
  "error.vote_tier_not_allowed": "This poll is for other tiers than yours.",
  "error.vote_joined_after_open": "This poll was opened before you joined: you can vote in the next one.",
  "error.idea_members_only": "Only members with an active membership can propose or upvote ideas.",
  "error.idea_title_invalid": "An idea's title must be 3 to 100 characters.",
  "error.idea_description_invalid": "An idea's description can be at most 500 characters.",
  "error.idea_not_found": "This idea does not exist.",
  "error.idea_already_upvoted": "You already upvoted this idea.",
  "error.idea_merge_target_invalid": "Merge it into another existing idea.",

  // Membership states, as a fan reads them.
  "status.active": "active",
  "status.trialing": "free trial",
  "status.past_due": "payment failed: update your card",
  "status.canceled": "canceled",
  "status.unpaid": "unpaid",
  "status.incomplete": "payment not finished",
  "status.incomplete_expired": "payment expired",
  "status.paused": "paused",
  "status.lifetime": "for life",

  // Messages to fans.
  "notice.payment_failed": (p: { days: number }) =>
    `Your last membership payment did not go through. Your access stays open for ${EN.duration(p.days, "day")} more: update your card to keep it.`,
  "notice.payment_failed.portal": (p: { url: string }) => `Update your payment method here: ${p.url}`,
  "notice.payment_last_day":
    "Last day: your membership payment still has not gone through, and your access closes within 24 hours. Update your card now to keep it.",
  "notice.trial_ending": (p: { tierName: string; date: string }) =>
    `Your free trial of ${p.tierName} ends on ${p.date}. Your membership then continues at its usual price: nothing to do to stay. To stop before the first payment, cancel before that date.`,
  "notice.cancel_scheduled": (p: { tierName: string; date: string }) =>
    `Your ${p.tierName} membership is canceled: it will not renew. Your access stays open until ${p.date}. Changed your mind? You can resume it until then.`,
  "notice.cancel_scheduled.no_date": (p: { tierName: string }) =>
    `Your ${p.tierName} membership is canceled: it will not renew. Your access stays open until the end of the period you paid for. Changed your mind? You can resume it until then.`,
  "notice.cancel_withdrawn": (p: { tierName: string }) =>
    `Your ${p.tierName} membership is back on: it renews as before, and your access stays open.`,
  "notice.manage.portal": (p: { url: string }) => `Manage your membership here: ${p.url}`,
  "notice.access_granted": (p: { tierName: string }) => `Welcome to ${p.tierName}! Your access is open.`,
  "notice.access_granted.opened": (p: { links: string }) => `Now open to you: ${p.links}`,
  "notice.access_switched": (p: { fromTier: string | null; toTier: string }) =>
    `You are now a ${p.toTier} member: ${p.fromTier ? `what ${p.fromTier} opened here and ${p.toTier} does not` : `what ${p.toTier} does not include`} has closed.`,
  "notice.access_revoked":
    "Your membership has ended, so your member access was removed. You can join again anytime.",
  "notice.poll_in_the_works": (p: { question: string; option: string }) =>
    `You voted on “${p.question}”: “${p.option}” won, and it is now in the works. Thank you!`,
  "notice.poll_shipped": (p: { question: string; option: string }) =>
    `You voted on “${p.question}”: “${p.option}” is out now. Your vote made it happen!`,

  /** "€4.99/month", "€50.00 once". */
  price: (p: { amount: number; currency: string; interval: PriceInterval }) =>
    `${formatMoney("en", p.amount, p.currency)}${p.interval === "once" ? " once" : `/${p.interval}`}`,

  // Access changes and the member's history, as the creator reads them.
  "access.grant": "grant",
  "access.revoke": "removal",
  "access.state.pending": "pending",
  "access.state.running": "running",
  "access.state.done": "done",
  "access.state.dead": "failed for good",
  "history.subscription.status": "subscription state changed",
  "history.subscription.tier": "tier changed",
  "history.member.customer": "Stripe customer attached",
  "history.member.deleted": "Stripe customer deleted",
  "history.member.suspended": "access revoked by the creator",
  "history.member.restored": "access restored by the creator",
  "history.identity.linked": "account linked",
  "history.identity.unlinked": "account unlinked",
  "history.access.claimed": "access claimed again",
  "history.access.grant.requested": "access requested",
  "history.access.revoke.requested": "removal requested",
  "history.access.granted": "access given",
  "history.access.revoked": "access removed",
  "history.access.grant.failed": "access could not be given",
  "history.access.revoke.failed": "access could not be removed",
  "history.hold.placed": "payment taken back (access on hold)",
  "history.hold.lifted": "hold lifted",

  "post_problem.bot_not_allowed":
    "the bot is not allowed to post there: add it back, or give it the right to send messages",
  "post_problem.chat_gone": "that chat no longer exists, or the bot cannot see it",
  "post_problem.platform_failed": (p: { detail: string }) => `the platform answered: ${p.detail}`,

  "job_problem.role_gone": (p: { role: string; server: string }) =>
    `${p.role} no longer exists in ${p.server}: map the tier to a new role, then retry the job`,
  "job_problem.bot_not_in_server": (p: { server: string }) =>
    `the bot is no longer in ${p.server}: invite it back, then retry the job`,
  "job_problem.role_not_manageable": (p: { role: string; server: string }) =>
    `the bot may not manage ${p.role} in ${p.server}: give it Manage Roles and drag its role above ${p.role}, then retry the job`,
  "job_problem.bot_removed": (p: { chat: string }) =>
    `the bot is no longer in ${p.chat}: add it back as an administrator with Invite users via link and Ban users`,
  "job_problem.rights_missing": (p: { chat: string }) =>
    `the bot lacks an administrator right in ${p.chat} (it needs Invite users via link and Ban users)`,
  "job_problem.chat_gone": (p: { chat: string }) =>
    `${p.chat} no longer exists or the bot cannot see it (deleted, or upgraded to a supergroup: bind the new one)`,

  "drift.stripe_missing": (p: { subscription: string; customer: string; state: string }) =>
    `Stripe: subscription ${p.subscription} of customer ${p.customer} is missing from the ledger (${p.state})`,
  "drift.stripe_changed": (p: { subscription: string; customer: string; changes: string }) =>
    `Stripe: subscription ${p.subscription} of customer ${p.customer} differs: ${p.changes}`,
  "drift.change.status": (p: { from: string; to: string }) => `status ${p.from} → ${p.to}`,
  "drift.change.price": (p: { from: string; to: string }) => `price ${p.from} → ${p.to}`,
  "drift.change.cancels": (p: { cancels: boolean }) =>
    p.cancels ? "now ends at the end of the period" : "no longer ends at the end of the period",
  "drift.change.period_end": "the period end moved",
  "drift.change.pause": (p: { paused: boolean }) => (p.paused ? "payments paused" : "payments resumed"),
  "drift.change.pause_end": "the pause's end moved",
  "drift.ledger": (p: { grant: boolean; account: string; target: string }) =>
    p.grant
      ? `${p.account}: access to ${p.target} not yet requested by the ledger`
      : `${p.account}: removal from ${p.target} not yet requested by the ledger`,
  "drift.platform": (p: { grant: boolean; account: string; target: string }) =>
    p.grant
      ? `${p.account} is owed ${p.target} but does not hold it`
      : `${p.account} holds ${p.target} without being owed it`,

  // The fan's journey (issue 17): every price side by side, switching tier, linking the other platform.
  "offer.months_free": (p: { months: number }) =>
    p.months === 1 ? "1 month free" : `${EN.number(p.months)} months free`,
  "offer.save_percent": (p: { percent: number }) => `save ${EN.percent(p.percent)}`,
  "offer.with_saving": (p: { price: string; saving: string }) => `${p.price} (${p.saving})`,
  "offer.lifetime": (p: { amount: number; currency: string }) =>
    `${formatMoney("en", p.amount, p.currency)} once, for life`,
  "error.pause_not_allowed":
    "The creator does not offer pauses: nothing changed. You can cancel or change your membership in the billing portal.",
  "error.pause_not_yours":
    "This button belongs to someone else's membership: nothing changed. Open your own membership to pause or resume it.",
  "error.pause_lifetime": (p: { tier: string }) =>
    `Your “${p.tier}” membership is for life: there are no payments to pause. Nothing changed.`,
  "error.pause_already": (p: { tier: string }) =>
    `Your “${p.tier}” membership is already paused. Open your membership to resume it.`,
  "error.pause_trialing": (p: { tier: string }) =>
    `Your “${p.tier}” membership is still in its free trial: nothing to pause yet. Nothing changed.`,
  "error.pause_not_active": (p: { tier: string }) =>
    `Only a membership whose payments are up to date can be paused, and “${p.tier}” is not: nothing changed. Fix your payment in the billing portal first.`,
  "error.pause_canceling": (p: { tier: string }) =>
    `Your “${p.tier}” membership is set to end: there is nothing to pause. Nothing changed.`,
  "error.pause_too_long": (p: { max: number }) =>
    `A pause lasts ${p.max === 1 ? "1 month" : `1 to ${p.max} months`} here: nothing changed. Open your membership and pick one of its buttons.`,
  "error.pause_not_paused": (p: { tier: string }) =>
    `Your “${p.tier}” membership is not paused: there is nothing to resume.`,
  "pause.button": (p: { tier: string; months: number }) =>
    `Pause ${p.tier} for ${p.months === 1 ? "1 month" : `${p.months} months`}`,
  "pause.resume_button": (p: { tier: string }) => `Resume ${p.tier} now`,
  "pause.done": (p: { tier: string; until: string; kept: boolean }) =>
    `Your ${p.tier} membership is paused until ${p.until}: no payment until then, and it resumes by itself. ${p.kept ? "You keep your access meanwhile." : "Your access closes during the pause and comes back when it ends."} Changed your mind? Open your membership and resume it.`,
  "pause.resumed": (p: { tier: string }) =>
    `Your ${p.tier} membership is back on: payments resume, and your access is open (it may take a moment to come back).`,
  "pause.paused_until": (p: { until: string }) => `paused until ${p.until}`,
  "pause.paused": "paused",
  "notice.welcome_back": "Welcome back, good to see you again!",
  "membership.tenure": (p: { months: number; since: string; badge: number | null }) =>
    `${p.months >= 1 ? `Member for ${EN.duration(p.months, "month")} without a break` : `Member since ${p.since}`}${p.badge ? ` · ${p.badge}-month badge` : ""}`,
  "settings.pause": "Pauses",
  "settings.pause.value": (p: { on: boolean; kept: boolean; months: number }) =>
    `${p.on ? "fans may pause" : "off"}: up to ${p.months === 1 ? "1 month" : `${p.months} months`}, access ${p.kept ? "kept" : "lost"} during a pause`,
  "notice.pause_started": (p: { tierName: string; until: string | null; kept: boolean }) =>
    `Your ${p.tierName} membership is paused ${p.until ? `until ${p.until}` : "until it is resumed"}: no payment meanwhile. ${p.kept ? "You keep your access during the pause." : "Your access closes during the pause and comes back when it ends."}`,
  "notice.pause_resumed": (p: { tierName: string }) =>
    `Your pause is over: your ${p.tierName} membership is back on, payments resume and your access is open.`,
  "error.switch_lifetime": (p: { tier: string }) =>
    `Your “${p.tier}” membership is for life: there is no subscription to switch. Nothing changed.`,
  "error.switch_not_yours":
    "This button belongs to someone else's membership: nothing changed. Open your own membership to switch tier.",
  "error.switch_no_subscription":
    "You have no active subscription to switch: pick a tier to join instead. Already a member on the other platform? Link this account with /link.",
  "notice.link_nudge": (p: { tierName: string; platform: PlatformName }) =>
    `Your ${p.tierName} membership also opens chats on ${on(p.platform)}. To get them, link your ${on(p.platform)} account: tap the button below for a code, then send it to the bot on ${on(p.platform)}.`,

  // The co-creation cycle (src/app/cycle.ts).
  "cycle.question": (p: { month: string }) => `What should I make next? (cycle of ${p.month})`,
  "cycle.status_on": (p: {
    day: number;
    hour: number;
    days: number;
    top: number;
    min: number;
    mode: "single" | "approval" | "ranked";
    next: string;
  }) =>
    `🔁 Cycle on: each month on day ${p.day} at ${String(p.hour).padStart(2, "0")}:00 UTC, the ${p.top} most upvoted shortlisted ideas with at least ${EN.count(p.min, "upvote", "upvotes")} go to a ${{ single: "single-choice", approval: "approval", ranked: "ranked-choice" }[p.mode]} poll open ${EN.count(p.days, "day", "days")}, posted on Discord and Telegram. Next poll: ${p.next}.`,
  "cycle.status_off":
    "Cycle off. Set one to send the top shortlisted ideas to a poll every month (/tribe cycle set on Discord, /cycle on on Telegram).",
  // The creator's feed (src/app/feed.ts): one line per event, names as the fans chose them.
  "feed.member_new": (p: { who: string; tier: string; trial: boolean }) =>
    `🎉 New member: ${p.who} joined ${p.tier}${p.trial ? " (free trial)" : ""}.`,
  "feed.tier_change": (p: { who: string; from: string; to: string }) =>
    `🔁 Tier change: ${p.who} moved from ${p.from} to ${p.to}.`,
  "feed.cancellation": (p: { who: string; tier: string; until: string }) =>
    `👋 Cancellation: ${p.who} canceled ${p.tier}; access stays open until ${p.until}.`,
  "feed.cancellation_open": (p: { who: string; tier: string }) =>
    `👋 Cancellation: ${p.who} canceled ${p.tier}; access stays open until the end of the paid period.`,
  "feed.ended": (p: { who: string; tier: string }) => `🚪 Membership ended: ${p.who} (${p.tier}).`,
  "feed.payment_failed": (p: { who: string; tier: string }) =>
    `⚠️ Payment failed: ${p.who} (${p.tier}); the grace period has started.`,
  "feed.payment_recovered": (p: { who: string; tier: string }) =>
    `✅ Payment recovered: ${p.who} (${p.tier}) paid again.`,
  "feed.access_failed": (p: { who: string; action: string; target: string; error: string }) =>
    `❌ Access change failed for good (${p.action} ${p.target} for ${p.who}): ${p.error}. Fix the cause, then retry it (/tribe jobs retry on Discord, /retryjob all on Telegram).`,
  "feed.weekly_summary": (p: {
    new: number;
    churned: number;
    failed: number;
    recovered: number;
    members: number;
  }) =>
    `📊 This week: ${EN.count(p.new, "new member", "new members")}, ${EN.count(p.churned, "membership ended", "memberships ended")}, ${EN.count(p.failed, "failed payment", "failed payments")}, ${EN.count(p.recovered, "recovered payment", "recovered payments")}; ${EN.count(p.members, "member", "members")} now.`,
  "feed.failover": (p: { holder: string; previous: string; date: string }) =>
    `🛟 Failover: the Discord and Telegram connections moved to process ${p.holder} on ${p.date} (the previous leader, ${p.previous}, stopped without handing them over). Nothing to do; fans were not affected.`,
  "feed.cycle_opened": (p: { month: string; ideas: number }) =>
    `🗳️ Cycle: the poll of ${p.month} is open with the ${EN.count(p.ideas, "top idea", "top ideas")}, on Discord and Telegram.`,
  "feed.cycle_skipped": (p: { month: string; ideas: number; min: number }) =>
    `⏭️ Cycle: no poll for ${p.month}: only ${EN.count(p.ideas, "shortlisted idea has", "shortlisted ideas have")} ${EN.count(p.min, "upvote", "upvotes")} or more (2 needed). Shortlist more ideas, or lower the threshold (/tribe cycle set on Discord, /cycle on Telegram).`,
  "feed.more": (p: { count: number }) => `+${p.count} more`,
  "feed.kind.cycle": "co-creation cycle",
  "feed.kind.member_new": "new members",
  "feed.kind.tier_change": "tier changes",
  "feed.kind.cancellation": "cancellations",
  "feed.kind.payment_failed": "failed payments",
  "feed.kind.payment_recovered": "recovered payments",
  "feed.kind.access_failed": "access changes failed for good",
  "feed.kind.weekly_summary": "weekly summary",
  "feed.kind.failover": "failovers",
  "error.feed_channel_not_postable": (p: { channel: string }) =>
    `I cannot post in ${p.channel}: give my role View Channel and Send Messages there (channel settings → Permissions), then run /tribe settings again. The feed channel was not changed.`,
} satisfies Messages;

export const sharedFr = {
  "error.access_already_mapped": (p) => `Le palier « ${p.tier} » ouvre déjà ceci. Rien n'a changé.`,
  "error.access_not_mapped": (p) => `Le palier « ${p.tier} » n'ouvre pas ceci. Rien n'a changé.`,
  "error.already_linked": "Ce compte est déjà lié à cet abonnement.",
  "error.already_on_tier": (p) => `Vous êtes déjà membre de « ${p.tier} ».`,
  "error.currency_invalid": (p) =>
    `« ${p.currency} » n'est pas un code de devise. Utilisez un code ISO à trois lettres comme eur, usd ou gbp.`,
  "error.identity_taken": (p) =>
    `Ce compte ${on(p.platform)} appartient déjà à un autre abonnement. Utilisez le code du compte de cet abonnement, ou contactez le créateur.`,
  "error.link_code_expired": "Ce code a expiré (un code dure 15 minutes). Créez-en un nouveau et réessayez.",
  "error.link_code_invalid":
    "Ce code n'est pas valide. Vérifiez-le (8 caractères, comme ABCD-EFGH) ou créez-en un nouveau.",
  "error.link_code_same_platform": (p) =>
    `Ce code a été créé sur ${on(p.platform)} : utilisez-le sur l'autre plateforme.`,
  "error.link_code_used": "Ce code a déjà servi. Créez-en un nouveau pour lier un autre compte.",
  "error.link_too_many_attempts": (p) =>
    `Trop de codes essayés depuis ce compte. Réessayez dans ${FR.duration(p.minutes, "minute")}, avec un nouveau code si le vôtre a expiré.`,
  "error.member_already_suspended": "L'accès de ce membre est déjà retiré.",
  "error.member_suspended":
    "Votre abonnement a été suspendu par le créateur : il ne peut pas être payé de nouveau pour l'instant. Rien n'a été débité. Contactez le créateur si vous pensez que c'est une erreur.",
  "error.member_has_other_account": (p) =>
    `Cet abonnement est déjà lié à un autre compte ${on(p.platform)}. Demandez au créateur de le délier d'abord (/tribu membre délier sur Discord, /unlink sur Telegram), puis réutilisez votre code.`,
  "error.member_no_account_on_platform": (p) =>
    `Ce membre n'a pas de compte ${on(p.platform)} lié. Rien n'a changé.`,
  "error.member_not_found":
    "Aucun membre ne correspond. Vérifiez l'utilisateur ou l'identifiant client Stripe.",
  "error.member_not_suspended": "L'accès de ce membre n'est pas retiré : rien à rétablir.",
  "error.unlink_last_account": (p) =>
    `Ce compte ${on(p.platform)} est le seul compte de cet abonnement : le délier le laisserait sans titulaire. Rien n'a changé (pour retirer l'accès, retirez le membre).`,
  "error.no_price": (p) =>
    `Le palier « ${p.tier} » n'a pas de prix en vente. Fixez-en un avec la commande de prix.`,
  "error.no_lifetime_price": (p) => `Le palier « ${p.tier} » n'a pas de prix à vie.`,
  "error.not_a_member":
    "Vous n'avez pas encore d'abonnement : choisissez un palier pour devenir membre. Déjà membre sur l'autre plateforme ? Liez ce compte avec /link.",
  "error.price_already_linked": (p) => `Le prix Stripe ${p.priceId} appartient déjà à un palier.`,
  "error.price_amount_invalid":
    "Le prix doit être un montant positif, par exemple 5 ou 4,99 (dans l'unité principale de la devise).",
  "error.price_inactive": (p) =>
    `Le prix Stripe ${p.priceId} est archivé dans Stripe. Réactivez-le ou choisissez-en un autre.`,
  "error.price_missing_in_stripe": (p) =>
    `Le palier « ${p.tier} » pointe vers un prix que Stripe n'a plus. Le créateur doit fixer un nouveau prix.`,
  "error.price_not_found": (p) =>
    `Stripe n'a pas de prix ${p.priceId}. Vérifiez l'identifiant (price_…) dans votre tableau de bord.`,
  "error.price_not_recurring": (p) =>
    `Le prix Stripe ${p.priceId} n'est ni mensuel ni annuel. Choisissez un prix récurrent.`,
  "error.setting_out_of_range": (p) =>
    `${SETTING_FR[p.setting] ?? p.setting} doit être entre ${FR.number(p.min)} et ${FR.number(p.max)}. Rien n'a changé.`,
  "error.cycle_out_of_range": (p) =>
    `${CYCLE_FIELD_FR[p.setting] ?? p.setting} du cycle doit être entre ${FR.number(p.min)} et ${FR.number(p.max)}. Rien n'a changé.`,
  "error.stripe_rejected": (p) => `Stripe a refusé : ${p.message ?? "requête invalide"}. Rien n'a changé.`,
  "error.stripe_refused": (p) =>
    `Stripe n'a pas pu le faire pour le moment. Rien n'a été débité. Si cela se reproduit, donnez cette référence au créateur : ${p.ref}.`,
  "error.stripe_unavailable":
    "Stripe ne répond pas pour le moment. Rien n'a été débité : réessayez dans une minute.",
  "error.tier_archived": (p) => `Le palier « ${p.tier} » est archivé et n'est plus en vente.`,
  "error.tier_exists": (p) => `Un palier « ${p.slug} » existe déjà. Choisissez un autre nom ou identifiant.`,
  "error.tier_name_invalid": "Le nom d'un palier doit faire de 1 à 100 caractères.",
  "error.tier_slug_invalid": (p) =>
    `« ${p.slug} » ne peut pas servir d'identifiant : utilisez 1 à 32 lettres minuscules, chiffres ou tirets.`,
  "error.trial_days_invalid": (p) => `Les jours d'essai doivent être un nombre entier de 0 à ${p.max}.`,
  "error.unknown_tier": (p) => `Il n'y a pas de palier « ${p.tier} ». Consultez la liste des paliers.`,
  "error.bind_code_invalid":
    "Ce code de liaison n'est pas valide. Créez-en un nouveau avec la commande de liaison.",
  "error.bind_code_used": "Ce code de liaison a déjà servi. Créez-en un nouveau.",
  "error.bind_code_expired": "Ce code de liaison a expiré (un code dure 30 minutes). Créez-en un nouveau.",
  "error.job_not_dead": (p) => `La tâche ${p.id} n'est pas en échec définitif : rien à relancer.`,
  "error.rate_limited": (p) =>
    `Vous allez un peu vite : réessayez dans ${FR.duration(p.seconds, "second")}. Rien n'est perdu.`,
  "error.unexpected": (p) =>
    `Une erreur s'est produite de notre côté. Rien n'a changé ; réessayez. (réf : ${p.ref})`,
  "error.poll_not_found": "Ce sondage n'existe plus.",
  "error.poll_ambiguous": (p) =>
    `Plusieurs sondages ont un identifiant qui commence par « ${p.prefix} » : tapez-en plus de caractères (les identifiants sont affichés sur 8 caractères, comme 1a2b3c4d).`,
  "error.idea_ambiguous": (p) =>
    `Plusieurs idées ont un identifiant qui commence par « ${p.prefix} » : tapez-en plus de caractères (les identifiants sont affichés sur 8 caractères, comme 1a2b3c4d).`,
  "error.poll_not_closed": "Le sondage est encore ouvert : fermez-le d'abord.",
  "error.poll_no_single_winner":
    "Le sondage s'est terminé sur une égalité : pas de gagnant unique à annoncer.",
  "error.poll_question_invalid": "La question doit faire de 1 à 300 caractères.",
  "error.poll_too_few_options": "Un sondage demande au moins 2 options.",
  "error.poll_too_many_options": "Un sondage a au plus 10 options.",
  "error.poll_option_invalid": (p) => `L'option ${p.position} doit faire de 1 à 100 caractères.`,
  "error.poll_duplicate_option": (p) => `L'option ${p.position} en répète une autre.`,
  "error.poll_close_invalid": "L'heure de fermeture n'est pas une date valide.",
  "error.poll_close_in_past": "L'heure de fermeture est passée. Choisissez une heure à venir.",
  "error.poll_close_too_soon": "Un sondage reste ouvert au moins une minute.",
  "error.poll_close_too_far": "Un sondage reste ouvert au plus 8 semaines.",
  "error.poll_no_tiers": "Choisissez au moins un palier autorisé à voter, ou laissez voter tous les membres.",
  "error.poll_mode_invalid":
    "Le mode doit être single (choix unique), approval (approbation), ranked (classement) ou budget (points).",
  "error.poll_budget_missing":
    "Un sondage budget a besoin des points que chaque membre répartit : remplissez budget, par ex. 5 (tous les paliers) ou gold=10, silver=5. Rien n'a changé.",
  "error.input_budget_invalid": (p) =>
    `Dans budget, « ${p.part} » n'est ni un nombre de points ni un palier suivi d'un nombre : écrivez par ex. 5 (tous les paliers) ou gold=10, silver=5 (1 à 100 points). Rien n'a changé.`,
  "error.poll_budget_not_budget_mode":
    "Les points (budget, plafond) ne valent que pour un sondage budget : choisissez le mode budget, ou laissez-les vides. Rien n'a changé.",
  "error.poll_budget_points_invalid": (p) =>
    `Dans budget, les points${p.tier ? ` du palier ${p.tier}` : ""} doivent être un nombre entier de 1 à 100. Rien n'a changé.`,
  "error.poll_budget_cap_invalid":
    "Le plafond (points maximum sur une option) doit être un nombre entier de 1 à 100, ou vide pour aucun plafond. Rien n'a changé.",
  "error.poll_budget_weights":
    "Un sondage budget n'a pas de poids par palier : les points par palier en tiennent lieu. Laissez les poids vides et remplissez budget, par ex. gold=10, silver=5. Rien n'a changé.",
  "error.poll_weight_invalid": (p) => `Le poids du palier ${p.tier} doit être un nombre entier de 1 à 10.`,
  "error.input_duration_invalid": (p) =>
    `« ${p.value} » n'est pas une durée : écrivez un nombre et une unité, par ex. 30m, 12h, 3j ou 1w (minutes, heures, jours, semaines). Rien n'a changé.`,
  "error.input_weights_invalid": (p) =>
    `Dans les poids, « ${p.part} » n'associe pas un palier à un nombre : écrivez par ex. gold=3, silver=1 (poids de 1 à 10). Rien n'a changé.`,
  "error.input_options_missing":
    "Le sondage n'a aucune option : écrivez 2 à 10 options séparées par |, par ex. Tutoriel | Vlog | Direct. Rien n'a changé.",
  "error.ballot_empty": "Choisissez au moins une option.",
  "error.ballot_unknown_option": "Cette option ne fait pas partie du sondage.",
  "error.ballot_duplicate_choice": "Chaque option ne peut être choisie qu'une fois.",
  "error.ballot_too_many_choices": "Ce sondage n'accepte qu'un seul choix.",
  "error.ballot_points_invalid": "Les points d'une option doivent être un nombre entier, 0 ou plus.",
  "error.ballot_over_option_cap": (p) =>
    `Une option peut recevoir au plus ${p.cap} points : placez-en sur une autre option.`,
  "error.ballot_over_budget": (p) => `Vous avez ${p.points} points à répartir : retirez-en avant de valider.`,
  "error.vote_closed": "Ce sondage est fermé : les votes ne sont plus comptés.",
  "error.vote_not_member": "Seuls les membres votent. Rejoignez-nous pour décider de la suite.",
  "error.vote_lapsed":
    "Votre abonnement a pris fin, votre vote ne peut pas compter. Renouvelez-le pour voter à nouveau.",
  "error.vote_tier_not_allowed": "Ce sondage est réservé à d'autres paliers que le vôtre.",
  "error.vote_joined_after_open": "Ce sondage a été ouvert avant votre arrivée : vous voterez au prochain.",
  "error.idea_members_only": "Seuls les membres avec un abonnement actif proposent ou soutiennent des idées.",
  "error.idea_title_invalid": "Le titre d'une idée doit faire de 3 à 100 caractères.",
  "error.idea_description_invalid": "La description d'une idée fait au plus 500 caractères.",
  "error.idea_not_found": "Cette idée n'existe pas.",
  "error.idea_already_upvoted": "Vous soutenez déjà cette idée.",
  "error.idea_merge_target_invalid": "Fusionnez-la avec une autre idée existante.",

  "status.active": "actif",
  "status.trialing": "essai gratuit",
  "status.past_due": "paiement échoué : mettez votre carte à jour",
  "status.canceled": "résilié",
  "status.unpaid": "impayé",
  "status.incomplete": "paiement non terminé",
  "status.incomplete_expired": "paiement expiré",
  "status.paused": "en pause",
  "status.lifetime": "à vie",

  "notice.payment_failed": (p) =>
    `Votre dernier paiement d'abonnement n'est pas passé. Votre accès reste ouvert encore ${FR.duration(p.days, "day")} : mettez à jour votre carte pour le garder.`,
  "notice.payment_failed.portal": (p) => `Mettez à jour votre moyen de paiement ici : ${p.url}`,
  "notice.payment_last_day":
    "Dernier jour : le paiement de votre abonnement n'est toujours pas passé, et votre accès se ferme dans moins de 24 heures. Mettez à jour votre carte dès maintenant pour le garder.",
  "notice.trial_ending": (p) =>
    `Votre essai gratuit de ${p.tierName} se termine le ${p.date}. Votre abonnement continue ensuite à son prix habituel : rien à faire pour rester. Pour arrêter avant le premier paiement, résiliez avant cette date.`,
  "notice.cancel_scheduled": (p) =>
    `Votre abonnement ${p.tierName} est résilié : il ne sera pas renouvelé. Votre accès reste ouvert jusqu'au ${p.date}. Vous changez d'avis ? Vous pouvez le reprendre d'ici là.`,
  "notice.cancel_scheduled.no_date": (p) =>
    `Votre abonnement ${p.tierName} est résilié : il ne sera pas renouvelé. Votre accès reste ouvert jusqu'à la fin de la période payée. Vous changez d'avis ? Vous pouvez le reprendre d'ici là.`,
  "notice.cancel_withdrawn": (p) =>
    `Votre abonnement ${p.tierName} reprend : il se renouvelle comme avant, et votre accès reste ouvert.`,
  "notice.manage.portal": (p) => `Gérez votre abonnement ici : ${p.url}`,
  "notice.access_granted": (p) => `Bienvenue dans ${p.tierName} ! Votre accès est ouvert.`,
  "notice.access_granted.opened": (p) => `Désormais ouverts pour vous : ${p.links}`,
  "notice.access_switched": (p) =>
    `Vous êtes maintenant membre ${p.toTier} : ${p.fromTier ? `ce que ${p.fromTier} ouvrait ici et que ${p.toTier} n'inclut pas` : `ce que ${p.toTier} n'inclut pas`} est désormais fermé.`,
  "notice.access_revoked":
    "Votre abonnement a pris fin, votre accès membre a donc été retiré. Vous pouvez revenir quand vous voulez.",
  "notice.poll_in_the_works": (p) =>
    `Vous avez voté sur « ${p.question} » : « ${p.option} » l'a emporté et est maintenant en préparation. Merci !`,
  "notice.poll_shipped": (p) =>
    `Vous avez voté sur « ${p.question} » : « ${p.option} » est sorti. Votre vote l'a rendu possible !`,

  price: (p) =>
    `${formatMoney("fr", p.amount, p.currency)}${p.interval === "once" ? " une fois" : p.interval === "year" ? "/an" : "/mois"}`,

  "access.grant": "ajout",
  "access.revoke": "retrait",
  "access.state.pending": "en attente",
  "access.state.running": "en cours",
  "access.state.done": "fait",
  "access.state.dead": "en échec définitif",
  "history.subscription.status": "état de l'abonnement changé",
  "history.subscription.tier": "palier changé",
  "history.member.customer": "client Stripe associé",
  "history.member.deleted": "client Stripe supprimé",
  "history.member.suspended": "accès retiré par le créateur",
  "history.member.restored": "accès rétabli par le créateur",
  "history.identity.linked": "compte lié",
  "history.identity.unlinked": "compte délié",
  "history.access.claimed": "accès redemandé",
  "history.access.grant.requested": "accès demandé",
  "history.access.revoke.requested": "retrait demandé",
  "history.access.granted": "accès donné",
  "history.access.revoked": "accès retiré",
  "history.access.grant.failed": "l'accès n'a pas pu être donné",
  "history.access.revoke.failed": "l'accès n'a pas pu être retiré",
  "history.hold.placed": "paiement repris (accès suspendu)",
  "history.hold.lifted": "suspension levée",

  "post_problem.bot_not_allowed":
    "le bot n'a pas le droit d'y publier : rajoutez-le, ou donnez-lui le droit d'envoyer des messages",
  "post_problem.chat_gone": "cette discussion n'existe plus, ou le bot ne la voit pas",
  "post_problem.platform_failed": (p) => `la plateforme a répondu : ${p.detail}`,

  "job_problem.role_gone": (p) =>
    `${p.role} n'existe plus dans ${p.server} : associez le palier à un nouveau rôle, puis relancez la tâche`,
  "job_problem.bot_not_in_server": (p) =>
    `le bot n'est plus dans ${p.server} : réinvitez-le, puis relancez la tâche`,
  "job_problem.role_not_manageable": (p) =>
    `le bot ne peut pas gérer ${p.role} dans ${p.server} : donnez-lui Gérer les rôles et placez son rôle au-dessus de ${p.role}, puis relancez la tâche`,
  "job_problem.bot_removed": (p) =>
    `le bot n'est plus dans ${p.chat} : rajoutez-le comme administrateur avec Inviter des utilisateurs via un lien et Bannir des utilisateurs`,
  "job_problem.rights_missing": (p) =>
    `il manque au bot un droit d'administrateur dans ${p.chat} (il lui faut Inviter des utilisateurs via un lien et Bannir des utilisateurs)`,
  "job_problem.chat_gone": (p) =>
    `${p.chat} n'existe plus ou le bot ne le voit plus (supprimé, ou devenu un supergroupe : liez le nouveau)`,

  "drift.stripe_missing": (p) =>
    `Stripe : l'abonnement ${p.subscription} du client ${p.customer} manque au registre (${p.state})`,
  "drift.stripe_changed": (p) =>
    `Stripe : l'abonnement ${p.subscription} du client ${p.customer} diffère : ${p.changes}`,
  "drift.change.status": (p) => `statut ${p.from} → ${p.to}`,
  "drift.change.price": (p) => `prix ${p.from} → ${p.to}`,
  "drift.change.cancels": (p) =>
    p.cancels ? "prend désormais fin à la fin de la période" : "ne prend plus fin à la fin de la période",
  "drift.change.period_end": "la fin de période a changé",
  "drift.change.pause": (p) => (p.paused ? "paiements en pause" : "paiements repris"),
  "drift.change.pause_end": "la fin de la pause a changé",
  "drift.ledger": (p) =>
    p.grant
      ? `${p.account} : accès à ${p.target} pas encore demandé par le registre`
      : `${p.account} : retrait de ${p.target} pas encore demandé par le registre`,
  "drift.platform": (p) =>
    p.grant
      ? `${p.account} a droit à ${p.target} mais ne l'a pas`
      : `${p.account} a ${p.target} sans y avoir droit`,

  // The fan's journey (issue 17): every price side by side, switching tier, linking the other platform.
  "offer.months_free": (p) => (p.months === 1 ? "1 mois offert" : `${FR.number(p.months)} mois offerts`),
  "offer.save_percent": (p) => `économisez ${FR.percent(p.percent)}`,
  "offer.with_saving": (p) => `${p.price} (${p.saving})`,
  "offer.lifetime": (p) => `${formatMoney("fr", p.amount, p.currency)} en une fois, à vie`,
  "error.pause_not_allowed":
    "Le créateur ne propose pas de pause : rien n'a changé. Vous pouvez résilier ou modifier votre abonnement dans le portail de paiement.",
  "error.pause_not_yours":
    "Ce bouton appartient à l'abonnement de quelqu'un d'autre : rien n'a changé. Ouvrez votre propre abonnement pour le mettre en pause ou le reprendre.",
  "error.pause_lifetime": (p) =>
    `Votre abonnement « ${p.tier} » est à vie : il n'y a aucun paiement à suspendre. Rien n'a changé.`,
  "error.pause_already": (p) =>
    `Votre abonnement « ${p.tier} » est déjà en pause. Ouvrez votre abonnement pour le reprendre.`,
  "error.pause_trialing": (p) =>
    `Votre abonnement « ${p.tier} » est encore en période d'essai gratuite : rien à suspendre pour l'instant. Rien n'a changé.`,
  "error.pause_not_active": (p) =>
    `Seul un abonnement à jour de ses paiements peut être mis en pause, et « ${p.tier} » ne l'est pas : rien n'a changé. Réglez d'abord votre paiement dans le portail.`,
  "error.pause_canceling": (p) =>
    `Votre abonnement « ${p.tier} » va prendre fin : il n'y a rien à suspendre. Rien n'a changé.`,
  "error.pause_too_long": (p) =>
    `Une pause dure ${p.max === 1 ? "1 mois" : `de 1 à ${p.max} mois`} ici : rien n'a changé. Ouvrez votre abonnement et choisissez l'un de ses boutons.`,
  "error.pause_not_paused": (p) =>
    `Votre abonnement « ${p.tier} » n'est pas en pause : il n'y a rien à reprendre.`,
  "pause.button": (p) => `Suspendre ${p.tier} pendant ${p.months} mois`,
  "pause.resume_button": (p) => `Reprendre ${p.tier} maintenant`,
  "pause.done": (p) =>
    `Votre abonnement ${p.tier} est en pause jusqu'au ${p.until} : aucun paiement d'ici là, et il reprend tout seul. ${p.kept ? "Vous gardez votre accès entre-temps." : "Votre accès se ferme pendant la pause et revient à sa fin."} Vous changez d'avis ? Ouvrez votre abonnement et reprenez-le.`,
  "pause.resumed": (p) =>
    `Votre abonnement ${p.tier} reprend : les paiements reprennent et votre accès est ouvert (il peut mettre un instant à revenir).`,
  "pause.paused_until": (p) => `en pause jusqu'au ${p.until}`,
  "pause.paused": "en pause",
  "notice.welcome_back": "Bon retour parmi nous, ravi de vous revoir !",
  "membership.tenure": (p) =>
    `${p.months >= 1 ? `Membre depuis ${FR.duration(p.months, "month")} sans interruption` : `Membre depuis le ${p.since}`}${p.badge ? ` · badge des ${p.badge} mois` : ""}`,
  "settings.pause": "Pauses",
  "settings.pause.value": (p) =>
    `${p.on ? "les fans peuvent suspendre" : "désactivées"} : jusqu'à ${p.months} mois, accès ${p.kept ? "gardé" : "perdu"} pendant une pause`,
  "notice.pause_started": (p) =>
    `Votre abonnement ${p.tierName} est en pause ${p.until ? `jusqu'au ${p.until}` : "jusqu'à sa reprise"} : aucun paiement d'ici là. ${p.kept ? "Vous gardez votre accès pendant la pause." : "Votre accès se ferme pendant la pause et revient à sa fin."}`,
  "notice.pause_resumed": (p) =>
    `Votre pause est terminée : votre abonnement ${p.tierName} reprend, les paiements aussi, et votre accès est ouvert.`,
  "error.switch_lifetime": (p) =>
    `Votre abonnement « ${p.tier} » est à vie : il n'y a pas d'abonnement à changer. Rien n'a changé.`,
  "error.switch_not_yours":
    "Ce bouton appartient à l'abonnement de quelqu'un d'autre : rien n'a changé. Ouvrez votre propre abonnement pour changer de palier.",
  "error.switch_no_subscription":
    "Vous n'avez pas d'abonnement actif à changer : choisissez plutôt un palier. Déjà membre sur l'autre plateforme ? Liez ce compte avec /link.",
  "notice.link_nudge": (p) =>
    `Votre abonnement ${p.tierName} ouvre aussi des salons sur ${on(p.platform)}. Pour y accéder, liez votre compte ${on(p.platform)} : touchez le bouton ci-dessous pour obtenir un code, puis envoyez-le au bot sur ${on(p.platform)}.`,

  "cycle.question": (p) => `Que dois-je créer ensuite ? (cycle de ${p.month})`,
  "cycle.status_on": (p) =>
    `🔁 Cycle actif : chaque mois le ${p.day} à ${String(p.hour).padStart(2, "0")} h UTC, les ${p.top} idées retenues les plus soutenues, avec au moins ${FR.count(p.min, "soutien", "soutiens")}, passent dans un sondage ${{ single: "à choix unique", approval: "par approbation", ranked: "par classement" }[p.mode]} ouvert ${FR.count(p.days, "jour", "jours")}, publié sur Discord et Telegram. Prochain sondage : ${p.next}.`,
  "cycle.status_off":
    "Cycle désactivé. Réglez-en un pour envoyer chaque mois les idées retenues les plus soutenues au vote (/tribu cycle régler sur Discord, /cycle on sur Telegram).",

  "feed.member_new": (p) =>
    `🎉 Nouveau membre : ${p.who} a rejoint ${p.tier}${p.trial ? " (essai gratuit)" : ""}.`,
  "feed.tier_change": (p) => `🔁 Changement de palier : ${p.who} est passé de ${p.from} à ${p.to}.`,
  "feed.cancellation": (p) =>
    `👋 Résiliation : ${p.who} a résilié ${p.tier} ; l'accès reste ouvert jusqu'au ${p.until}.`,
  "feed.cancellation_open": (p) =>
    `👋 Résiliation : ${p.who} a résilié ${p.tier} ; l'accès reste ouvert jusqu'à la fin de la période payée.`,
  "feed.ended": (p) => `🚪 Adhésion terminée : ${p.who} (${p.tier}).`,
  "feed.payment_failed": (p) => `⚠️ Paiement refusé : ${p.who} (${p.tier}) ; le délai de grâce commence.`,
  "feed.payment_recovered": (p) => `✅ Paiement rétabli : ${p.who} (${p.tier}) a payé de nouveau.`,
  "feed.access_failed": (p) =>
    `❌ Changement d'accès définitivement en échec (${p.action} ${p.target} pour ${p.who}) : ${p.error}. Corrigez la cause, puis relancez-le (/tribu tâches relancer sur Discord, /retryjob all sur Telegram).`,
  "feed.weekly_summary": (p) =>
    `📊 Cette semaine : ${FR.count(p.new, "nouveau membre", "nouveaux membres")}, ${FR.count(p.churned, "adhésion terminée", "adhésions terminées")}, ${FR.count(p.failed, "paiement refusé", "paiements refusés")}, ${FR.count(p.recovered, "paiement rétabli", "paiements rétablis")} ; ${FR.count(p.members, "membre", "membres")} aujourd'hui.`,
  "feed.failover": (p) =>
    `🛟 Bascule : les connexions Discord et Telegram sont passées au processus ${p.holder} le ${p.date} (le meneur précédent, ${p.previous}, s'est arrêté sans les transmettre). Rien à faire ; les fans n'ont rien remarqué.`,
  "feed.cycle_opened": (p) =>
    `🗳️ Cycle : le sondage de ${p.month} est ouvert avec ${FR.count(p.ideas, "meilleure idée", "meilleures idées")}, sur Discord et Telegram.`,
  "feed.cycle_skipped": (p) =>
    `⏭️ Cycle : pas de sondage pour ${p.month} : seulement ${FR.count(p.ideas, "idée retenue a", "idées retenues ont")} ${FR.count(p.min, "soutien", "soutiens")} ou plus (il en faut 2). Retenez plus d'idées, ou baissez le seuil (/tribu cycle régler sur Discord, /cycle sur Telegram).`,
  "feed.more": (p) => `+${p.count} de plus`,
  "feed.kind.cycle": "cycle de co-création",
  "feed.kind.member_new": "nouveaux membres",
  "feed.kind.tier_change": "changements de palier",
  "feed.kind.cancellation": "résiliations",
  "feed.kind.payment_failed": "paiements refusés",
  "feed.kind.payment_recovered": "paiements rétablis",
  "feed.kind.access_failed": "changements d'accès en échec définitif",
  "feed.kind.weekly_summary": "bilan de la semaine",
  "feed.kind.failover": "bascules",
  "error.feed_channel_not_postable": (p) =>
    `Je ne peux pas publier dans ${p.channel} : donnez à mon rôle Voir le salon et Envoyer des messages dans ce salon (paramètres du salon → Permissions), puis relancez /tribu réglages. Le salon du fil n'a pas changé.`,
} satisfies Translation<typeof sharedEn>;

/** Every state a subscription can be in has words in both languages (a new status fails to compile). */
export const STATUS_KEYS = {
  trialing: "status.trialing",
  active: "status.active",
  past_due: "status.past_due",
  canceled: "status.canceled",
  unpaid: "status.unpaid",
  incomplete: "status.incomplete",
  incomplete_expired: "status.incomplete_expired",
  paused: "status.paused",
  lifetime: "status.lifetime",
} as const satisfies Record<BillingStatus, keyof typeof sharedEn>;
