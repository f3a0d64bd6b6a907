import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCallbackSigner } from "../../../src/adapters/telegram/callbackData.ts";
import { createTier } from "../../../src/app/tiers.ts";
import { BOT_ADMIN_RIGHTS, chatMember, supergroup, user } from "../../standins/telegram-payloads.ts";
import { until } from "../../support/helpers.ts";
import { type Harness, startHarness, TELEGRAM_TOKEN, type TelegramHarness } from "../harness.ts";
import {
  botMessages,
  buttons,
  CREATOR,
  command,
  nextBotMessage,
  startTelegramHarness,
  tg,
} from "./helpers.ts";

/** The code of the telegram.setup_code line, once the bot printed it. */
async function setupCode(h: Harness): Promise<string> {
  const line = await h.logs.waitFor("telegram.setup_code");
  return String(line.code);
}

describe("Telegram set-up code: claiming a bot started without TELEGRAM_CREATOR_IDS (PGlite)", () => {
  let h: TelegramHarness;
  const owner = user({ first_name: "Owner", username: "the_owner" });
  const stranger = user({ first_name: "Stranger" });

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", telegram: true });
    tg(h).addUser(owner);
    tg(h).addUser(stranger);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("prints a one-time code in its log, at warn level, naming the bot, on that one line only", async () => {
    const line = await h.logs.waitFor("telegram.setup_code");
    const code = String(line.code);
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    expect(line.level).toBe("warn");
    expect(line.msg).toContain(`/setup ${code}`);
    expect(line.msg).toContain("@tribegate_bot");
    expect(h.logs.raw.filter((l) => l.includes(code))).toHaveLength(1);
  });

  it("refuses a stranger's wrong codes, then throttles them without checking the code", async () => {
    const code = await setupCode(h);
    expect((await command(h, stranger, "tiers")).text).toContain("is for the creator");
    for (let i = 0; i < 5; i++) {
      expect((await command(h, stranger, "setup", `WRONG${i}CODE`)).text).toBe(
        "This is not the set-up code. Check the code in the bot's log and try again.",
      );
    }
    // Past the allowance even the right code gets the same "try again" answer.
    expect((await command(h, stranger, "setup", code)).text).toMatch(
      /^Too many tries\. Try again in \d+ minutes?\.$/,
    );
    expect(h.logs.events("telegram.setup_throttled").length).toBeGreaterThan(0);
    expect((await h.deps.db.setting.findUnique({ where: { key: "telegramCreatorIds" } })) ?? null).toBeNull();
  });

  it("makes whoever sends the right code the creator: menu set, next steps, creator commands work", async () => {
    const code = await setupCode(h);
    const done = await command(h, owner, "setup", code.toLowerCase());
    expect(done.text).toContain("you are the creator of @tribegate_bot");
    expect(done.text).toContain("/newtier");
    expect(done.text).toContain("/bindcode");
    expect(done.text).toContain("administrator");
    await until(
      () =>
        tg(h)
          .commands({ type: "chat", chat_id: owner.id })
          ?.some((c) => c.command === "tiers"),
      "the creator's command menu",
    );
    expect(
      tg(h)
        .commands({ type: "chat", chat_id: owner.id }, "fr")
        ?.map((c) => c.command),
    ).toContain("newtier");
    expect((await command(h, owner, "tiers")).text).not.toContain("is for the creator");
    expect(h.logs.events("telegram.setup_done")[0]?.userId).toBe(owner.id);
    // The code is spent: nobody else gets in with it, and a second /setup is told so.
    expect((await command(h, owner, "setup", code)).text).toContain("already has a creator");
    const other = user({ first_name: "Late" });
    tg(h).addUser(other);
    expect((await command(h, other, "setup", code)).text).toContain("already has a creator");
    expect(h.logs.raw.filter((l) => l.includes(code))).toHaveLength(1);
  });

  it("keeps the creator across a restart, and prints no new code", async () => {
    const before = h.logs.events("telegram.setup_code").length;
    await h.restart();
    await h.logs.waitFor("telegram.ready", 10_000, () => h.logs.events("telegram.ready").length >= 2);
    expect((await command(h, owner, "tiers")).text).not.toContain("is for the creator");
    expect((await command(h, stranger, "setup", "ANYTHING22")).text).toContain("already has a creator");
    expect(h.logs.events("telegram.setup_code")).toHaveLength(before);
  });
});

