import {
  AttachmentBuilder,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
  type SendableChannels,
  time,
} from "discord.js";
import { ideaCommand, tribeCommand } from "../../../../commands/discord.ts";
import type { PollRow } from "../../../app/db.ts";
import type { IdeaDecision, MyIdea } from "../../../app/ideas.ts";
import type { PollPlacement } from "../../../app/platform.ts";
import { inputValue, type PlacementLine, placementLines } from "../../../app/polls.ts";
import { fitLines } from "../../../core/fitLines.ts";
import { parseDuration, parseOptionList } from "../../../core/pollInput.ts";
import { summarizeTally } from "../../../core/pollSummary.ts";
import { allocationChoices, allocationLabel, type PollMode } from "../../../core/polls.ts";
import { DomainError } from "../../../errors.ts";
import { postProblemText } from "../../../i18n/index.ts";
import type { ComponentRoute, HandlerContext } from "../context.ts";
import { slash } from "../context.ts";
import {
  BUDGET_PREFIX,
  budgetCast,
  budgetStep,
  choicesLabel,
  loadPollView,
  outcomeLines,
  parseBudgetAction,
  parseDraft,
  parseOption,
  parsePollId,
  parseRanking,
  pollEmbed,
  RANK_PREFIX,
  rankingStep,
  shortId,
  stepDraft,
  VOTE_PREFIX,
} from "../pollView.ts";

/** A channel of this server the bot can post in, or a clear refusal. */
async function targetChannel(i: ChatInputCommandInteraction, id: string): Promise<SendableChannels> {
  const channel = await i.client.channels.fetch(id).catch(() => null);
  if (!channel?.isSendable() || ("guildId" in channel && channel.guildId !== i.guildId))
    throw new DomainError("discord_poll_channel");
  return channel;
}

/**
 * Where a new poll goes on Discord: the channel named in the command; else the poll channels in
 * settings (which also receive polls opened on Telegram); else the channel the command ran in.
 * Checked before the poll opens, so a bad channel refuses the command instead of opening a poll
 * nobody sees.
 */
const chosen = (channelId: string): PollPlacement => ({
  chosen: { platform: "discord", chatIds: [channelId] },
});

async function discordPlacement(
  ctx: HandlerContext & { interaction: ChatInputCommandInteraction },
  channelId: string | null,
): Promise<PollPlacement> {
  const i = ctx.interaction;
  if (channelId) return chosen((await targetChannel(i, channelId)).id);
  if ((await ctx.services.app.getSettings()).discordPollChannelIds.length > 0) return {};
  return chosen((await targetChannel(i, i.channelId)).id);
}

/** A line of the creator's reply: where the poll went on each platform (or why not). */
export function placementText(t: HandlerContext["t"], line: PlacementLine): string {
  const { platform } = line;
  switch (line.kind) {
    case "posted":
      return line.platform === "discord"
        ? t("discord.poll.posted_discord", { links: line.places.map((p) => p.url ?? p.chatId).join(" ") })
        : t("discord.poll.posted_telegram", { count: line.places.length });
    case "unposted":
      return t(
        line.platform === "discord" ? "discord.poll.unposted_discord" : "discord.poll.unposted_telegram",
      );
    case "failed": {
      const chat = line.platform === "discord" ? `<#${line.chatId}>` : line.chatId;
      return t("discord.poll.post_failed", { platform, chat, reason: postProblemText(t, line) });
    }
  }
}

async function opened(ctx: HandlerContext, placement: PollPlacement, pollId: string): Promise<void> {
  const reports = await ctx.services.app.publishPoll(pollId, placement);
  const poll = await ctx.services.app.findPollByRef(pollId);
  await ctx.reply({
    content: [
      ctx.t("discord.poll.opened", { id: shortId(poll.id), closes: time(poll.closesAt, "R") }),
      ...placementLines(reports).map((line) => placementText(ctx.t, line)),
    ].join("\n"),
  });
}

export const pollOpenRoute = slash(tribeCommand, ["poll", "open"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const duration = inputValue(parseDuration(args.string("duration")));
  const opensAt = ctx.services.clock.now();
  const closesAt = new Date(opensAt.getTime() + duration);
  const options = inputValue(parseOptionList(args.string("options")));
  const tierRef = args.string("tier");
  const tier = tierRef ? await ctx.services.app.findTier(tierRef) : null;
  const weights = await ctx.services.app.resolveTierWeights(args.string("weights"));
  const budget = await ctx.services.app.resolveBudget(args.string("budget"), args.integer("cap"));
  const placement = await discordPlacement(ctx, args.channelId("channel"));
  await ctx.defer();
  const poll = await ctx.services.app.openPoll({
    question: args.string("question"),
    options,
    opensAt,
    closesAt,
    mode: (args.string("mode") ?? "single") as PollMode,
    eligibility: tier ? { kind: "tiers", tierIds: [tier.id] } : { kind: "all" },
    weights,
    budget,
    hideResultsUntilClose: args.boolean("hidden") ?? false,
    allowLateJoiners: args.boolean("late-joiners") ?? false,
    createdBy: ctx.actor,
  });
  await opened(ctx, placement, poll.id);
});

