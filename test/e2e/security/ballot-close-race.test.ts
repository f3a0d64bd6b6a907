import type { Message, User } from "@grammyjs/types";
import type { APIMessage, APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCheckout } from "../../../src/app/members/checkout.ts";
import { exportBallotsCsv } from "../../../src/app/polls.ts";
import type { Tally } from "../../../src/core/polls.ts";
import { buttonClick } from "../../standins/discord-payloads.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { parseCsv } from "../../support/csv.ts";
import { sleep, until } from "../../support/helpers.ts";
import {
  addFan,
  CREATOR_PERMISSIONS,
  command as discordCommand,
  homeServerWithTier,
  interact,
  opt,
  type Server,
  sub,
} from "../discord/helpers.ts";
import { BACKENDS, type DualHarness } from "../harness.ts";
import { buttons, creatorBindsChat, startTelegramHarness, tg } from "../telegram/helpers.ts";

const OPTIONS = ["Alpha", "Beta", "Gamma"] as const;

type Voter =
  | { platform: "discord"; fan: APIUser; option: number }
  | { platform: "telegram"; fan: User; option: number };
type Outcome = "counted" | "closed";

/**
 * A ballot racing the closing: the tribe votes from Discord and Telegram while the creator closes
 * the poll. Each ballot is either in the stored result or refused as "poll closed", never stored
 * but left out of the count: the stored tally, the ballots kept and the CSV export all agree with
 * what each voter was told.
 */
