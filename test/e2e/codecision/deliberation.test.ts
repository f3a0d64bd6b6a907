import type { Message } from "@grammyjs/types";
import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scheduleDiscussion } from "../../../src/app/discussions.ts";
import { ROADMAP_BURST_MS } from "../../../src/app/roadmapMessage.ts";
import { THREAD_FROM_MESSAGE_ROUTE, THREAD_ROUTE } from "../../standins/discord.ts";
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
  CREATOR,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

/**
 * Deliberation (issue #16): each poll and each shortlisted idea gets its place to talk about it. On
 * Discord, a thread on each poll message and a thread in the roadmap channel for a shortlisted idea;
 * on Telegram, the poll message in each chat, and a short message of the bot for a shortlisted idea,
 * whose replies are the discussion. The roadmap message (💬 per item) and the public pages link to
 * them, with links built from ids. Opening is a durable task: run again, or taken over after a
 * restart, it opens no second thread; a bot without the thread permission is logged, and the poll
 * goes on. A fan's `@everyone` and `<b>` ping nobody and are shown as typed.
 */
describe("deliberation: a discussion place per poll and shortlisted idea (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let roadmapChannel: string;
  let pollChannel: string;
  /** A private supergroup (t.me/c links) and a public one (t.me/<username> links). */
  const lounge = supergroup({ title: "Gold Lounge" });
  const square = supergroup({ title: "Gold Square", username: "gold_square" });
  const tom = user({ first_name: "Tom", language_code: "en" });
  const HOSTILE = "@everyone <b>Behind</b> the **scenes**";
  const QUESTION = "@everyone <b>Next</b> series?";
  let pollId = "";
  let ideaId = "";
  let dana: ReturnType<typeof addFan>;

  /** A supergroup's id without its -100 (what t.me/c links use). */
  const bare = (chat: { id: number }) => String(chat.id).replace(/^-100/, "");

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h, {
      botPermissions: [
        PermissionFlagsBits.ManageRoles,
        PermissionFlagsBits.ManageChannels,
        PermissionFlagsBits.ViewChannel,
        PermissionFlagsBits.SendMessages,
        PermissionFlagsBits.CreatePublicThreads,
        PermissionFlagsBits.SendMessagesInThreads,
      ],
    });
    roadmapChannel = h.discord.guild(server.id)!.channels[0]!.id;
    const polls = textChannel({ name: "polls" });
    h.discord.addChannel(server.id, polls);
    pollChannel = polls.id;
    await until(() => h.app.discord!.client.channels.cache.has(pollChannel), "the bot to see #polls");
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    for (const chat of [lounge, square]) {
      await bindNewChat(h, "gold", chat);
      tg(h).setBotRights(chat.id, adminRights({ ...BOT_ADMIN_RIGHTS, can_pin_messages: true }));
    }
    await fanJoins(h, tom, "gold", lounge);
    dana = addFan(h, server, "dana");
    await pay(h, (await join(h, server, dana, "gold")).sessionId);
    await tribe(["settings"], [channelOpt("add-poll-channel", pollChannel)]);
    await tribe(["settings"], [channelOpt("roadmap-channel", roadmapChannel)]);
    expect((await telegramCommand(h, CREATOR, "roadmapmsg", "on")).text).toContain(
      "The roadmap message is on",
    );
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

  const places = (kind: "poll" | "idea", id: string) =>
    h.deps.db.discussion.findMany({
      where: { subjectKind: kind, subjectId: id },
      orderBy: [{ platform: "asc" }, { chatId: "asc" }],
    });
  const placeIn = async (kind: "poll" | "idea", id: string, platform: string, chatId: string) =>
    (await places(kind, id)).find((p) => p.platform === platform && p.chatId === chatId);
  const threadCalls = () =>
    h.discord.calls.filter(
      (c) => c.method === "POST" && (c.route === THREAD_FROM_MESSAGE_ROUTE || c.route === THREAD_ROUTE),
    );
  const taskDone = (key: string) =>
    eventually(
      async () => (await h.deps.db.task.findUnique({ where: { key } }))?.state === "done",
      `task ${key} done`,
    );

  const discordRoadmap = () =>
    h.discord.messages(roadmapChannel).find((m) => m.content.startsWith("🗺️ Roadmap"));
  const telegramRoadmap = (chatId: number): Message | undefined =>
    botMessages(h, chatId).find((m) => m.text?.startsWith("🗺️ Roadmap"));
  /** The text_link urls of a Telegram message, each checked to sit on a 💬. */
  const linksOf = (m: Message | undefined): string[] =>
    (m?.entities ?? []).flatMap((e) => {
      if (e.type !== "text_link") return [];
      expect(m!.text!.slice(e.offset, e.offset + e.length)).toBe("💬");
      return [e.url];
    });
  /** Lets the roadmap's coalescing window pass and waits until every place shows what `ready` wants. */
  async function refreshed(ready: () => boolean, what: string): Promise<void> {
    h.clock.advance(ROADMAP_BURST_MS + 1_000);
    h.app.wake();
    await until(ready, what, 20_000);
  }
  const page = async (path: string) => (await fetch(`${h.app.http.url}${path}`)).text();

  it("a poll gets its Discord thread on the poll message and its root message in each Telegram chat; the roadmap links to them", async () => {
    await tribe(
      ["poll", "open"],
      [opt.str("question", QUESTION), opt.str("options", "Cooking | Travel"), opt.str("duration", "1d")],
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: QUESTION } });
    pollId = poll.id;
    const all = await eventually(async () => {
      const rows = await places("poll", pollId);
      return rows.length === 3 ? rows : null;
    }, "the poll's three places");
    const posts = await h.deps.db.pollPost.findMany({ where: { pollId } });
    const postIn = (chatId: string) => posts.find((p) => p.chatId === chatId)!.messageId;
    const message = postIn(pollChannel);
    expect(all).toEqual([
      expect.objectContaining({
        platform: "discord",
        chatId: pollChannel,
        threadId: message,
        guildId: server.id,
        username: null,
      }),
      ...[lounge, square]
        .sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1))
        .map((chat) =>
          expect.objectContaining({
            platform: "telegram",
            chatId: String(chat.id),
            threadId: postIn(String(chat.id)),
            username: chat.username ?? null,
          }),
        ),
    ]);
    // On Discord: a public thread on the poll message itself (its id is the message's), named after
    // the question as typed: a thread name is plain text and pings nobody.
    expect(h.discord.threads(server.id).find((t) => t.id === message)).toMatchObject({
      type: ChannelType.PublicThread,
      parent_id: pollChannel,
      owner_id: h.discord.botUser.id,
      name: QUESTION,
      thread_metadata: { auto_archive_duration: 10080 },
    });
    expect(threadCalls().map((c) => c.path)).toEqual([
      `/channels/${pollChannel}/messages/${message}/threads`,
    ]);
    expect(h.discord.messages(pollChannel).find((m) => m.id === message)?.thread?.id).toBe(message);

    const discordUrl = `https://discord.com/channels/${server.id}/${message}`;
    const loungeUrl = `https://t.me/c/${bare(lounge)}/${postIn(String(lounge.id))}?thread=${postIn(String(lounge.id))}`;
    const squareUrl = `https://t.me/gold_square/${postIn(String(square.id))}?thread=${postIn(String(square.id))}`;
    await refreshed(
      () =>
        !!discordRoadmap()?.content.includes(discordUrl) &&
        linksOf(telegramRoadmap(lounge.id)).includes(loungeUrl) &&
        linksOf(telegramRoadmap(square.id)).includes(squareUrl),
      "the roadmap messages to link to the poll's places",
    );
    // Discord: a Markdown link after the line (no preview); the fan's text escaped as before.
    expect(discordRoadmap()!.content).toContain(`: Cooking · Travel (until <t:`);
    expect(discordRoadmap()!.content).toMatch(new RegExp(`:D>\\) \\[💬\\]\\(<${discordUrl}>\\)\\n`));
    // Telegram: each chat links to its own root message, on a 💬 at the end of the line; plain text.
    const loungeText = telegramRoadmap(lounge.id)!.text!;
    expect(loungeText).toContain(`• ${QUESTION}: Cooking · Travel (until `);
    expect(linksOf(telegramRoadmap(lounge.id))).toEqual([loungeUrl]);
    expect(linksOf(telegramRoadmap(square.id))).toEqual([squareUrl]);
    for (const c of tg(h).callsOf("editMessageText")) expect(c.params.parse_mode).toBeUndefined();

    // The public page of the poll, and the roadmap list, link to every place.
    for (const html of [await page(`/roadmap/${pollId}`), await page("/roadmap")]) {
      expect(html).toContain(`<a class="discuss" href="${discordUrl}" rel="noopener">Discuss on Discord</a>`);
      expect(html).toContain(`href="${loungeUrl}"`);
      expect(html).toContain(`href="${squareUrl}"`);
      expect(html).toContain("Discuss on Telegram (1)");
      expect(html).toContain("Discuss on Telegram (2)");
      expect(html).toContain("@everyone &lt;b&gt;Next&lt;/b&gt; series?");
      expect(html).not.toContain("<b>Next</b>");
    }
    expect(await page(`/roadmap/${pollId}?lang=fr`)).toContain(">En discuter sur Discord</a>");
  });

  it("a shortlisted idea gets a thread in the roadmap channel and a message in each bound chat; the roadmap links to them", async () => {
    const answer = await interact(
      h,
      discordCommand(
        { user: dana, guildId: server.id, channelId: roadmapChannel },
        "idea",
        sub(["propose"], [opt.str("title", HOSTILE)]),
      ),
    );
    expect(answer.content).toContain("Idea proposed");
    ideaId = (await h.deps.db.idea.findFirstOrThrow({ where: { title: HOSTILE } })).id;
    // Proposed only: no place yet.
    expect(await places("idea", ideaId)).toEqual([]);
    const before = threadCalls().length;
    await tribe(["idea", "decide"], [opt.str("idea", ideaId), opt.str("decision", "shortlisted")]);
    const all = await eventually(async () => {
      const rows = await places("idea", ideaId);
      return rows.length === 3 ? rows : null;
    }, "the idea's three places");
    const discord = all.find((p) => p.platform === "discord")!;
    expect(discord).toMatchObject({ chatId: roadmapChannel, guildId: server.id });
    // A thread without a starter message, in the roadmap channel.
    const created = threadCalls().slice(before);
    expect(created.map((c) => [c.path, c.body])).toEqual([
      [`/channels/${roadmapChannel}/threads`, { name: HOSTILE, type: 11, auto_archive_duration: 10080 }],
    ]);
    expect(h.discord.threads(server.id).find((t) => t.id === discord.threadId)).toMatchObject({
      type: ChannelType.PublicThread,
      parent_id: roadmapChannel,
      name: HOSTILE,
    });
    expect(h.discord.messages().some((m) => m.id === discord.threadId)).toBe(false);

    // Telegram: one plain-text message per chat, its replies the discussion.
    const rootIn = (chat: { id: number }) => {
      const row = all.find((p) => p.platform === "telegram" && p.chatId === String(chat.id))!;
      return botMessages(h, chat.id).find((m) => m.message_id === Number(row.threadId));
    };
    for (const chat of [lounge, square])
      expect(rootIn(chat)?.text).toBe(`💬 Shortlisted: ${HOSTILE} — reply to this message to discuss`);
    const sends = tg(h)
      .callsOf("sendMessage")
      .filter((c) => String(c.params.text).startsWith("💬 Shortlisted"));
    expect(sends).toHaveLength(2);
    for (const s of sends) {
      expect(s.params.parse_mode).toBeUndefined();
      expect(s.params.entities).toBeUndefined();
    }
    // A fan's reply to it is a reply in that thread, as Telegram records it.
    const root = rootIn(lounge)!;
    const reply = tg(h).pushMessage({
      message_id: 0,
      date: 0,
      chat: lounge,
      from: tom,
      text: "Yes, show the studio!",
      reply_to_message: { message_id: root.message_id } as never,
    });
    expect(reply.message?.reply_to_message?.message_id).toBe(root.message_id);

    const discordUrl = `https://discord.com/channels/${server.id}/${discord.threadId}`;
    const loungeUrl = `https://t.me/c/${bare(lounge)}/${root.message_id}?thread=${root.message_id}`;
    const squareRoot = rootIn(square)!.message_id;
    const squareUrl = `https://t.me/gold_square/${squareRoot}?thread=${squareRoot}`;
    await refreshed(
      () =>
        !!discordRoadmap()?.content.includes(discordUrl) &&
        linksOf(telegramRoadmap(lounge.id)).includes(loungeUrl) &&
        linksOf(telegramRoadmap(square.id)).includes(squareUrl),
      "the roadmap messages to link to the idea's places",
    );
    expect(discordRoadmap()!.content).toContain(
      `⭐ On the shortlist\n• @everyone <b>Behind</b> the \\*\\*scenes\\*\\* (0 upvotes) [💬](<${discordUrl}>)`,
    );
    expect(telegramRoadmap(lounge.id)!.text).toContain(`⭐ On the shortlist\n• ${HOSTILE} (0 upvotes) 💬`);
    // The roadmap message pinged nobody, on its post and on every edit.
    const writes = h.discord.calls.filter(
      (c) =>
        (c.method === "POST" || c.method === "PATCH") &&
        c.path.startsWith(`/channels/${roadmapChannel}/messages`) &&
        JSON.stringify(c.body ?? {}).includes("Roadmap"),
    );
    expect(writes.length).toBeGreaterThan(1);
    for (const w of writes)
      expect((w.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });

    const html = await page(`/roadmap/${ideaId}`);
    expect(html).toContain(`<a class="discuss" href="${discordUrl}" rel="noopener">Discuss on Discord</a>`);
    expect(html).toContain(`href="${loungeUrl}"`);
    expect(html).toContain(`href="${squareUrl}"`);
    expect(html).toContain("@everyone &lt;b&gt;Behind&lt;/b&gt; the **scenes**");
    expect(html).not.toContain("<b>Behind</b>");
  });

  it("the task run again opens nothing twice: stored places are skipped, and Discord's 160004 means the thread is there", async () => {
    const threads = h.discord.threads(server.id).length;
    const calls = threadCalls().length;
    const shortlistedSends = () =>
      tg(h)
        .callsOf("sendMessage")
        .filter((c) => String(c.params.text).startsWith("💬 Shortlisted")).length;
    const sends = shortlistedSends();
    const runAgain = async (kind: "poll" | "idea", id: string) => {
      const now = h.clock.now();
      await h.deps.db.$transaction((tx) => scheduleDiscussion(tx, { kind, id }, now));
      h.app.wake();
      await taskDone(`discussion:${kind}:${id}`);
    };
    await runAgain("poll", pollId);
    await runAgain("idea", ideaId);
    expect(threadCalls()).toHaveLength(calls);
    expect(h.discord.threads(server.id)).toHaveLength(threads);
    expect(shortlistedSends()).toBe(sends);

    // The thread was opened but the process died before storing it: Discord refuses a second thread
    // on the message (160004), and the one there is stored.
    const before = (await placeIn("poll", pollId, "discord", pollChannel))!;
    await h.deps.db.discussion.delete({
      where: {
        subjectKind_subjectId_platform_chatId: {
          subjectKind: "poll",
          subjectId: pollId,
          platform: "discord",
          chatId: pollChannel,
        },
      },
    });
    await runAgain("poll", pollId);
    const refused = threadCalls().slice(calls);
    expect(refused.map((c) => [c.status, (c.response as { code?: number }).code])).toEqual([[400, 160004]]);
    expect((await placeIn("poll", pollId, "discord", pollChannel))?.threadId).toBe(before.threadId);
    expect(h.discord.threads(server.id)).toHaveLength(threads);
    expect(h.logs.events("discord.discussion.found")).toHaveLength(1);
  });

  it("an idea's opening taken over after a restart finds the thread the dead process opened", async () => {
    const threads = h.discord.threads(server.id).length;
    const before = (await placeIn("idea", ideaId, "discord", roadmapChannel))!;
    // The process opened the thread, then died before storing it, holding the task.
    await h.deps.db.discussion.delete({
      where: {
        subjectKind_subjectId_platform_chatId: {
          subjectKind: "idea",
          subjectId: ideaId,
          platform: "discord",
          chatId: roadmapChannel,
        },
      },
    });
    await h.deps.db.task.update({
      where: { key: `discussion:idea:${ideaId}` },
      data: {
        state: "running",
        attempts: 1,
        leaseOwner: "a-process-that-died",
        leaseUntil: new Date(h.clock.now().getTime() - 1_000),
      },
    });
    await h.restart();
    const calls = threadCalls().length;
    h.app.wake();
    const found = await eventually(
      () => placeIn("idea", ideaId, "discord", roadmapChannel),
      "the idea's thread stored again",
    );
    expect(found.threadId).toBe(before.threadId);
    expect(threadCalls()).toHaveLength(calls);
    expect(h.discord.threads(server.id)).toHaveLength(threads);
    expect(
      h.discord.calls.some((c) => c.method === "GET" && c.path === `/guilds/${server.id}/threads/active`),
    ).toBe(true);
    await taskDone(`discussion:idea:${ideaId}`);
  });

  it("a bot without the thread permission: logged with what to give, not retried, and the poll goes on", async () => {
    // The bot's role taken away, and the thread permissions taken from @everyone (a server that
    // keeps threads to moderators): what is left lets it post, not open threads.
    const everyone = h.discord.guild(server.id)!.roles.find((r) => r.id === server.id)!;
    const threadBits = PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads;
    h.discord.addRole(server.id, {
      ...everyone,
      permissions: String(BigInt(everyone.permissions) & ~threadBits),
    });
    h.discord.setMemberRoles(server.id, h.discord.botUser.id, []);
    const question = "Which day for the live?";
    await tribe(
      ["poll", "open"],
      [opt.str("question", question), opt.str("options", "Monday | Friday"), opt.str("duration", "1d")],
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question } });
    await taskDone(`discussion:poll:${poll.id}`);
    const denied = await until(
      () => h.logs.events("discord.discussion.missing_permission").find((l) => l.channelId === pollChannel),
      "the missing permission logged",
    );
    expect(denied.msg).toContain(
      "give the bot View Channel, Create Public Threads and Send Messages in Threads",
    );
    expect(h.logs.events("discussion.refused").some((l) => l.subjectId === poll.id)).toBe(true);
    const refused = threadCalls()
      .filter((c) => c.path.includes(`/channels/${pollChannel}/messages/`))
      .at(-1)!;
    expect(refused).toMatchObject({ status: 403, response: { code: 50013, message: "Missing Permissions" } });
    // The poll is posted everywhere and its Telegram places exist; only the Discord thread is missing.
    expect(await h.deps.db.pollPost.count({ where: { pollId: poll.id } })).toBe(3);
    expect((await places("poll", poll.id)).map((p) => p.platform)).toEqual(["telegram", "telegram"]);
    const task = await h.deps.db.task.findUniqueOrThrow({ where: { key: `discussion:poll:${poll.id}` } });
    expect(task).toMatchObject({ state: "done", attempts: 1 });
    expect(h.logs.events("task.done").find((l) => l.key === task.key)?.note).toBe("0 opened, 1 refused");
    expect((await h.deps.db.poll.findUniqueOrThrow({ where: { id: poll.id } })).closedAt).toBeNull();
    h.discord.setMemberRoles(server.id, h.discord.botUser.id, [server.botRole.id]);
    h.discord.addRole(server.id, everyone);
  });
});
