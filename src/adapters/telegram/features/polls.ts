import { Composer, InputFile } from "grammy";
import type { IdeaDecision, MyIdea } from "../../../app/ideas.ts";
import { inputValue, type PlacementLine, placementLines } from "../../../app/polls.ts";
import type { Identity } from "../../../core/access.ts";
import { fitLines } from "../../../core/fitLines.ts";
import { parseDuration, parseOptionList } from "../../../core/pollInput.ts";
import type { BallotEdit, PollMode, Tally } from "../../../core/polls.ts";
import { DomainError } from "../../../errors.ts";
import { type Locale, postProblemText, refusalText, t, translator } from "../../../i18n/index.ts";
import type { TgContext } from "../context.ts";
import type { TelegramDeps } from "../deps.ts";
import { ANYONE, choiceText, finalText, formatDate, liveText, shortId } from "../pollView.ts";
import { argsOf, creatorOnly, replyUsage } from "./creatorGuard.ts";

/**
 * Co-decision on Telegram. Creators (private chat): /poll opens a poll and posts it, with one button
 * per option, in every chat bound to a tier (or to the poll's tiers); /closepoll, /results,
 * /exportpoll (CSV document), /commit, /decide. Members: a button press is a ballot (single: the
 * option; approval: toggles it; ranked: adds it as the next rank, "clear" starts over), answered
 * privately in their language; /idea proposes, /ideas lists the top ideas with an upvote button.
 *
 * Buttons are signed (callbackData.ts) for "anyone": altered data is refused and nothing is counted.
 */