describe.each(BACKENDS)("ballots racing the closing of a poll, on %s", (backend) => {
  let h: DualHarness;
  let server: Server;
  let channelId: string;
  const chat = supergroup({ title: "Gold Lounge" });
  const voters: Voter[] = [];

  beforeAll(async () => {
    h = await startTelegramHarness(backend, { discord: true });
    ({ server } = await homeServerWithTier(h, { name: "Gold", price: "10" }));
    channelId = h.discord.guild(server.id)!.channels[0]!.id;
    await creatorBindsChat(h, "gold", chat);
    // 36 paying members, half on each platform; they pay as /join and /start do, all at once.
    for (let i = 0; i < 36; i++) {
      const option = i % OPTIONS.length;
      if (i % 2 === 0) {
        const fan = addFan(h, server);
        voters.push({ platform: "discord", fan, option });
      } else {
        const fan = user();
        tg(h).addUser(fan);
        voters.push({ platform: "telegram", fan, option });
      }
    }
    for (const v of voters) {
      const userId = String(v.fan.id);
      const outcome = await startCheckout(h.deps, {
        who: { platform: v.platform, userId, username: `fan${userId.slice(-4)}`, locale: "en" },
        tier: "gold",
      });
      if (outcome.kind !== "checkout") throw new Error(`expected a checkout, got ${outcome.kind}`);
      h.stripe.completeCheckout(outcome.sessionId);
    }
    const delivered = await h.deliverAll();
    expect(delivered.filter((d) => d.status !== 200)).toEqual([]);
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  const tribe = (path: [string, string], options: Parameters<typeof sub>[1]) =>
    interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS, channelId },
        "tribe",
        sub(path, options),
      ),
    );

  async function openPoll(question: string): Promise<{ id: string; discord: APIMessage; telegram: Message }> {
    const answer = await tribe(
      ["poll", "open"],
      [opt.str("question", question), opt.str("options", OPTIONS.join(" | ")), opt.str("duration", "2h")],
    );
    const { id } = await h.deps.db.poll.findFirstOrThrow({ where: { question } });
    expect(answer.content).toContain(`Poll \`${id.slice(0, 8)}\` is open`);
    const discord = h.discord
      .messages(channelId)
      .find((m) => m.components?.some((r) => JSON.stringify(r).includes(id)));
    const post = await h.deps.db.pollPost.findFirstOrThrow({ where: { pollId: id, platform: "telegram" } });
    const telegram = tg(h)
      .messages(chat.id)
      .find((m) => m.message_id === Number(post.messageId));
    if (!discord || !telegram) throw new Error("the poll is not posted on both platforms");
    return { id, discord, telegram };
  }

  /** One voter's press on their platform, and what the bot told them. */
  async function vote(
    poll: { id: string; discord: APIMessage; telegram: Message },
    v: Voter,
  ): Promise<Outcome> {
    let text: string;
    if (v.platform === "discord") {
      const answer = await interact(
        h,
        buttonClick({
          customId: `pv:${poll.id}:${v.option}`,
          user: v.fan,
          guildId: server.id,
          channelId,
          message: poll.discord,
        }),
      );
      text = answer.content;
    } else {
      const button = buttons(poll.telegram).find((b) => b.text === OPTIONS[v.option]) as {
        callback_data: string;
      };
      const id = tg(h).pushCallbackQuery({ from: v.fan, data: button.callback_data, message: poll.telegram })
        .callback_query!.id;
      text =
        (await until(() => tg(h).callbackAnswers.get(id), `the answer to ${v.fan.first_name}`)).text ?? "";
    }
    if (/is counted|^Vote counted/.test(text)) return "counted";
    if (text.includes("This poll is closed")) return "closed";
    throw new Error(`unexpected answer to a ${v.platform} vote: ${text}`);
  }

  it("votes racing the creator's close are either counted in the stored result or refused as closed; tally, ballots and CSV agree", async () => {
    const identities = await h.deps.db.identity.findMany();
    const memberOf = (v: Voter) =>
      identities.find((i) => i.platform === v.platform && i.platformUserId === String(v.fan.id))!.memberId;

    // Three rounds: 24 votes pressed 8 ms apart, and the creator's close sent with the first of
    // them, a little later, or well into the burst.
    for (const [round, closeAtMs] of [0, 60, 150].entries()) {
      const poll = await openPoll(`Race ${round}?`);
      const early = voters.slice(0, 6);
      const racing = voters.slice(6, 30);
      const late = voters.slice(30);
      const told = new Map<Voter, Outcome>();
      for (const v of early) told.set(v, await vote(poll, v));

      const burst = racing.map(async (v, i) => {
        await sleep(i * 8);
        told.set(v, await vote(poll, v));
      });
      const closing = (async () => {
        await sleep(closeAtMs);
        return tribe(["poll", "close"], [opt.str("poll", poll.id.slice(0, 8))]);
      })();
      const [closed] = await Promise.all([closing, ...burst]);
      expect(closed.content).toContain(`Poll closed: **Race ${round}?**`);
      for (const v of late) told.set(v, await vote(poll, v));

      const counted = voters.filter((v) => told.get(v) === "counted");
      const refused = voters.filter((v) => told.get(v) === "closed");
      expect(counted.length + refused.length).toBe(voters.length);
      expect(early.every((v) => told.get(v) === "counted")).toBe(true);
      expect(late.every((v) => told.get(v) === "closed")).toBe(true);

      // The stored result counts exactly the voters told "counted", with their choice.
      const row = await h.deps.db.poll.findUniqueOrThrow({ where: { id: poll.id } });
      const result = row.result as unknown as Tally & { counts: number[] };
      const byOption = OPTIONS.map((_, o) => counted.filter((v) => v.option === o).length);
      expect({ voters: result.totalVoters, counts: result.counts }).toEqual({
        voters: counted.length,
        counts: byOption,
      });
      // The ballots kept are exactly theirs: none stored for a voter told the poll was closed.
      const ballots = await h.deps.db.pollBallot.findMany({ where: { pollId: poll.id } });
      expect(ballots.map((b) => b.memberId).sort()).toEqual(counted.map(memberOf).sort());
      // The creator's export holds the same ballots, and tallies to the stored result.
      const [header, ...rows] = parseCsv(await exportBallotsCsv(h.deps, poll.id));
      expect(header).toEqual(["member", "platform", "choice", "weight", "time"]);
      expect(rows.map((r) => r[0]).sort()).toEqual(counted.map(memberOf).sort());
      expect(OPTIONS.map((o) => rows.filter((r) => r[2] === o).length)).toEqual(result.counts);
    }
    expect(h.logs.events("discord.interaction.failed")).toEqual([]);
    expect(h.logs.lines.filter((l) => l.level === 50 && String(l.event).startsWith("telegram"))).toEqual([]);
  }, 120_000);
});
