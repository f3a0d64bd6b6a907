import type { Message, User } from "@grammyjs/types";
import type { APIMessage, APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkCode } from "../../../src/app/members/linking.ts";
import { exportBallotsCsv } from "../../../src/app/polls.ts";
import { buttonClick } from "../../standins/discord-payloads.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { parseCsv } from "../../support/csv.ts";
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
  buttons,
  CREATOR,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

const OPTIONS = ["Cooking", "Travel", "Music"];

/**
 * A budget poll on both platforms: gold members spread 10 points, silver 5, at most 6 on one option.
 * Fans press ＋/− on Discord and Telegram; a member linked on both counts once (their last ballot);
 * over-budget, over-cap and forged presses are refused; the tally is checked against a sum computed
 * here from the test's own record of each member's allocation, and against the CSV.
 */
describe("a budget poll on Discord and Telegram (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let channel: string;
  const goldChat = supergroup({ title: "Gold Lounge" });
  const silverChat = supergroup({ title: "Silver Lounge" });
  let dana: APIUser; // gold, Discord
  let dora: APIUser; // silver, Discord
  let linD: APIUser; // gold, Discord + Telegram (linked)
  const linT = user({ first_name: "Lin", language_code: "en" });
  const tom = user({ first_name: "Tom", language_code: "en" }); // gold, Telegram
  const tess = user({ first_name: "Tess", language_code: "fr" }); // silver, Telegram
  let pollId = "";
  /** The test's own record: member → points per option, as it expects them after each press. */
  const expected = new Map<string, number[]>();
  const record = (who: string, option: number, delta: number) => {
    const points = expected.get(who) ?? OPTIONS.map(() => 0);
    points[option] = (points[option] ?? 0) + delta;
    expected.set(who, points);
  };

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    channel = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    await createTierViaDiscord(h, server, { name: "Silver", price: "5" });
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    await bindNewChat(h, "gold", goldChat);
    await bindNewChat(h, "silver", silverChat);
    dana = addFan(h, server, "dana");
    dora = addFan(h, server, "dora");
    linD = addFan(h, server, "lin");
    await pay(h, (await join(h, server, dana, "gold")).sessionId);
    await pay(h, (await join(h, server, dora, "silver")).sessionId);
    await pay(h, (await join(h, server, linD, "gold")).sessionId);
    await fanJoins(h, tom, "gold", goldChat);
    await fanJoins(h, tess, "silver", silverChat);
    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: linD.id });
    tg(h).addUser(linT);
    expect((await telegramCommand(h, linT, "link", code)).text).toContain("Linked!");
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  const tribe = (path: [string] | [string, string], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId: channel },
        "tribe",
        sub(path, options),
      ),
    );
  const discordPost = (): APIMessage => {
    const found = h.discord
      .messages(channel)
      .find((m) => m.components?.some((r) => JSON.stringify(r).includes(pollId)));
    if (!found) throw new Error("no Discord message for the poll");
    return found;
  };
  const click = (fan: APIUser, customId: string) =>
    interact(
      h,
      buttonClick({ customId, user: fan, guildId: server.id, channelId: channel, message: discordPost() }),
    );
  async function telegramPost(chatId: number): Promise<Message> {
    const post = await h.deps.db.pollPost.findFirstOrThrow({
      where: { pollId, platform: "telegram", chatId: String(chatId) },
    });
    const found = tg(h)
      .messages(chatId)
      .find((m) => m.message_id === Number(post.messageId));
    if (!found) throw new Error(`no Telegram message for the poll in ${chatId}`);
    return found;
  }
  /** ＋ (or the − beside it) on an option's row of the poll in a Telegram group. */
  async function press(from: User, chatId: number, option: number, minus = false) {
    const message = await telegramPost(chatId);
    const all = buttons(message) as { text: string; callback_data: string }[];
    const plus = all.findIndex((b) => b.text === `＋ ${OPTIONS[option]}`);
    const button = all[minus ? plus + 1 : plus];
    if (plus < 0 || !button) throw new Error(`no button for option ${option}`);
    const update = tg(h).pushCallbackQuery({ from, data: button.callback_data, message });
    const id = update.callback_query!.id;
    return until(() => tg(h).callbackAnswers.get(id), `the answer to ${from.first_name}'s press`);
  }
  const ballots = () => h.deps.db.pollBallot.count({ where: { pollId } });

  it("refuses a budget poll without points, naming the argument", async () => {
    const answer = await tribe(
      ["poll", "open"],
      [
        opt.str("question", "No points?"),
        opt.str("options", OPTIONS.join(" | ")),
        opt.str("duration", "2h"),
        opt.str("mode", "budget"),
      ],
    );
    expect(answer.content).toContain("A budget poll needs the points each member spreads: fill in budget");
    expect(await h.deps.db.poll.count()).toBe(0);
  });

  it("opens a budget poll from Discord, posted with ＋/− buttons on both platforms", async () => {
    const answer = await tribe(
      ["poll", "open"],
      [
        opt.str("question", "Where do the funds go?"),
        opt.str("options", OPTIONS.join(" | ")),
        opt.str("duration", "2h"),
        opt.str("mode", "budget"),
        opt.str("budget", "gold=10, silver=5"),
        opt.int("cap", 6),
      ],
    );
    const row = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Where do the funds go?" } });
    pollId = row.id;
    expect(answer.content).toContain(`Poll \`${pollId.slice(0, 8)}\` is open`);
    expect(row.mode).toBe("budget");
    expect(row.budget).toMatchObject({ defaultPoints: 5, maxPerOption: 6 });
    const labels = discordPost().components!.flatMap((r) =>
      (r as { components: { label?: string }[] }).components.map((c) => c.label),
    );
    expect(labels).toEqual(["＋ 1. Cooking", "− 1", "＋ 2. Travel", "− 2", "＋ 3. Music", "− 3"]);
    expect(buttons(await telegramPost(goldChat.id)).map((b) => b.text)).toEqual([
      "＋ Cooking",
      "−",
      "＋ Travel",
      "−",
      "＋ Music",
      "−",
    ]);
  });

  it("members spread their points on both platforms, with the points left after each press", async () => {
    for (let n = 0; n < 6; n++) {
      const a = await click(dana, `pv:${pollId}:0`);
      record("dana", 0, 1);
      expect(a.content).toContain(`Points left: ${10 - (n + 1)} of 10.`);
    }
    for (let n = 0; n < 4; n++) await click(dana, `pv:${pollId}:2`).then(() => record("dana", 2, 1));
    expect((await click(dana, `pv:${pollId}:m2`)).content).toBe(
      "Your points: 6 × Cooking + 3 × Music. Points left: 1 of 10.",
    );
    record("dana", 2, -1);

    for (let n = 0; n < 5; n++) await click(dora, `pv:${pollId}:1`).then(() => record("dora", 1, 1));

    expect(await press(tom, goldChat.id, 1)).toMatchObject({
      text: "Your points: 1 × Travel. Points left: 9 of 10.",
    });
    record("tom", 1, 1);
    for (let n = 0; n < 3; n++) await press(tom, goldChat.id, 2).then(() => record("tom", 2, 1));
    expect(await press(tess, silverChat.id, 0)).toMatchObject({
      text: "Vos points : 1 × Cooking. Points restants : 4 sur 5.",
    });
    record("tess", 0, 1);
    await press(tess, silverChat.id, 2).then(() => record("tess", 2, 1));
  });

  it("the linked member votes on both platforms: one ballot, carried from one to the other", async () => {
    for (let n = 0; n < 4; n++) await click(linD, `pv:${pollId}:1`).then(() => record("lin", 1, 1));
    // On Telegram Lin sees and changes the same ballot: one member, whichever account presses.
    expect(await press(linT, goldChat.id, 1, true)).toMatchObject({
      text: "Your points: 3 × Travel. Points left: 7 of 10.",
    });
    record("lin", 1, -1);
    await press(linT, goldChat.id, 0).then(() => record("lin", 0, 1));
    const linBallots = await h.deps.db.pollBallot.findMany({ where: { pollId }, orderBy: { id: "asc" } });
    expect(
      new Set(linBallots.filter((b) => b.platformUserId === linT.id.toString()).map((b) => b.memberId)),
    ).toEqual(new Set(linBallots.filter((b) => b.platformUserId === linD.id).map((b) => b.memberId)));
  });

  it("refuses a press past the member's points, past the cap, and forged buttons; nothing is stored", async () => {
    const before = await ballots();
    // Dora (silver) has given her 5 points: a sixth is refused.
    const over = await click(dora, `pv:${pollId}:0`);
    expect(over).toMatchObject({ ephemeral: true });
    expect(over.content).toContain("You have 5 points to spread");
    // Dana has 6 on Cooking: the cap.
    expect((await click(dana, `pv:${pollId}:0`)).content).toContain("At most 6 points can go to one option");
    // Forged ids: an option the poll lacks, a made-up step, extra parts.
    for (const forged of [`pv:${pollId}:7`, `pv:${pollId}:x1`, `pv:${pollId}:m-1`, `pv:${pollId}:0:9`])
      expect((await click(dana, forged)).content).toContain("That option is not in this poll.");
    // Tess (silver, 2 of 5 given) presses ＋ four times on Telegram: the last one is refused.
    for (let n = 0; n < 3; n++) await press(tess, silverChat.id, 1).then(() => record("tess", 1, 1));
    expect(await press(tess, silverChat.id, 1)).toMatchObject({
      text: "Vous avez 5 points à répartir : retirez-en avant de valider.",
      show_alert: true,
    });
    // 3 stored steps (Tess's), nothing else.
    expect(await ballots()).toBe(before + 3);
  });

  it("closing sums the points: the tally equals the sum of the recorded allocations, and the CSV", async () => {
    const closed = await tribe(["poll", "close"], [opt.str("poll", pollId.slice(0, 8))]);
    expect(closed.content).toContain("Poll closed: **Where do the funds go?**");
    const sum = OPTIONS.map((_, i) => [...expected.values()].reduce((s, p) => s + (p[i] ?? 0), 0));
    const row = await h.deps.db.poll.findUniqueOrThrow({ where: { id: pollId } });
    const top = Math.max(...sum);
    expect(row.result).toMatchObject({
      mode: "budget",
      counts: sum,
      winners: sum.flatMap((n, i) => (n === top ? [i] : [])),
      totalVoters: expected.size,
      totalWeight: sum.reduce((s, n) => s + n, 0),
    });

    // The CSV: every step stored; each member's last row is their allocation, in "n × label" cells.
    const rows = parseCsv(await exportBallotsCsv(h.deps, pollId));
    expect(rows[0]).toEqual(["member", "platform", "choice", "weight", "time"]);
    const last = new Map<string, string[]>();
    for (const r of rows.slice(1)) last.set(r[0]!, r);
    expect(last.size).toBe(expected.size);
    const fromCsv = OPTIONS.map(() => 0);
    for (const r of last.values())
      for (const cell of r[2]!.split(" + ")) {
        const [n, label] = cell.split(" × ");
        fromCsv[OPTIONS.indexOf(label!)]! += Number(n);
      }
    expect(fromCsv).toEqual(sum);
    expect([...last.values()].map((r) => r[3]).sort()).toEqual(["10", "10", "10", "5", "5"]);
  });
});
