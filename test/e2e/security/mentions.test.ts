import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { until } from "../../support/helpers.ts";
import {
  CREATOR_PERMISSIONS,
  command as discordCommand,
  homeServerWithTier,
  interact,
  opt,
  type Server,
  sub,
} from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  creatorBindsChat,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

/**
 * ATTACK: a paying fan writes an idea whose title tries to ping the whole Discord server and to
 * smuggle markup into the bot's messages. The creator puts it to the vote: on Discord the poll
 * message goes out with `allowed_mentions.parse = []` (nobody is pinged), on Telegram the title is
 * shown as the fan typed it, as plain text (no parse mode, so no link, no bold, no broken message).
 */
describe("ATTACK: fan text that pings everyone or carries markup (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let pollChannel: string;
  const lounge = supergroup({ title: "Gold Lounge" });
  const fan = user({ first_name: "Mallory <b>", username: "mallory" });
  const PING = '@everyone <a href="http://evil">x</a>';
  const MARKDOWN = "*bold* _it_ [link](http://evil) `code` <b>b</b> &amp;";

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    ({ server } = await homeServerWithTier(h, { name: "Gold", price: "10" }));
    pollChannel = h.discord.guild(server.id)!.channels[0]!.id;
    await creatorBindsChat(h, "gold", lounge);
    await fanJoins(h, fan, "gold", lounge);
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("the poll built from the fan's ideas pings nobody on Discord and shows the titles verbatim on Telegram", async () => {
    // The fan proposes both ideas from Telegram; the bot's confirmation shows the title as typed.
    const first = await telegramCommand(h, fan, "idea", `${PING} | a description`);
    expect(first.text).toContain(`“${PING}”`);
    const second = await telegramCommand(h, fan, "idea", `${MARKDOWN} | more`);
    expect(second.text).toContain(`“${MARKDOWN}”`);
    const ideas = await h.deps.db.idea.findMany({ orderBy: { createdAt: "asc" } });
    expect(ideas.map((i) => i.title)).toEqual([PING, MARKDOWN]);
    // The list of ideas a fan reads shows them verbatim too (before they go into a poll, which takes
    // them off the list of ideas still open to upvotes).
    const list = await telegramCommand(h, fan, "ideas");
    expect(list.text).toContain(PING);
    expect(list.text).toContain(MARKDOWN);
    const listCall = tg(h)
      .callsOf("sendMessage")
      .filter((c) => Number(c.params.chat_id) === fan.id)
      .at(-1)!;
    expect(listCall.params.parse_mode).toBeUndefined();

    // The creator opens a poll of these two ideas in a Discord channel; it reaches Telegram too.
    const answer = await interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId: pollChannel },
        "tribe",
        sub(
          ["idea", "poll"],
          [
            opt.str("ideas", ideas.map((i) => i.id).join(" ")),
            opt.str("duration", "1h"),
            opt.str("mode", "single"),
          ],
        ),
      ),
    );
    expect(answer.content, answer.content).not.toMatch(/error|wrong/i);

    // Discord: the message posting the poll carries the fan's text and forbids every ping.
    const post = await until(
      () =>
        h.discord.calls.find(
          (c) =>
            c.method === "POST" &&
            c.path === `/channels/${pollChannel}/messages` &&
            JSON.stringify(c.body).includes("@everyone"),
        ),
      "the poll message on Discord",
    );
    expect((post.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(post.body)).toContain(JSON.stringify(PING).slice(1, -1));
    // Every message the bot sent or edited on Discord (poll posts, replies, DMs) forbids pings.
    const writes = h.discord.calls.filter(
      (c) =>
        (c.method === "POST" || c.method === "PATCH") &&
        /\/messages(\/|$)|\/callback$/.test(c.path) &&
        c.body !== undefined,
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      const body = w.body as { allowed_mentions?: unknown; data?: { allowed_mentions?: unknown } };
      const mentions = body.allowed_mentions ?? body.data?.allowed_mentions;
      if (mentions !== undefined) expect(mentions, `${w.method} ${w.path}`).toEqual({ parse: [] });
    }

    // Telegram: the poll message in the bound group shows both titles exactly as typed, as plain text.
    const sent = await until(
      () =>
        tg(h)
          .callsOf("sendMessage")
          .find((c) => Number(c.params.chat_id) === lounge.id && String(c.params.text).includes("📊")),
      "the poll message on Telegram",
    );
    expect(sent.params.parse_mode).toBeUndefined();
    expect((sent.response as { ok: boolean }).ok).toBe(true);
    const shown = tg(h)
      .messages(lounge.id)
      .find((m) => (m.text ?? "").startsWith("📊"))!;
    expect(shown.entities ?? []).toEqual([]);
    const labels = (shown.reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);
    expect(labels).toEqual([PING, MARKDOWN]);
  }, 60_000);
});
