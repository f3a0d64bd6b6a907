import { ApplicationCommandOptionType } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closePoll, POLL_RESULTS_LEASE_MS } from "../../../src/app/polls.ts";
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
  CREATOR,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

/**
 * Showing a closed poll's results (the final edit, then the results chart) is a durable task per
 * platform, written (held by the closing process) in the closing's transaction: a process that dies
 * right after a poll closed, before the charts were posted, leaves them to the next one, which posts
 * each once when the lease has run out.
 */
describe("a closed poll's results survive a restart (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let pollChannel: string;
  const lounge = supergroup({ title: "Gold Lounge" });
  const tom = user({ first_name: "Tom", language_code: "en" });

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
    const dana = addFan(h, server, "dana");
    await pay(h, (await join(h, server, dana, "gold")).sessionId);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  const tribe = (path: [string] | [string, string], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId: pollChannel },
        "tribe",
        sub(path, options),
      ),
    );

  it("a poll closed just before a stop gets its charts after the restart, once on each platform", async () => {
    await tribe(
      ["settings"],
      [{ type: ApplicationCommandOptionType.Channel, name: "add-poll-channel", value: pollChannel }],
    );
    await tribe(
      ["poll", "open"],
      [
        opt.str("question", "Next series?"),
        opt.str("options", "Cooking | Travel"),
        opt.str("duration", "2h"),
      ],
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Next series?" } });
    const png = `poll-${poll.id.slice(0, 8)}.png`;
    const discordCharts = () => h.discord.calls.filter((c) => c.files.some((f) => f.name === png));
    const telegramCharts = () => tg(h).photos.filter((p) => p.chatId === lounge.id && p.fileName === png);

    // The process closing the poll stops before showing the results: its platforms never answer
    // (as if it had died right after the closing committed).
    const stuck = (name: "discord" | "telegram") => ({
      name,
      polls: {
        publish: () => Promise.reject(new Error("unused")),
        refresh: () => undefined,
        closed: () => new Promise<void>(() => undefined),
      },
    });
    void closePoll({ ...h.app.services, platforms: [stuck("discord"), stuck("telegram")] }, poll.id, {
      actor: "test",
    });
    const running = async () =>
      (await h.deps.db.task.findMany({ where: { kind: "poll.results" }, orderBy: { key: "asc" } })).map(
        (t) => [t.key, t.state],
      );
    for (let i = 0; i < 200 && (await running()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await running()).toEqual([
      [`poll:results:${poll.id}:discord`, "running"],
      [`poll:results:${poll.id}:telegram`, "running"],
    ]);
    await h.restart();
    expect(discordCharts()).toHaveLength(0);
    expect(telegramCharts()).toHaveLength(0);

    // Once the dead process's lease has run out, the new one shows them.
    h.clock.advance(POLL_RESULTS_LEASE_MS + 1_000);
    h.app.wake();
    await until(() => discordCharts().length > 0, "the chart on Discord", 20_000);
    await until(() => telegramCharts().length > 0, "the chart on Telegram", 20_000);
    // The poll's messages show the final results too.
    const tgPost = await h.deps.db.pollPost.findFirstOrThrow({
      where: { pollId: poll.id, platform: "telegram" },
    });
    const tgMessage = tg(h)
      .messages(lounge.id)
      .find((m) => m.message_id === Number(tgPost.messageId));
    expect(tgMessage?.reply_markup).toBeUndefined();

    // Done once: neither another pass of the worker nor another restart posts them again.
    await until(() => h.logs.events("poll.results_shown").length >= 2, "both results tasks done", 20_000);
    await h.restart();
    h.clock.advance(61_000);
    h.app.wake();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(discordCharts()).toHaveLength(1);
    expect(telegramCharts()).toHaveLength(1);
    const done = await h.deps.db.task.findMany({ where: { kind: "poll.results" } });
    expect(done.map((t) => t.state)).toEqual(["done", "done"]);
  });
});
