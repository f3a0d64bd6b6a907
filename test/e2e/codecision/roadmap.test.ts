import type { Message, User } from "@grammyjs/types";
import type { APIMessage, APIUser } from "discord-api-types/v10";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buttonClick } from "../../standins/discord-payloads.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import {
  DESKTOP,
  launchBrowser,
  newVisitor,
  PHONE,
  screenshot,
  seriousViolations,
} from "../../support/browser.ts";
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

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** A PNG's width and height (IHDR), after checking its signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Co-creation the tribe can see: one idea from its proposal to its release, across Discord and
 * Telegram. The author picks the name they are credited by (hostile text, shown escaped), fans
 * upvote and take upvotes back on both platforms, the creator shortlists it, polls it with another
 * idea (both enter the poll), the tribe votes, the poll closes (the winner won, the other lost, the
 * author told and credited, the results chart posted as a PNG on both platforms), the winner goes in
 * the works then ships (voters and upvoters told), another idea is declined with a reason. The
 * public roadmap shows each stage with its date, in a real browser.
 */
describe("an idea from proposal to shipped, on both platforms and the roadmap (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let pollChannel: string;
  const goldChat = supergroup({ title: "Gold Lounge" });
  let dana: APIUser; // Discord, author of the winning idea
  let dora: APIUser; // Discord, upvotes then takes it back, votes
  const tom = user({ first_name: "Tom", language_code: "en" }); // Telegram, author of the other idea, upvoter
  const tess = user({ first_name: "Tess", language_code: "fr" }); // Telegram, votes
  const CREDIT = "Dana <b>@everyone</b>";
  let winnerId = "";
  let otherId = "";
  let declinedId = "";
  let pollId = "";

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    pollChannel = h.discord.guild(server.id)!.channels[0]!.id;
    await createTierViaDiscord(h, server, { name: "Gold", price: "10" });
    tg(h).addUser(CREATOR);
    await telegramCommand(h, CREATOR, "start");
    await bindNewChat(h, "gold", goldChat);
    dana = addFan(h, server, "dana");
    dora = addFan(h, server, "dora");
    await pay(h, (await join(h, server, dana, "gold")).sessionId);
    await pay(h, (await join(h, server, dora, "gold")).sessionId);
    await fanJoins(h, tom, "gold", goldChat);
    await fanJoins(h, tess, "gold", goldChat);
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
  const idea = (fan: APIUser, path: [string], options: Parameters<typeof sub>[1] = []) =>
    interact(
      h,
      discordCommand({ user: fan, guildId: server.id, channelId: pollChannel }, "idea", sub(path, options)),
    );
  async function press(from: User, message: Message, data: string) {
    const update = tg(h).pushCallbackQuery({ from, data, message });
    const id = update.callback_query!.id;
    return until(() => tg(h).callbackAnswers.get(id), `the answer to ${from.first_name}'s press`);
  }
  const status = async (id: string) => (await h.deps.db.idea.findUniqueOrThrow({ where: { id } })).status;
  const dmSaid = (u: APIUser, text: string, what: string) =>
    until(() => h.discord.dmsTo(u.id).find((m) => m.content.includes(text)), what);
  const telegramSaid = (u: User, text: string, what: string) =>
    until(() => botMessages(h, u.id).find((m) => m.text?.includes(text)), what);

  it("fans choose how they are credited: a name (checked, kept as typed) or anonymous", async () => {
    expect((await idea(dana, ["credit"], [opt.str("name", "x")])).content).toContain(
      "Your name must be 2 to 32 characters",
    );
    expect((await idea(dana, ["credit"], [opt.str("name", CREDIT)])).content).toContain(
      `credited to “${CREDIT}”`,
    );
    expect((await telegramCommand(h, tom, "credit", "-")).text).toBe(
      "Your ideas are now credited anonymously on the roadmap.",
    );
    const member = await h.deps.db.identity.findFirstOrThrow({
      where: { platformUserId: dana.id },
      include: { member: true },
    });
    expect(member.member.creditName).toBe(CREDIT);
  });

  it("ideas are proposed on both platforms; upvotes can be taken back on both", async () => {
    expect((await idea(dana, ["propose"], [opt.str("title", "Behind the scenes")])).content).toContain(
      "Idea proposed",
    );
    await telegramCommand(h, tom, "idea", "Q&A live | every month");
    await idea(dora, ["propose"], [opt.str("title", "Studio tour")]);
    winnerId = (await h.deps.db.idea.findFirstOrThrow({ where: { title: "Behind the scenes" } })).id;
    otherId = (await h.deps.db.idea.findFirstOrThrow({ where: { title: "Q&A live" } })).id;
    declinedId = (await h.deps.db.idea.findFirstOrThrow({ where: { title: "Studio tour" } })).id;
    expect(await status(winnerId)).toBe("proposed");

    // Discord: upvote, take it back, and again (nothing left to take back).
    expect((await idea(dora, ["upvote"], [opt.str("idea", winnerId)])).content).toContain("1 upvote now");
    expect((await idea(dora, ["unvote"], [opt.str("idea", winnerId)])).content).toBe(
      "Upvote taken back from “Behind the scenes”: 0 upvotes now.",
    );
    expect((await idea(dora, ["unvote"], [opt.str("idea", winnerId)])).content).toContain(
      "You have not upvoted this idea",
    );
    // Telegram: the list offers an upvote and a take-back button per idea.
    const list = await telegramCommand(h, tom, "ideas");
    const row = buttons(list);
    const up = row.find((b) => b.text === "👍 Behind the scenes") as { callback_data: string };
    const index = row.indexOf(up as never);
    const back = row[index + 1] as { text: string; callback_data: string };
    expect(back.text).toBe("↩️ Take back");
    expect(await press(tom, list, up.callback_data)).toMatchObject({ text: "Upvoted: 1 upvote." });
    expect(await press(tom, list, back.callback_data)).toMatchObject({
      text: "Upvote taken back from “Behind the scenes”: 0 upvotes now.",
    });
    expect(await press(tom, list, up.callback_data)).toMatchObject({ text: "Upvoted: 1 upvote." });
    const stored = await h.deps.db.idea.findUniqueOrThrow({ where: { id: winnerId } });
    expect(stored.voteCount).toBe(1);
    expect(await h.deps.db.ideaVote.count({ where: { ideaId: winnerId } })).toBe(1);
  });

  it("the creator declines an idea with a reason (its author reads it) and shortlists another", async () => {
    const bare = await telegramCommand(h, CREATOR, "decide", `${declinedId.slice(0, 8)} declined`);
    expect(bare.text).toContain("Say why you decline it");
    expect(await status(declinedId)).toBe("proposed");
    const done = await telegramCommand(
      h,
      CREATOR,
      "decide",
      `${declinedId.slice(0, 8)} declined The studio is being rebuilt this year`,
    );
    expect(done.text).toContain("is now declined");
    const declined = await h.deps.db.idea.findUniqueOrThrow({ where: { id: declinedId } });
    expect([declined.status, declined.declineReason]).toEqual([
      "declined",
      "The studio is being rebuilt this year",
    ]);
    await dmSaid(
      dora,
      "The creator's reason: The studio is being rebuilt this year",
      "the decline DM with its reason",
    );
    // A declined idea takes no more upvotes, and cannot go into a poll.
    expect((await idea(dana, ["upvote"], [opt.str("idea", declinedId)])).content).toContain(
      "This idea is declined",
    );

    const shortlisted = await tribe(
      ["idea", "decide"],
      [opt.str("idea", winnerId), opt.str("decision", "shortlisted")],
    );
    expect(shortlisted.content).toContain("is shortlisted");
    expect(await status(winnerId)).toBe("shortlisted");
    await dmSaid(dana, "is on the creator's shortlist", "the shortlist DM");
  });

  it("fans read their own ideas and where each stands; the creator fixes a typo from either platform", async () => {
    // Dora (Discord) proposed the declined idea: she reads its status and the creator's reason.
    const dorasList = (await idea(dora, ["mine"])).content;
    expect(dorasList).toBe(
      [
        "**Ideas you proposed**",
        `• Studio tour: declined, 0 upvotes (\`${declinedId.slice(0, 8)}\`). The creator's reason: The studio is being rebuilt this year`,
      ].join("\n"),
    );
    // Tom (Telegram) proposed one and backs another, proposed on Discord: both, each with its stage.
    expect((await telegramCommand(h, tom, "myideas")).text).toBe(
      [
        "Ideas you proposed",
        `• Q&A live: proposed, 0 upvotes (${otherId.slice(0, 8)})`,
        "",
        "Ideas you back",
        `• Behind the scenes: shortlisted, 1 upvote (${winnerId.slice(0, 8)})`,
      ].join("\n"),
    );
    // Tess (Telegram, French) has none yet; then proposes one with a typo.
    expect((await telegramCommand(h, tess, "myideas")).text).toBe(
      "Vous n'avez encore proposé ni soutenu aucune idée.",
    );
    await telegramCommand(h, tess, "idea", "Podcsat en direct | un épisode par mois");
    const typo = await h.deps.db.idea.findFirstOrThrow({ where: { title: "Podcsat en direct" } });

    // A fan cannot edit (Discord's /tribe is the creator's; Telegram's /editidea too).
    const refused = await interact(
      h,
      discordCommand(
        { user: dora, guildId: server.id, channelId: pollChannel },
        "tribe",
        sub(["idea", "edit"], [opt.str("idea", typo.id), opt.str("title", "Mine now")]),
      ),
    );
    expect(refused.content).not.toContain("Idea updated");
    await telegramCommand(h, tom, "editidea", `${typo.id.slice(0, 8)} Mine now`);
    expect((await h.deps.db.idea.findUniqueOrThrow({ where: { id: typo.id } })).title).toBe(
      "Podcsat en direct",
    );

    // The creator fixes the title on Discord, then the description alone on Telegram.
    expect(
      (await tribe(["idea", "edit"], [opt.str("idea", typo.id), opt.str("title", "Podcast en direct")]))
        .content,
    ).toBe("Idea updated: “Podcast en direct”.");
    expect((await tribe(["idea", "edit"], [opt.str("idea", typo.id)])).content).toBe(
      "Give the new title, the new description, or both.",
    );
    expect((await tribe(["idea", "edit"], [opt.str("idea", typo.id), opt.str("title", "P")])).content).toBe(
      "An idea's title must be 3 to 100 characters.",
    );
    expect(
      (await telegramCommand(h, CREATOR, "editidea", `${typo.id.slice(0, 8)} | deux épisodes par mois`)).text,
    ).toBe("Idea updated: “Podcast en direct”.");
    expect((await telegramCommand(h, CREATOR, "editidea", typo.id.slice(0, 8))).text).toContain(
      "/editidea <idea id>",
    );
    const fixed = await h.deps.db.idea.findUniqueOrThrow({ where: { id: typo.id } });
    expect([fixed.title, fixed.description, fixed.status]).toEqual([
      "Podcast en direct",
      "deux épisodes par mois",
      "proposed",
    ]);
    expect((await telegramCommand(h, tess, "myideas")).text).toBe(
      [
        "Les idées que vous avez proposées",
        `• Podcast en direct : proposée, 0 soutien (${typo.id.slice(0, 8)})`,
      ].join("\n"),
    );
    expect(h.logs.lines.filter((l) => l.event === "idea.edited")).toHaveLength(2);
  });

  it("the ideas enter a poll, the tribe votes, the closing settles them and posts the chart on both platforms", async () => {
    const refused = await tribe(
      ["idea", "poll"],
      [opt.str("ideas", `${winnerId.slice(0, 8)} ${declinedId.slice(0, 8)}`), opt.str("duration", "1d")],
    );
    expect(refused.content).toContain("“Studio tour” is declined");
    await tribe(
      ["idea", "poll"],
      [opt.str("ideas", `${winnerId.slice(0, 8)} ${otherId.slice(0, 8)}`), opt.str("duration", "1d")],
    );
    const poll = await h.deps.db.poll.findFirstOrThrow({ where: { ideaIds: { has: winnerId } } });
    pollId = poll.id;
    expect([await status(winnerId), await status(otherId)]).toEqual(["in_poll", "in_poll"]);
    // In a poll, an idea's fate is the vote's: no more upvotes or take-backs.
    expect((await idea(dora, ["upvote"], [opt.str("idea", otherId)])).content).toContain(
      "This idea is in a poll",
    );

    const discordPost = (): APIMessage =>
      h.discord.messages(pollChannel).find((m) => JSON.stringify(m.components ?? []).includes(pollId))!;
    for (const [fan, option] of [
      [dana, 0],
      [dora, 0],
    ] as const) {
      await interact(
        h,
        buttonClick({
          customId: `pv:${pollId}:${option}`,
          user: fan,
          guildId: server.id,
          channelId: pollChannel,
          message: discordPost(),
        }),
      );
    }
    const tgPost = await h.deps.db.pollPost.findFirstOrThrow({ where: { pollId, platform: "telegram" } });
    const tgMessage = tg(h)
      .messages(goldChat.id)
      .find((m) => m.message_id === Number(tgPost.messageId))!;
    const qa = buttons(tgMessage).find((b) => b.text === "Q&A live") as { callback_data: string };
    await press(tess, tgMessage, qa.callback_data);
    expect(await h.deps.db.pollBallot.count({ where: { pollId } })).toBe(3);

    await tribe(["poll", "close"], [opt.str("poll", pollId.slice(0, 8))]);
    expect([await status(winnerId), await status(otherId)]).toEqual(["won", "lost"]);
    await dmSaid(
      dana,
      `won the poll “${poll.question}”! The roadmap credits it to ${CREDIT}.`,
      "the winner's DM",
    );

    // Discord: a PNG attachment in reply to the poll's message.
    const upload = await until(
      () => h.discord.calls.find((c) => c.files.some((f) => f.name === `poll-${pollId.slice(0, 8)}.png`)),
      "the chart on Discord",
    );
    const discordPng = upload.files.find((f) => f.name.endsWith(".png"))!.bytes;
    expect(pngSize(discordPng).width).toBe(800);
    expect(
      (upload.body as { message_reference?: { message_id?: string } }).message_reference?.message_id,
    ).toBe(discordPost().id);
    // Telegram: a photo in reply to the poll's message.
    const photo = await until(
      () => tg(h).photos.find((p) => p.chatId === goldChat.id),
      "the chart on Telegram",
    );
    expect(pngSize(photo.bytes)).toEqual(pngSize(discordPng));
    expect(photo.replyTo).toBe(Number(tgPost.messageId));
    expect(photo.caption).toBe(`Results of “${poll.question}”`);
  });

  it("the winner goes in the works, then ships: voters and upvoters are told", async () => {
    await tribe(["poll", "commit"], [opt.str("poll", pollId.slice(0, 8)), opt.str("stage", "in_the_works")]);
    expect(await status(winnerId)).toBe("in_the_works");
    await dmSaid(dora, "it is now in the works", "the in-the-works DM to a voter");

    const shipped = await telegramCommand(h, CREATOR, "commit", `${pollId.slice(0, 8)} shipped`);
    expect(shipped.text).toContain("“Behind the scenes” is now marked shipped");
    expect(await status(winnerId)).toBe("shipped");
    // Tom upvoted (and did not vote): told as an upvoter. Tess voted: told as a voter, in French.
    await telegramSaid(tom, "“Behind the scenes”, an idea you backed, has shipped.", "the upvoter's message");
    await telegramSaid(tess, "« Behind the scenes » est sorti", "the voter's message");
    await dmSaid(dana, "“Behind the scenes” is out now", "the author, who voted, told once as a voter");
    expect(h.discord.dmsTo(dana.id).filter((m) => m.content.includes("has shipped"))).toHaveLength(0);

    const chain = await h.deps.db.ideaTransition.findMany({
      where: { ideaId: winnerId },
      orderBy: { id: "asc" },
    });
    expect(chain.map((c) => c.toStatus)).toEqual([
      "proposed",
      "shortlisted",
      "in_poll",
      "won",
      "in_the_works",
      "shipped",
    ]);
    expect(chain.every((c) => c.at instanceof Date)).toBe(true);
    expect(chain.find((c) => c.toStatus === "won")?.pollId).toBe(pollId);
  });

  it("the public roadmap shows each stage, the credited author escaped, the counts and the chart", async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${h.app.http.url}${path}`, { headers });
    const page = await get("/roadmap");
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("public, max-age=60");
    const html = await page.text();
    expect(html).toContain("by Dana &lt;b&gt;@everyone&lt;/b&gt;");
    expect(html).not.toContain("<b>@everyone");
    expect(html).toContain("by an anonymous fan");
    expect(html).toContain("The creator&#39;s reason: The studio is being rebuilt this year");
    const item = await (await get(`/roadmap/${winnerId}`, { "accept-language": "fr-FR,fr;q=0.9" })).text();
    for (const stage of [
      "proposée",
      "retenue",
      "soumise au vote",
      "gagnante de son sondage",
      "en préparation",
      "sortie",
    ])
      expect(item).toContain(`${stage} : `);
    const pollPage = await (await get(`/roadmap/${pollId}`)).text();
    expect(pollPage).toMatch(
      /Behind the scenes<\/a> <strong>\(winner\)<\/strong><\/td><td class="n">2 \(weighted\)/,
    );
    expect(pollPage).toContain(`/roadmap/${pollId}/chart.svg`);
    const chart = await get(`/roadmap/${pollId}/chart.svg`);
    expect(chart.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(await chart.text()).toContain("Behind the scenes");
    expect((await get("/roadmap/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    // The tribe page links to it.
    expect(await (await get("/")).text()).toContain('href="/roadmap?lang=en"');
  });

  it("a hidden poll shows no counts on the roadmap until it closes", async () => {
    await tribe(
      ["poll", "open"],
      [
        opt.str("question", "Secret ballot?"),
        opt.str("options", "Yes;No"),
        opt.str("duration", "1d"),
        { type: 5, name: "hidden", value: true },
      ],
    );
    const hidden = await h.deps.db.poll.findFirstOrThrow({ where: { question: "Secret ballot?" } });
    const html = await (await fetch(`${h.app.http.url}/roadmap/${hidden.id}`)).text();
    expect(html).toContain("Results are shown when the poll closes.");
    expect(html).not.toContain("(weighted)");
  });

  describe("in a real browser", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("renders the chain and the chart, with no serious accessibility violation", async () => {
      for (const [viewport, width] of [
        [PHONE, "phone"],
        [DESKTOP, "desktop"],
      ] as const) {
        for (const locale of ["en-US", "fr-FR"] as const) {
          const { context, page } = await newVisitor(browser, { viewport, locale });
          for (const [path, name] of [
            ["/roadmap", "roadmap"],
            [`/roadmap/${pollId}`, "roadmap-poll"],
          ] as const) {
            await page.goto(`${h.app.http.url}${path}`);
            expect(await page.getAttribute("html", "lang")).toBe(locale.slice(0, 2));
            expect(await seriousViolations(page), `${path} ${width} ${locale}`).toEqual([]);
            await screenshot(page, `${name}-${width}-${locale.slice(0, 2)}`);
          }
          // The chart loaded (the page's policy allows its own images) and drew at its size.
          const drawn = await page.evaluate<number>("document.querySelector('img.chart')?.naturalWidth ?? 0");
          expect(drawn).toBe(800);
          const chain = await page.locator("ol.chain li").allTextContents();
          expect(chain.length).toBeGreaterThanOrEqual(6);
          await context.close();
        }
      }
      // Eight pages, each checked by axe: more than the default 30 s on a loaded machine.
    }, 90_000);
  });
});
