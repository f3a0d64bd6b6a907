/**
 * What the Discord adapter says (`discord.*`), and the refusals only it raises (`error.discord_*`,
 * DomainError codes). Slash commands are named as the reader's Discord shows them: the French text
 * names the French localizations of commands/discord.ts (/rejoindre, /tribu palier créer…), which
 * test/unit/i18n/catalogue.test.ts checks.
 */
import { wordsFor } from "./intl.ts";
import type { Messages, Translation } from "./messages.ts";
import { PLATFORM_LABEL, type PlatformName } from "./shared.ts";

const EN = wordsFor("en");
const FR = wordsFor("fr");

/** The permissions a Discord message may name, with the names Discord's own settings show. */
export const DISCORD_PERMISSION_NAMES = {
  Administrator: { en: "Administrator", fr: "Administrateur" },
  ManageGuild: { en: "Manage Server", fr: "Gérer le serveur" },
  ManageRoles: { en: "Manage Roles", fr: "Gérer les rôles" },
  ManageChannels: { en: "Manage Channels", fr: "Gérer les salons" },
  ManageWebhooks: { en: "Manage Webhooks", fr: "Gérer les webhooks" },
  ManageMessages: { en: "Manage Messages", fr: "Gérer les messages" },
  ManageThreads: { en: "Manage Threads", fr: "Gérer les fils" },
  ManageNicknames: { en: "Manage Nicknames", fr: "Gérer les pseudos" },
  ManageGuildExpressions: { en: "Manage Expressions", fr: "Gérer les expressions" },
  ManageEvents: { en: "Manage Events", fr: "Gérer les événements" },
  BanMembers: { en: "Ban Members", fr: "Bannir des membres" },
  KickMembers: { en: "Kick Members", fr: "Expulser des membres" },
  ModerateMembers: { en: "Timeout Members", fr: "Exclure temporairement des membres" },
  MentionEveryone: {
    en: "Mention @everyone, @here and All Roles",
    fr: "Mentionner @everyone, @here et tous les rôles",
  },
  ViewAuditLog: { en: "View Audit Log", fr: "Voir les logs du serveur" },
  MuteMembers: { en: "Mute Members", fr: "Rendre les membres muets" },
  DeafenMembers: { en: "Deafen Members", fr: "Mettre en sourdine des membres" },
  MoveMembers: { en: "Move Members", fr: "Déplacer des membres" },
} as const;
export type DiscordPermission = keyof typeof DISCORD_PERMISSION_NAMES;

const permsEn = (names: readonly DiscordPermission[]) =>
  EN.list(names.map((n) => DISCORD_PERMISSION_NAMES[n].en));
const permsFr = (names: readonly DiscordPermission[]) =>
  FR.list(names.map((n) => DISCORD_PERMISSION_NAMES[n].fr));

/**
 * The bot's role as the server shows it: it carries the name the creator gave the application, so
 * the text names it, or says "the bot's role" when it is not known.
 */
const botRoleEn = (name: string | null) => (name ? `the “${name}” role` : "the bot's role");
const botRoleFr = (name: string | null) => (name ? `le rôle « ${name} »` : "le rôle du bot");
const toBotRoleFr = (name: string | null) => (name ? `au rôle « ${name} »` : "au rôle du bot");

