import { type APIMessage, type APIUser, Locale } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportBallotsCsv } from "../../../src/app/polls.ts";
import { buttonClick, selectMenu } from "../../standins/discord-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";
import {
  addFan,
  addServer,
  CREATOR_PERMISSIONS,
  command,
  createTierViaDiscord,
  interact,
  join,
  opt,
  type Server,
  sub,
} from "./helpers.ts";

type Row = { components: { custom_id?: string; disabled?: boolean }[] };

/** Polls on Discord: the creator opens one in a channel, fans vote with its components, it closes. */
describe("Discord: polls and ideas", () => {
  let h: DiscordHarness;
  let server: Server;
  let channelId: string;
  let fanA: APIUser;
  let fanB: APIUser;
  let stranger: APIUser;
  let pollId: string;

  const tribe = (options: Parameters<typeof sub>[1], path: [string, string]) =>
    command(
      { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId },
      "tribe",
      sub(path, options),
    );
  const pollMessage = (): APIMessage =>
    h.discord.messages(channelId).find((m) => m.components?.some((r) => JSON.stringify(r).includes(pollId)))!;
  const customIds = (m: APIMessage) => ((m.components ?? []) as Row[]).flatMap((r) => r.components);
  const click = (fan: APIUser, customId: string, locale?: Locale) =>
    interact(
      h,
      buttonClick({
        customId,
        user: fan,
        guildId: server.id,
        channelId,
        message: pollMessage(),
        ...(locale ? { locale } : {}),
      }),
    );
  const edits = () =>
    h.discord.calls.filter(
      (c) => c.method === "PATCH" && c.params.message === pollMessage().id && c.status === 200,
    ).length;

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    channelId = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold" });
    fanA = addFan(h, server, "alice");
    fanB = addFan(h, server, "bob");
    stranger = addFan(h, server, "carol");
    for (const fan of [fanA, fanB]) await pay(h, (await join(h, server, fan, "gold")).sessionId);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("the creator opens a poll: posted in the channel with one button per option", async () => {
    const answer = await interact(
      h,
      tribe(
        [
          opt.str("question", "Next video?"),
          opt.str("options", "Tutorial | Vlog; Live |"),
          opt.str("duration", "2h"),
          opt.str("weights", "gold=2"),
        ],
        ["poll", "open"],
      ),
    );
    expect(answer.ephemeral).toBe(true);
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Next video?" } });
    pollId = poll.id;
    expect(poll.options).toEqual(["Tutorial", "Vlog", "Live"]);
    expect(answer.content).toContain(`Poll \`${pollId.slice(0, 8)}\` is open`);
    const message = pollMessage();
    expect(message.embeds[0]?.title).toBe("Next video?");
    expect(message.embeds[0]?.fields?.[0]?.value).toMatch(/<t:\d+:f>/);
    expect(customIds(message).map((c) => c.custom_id)).toEqual([0, 1, 2].map((i) => `pv:${pollId}:${i}`));
    const posts = await h.deps.db.pollPost.findMany({ where: { pollId } });
    expect(posts).toMatchObject([{ platform: "discord", chatId: channelId, messageId: message.id }]);
  });

  it("paying fans vote by button: private confirmations; the message shows the tally, edits coalesced", async () => {
    const before = edits();
    const a1 = await click(fanA, `pv:${pollId}:0`);
    const b1 = await click(fanB, `pv:${pollId}:1`, Locale.French);
    const a2 = await click(fanA, `pv:${pollId}:2`);
    const b2 = await click(fanB, `pv:${pollId}:1`);
    expect(a1).toMatchObject({ ephemeral: true, content: "Your vote for “Tutorial” is counted (weight 2)." });
    expect(b1).toMatchObject({ ephemeral: true, content: "Votre vote pour “Vlog” est compté (poids 2)." });
    expect(a2.content).toContain("Your vote is now “Live” (weight 2)");
    expect(b2.content).toContain("You already voted “Vlog”: nothing changed");
    await until(() => {
      const d = pollMessage().embeds[0]?.description ?? "";
      return d.includes("Vlog — 2 (50%)") && d.includes("Live — 2 (50%)") && d.includes("Tutorial — 0");
    }, "the tally on the poll message");
    // 3 ballots recorded (the 4th changed nothing) in a burst: a leading edit and one trailing edit.
    await new Promise((r) => setTimeout(r, 2_300));
    expect(edits() - before).toBeGreaterThanOrEqual(1);
    expect(edits() - before).toBeLessThan(3);
    expect(pollMessage().embeds[0]?.fields?.find((f) => f.name === "Voters")?.value).toBe("2");
  });

  it("a non-member's click is refused privately, and counts for nothing", async () => {
    const answer = await click(stranger, `pv:${pollId}:0`);
    expect(answer).toMatchObject({ ephemeral: true });
    expect(answer.content).toContain("Only members can vote.");
    expect(await h.deps.db.pollBallot.count({ where: { pollId } })).toBe(3);
  });

  it("tampered custom ids are refused: unknown option, malformed id, wrong component for the mode", async () => {
    for (const customId of [
      `pv:${pollId}:3`,
      `pv:${pollId}:-1`,
      `pv:${pollId}:1:x`,
      "pv:nope:0",
      `pv:${pollId}:a`,
    ]) {
      const answer = await click(fanA, customId);
      expect(answer.ephemeral, customId).toBe(true);
      expect(answer.content, customId).toContain("That option is not in this poll.");
    }
    const menu = await interact(
      h,
      selectMenu({ customId: `pv:${pollId}:a`, values: ["0"], user: fanA, guildId: server.id, channelId }),
    );
    expect(menu.content).toContain("That option is not in this poll.");
    expect(await h.deps.db.pollBallot.count({ where: { pollId } })).toBe(3);
  });

  it("early close: the message shows the final results (a tie) and its buttons are disabled", async () => {
    const answer = await interact(h, tribe([opt.str("poll", pollId.slice(0, 8))], ["poll", "close"]));
    expect(answer.content).toContain("Poll closed: **Next video?**");
    expect(answer.content).toContain("Tie between Vlog and Live");
    const message = pollMessage();
    expect(message.embeds[0]?.title).toBe("Closed: Next video?");
    expect(message.embeds[0]?.description).toContain("Tie between Vlog and Live");
    expect(customIds(message).every((c) => c.disabled === true)).toBe(true);
    const late = await click(fanB, `pv:${pollId}:0`);
    expect(late.content).toContain("This poll is closed");
  });

  it("CSV export: an attachment holding every ballot", async () => {
    const answer = await interact(h, tribe([opt.str("poll", pollId)], ["poll", "export"]));
    expect(answer.content).toContain("3 ballots of “Next video?”");
    const upload = h.discord.calls.filter((c) => c.files.length > 0).at(-1);
    expect(upload?.files[0]?.name).toBe(`poll-${pollId.slice(0, 8)}.csv`);
    expect(upload?.files[0]?.content).toBe(await exportBallotsCsv(h.app.services, pollId));
    expect(upload?.files[0]?.content.trimEnd().split("\n")).toHaveLength(4);
  });

  it("approval by multi-select, and ranked by private steps", async () => {
    await interact(
      h,
      tribe(
        [
          opt.str("question", "Which formats?"),
          opt.str("options", "Shorts;Podcast;Stream"),
          opt.str("duration", "1d"),
          opt.str("mode", "approval"),
        ],
        ["poll", "open"],
      ),
    );
    const approval = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which formats?" } });
    const picked = await interact(
      h,
      selectMenu({
        customId: `pv:${approval.id}:a`,
        values: ["2", "0"],
        user: fanA,
        guildId: server.id,
        channelId,
      }),
    );
    expect(picked.content).toBe("Your vote for “Stream”, “Shorts” is counted (weight 1).");
    const bad = await interact(
      h,
      selectMenu({
        customId: `pv:${approval.id}:a`,
        values: ["9"],
        user: fanA,
        guildId: server.id,
        channelId,
      }),
    );
    expect(bad.content).toContain("That option is not in this poll.");

    await interact(
      h,
      tribe(
        [
          opt.str("question", "Rank the series"),
          opt.str("options", "A|B|C"),
          opt.str("duration", "30m"),
          opt.str("mode", "ranked"),
        ],
        ["poll", "open"],
      ),
    );
    const ranked = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Rank the series" } });
    const start = await interact(
      h,
      buttonClick({ customId: `pv:${ranked.id}:r`, user: fanB, guildId: server.id, channelId }),
    );
    expect(start.ephemeral).toBe(true);
    expect(start.customIds).toEqual([`pr:${ranked.id}:`]);
    const step = await interact(
      h,
      selectMenu({ customId: `pr:${ranked.id}:`, values: ["2"], user: fanB, guildId: server.id, channelId }),
    );
    expect(step.customIds).toEqual([`pr:${ranked.id}:2`, `pr:${ranked.id}:2:ok`]);
    const step2 = await interact(
      h,
      selectMenu({ customId: `pr:${ranked.id}:2`, values: ["0"], user: fanB, guildId: server.id, channelId }),
    );
    expect(step2.content).toContain("1. C\n2. A");
    const done = await interact(
      h,
      buttonClick({ customId: `pr:${ranked.id}:20:ok`, user: fanB, guildId: server.id, channelId }),
    );
    expect(done.content).toBe("Your vote for 1. “C”, 2. “A” is counted (weight 1).");
    const ballot = await h.deps.db.pollBallot.findFirstOrThrow({ where: { pollId: ranked.id } });
    expect(ballot.choices).toEqual([2, 0]);
  });

  it("a hidden poll for one tier, late joiners allowed: others refused, the tally shown only to the creator until closing", async () => {
    const silver = await createTierViaDiscord(h, server, { name: "Silver", price: "5" });
    const sam = addFan(h, server, "sam");
    await pay(h, (await join(h, server, sam, silver.slug)).sessionId);
    const answer = await interact(
      h,
      tribe(
        [
          opt.str("question", "Gold secret?"),
          opt.str("options", "Yes | No"),
          opt.str("duration", "1d"),
          opt.str("tier", "gold"),
          opt.bool("hidden", true),
          opt.bool("late-joiners", true),
        ],
        ["poll", "open"],
      ),
    );
    expect(answer.content).toContain("is open");
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Gold secret?" } });
    expect(poll).toMatchObject({ hideResults: true, allowLateJoiners: true });
    pollId = poll.id;
    expect(pollMessage().embeds[0]?.footer?.text).toBe("Results are hidden until the poll closes.");
    expect(pollMessage().embeds[0]?.fields?.find((f) => f.name === "Who votes")?.value).toBe("Gold");

    expect((await click(sam, `pv:${pollId}:0`)).content).toContain(
      "This poll is for other tiers than yours.",
    );
    expect((await click(fanA, `pv:${pollId}:0`)).content).toContain("is counted");
    // A fan who buys Gold after the poll opened may vote: the creator allowed it.
    const late = addFan(h, server, "lena");
    await pay(h, (await join(h, server, late, "gold")).sessionId);
    expect((await click(late, `pv:${pollId}:1`)).content).toContain("is counted");
    await new Promise((r) => setTimeout(r, 2_300));
    expect(pollMessage().embeds[0]?.description ?? "").not.toContain("Yes —");

    const results = await interact(h, tribe([opt.str("poll", pollId.slice(0, 8))], ["poll", "results"]));
    expect(results.embeds[0]?.description).toContain("Yes — 1");
    expect(results.embeds[0]?.description).toContain("No — 1");
    await interact(h, tribe([opt.str("poll", pollId.slice(0, 8))], ["poll", "close"]));
    await until(
      () => (pollMessage().embeds[0]?.description ?? "").includes("Tie between Yes and No"),
      "the results, shown once closed",
    );
  });

  it("ideas: a fan proposes, another upvotes, top lists them, the creator decides and polls them", async () => {
    const fan = (u: APIUser, options: Parameters<typeof command>[2]) =>
      command({ user: u, guildId: server.id, channelId }, "idea", options);
    const proposed = await interact(h, fan(fanA, sub(["propose"], [opt.str("title", "Behind the scenes")])));
    expect(proposed.content).toContain("Idea proposed: **Behind the scenes**");
    await interact(h, fan(fanB, sub(["propose"], [opt.str("title", "Q&A live")])));
    const refused = await interact(h, fan(stranger, sub(["propose"], [opt.str("title", "Free stuff")])));
    expect(refused.content).toContain("Only members with an active membership");
    const ideas = await h.deps.db.idea.findMany({ orderBy: { createdAt: "asc" } });
    const upvoted = await interact(h, fan(fanB, sub(["upvote"], [opt.str("idea", ideas[0]!.id)])));
    expect(upvoted.content).toContain("1 upvote now.");
    const top = await interact(h, fan(fanA, sub(["top"])));
    expect(top.content.indexOf("Behind the scenes")).toBeLessThan(top.content.indexOf("Q&A live"));
    const decided = await interact(
      h,
      tribe([opt.str("idea", ideas[0]!.id), opt.str("decision", "shortlisted")], ["idea", "decide"]),
    );
    expect(decided.content).toContain("**Behind the scenes** is shortlisted");
    const polled = await interact(
      h,
      tribe(
        [opt.str("ideas", `${ideas[0]!.id.slice(0, 8)}, ${ideas[1]!.id}`), opt.str("duration", "1w")],
        ["idea", "poll"],
      ),
    );
    expect(polled.content).toContain("is open;");
    expect(polled.content).toContain("Discord: https://discord.com/channels/");
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { ideaIds: { has: ideas[1]!.id } } });
    expect(poll.options).toEqual(["Behind the scenes", "Q&A live"]);
    expect(await h.deps.db.pollPost.count({ where: { pollId: poll.id } })).toBe(1);
  });
  it("durations: 3j (jours) is 3 days, a bad one says what a good one looks like; a ranked poll won in round 1 shows no rounds", async () => {
    const polls = await h.deps.db.poll.count();
    const bad = await interact(
      h,
      tribe(
        [opt.str("question", "Jours ?"), opt.str("options", "Oui | Non"), opt.str("duration", "3x")],
        ["poll", "open"],
      ),
    );
    expect(bad.content).toBe(
      "The duration “3x” is not one: write a number and a unit, e.g. 30m, 12h, 3d or 1w (minutes, hours, days, weeks). Nothing changed.",
    );
    const noOptions = await interact(
      h,
      tribe(
        [opt.str("question", "Jours ?"), opt.str("options", " | ; "), opt.str("duration", "3j")],
        ["poll", "open"],
      ),
    );
    expect(noOptions.content).toContain("The options option holds no option");
    expect(await h.deps.db.poll.count()).toBe(polls);

    await interact(
      h,
      tribe(
        [
          opt.str("question", "Jours ?"),
          opt.str("options", "Oui | Non | Peut-être"),
          opt.str("duration", "3j"),
          opt.str("mode", "ranked"),
        ],
        ["poll", "open"],
      ),
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Jours ?" } });
    // The closing time is taken when the command is read, the opening a moment later.
    expect(Math.abs(poll.closesAt.getTime() - poll.opensAt.getTime() - 3 * 24 * 60 * 60 * 1000)).toBeLessThan(
      60_000,
    );
    for (const [fan, ranking] of [
      [fanA, "0"],
      [fanB, "01"],
    ] as const) {
      const done = await interact(
        h,
        buttonClick({ customId: `pr:${poll.id}:${ranking}:ok`, user: fan, guildId: server.id, channelId }),
      );
      expect(done.content).toContain("is counted");
    }
    pollId = poll.id;
    const closed = await interact(h, tribe([opt.str("poll", poll.id.slice(0, 8))], ["poll", "close"]));
    expect(closed.content).toContain("🏆 Winner: **Oui**");
    expect(closed.content).not.toContain("Round");
    await until(() => pollMessage().embeds[0]?.title === "Closed: Jours ?", "the closed ranked poll");
    const description = pollMessage().embeds[0]?.description ?? "";
    expect(description).toContain("**1.** Oui — 2 (100%) 🏆");
    expect(description).not.toContain("Round");
  });

  it("a prefix two polls share is refused as ambiguous, asking for more characters; the full id still works", async () => {
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Jours ?" } });
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
      const ambiguous = await interact(h, tribe([opt.str("poll", prefix)], ["poll", "results"]));
      expect(ambiguous.content).toBe(
        `Several polls have an id starting with “${prefix}”: type more characters of it (ids are shown as 8 characters, like 1a2b3c4d).`,
      );
      const exact = await interact(h, tribe([opt.str("poll", row.id)], ["poll", "results"]));
      expect(exact.embeds[0]?.title).toBe("Closed: Jours ?");
    } finally {
      await h.deps.db.poll.delete({ where: { id: twin } });
    }
  });
});