export const pollCloseRoute = slash(tribeCommand, ["poll", "close"], { creator: true }, async (ctx) => {
  const poll = await ctx.services.app.findPollByRef(ctx.args.string("poll"));
  await ctx.defer();
  const { tally } = await ctx.services.app.closePoll(poll.id, { actor: ctx.actor });
  await ctx.reply({
    content: [
      ctx.t("discord.poll.closed", { question: poll.question }),
      ...outcomeLines(ctx.locale, summarizeTally(poll.options, tally)),
    ].join("\n"),
  });
});

export const pollResultsRoute = slash(tribeCommand, ["poll", "results"], { creator: true }, async (ctx) => {
  const poll = await ctx.services.app.findPollByRef(ctx.args.string("poll"));
  const view = await loadPollView(ctx.services.app, poll.id, { creator: true });
  await ctx.reply({ embeds: [pollEmbed(ctx.locale, view)] });
});

export const pollExportRoute = slash(tribeCommand, ["poll", "export"], { creator: true }, async (ctx) => {
  const poll = await ctx.services.app.findPollByRef(ctx.args.string("poll"));
  const csv = await ctx.services.app.exportBallotsCsv(poll.id);
  const rows = Math.max(0, csv.trimEnd().split("\n").length - 1);
  await ctx.reply({
    content: ctx.t("discord.poll.exported", { count: rows, question: poll.question }),
    files: [new AttachmentBuilder(Buffer.from(csv, "utf8"), { name: `poll-${shortId(poll.id)}.csv` })],
  });
});

export const pollCommitRoute = slash(tribeCommand, ["poll", "commit"], { creator: true }, async (ctx) => {
  const poll = await ctx.services.app.findPollByRef(ctx.args.string("poll"));
  const stage = ctx.args.string("stage") as "in_the_works" | "shipped";
  const { notified } = await ctx.services.app.setCommitment(poll.id, stage, { actor: ctx.actor });
  await ctx.reply({
    content: ctx.t("discord.poll.committed", { stage, count: notified }),
  });
});

// --- Voting -------------------------------------------------------------------------------------

async function vote(ctx: HandlerContext, poll: PollRow, choices: number[]): Promise<string> {
  const outcome = await ctx.services.app.castVote({ pollId: poll.id, who: ctx.who, choices, poll });
  if (outcome.status === "cleared") return ctx.t("discord.vote.cleared");
  return ctx.t(`discord.vote.${outcome.status}`, {
    choice: choicesLabel(poll, choices),
    weight: outcome.weight,
  });
}

/**
 * A click on a poll message. Nothing in the custom id or the menu values is trusted: the poll id
 * must be well formed and exist, the component must be the one the poll's mode shows, and every
 * option index must exist; castVote then checks who may vote. Answers are private.
 */
export const pollVoteRoute: ComponentRoute = {
  prefix: VOTE_PREFIX,
  creator: false,
  answer: "private",
  async run(i: MessageComponentInteraction, ctx, args) {
    if (args.length !== 2) throw new DomainError("ballot_unknown_option");
    const pollId = parsePollId(args[0]);
    const poll = await ctx.services.app.getPoll(pollId);
    const kind = args[1];
    if (poll.closedAt) throw new DomainError("vote_closed");
    if (poll.mode === "single" && i.isButton()) {
      await ctx.reply({ content: await vote(ctx, poll, [parseOption(poll, kind)]) });
    } else if (poll.mode === "approval" && kind === "a" && i.isStringSelectMenu()) {
      const choices = i.values.map((v) => parseOption(poll, v));
      await ctx.reply({ content: await vote(ctx, poll, choices) });
    } else if (poll.mode === "budget" && kind === "b" && i.isButton()) {
      // The fan's private ballot, from their stored points (the server knows how many they own).
      const ballot = await ctx.services.app.budgetBallot({ pollId: poll.id, who: ctx.who, poll });
      await ctx.reply(budgetStep(ctx.locale, poll, ballot));
    } else if (poll.mode === "budget" && i.isButton() && kind !== undefined) {
      // The ＋/− of budget poll messages posted before the private ballot (still in fans' channels):
      // "3": one point more on option 3; "m3": one less. The index is checked like any option.
      const less = kind.startsWith("m");
      const option = parseOption(poll, less ? kind.slice(1) : kind);
      const outcome = await ctx.services.app.castVote({
        pollId: poll.id,
        who: ctx.who,
        edit: { kind: "adjust", option, delta: less ? -1 : 1 },
        poll,
      });
      await ctx.reply({
        content: ctx.t("discord.vote.budget", {
          choice: allocationLabel(poll.options, outcome.choices),
          left: Math.max(0, outcome.weight - outcome.choices.length),
          weight: outcome.weight,
        }),
      });
    } else if (poll.mode === "ranked" && kind === "r" && i.isButton()) {
      await ctx.reply(rankingStep(ctx.locale, poll, []));
    } else {
      throw new DomainError("ballot_unknown_option");
    }
  },
};