export const discordEn = {
  // Refusals only the Discord adapter raises (DomainError codes).
  "error.discord_guild_only": "This command works in a server only. Run it in your server, not in a DM.",
  "error.discord_not_manager":
    "Only members with the Manage Server permission, or a manager role the creator set, can use this.",
  "error.discord_role_unmanageable": (p: { role: string; botRole: string | null }) =>
    `The bot cannot give or take ${p.role}: in Server Settings → Roles, drag ${botRoleEn(p.botRole)} above ${p.role}. Nothing changed.`,
  "error.discord_role_managed": (p: { role: string }) =>
    `${p.role} is managed by Discord or an integration (or is @everyone), so no bot can give it. Pick a normal role. Nothing changed.`,
  "error.extra_role_taken": (p: { role: string }) =>
    `${p.role} is already your trial, alumni or a tenure role: give each its own role. Nothing changed.`,
  "error.extra_role_is_tier_role": (p: { role: string }) =>
    `${p.role} opens a tier, so paying members hold it: it cannot also be the trial, alumni or a tenure role. Pick a role of its own. Nothing changed.`,
  "error.tier_role_is_extra_role": (p: { role: string }) =>
    `${p.role} is your trial, alumni or a tenure role (/tribe settings): a tier needs a role of its own. Nothing changed.`,
  "error.tenure_roles_full": (p: { max: number }) =>
    `You can have up to ${p.max} tenure roles: remove one first with /tribe settings remove-tenure-months. Nothing changed.`,
  "error.tenure_months_without_role":
    "Give tenure-months and tenure-role together: the role given after that many months of continuous membership. Nothing changed.",
  "error.discord_missing_permission": (p: { permission: DiscordPermission; botRole: string | null }) =>
    `The bot lacks the ${DISCORD_PERMISSION_NAMES[p.permission].en} permission here. Give it to ${botRoleEn(p.botRole)} in Server Settings → Roles, then try again. Nothing changed.`,
  "error.discord_no_tiers": "Nothing is for sale yet. The creator has not created a tier.",
  "error.discord_unknown_command": "This command is not known any more. Discord may still be updating it.",
  "error.discord_not_home":
    "This bot works only in its creator's own server, and this is not one of them. If you are the creator and own the bot's Discord application, run /tribe setup here first.",
  "error.discord_not_home_fixed":
    "This bot works only in its creator's own servers (the DISCORD_GUILD_IDS setting), and this is not one of them. Nothing changed.",
  "error.discord_setup_owner_only":
    "Only the owner of the bot's Discord application (or a member of its team) can make this server the bot's home. Ask them to run /tribe setup here. Nothing changed.",
  "error.discord_manage_server_only":
    "Only members with the Manage Server permission can change the manager roles. Nothing changed.",
  "error.discord_role_dangerous": (p: { role: string; permissions: readonly DiscordPermission[] }) =>
    `${p.role} carries ${permsEn(p.permissions)}: every paying fan would get power over the server. Pick a role without admin or moderation permissions (or remove them from it in Server Settings → Roles). Nothing changed.`,
  "error.discord_role_above_you": (p: { role: string }) =>
    `${p.role} sits at or above your own highest role, so you cannot hand it out. Ask someone above it, or the server owner. Nothing changed.`,
  "error.discord_poll_channel":
    "The bot cannot post in that channel: pick a text channel of this server it can see and write in.",

  // Shared refusals, worded with Discord's commands and options.
  "discord.error.not_a_member":
    "You have no membership yet. Use /join to pick a tier. Already a member on Telegram? Link this account with /link.",
  "discord.error.no_price": (p: { tier: string }) =>
    `Tier “${p.tier}” has no price for sale. Set one with /tribe tier edit (price option).`,
  "discord.error.input_duration_invalid": (p: { value: string }) =>
    `The duration “${p.value}” is not one: write a number and a unit, e.g. 30m, 12h, 3d or 1w (minutes, hours, days, weeks). Nothing changed.`,
  "discord.error.input_weights_invalid": (p: { part: string }) =>
    `In the weights option, “${p.part}” is not tier=number: write e.g. gold=3, silver=1 (weights from 1 to 10). Nothing changed.`,
  "discord.error.input_options_missing":
    "The options option holds no option: write 2 to 10 options separated by | or ;, e.g. Tutorial | Vlog | Live. Nothing changed.",

  "discord.interaction.try_again":
    "Sorry: the bot restarted while it was working on this, and it may not have been done. Please try again.",
  "discord.join.pick": "Pick the tier you want to join:",
  "discord.join.placeholder": "Choose a tier",
  "discord.join.checkout": (p: { tier: string; price: string }) =>
    `Join **${p.tier}** for ${p.price}. This private link opens Stripe's secure checkout; your roles arrive as soon as the payment goes through.`,
  "discord.join.checkout_trial": (p: { tier: string; trialDays: number; price: string }) =>
    `Join **${p.tier}**: ${EN.duration(p.trialDays, "day")} free, then ${p.price}. This private link opens Stripe's secure checkout; your roles arrive as soon as you confirm.`,
  "discord.join.pay": "Pay with Stripe",
  "discord.join.already": (p: { tier: string }) =>
    `You are already a member of **${p.tier}**. To change tier or card, or to cancel, use your membership portal.`,
  "discord.join.already_no_portal": (p: { tier: string }) =>
    `You are already a member of **${p.tier}**. Stripe cannot open your portal right now: try /membership in a minute.`,
  "discord.portal.button": "Manage my membership",
  "discord.revoke.come_back": "Join again",

  // Dates are Discord timestamps (<t:…:D>): each reader sees them in their language and time zone.
  "discord.membership.title": "Your membership",
  "discord.membership.suspended": "Your access is paused by the creator.",
  "discord.membership.renews": (p: { date: string }) => `renews on ${p.date}`,
  "discord.membership.ends": (p: { date: string }) => `ends on ${p.date}`,
  "discord.membership.trial_ends": (p: { date: string }) => `free trial until ${p.date}`,
  "discord.membership.ended": (p: { date: string }) => `ended on ${p.date}`,
  "discord.membership.none_active":
    "No active membership. Use /join to pick a tier. Already a member on Telegram? Link this account with /link.",

  "discord.link.code": (p: { code: string; minutes: number }) =>
    `Your link code: **${p.code}** (single use, valid ${EN.duration(p.minutes, "minute")}). On Telegram, send \`/link ${p.code}\` to the bot.`,
  "discord.link.done":
    "Done: this Discord account is now linked to your membership. Your member roles are on their way.",
  "discord.claim.done": (p: { count: number }) =>
    `Your access is being restored: ${EN.count(p.count, "role or group", "roles or groups")} on their way.`,

  "discord.setup.ok": (p: { count: number }) =>
    `All set: the bot can give and take the tier roles of this server (${EN.count(p.count, "role", "roles")}). Create tiers with /tribe tier create.`,
  "discord.setup.problems":
    "The bot cannot manage every tier role yet. Fix this, then run /tribe setup again:",
  "discord.setup.bound": (p: { server: string }) =>
    `**${p.server}** is now the bot's home server: its creator commands and fan commands work here, and nowhere else.`,
  "discord.setup.public_bot":
    "⚠️ Your bot is a **Public Bot**: anyone can invite it (it leaves servers that are not yours, but turn it off). Developer portal → your application → Bot → Public Bot: off.",
  "discord.setup.no_manage_roles": (p: { botRole: string | null }) =>
    `Give ${botRoleEn(p.botRole)} the **Manage Roles** permission (Server Settings → Roles).`,
  "discord.setup.role_above": (p: { role: string; tier: string; botRole: string | null }) =>
    `Drag ${botRoleEn(p.botRole)} **above** ${p.role} (tier ${p.tier}) in Server Settings → Roles.`,
  "discord.setup.role_managed": (p: { role: string; tier: string }) =>
    `${p.role} (tier ${p.tier}) is managed by an integration: map the tier to a normal role with /tribe tier add-role.`,
  "discord.setup.role_deleted": (p: { tier: string }) =>
    `The role of tier ${p.tier} was deleted: map a new one with /tribe tier add-role, then /tribe jobs retry.`,
  "discord.setup.no_manage_channels": (p: { botRole: string | null }) =>
    `Optional: give ${botRoleEn(p.botRole)} **Manage Channels** if you want the bot to create private tier channels.`,

  "discord.tier.created": (p: { tier: string; slug: string; price: string; role: string }) =>
    `Tier **${p.tier}** (\`${p.slug}\`) is for sale at ${p.price}. Members get ${p.role}.`,
  "discord.tier.created_channel": (p: { channel: string }) =>
    `Private channel ${p.channel} is open to them only.`,
  "discord.tier.edited": (p: { tier: string }) => `Tier **${p.tier}** updated.`,
  "discord.tier.price_changed": (p: { price: string }) =>
    `New members now pay ${p.price}; current members keep the price they signed up for.`,
  "discord.tier.archived": (p: { tier: string }) =>
    `Tier **${p.tier}** is no longer for sale. Its members keep their access until they stop paying.`,
  "discord.tier.list_title": "Tiers",
  "discord.tier.list_empty": "No tier yet. Create one with /tribe tier create.",
  "discord.tier.archived_flag": "archived",
  "discord.tier.no_access": "no role yet",
  "discord.tier.telegram_chat": (p: { chat: string }) => `Telegram chat ${p.chat}`,
  "discord.tier.role_added": (p: { tier: string; role: string }) =>
    `Members of **${p.tier}** now also get ${p.role}.`,
  "discord.tier.role_removed": (p: { tier: string; role: string }) =>
    `Members of **${p.tier}** no longer get ${p.role}.`,

  "discord.profile.title": "Your public page",
  "discord.profile.page": (p: { url: string }) => `Fans see it at ${p.url}`,
  "discord.profile.name": "Name",
  "discord.profile.pitch": "Pitch",
  "discord.profile.picture": "Picture",
  "discord.profile.invite": "Discord invite (when sign-in is not set up)",
  "discord.profile.goal": "True-fans goal on the page",
  "discord.settings.title": "Settings",
  "discord.settings.saved": "Saved.",
  "discord.settings.graceDays": "Grace period after a failed payment",
  "discord.settings.defaultTrialDays": "Default free trial",
  "discord.settings.allowPromotionCodes": "Promotion codes at checkout",
  "discord.settings.trueFansGoal": "True-fans goal",
  "discord.settings.managers": "Manager roles (besides Manage Server)",
  "discord.settings.pollChannels": "Channels where new polls are posted",
  "discord.settings.feedChannel": "Channel of your feed (also sent to the Telegram creators)",
  "discord.settings.roadmapChannel": "Channel of the roadmap message (kept up to date)",
  "discord.settings.feedKinds": "Lines of your feed",
  "discord.settings.days": (p: { n: number }) => EN.duration(p.n, "day"),
  "discord.settings.on": "on",
  "discord.settings.off": "off",
  "discord.settings.none": "none",
  "discord.settings.trialRole": "Role during a free trial",
  "discord.settings.alumniRole": "Role of former members",
  "discord.settings.tenureRoles": "Roles for months of continuous membership",
  "discord.settings.tenureStep": (p: { months: number; role: string }) => `${p.months} mo: ${p.role}`,

  "discord.stats.title": "Your tribe",
  "discord.stats.active": "Members",
  "discord.stats.goal": (p: { active: number; goal: number; percent: number }) =>
    `${EN.number(p.active)} of ${EN.count(p.goal, "true fan", "true fans")} (${EN.percent(p.percent)})`,
  "discord.stats.trialing": "In free trial",
  "discord.stats.past_due": "Payment failed (in grace)",
  "discord.stats.mrr": "Monthly revenue",
  "discord.stats.new": "New (30 days)",
  "discord.stats.churned": "Left (30 days)",
  "discord.stats.per_tier": "Per tier",

  "discord.member.title": (p: { user: string }) => `Member ${p.user}`,
  "discord.member.subscriptions": "Subscriptions",
  "discord.member.none": "none",
  "discord.member.identities": "Accounts",
  "discord.member.history": "Recent history",
  "discord.member.access": "Access jobs",
  "discord.member.suspended": (p: { reason: string }) => `Access revoked by the creator: ${p.reason}`,
  "discord.member.cancels": "cancels at period end",
  "discord.member.resynced": (p: { grants: number; revokes: number }) =>
    `Re-sync requested: ${EN.count(p.grants, "grant", "grants")} and ${EN.count(p.revokes, "removal", "removals")} on their way.`,
  "discord.member.revoked": (p: { user: string; revokes: number }) =>
    `${p.user}'s access is revoked (${EN.count(p.revokes, "role", "roles")} being removed) until you restore it.`,
  "discord.member.restored": (p: { user: string; grants: number }) =>
    `${p.user}'s access is restored (${EN.count(p.grants, "role", "roles")} on their way).`,
  "discord.member.unlinked": (p: {
    platform: PlatformName;
    account: string;
    user: string;
    revokes: number;
  }) =>
    `${PLATFORM_LABEL[p.platform]} account ${p.account} is no longer linked to ${p.user}'s membership; its access there is being removed (${EN.count(p.revokes, "change", "changes")}). The fan can now link another ${PLATFORM_LABEL[p.platform]} account with /link (on Discord or Telegram).`,

  "discord.reconcile.preview_title": "Reconciliation preview (nothing changed)",
  "discord.reconcile.applied_title": "Reconciliation done",
  "discord.reconcile.summary": (p: { subs: number; members: number; drift: number }) =>
    `${EN.count(p.subs, "Stripe subscription", "Stripe subscriptions")} and ${EN.count(p.members, "member", "members")} checked; ${EN.count(p.drift, "difference", "differences")}.`,
  "discord.reconcile.clean": "Stripe, the ledger and Discord agree.",
  "discord.reconcile.more": (p: { n: number }) => `…and ${EN.number(p.n)} more.`,
  "discord.reconcile.unreadable": (p: { targets: string }) =>
    `Could not read: ${p.targets} (deleted role, or the bot left the server).`,
  "discord.reconcile.unmanaged": (p: { n: number }) =>
    `${EN.count(p.n, "account holds", "accounts hold")} a tier role without a membership (left alone).`,
  "discord.reconcile.apply_button": "Repair now",
  "discord.reconcile.note": "Only Discord is read here; the periodic reconciliation also reads Telegram.",

  "discord.jobs.title": "Role changes that failed",
  "discord.jobs.none": "No failed role change.",
  "discord.jobs.retry_hint": "Fix the cause, then run /tribe jobs retry.",
  "discord.jobs.retried": (p: { count: number }) =>
    `${EN.count(p.count, "role change", "role changes")} queued again.`,

  "discord.bind.code": (p: { tier: string; code: string; minutes: number }) =>
    `Bind code for **${p.tier}**: **${p.code}** (single use, valid ${EN.duration(p.minutes, "minute")}). In the Telegram group or channel, as an administrator, send \`/bind ${p.code}\` (the bot must be an admin there).`,

  "discord.poll.opened": (p: { id: string; closes: string }) =>
    `Poll \`${p.id}\` is open; it closes ${p.closes}.`,
  "discord.poll.posted_discord": (p: { links: string }) => `Discord: ${p.links}`,
  "discord.poll.posted_telegram": (p: { count: number }) =>
    `Telegram: posted in ${EN.count(p.count, "chat", "chats")}.`,
  "discord.poll.unposted_discord":
    "Discord: not posted (no poll channel set: `/tribe settings add-poll-channel`, or name a channel).",
  "discord.poll.unposted_telegram":
    "Telegram: no group or channel is bound to the tiers of this poll (`/tribe bind`, then `/bind` there).",
  "discord.poll.post_failed": (p: { platform: PlatformName; chat: string; reason: string }) =>
    `${PLATFORM_LABEL[p.platform]}: could not post in ${p.chat} (${p.reason}).`,
  "discord.poll.closed": (p: { question: string }) =>
    `Poll closed: **${p.question}**. The results are on its message.`,
  "discord.poll.closed_title": (p: { question: string }) => `Closed: ${p.question}`,
  "discord.poll.winner": (p: { option: string }) => `🏆 Winner: **${p.option}**`,
  "discord.poll.tie": (p: { options: readonly string[] }) =>
    `Tie between ${EN.list(p.options)}: no single winner.`,
  "discord.poll.no_votes": "Nobody voted.",
  "discord.poll.round": (p: { n: number; counts: string; out: readonly string[] }) =>
    `Round ${p.n}: ${p.counts}${p.out.length ? ` → out: ${EN.list(p.out)}` : ""}`,
  "discord.poll.hint_budget":
    "Click “Spread your points” to open your private ballot: give your points to the options with ＋ and −, then cast them. You can change them until the poll closes.",
  "discord.poll.hint_single": "Click an option to vote. You can change your vote until the poll closes.",
  "discord.poll.hint_approval":
    "Pick every option you like in the menu. You can change your picks until the poll closes.",
  "discord.poll.hint_ranked":
    "Click “Rank the options”, then pick them one by one, favourite first (a menu cannot keep the order of several picks).",
  "discord.poll.field_closes": "Closes",
  "discord.poll.field_closed": "Closed",
  "discord.poll.field_mode": "Mode",
  "discord.poll.field_voters": "Voters",
  "discord.poll.field_who": "Who votes",
  "discord.poll.everyone": "every member",
  "discord.poll.mode_single": "single choice",
  "discord.poll.mode_approval": "approval (several picks)",
  "discord.poll.mode_ranked": "ranked choice",
  "discord.poll.mode_budget": "budget (spread your points)",
  "discord.poll.hidden_note": "Results are hidden until the poll closes.",
  "discord.poll.approval_placeholder": "Pick the options you like",
  "discord.poll.rank_button": "Rank the options",
  "discord.poll.rank_intro": "Pick your options one by one, favourite first. Submit whenever you are done.",
  "discord.poll.rank_so_far": "Your ranking so far:",
  "discord.poll.rank_pick": (p: { n: number }) => `Your choice #${p.n}`,
  "discord.poll.rank_submit": "Submit this ranking",
  "discord.poll.budget_button": "Spread your points",
  "discord.ballot.intro":
    "Your private ballot: ＋ gives an option one point, − takes one back. Nothing counts until you press “Cast my points”.",
  "discord.ballot.line": (p: { n: number; label: string; points: number }) =>
    `**${p.n}.** ${p.label}: ${EN.count(p.points, "point", "points")}`,
  "discord.ballot.left": (p: { left: number; points: number; cap: number | null }) =>
    `Points left: ${p.left} of ${p.points}${p.cap === null ? "." : ` (at most ${p.cap} on one option).`}`,
  "discord.ballot.cast_button": "Cast my points",
  "discord.ballot.clear_button": "Clear",
  "discord.ballot.counted": "Your points are cast.",
  "discord.ballot.changed": "Your points are cast; the ones you gave before no longer count.",
  "discord.ballot.unchanged": "You had already cast exactly these points: nothing changed.",
  "discord.poll.exported": (p: { count: number; question: string }) =>
    `${EN.count(p.count, "ballot", "ballots")} of “${p.question}”, every one cast (the latest of each member counts).`,
  "discord.poll.committed": (p: { stage: "in_the_works" | "shipped"; count: number }) =>
    `Done: the winning option is ${p.stage === "shipped" ? "shipped" : "in the works"}. ${EN.count(p.count, "voter is", "voters are")} being told.`,
  "discord.vote.counted": (p: { choice: string; weight: number }) =>
    `Your vote for ${p.choice} is counted (weight ${p.weight}).`,
  "discord.vote.budget": (p: { choice: string; left: number; weight: number }) =>
    p.choice
      ? `Your points: ${p.choice}. Points left: ${p.left} of ${p.weight}.`
      : `You have given no point: your ballot counts for nothing. Points left: ${p.left} of ${p.weight}.`,
  "discord.vote.changed": (p: { choice: string; weight: number }) =>
    `Your vote is now ${p.choice} (weight ${p.weight}); your previous vote no longer counts.`,
  "discord.vote.unchanged": (p: { choice: string; weight: number }) =>
    `You already voted ${p.choice}: nothing changed (weight ${p.weight}).`,
  "discord.vote.cleared": "Your ballot is cleared: it counts for nothing until you vote again.",

  "discord.idea.proposed": (p: { title: string; id: string }) =>
    `Idea proposed: **${p.title}** (\`${p.id}\`). Other members can upvote it with /idea upvote.`,
  "discord.idea.upvoted": (p: { title: string; votes: number }) =>
    `You upvoted **${p.title}**: ${EN.count(p.votes, "upvote", "upvotes")} now.`,
  "discord.idea.top_title": "Top ideas",
  "discord.idea.top_empty": "No open idea yet. Propose one with /idea propose.",
  "discord.idea.votes": (p: { votes: number }) => EN.count(p.votes, "upvote", "upvotes"),
  "discord.idea.decided": (p: { title: string; decision: "shortlisted" | "merged" | "declined" }) =>
    `**${p.title}** is ${p.decision}. Its author is being told.`,

  // The fan's journey (issue 17): every price side by side, switching tier, linking the other platform.
  "discord.join.offers": (p: { tier: string; offers: string }) =>
    `**${p.tier}**: ${p.offers}\nPick how you want to pay:`,
  "discord.join.checkout_lifetime": (p: { tier: string; price: string }) =>
    `Join **${p.tier}** for life: ${p.price}, paid once, no renewal. This private link opens Stripe's secure checkout; your roles arrive as soon as the payment goes through.`,
  "discord.join.link_hint": (p: { platform: PlatformName }) =>
    `Already a member through ${PLATFORM_LABEL[p.platform]}? Do not pay twice: link this account with /link.`,
  "discord.join.has_tier": (p: { tier: string }) =>
    `You already have **${p.tier}**: there is nothing more to pay. To change your card or cancel, use your membership portal.`,
  "discord.join.has_tier_for_life": (p: { tier: string }) =>
    `You already have **${p.tier}**, for life: there is nothing more to pay.`,
  "discord.join.switch_offer": (p: { tier: string; to: string }) =>
    `You are a member of **${p.tier}**. Switch to **${p.to}** instead of paying twice? Stripe prorates the difference on your next invoice.`,
  "discord.join.other_platform": (p: { platform: PlatformName }) =>
    `It also opens chats on ${PLATFORM_LABEL[p.platform]}: link your ${PLATFORM_LABEL[p.platform]} account with /link to get them.`,
  "discord.switch.button": (p: { tier: string }) => `Switch to ${p.tier}`,
  "discord.switch.done": (p: { tier: string }) =>
    `Done: you are now a member of **${p.tier}**. Stripe prorates the change on your next invoice; your roles follow in a moment.`,
  "discord.link.button": "Get my /link code",
  "discord.error.switch_no_subscription":
    "You have no active subscription to switch: use /join to pick a tier. Already a member on Telegram? Link this account with /link.",
} satisfies Messages;

