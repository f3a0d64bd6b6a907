import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideIdea, pollFromIdeas, proposeIdea, topIdeas, upvoteIdea } from "../../../src/app/ideas.ts";
import { createLinkCode, redeemLinkCode } from "../../../src/app/members/linking.ts";
import {
  castVote,
  closePoll,
  exportBallotsCsv,
  openPoll,
  pollResults,
  setCommitment,
} from "../../../src/app/polls.ts";
import { createTier } from "../../../src/app/tiers.ts";
import type { Identity } from "../../../src/core/access.ts";
import type { RankedTally } from "../../../src/core/polls.ts";
import { DomainError } from "../../../src/errors.ts";
import { BACKENDS, type Harness, startHarness } from "../harness.ts";
import { fanPays, newUserId } from "../memberships/fixtures.ts";

const MINUTE = 60_000;

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).code;
}

/**
 * Co-decision at the ledger level (the Discord and Telegram poll interfaces build on these use
 * cases): one member one vote across platforms, eligibility frozen at opening, tier weights, ranked
 * choice, closing on time across a restart, CSV, commitments, ideas.
 */
describe.each(BACKENDS)("co-decision, on %s", (backend) => {
  let h: Harness;
  let gold: string;
  let silver: string;
  const discord = (userId: string): Identity => ({ platform: "discord", userId });

  beforeAll(async () => {
    h = await startHarness({ backend });
    gold = (await createTier(h.deps, { name: "Gold", slug: "gold", amount: 1000, currency: "eur" })).id;
    silver = (await createTier(h.deps, { name: "Silver", slug: "silver", amount: 500, currency: "eur" })).id;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const open = (over: Partial<Parameters<typeof openPoll>[1]> = {}) =>
    openPoll(h.deps, {
      question: "Next video?",
      options: ["Tutorial", "Vlog", "Live"],
      closesAt: new Date(h.clock.now().getTime() + 60 * MINUTE),
      mode: "single",
      eligibility: { kind: "all" },
      createdBy: "discord:creator",
      ...over,
    });

  it("refuses a poll with one option, eleven, or a closing time in the past, creating nothing", async () => {
    const before = await h.deps.db.poll.count();
    expect(await refusal(open({ options: ["Only"] }))).toBe("poll_too_few_options");
    expect(await refusal(open({ options: Array.from({ length: 11 }, (_, i) => `Option ${i}`) }))).toBe(
      "poll_too_many_options",
    );
    expect(await refusal(open({ closesAt: new Date(h.clock.now().getTime() - MINUTE) }))).toBe(
      "poll_close_in_past",
    );
    expect(await h.deps.db.poll.count()).toBe(before);
  });

  it("one member, one vote across platforms (last ballot wins); weights by tier; refusals leave the tally unchanged", async () => {
    const a = await fanPays(h, "gold");
    const b = await fanPays(h, "silver");
    const lapsed = await fanPays(h, "silver");
    const poll = await open({ weights: { [gold]: 2 } });

    // a linked Telegram: votes on Discord, then changes their mind on Telegram.
    const { code } = await createLinkCode(h.deps, discord(a.userId));
    const tgOfA = `7${a.userId.slice(1)}`;
    await redeemLinkCode(h.deps, { platform: "telegram", userId: tgOfA }, code);
    expect(await castVote(h.deps, { pollId: poll.id, who: discord(a.userId), choices: [0] })).toMatchObject({
      status: "counted",
      weight: 2,
    });
    expect(
      await castVote(h.deps, { pollId: poll.id, who: { platform: "telegram", userId: tgOfA }, choices: [1] }),
    ).toMatchObject({
      status: "changed",
      weight: 2,
    });
    expect(await castVote(h.deps, { pollId: poll.id, who: discord(b.userId), choices: [0] })).toMatchObject({
      weight: 1,
    });
    // A duplicate click changes nothing.
    expect(await castVote(h.deps, { pollId: poll.id, who: discord(b.userId), choices: [0] })).toMatchObject({
      status: "unchanged",
    });

    // The lapsed fan stops paying after the poll opened: refused.
    h.stripe.updateSubscription(lapsed.subscriptionId, {
      status: "canceled",
      ended_at: Math.floor(Date.now() / 1000),
    });
    await h.deliverAll();
    expect(
      await refusal(castVote(h.deps, { pollId: poll.id, who: discord(lapsed.userId), choices: [2] })),
    ).toBe("vote_lapsed");
    // Never a member; a fan who joins after the poll opened; a tampered option index.
    expect(
      await refusal(castVote(h.deps, { pollId: poll.id, who: discord(newUserId()), choices: [2] })),
    ).toBe("vote_not_member");
    const late = await fanPays(h, "gold");
    expect(
      await refusal(castVote(h.deps, { pollId: poll.id, who: discord(late.userId), choices: [2] })),
    ).toBe("vote_joined_after_open");
    expect(await refusal(castVote(h.deps, { pollId: poll.id, who: discord(b.userId), choices: [7] }))).toBe(
      "ballot_unknown_option",
    );
    expect(
      await refusal(castVote(h.deps, { pollId: poll.id, who: discord(b.userId), choices: [0, 1] })),
    ).toBe("ballot_too_many_choices");

    const { tally, voters } = await pollResults(h.deps, poll.id);
    expect(voters).toBe(2);
    expect(tally).toMatchObject({
      mode: "single",
      counts: [1, 2, 0],
      winners: [1],
      tie: false,
      totalWeight: 3,
      totalVoters: 2,
    });

    // Every ballot is kept, in the CSV too.
    const csv = await exportBallotsCsv(h.deps, poll.id);
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("member,platform,choice,weight,time");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 4))).toEqual([
      [a.memberId, "discord", "Tutorial", "2"],
      [a.memberId, "telegram", "Vlog", "2"],
      [b.memberId, "discord", "Tutorial", "1"],
    ]);

    const closed = await closePoll(h.deps, poll.id, { actor: "discord:creator" });
    expect(closed.tally.winners).toEqual([1]);
    expect(await refusal(castVote(h.deps, { pollId: poll.id, who: discord(b.userId), choices: [2] }))).toBe(
      "vote_closed",
    );
    // Commitments reach every voter once.
    expect(await setCommitment(h.deps, poll.id, "in_the_works")).toEqual({ notified: 2 });
    const tasks = await h.deps.db.task.findMany({
      where: { key: { startsWith: `notify:poll:${poll.id}:in_the_works` } },
    });
    expect(tasks.map((t) => t.payload)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ template: "poll_commitment", option: "Vlog", stage: "in_the_works" }),
      ]),
    );
    expect(tasks).toHaveLength(2);
  });

  it("ranked choice with weights matches the hand count, rounds shown", async () => {
    const fans = await Promise.all(["gold", "gold", "silver", "silver", "silver"].map((t) => fanPays(h, t)));
    const poll = await open({
      mode: "ranked",
      options: ["A", "B", "C"],
      weights: { [gold]: 2 },
      eligibility: { kind: "tiers", tierIds: [gold, silver] },
    });
    // gold (2 each): A>B, C>B   silver (1 each): B>C, B>C, C>A
    const ballots = [
      [0, 1],
      [2, 1],
      [1, 2],
      [1, 2],
      [2, 0],
    ];
    for (const [i, fan] of fans.entries())
      await castVote(h.deps, { pollId: poll.id, who: discord(fan.userId), choices: ballots[i]! });
    const { tally } = await closePoll(h.deps, poll.id, { actor: "test" });
    // Round 1: A 2, B 2, C 3 (of 7): no majority; A and B tie for last → both out would leave C alone.
    // Tied-for-last are eliminated together: A and B out, C holds every continuing vote and wins.
    const ranked = tally as RankedTally;
    expect(ranked.rounds[0]?.counts).toEqual([
      { option: 0, weight: 2 },
      { option: 1, weight: 2 },
      { option: 2, weight: 3 },
    ]);
    expect(ranked.winners).toEqual([2]);
    expect(ranked.totalWeight).toBe(7);
  });

  it("a double click (the same member's ballots at the same moment) stores one ballot and answers the second as unchanged", async () => {
    const fan = await fanPays(h, "gold");
    const poll = await open();
    const outcomes = await Promise.all(
      [0, 0, 0].map((c) => castVote(h.deps, { pollId: poll.id, who: discord(fan.userId), choices: [c] })),
    );
    expect(outcomes.map((o) => o.status).sort()).toEqual(["counted", "unchanged", "unchanged"]);
    expect(await h.deps.db.pollBallot.count({ where: { pollId: poll.id } })).toBe(1);
  });

  it("closes on time even across a restart", async () => {
    const poll = await open({ closesAt: new Date(h.clock.now().getTime() + 2 * MINUTE) });
    await h.restart();
    h.clock.advance(3 * MINUTE);
    h.app.wake();
    await expect
      .poll(
        async () => (await h.deps.db.poll.findUniqueOrThrow({ where: { id: poll.id } })).closedAt !== null,
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(h.logs.events("poll.closed").some((l) => l.pollId === poll.id && l.actor === "schedule")).toBe(
      true,
    );
  });

  it("hidden results stay hidden from voters until closing, not from the creator", async () => {
    const fan = await fanPays(h, "gold");
    const poll = await open({ hideResultsUntilClose: true });
    await castVote(h.deps, { pollId: poll.id, who: discord(fan.userId), choices: [2] });
    expect(await pollResults(h.deps, poll.id)).toMatchObject({ hidden: true, tally: null });
    expect((await pollResults(h.deps, poll.id, { creator: true })).tally?.winners).toEqual([2]);
    await closePoll(h.deps, poll.id, { actor: "test" });
    expect((await pollResults(h.deps, poll.id)).tally?.winners).toEqual([2]);
  });

  it("ideas: members propose and upvote once; the creator decides (the author is told) and turns a shortlist into a poll", async () => {
    const author = await fanPays(h, "silver");
    const fan = await fanPays(h, "gold");
    expect(await refusal(proposeIdea(h.deps, discord(newUserId()), { title: "Not a member" }))).toBe(
      "idea_members_only",
    );
    const one = await proposeIdea(h.deps, discord(author.userId), {
      title: "Behind the scenes",
      description: "How I edit",
    });
    const two = await proposeIdea(h.deps, discord(fan.userId), { title: "Q&A live" });
    expect(await upvoteIdea(h.deps, discord(fan.userId), one.id)).toEqual({ votes: 1 });
    expect(await refusal(upvoteIdea(h.deps, discord(fan.userId), one.id))).toBe("idea_already_upvoted");
    const top = await topIdeas(h.deps.db);
    expect(top.slice(0, 2).map((i) => [i.title, i.votes])).toEqual([
      ["Behind the scenes", 1],
      ["Q&A live", 0],
    ]);
    await decideIdea(h.deps, one.id, "shortlisted");
    const told = await h.deps.db.task.findUnique({ where: { key: `notify:idea:${one.id}:shortlisted` } });
    expect(told?.payload).toMatchObject({
      memberId: author.memberId,
      template: "idea_decided",
      decision: "shortlisted",
    });
    const poll = await pollFromIdeas(h.deps, [two.id, one.id], {
      closesAt: new Date(h.clock.now().getTime() + 60 * MINUTE),
      mode: "approval",
      eligibility: { kind: "all" },
      createdBy: "discord:creator",
    });
    expect(poll.options).toEqual(["Q&A live", "Behind the scenes"]);
    expect(poll.ideaIds).toEqual([two.id, one.id]);
  });
});
