import type { APIUser } from "discord-api-types/v10";
import { ApplicationCommandOptionType } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CYCLE_TASK, cycleTaskHandlers } from "../../../src/app/cycle.ts";
import { FEED_BURST_MS } from "../../../src/app/feed.ts";
import { cycleMonth, nextCycleOpening } from "../../../src/core/cycle.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import {
  addFan,
  addServer,
  CREATOR_PERMISSIONS,
  createTierViaDiscord,
  command as discordCommand,
  interact,
  join,
  opt,
  type Server,
  sub,
} from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  CREATOR,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

/** Waits until an asynchronous check holds (until() takes synchronous ones). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const monthName = (d: Date) =>
  new Intl.DateTimeFormat("en", { month: "long", year: "numeric", timeZone: "UTC" }).format(d);

/**
 * The co-creation cycle (issue #16): the creator sets it once on Discord; fans propose and upvote
 * ideas on both platforms, the creator shortlists some; the bot restarts before the opening; when
 * the day comes the poll opens by itself with the top shortlisted ideas above the threshold (ties:
 * the oldest first), posted on Discord and Telegram, once, however often the timer runs. The next
 * month, too few ideas qualify: no poll, and the creator's feed says why.
 */
describe("the monthly cycle opens the poll of the top ideas, across a restart (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let pollChannel: string;
  const lounge = supergroup({ title: "Gold Lounge" });
  const tom = user({ first_name: "Tom", language_code: "en" });
  let dana: APIUser;
  let dora: APIUser;
  let dex: APIUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    pollChannel = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    await bindNewChat(h, "gold", lounge);
    await fanJoins(h, tom, "gold", lounge);
    dana = addFan(h, server, "dana");
    dora = addFan(h, server, "dora");
    dex = addFan(h, server, "dex");
    for (const fan of [dana, dora, dex]) await pay(h, (await join(h, server, fan, "gold")).sessionId);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  const tribe = (path: string[], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId: pollChannel },
        "tribe",
        sub(path as [string, string], options),
      ),
    );
  const idea = (fan: APIUser, path: [string], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand({ user: fan, guildId: server.id, channelId: pollChannel }, "idea", sub(path, options)),
    );
  const upvote = (fan: APIUser, title: string) => idea(fan, ["upvote"], [opt.str("idea", ids[title]!)]);
  const polls = () => h.deps.db.poll.findMany({ orderBy: { createdAt: "asc" } });

  it("the creator sets the cycle on Discord; its timer waits for the day", async () => {
    const refused = await tribe(["cycle", "set"], [opt.int("day", 25), opt.int("top", 1)]);
    expect(refused.content).toBe("The cycle's number of ideas must be between 2 and 10. Nothing changed.");
    expect(await h.deps.db.task.count({ where: { key: CYCLE_TASK.key } })).toBe(0);

    await tribe(
      ["settings"],
      [{ type: ApplicationCommandOptionType.Channel, name: "add-poll-channel", value: pollChannel }],
    );
    const set = await tribe(
      ["cycle", "set"],
      [
        opt.int("day", 25),
        opt.int("hour", 12),
        opt.int("days", 5),
        opt.int("top", 2),
        opt.int("min-upvotes", 2),
      ],
    );
    const opening = nextCycleOpening(h.clock.now(), { day: 25, hour: 12 });
    expect(set.content).toContain("Cycle on: each month on day 25 at 12:00 UTC, the 2 most upvoted");
    expect(set.content).toContain("at least 2 upvotes");
    const task = await h.deps.db.task.findUniqueOrThrow({ where: { key: CYCLE_TASK.key } });
    expect([task.state, task.runAfter.toISOString(), task.payload]).toEqual([
      "pending",
      opening.toISOString(),
      { month: cycleMonth(opening) },
    ]);
    expect(h.logs.events("cycle.scheduled").length).toBeGreaterThanOrEqual(1);
    expect((await tribe(["cycle", "show"], [])).content).toContain("Next poll:");
  });

  it("fans propose and upvote ideas on both platforms; the creator shortlists some", async () => {
    await telegramCommand(h, tom, "idea", "Behind the scenes");
    await idea(dana, ["propose"], [opt.str("title", "Q&A live")]);
    await idea(dora, ["propose"], [opt.str("title", "Studio tour")]);
    await idea(dex, ["propose"], [opt.str("title", "Cooking stream")]);
    await idea(dex, ["propose"], [opt.str("title", "Podcast")]);
    for (const title of ["Behind the scenes", "Q&A live", "Studio tour", "Cooking stream", "Podcast"])
      ids[title] = (await h.deps.db.idea.findFirstOrThrow({ where: { title } })).id;
    // 3 upvotes; 2 and 2 (a tie: the older one wins it); 1 (under the threshold); 2 but never shortlisted.
    for (const fan of [dana, dora, dex]) await upvote(fan, "Behind the scenes");
    for (const fan of [dora, dex]) await upvote(fan, "Q&A live");
    for (const fan of [dana, dex]) await upvote(fan, "Studio tour");
    await upvote(dana, "Cooking stream");
    for (const fan of [dana, dora]) await upvote(fan, "Podcast");
    for (const title of ["Behind the scenes", "Q&A live", "Studio tour", "Cooking stream"]) {
      const done = await tribe(
        ["idea", "decide"],
        [opt.str("idea", ids[title]!), opt.str("decision", "shortlisted")],
      );
      expect(done.content).toContain("is shortlisted");
    }
  });

  it("after a restart, the poll opens on the day with the top ideas, on both platforms, once", async () => {
    await h.restart();
    const task = await h.deps.db.task.findUniqueOrThrow({ where: { key: CYCLE_TASK.key } });
    expect(await polls()).toHaveLength(0);

    h.clock.advance(task.runAfter.getTime() - h.clock.now().getTime() + 60_000);
    h.app.wake();
    await eventually(async () => (await polls()).length > 0, "the cycle's poll");
    const [poll] = await polls();
    const month = cycleMonth(task.runAfter);
    const question = `What should I make next? (cycle of ${monthName(task.runAfter)})`;
    expect(poll).toMatchObject({
      question,
      options: ["Behind the scenes", "Q&A live"],
      ideaIds: [ids["Behind the scenes"], ids["Q&A live"]],
      mode: "single",
      tierIds: [],
      createdBy: `cycle:${month}`,
    });
    // Open 5 days from the run (opensAt is read a moment later, in the poll's own transaction).
    expect(Math.abs(poll!.closesAt.getTime() - poll!.opensAt.getTime() - 5 * 86_400_000)).toBeLessThan(5_000);
    const status = async (title: string) =>
      (await h.deps.db.idea.findUniqueOrThrow({ where: { id: ids[title]! } })).status;
    expect(await status("Behind the scenes")).toBe("in_poll");
    expect(await status("Q&A live")).toBe("in_poll");
    expect(await status("Studio tour")).toBe("shortlisted");
    expect(await status("Cooking stream")).toBe("shortlisted");
    expect(await status("Podcast")).toBe("proposed");

    // Posted on both platforms, where a poll the creator opens goes.
    await eventually(
      async () => (await h.deps.db.pollPost.count({ where: { pollId: poll!.id } })) >= 2,
      "the poll posted on both platforms",
    );
    const posts = await h.deps.db.pollPost.findMany({ where: { pollId: poll!.id } });
    expect(posts.map((p) => [p.platform, p.chatId]).sort()).toEqual([
      ["discord", pollChannel],
      ["telegram", String(lounge.id)],
    ]);
    expect(botMessages(h, lounge.id).some((m) => m.text?.includes(question))).toBe(true);
    expect(h.logs.events("cycle.opened")).toHaveLength(1);

    // The timer moved to next month.
    const next = await h.deps.db.task.findUniqueOrThrow({ where: { key: CYCLE_TASK.key } });
    expect(next.runAfter.toISOString()).toBe(
      nextCycleOpening(new Date(task.runAfter.getTime() + 1), { day: 25, hour: 12 }).toISOString(),
    );

    // The same month's run again (a crash before the task settled): no second poll, no second post.
    const again = await cycleTaskHandlers(h.app.services)[CYCLE_TASK.kind]!({ month }, task as never);
    expect(again.outcome).toBe("done");
    expect(await polls()).toHaveLength(1);
    expect(await h.deps.db.pollPost.count({ where: { pollId: poll!.id } })).toBe(2);
    expect(h.logs.events("cycle.skipped").at(-1)).toMatchObject({ month, reason: "already_opened" });

    // The creator's feed says it (Telegram: the creator's private chat).
    h.clock.advance(FEED_BURST_MS + 1_000);
    h.app.wake();
    await until(
      () => botMessages(h, CREATOR.id).find((m) => m.text?.includes(`Cycle: the poll of ${month} is open`)),
      "the feed line of the opening",
      20_000,
    );
  });

  it("a month with too few ideas above the threshold is skipped, and the creator told why", async () => {
    const task = await h.deps.db.task.findUniqueOrThrow({ where: { key: CYCLE_TASK.key } });
    const month = cycleMonth(task.runAfter);
    h.clock.advance(task.runAfter.getTime() - h.clock.now().getTime() + 60_000);
    h.app.wake();
    await until(
      () => h.logs.events("cycle.skipped").find((e) => e.month === month),
      "the skipped month",
      20_000,
    );
    expect(h.logs.events("cycle.skipped").find((e) => e.month === month)).toMatchObject({
      reason: "too_few_ideas",
      qualified: 1,
      min: 2,
    });
    expect(await polls()).toHaveLength(1);
    h.clock.advance(FEED_BURST_MS + 1_000);
    h.app.wake();
    await until(
      () =>
        botMessages(h, CREATOR.id).find((m) =>
          m.text?.includes(`Cycle: no poll for ${month}: only 1 shortlisted idea has 2 upvotes or more`),
        ),
      "the feed line of the skipped month",
      20_000,
    );
  });

  it("the creator switches the cycle off: its timer goes", async () => {
    expect((await tribe(["cycle", "off"], [])).content).toContain("Cycle off.");
    expect(await h.deps.db.task.count({ where: { key: CYCLE_TASK.key } })).toBe(0);
  });
});