export const discordFr = {
  "error.discord_guild_only":
    "Cette commande ne fonctionne que dans un serveur. Lancez-la dans votre serveur, pas en message privé.",
  "error.discord_not_manager":
    "Seuls les membres ayant la permission Gérer le serveur, ou un rôle gérant choisi par le créateur, peuvent l'utiliser.",
  "error.discord_role_unmanageable": (p) =>
    `Le bot ne peut ni donner ni retirer ${p.role} : dans Paramètres du serveur → Rôles, placez ${botRoleFr(p.botRole)} au-dessus de ${p.role}. Rien n'a changé.`,
  "error.discord_role_managed": (p) =>
    `${p.role} est géré par Discord ou une intégration (ou c'est @everyone) : aucun bot ne peut le donner. Choisissez un rôle normal. Rien n'a changé.`,
  "error.extra_role_taken": (p) =>
    `${p.role} est déjà votre rôle d'essai, d'anciens ou d'ancienneté : donnez à chacun son propre rôle. Rien n'a changé.`,
  "error.extra_role_is_tier_role": (p) =>
    `${p.role} ouvre un palier, les abonnés l'ont donc déjà : il ne peut pas servir aussi de rôle d'essai, d'anciens ou d'ancienneté. Choisissez un rôle à part. Rien n'a changé.`,
  "error.tier_role_is_extra_role": (p) =>
    `${p.role} est votre rôle d'essai, d'anciens ou d'ancienneté (/tribu réglages) : un palier a besoin d'un rôle à lui. Rien n'a changé.`,
  "error.tenure_roles_full": (p) =>
    `Vous pouvez avoir jusqu'à ${p.max} rôles d'ancienneté : retirez-en d'abord un avec /tribu réglages retirer-ancienneté-mois. Rien n'a changé.`,
  "error.tenure_months_without_role":
    "Donnez ancienneté-mois et rôle-ancienneté ensemble : le rôle donné après autant de mois d'abonnement sans interruption. Rien n'a changé.",
  "error.discord_missing_permission": (p) =>
    `Le bot n'a pas la permission ${DISCORD_PERMISSION_NAMES[p.permission].fr} ici. Donnez-la ${toBotRoleFr(p.botRole)} dans Paramètres du serveur → Rôles, puis réessayez. Rien n'a changé.`,
  "error.discord_no_tiers": "Rien n'est encore en vente : le créateur n'a pas créé de palier.",
  "error.discord_unknown_command":
    "Cette commande n'existe plus. Discord est peut-être encore en train de la mettre à jour.",
  "error.discord_not_home":
    "Ce bot ne fonctionne que dans le serveur de son créateur, et ce n'en est pas un. Si vous êtes le créateur et possédez l'application Discord du bot, lancez d'abord /tribu installer ici.",
  "error.discord_not_home_fixed":
    "Ce bot ne fonctionne que dans les serveurs de son créateur (le réglage DISCORD_GUILD_IDS), et ce n'en est pas un. Rien n'a changé.",
  "error.discord_setup_owner_only":
    "Seul le propriétaire de l'application Discord du bot (ou un membre de son équipe) peut faire de ce serveur la maison du bot. Demandez-lui de lancer /tribu installer ici. Rien n'a changé.",
  "error.discord_manage_server_only":
    "Seuls les membres ayant la permission Gérer le serveur peuvent changer les rôles gérants. Rien n'a changé.",
  "error.discord_role_dangerous": (p) =>
    `${p.role} donne ${permsFr(p.permissions)} : chaque fan payant aurait du pouvoir sur le serveur. Choisissez un rôle sans permission d'administration ni de modération (ou retirez-les-lui dans Paramètres du serveur → Rôles). Rien n'a changé.`,
  "error.discord_role_above_you": (p) =>
    `${p.role} est au niveau de votre rôle le plus haut, ou au-dessus : vous ne pouvez pas le distribuer. Demandez à quelqu'un au-dessus, ou au propriétaire du serveur. Rien n'a changé.`,
  "error.discord_poll_channel":
    "Le bot ne peut pas publier dans ce salon : choisissez un salon textuel de ce serveur où il peut lire et écrire.",

  "discord.error.not_a_member":
    "Vous n'avez pas encore d'abonnement. Utilisez /rejoindre pour choisir un palier. Déjà membre sur Telegram ? Liez ce compte avec /lier.",
  "discord.error.no_price": (p) =>
    `Le palier « ${p.tier} » n'a pas de prix en vente. Fixez-en un avec /tribu palier modifier (option prix).`,
  "discord.error.input_duration_invalid": (p) =>
    `La durée « ${p.value} » n'en est pas une : écrivez un nombre et une unité, par ex. 30m, 12h, 3j ou 1w (minutes, heures, jours, semaines). Rien n'a changé.`,
  "discord.error.input_weights_invalid": (p) =>
    `Dans l'option poids, « ${p.part} » n'est pas de la forme palier=nombre : écrivez par ex. gold=3, silver=1 (poids de 1 à 10). Rien n'a changé.`,
  "discord.error.input_options_missing":
    "L'option options ne contient aucune option : écrivez 2 à 10 options séparées par | ou ;, par ex. Tutoriel | Vlog | Direct. Rien n'a changé.",

  "discord.interaction.try_again":
    "Désolé : le bot a redémarré pendant qu'il traitait cette demande, qui n'a peut-être pas abouti. Réessayez, s'il vous plaît.",
  "discord.join.pick": "Choisissez le palier que vous voulez rejoindre :",
  "discord.join.placeholder": "Choisir un palier",
  "discord.join.checkout": (p) =>
    `Rejoindre **${p.tier}** pour ${p.price}. Ce lien privé ouvre le paiement sécurisé de Stripe ; vos rôles arrivent dès que le paiement passe.`,
  "discord.join.checkout_trial": (p) =>
    `Rejoindre **${p.tier}** : ${FR.duration(p.trialDays, "day")} ${FR.plural(p.trialDays, "gratuit", "gratuits")}, puis ${p.price}. Ce lien privé ouvre le paiement sécurisé de Stripe ; vos rôles arrivent dès votre confirmation.`,
  "discord.join.pay": "Payer avec Stripe",
  "discord.join.already": (p) =>
    `Vous êtes déjà membre de **${p.tier}**. Pour changer de palier ou de carte, ou pour résilier, utilisez votre espace d'abonnement.`,
  "discord.join.already_no_portal": (p) =>
    `Vous êtes déjà membre de **${p.tier}**. Stripe ne peut pas ouvrir votre espace pour le moment : réessayez /abonnement dans une minute.`,
  "discord.portal.button": "Gérer mon abonnement",
  "discord.revoke.come_back": "Revenir",

  "discord.membership.title": "Votre abonnement",
  "discord.membership.suspended": "Votre accès est suspendu par le créateur.",
  "discord.membership.renews": (p) => `renouvellement le ${p.date}`,
  "discord.membership.ends": (p) => `prend fin le ${p.date}`,
  "discord.membership.trial_ends": (p) => `essai gratuit jusqu'au ${p.date}`,
  "discord.membership.ended": (p) => `terminé le ${p.date}`,
  "discord.membership.none_active":
    "Aucun abonnement actif. Utilisez /rejoindre pour choisir un palier. Déjà membre sur Telegram ? Liez ce compte avec /lier.",

  "discord.link.code": (p) =>
    `Votre code de liaison : **${p.code}** (usage unique, valable ${FR.duration(p.minutes, "minute")}). Sur Telegram, envoyez \`/link ${p.code}\` au bot.`,
  "discord.link.done":
    "C'est fait : ce compte Discord est lié à votre abonnement. Vos rôles de membre arrivent.",
  "discord.claim.done": (p) =>
    `Votre accès est en cours de rétablissement : ${FR.count(p.count, "rôle ou groupe", "rôles ou groupes")} en route.`,

  "discord.setup.ok": (p) =>
    `Tout est prêt : le bot peut donner et retirer les rôles de palier de ce serveur (${FR.count(p.count, "rôle", "rôles")}). Créez des paliers avec /tribu palier créer.`,
  "discord.setup.problems":
    "Le bot ne peut pas encore gérer tous les rôles des paliers. Corrigez ceci, puis relancez /tribu installer :",
  "discord.setup.bound": (p) =>
    `**${p.server}** est désormais le serveur du bot : ses commandes de créateur et de fan fonctionnent ici, et nulle part ailleurs.`,
  "discord.setup.public_bot":
    "⚠️ Votre bot est un **bot public** : n'importe qui peut l'inviter (il quitte les serveurs qui ne sont pas les vôtres, mais désactivez-le). Portail développeur → votre application → Bot → Public Bot : désactivé.",
  "discord.setup.no_manage_roles": (p) =>
    `Donnez ${toBotRoleFr(p.botRole)} la permission **Gérer les rôles** (Paramètres du serveur → Rôles).`,
  "discord.setup.role_above": (p) =>
    `Placez ${botRoleFr(p.botRole)} **au-dessus** de ${p.role} (palier ${p.tier}) dans Paramètres du serveur → Rôles.`,
  "discord.setup.role_managed": (p) =>
    `${p.role} (palier ${p.tier}) est géré par une intégration : associez le palier à un rôle normal avec /tribu palier ajouter-rôle.`,
  "discord.setup.role_deleted": (p) =>
    `Le rôle du palier ${p.tier} a été supprimé : associez-en un nouveau avec /tribu palier ajouter-rôle, puis /tribu tâches relancer.`,
  "discord.setup.no_manage_channels": (p) =>
    `Facultatif : donnez ${toBotRoleFr(p.botRole)} la permission **Gérer les salons** pour que le bot crée les salons privés des paliers.`,

  "discord.tier.created": (p) =>
    `Le palier **${p.tier}** (\`${p.slug}\`) est en vente à ${p.price}. Ses membres reçoivent ${p.role}.`,
  "discord.tier.created_channel": (p) => `Le salon privé ${p.channel} leur est réservé.`,
  "discord.tier.edited": (p) => `Palier **${p.tier}** mis à jour.`,
  "discord.tier.price_changed": (p) =>
    `Les nouveaux membres paient désormais ${p.price} ; les membres actuels gardent leur prix.`,
  "discord.tier.archived": (p) =>
    `Le palier **${p.tier}** n'est plus en vente. Ses membres gardent leur accès tant qu'ils paient.`,
  "discord.tier.list_title": "Paliers",
  "discord.tier.list_empty": "Aucun palier. Créez-en un avec /tribu palier créer.",
  "discord.tier.archived_flag": "archivé",
  "discord.tier.no_access": "pas encore de rôle",
  "discord.tier.telegram_chat": (p) => `groupe Telegram ${p.chat}`,
  "discord.tier.role_added": (p) => `Les membres de **${p.tier}** reçoivent aussi ${p.role}.`,
  "discord.tier.role_removed": (p) => `Les membres de **${p.tier}** ne reçoivent plus ${p.role}.`,

  "discord.profile.title": "Votre page publique",
  "discord.profile.page": (p) => `Vos fans la voient à ${p.url}`,
  "discord.profile.name": "Nom",
  "discord.profile.pitch": "Présentation",
  "discord.profile.picture": "Image",
  "discord.profile.invite": "Invitation Discord (sans connexion Discord)",
  "discord.profile.goal": "Objectif de vrais fans sur la page",
  "discord.settings.title": "Réglages",
  "discord.settings.saved": "Enregistré.",
  "discord.settings.graceDays": "Délai de grâce après un paiement échoué",
  "discord.settings.defaultTrialDays": "Essai gratuit par défaut",
  "discord.settings.allowPromotionCodes": "Codes promo au paiement",
  "discord.settings.trueFansGoal": "Objectif de vrais fans",
  "discord.settings.managers": "Rôles gérants (en plus de Gérer le serveur)",
  "discord.settings.pollChannels": "Salons où les nouveaux sondages sont publiés",
  "discord.settings.feedChannel": "Salon de votre fil (aussi envoyé aux créateurs sur Telegram)",
  "discord.settings.roadmapChannel": "Salon du message de feuille de route (tenu à jour)",
  "discord.settings.feedKinds": "Lignes de votre fil",
  "discord.settings.days": (p) => FR.duration(p.n, "day"),
  "discord.settings.on": "oui",
  "discord.settings.off": "non",
  "discord.settings.none": "aucun",
  "discord.settings.trialRole": "Rôle pendant un essai gratuit",
  "discord.settings.alumniRole": "Rôle des anciens abonnés",
  "discord.settings.tenureRoles": "Rôles d'ancienneté (mois sans interruption)",
  "discord.settings.tenureStep": (p) => `${p.months} mois : ${p.role}`,

  "discord.stats.title": "Votre tribu",
  "discord.stats.active": "Membres",
  "discord.stats.goal": (p) =>
    `${FR.number(p.active)} sur ${FR.count(p.goal, "vrai fan", "vrais fans")} (${FR.percent(p.percent)})`,
  "discord.stats.trialing": "En essai gratuit",
  "discord.stats.past_due": "Paiement échoué (en grâce)",
  "discord.stats.mrr": "Revenu mensuel",
  "discord.stats.new": "Nouveaux (30 jours)",
  "discord.stats.churned": "Départs (30 jours)",
  "discord.stats.per_tier": "Par palier",

  "discord.member.title": (p) => `Membre ${p.user}`,
  "discord.member.subscriptions": "Abonnements",
  "discord.member.none": "aucun",
  "discord.member.identities": "Comptes",
  "discord.member.history": "Historique récent",
  "discord.member.access": "Tâches d'accès",
  "discord.member.suspended": (p) => `Accès retiré par le créateur : ${p.reason}`,
  "discord.member.cancels": "résiliation en fin de période",
  "discord.member.resynced": (p) =>
    `Resynchronisation demandée : ${FR.count(p.grants, "ajout", "ajouts")} et ${FR.count(p.revokes, "retrait", "retraits")} en route.`,
  "discord.member.revoked": (p) =>
    `L'accès de ${p.user} est retiré (${FR.count(p.revokes, "rôle", "rôles")} en cours de retrait) jusqu'à ce que vous le rétablissiez.`,
  "discord.member.restored": (p) =>
    `L'accès de ${p.user} est rétabli (${FR.count(p.grants, "rôle", "rôles")} en route).`,
  "discord.member.unlinked": (p) =>
    `Le compte ${PLATFORM_LABEL[p.platform]} ${p.account} n'est plus lié à l'abonnement de ${p.user} ; son accès y est retiré (${FR.count(p.revokes, "changement", "changements")}). Le fan peut maintenant lier un autre compte ${PLATFORM_LABEL[p.platform]} avec /lier sur Discord ou /link sur Telegram.`,

  "discord.reconcile.preview_title": "Aperçu de la réconciliation (rien n'a changé)",
  "discord.reconcile.applied_title": "Réconciliation terminée",
  "discord.reconcile.summary": (p) =>
    `${FR.count(p.subs, "abonnement", "abonnements")} Stripe et ${FR.count(p.members, "membre", "membres")} ${FR.plural(p.subs + p.members, "vérifié", "vérifiés")} ; ${FR.count(p.drift, "différence", "différences")}.`,
  "discord.reconcile.clean": "Stripe, le registre et Discord sont d'accord.",
  "discord.reconcile.more": (p) => `…et ${FR.number(p.n)} de plus.`,
  "discord.reconcile.unreadable": (p) =>
    `Illisible : ${p.targets} (rôle supprimé, ou le bot a quitté le serveur).`,
  "discord.reconcile.unmanaged": (p) =>
    `${FR.count(p.n, "compte a", "comptes ont")} un rôle de palier sans abonnement (${FR.plural(p.n, "laissé tel quel", "laissés tels quels")}).`,
  "discord.reconcile.apply_button": "Réparer maintenant",
  "discord.reconcile.note": "Seul Discord est lu ici ; la réconciliation périodique lit aussi Telegram.",

  "discord.jobs.title": "Changements de rôle en échec",
  "discord.jobs.none": "Aucun changement de rôle en échec.",
  "discord.jobs.retry_hint": "Corrigez la cause, puis lancez /tribu tâches relancer.",
  "discord.jobs.retried": (p) =>
    `${FR.count(p.count, "changement de rôle relancé", "changements de rôle relancés")}.`,

  "discord.bind.code": (p) =>
    `Code de liaison pour **${p.tier}** : **${p.code}** (usage unique, valable ${FR.duration(p.minutes, "minute")}). Dans le groupe ou canal Telegram, en tant qu'administrateur, envoyez \`/bind ${p.code}\` (le bot doit y être administrateur).`,

  "discord.poll.opened": (p) => `Le sondage \`${p.id}\` est ouvert ; il se ferme ${p.closes}.`,
  "discord.poll.posted_discord": (p) => `Discord : ${p.links}`,
  "discord.poll.posted_telegram": (p) =>
    `Telegram : publié dans ${FR.count(p.count, "groupe ou canal", "groupes ou canaux")}.`,
  "discord.poll.unposted_discord":
    "Discord : pas publié (aucun salon de sondage : `/tribu réglages ajouter-salon-sondages`, ou nommez un salon).",
  "discord.poll.unposted_telegram":
    "Telegram : aucun groupe ni canal n'est lié aux paliers de ce sondage (`/tribu lier-telegram`, puis `/bind` là-bas).",
  "discord.poll.post_failed": (p) =>
    `${PLATFORM_LABEL[p.platform]} : impossible de publier dans ${p.chat} (${p.reason}).`,
  "discord.poll.closed": (p) => `Sondage fermé : **${p.question}**. Les résultats sont sur son message.`,
  "discord.poll.closed_title": (p) => `Terminé : ${p.question}`,
  "discord.poll.winner": (p) => `🏆 Gagnant : **${p.option}**`,
  "discord.poll.tie": (p) => `Égalité entre ${FR.list(p.options)} : pas de gagnant unique.`,
  "discord.poll.no_votes": "Personne n'a voté.",
  "discord.poll.round": (p) =>
    `Tour ${p.n} : ${p.counts}${p.out.length ? ` → ${FR.plural(p.out.length, "éliminée", "éliminées")} : ${FR.list(p.out)}` : ""}`,
  "discord.poll.hint_budget":
    "Cliquez sur « Répartir mes points » pour ouvrir votre bulletin privé : donnez vos points aux options avec ＋ et −, puis validez-les. Vous pouvez les changer jusqu'à la fermeture.",
  "discord.poll.hint_single":
    "Cliquez sur une option pour voter. Vous pouvez changer d'avis jusqu'à la fermeture.",
  "discord.poll.hint_approval":
    "Choisissez dans le menu toutes les options qui vous plaisent. Vous pouvez changer jusqu'à la fermeture.",
  "discord.poll.hint_ranked":
    "Cliquez sur « Classer les options », puis choisissez-les une par une, la préférée d'abord (un menu ne garde pas l'ordre de plusieurs choix).",
  "discord.poll.field_closes": "Fermeture",
  "discord.poll.field_closed": "Fermé",
  "discord.poll.field_mode": "Mode",
  "discord.poll.field_voters": "Votants",
  "discord.poll.field_who": "Qui vote",
  "discord.poll.everyone": "tous les membres",
  "discord.poll.mode_single": "choix unique",
  "discord.poll.mode_approval": "approbation (plusieurs choix)",
  "discord.poll.mode_ranked": "vote par classement",
  "discord.poll.mode_budget": "budget (répartissez vos points)",
  "discord.poll.hidden_note": "Les résultats sont masqués jusqu'à la fermeture.",
  "discord.poll.approval_placeholder": "Choisissez les options qui vous plaisent",
  "discord.poll.rank_button": "Classer les options",
  "discord.poll.rank_intro":
    "Choisissez vos options une par une, la préférée d'abord. Validez quand vous voulez.",
  "discord.poll.rank_so_far": "Votre classement pour l'instant :",
  "discord.poll.rank_pick": (p) => `Votre choix n° ${p.n}`,
  "discord.poll.rank_submit": "Valider ce classement",
  "discord.poll.budget_button": "Répartir mes points",
  "discord.ballot.intro":
    "Votre bulletin privé : ＋ donne un point à une option, − en reprend un. Rien ne compte avant « Valider mes points ».",
  "discord.ballot.line": (p) => `**${p.n}.** ${p.label} : ${FR.count(p.points, "point", "points")}`,
  "discord.ballot.left": (p) =>
    `Points restants : ${p.left} sur ${p.points}${p.cap === null ? "." : ` (au plus ${p.cap} sur une option).`}`,
  "discord.ballot.cast_button": "Valider mes points",
  "discord.ballot.clear_button": "Tout effacer",
  "discord.ballot.counted": "Vos points sont enregistrés.",
  "discord.ballot.changed": "Vos points sont enregistrés ; ceux donnés avant ne comptent plus.",
  "discord.ballot.unchanged": "Vous aviez déjà donné exactement ces points : rien n'a changé.",
  "discord.poll.exported": (p) =>
    `${FR.count(p.count, "bulletin", "bulletins")} de « ${p.question} », tous ceux déposés (le dernier de chaque membre compte).`,
  "discord.poll.committed": (p) =>
    `C'est fait : l'option gagnante est ${p.stage === "shipped" ? "livrée" : "en cours"}. ${FR.count(p.count, "votant est prévenu", "votants sont prévenus")}.`,
  "discord.vote.counted": (p) => `Votre vote pour ${p.choice} est compté (poids ${p.weight}).`,
  "discord.vote.budget": (p) =>
    p.choice
      ? `Vos points : ${p.choice}. Points restants : ${p.left} sur ${p.weight}.`
      : `Vous n'avez donné aucun point : votre bulletin ne compte pas. Points restants : ${p.left} sur ${p.weight}.`,
  "discord.vote.changed": (p) =>
    `Votre vote est maintenant ${p.choice} (poids ${p.weight}) ; votre vote précédent ne compte plus.`,
  "discord.vote.unchanged": (p) => `Vous avez déjà voté ${p.choice} : rien n'a changé (poids ${p.weight}).`,
  "discord.vote.cleared": "Votre bulletin est effacé : il ne compte plus jusqu'à votre prochain vote.",

  "discord.idea.proposed": (p) =>
    `Idée proposée : **${p.title}** (\`${p.id}\`). Les autres membres peuvent la soutenir avec /idée soutenir.`,
  "discord.idea.upvoted": (p) =>
    `Vous soutenez **${p.title}** : ${FR.count(p.votes, "soutien", "soutiens")} maintenant.`,
  "discord.idea.top_title": "Meilleures idées",
  "discord.idea.top_empty": "Aucune idée ouverte. Proposez-en une avec /idée proposer.",
  "discord.idea.votes": (p) => FR.count(p.votes, "soutien", "soutiens"),
  "discord.idea.decided": (p) =>
    `**${p.title}** est ${{ shortlisted: "retenue", merged: "fusionnée", declined: "refusée" }[p.decision]}. Son auteur est prévenu.`,

  // The fan's journey (issue 17): every price side by side, switching tier, linking the other platform.
  "discord.join.offers": (p) => `**${p.tier}** : ${p.offers}\nChoisissez comment payer :`,
  "discord.join.checkout_lifetime": (p) =>
    `Rejoignez **${p.tier}** à vie : ${p.price}, payé une fois, sans renouvellement. Ce lien privé ouvre le paiement sécurisé de Stripe ; vos rôles arrivent dès que le paiement passe.`,
  "discord.join.link_hint": (p) =>
    `Déjà membre via ${PLATFORM_LABEL[p.platform]} ? Ne payez pas deux fois : liez ce compte avec /lier.`,
  "discord.join.has_tier": (p) =>
    `Vous avez déjà **${p.tier}** : il n'y a rien de plus à payer. Pour changer de carte ou résilier, utilisez votre espace d'abonnement.`,
  "discord.join.has_tier_for_life": (p) =>
    `Vous avez déjà **${p.tier}**, à vie : il n'y a rien de plus à payer.`,
  "discord.join.switch_offer": (p) =>
    `Vous êtes membre de **${p.tier}**. Passer à **${p.to}** plutôt que payer deux fois ? Stripe calcule la différence au prorata sur votre prochaine facture.`,
  "discord.join.other_platform": (p) =>
    `Il ouvre aussi des salons sur ${PLATFORM_LABEL[p.platform]} : liez votre compte ${PLATFORM_LABEL[p.platform]} avec /lier pour y accéder.`,
  "discord.switch.button": (p) => `Passer à ${p.tier}`,
  "discord.switch.done": (p) =>
    `C'est fait : vous êtes maintenant membre de **${p.tier}**. Stripe calcule le changement au prorata sur votre prochaine facture ; vos rôles suivent dans un instant.`,
  "discord.link.button": "Obtenir mon code /lier",
  "discord.error.switch_no_subscription":
    "Vous n'avez pas d'abonnement actif à changer : utilisez /rejoindre pour choisir un palier. Déjà membre sur Telegram ? Liez ce compte avec /lier.",
} satisfies Translation<typeof discordEn>;