/** The fan's private ranking steps (they update their own private message). */
export const pollRankRoute: ComponentRoute = {
  prefix: RANK_PREFIX,
  creator: false,
  async run(i, ctx, args) {
    if (args.length < 2 || args.length > 3 || (args.length === 3 && args[2] !== "ok"))
      throw new DomainError("ballot_unknown_option");
    const pollId = parsePollId(args[0]);
    const poll = await ctx.services.app.getPoll(pollId);
    if (poll.mode !== "ranked") throw new DomainError("poll_not_found");
    const ranking = parseRanking(poll, args[1]);
    if (args.length === 3 && i.isButton()) {
      await ctx.reply({ content: await vote(ctx, poll, ranking), components: [] });
      return;
    }
    if (!i.isStringSelectMenu() || i.values.length !== 1) throw new DomainError("ballot_unknown_option");
    const next = parseOption(poll, i.values[0]);
    if (ranking.includes(next)) throw new DomainError("ballot_duplicate_choice");
    await ctx.reply(rankingStep(ctx.locale, poll, [...ranking, next]));
  },
};

/**
 * The fan's private budget ballot (it updates their own private message). The draft in the id is
 * the fan's to forge: its shape is parsed here, and the draft a step leads to is checked by the
 * server against the poll and the member's points (budgetBallot) before it is shown; the cast is
 * checked again by castVote, under the member's lock. Nothing is stored before the cast.
 */
export const pollBudgetRoute: ComponentRoute = {
  prefix: BUDGET_PREFIX,
  creator: false,
  async run(i, ctx, args) {
    if (args.length !== 3 || !i.isButton()) throw new DomainError("ballot_unknown_option");
    const pollId = parsePollId(args[0]);
    const poll = await ctx.services.app.getPoll(pollId);
    if (poll.mode !== "budget") throw new DomainError("poll_not_found");
    if (poll.closedAt) throw new DomainError("vote_closed");
    const draft = parseDraft(poll, args[1]);
    const action = parseBudgetAction(poll, args[2]);
    if (action.kind !== "cast") {
      const draftNext = stepDraft(draft, action);
      const ballot = await ctx.services.app.budgetBallot({ pollId, who: ctx.who, poll, draft: draftNext });
      await ctx.reply(budgetStep(ctx.locale, poll, ballot));
      return;
    }
    // castVote checks the whole allocation against the member's points and the cap, like any ballot.
    const choices = allocationChoices(draft);
    const outcome = await ctx.services.app.castVote(
      choices.length
        ? { pollId, who: ctx.who, poll, choices }
        : { pollId, who: ctx.who, poll, edit: { kind: "clear" } },
    );
    await ctx.reply({ content: budgetCast(ctx.locale, poll, outcome), components: [] });
  },
};

// --- Ideas --------------------------------------------------------------------------------------

export const ideaProposeRoute = slash(ideaCommand, ["propose"], { creator: false }, async (ctx) => {
  const description = ctx.args.string("description");
  const idea = await ctx.services.app.proposeIdea(ctx.who, {
    title: ctx.args.string("title"),
    ...(description ? { description } : {}),
  });
  await ctx.reply({ content: ctx.t("discord.idea.proposed", { title: idea.title, id: shortId(idea.id) }) });
});

export const ideaUpvoteRoute = slash(ideaCommand, ["upvote"], { creator: false }, async (ctx) => {
  const id = await ctx.services.app.findIdeaIdByRef(ctx.args.string("idea"));
  const { votes } = await ctx.services.app.upvoteIdea(ctx.who, id);
  const idea = await ctx.services.app.getIdea(id);
  await ctx.reply({ content: ctx.t("discord.idea.upvoted", { title: idea.title, votes }) });
});