export function pollFeature(deps: TelegramDeps): Composer<TgContext> {
  const { services, signer, log } = deps;
  const composer = new Composer<TgContext>();
  const cmd = composer.chatType("private");
  const only = creatorOnly(deps);

  /** Posts a new poll on both platforms; the creator's answer says where it went. */
  async function publishAndReport(row: { id: string; closesAt: Date }, locale: Locale): Promise<string> {
    const reports = await services.app.publishPoll(row.id, {});
    return [
      t(locale, "telegram.poll.opened", { id: shortId(row.id), closes: formatDate(locale, row.closesAt) }),
      ...placementLines(reports).map((line) => placementText(locale, line)),
    ].join("\n");
  }

  cmd.command("poll", only, async (ctx) => {
    const bar = ctx.match.indexOf("|");
    if (bar < 0) return replyUsage(ctx, "poll");
    const [duration, mode, ...rest] = ctx.match.slice(0, bar).trim().split(/\s+/);
    if (!mode) return replyUsage(ctx, "poll");
    const ms = inputValue(parseDuration(duration));
    const opensAt = services.clock.now();
    const flags = await parsePollFlags(deps, rest);
    if (flags.question.length === 0) return replyUsage(ctx, "poll");
    const row = await services.app.openPoll({
      question: flags.question,
      options: inputValue(parseOptionList(ctx.match.slice(bar + 1))),
      opensAt,
      closesAt: new Date(opensAt.getTime() + ms),
      mode: mode.toLowerCase() as PollMode,
      eligibility: flags.tierIds.length ? { kind: "tiers", tierIds: flags.tierIds } : { kind: "all" },
      weights: flags.weights,
      budget: await services.app.resolveBudget(flags.budget, flags.cap),
      hideResultsUntilClose: flags.hidden,
      allowLateJoiners: flags.late,
      createdBy: `telegram:${ctx.from.id}`,
    });
    return ctx.reply(await publishAndReport(row, ctx.locale));
  });

  cmd.command("ideapoll", only, async (ctx) => {
    const [head = "", ...question] = ctx.match.split("|").map((s) => s.trim());
    const [duration, mode, ...prefixes] = head.split(/\s+/).filter(Boolean);
    if (!mode || prefixes.length === 0) return replyUsage(ctx, "ideapoll");
    const ms = inputValue(parseDuration(duration));
    const opensAt = services.clock.now();
    const ids: string[] = [];
    for (const prefix of prefixes) ids.push(await services.app.findIdeaIdByRef(prefix));
    const row = await services.app.pollFromIdeas(ids, {
      opensAt,
      closesAt: new Date(opensAt.getTime() + ms),
      mode: mode.toLowerCase() as PollMode,
      eligibility: { kind: "all" },
      createdBy: `telegram:${ctx.from.id}`,
      ...(question.join(" | ") ? { question: question.join(" | ") } : {}),
    });
    return ctx.reply(await publishAndReport(row, ctx.locale));
  });

  cmd.command("closepoll", only, async (ctx) => {
    const [prefix] = argsOf(ctx);
    if (!prefix) return replyUsage(ctx, "closepoll");
    const { id } = await services.app.findPollByRef(prefix);
    const { poll, tally } = await services.app.closePoll(id, { actor: `telegram:${ctx.from.id}` });
    return ctx.reply(
      ctx.t("telegram.poll.closed_reply", {
        id: shortId(poll.id),
        results: finalText(ctx.locale, poll, tally),
      }),
    );
  });

  cmd.command("results", only, async (ctx) => {
    const [prefix] = argsOf(ctx);
    if (!prefix) return replyUsage(ctx, "results");
    const view = await services.app.pollResults((await services.app.findPollByRef(prefix)).id, {
      creator: true,
    });
    return ctx.reply(
      view.poll.closedAt && view.tally
        ? finalText(ctx.locale, view.poll, view.tally)
        : liveText(ctx.locale, view.poll, { ...view, hidden: false }),
    );
  });

  cmd.command("exportpoll", only, async (ctx) => {
    const [prefix] = argsOf(ctx);
    if (!prefix) return replyUsage(ctx, "exportpoll");
    const row = await services.app.findPollByRef(prefix);
    const id = row.id;
    const csv = await services.app.exportBallotsCsv(id);
    return ctx.replyWithDocument(new InputFile(Buffer.from(csv, "utf8"), `poll-${shortId(id)}.csv`), {
      caption: ctx.t("telegram.poll.export_caption", { question: row.question }).slice(0, 1000),
    });
  });

  cmd.command("commit", only, async (ctx) => {
    const [prefix, stage] = argsOf(ctx);
    if (!prefix || (stage !== "in_the_works" && stage !== "shipped")) return replyUsage(ctx, "commit");
    const { id } = await services.app.findPollByRef(prefix);
    const { notified } = await services.app.setCommitment(id, stage, { actor: `telegram:${ctx.from.id}` });
    const row = await services.app.getPoll(id);
    const winner = (row.result as unknown as Tally).winners[0];
    return ctx.reply(
      ctx.t("telegram.poll.committed", {
        option: winner === undefined ? "" : (row.options[winner] ?? ""),
        stage,
        notified,
      }),
    );
  });

  cmd.command("decide", only, async (ctx) => {
    const [prefix, word, ...rest] = argsOf(ctx);
    // "accepted": the word before the lifecycle named it "shortlisted".
    const decision: IdeaDecision | undefined =
      word === "shortlisted" || word === "accepted"
        ? "shortlisted"
        : word === "merged" || word === "declined"
          ? word
          : undefined;
    if (!prefix || !decision) return replyUsage(ctx, "decide");
    const id = await services.app.findIdeaIdByRef(prefix);
    const into = rest[0];
    const mergedInto = decision === "merged" && into ? await services.app.findIdeaIdByRef(into) : undefined;
    // The reason: every word after the decision.
    const reason = decision === "declined" ? ctx.match.trim().split(/\s+/).slice(2).join(" ") : "";
    const idea = await services.app.decideIdea(id, decision, {
      actor: `telegram:${ctx.from.id}`,
      ...(mergedInto ? { mergedInto } : {}),
      ...(reason ? { reason } : {}),
    });
    return ctx.reply(ctx.t("telegram.idea.decided", { title: idea.title, decision }));
  });

  cmd.command("editidea", only, async (ctx) => {
    const match = /^\s*(\S+)\s*([^|]*)(?:\|([\s\S]*))?$/.exec(ctx.match);
    const prefix = match?.[1];
    const title = match?.[2]?.trim() || undefined;
    const description = match?.[3]?.trim();
    if (!prefix || (title === undefined && description === undefined)) return replyUsage(ctx, "editidea");
    const id = await services.app.findIdeaIdByRef(prefix);
    const idea = await services.app.editIdea(
      id,
      { ...(title !== undefined ? { title } : {}), ...(description !== undefined ? { description } : {}) },
      `telegram:${ctx.from.id}`,
    );
    return ctx.reply(ctx.t("roadmap.edited", { title: idea.title }));
  });

  // Fans, in private or in a member chat.
  composer.command("myideas", async (ctx) => {
    if (!ctx.from) return;
    const { proposed, backed } = await services.app.myIdeas(voter(ctx.from.id));
    if (proposed.length === 0 && backed.length === 0) return ctx.reply(ctx.t("roadmap.mine.none"));
    const line = (i: MyIdea) =>
      ctx.t("roadmap.mine.line", {
        title: i.title,
        status: i.status,
        votes: i.votes,
        id: shortId(i.id),
        reason: i.declineReason,
        into: i.mergedIntoTitle,
      });
    return ctx.reply(
      fitLines(
        [
          ...(proposed.length ? [ctx.t("roadmap.mine.proposed"), ...proposed.map(line)] : []),
          ...(proposed.length && backed.length ? [""] : []),
          ...(backed.length ? [ctx.t("roadmap.mine.backed"), ...backed.map(line)] : []),
        ],
        4096,
        (count) => ctx.t("roadmap.mine.more", { count }),
      ),
    );
  });

  // Fans, in private or in a member chat.
  composer.command("idea", async (ctx) => {
    if (!ctx.from) return;
    const [title = "", ...rest] = ctx.match.split("|").map((s) => s.trim());
    if (!title) return replyUsage(ctx, "idea");
    const idea = await services.app.proposeIdea(voter(ctx.from.id), { title, description: rest.join(" | ") });
    return ctx.reply(ctx.t("telegram.idea.proposed", { id: shortId(idea.id), title: idea.title }));
  });

  composer.command("credit", async (ctx) => {
    if (!ctx.from) return;
    if (!ctx.match.trim()) return replyUsage(ctx, "credit");
    const { name } = await services.app.setCreditName(voter(ctx.from.id), ctx.match);
    return ctx.reply(name ? ctx.t("roadmap.credit_set", { name }) : ctx.t("roadmap.credit_cleared"));
  });

  composer.command("ideas", async (ctx) => {
    const ideas = await services.app.topIdeas(10);
    if (ideas.length === 0) return ctx.reply(ctx.t("telegram.ideas.none"));
    const text = [
      ctx.t("telegram.ideas.header"),
      ...ideas.map((i, n) =>
        ctx.t("telegram.ideas.line", {
          rank: n + 1,
          title: i.title,
          votes: i.votes,
          id: shortId(i.id),
          description: i.description,
        }),
      ),
    ].join("\n");
    return ctx.reply(text, {
      reply_markup: {
        // Upvote, or take an upvote back (iv), one row per idea.
        inline_keyboard: ideas.map((i) => [
          {
            text: ctx.t("telegram.ideas.button", { title: i.title }),
            callback_data: signer.sign(ANYONE, `iu:${i.id}`),
          },
          { text: ctx.t("roadmap.unvote_button"), callback_data: signer.sign(ANYONE, `iv:${i.id}`) },
        ]),
      },
    });
  });

  // Button presses: ballots (pv), ranked "clear" (pc), idea upvotes (iu) and take-backs (iv). Registered before the
  // fan feature's catch-all, which refuses any other data.
  composer.callbackQuery(/^(pv|pm|pc|iu|iv):/, async (ctx) => {
    const payload = signer.verify(ANYONE, ctx.callbackQuery.data);
    const [kind, id, index] = payload?.split(":") ?? [];
    if (!payload || !id) {
      log.warn(
        { event: "telegram.callback_rejected", userId: ctx.from.id },
        "poll or idea button data that this bot did not sign",
      );
      return ctx.answerCallbackQuery({ text: ctx.t("telegram.vote.invalid"), show_alert: true });
    }
    const who = voter(ctx.from.id);
    try {
      if (kind === "iu") {
        const { votes } = await services.app.upvoteIdea(who, id);
        return await ctx.answerCallbackQuery({ text: ctx.t("telegram.idea.upvoted", { votes }) });
      }
      if (kind === "iv") {
        const { votes } = await services.app.unvoteIdea(who, id);
        const idea = await services.app.getIdea(id);
        return await ctx.answerCallbackQuery({
          text: ctx.t("roadmap.unvoted", { title: idea.title, votes }).slice(0, 200),
        });
      }
      const row = await services.app.getPoll(id);
      // A press edits the member's stored ballot: single sets it, approval toggles the option,
      // ranked appends it as the next rank; "clear" empties it (stored, so it survives a restart).
      const option = Number(index);
      // Budget: ＋ (pv) one point more on the option, − (pm) one less; pm on another mode is refused.
      const edit: BallotEdit =
        kind === "pc"
          ? { kind: "clear" }
          : row.mode === "budget" || kind === "pm"
            ? { kind: "adjust", option, delta: kind === "pm" ? -1 : 1 }
            : row.mode === "approval"
              ? { kind: "toggle", option }
              : row.mode === "ranked"
                ? { kind: "append", option }
                : { kind: "set", choices: [option] };
      const outcome = await services.app.castVote({ pollId: id, who, edit, poll: row });
      if (row.mode === "budget")
        return await ctx.answerCallbackQuery({
          text: ctx
            .t("telegram.vote.budget", {
              choice: choiceText(row, outcome.choices),
              left: Math.max(0, outcome.weight - outcome.choices.length),
              weight: outcome.weight,
            })
            .slice(0, 200),
        });
      if (kind === "pc" || outcome.status === "cleared")
        return await ctx.answerCallbackQuery({ text: ctx.t("telegram.vote.cleared") });
      return await ctx.answerCallbackQuery({
        text: ctx
          .t(`telegram.vote.${outcome.status}`, {
            choice: choiceText(row, outcome.choices),
            weight: outcome.weight,
          })
          .slice(0, 200),
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.info(
        { event: "telegram.vote_refused", code: err.code, userId: ctx.from.id },
        `refused: ${err.code}`,
      );
      return ctx.answerCallbackQuery({ text: refusal(ctx.locale, err), show_alert: true });
    }
  });

  return composer;
}

/**
 * The options between the mode and the question of /poll, in any order: `tier=gold,silver` (who
 * may vote), `weight=gold:2,silver:1` (tier weights, 1 to 10), `budget=gold:10,silver:5` or `budget=5`
 * (a budget poll's points), `cap=3` (its most points per option), `hidden` (results at the closing),
 * `late` (members who join after opening may vote). The first other word starts the question.
 */
export async function parsePollFlags(
  deps: TelegramDeps,
  words: readonly string[],
): Promise<{
  tierIds: string[];
  weights: Record<string, number>;
  budget: string | null;
  cap: number | null;
  hidden: boolean;
  late: boolean;
  question: string;
}> {
  const { services } = deps;
  const out = {
    tierIds: [] as string[],
    weights: {} as Record<string, number>,
    budget: null as string | null,
    cap: null as number | null,
    hidden: false,
    late: false,
  };
  let i = 0;
  for (; i < words.length; i++) {
    const word = words[i]!;
    const m = /^(tiers?|paliers?|weights?|poids)=(.+)$/i.exec(word);
    const b = /^(budget|points)=(.+)$/i.exec(word);
    const cap = /^(cap|plafond)=(.+)$/i.exec(word);
    if (b) out.budget = [out.budget, b[2]!].filter(Boolean).join(",");
    else if (cap) {
      const n = Number(cap[2]);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new DomainError("poll_budget_cap_invalid");
      out.cap = n;
    } else if (m) {
      const isTier = /^(tiers?|paliers?)$/i.test(m[1]!);
      if (isTier) {
        for (const part of m[2]!.split(",").filter(Boolean))
          out.tierIds.push((await services.app.findTier(part)).id);
      } else {
        Object.assign(out.weights, await services.app.resolveTierWeights(m[2]!));
      }
    } else if (/^(hidden|cach[ée]|masqu[ée])$/i.test(word)) out.hidden = true;
    else if (/^(late|tardifs?)$/i.test(word)) out.late = true;
    else break;
  }
  return { ...out, tierIds: [...new Set(out.tierIds)], question: words.slice(i).join(" ") };
}

/** A line of the creator's reply: where the poll went on each platform (or why not). */
function placementText(locale: Locale, line: PlacementLine): string {
  const { platform } = line;
  switch (line.kind) {
    case "posted":
      return t(locale, "telegram.poll.posted", { platform, count: line.places.length });
    case "unposted":
      return t(
        locale,
        line.platform === "discord" ? "telegram.poll.unposted_discord" : "telegram.poll.unposted_telegram",
      );
    case "failed":
      return t(locale, "telegram.poll.post_failed", {
        platform,
        chat: line.chatId,
        reason: postProblemText(translator(locale), line),
      });
  }
}

function voter(userId: number): Identity {
  return { platform: "telegram", userId: String(userId) };
}

function refusal(locale: Locale, err: DomainError): string {
  return refusalText(locale, err, "telegram").slice(0, 200);
}
