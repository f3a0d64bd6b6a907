import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { user } from "../../standins/telegram-payloads.ts";
import { type Harness, startHarness } from "../harness.ts";
import { CREATOR, command, startTelegramHarness, tg, until } from "./helpers.ts";

/** The code of the telegram.setup_code line, once the bot printed it. */
async function setupCode(h: Harness): Promise<string> {
  const line = await h.logs.waitFor("telegram.setup_code");
  return String(line.code);
}

describe("Telegram set-up code: claiming a bot started without TELEGRAM_CREATOR_IDS (PGlite)", () => {
  let h: Harness;
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
      /^Too many tries\. Try again in \d+ min\.$/,
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
  let h: Harness;

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
