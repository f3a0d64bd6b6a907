import type { Message, User } from "@grammyjs/types";
import type { APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectMenu } from "../../standins/discord-payloads.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { parseCsv, startsLikeFormula, unneutralise } from "../../support/csv.ts";
import { until } from "../../support/helpers.ts";
import {
  addFan,
  CREATOR_PERMISSIONS,
  command as discordCommand,
  homeServerWithTier,
  interact,
  joinAndPay,
  opt,
  type Server,
  sub,
} from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  buttons,
  CREATOR,
  creatorBindsChat,
  fanJoins,
  startTelegramHarness,
  command as telegramCommand,
  tg,
} from "../telegram/helpers.ts";

/**
 * CSV formula injection, played end to end: fans write idea titles that a spreadsheet would run as
 * formulas (=HYPERLINK to a phishing site, and the + - @ variants), and wear display names that
 * start with "=". The creator puts the ideas to a poll, the tribe votes from Telegram and Discord,
 * the creator exports the ballots on both platforms and opens the file: no cell starts like a
 * formula, and each reads back as what the fan wrote, with only OWASP's leading quote added.
 */
describe("CSV exports carry no formula into the creator's spreadsheet (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  const chat = supergroup({ title: "Gold Lounge" });
  // Display names are the fans' own words too.
  const mallory = user({ first_name: '=HYPERLINK("http://evil.example/","Claim your prize")' });
  const pat = user({ first_name: "+Pat" });
  const ada = user({ first_name: "-Ada" });
  let dex: APIUser; // Discord, display name starting with "="

  const TITLES = {
    equals: '=HYPERLINK("http://evil.example/","x")',
    plus: '+1+HYPERLINK("http://evil.example/","plus")',
    minus: '-1+HYPERLINK("http://evil.example/","minus")',
    at: '@SUM(1+1)*HYPERLINK("http://evil.example/","at")',
  } as const;
  let pollId = "";

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    ({ server } = await homeServerWithTier(h, { name: "Gold", price: "10" }));
    await creatorBindsChat(h, "gold", chat);
    for (const fan of [mallory, pat, ada]) await fanJoins(h, fan, "gold", chat);
    dex = addFan(h, server, "dex");
    dex.global_name = "=cmd|' /C calc'!A0";
    await joinAndPay(h, server, dex);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  const pollPost = (): Message => {
    const found = tg(h)
      .messages(chat.id)
      .find((m) => buttons(m).some((b) => b.text === TITLES.equals));
    if (!found) throw new Error("the poll is not posted in the Telegram group");
    return found;
  };
  async function press(from: User, label: string) {
    const message = pollPost();
    const button = buttons(message).find((b) => b.text === label) as { callback_data: string } | undefined;
    if (!button) throw new Error(`no button “${label}”`);
    const update = tg(h).pushCallbackQuery({ from, data: button.callback_data, message });
    const id = update.callback_query!.id;
    return until(() => tg(h).callbackAnswers.get(id), `the answer to ${from.first_name}'s press`);
  }

  it("fans propose ideas titled like formulas, from Telegram and Discord; the titles are kept as written", async () => {
    expect((await telegramCommand(h, mallory, "idea", TITLES.equals)).text).toContain(TITLES.equals);
    expect((await telegramCommand(h, pat, "idea", TITLES.plus)).text).toContain(TITLES.plus);
    expect((await telegramCommand(h, ada, "idea", TITLES.minus)).text).toContain(TITLES.minus);
    const fromDiscord = await interact(
      h,
      discordCommand(
        { user: dex, guildId: server.id },
        "idea",
        sub(["propose"], [opt.str("title", TITLES.at)]),
      ),
    );
    expect(fromDiscord.content).toContain(TITLES.at);
    const stored = await h.deps.db.idea.findMany({ orderBy: { createdAt: "asc" } });
    expect(stored.map((i) => i.title)).toEqual(Object.values(TITLES));
  });

  it("the creator puts them to an approval poll; the tribe votes from both platforms", async () => {
    const ids = (await h.deps.db.idea.findMany({ orderBy: { createdAt: "asc" } })).map((i) =>
      i.id.slice(0, 8),
    );
    const opened = await telegramCommand(
      h,
      CREATOR,
      "ideapoll",
      `2h approval ${ids.join(" ")} | Which one next?`,
    );
    expect(opened.text).toContain("is open");
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Which one next?" } });
    pollId = poll.id;
    expect(poll.options).toEqual(Object.values(TITLES));

    expect((await press(mallory, TITLES.equals)).text).toContain("counted");
    expect((await press(mallory, TITLES.plus)).text).toContain("changed");
    expect((await press(pat, TITLES.minus)).text).toContain("counted");
    expect((await press(ada, TITLES.at)).text).toContain("counted");
    const picked = await interact(
      h,
      selectMenu({ customId: `pv:${pollId}:a`, values: ["3", "0"], user: dex, guildId: server.id }),
    );
    expect(picked.content).toContain("is counted");
    expect(await h.deps.db.pollBallot.count({ where: { pollId } })).toBe(5);
    expect((await telegramCommand(h, CREATOR, "closepoll", pollId.slice(0, 8))).text).toContain("closed");
  });

  it("both exports neutralise every cell and read back to the fans' words, minus the one quote", async () => {
    const telegramDoc = await telegramCommand(h, CREATOR, "exportpoll", pollId.slice(0, 8));
    expect(telegramDoc.document?.file_name).toBe(`poll-${pollId.slice(0, 8)}.csv`);
    const fromTelegram = tg(h).documents.at(-1)!.content;

    const exported = await interact(
      h,
      discordCommand(
        { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS },
        "tribe",
        sub(["poll", "export"], [opt.str("poll", pollId.slice(0, 8))]),
      ),
    );
    expect(exported.content).toContain("5 ballots of ");
    const fromDiscord = h.discord.calls.filter((c) => c.files.length > 0).at(-1)!.files[0]!.content;
    expect(fromDiscord).toBe(fromTelegram);

    const [header, ...rows] = parseCsv(fromTelegram);
    expect(header).toEqual(["member", "platform", "choice", "weight", "time"]);
    // What a spreadsheet would evaluate: nothing.
    expect(rows.flat().filter(startsLikeFormula)).toEqual([]);
    // What the creator reads: every ballot, each choice the fans' exact words behind one quote.
    const ballots = await h.deps.db.pollBallot.findMany({
      where: { pollId },
      orderBy: [{ castAt: "asc" }, { id: "asc" }],
    });
    const options = Object.values(TITLES) as string[];
    const written = ballots.map((b) => b.choices.map((c) => options[c]!).join(" + "));
    expect(rows.map((r) => [r[0], r[1], unneutralise(r[2]!)])).toEqual(
      ballots.map((b, i) => [b.memberId, b.platform, written[i]]),
    );
    expect(rows.map((r) => r[2])).toEqual(written.map((w) => `'${w}`));
    expect(written).toEqual([
      TITLES.equals,
      `${TITLES.equals} + ${TITLES.plus}`,
      TITLES.minus,
      TITLES.at,
      `${TITLES.at} + ${TITLES.equals}`,
    ]);
    // The raw text holds no line or field that a spreadsheet would start reading as a formula.
    expect(fromTelegram).not.toMatch(/(^|\r\n|,)"?[=+\-@]/);
  });
});
