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
  type Answer,
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
 * On Discord a fan opens their private ballot from the poll message, steps through it (＋/−, each
 * step redraws that private message, nothing stored) and casts it; on Telegram fans press ＋/− on
 * the poll message. A member linked on both counts once (their last ballot); over-budget, over-cap
 * and forged drafts or presses are refused with nothing stored; the ＋/− ids of poll messages posted
 * before the private ballot still work; the tally is checked against a sum computed here from the
 * test's own record of each member's allocation, and against the CSV.
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
  /** The buttons of a message as the fan sees them: label, custom id, disabled. */
  const buttonsOf = (answer: Answer) =>
    (answer.message.components ?? []).flatMap((r) =>
      (r as { components: { label?: string; custom_id?: string; disabled?: boolean }[] }).components.map(
        (b) => ({ label: b.label ?? "", id: b.custom_id ?? "", disabled: b.disabled ?? false }),
      ),
    );
  /** Opens the fan's private ballot from the poll message. */
  const openBallot = async (fan: APIUser): Promise<Answer> => {
    const post = discordPost();
    const [button, ...rest] = buttonsOf({ message: post } as Answer);
    expect(rest).toEqual([]);
    expect(button).toMatchObject({ label: "Spread your points", disabled: false });
    const answer = await click(fan, button!.id);
    expect(answer).toMatchObject({ ephemeral: true, responseType: 4 });
    return answer;
  };
  /** Presses the button labelled `label` on the fan's private ballot: it must be enabled. */
  const step = async (fan: APIUser, ballot: Answer, label: string): Promise<Answer> => {
    const button = buttonsOf(ballot).find((b) => b.label === label);
    if (!button) throw new Error(`no button ${label} on ${ballot.content}`);
    expect(button.disabled, label).toBe(false);
    const next = await interact(
      h,
      buttonClick({
        customId: button.id,
        user: fan,
        guildId: server.id,
        channelId: channel,
        message: ballot.message,
      }),
    );
    // The same private message, redrawn in place.
    expect(next).toMatchObject({ ephemeral: true, responseType: 7 });
    expect(next.message.id).toBe(ballot.message.id);
    return next;
  };
  /** A custom id pressed as is (forged), on the fan's private ballot. */
  const forge = (fan: APIUser, ballot: Answer, customId: string) =>
    interact(
      h,
      buttonClick({ customId, user: fan, guildId: server.id, channelId: channel, message: ballot.message }),
    );
  const disabled = (ballot: Answer) =>
    buttonsOf(ballot)
      .filter((b) => b.disabled)
      .map((b) => b.label);
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
  let openedBeforeClose: Answer | undefined;

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

  it("opens a budget poll from Discord: one button for the private ballot there, ＋/− on Telegram", async () => {
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
    expect(labels).toEqual(["Spread your points"]);
    expect(buttons(await telegramPost(goldChat.id)).map((b) => b.text)).toEqual([
      "＋ Cooking",
      "−",
      "＋ Travel",
      "−",
      "＋ Music",
      "−",
    ]);
  });

  it("members spread their points: a private ballot on Discord (stored only when cast), presses on Telegram", async () => {
    const before = await ballots();
    let ballot = await openBallot(dana);
    expect(ballot.content).toBe(
      [
        "**Where do the funds go?**",
        "Your private ballot: ＋ gives an option one point, − takes one back. Nothing counts until you press “Cast my points”.",
        "**1.** Cooking: 0 points",
        "**2.** Travel: 0 points",
        "**3.** Music: 0 points",
        "Points left: 10 of 10 (at most 6 on one option).",
      ].join("\n"),
    );
    expect(disabled(ballot)).toEqual(["−1", "−2", "−3", "Clear"]);
    for (let n = 0; n < 6; n++) {
      ballot = await step(dana, ballot, "＋1");
      expect(ballot.content).toContain(`Points left: ${10 - (n + 1)} of 10 (at most 6 on one option).`);
    }
    // Cooking holds the cap: its ＋ is off.
    expect(disabled(ballot)).toEqual(["＋1", "−2", "−3"]);
    for (let n = 0; n < 4; n++) ballot = await step(dana, ballot, "＋3");
    expect(disabled(ballot)).toEqual(["＋1", "＋2", "＋3", "−2"]);
    ballot = await step(dana, ballot, "−3");
    expect(ballot.content).toContain(
      "**1.** Cooking: 6 points\n**2.** Travel: 0 points\n**3.** Music: 3 points",
    );
    expect(ballot.content).toContain("Points left: 1 of 10");
    // Eleven steps, nothing stored yet.
    expect(await ballots()).toBe(before);
    const cast = await step(dana, ballot, "Cast my points");
    expect(cast.content).toBe(
      "Your points are cast.\nYour points: 6 × Cooking + 3 × Music. Points left: 1 of 10.",
    );
    expect(cast.customIds).toEqual([]);
    expected.set("dana", [6, 0, 3]);
    const stored = await h.deps.db.pollBallot.findMany({ where: { pollId } });
    expect(stored.map((b) => [b.platform, b.choices, b.weight])).toEqual([
      ["discord", [0, 0, 0, 0, 0, 0, 2, 2, 2], 10],
    ]);
    // The poll message is refreshed as before: one voter.
    await until(
      () => discordPost().embeds?.[0]?.fields?.find((f) => f.name === "Voters")?.value === "1",
      "the poll message counting Dana",
    );

    // Dora (silver): 5 points, on Travel; the French fan on Telegram too.
    ballot = await openBallot(dora);
    expect(ballot.content).toContain("Points left: 5 of 5 (at most 6 on one option).");
    for (let n = 0; n < 5; n++) ballot = await step(dora, ballot, "＋2");
    // Out of points: every ＋ is off.
    expect(disabled(ballot)).toEqual(["＋1", "＋2", "＋3", "−1", "−3"]);
    await step(dora, ballot, "Cast my points");
    expected.set("dora", [0, 5, 0]);

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

  it("the private ballot starts from the stored points; cleared and cast empty, the ballot is cleared", async () => {
    let ballot = await openBallot(dana);
    expect(ballot.content).toContain(
      "**1.** Cooking: 6 points\n**2.** Travel: 0 points\n**3.** Music: 3 points",
    );
    expect(ballot.content).toContain("Points left: 1 of 10");
    // Casting the same points again changes nothing (and stores nothing).
    const count = await ballots();
    expect((await step(dana, ballot, "Cast my points")).content).toBe(
      "You had already cast exactly these points: nothing changed.\nYour points: 6 × Cooking + 3 × Music. Points left: 1 of 10.",
    );
    expect(await ballots()).toBe(count);

    ballot = await openBallot(dora);
    ballot = await step(dora, ballot, "Clear");
    expect(ballot.content).toContain("Points left: 5 of 5");
    expect(disabled(ballot)).toEqual(["−1", "−2", "−3", "Clear"]);
    expect((await step(dora, ballot, "Cast my points")).content).toBe(
      "Your ballot is cleared: it counts for nothing until you vote again.",
    );
    const last = await h.deps.db.pollBallot.findFirstOrThrow({
      where: { pollId, platformUserId: dora.id },
      orderBy: { id: "desc" },
    });
    expect(last.choices).toEqual([]);
    // She starts over from nothing, and spreads her points again.
    ballot = await openBallot(dora);
    expect(ballot.content).toContain("**2.** Travel: 0 points");
    for (let n = 0; n < 5; n++) ballot = await step(dora, ballot, "＋2");
    expect((await step(dora, ballot, "Cast my points")).content).toBe(
      "Your points are cast.\nYour points: 5 × Travel. Points left: 0 of 5.",
    );
  });

  it("the linked member votes on both platforms: one ballot, carried from one to the other", async () => {
    let ballot = await openBallot(linD);
    for (let n = 0; n < 4; n++) ballot = await step(linD, ballot, "＋2");
    await step(linD, ballot, "Cast my points");
    expected.set("lin", [0, 4, 0]);
    // On Telegram Lin sees and changes the same ballot: one member, whichever account presses.
    expect(await press(linT, goldChat.id, 1, true)).toMatchObject({
      text: "Your points: 3 × Travel. Points left: 7 of 10.",
    });
    record("lin", 1, -1);
    await press(linT, goldChat.id, 0).then(() => record("lin", 0, 1));
    // Back on Discord, the private ballot starts from what Lin gave on Telegram.
    ballot = await openBallot(linD);
    expect(ballot.content).toContain(
      "**1.** Cooking: 1 point\n**2.** Travel: 3 points\n**3.** Music: 0 points",
    );
    expect(ballot.content).toContain("Points left: 6 of 10");
    ballot = await step(linD, ballot, "＋3");
    expect((await step(linD, ballot, "Cast my points")).content).toBe(
      "Your points are cast; the ones you gave before no longer count.\nYour points: 1 × Cooking + 3 × Travel + 1 × Music. Points left: 5 of 10.",
    );
    record("lin", 2, 1);
    const linBallots = await h.deps.db.pollBallot.findMany({ where: { pollId }, orderBy: { id: "asc" } });
    expect(
      new Set(linBallots.filter((b) => b.platformUserId === linT.id.toString()).map((b) => b.memberId)),
    ).toEqual(new Set(linBallots.filter((b) => b.platformUserId === linD.id).map((b) => b.memberId)));
  });

  it("the ＋/− of a poll message posted before the private ballot still change the stored points", async () => {
    expect((await click(dana, `pv:${pollId}:m0`)).content).toBe(
      "Your points: 5 × Cooking + 3 × Music. Points left: 2 of 10.",
    );
    record("dana", 0, -1);
    expect((await click(dana, `pv:${pollId}:0`)).content).toBe(
      "Your points: 6 × Cooking + 3 × Music. Points left: 1 of 10.",
    );
    record("dana", 0, 1);
    // Its refusals too: Cooking is at the cap.
    expect((await click(dana, `pv:${pollId}:0`)).content).toContain("At most 6 points can go to one option");
  });

  it("refuses forged drafts and presses: over the points, over the cap, malformed, another poll; nothing is stored", async () => {
    const before = await ballots();
    const ballot = await openBallot(dora);
    openedBeforeClose = ballot;
    const id = (draft: string, action: string) => `pb:${pollId}:${draft}:${action}`;
    // Dora (silver) owns 5 points, whatever the id says: a step or a cast past them is refused.
    for (const forged of [id("3.2.0", "p0"), id("4.3.0", "m0"), id("2.2.2", "ok"), id("0.0.6", "ok")]) {
      const refused = await forge(dora, ballot, forged);
      expect(refused, forged).toMatchObject({ ephemeral: true });
      expect(refused.content, forged).toBe("You have 5 points to spread: take some back before you submit.");
      expect(refused.customIds).toEqual([]);
    }
    // A step is checked on the draft it leads to: one point back from one too many is a draft within
    // her points (shown, not stored), so a member whose points dropped since they cast can take
    // points back, as Telegram's − allows.
    expect((await forge(dora, ballot, id("3.3.0", "m0"))).content).toContain("Points left: 0 of 5");
    // Dana owns 10, at most 6 on one option.
    for (const forged of [id("6.0.0", "p0"), id("7.0.0", "ok"), id("7.0.1", "m2")])
      expect((await forge(dana, ballot, forged)).content, forged).toContain(
        "At most 6 points can go to one option",
      );
    // Malformed: the wrong number of options, extra parts, an unknown step or option.
    for (const forged of [
      id("1.0", "ok"),
      id("1.0.0.0", "p0"),
      `${id("1.0.0", "p0")}:x`,
      `pb:${pollId}:1.0.0`,
      id("1.0.0", "p3"),
      id("1.0.0", "x0"),
      id("1.0.0", "OK"),
    ])
      expect((await forge(dana, ballot, forged)).content, forged).toBe("That option is not in this poll.");
    // Not whole counts, or − at 0 (a disabled button).
    for (const forged of [id("1.x.0", "p1"), id("1.-1.0", "ok"), id("1.01.0", "ok"), id("1.0.0", "m1")])
      expect((await forge(dana, ballot, forged)).content, forged).toBe(
        "Points on an option must be a whole number, 0 or more.",
      );
    // A poll that does not exist, a malformed id, a poll of another mode.
    const other = await tribe(
      ["poll", "open"],
      [opt.str("question", "Single?"), opt.str("options", "Yes | No"), opt.str("duration", "2h")],
    );
    expect(other.content).toContain("is open");
    const single = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Single?" } });
    for (const forged of [
      `pb:${crypto.randomUUID()}:1.0.0:ok`,
      `pb:${single.id}:1.0:ok`,
      `pb:${single.id}:1.0:p0`,
    ])
      expect((await forge(dana, ballot, forged)).content, forged).toBe("This poll does not exist any more.");
    expect((await forge(dana, ballot, "pb:not-a-poll:1.0.0:ok")).content).toBe(
      "That option is not in this poll.",
    );
    // Someone who is not a member cannot even open a ballot, nor step through a forged one.
    const stranger = addFan(h, server, "stranger");
    expect((await click(stranger, `pv:${pollId}:b`)).content).toContain("Only members can vote.");
    expect((await forge(stranger, ballot, id("1.0.0", "p1"))).content).toContain("Only members can vote.");
    // The old ＋/− ids, forged: an option the poll lacks, a made-up step, extra parts.
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

  it("once closed, the poll's button is off, and a private ballot still open casts nothing", async () => {
    const before = await ballots();
    await until(
      () => buttonsOf({ message: discordPost() } as Answer)[0]?.disabled === true,
      "the closed poll",
    );
    // Dora's private ballot, opened before the closing, pressed now.
    const ballot = openedBeforeClose!;
    for (const forged of [
      `pb:${pollId}:1.0.0:ok`,
      `pb:${pollId}:1.0.0:p0`,
      `pv:${pollId}:b`,
      `pv:${pollId}:0`,
    ])
      expect((await forge(dana, ballot, forged)).content, forged).toBe(
        "This poll is closed: votes are no longer counted.",
      );
    expect(await ballots()).toBe(before);
  });
});
