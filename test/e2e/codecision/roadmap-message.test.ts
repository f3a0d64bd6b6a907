import { randomUUID } from "node:crypto";
import type { Message } from "@grammyjs/types";
import { ApplicationCommandOptionType, OverwriteType, PermissionFlagsBits } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideIdea, editIdea } from "../../../src/app/ideas.ts";
import {
  ROADMAP_BURST_MS,
  ROADMAP_SHIPPED_DAYS,
  refreshRoadmapSoon,
} from "../../../src/app/roadmapMessage.ts";
import { textChannel } from "../../standins/discord-payloads.ts";
import { adminRights, BOT_ADMIN_RIGHTS, supergroup, user } from "../../standins/telegram-payloads.ts";
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

/**
 * The roadmap message (issue #16): the creator sets a Discord roadmap channel and switches the
 * message on for Telegram; one idea then goes from its proposal to its release, and after each stage
 * the one Discord message (same id, edited) and the one pinned Telegram message (pinned once, same
 * id, edited) show where it stands. A burst of ten changes makes one edit per place; a fan's
 * `@everyone` and Markdown ping nobody and break nothing; a refresh scheduled before a restart runs
 * after it; a chat where the bot may not pin tells the creator what right to give.
 */
describe("the roadmap message on Discord and Telegram (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let roadmapChannel: string;
  const lounge = supergroup({ title: "Gold Lounge" });
  const annex = supergroup({ title: "Gold Annex" });
  const tom = user({ first_name: "Tom", language_code: "en" });
  const HOSTILE = "@everyone **Behind** the [scenes](http://evil)";
  let hostileId = "";
  let otherId = "";
  let pollId = "";

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    roadmapChannel = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    await bindNewChat(h, "gold", lounge);
    // In the lounge the bot may pin messages; in the annex it may not.
    tg(h).setBotRights(lounge.id, adminRights({ ...BOT_ADMIN_RIGHTS, can_pin_messages: true }));
    await bindNewChat(h, "gold", annex);
    await fanJoins(h, tom, "gold", lounge);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  const tribe = (path: [string] | [string, string], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand(
        {
          user: server.owner,
          guildId: server.id,
          permissions: CREATOR_PERMISSIONS,
          channelId: roadmapChannel,
        },
        "tribe",
        sub(path, options),
      ),
    );
  const channelOpt = (name: string, value: string) =>
    ({ type: ApplicationCommandOptionType.Channel, name, value }) as const;

  const post = (platform: "discord" | "telegram", chatId: string) =>
    h.deps.db.roadmapPost.findUnique({ where: { platform_chatId: { platform, chatId } } });
  /** Polls an asynchronous check (a ledger read) until it holds. */
  async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The bot's roadmap message in the roadmap channel (there is one). */
  const discordMessage = () =>
    h.discord.messages(roadmapChannel).find((m) => m.content.startsWith("🗺️ Roadmap"));
  const telegramMessage = (chatId: number): Message | undefined =>
    botMessages(h, chatId).find((m) => m.text?.startsWith("🗺️ Roadmap"));
  const discordWrites = () =>
    h.discord.calls.filter(
      (c) =>
        (c.method === "POST" || c.method === "PATCH") &&
        c.path.startsWith(`/channels/${roadmapChannel}/messages`) &&
        JSON.stringify(c.body ?? {}).includes("Roadmap"),
    );
  const discordEdits = () => discordWrites().filter((c) => c.method === "PATCH");
  const telegramEdits = () =>
    tg(h)
      .callsOf("editMessageText")
      .filter((c) => Number(c.params.chat_id) === lounge.id);
  const telegramSends = (chatId: number) =>
    tg(h)
      .callsOf("sendMessage")
      .filter((c) => Number(c.params.chat_id) === chatId && String(c.params.text).includes("Roadmap"));

  /** Lets the coalescing window pass, then waits until both messages show `text`. */
  async function shown(text: string, what: string): Promise<{ discord: string; telegram: string }> {
    h.clock.advance(ROADMAP_BURST_MS + 1_000);
    h.app.wake();
    const discord = await until(
      () => {
        const m = discordMessage();
        return m?.content.includes(text) ? m.content : undefined;
      },
      `${what} on Discord`,
      20_000,
    );
    const telegram = await until(
      () => {
        const m = telegramMessage(lounge.id);
        return m?.text?.includes(text) ? m.text : undefined;
      },
      `${what} on Telegram`,
      20_000,
    );
    // The annex (not pinned) is edited by the same refresh; then the refresh is over.
    await until(() => telegramMessage(annex.id)?.text?.includes(text), `${what} in the annex`, 20_000);
    // Over: done, or waiting for a time ahead (when a shipped item leaves "shipped recently").
    await eventually(async () => {
      const task = await h.deps.db.task.findUnique({ where: { key: "roadmap:refresh" } });
      return task?.state === "done" || (task?.state === "pending" && task.runAfter > h.clock.now());
    }, "the refresh to finish");
    return { discord, telegram };
  }

  let discordId = "";
  let telegramId = 0;
  /** The same two messages as at first, each sent once, the Telegram one still pinned. */
  async function sameMessages(): Promise<void> {
    expect((await post("discord", roadmapChannel))?.messageId).toBe(discordId);
    expect((await post("telegram", String(lounge.id)))?.messageId).toBe(String(telegramId));
    expect(discordWrites().filter((c) => c.method === "POST")).toHaveLength(1);
    expect(telegramSends(lounge.id)).toHaveLength(1);
    expect(tg(h).pinnedMessages(lounge.id)).toEqual([telegramId]);
    expect(
      tg(h)
        .callsOf("pinChatMessage")
        .filter((c) => Number(c.params.chat_id) === lounge.id),
    ).toHaveLength(1);
  }

  it("a roadmap channel the bot cannot post in is refused with the permissions to give", async () => {
    const closed = textChannel({
      permission_overwrites: [
        {
          id: server.botRole.id,
          type: OverwriteType.Role,
          allow: "0",
          deny: String(PermissionFlagsBits.SendMessages),
        },
      ],
    });
    h.discord.addChannel(server.id, closed);
    await until(() => h.app.discord!.client.channels.cache.has(closed.id), "the bot to see the channel");
    const answer = await tribe(["settings"], [channelOpt("roadmap-channel", closed.id)]);
    expect(answer.content).toContain(`I cannot post in <#${closed.id}>`);
    expect(answer.content).toContain("View Channel and Send Messages");
    expect(answer.content).toContain("The roadmap channel was not changed.");
    expect(await h.deps.db.setting.findUnique({ where: { key: "roadmapDiscordChannelId" } })).toBeNull();
  });

  it("the creator sets the roadmap channel: the message is posted there, with the public roadmap's link", async () => {
    const answer = await tribe(["settings"], [channelOpt("roadmap-channel", roadmapChannel)]);
    expect(answer.content).toContain("Saved.");
    expect(JSON.stringify(answer.embeds)).toContain(`<#${roadmapChannel}>`);
    h.clock.advance(ROADMAP_BURST_MS + 1_000);
    h.app.wake();
    const message = await until(() => discordMessage(), "the roadmap message on Discord", 20_000);
    discordId = message.id;
    expect(message.content).toBe(
      [
        "🗺️ Roadmap: what the tribe decides",
        "",
        "Nothing on the roadmap yet: members propose ideas with /idea.",
        "",
        "The whole roadmap: <https://tribe.example.test/roadmap>",
      ].join("\n"),
    );
    await until(
      () => h.logs.events("roadmap.message.sent").some((l) => l.platform === "discord"),
      "the log of the post",
    );
    expect((await eventually(() => post("discord", roadmapChannel), "the stored post")).messageId).toBe(
      discordId,
    );
  });

  it("/roadmapmsg on pins the message in each bound Telegram chat, silently; where it cannot pin, the creator is told", async () => {
    expect((await telegramCommand(h, CREATOR, "roadmapmsg", "maybe")).text).toMatch(/^Usage: \/roadmapmsg/);
    const seen = botMessages(h, CREATOR.id).length;
    const on = await telegramCommand(h, CREATOR, "roadmapmsg", "on");
    expect(on.text).toContain("The roadmap message is on");
    h.clock.advance(ROADMAP_BURST_MS + 1_000);
    h.app.wake();
    const message = await until(
      () => telegramMessage(lounge.id),
      "the roadmap message in the lounge",
      20_000,
    );
    telegramId = message.message_id;
    await eventually(() => post("telegram", String(lounge.id)), "the lounge's post");
    expect(message.text).toContain("🗺️ Roadmap: what the tribe decides");
    expect(message.text).toContain("The whole roadmap: https://tribe.example.test/roadmap");
    const sent = telegramSends(lounge.id)[0]!;
    expect(sent.params.disable_notification).toBe(true);
    expect(sent.params.parse_mode).toBeUndefined();
    await until(() => tg(h).pinnedMessages(lounge.id).length > 0, "the pin in the lounge");
    expect(tg(h).pinnedMessages(lounge.id)).toEqual([telegramId]);
    const pin = tg(h)
      .callsOf("pinChatMessage")
      .find((c) => Number(c.params.chat_id) === lounge.id)!;
    expect(pin.params.disable_notification).toBe(true);

    // The annex: posted, not pinned (no right to pin), and the creator hears what to give.
    await until(() => telegramMessage(annex.id), "the roadmap message in the annex", 20_000);
    expect(tg(h).pinnedMessages(annex.id)).toEqual([]);
    expect((await eventually(() => post("telegram", String(annex.id)), "the annex's post")).pinned).toBe(
      false,
    );
    const alert = await until(
      () =>
        botMessages(h, CREATOR.id)
          .slice(seen)
          .find((m) => m.text?.includes("cannot pin it")),
      "the creator's alert about the annex",
    );
    expect(alert.text).toContain("“Gold Annex”");
    expect(alert.text).toContain("the right to pin messages");
    expect(h.logs.events("roadmap.message.pin_failed")).not.toHaveLength(0);
    await sameMessages();
  });

  it("an idea from its proposal to its release: after each stage both messages, edited in place, show it", async () => {
    const dana = addFan(h, server, "dana");
    await pay(h, (await join(h, server, dana, "gold")).sessionId);
    const idea = (options: Parameters<typeof sub>[1]) =>
      interact(
        h,
        discordCommand(
          { user: dana, guildId: server.id, channelId: roadmapChannel },
          "idea",
          sub(["propose"], options),
        ),
      );
    expect((await idea([opt.str("title", HOSTILE)])).content).toContain("Idea proposed");
    expect((await idea([opt.str("title", "Live Q&A")])).content).toContain("Idea proposed");
    hostileId = (await h.deps.db.idea.findFirstOrThrow({ where: { title: HOSTILE } })).id;
    otherId = (await h.deps.db.idea.findFirstOrThrow({ where: { title: "Live Q&A" } })).id;
    await shown("💡 2 ideas wait for the creator's decision.", "the proposals");
    await sameMessages();

    // Shortlisted: the fan's title, escaped on Discord (no bold, no link), verbatim on Telegram.
    await tribe(["idea", "decide"], [opt.str("idea", hostileId), opt.str("decision", "shortlisted")]);
    const shortlist = await shown("⭐ On the shortlist", "the shortlist");
    expect(shortlist.discord).toContain(
      "• @everyone \\*\\*Behind\\*\\* the \\[scenes](http://evil) (0 upvotes)",
    );
    expect(shortlist.discord).not.toContain("**Behind**");
    expect(shortlist.telegram).toContain(`• ${HOSTILE} (0 upvotes)`);
    await sameMessages();

    // In a poll, with its closing date.
    await tribe(
      ["idea", "poll"],
      [opt.str("ideas", `${hostileId.slice(0, 8)} ${otherId.slice(0, 8)}`), opt.str("duration", "1d")],
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { ideaIds: { has: hostileId } } });
    pollId = poll.id;
    const voting = await shown("🗳️ Voting now", "the poll");
    expect(voting.telegram).toContain(`• What should I make next?: ${HOSTILE} · Live Q&A (until `);
    expect(voting.discord).toContain(`(until <t:${Math.floor(poll.closesAt.getTime() / 1000)}:D>)`);
    expect(voting.telegram).not.toContain("⭐ On the shortlist");
    await sameMessages();

    // Tom votes for it in the lounge; the poll closes and it wins.
    const pollPost = await h.deps.db.pollPost.findFirstOrThrow({
      where: { pollId, platform: "telegram", chatId: String(lounge.id) },
    });
    const pollMessage = tg(h)
      .messages(lounge.id)
      .find((m) => m.message_id === Number(pollPost.messageId))!;
    const choice = buttons(pollMessage)[0] as { callback_data: string };
    const press = tg(h).pushCallbackQuery({ from: tom, data: choice.callback_data, message: pollMessage });
    await until(() => tg(h).callbackAnswers.get(press.callback_query!.id), "Tom's vote");
    await tribe(["poll", "close"], [opt.str("poll", pollId.slice(0, 8))]);
    const won = await shown("won its poll", "the winner");
    expect(won.telegram).toContain(`🛠️ Won, in the works\n• ${HOSTILE}: won its poll`);
    expect(won.telegram).not.toContain("Voting now");
    await sameMessages();

    await tribe(["poll", "commit"], [opt.str("poll", pollId.slice(0, 8)), opt.str("stage", "in_the_works")]);
    const works = await shown(": in the works", "in the works");
    expect(works.telegram).toContain(`• ${HOSTILE}: in the works`);
    await sameMessages();

    expect((await telegramCommand(h, CREATOR, "commit", `${pollId.slice(0, 8)} shipped`)).text).toContain(
      "is now marked shipped",
    );
    const shipped = await shown("🚀 Shipped recently", "the release");
    expect(shipped.telegram).toContain(`🚀 Shipped recently\n• ${HOSTILE} (`);
    expect(shipped.telegram).not.toContain("in the works");
    await sameMessages();

    // The refresh that showed the release waits for the day it leaves "shipped recently"; a change
    // before then brings the refresh forward (one task, the earliest time wins).
    const waiting = await h.deps.db.task.findUniqueOrThrow({ where: { key: "roadmap:refresh" } });
    expect(waiting.state).toBe("pending");
    expect(waiting.runAfter.getTime() - h.clock.now().getTime()).toBeGreaterThan(29 * 86_400_000);
    await refreshRoadmapSoon(h.deps);
    const sooner = await h.deps.db.task.findUniqueOrThrow({ where: { key: "roadmap:refresh" } });
    expect(sooner.runAfter.getTime() - h.clock.now().getTime()).toBeLessThanOrEqual(ROADMAP_BURST_MS);
    await shown("🚀 Shipped recently", "the release, refreshed again");
    const again = await h.deps.db.task.findUniqueOrThrow({ where: { key: "roadmap:refresh" } });
    expect(again.runAfter.getTime()).toBe(waiting.runAfter.getTime());

    // A month later, with nothing else changed, the release leaves "shipped recently" by itself.
    h.clock.advance(ROADMAP_SHIPPED_DAYS * 86_400_000);
    h.app.wake();
    await until(
      () =>
        !discordMessage()?.content.includes("Shipped recently") &&
        !telegramMessage(lounge.id)?.text?.includes("Shipped recently"),
      "the release gone from both messages",
      20_000,
    );
    await sameMessages();

    // Every post and edit of the Discord message forbade pings.
    expect(discordWrites().length).toBeGreaterThan(5);
    for (const w of discordWrites())
      expect((w.body as { allowed_mentions?: unknown }).allowed_mentions, `${w.method} ${w.path}`).toEqual({
        parse: [],
      });
    // Telegram: plain text, never a parse mode.
    for (const e of telegramEdits()) expect(e.params.parse_mode).toBeUndefined();
  });

  it("a burst of ten changes within the window makes one edit per place, not ten", async () => {
    const dana = await h.deps.db.identity.findFirstOrThrow({ where: { platform: "discord" } });
    const ids: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const id = randomUUID();
      ids.push(id);
      await h.deps.db.idea.create({
        data: {
          id,
          title: `Burst idea ${i}`,
          description: "",
          authorMemberId: dana.memberId,
          status: "proposed",
        },
      });
    }
    const discordBefore = discordEdits().length;
    const telegramBefore = telegramEdits().length;
    const edited = () =>
      h.logs
        .events("roadmap.message.edited")
        .filter((l) => l.platform === "discord" || l.chatId === String(lounge.id)).length;
    const editedBefore = edited();
    for (const id of ids) await decideIdea(h.deps, id, "shortlisted");
    await shown("• Burst idea 10 (0 upvotes)", "the burst");
    // One more pass of the worker, in case a second refresh were pending: there is none.
    h.clock.advance(ROADMAP_BURST_MS + 1_000);
    h.app.wake();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(discordEdits().length - discordBefore).toBe(1);
    expect(telegramEdits().length - telegramBefore).toBe(1);
    expect(edited() - editedBefore).toBe(2);
    await sameMessages();
  });

  it("a refresh scheduled before a restart runs after it (the task is durable)", async () => {
    const before = discordEdits().length;
    // The change is dated a minute ahead: its refresh cannot come due before the restart is done.
    const ahead = { ...h.deps, clock: { now: () => new Date(h.clock.now().getTime() + 60_000) } };
    const burst = await h.deps.db.idea.findFirstOrThrow({ where: { title: "Burst idea 1" } });
    await editIdea(ahead, burst.id, { title: "Burst idea one" }, "test");
    await h.restart();
    expect(await h.deps.db.task.findUnique({ where: { key: "roadmap:refresh" } })).toMatchObject({
      state: "pending",
    });
    expect(discordEdits().length).toBe(before);
    h.clock.advance(60_000);
    const after = await shown("• Burst idea one (0 upvotes)", "the refresh after the restart");
    expect(after.discord).not.toContain("• Burst idea 1 (");
    expect(discordEdits().length - before).toBe(1);
    await sameMessages();
  });
});
