import type { Message, User } from "@grammyjs/types";
import {
  type APIMessage,
  type APIUser,
  ApplicationCommandOptionType,
  InteractionType,
} from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkCode } from "../../../src/app/members/linking.ts";
import { exportBallotsCsv } from "../../../src/app/polls.ts";
import { buttonClick, selectMenu } from "../../standins/discord-payloads.ts";
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
  buttons,
  CREATOR,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

const MINUTE = 60_000;

/**
 * One poll, two platforms: the creator opens it once (from Discord or from Telegram) and it is
 * posted at once in the chosen Discord channel and in the Telegram chats bound to its tiers. The
 * tribe votes from both; a member linked on both platforms counts once (the last ballot wins); a
 * lapsed member is refused; tier weights and the ranked-choice rounds match results computed by
 * hand below; the ranked poll closes on time across a restart (and a ranking cleared before it stays
 * cleared); the results reach both platforms,
 * and the CSV lists every ballot.
 */
describe("one poll on Discord and Telegram at once (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let pollChannel: string;
  const goldChat = supergroup({ title: "Gold Lounge" });
  const silverChat = supergroup({ title: "Silver Lounge" });
  // Discord-only fans, Telegram-only fans, and Lin who pays on Discord and links Telegram.
  let dana: APIUser; // gold, Discord
  let dora: APIUser; // silver, Discord
  let lars: APIUser; // silver, Discord, lapses after the poll opens
  let larsSubscription = "";
  const larsT = user({ first_name: "Lars", language_code: "en" }); // Lars's Telegram account
  let linD: APIUser; // gold, Discord + Telegram (linked)
  const linT = user({ first_name: "Lin", language_code: "en" });
  const tom = user({ first_name: "Tom", language_code: "en" }); // gold, Telegram
  const tess = user({ first_name: "Tess", language_code: "fr" }); // silver, Telegram

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    pollChannel = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    await createTierViaDiscord(h, server, { name: "Silver", price: "5" });
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    await bindNewChat(h, "gold", goldChat);
    await bindNewChat(h, "silver", silverChat);

    dana = addFan(h, server, "dana");
    dora = addFan(h, server, "dora");
    lars = addFan(h, server, "lars");
    linD = addFan(h, server, "lin");
    await pay(h, (await join(h, server, dana, "gold")).sessionId);
    await pay(h, (await join(h, server, dora, "silver")).sessionId);
    larsSubscription = await pay(h, (await join(h, server, lars, "silver")).sessionId);
    await pay(h, (await join(h, server, linD, "gold")).sessionId);
    await fanJoins(h, tom, "gold", goldChat);
    await fanJoins(h, tess, "silver", silverChat);
    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: linD.id });
    tg(h).addUser(linT);
    expect((await telegramCommand(h, linT, "link", code)).text).toContain("Linked!");
    const larsCode = await createLinkCode(h.deps, { platform: "discord", userId: lars.id });
    tg(h).addUser(larsT);
    expect((await telegramCommand(h, larsT, "link", larsCode.code)).text).toContain("Linked!");
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  // --- Discord side -------------------------------------------------------------------------------
  const tribe = (path: [string] | [string, string], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId: pollChannel },
        "tribe",
        sub(path, options),
      ),
    );
  const discordPost = (pollId: string): APIMessage => {
    const found = h.discord
      .messages(pollChannel)
      .find((m) => m.components?.some((r) => JSON.stringify(r).includes(pollId)));
    if (!found) throw new Error(`no Discord message for poll ${pollId}`);
    return found;
  };
  const click = (fan: APIUser, customId: string, pollId: string) =>
    interact(
      h,
      buttonClick({
        customId,
        user: fan,
        guildId: server.id,
        channelId: pollChannel,
        message: discordPost(pollId),
      }),
    );

  // --- Telegram side ------------------------------------------------------------------------------
  const telegramPost = (chatId: number, pollId: string): Message => {
    const id = Number(posts.get(`${pollId}:${chatId}`));
    const found = tg(h)
      .messages(chatId)
      .find((m) => m.message_id === id);
    if (!found) throw new Error(`no Telegram message for poll ${pollId} in ${chatId}`);
    return found;
  };
  /** pollId:chatId → the Telegram message id of the poll (from the ledger's record of its posts). */
  const posts = new Map<string, string>();
  async function loadPosts(pollId: string): Promise<void> {
    for (const p of await h.deps.db.pollPost.findMany({ where: { pollId, platform: "telegram" } }))
      posts.set(`${pollId}:${p.chatId}`, p.messageId);
  }
  async function press(from: User, chatId: number, pollId: string, label: string) {
    const message = telegramPost(chatId, pollId);
    const button = buttons(message).find((b) => b.text === label) as { callback_data: string } | undefined;
    if (!button) throw new Error(`no button “${label}” on the poll in ${chatId}`);
    const update = tg(h).pushCallbackQuery({ from, data: button.callback_data, message });
    const id = update.callback_query!.id;
    return until(() => tg(h).callbackAnswers.get(id), `the answer to ${from.first_name}'s press`);
  }
  const ballots = (pollId: string) => h.deps.db.pollBallot.count({ where: { pollId } });

  let single = "";
  let ranked = "";

  it("the creator picks a Discord poll channel; a poll opened on Discord reaches it and every Telegram chat of its tiers", async () => {
    const settings = await tribe(
      ["settings"],
      [{ type: ApplicationCommandOptionType.Channel, name: "add-poll-channel", value: pollChannel }],
    );
    expect(settings.content).toContain("Saved.");
    expect(JSON.stringify(settings.embeds)).toContain(`<#${pollChannel}>`);

    const answer = await tribe(
      ["poll", "open"],
      [
        opt.str("question", "Next series?"),
        opt.str("options", "Cooking | Travel | Music"),
        opt.str("duration", "2h"),
        opt.str("weights", "gold=2"),
      ],
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Next series?" } });
    single = poll.id;
    expect(answer.content).toContain(`Poll \`${single.slice(0, 8)}\` is open`);
    expect(answer.content).toContain(`Discord: https://discord.com/channels/${server.id}/${pollChannel}/`);
    expect(answer.content).toContain("Telegram: posted in 2 chats.");
    expect(discordPost(single).embeds[0]?.title).toBe("Next series?");
    await loadPosts(single);
    for (const chat of [goldChat, silverChat]) {
      const m = telegramPost(chat.id, single);
      expect(m.text).toContain("📊 Next series?");
      expect(buttons(m).map((b) => b.text)).toEqual(["Cooking", "Travel", "Music"]);
    }
    expect(await h.deps.db.pollPost.count({ where: { pollId: single } })).toBe(3);
  });

  it("members vote from both platforms; the linked member counts once, with their last ballot", async () => {
    expect((await click(dana, `pv:${single}:0`, single)).content).toContain(
      "“Cooking” is counted (weight 2)",
    );
    expect((await click(dora, `pv:${single}:1`, single)).content).toContain("“Travel” is counted (weight 1)");
    expect(await press(tom, goldChat.id, single, "Travel")).toMatchObject({
      text: "Vote counted: Travel (weight 2).",
    });
    expect(await press(tess, silverChat.id, single, "Cooking")).toMatchObject({
      text: "Vote compté : Cooking (poids 1).",
    });
    expect(await press(tess, silverChat.id, single, "Music")).toMatchObject({
      text: "Vote modifié : Music (poids 1).",
    });
    // Lin votes on Discord, then changes their mind on Telegram: one member, one (last) ballot.
    expect((await click(linD, `pv:${single}:0`, single)).content).toContain(
      "“Cooking” is counted (weight 2)",
    );
    expect(await press(linT, goldChat.id, single, "Travel")).toMatchObject({
      text: "Vote changed: Travel (weight 2).",
    });
    expect(await ballots(single)).toBe(7);
  });

  it("a member who lapsed after the poll opened is refused on either platform, the tally unchanged", async () => {
    h.stripe.updateSubscription(larsSubscription, {
      status: "canceled",
      ended_at: Math.floor(h.clock.now().getTime() / 1000),
    });
    await h.deliverAll();
    const answer = await click(lars, `pv:${single}:2`, single);
    expect(answer).toMatchObject({ ephemeral: true });
    expect(answer.content).toContain("Your membership has ended");
    expect(await press(larsT, silverChat.id, single, "Music")).toMatchObject({
      text: "Your membership has ended, so your vote cannot count. Renew it to vote again.",
      show_alert: true,
    });
    expect(await ballots(single)).toBe(7);
  });

  it("live results follow on both platforms; closing posts the weighted result everywhere (computed by hand)", async () => {
    // Hand count, latest ballot per member, gold weighs 2:
    //   Cooking: Dana 2 = 2 · Travel: Dora 1 + Tom 2 + Lin 2 = 5 · Music: Tess 1 = 1 → Travel.
    await until(
      () => (discordPost(single).embeds[0]?.description ?? "").includes("Travel — 5") || undefined,
      "the live tally on Discord",
    );
    await until(
      () => telegramPost(goldChat.id, single).text?.includes("• Travel: 5") || undefined,
      "the live tally in the Telegram group",
    );
    const closed = await tribe(["poll", "close"], [opt.str("poll", single.slice(0, 8))]);
    expect(closed.content).toContain("Poll closed: **Next series?**");
    const row = await h.deps.db.poll.findUniqueOrThrow({ where: { id: single } });
    expect(row.result).toMatchObject({
      counts: [2, 5, 1],
      winners: [1],
      tie: false,
      totalVoters: 5,
      totalWeight: 8,
    });
    await until(
      () => discordPost(single).embeds[0]?.title === "Closed: Next series?" || undefined,
      "the final results on Discord",
    );
    expect(discordPost(single).embeds[0]?.description).toContain("Winner: **Travel**");
    for (const chat of [goldChat, silverChat]) {
      await until(
        () => telegramPost(chat.id, single).text?.includes("Winner: Travel") || undefined,
        `the final results in ${chat.title}`,
      );
      expect(buttons(telegramPost(chat.id, single))).toEqual([]);
    }
  });

  it("the CSV lists every ballot: member, platform, choice, weight, time", async () => {
    const csv = await exportBallotsCsv(h.deps, single);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("member,platform,choice,weight,time");
    const rows = lines.slice(1).map((l) => l.split(","));
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => `${r[1]}:${r[2]}:${r[3]}`)).toEqual([
      "discord:Cooking:2",
      "discord:Travel:1",
      "telegram:Travel:2",
      "telegram:Cooking:1",
      "telegram:Music:1",
      "discord:Cooking:2",
      "telegram:Travel:2",
    ]);
    // Lin's two ballots, one from each platform, belong to the same member.
    expect(rows[5]![0]).toBe(rows[6]![0]);
    // The creator gets the same file from either platform.
    const doc = await telegramCommand(h, CREATOR, "exportpoll", single.slice(0, 8));
    expect(doc.document?.file_name).toBe(`poll-${single.slice(0, 8)}.csv`);
    expect(tg(h).documents.at(-1)?.content).toBe(csv);
  });

  it("commitments: the winner marked in the works, then shipped, is told to every voter on their platform", async () => {
    const inTheWorks = await tribe(
      ["poll", "commit"],
      [opt.str("poll", single.slice(0, 8)), opt.str("stage", "in_the_works")],
    );
    expect(inTheWorks.content).toContain("5");
    const worksEn = "You voted on “Next series?”: “Travel” won, and it is now in the works. Thank you!";
    await h.deliverAll();
    for (const fan of [dana, dora, linD]) {
      await until(
        () => h.discord.dmsTo(fan.id).some((m) => m.content === worksEn) || undefined,
        `the in-the-works DM to ${fan.username}`,
      );
    }
    for (const fan of [tom, linT]) {
      await until(
        () => botMessages(h, fan.id).some((m) => m.text === worksEn) || undefined,
        `the in-the-works message to ${fan.first_name}`,
      );
    }
    await until(
      () => botMessages(h, tess.id).some((m) => m.text?.includes("« Travel » l'a emporté")) || undefined,
      "the French message to Tess",
    );
    // Lars lapsed before voting: he never voted, so he hears nothing.
    expect(h.discord.dmsTo(lars.id).some((m) => m.content.includes("Next series?"))).toBe(false);

    const shipped = await telegramCommand(h, CREATOR, "commit", `${single.slice(0, 8)} shipped`);
    expect(shipped.text).toContain("Travel");
    await until(
      () =>
        h.discord
          .dmsTo(dana.id)
          .some(
            (m) =>
              m.content === "You voted on “Next series?”: “Travel” is out now. Your vote made it happen!",
          ) || undefined,
      "the shipped DM",
    );
  });

  it("a ranked poll opened on Telegram reaches Discord too, and closes on time across a restart with the rounds shown", async () => {
    const reply = await telegramCommand(
      h,
      CREATOR,
      "poll",
      "1h ranked Which city first? | Lisbon | Oslo | Rome",
    );
    expect(reply.text).toContain("Discord: posted in 1 place.");
    expect(reply.text).toContain("Telegram: posted in 2 places.");
    ranked = (await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which city first?" } })).id;
    await loadPosts(ranked);
    expect(discordPost(ranked).embeds[0]?.title).toBe("Which city first?");

    // Discord ranks privately, step by step; the confirmation of the full ranking counts it.
    const start = await click(dana, `pv:${ranked}:r`, ranked);
    expect(start.customIds).toEqual([`pr:${ranked}:`]);
    const step = await interact(
      h,
      selectMenu({
        customId: `pr:${ranked}:`,
        values: ["0"],
        user: dana,
        guildId: server.id,
        channelId: pollChannel,
      }),
    );
    expect(step.customIds).toContain(`pr:${ranked}:0:ok`);
    expect((await click(dana, `pr:${ranked}:012:ok`, ranked)).content).toContain("is counted");
    expect((await click(dora, `pr:${ranked}:120:ok`, ranked)).content).toContain("is counted");
    // Telegram ranks by pressing the options in order.
    for (const [fan, chat, order] of [
      [tom, goldChat, ["Rome", "Oslo", "Lisbon"]],
      [tess, silverChat, ["Rome", "Lisbon", "Oslo"]],
      [linT, goldChat, ["Lisbon", "Rome", "Oslo"]],
    ] as const) {
      for (const city of order) await press(fan, chat.id, ranked, city);
    }
    expect(
      (await h.deps.db.pollBallot.findMany({ where: { pollId: ranked }, orderBy: { id: "asc" } }))
        .filter((b, i, all) => all.findLastIndex((x) => x.memberId === b.memberId) === i)
        .map((b) => b.choices.join("")),
    ).toEqual(["012", "120", "210", "201", "021"]);

    // Lin clears their ranking on Telegram: the clear is stored, so it outlives the restart below.
    expect((await press(linT, goldChat.id, ranked, "Clear my ranking")).text).toContain("Ranking cleared");

    // The process stops; the closing time passes while it is down; it starts again and closes.
    await h.restart();
    await h.discord.waitForReady();
    // After the restart, Lin's next press starts a new ranking (Lisbon alone), not one appended to
    // the old one. Lin's lower ranks never come into play below, so the hand count stands.
    expect((await press(linT, goldChat.id, ranked, "Lisbon")).text).toBe(
      "Vote counted: 1. Lisbon (weight 1).",
    );
    const lin = await h.deps.db.pollBallot.findFirstOrThrow({
      where: { pollId: ranked, platform: "telegram", platformUserId: String(linT.id) },
      orderBy: { id: "desc" },
    });
    expect(lin.choices).toEqual([0]);
    h.clock.advance(61 * MINUTE);
    h.app.wake();
    await expect
      .poll(async () => (await h.deps.db.poll.findUniqueOrThrow({ where: { id: ranked } })).closedAt, {
        timeout: 20_000,
      })
      .not.toBeNull();
    // By hand: first choices Lisbon 2 (Dana, Lin), Oslo 1 (Dora), Rome 2 (Tom, Tess): no majority of
    // 5. Oslo is out; Dora's next choice is Rome → Rome 3, Lisbon 2: Rome wins in round 2.
    const row = await h.deps.db.poll.findUniqueOrThrow({ where: { id: ranked } });
    expect(row.result).toMatchObject({
      winners: [2],
      tie: false,
      totalVoters: 5,
      rounds: [
        {
          counts: [
            { option: 0, weight: 2 },
            { option: 1, weight: 1 },
            { option: 2, weight: 2 },
          ],
          eliminated: [1],
        },
        {
          counts: [
            { option: 0, weight: 2 },
            { option: 2, weight: 3 },
          ],
          eliminated: [],
        },
      ],
    });
    // Announced on both platforms first, then logged as closed by the schedule.
    await expect
      .poll(() => h.logs.events("poll.closed").find((l) => l.pollId === ranked)?.actor)
      .toBe("schedule");
    await until(
      () => (discordPost(ranked).embeds[0]?.description ?? "").includes("Winner: **Rome**") || undefined,
      "the ranked results on Discord",
    );
    expect(discordPost(ranked).embeds[0]?.description).toContain("Round 2");
    for (const chat of [goldChat, silverChat]) {
      await until(
        () => telegramPost(chat.id, ranked).text?.includes("Winner: Rome") || undefined,
        `the ranked results in ${chat.title}`,
      );
      expect(telegramPost(chat.id, ranked).text).toContain("Round 1");
    }
  });
  it("ideas from both platforms: one upvote per member across them, autocomplete, merged and declined with the authors told where they are", async () => {
    const idea = (fan: APIUser, path: [string], options: Parameters<typeof sub>[1]) =>
      interact(
        h,
        discordCommand({ user: fan, guildId: server.id, channelId: pollChannel }, "idea", sub(path, options)),
      );
    expect((await telegramCommand(h, tess, "idea", "Un vlog de voyage | Avec la tribu")).text).toContain(
      "« Un vlog de voyage »",
    );
    expect((await idea(dana, ["propose"], [opt.str("title", "Studio tour")])).content).toContain(
      "Idea proposed: **Studio tour**",
    );
    const travel = await h.deps.db.idea.findFirstOrThrow({ where: { title: "Un vlog de voyage" } });
    const studio = await h.deps.db.idea.findFirstOrThrow({ where: { title: "Studio tour" } });

    // Lin upvotes on Discord; the same member pressing upvote on Telegram is refused.
    expect((await idea(linD, ["upvote"], [opt.str("idea", travel.id)])).content).toContain("1 upvote now.");
    const list = await telegramCommand(h, linT, "ideas");
    const up = buttons(list).find((b) => b.text.includes("Un vlog de voyage")) as { callback_data: string };
    const update = tg(h).pushCallbackQuery({ from: linT, data: up.callback_data, message: list });
    expect(
      await until(() => tg(h).callbackAnswers.get(update.callback_query!.id), "the upvote answer"),
    ).toMatchObject({ show_alert: true, text: "You already upvoted this idea." });
    expect(await h.deps.db.ideaVote.count({ where: { ideaId: travel.id } })).toBe(1);

    // The creator finds ideas by typing part of their title; a shortlist completes with short ids.
    const complete = async (sub2: [string, string], name: string, value: string) => {
      const payload = discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId: pollChannel },
        "tribe",
        sub(sub2, [{ type: ApplicationCommandOptionType.String, name, value, focused: true } as never]),
      );
      const record = h.discord.interaction({
        ...payload,
        type: InteractionType.ApplicationCommandAutocomplete,
      } as never);
      await until(() => record.response, "the autocomplete answer");
      return (record.response as { data: { choices: { name: string; value: string }[] } }).data.choices;
    };
    expect(await complete(["idea", "decide"], "idea", "voyage")).toEqual([
      { name: "Un vlog de voyage (1)", value: travel.id },
    ]);
    const shortlist = await complete(["idea", "poll"], "ideas", `${travel.id.slice(0, 8)} `);
    expect(shortlist.map((c) => c.value)).toContain(`${travel.id.slice(0, 8)} ${studio.id.slice(0, 8)}`);

    // Merged (on Discord) → told on Telegram, in French; declined → told by DM.
    const merged = await tribe(
      ["idea", "decide"],
      [opt.str("idea", travel.id), opt.str("decision", "merged"), opt.str("into", studio.id)],
    );
    expect(merged.content).toContain("is merged");
    expect((await h.deps.db.idea.findUniqueOrThrow({ where: { id: travel.id } })).mergedInto).toBe(studio.id);
    await until(
      () =>
        botMessages(h, tess.id).some(
          (m) => m.text === "Votre idée « Un vlog de voyage » a été fusionnée avec une idée proche.",
        ) || undefined,
      "the merge notice on Telegram",
    );
    // A decline needs the creator's reason; the author reads it.
    const bare = await tribe(
      ["idea", "decide"],
      [opt.str("idea", studio.id), opt.str("decision", "declined")],
    );
    expect(bare.content).toContain("Say why you decline it");
    await tribe(
      ["idea", "decide"],
      [
        opt.str("idea", studio.id),
        opt.str("decision", "declined"),
        opt.str("reason", "The studio is being rebuilt"),
      ],
    );
    await until(
      () =>
        h.discord
          .dmsTo(dana.id)
          .some(
            (m) =>
              m.content ===
              "Your idea “Studio tour” was declined this time. The creator's reason: The studio is being rebuilt\nThank you for proposing it!",
          ) || undefined,
      "the declined DM",
    );
  });
});