export const ideaUnvoteRoute = slash(ideaCommand, ["unvote"], { creator: false }, async (ctx) => {
  const id = await ctx.services.app.findIdeaIdByRef(ctx.args.string("idea"));
  const { votes } = await ctx.services.app.unvoteIdea(ctx.who, id);
  const idea = await ctx.services.app.getIdea(id);
  await ctx.reply({ content: ctx.t("roadmap.unvoted", { title: idea.title, votes }) });
});

export const ideaCreditRoute = slash(ideaCommand, ["credit"], { creator: false }, async (ctx) => {
  const { name } = await ctx.services.app.setCreditName(ctx.who, ctx.args.string("name"));
  await ctx.reply({
    content: name ? ctx.t("roadmap.credit_set", { name }) : ctx.t("roadmap.credit_cleared"),
  });
});

export const ideaTopRoute = slash(ideaCommand, ["top"], { creator: false }, async (ctx) => {
  const ideas = await ctx.services.app.topIdeas(10);
  if (ideas.length === 0) {
    await ctx.reply({ content: ctx.t("discord.idea.top_empty") });
    return;
  }
  const lines = ideas.map(
    (idea, n) =>
      `**${n + 1}.** ${idea.title} — ${ctx.t("discord.idea.votes", { votes: idea.votes })} · \`${shortId(idea.id)}\``,
  );
  await ctx.reply({ content: [`**${ctx.t("discord.idea.top_title")}**`, ...lines].join("\n") });
});

export const ideaMineRoute = slash(ideaCommand, ["mine"], { creator: false }, async (ctx) => {
  const { proposed, backed } = await ctx.services.app.myIdeas(ctx.who);
  if (proposed.length === 0 && backed.length === 0) {
    await ctx.reply({ content: ctx.t("roadmap.mine.none") });
    return;
  }
  const line = (i: MyIdea) =>
    ctx.t("roadmap.mine.line", {
      title: i.title,
      status: i.status,
      votes: i.votes,
      id: `\`${shortId(i.id)}\``,
      reason: i.declineReason,
      into: i.mergedIntoTitle,
    });
  const parts = [
    ...(proposed.length ? [`**${ctx.t("roadmap.mine.proposed")}**`, ...proposed.map(line)] : []),
    ...(backed.length ? [`**${ctx.t("roadmap.mine.backed")}**`, ...backed.map(line)] : []),
  ];
  await ctx.reply({
    content: fitLines(parts, 2000, (count) => ctx.t("roadmap.mine.more", { count })),
  });
});

export const ideaEditRoute = slash(tribeCommand, ["idea", "edit"], { creator: true }, async (ctx) => {
  const id = await ctx.services.app.findIdeaIdByRef(ctx.args.string("idea"));
  const title = ctx.args.string("title");
  const description = ctx.args.string("description");
  const idea = await ctx.services.app.editIdea(
    id,
    { ...(title != null ? { title } : {}), ...(description != null ? { description } : {}) },
    ctx.actor,
  );
  await ctx.reply({ content: ctx.t("roadmap.edited", { title: idea.title }) });
});

export const ideaDecideRoute = slash(tribeCommand, ["idea", "decide"], { creator: true }, async (ctx) => {
  const id = await ctx.services.app.findIdeaIdByRef(ctx.args.string("idea"));
  const into = ctx.args.string("into");
  const decision = ctx.args.string("decision") as IdeaDecision;
  const mergedInto = into ? await ctx.services.app.findIdeaIdByRef(into) : undefined;
  const reason = ctx.args.string("reason");
  const idea = await ctx.services.app.decideIdea(id, decision, {
    actor: ctx.actor,
    ...(mergedInto ? { mergedInto } : {}),
    ...(reason ? { reason } : {}),
  });
  await ctx.reply({
    content: ctx.t("discord.idea.decided", { title: idea.title, decision }),
  });
});

export const ideaPollRoute = slash(tribeCommand, ["idea", "poll"], { creator: true }, async (ctx) => {
  const { args } = ctx;
  const refs = args
    .string("ideas")
    .split(/[\s,;|]+/)
    .filter(Boolean);
  const ids: string[] = [];
  for (const ref of refs) ids.push(await ctx.services.app.findIdeaIdByRef(ref));
  const duration = inputValue(parseDuration(args.string("duration")));
  const opensAt = ctx.services.clock.now();
  const closesAt = new Date(opensAt.getTime() + duration);
  const placement = await discordPlacement(ctx, args.channelId("channel"));
  const question = args.string("question");
  await ctx.defer();
  const poll = await ctx.services.app.pollFromIdeas(ids, {
    opensAt,
    closesAt,
    mode: (args.string("mode") ?? "single") as PollMode,
    eligibility: { kind: "all" },
    createdBy: ctx.actor,
    ...(question ? { question } : {}),
  });
  await opened(ctx, placement, poll.id);
});