describe("Telegram set-up code with TELEGRAM_CREATOR_IDS set (PGlite)", () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    h = await startTelegramHarness("pglite");
    tg(h).addUser(CREATOR);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("prints no code and refuses /setup, pointing at TELEGRAM_CREATOR_IDS", async () => {
    await h.logs.waitFor("telegram.ready");
    const fan = user({ first_name: "Fan", language_code: "fr" });
    tg(h).addUser(fan);
    expect((await command(h, fan, "setup", "ABCDEFGHJK")).text).toContain("TELEGRAM_CREATOR_IDS");
    expect((await command(h, CREATOR, "setup", "ABCDEFGHJK")).text).toContain(
      "come from TELEGRAM_CREATOR_IDS",
    );
    await command(h, CREATOR, "start");
    expect(h.logs.events("telegram.setup_code")).toHaveLength(0);
  });
});

describe("Telegram: the bot added to a chat no tier opens offers one-tap binding (PGlite)", () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    h = await startTelegramHarness("pglite");
    await createTier(h.deps, {
      name: "Gold",
      slug: "gold",
      amount: 1000,
      currency: "eur",
      interval: "month",
    });
    await createTier(h.deps, {
      name: "Silver",
      slug: "silver",
      amount: 500,
      currency: "eur",
      interval: "month",
    });
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("offers each active tier to the creator; a press binds the chat, a forged press is refused", async () => {
    const group = supergroup({ title: "Backstage" });
    tg(h).addChat(group, { members: [chatMember.creator(CREATOR)], botStatus: "none" });
    const seen = botMessages(h, CREATOR.id).length;
    tg(h).setBotRights(group.id, BOT_ADMIN_RIGHTS);
    const offer = await nextBotMessage(h, CREATOR.id, seen, (m) => (m.text ?? "").includes("Backstage"));
    expect(offer.text).toContain("no tier opens yet");
    const labels = buttons(offer).map((b) => b.text);
    expect(labels).toEqual(["Open Backstage to Gold", "Open Backstage to Silver"]);
    const gold = buttons(offer)[0] as { callback_data: string };

    // A stranger replaying the creator's button: the signature is not theirs.
    const stranger = user({ first_name: "Stranger" });
    tg(h).addUser(stranger);
    tg(h).pushCallbackQuery({ from: stranger, data: gold.callback_data, message: offer });
    const replayed = await tg(h).waitForCall(
      (c) => c.method === "answerCallbackQuery" && String(c.params.text).includes("not valid"),
    );
    expect(replayed.params.show_alert).toBe(true);
    // Data signed for the stranger (as if they forged a signature): refused as not a creator.
    const payload = gold.callback_data.slice(0, gold.callback_data.lastIndexOf("~"));
    tg(h).pushCallbackQuery({
      from: stranger,
      data: createCallbackSigner(TELEGRAM_TOKEN).sign(stranger.id, payload),
      message: offer,
    });
    await tg(h).waitForCall(
      (c) => c.method === "answerCallbackQuery" && String(c.params.text).includes("is for the creator"),
    );
    expect(await h.deps.db.tierAccess.count({ where: { targetKey: `telegram:${group.id}` } })).toBe(0);

    const before = botMessages(h, CREATOR.id).length;
    tg(h).pushCallbackQuery({ from: CREATOR, data: gold.callback_data, message: offer });
    const done = await nextBotMessage(h, CREATOR.id, before);
    expect(done.text).toContain("“Backstage” is now bound to tier Gold");
    const rows = await h.deps.db.tierAccess.findMany({
      where: { targetKey: `telegram:${group.id}` },
      include: { tier: true },
    });
    expect(rows.map((r) => r.tier.slug)).toEqual(["gold"]);
    // Bound now: the same press again is refused, and nothing is added.
    const again = botMessages(h, CREATOR.id).length;
    tg(h).pushCallbackQuery({ from: CREATOR, data: gold.callback_data, message: offer });
    expect((await nextBotMessage(h, CREATOR.id, again)).text).toContain("gold");
    expect(await h.deps.db.tierAccess.count({ where: { targetKey: `telegram:${group.id}` } })).toBe(1);
  });

  it("names the missing rights when the bot is only a member, and binds nothing", async () => {
    const group = supergroup({ title: "Lounge" });
    tg(h).addChat(group, { members: [chatMember.creator(CREATOR)], botStatus: "none" });
    const seen = botMessages(h, CREATOR.id).length;
    tg(h).setBotRights(group.id, "member");
    const offer = await nextBotMessage(h, CREATOR.id, seen, (m) => (m.text ?? "").includes("Lounge"));
    const before = botMessages(h, CREATOR.id).length;
    tg(h).pushCallbackQuery({
      from: CREATOR,
      data: (buttons(offer)[1] as { callback_data: string }).callback_data,
      message: offer,
    });
    const refused = await nextBotMessage(h, CREATOR.id, before);
    expect(refused.text).toContain("I am not an administrator of this chat");
    expect(refused.text).toContain("Invite users via link");
    expect(await h.deps.db.tierAccess.count({ where: { targetKey: `telegram:${group.id}` } })).toBe(0);
    await until(() => h.logs.events("telegram.bind_refused").length > 0, "the refusal log");
  });
});
