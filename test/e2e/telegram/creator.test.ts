import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSettings } from "../../../src/app/settings.ts";
import { adminRights, channel, chatMember, supergroup, user } from "../../standins/telegram-payloads.ts";
import { until } from "../../support/helpers.ts";
import type { TelegramHarness } from "../harness.ts";
import { CREATOR, command, fanJoins, startTelegramHarness, tg } from "./helpers.ts";

/** A PNG's width and height (IHDR), after checking its signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("Telegram creator commands and chat binding (PGlite)", () => {
  let h: TelegramHarness;
  const admin = user({ first_name: "Admin" });
  const member = user({ first_name: "Plain member" });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite");
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("registers the command menus in English and French, creator commands only in the creators' chats", async () => {
    const t = tg(h);
    await until(() => h.logs.events("telegram.commands_registered").length > 0, "command registration");
    const fans = t.commands({ type: "all_private_chats" });
    expect(fans?.map((c) => c.command)).toEqual([
      "start",
      "membership",
      "link",
      "claim",
      "idea",
      "ideas",
      "myideas",
      "credit",
    ]);
    expect(t.commands({ type: "all_private_chats" }, "fr")?.[0]?.description).toBe(
      "Devenir membre : choisir un palier",
    );
    expect(t.commands({ type: "all_chat_administrators" })?.map((c) => c.command)).toEqual(["bind"]);
    const mine = t.commands({ type: "chat", chat_id: CREATOR.id }, "fr")?.map((c) => c.command);
    expect(mine).toEqual(
      expect.arrayContaining([
        "start",
        "tiers",
        "newtier",
        "reconcile",
        "deadjobs",
        "bindcode",
        "editidea",
        "roadmapmsg",
        "cycle",
      ]),
    );
    expect(fans?.some((c) => c.command === "tiers")).toBe(false);
  });

  it("refuses creator commands from anyone else, changing nothing", async () => {
    const fan = user({ language_code: "fr" });
    tg(h).addUser(fan);
    const settingsBefore = await getSettings(h.deps.db);
    for (const [name, args] of [
      ["newtier", "5 eur month Sneaky"],
      ["cycle", "on day=3 days=1 top=2 min=0"],
      ["roadmapmsg", "on"],
      ["pauses", "on"],
      ["feed", "off new_member"],
    ] as const) {
      expect((await command(h, fan, name, args)).text, `/${name}`).toBe(
        "Cette commande est réservée au créateur de cette communauté et à ses gestionnaires.",
      );
    }
    expect(await h.deps.db.tier.count()).toBe(0);
    expect(await getSettings(h.deps.db)).toEqual(settingsBefore);
  });

  it("manages tiers and settings: create, list, price, trial, edit, grace, promotion codes, goal", async () => {
    const created = await command(h, CREATOR, "newtier", "9.50 eur month Inner Circle");
    expect(created.text).toContain("Tier Inner Circle (inner-circle) created at €9.50/month");
    expect(created.text).toContain("https://t.me/tribegate_bot?start=inner-circle");
    expect((await command(h, CREATOR, "newtier", "nine eur")).text).toMatch(/^Usage: \/newtier/);
    expect((await command(h, CREATOR, "newtier", "5 eur month Inner Circle")).text).toContain(
      "already exists",
    );
    expect((await command(h, CREATOR, "price", "inner-circle 12")).text).toContain("€12.00/month");
    expect((await command(h, CREATOR, "trial", "inner-circle 7")).text).toContain(
      "Tier inner-circle: a free trial of 7 days for new members.",
    );
    expect(
      (await command(h, CREATOR, "edittier", "inner-circle description The closest fans")).text,
    ).toContain("updated");
    const list = await command(h, CREATOR, "tiers");
    expect(list.text).toContain("Inner Circle (inner-circle): €12.00/month");
    expect(list.text).toContain("nothing yet (/bindcode)");
    const tier = await h.deps.db.tier.findUniqueOrThrow({
      where: { slug: "inner-circle" },
      include: { prices: true },
    });
    expect(tier.description).toBe("The closest fans");
    expect(tier.prices.find((p) => p.current)).toMatchObject({ amount: 1200, trialDays: 7 });

    expect((await command(h, CREATOR, "grace", "5")).text).toContain(
      "Grace period: 5 days of access after a failed payment.",
    );
    expect((await command(h, CREATOR, "grace", "99")).text).toContain("must be between 0 and 60");
    expect((await command(h, CREATOR, "promocodes", "on")).text).toContain("promotion codes");
    expect((await command(h, CREATOR, "goal", "1000")).text).toContain("Goal set: 1,000 true fans.");
    const settings = await h.deps.db.setting.findMany();
    expect(Object.fromEntries(settings.map((s) => [s.key, s.value]))).toMatchObject({
      graceDays: 5,
      allowPromotionCodes: true,
      trueFansGoal: 1000,
    });
    await command(h, CREATOR, "grace", "3");
  });

  it("binds a group only for its administrators, and only once the bot has the rights it needs", async () => {
    const group = supergroup({ title: "Inner Circle Chat" });
    tg(h).addChat(group, {
      members: [
        chatMember.creator(CREATOR),
        chatMember.administrator(admin, adminRights()),
        chatMember.member(member),
      ],
      botStatus: "member",
    });
    const made = await command(h, CREATOR, "bindcode", "inner-circle");
    const code = /: ([A-Z0-9]{8})\n/.exec(made.text ?? "")![1]!;

    expect((await command(h, member, "bind", code, group)).text).toBe(
      "Only an administrator of this chat can bind it. Nothing changed.",
    );
    expect((await command(h, admin, "bind", code, group)).text).toBe(
      "I am not an administrator of this chat. Make me one with these rights, then send /bind again: Invite users via link, Ban users. Nothing changed.",
    );
    tg(h).setBotRights(group.id, adminRights({ can_invite_users: true }));
    expect((await command(h, admin, "bind", code, group)).text).toBe(
      "I am missing these administrator rights here: Ban users. Give them to me in the chat's administrator settings, then send /bind again. Nothing changed.",
    );
    expect(await h.deps.db.tierAccess.count()).toBe(0);

    tg(h).setBotRights(group.id, adminRights({ can_invite_users: true, can_restrict_members: true }));
    expect((await command(h, admin, "bind", "WRONGCODE", group)).text).toContain("not valid");
    expect((await command(h, admin, "bind", code, group)).text).toContain(
      "“Inner Circle Chat” is now bound to tier Inner Circle",
    );
    expect(await h.deps.db.tierAccess.findFirst()).toMatchObject({
      targetKey: `telegram:${group.id}`,
      label: "Inner Circle Chat",
    });
    expect((await command(h, admin, "bind", code, group)).text).toContain("already used");
    expect((await command(h, CREATOR, "tiers")).text).toContain("opens: Inner Circle Chat");
  });

  it("binds a channel from a private chat with its id", async () => {
    const news = channel({ title: "Inner News" });
    tg(h).addChat(news, { members: [chatMember.creator(CREATOR)] });
    const made = await command(h, CREATOR, "bindcode", "inner-circle");
    const code = /: ([A-Z0-9]{8})\n/.exec(made.text ?? "")![1]!;
    expect((await command(h, CREATOR, "bind", code)).text).toContain("/bind <code> <chat id or @username>");
    expect((await command(h, CREATOR, "bind", `${code} ${news.id}`)).text).toContain(
      "“Inner News” is now bound to tier Inner Circle",
    );
  });

  it("stats, member lookup, revoke, restore, re-sync, reconciliation dry run, dead jobs", async () => {
    const group = supergroup({ title: "Stats Chat" });
    tg(h).addChat(group, { members: [chatMember.creator(CREATOR)] });
    const code = /: ([A-Z0-9]{8})\n/.exec(
      (await command(h, CREATOR, "bindcode", "inner-circle")).text ?? "",
    )![1]!;
    await command(h, CREATOR, "bind", code, group);
    const fan = user({ username: "loyal_fan" });
    await fanJoins(h, fan, "inner-circle", group);

    const stats = await command(h, CREATOR, "stats");
    expect(stats.text).toContain("Members: 1 / 1,000 (0.1%)");
    expect(stats.text).toContain("Trialing: 1"); // the 7-day trial set above
    expect(stats.text).toContain("• Inner Circle: 1");
    // Nobody was a member 30 days ago and no trial ended yet: no rate, said so; the trial pays nothing.
    expect(stats.text).toContain("\nChurn rate (30 days): – (nobody was a member 30 days ago)\n");
    expect(stats.text).toContain("\nTrial conversion (30 days): – (no trial ended)\n");
    expect(stats.text).not.toContain("Revenue per tier");
    expect(stats.text).toContain(
      `\nNet new members per week (12 weeks): ${Array(11).fill("0").join(" · ")} · +1 (oldest first; the last is this week so far)`,
    );
    // The chart follows as a photo (waited for, so that the next command's answer is not taken for it).
    const photo = await until(
      () => tg(h).photos.find((p) => p.chatId === CREATOR.id && p.fileName === "tribe-stats.png"),
      "the stats chart",
    );
    expect(photo.caption).toBe("Net new members per week");
    expect(pngSize(photo.bytes)).toEqual({ width: 800, height: 420 });
    // Telegram refuses the photo: the figures were answered all the same, the failure is logged.
    tg(h).failNext("sendPhoto", {
      kind: "error",
      errorCode: 400,
      description: "Bad Request: IMAGE_PROCESS_FAILED",
    });
    const again = await command(h, CREATOR, "stats");
    expect(again.text).toContain("\nChurn rate (30 days): ");
    await until(
      () => h.logs.events("telegram.stats.chart_failed").length === 1,
      "the chart's failure logged",
    );

    const card = await command(h, CREATOR, "member", "@loyal_fan");
    expect(card.text).toContain(`telegram:${fan.id} (@loyal_fan)`);
    expect(card.text).toContain("• Inner Circle: free trial → ");
    expect(card.text).toMatch(/• grant telegram:-\d+ \(\d+\): done/);
    expect((await command(h, CREATOR, "member", "123")).text).toContain("No member matches");

    expect((await command(h, CREATOR, "revoke", `${fan.id} spam`)).text).toContain("Access revoked");
    await until(() => tg(h).member(group.id, fan.id)?.status === "left", "the revoked fan to be removed");
    expect((await command(h, CREATOR, "revoke", String(fan.id))).text).toContain("already revoked");
    expect((await command(h, CREATOR, "restore", String(fan.id))).text).toContain("Access restored");
    expect((await command(h, CREATOR, "resync", String(fan.id))).text).toContain("Re-synced");

    const dry = await command(h, CREATOR, "reconcile");
    expect(dry.text).toMatch(
      /^Dry run \(nothing changed; \/reconcile apply to repair\): 1 Stripe subscription/,
    );
    expect((await command(h, CREATOR, "deadjobs")).text).toBe("No failed access change.");
    expect((await command(h, CREATOR, "retryjob", "42")).text).toContain("not dead-lettered");
  });

  it("answers in French and lets the creator add a manager", async () => {
    const fr = { ...CREATOR, language_code: "fr" };
    expect((await command(h, fr, "goal", "x")).text).toBe("Utilisation : /goal <membres>");
    const manager = user({ language_code: "fr" });
    tg(h).addUser(manager);
    expect((await command(h, manager, "stats")).text).toContain("réservée au créateur");
    expect((await command(h, fr, "managers", `add ${manager.id}`)).text).toBe(
      `Gestionnaires : ${manager.id}`,
    );
    const photos = tg(h).photos.length;
    const stats = await command(h, manager, "stats");
    expect(stats.text).toContain("Membres : ");
    expect(stats.text).toContain("\nTaux de départ (30 jours) : – (aucun membre il y a 30 jours)\n");
    expect(stats.text).toContain("\nEssais convertis (30 jours) : – (aucun essai terminé)\n");
    const photo = await until(
      () =>
        tg(h)
          .photos.slice(photos)
          .find((p) => p.chatId === manager.id),
      "the stats chart in French",
    );
    expect(photo.caption).toBe("Solde de membres par semaine");
    expect((await command(h, manager, "managers", "add 1")).text).toContain("TELEGRAM_CREATOR_IDS");
  });
});
