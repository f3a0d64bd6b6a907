import type { APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLinkCode,
  LINK_ATTEMPT_WINDOW_MS,
  LINK_ATTEMPTS_PER_WINDOW,
} from "../../../src/app/members/linking.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import {
  addFan,
  addServer,
  command as discordCommand,
  interact,
  joinAndPay,
  opt,
  type Server,
} from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import { goldTierInChat, startTelegramHarness, command as telegramCommand, tg } from "../telegram/helpers.ts";

/** Well-formed codes (8 characters of the code alphabet) that are nobody's. */
const wrongCodes = (n: number, real: string[]): string[] =>
  Array.from(
    { length: n },
    (_, i) => `WRNG-${"ABCDEFGHJK"[i % 10]}${"MNPQRSTUVW"[Math.floor(i / 10)]}ZZ`,
  ).filter((c) => !real.includes(c));

/**
 * ATTACK: someone tries link codes one after another, hoping to land on a fan's fresh code and link
 * their own account to that fan's paid membership. After LINK_ATTEMPTS_PER_WINDOW attempts in the
 * window, the account is refused with a polite "try again in N min" WITHOUT the code being looked
 * up: even the right code then links nothing. The count lives in the database (a restart does not
 * reset it); an honest fan with a typo or two still links.
 */
describe("ATTACK: brute-forcing /link codes (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let victim: APIUser;
  const lounge = supergroup({ title: "Gold Lounge" });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    await h.discord.waitForReady();
    server = await addServer(h);
    await goldTierInChat(h, lounge);
    victim = addFan(h, server, "victim");
    await joinAndPay(h, server, victim);
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
  });

  const victimMember = async () =>
    (
      await h.deps.db.identity.findUniqueOrThrow({
        where: { platform_platformUserId: { platform: "discord", platformUserId: victim.id } },
      })
    ).memberId;

  it("on Telegram: refused after the limit even with the right code, across a restart; allowed again after the window", async () => {
    const attacker = user({ first_name: "Eve", language_code: "en" });
    tg(h).addUser(attacker);
    const real = (await createLinkCode(h.deps, { platform: "discord", userId: victim.id })).code;
    for (const code of wrongCodes(LINK_ATTEMPTS_PER_WINDOW, [real])) {
      const answer = await telegramCommand(h, attacker, "link", code);
      expect(answer.text).toContain("This code is not valid");
    }
    // One more wrong code: refused without a look-up.
    const refused = await telegramCommand(
      h,
      attacker,
      "link",
      wrongCodes(LINK_ATTEMPTS_PER_WINDOW + 1, [real]).at(-1)!,
    );
    expect(refused.text).toMatch(/Too many codes tried from this account\. Please try again in 15 min/);
    // The right code now gets the same refusal and links nothing.
    const right = await telegramCommand(h, attacker, "link", real);
    expect(right.text).toMatch(/Too many codes tried/);
    expect(
      await h.deps.db.identity.findUnique({
        where: { platform_platformUserId: { platform: "telegram", platformUserId: String(attacker.id) } },
      }),
    ).toBeNull();
    expect(
      await h.deps.db.linkCode.findUniqueOrThrow({ where: { code: real.replace("-", "") } }),
    ).toMatchObject({
      usedAt: null,
    });
    expect(h.logs.events("link.throttled").some((l) => l.userId === String(attacker.id))).toBe(true);

    // A restart does not give a fresh allowance.
    await h.restart();
    const afterRestart = await telegramCommand(h, attacker, "link", real);
    expect(afterRestart.text).toMatch(/Too many codes tried/);
    expect(await h.deps.db.identity.count({ where: { memberId: await victimMember() } })).toBe(1);

    // The victim's membership is untouched: still their Discord account alone, still paying.
    const member = await h.deps.db.member.findUniqueOrThrow({
      where: { id: await victimMember() },
      include: { identities: true, subscriptions: true },
    });
    expect(member.identities.map((i) => i.platform)).toEqual(["discord"]);
    expect(member.subscriptions.map((s) => s.status)).toEqual(["active"]);

    // Once the window is over, the account may try again (the code it tried has expired by then).
    h.clock.advance(LINK_ATTEMPT_WINDOW_MS + 1_000);
    const later = await telegramCommand(h, attacker, "link", real);
    expect(later.text).toContain("This code has expired");
  }, 60_000);

  it("on Discord: the same limit per account", async () => {
    const attacker = addFan(h, server, "mallory");
    const real = (await createLinkCode(h.deps, { platform: "telegram", userId: "424242" })).code;
    const link = (code: string) =>
      interact(h, discordCommand({ user: attacker, guildId: server.id }, "link", [opt.str("code", code)]));
    for (const code of wrongCodes(LINK_ATTEMPTS_PER_WINDOW, [real])) {
      expect((await link(code)).content).toContain("This code is not valid");
    }
    const right = await link(real);
    expect(right.content).toMatch(/Too many codes tried from this account\. Please try again in \d+ min/);
    expect(right.ephemeral).toBe(true);
    expect(
      await h.deps.db.identity.findUnique({
        where: { platform_platformUserId: { platform: "discord", platformUserId: attacker.id } },
      }),
    ).toBeNull();
  }, 60_000);

  it("an honest fan who mistypes a few times still links, and the count starts afresh", async () => {
    const fan = user({ first_name: "Ada", language_code: "en" });
    tg(h).addUser(fan);
    const real = (await createLinkCode(h.deps, { platform: "discord", userId: victim.id })).code;
    for (const code of wrongCodes(LINK_ATTEMPTS_PER_WINDOW - 1, [real])) {
      expect((await telegramCommand(h, fan, "link", code)).text).toContain("This code is not valid");
    }
    // The last attempt within the limit is the right code: linked.
    const linked = await telegramCommand(h, fan, "link", real);
    expect(linked.text).toContain("Linked!");
    const identity = await h.deps.db.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: "telegram", platformUserId: String(fan.id) } },
    });
    expect(identity.memberId).toBe(await victimMember());
    expect(
      await h.deps.db.linkAttempt.findUnique({
        where: { platform_platformUserId: { platform: "telegram", platformUserId: String(fan.id) } },
      }),
    ).toBeNull();
  }, 60_000);
});
