import type { Message, User } from "@grammyjs/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkCode, redeemLinkCode } from "../../../src/app/members/linking.ts";
import { castVote, pollResults } from "../../../src/app/polls.ts";
import { createTier } from "../../../src/app/tiers.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { until } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  buttons,
  CREATOR,
  command,
  fanJoins,
  goldTierInChat,
  nextBotMessage,
  startTelegramHarness,
  tg,
} from "./helpers.ts";

/**
 * Co-decision on Telegram: the creator opens a poll from a private chat, it is posted in the
 * member chats with one button per option, members vote by pressing, the message follows the tally
 * (coalesced edits) and shows the final results when the poll closes.
 */
describe("Telegram polls and ideas (PGlite)", () => {
  let h: TelegramHarness;
  const lounge = supergroup({ title: "Gold Lounge" });
  const anna = user({ first_name: "Anna", language_code: "fr" });
  const ben = user({ first_name: "Ben", language_code: "en" });
  let pollId = "";
  let pollMessage: Message;

  beforeAll(async () => {
    h = await startTelegramHarness("pglite");
    await goldTierInChat(h, lounge);
    await fanJoins(h, anna, "gold", lounge);
    await fanJoins(h, ben, "gold", lounge);
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** A button press; resolves with the bot's private answer to it. */
  async function press(from: User, message: Message, data: string) {
    const update = tg(h).pushCallbackQuery({ from, data, message });
    const id = update.callback_query!.id;
    return until(() => tg(h).callbackAnswers.get(id), `the answer to ${from.first_name}'s press`);
  }
  const dataOf = (m: Message, label: string) =>
    (buttons(m).find((b) => b.text === label) as { callback_data: string }).callback_data;
  const current = () =>
    tg(h)
      .messages(lounge.id)
      .find((m) => m.message_id === pollMessage.message_id)!;

  it("the creator opens a poll: it is posted in the bound chat with one button per option", async () => {
    expect((await command(h, CREATOR, "poll", "soon single Next?")).text).toMatch(/^Usage: \/poll/);
    const fan = await command(h, ben, "poll", "2h single Next? | A | B");
    expect(fan.text).toContain("for the creator");

    const seen = botMessages(h, lounge.id).length;
    const reply = await command(h, CREATOR, "poll", "2h single Next video? | Tutorial | Vlog | Live");
    expect(reply.text).toContain("Telegram: posted in 1 place.");
    pollMessage = botMessages(h, lounge.id)[seen]!;
    expect(pollMessage.text).toContain("📊 Next video?");
    expect(pollMessage.text).toContain("Tap one option to vote");
    expect(buttons(pollMessage).map((b) => b.text)).toEqual(["Tutorial", "Vlog", "Live"]);
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Next video?" } });
    pollId = row.id;
    expect(row.createdBy).toBe(`telegram:${CREATOR.id}`);
    expect(await h.deps.db.pollPost.count({ where: { pollId, platform: "telegram" } })).toBe(1);
  });

  it("members vote by button: private confirmations in their language, the message follows the tally with coalesced edits", async () => {
    const editsBefore = tg(h).callsOf("editMessageText").length;
    const answers = await Promise.all([
      press(anna, pollMessage, dataOf(pollMessage, "Tutorial")),
      press(ben, pollMessage, dataOf(pollMessage, "Vlog")),
    ]);
    expect(answers[0]).toMatchObject({ text: "Vote compté : Tutorial (poids 1)." });
    expect(answers[0]?.show_alert).toBeFalsy();
    expect(answers[1]).toMatchObject({ text: "Vote counted: Vlog (weight 1)." });
    expect(await press(anna, pollMessage, dataOf(pollMessage, "Vlog"))).toMatchObject({
      text: "Vote modifié : Vlog (poids 1).",
    });
    expect(await press(ben, pollMessage, dataOf(pollMessage, "Vlog"))).toMatchObject({
      text: "Your vote is unchanged: Vlog.",
    });
    // The trailing edit shows the last ballot; four presses made fewer edits than presses.
    await until(
      () => current().text?.includes("• Vlog: 2") && current().text,
      "the tally in the chat",
      6_000,
    );
    expect(current().text).toContain("• Tutorial: 0");
    expect(current().text).toContain("2 voters · closes on ");
    expect(buttons(current())).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 2_300));
    const edits = tg(h).callsOf("editMessageText").length - editsBefore;
    expect(edits).toBeGreaterThanOrEqual(1);
    expect(edits).toBeLessThan(4);
    expect(
      tg(h)
        .callsOf("editMessageText")
        .filter((c) => c.status !== 200),
    ).toEqual([]);
  });

  it("refuses a non-member's press and tampered button data, counting nothing", async () => {
    const stranger = user({ first_name: "Stranger" });
    tg(h).addUser(stranger);
    const before = await h.deps.db.pollBallot.count();
    expect(await press(stranger, pollMessage, dataOf(pollMessage, "Live"))).toMatchObject({
      show_alert: true,
      text: "Only members can vote. Join to have your say in what comes next.",
    });
    // Same signature, other option; and a payload that was never signed.
    const genuine = dataOf(pollMessage, "Tutorial");
    const tampered = genuine.replace(`${pollId}:0~`, `${pollId}:2~`);
    expect(tampered).not.toBe(genuine);
    expect(await press(ben, pollMessage, tampered)).toMatchObject({
      show_alert: true,
      text: "This button is not valid: nothing was counted.",
    });
    expect(await press(anna, pollMessage, `pv:${pollId}:2~AAAAAAAAAAAAAAAA`)).toMatchObject({
      show_alert: true,
      text: "Ce bouton n'est pas valide : rien n'a été compté.",
    });
    expect(await h.deps.db.pollBallot.count()).toBe(before);
    expect(h.logs.events("telegram.callback_rejected").length).toBeGreaterThanOrEqual(2);
  });

  it("a member linked on Discord and Telegram counts once, whichever platform voted last", async () => {
    const { code } = await createLinkCode(h.deps, { platform: "telegram", userId: String(anna.id) });
    const discordAnna = { platform: "discord" as const, userId: "900000000000000001" };
    await redeemLinkCode(h.deps, discordAnna, code);
    expect(await castVote(h.deps, { pollId, who: discordAnna, choices: [2] })).toMatchObject({
      status: "changed",
    });
    expect(await press(anna, pollMessage, dataOf(pollMessage, "Tutorial"))).toMatchObject({
      text: "Vote modifié : Tutorial (poids 1).",
    });
    const { tally, voters } = await pollResults(h.deps, pollId);
    expect(voters).toBe(2);
    expect(tally).toMatchObject({ counts: [1, 1, 0], totalVoters: 2 });
    await until(
      () => current().text?.includes("• Tutorial: 1"),
      "the chat to show Anna's Telegram vote",
      6_000,
    );
  });

  it("the creator reads the results and exports the ballots as a CSV document", async () => {
    const results = await command(h, CREATOR, "results", pollId.slice(0, 6));
    expect(results.text).toContain("• Tutorial: 1");
    const doc = await command(h, CREATOR, "exportpoll", pollId.slice(0, 8));
    expect(doc.document?.file_name).toBe(`poll-${pollId.slice(0, 8)}.csv`);
    const file = tg(h).documents.at(-1)!;
    expect(file.chatId).toBe(CREATOR.id);
    expect(file.content.split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(5); // header + 4 ballots
    expect(file.content).toContain("telegram");
    expect(file.content).toContain("discord");
    expect((await command(h, CREATOR, "closepoll", "zzzz")).text).toBe("This poll does not exist any more.");
  });

  it("closing early edits the message to the final results (a tie, as a tie) and removes the buttons", async () => {
    const stale = pollMessage;
    const reply = await command(h, CREATOR, "closepoll", pollId.slice(0, 8));
    expect(reply.text).toContain("closed");
    expect(reply.text).toContain("Tie between Tutorial and Vlog");
    await until(() => current().text?.includes("Closed. Final results:"), "the final results in the chat");
    expect(current().text).toContain("Tie between Tutorial and Vlog");
    expect(current().reply_markup).toBeUndefined();
    // A press on a stale copy of the message is refused.
    expect(await press(ben, stale, dataOf(stale, "Live"))).toMatchObject({
      show_alert: true,
      text: expect.stringMatching(/closed/i),
    });
    expect((await command(h, CREATOR, "commit", `${pollId.slice(0, 8)} shipped`)).text).toBe(
      "The poll ended in a tie: there is no single winner to announce.",
    );
  });

  it("ranked polls: presses add ranks, clear starts over; the final message summarises the rounds", async () => {
    const seen = botMessages(h, lounge.id).length;
    await command(h, CREATOR, "poll", "1h ranked Which city? | Paris | Lyon | Nice");
    const m = botMessages(h, lounge.id)[seen]!;
    expect(m.text).toContain("Rank the options");
    expect(buttons(m).map((b) => b.text)).toEqual(["Paris", "Lyon", "Nice", "Clear my ranking"]);
    expect((await press(ben, m, dataOf(m, "Nice"))).text).toBe("Vote counted: 1. Nice (weight 1).");
    expect((await press(ben, m, dataOf(m, "Lyon"))).text).toBe("Vote changed: 1. Nice, 2. Lyon (weight 1).");
    expect((await press(ben, m, dataOf(m, "Clear my ranking"))).text).toBe(
      "Ranking cleared: it counts for nothing until you tap your 1st choice.",
    );
    // The cleared ranking counted for nothing: the next press is a new vote, not a change.
    expect((await press(ben, m, dataOf(m, "Lyon"))).text).toBe("Vote counted: 1. Lyon (weight 1).");
    expect((await press(anna, m, dataOf(m, "Paris"))).text).toBe("Vote compté : 1. Paris (poids 1).");
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which city?" } });
    await command(h, CREATOR, "closepoll", row.id.slice(0, 8));
    const final = () =>
      tg(h)
        .messages(lounge.id)
        .find((x) => x.message_id === m.message_id)!;
    await until(() => final().text?.includes("Closed."), "the ranked results");
    // Paris 1, Lyon 1, Nice 0: Nice is out, then Paris and Lyon tie. Two rounds: both shown.
    expect(final().text).toContain("First choices:\n• Paris: 1 (50%)\n• Lyon: 1 (50%)\n• Nice: 0 (0%)");
    expect(final().text).toContain("Round 1: Paris 1 · Lyon 1 · Nice 0 → out: Nice");
    expect(final().text).toContain("Round 2: Paris 1 · Lyon 1");
    expect(final().reply_markup).toBeUndefined();
  });

  it("/poll options: only chosen tiers vote, tier weights, hidden results, late joiners; bad options refused", async () => {
    await createTier(h.deps, {
      name: "Silver",
      slug: "silver",
      amount: 500,
      currency: "eur",
      interval: "month",
    });
    const silverChat = supergroup({ title: "Silver Lounge" });
    await bindNewChat(h, "silver", silverChat);
    const carl = user({ first_name: "Carl", language_code: "en" });
    await fanJoins(h, carl, "silver", silverChat);
    const polls = () => h.deps.db.poll.count();
    const before = await polls();
    for (const [args, text] of [
      ["2h single weight=gold:x Q? | A | B", "In weight=, “gold:x” is not tier:number"],
      ["2x single Q? | A | B", "“2x” is not a duration."],
      ["2h single Q? | | ", "No option after the question"],
      ["2h single weight=gold:11 Q? | A | B", "The weight of tier gold must be a whole number from 1 to 10."],
      ["2h single tier=platinum Q? | A | B", "There is no tier “platinum”"],
      ["2h single Q? | A", "A poll needs at least 2 options."],
      [`2h single Q? | ${Array.from({ length: 11 }, (_, i) => `O${i}`).join(" | ")}`, "at most 10 options"],
      ["2h single tier=gold hidden", "Usage: /poll"],
    ] as const) {
      expect((await command(h, CREATOR, "poll", args)).text, args).toContain(text);
    }
    expect(await polls()).toBe(before);

    const seen = botMessages(h, lounge.id).length;
    const silverSeen = botMessages(h, silverChat.id).length;
    const reply = await command(
      h,
      CREATOR,
      "poll",
      "2h single tier=gold weight=gold:3 hidden late Gold only? | Yes | No",
    );
    expect(reply.text).toContain("Telegram: posted in 1 place.");
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Gold only?" } });
    const gold = await h.deps.db.tier.findFirstOrThrow({ where: { slug: "gold" } });
    expect(row).toMatchObject({
      tierIds: [gold.id],
      weights: { [gold.id]: 3 },
      hideResults: true,
      allowLateJoiners: true,
    });
    // Posted in the gold chat only: silver members do not vote on it.
    expect(botMessages(h, silverChat.id)).toHaveLength(silverSeen);
    const m = botMessages(h, lounge.id)[seen]!;
    expect(m.text).toContain("Results are shown when the poll closes.");
    expect(await press(ben, m, dataOf(m, "Yes"))).toMatchObject({ text: "Vote counted: Yes (weight 3)." });
    expect(await press(carl, m, dataOf(m, "No"))).toMatchObject({
      show_alert: true,
      text: "This poll is for other tiers than yours.",
    });
    // A gold member who joins after the poll opened may vote: the creator allowed late joiners.
    const dora = user({ first_name: "Dora", language_code: "en" });
    await fanJoins(h, dora, "gold", lounge);
    expect(await press(dora, m, dataOf(m, "Yes"))).toMatchObject({ text: "Vote counted: Yes (weight 3)." });
    await new Promise((r) => setTimeout(r, 2_300));
    const shown = tg(h)
      .messages(lounge.id)
      .find((x) => x.message_id === m.message_id)!;
    expect(shown.text).not.toContain("• Yes");
    // The creator sees the hidden tally.
    expect((await command(h, CREATOR, "results", row.id.slice(0, 8))).text).toContain("• Yes: 6");
  });

  it("ideas: members propose and upvote by button, the creator decides", async () => {
    expect((await command(h, anna, "idea", "A cooking video | With the whole tribe")).text).toContain(
      "« A cooking video »",
    );
    const stranger = user({ first_name: "Outsider" });
    tg(h).addUser(stranger);
    await command(h, stranger, "start");
    expect((await command(h, stranger, "idea", "Free stuff")).text).toBe(
      "Only members with an active membership can propose or upvote ideas.",
    );
    const list = await command(h, ben, "ideas");
    expect(list.text).toContain("1. A cooking video (0)");
    const up = buttons(list)[0] as { callback_data: string };
    expect(await press(ben, list, up.callback_data)).toMatchObject({ text: "Upvoted: 1 upvote." });
    expect(await press(ben, list, up.callback_data)).toMatchObject({
      show_alert: true,
      text: "You already upvoted this idea.",
    });
    const idea = await h.deps.db.idea.findFirstOrThrow({ where: { title: "A cooking video" } });
    expect((await command(h, CREATOR, "decide", `${idea.id.slice(0, 8)} accepted`)).text).toContain(
      "is now shortlisted",
    );
    expect((await h.deps.db.idea.findUniqueOrThrow({ where: { id: idea.id } })).status).toBe("shortlisted");

    // A shortlist becomes a poll in one command, posted in the member chats.
    await command(h, ben, "idea", "A live Q&A");
    const qa = await h.deps.db.idea.findFirstOrThrow({ where: { title: "A live Q&A" } });
    expect((await command(h, CREATOR, "ideapoll", "1d single")).text).toMatch(/^Usage: \/ideapoll/);
    expect((await command(h, CREATOR, "ideapoll", "1d single zzzz")).text).toContain("idea");
    const seen = botMessages(h, lounge.id).length;
    const opened = await command(
      h,
      CREATOR,
      "ideapoll",
      `1d single ${idea.id.slice(0, 8)} ${qa.id.slice(0, 8)} | Which one first?`,
    );
    expect(opened.text).toContain("Telegram: posted in 2 places."); // the gold and silver chats
    const posted = botMessages(h, lounge.id)[seen]!;
    expect(posted.text).toContain("Which one first?");
    expect(buttons(posted).map((b) => b.text)).toEqual(["A cooking video", "A live Q&A"]);
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which one first?" } });
    expect(poll.ideaIds).toEqual([idea.id, qa.id]);
  });
  it("durations: 3j (jours) is 3 days; a ranked poll won in its first round shows no rounds, like on Discord", async () => {
    const seen = botMessages(h, lounge.id).length;
    const reply = await command(h, CREATOR, "poll", "3j ranked Trois jours ? | Oui | Non | Peut-être");
    expect(reply.text).toContain("Poll ");
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Trois jours ?" } });
    expect(row.closesAt.getTime() - row.opensAt.getTime()).toBe(3 * 24 * 60 * 60 * 1000);
    const m = botMessages(h, lounge.id)[seen]!;
    await press(anna, m, dataOf(m, "Oui"));
    await press(ben, m, dataOf(m, "Oui"));
    await press(ben, m, dataOf(m, "Non"));
    const closed = await command(h, CREATOR, "closepoll", row.id.slice(0, 8));
    expect(closed.text).toContain("First choices:\n• Oui: 2 (100%)");
    expect(closed.text).toContain("Winner: Oui");
    expect(closed.text).not.toContain("Round");
  });

  it("a prefix two polls share is refused as ambiguous, asking for more characters; the full id still works", async () => {
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which city?" } });
    // A second poll whose id differs from this one's only in its last character.
    const twin = `${row.id.slice(0, 35)}${row.id.endsWith("0") ? "1" : "0"}`;
    await h.deps.db.poll.create({
      data: {
        id: twin,
        question: "Twin?",
        options: row.options,
        mode: row.mode,
        opensAt: row.opensAt,
        closesAt: row.closesAt,
        closedAt: row.closedAt,
        createdBy: row.createdBy,
      },
    });
    try {
      const prefix = row.id.slice(0, 8);
      expect((await command(h, CREATOR, "results", prefix)).text).toBe(
        `Several polls have an id starting with “${prefix}”: type more characters of it (ids are shown as 8 characters, like 1a2b3c4d).`,
      );
      expect((await command(h, CREATOR, "results", row.id)).text).toContain("Which city?");
    } finally {
      await h.deps.db.poll.delete({ where: { id: twin } });
    }
  });

  it("a cleared ranking is stored: after a restart, the next press starts a new ranking", async () => {
    const seen = botMessages(h, lounge.id).length;
    await command(h, CREATOR, "poll", "1d ranked Which day? | Mon | Tue | Wed");
    const m = botMessages(h, lounge.id)[seen]!;
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which day?" } });
    await press(ben, m, dataOf(m, "Tue"));
    expect((await press(ben, m, dataOf(m, "Wed"))).text).toBe("Vote changed: 1. Tue, 2. Wed (weight 1).");
    await press(ben, m, dataOf(m, "Clear my ranking"));
    expect((await pollResults(h.deps, row.id, { creator: true })).voters).toBe(0);

    await h.restart();

    expect((await press(ben, m, dataOf(m, "Mon"))).text).toBe("Vote counted: 1. Mon (weight 1).");
    const latest = await h.deps.db.pollBallot.findFirstOrThrow({
      where: { pollId: row.id },
      orderBy: { id: "desc" },
    });
    expect(latest.choices).toEqual([0]);
    expect((await pollResults(h.deps, row.id, { creator: true })).voters).toBe(1);
  });

  it("a bound chat that refuses the poll is named with why, in words the creator can act on", async () => {
    const attic = supergroup({ title: "Attic" });
    await bindNewChat(h, "gold", attic);
    const alerts = botMessages(h, CREATOR.id).length;
    tg(h).setBotRights(attic.id, "none");
    // The creator is told at once that the bot left the chat; the poll then names it too.
    await nextBotMessage(h, CREATOR.id, alerts, (m) => m.text?.includes("Attic") ?? false);
    const seen = botMessages(h, CREATOR.id).length;
    tg(h).pushCommand({ command: "poll", args: "1d single Which mug? | Red | Blue", from: CREATOR });
    const reply = await nextBotMessage(
      h,
      CREATOR.id,
      seen,
      (m) => m.text?.includes("could not post") ?? false,
    );
    expect(reply.text).toMatch(/Telegram: posted in \d+ places?\./);
    expect(reply.text).toContain(
      `Telegram: could not post in ${attic.id} (the bot is not allowed to post there: add it back, or give it the right to send messages).`,
    );
  });
});
