import type { User } from "@grammyjs/types";
import type { APIUser } from "discord-api-types/v10";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLinkCode } from "../../../src/app/members/linking.ts";
import { supergroup, user } from "../../standins/telegram-payloads.ts";
import { until } from "../../support/helpers.ts";
import {
  addFan,
  CREATOR_PERMISSIONS,
  command as discordCommand,
  hasRole,
  homeServerWithTier,
  interact,
  joinAndPay,
  opt,
  type Server,
  sub,
} from "../discord/helpers.ts";
import type { DualHarness } from "../harness.ts";
import {
  botMessages,
  CREATOR,
  creatorBindsChat,
  inviteLinkSent,
  startTelegramHarness,
  command as telegramCommand,
  tg,
  waitForStatus,
} from "../telegram/helpers.ts";

/**
 * A fan who lost their Telegram account cannot link a new one while the old one holds the place:
 * the refusal names the creator's commands that free it (/tribe member unlink on Discord, /unlink on
 * Telegram). Unlinking takes the old account out of the paid chat (access jobs), keeps the
 * membership and its Discord role, writes history and a log line, and the new account then links
 * and gets in. Only creators may unlink; the last account of a membership cannot be unlinked.
 */
describe("unlinking a member's account, from Discord and from Telegram (PGlite)", () => {
  let h: DualHarness;
  let server: Server;
  let goldRole: string;
  let lin: APIUser;
  const lounge = supergroup({ title: "Gold Lounge" });
  const oldPhone = user({ first_name: "Lin", username: "lin_old", language_code: "en" });
  const newPhone = user({ first_name: "Lin", username: "lin_new", language_code: "en" });
  const stranger = user({ first_name: "Eve", language_code: "en" });

  beforeAll(async () => {
    h = await startTelegramHarness("pglite", { discord: true });
    ({
      server,
      tier: { roleId: goldRole },
    } = await homeServerWithTier(h, { name: "Gold", price: "10" }));
    await creatorBindsChat(h, "gold", lounge);
    lin = addFan(h, server, "lin");
    await joinAndPay(h, server, lin);
    await until(() => hasRole(h, server, lin.id, goldRole), "Lin's Gold role");
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
  });

  const memberId = async () =>
    (
      await h.deps.db.identity.findUniqueOrThrow({
        where: { platform_platformUserId: { platform: "discord", platformUserId: lin.id } },
      })
    ).memberId;

  /** Links a Telegram account with a code made on Discord, then opens the invite it is sent. */
  async function linkAndEnter(account: User): Promise<void> {
    tg(h).addUser(account);
    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: lin.id });
    const seen = botMessages(h, account.id).length;
    expect((await telegramCommand(h, account, "link", code)).text).toContain("Linked!");
    const link = await inviteLinkSent(h, account, seen, lounge.title);
    expect(tg(h).userJoinsViaLink(account, link).outcome).toBe("requested");
    await waitForStatus(h, lounge.id, account.id, "member");
  }

  const tribe = (who: APIUser, platform: string, permissions?: string) =>
    interact(
      h,
      discordCommand(
        { user: who, guildId: server.id, ...(permissions ? { permissions } : {}) },
        "tribe",
        sub(["member", "unlink"], [opt.user("user", lin), opt.str("platform", platform)]),
        { users: [lin] },
      ),
    );

  it("from Discord: the refusal names the commands; /tribe member unlink frees the place and takes the old account out", async () => {
    await linkAndEnter(oldPhone);

    // The new phone cannot link while the old account holds the place; the answer says what to ask.
    tg(h).addUser(newPhone);
    const { code } = await createLinkCode(h.deps, { platform: "discord", userId: lin.id });
    const refused = await telegramCommand(h, newPhone, "link", code);
    expect(refused.text).toContain("already linked to another Telegram account");
    expect(refused.text).toContain("/tribe member unlink on Discord, /unlink on Telegram");

    // A fan who is not a creator cannot unlink anyone.
    const eve = addFan(h, server, "eve");
    const denied = await tribe(eve, "telegram", "0");
    expect(denied.content).not.toContain("no longer linked");
    expect(await h.deps.db.identity.count({ where: { memberId: await memberId() } })).toBe(2);

    const answer = await tribe(server.owner, "telegram", CREATOR_PERMISSIONS);
    expect(answer.content).toContain(`Telegram account @lin_old (${oldPhone.id}) is no longer linked`);
    expect(answer.ephemeral).toBe(true);

    // The old account leaves the paid chat through the usual access job; the Discord role stays.
    await waitForStatus(h, lounge.id, oldPhone.id, "left");
    expect(hasRole(h, server, lin.id, goldRole)).toBe(true);
    await expect
      .poll(() =>
        h.deps.db.accessJob.findFirstOrThrow({
          where: { platform: "telegram", platformUserId: String(oldPhone.id) },
          select: { action: true, state: true },
        }),
      )
      .toEqual({ action: "revoke", state: "done" });
    const history = await h.deps.db.memberHistory.findMany({
      where: { memberId: await memberId(), action: "identity.unlinked" },
    });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      actor: `discord:${server.owner.id}`,
      fromState: `telegram:${oldPhone.id}`,
    });
    expect(
      h.logs
        .events("member.identity_unlinked")
        .some((l) => l.platformUserId === String(oldPhone.id) && l.revokes === 1),
    ).toBe(true);

    // The new phone links with the same code (it was not used) and gets in; the membership is whole.
    expect((await telegramCommand(h, newPhone, "link", code)).text).toContain("Linked!");
    const link = await inviteLinkSent(h, newPhone, 0, lounge.title);
    expect(tg(h).userJoinsViaLink(newPhone, link).outcome).toBe("requested");
    await waitForStatus(h, lounge.id, newPhone.id, "member");
    const member = await h.deps.db.member.findUniqueOrThrow({
      where: { id: await memberId() },
      include: { identities: true, subscriptions: true },
    });
    expect(member.identities.map((i) => `${i.platform}:${i.platformUserId}`).sort()).toEqual(
      [`discord:${lin.id}`, `telegram:${newPhone.id}`].sort(),
    );
    expect(member.subscriptions.map((s) => s.status)).toEqual(["active"]);
  }, 60_000);

  it("from Telegram: /unlink frees the place too; usage, strangers and the last account are refused", async () => {
    // Only creators.
    tg(h).addUser(stranger);
    const notCreator = await telegramCommand(h, stranger, "unlink", `discord:${lin.id} telegram`);
    expect(notCreator.text).not.toContain("no longer linked");
    // Usage when the platform is missing or wrong.
    expect((await telegramCommand(h, CREATOR, "unlink", `discord:${lin.id}`)).text).toContain(
      "/unlink <member> <discord|telegram>",
    );
    expect((await telegramCommand(h, CREATOR, "unlink", `discord:${lin.id} twitter`)).text).toContain(
      "/unlink <member> <discord|telegram>",
    );
    expect(await h.deps.db.identity.count({ where: { memberId: await memberId() } })).toBe(2);

    const answer = await telegramCommand(h, CREATOR, "unlink", `discord:${lin.id} telegram`);
    expect(answer.text).toContain(`Telegram account @lin_new (${newPhone.id}) is no longer linked`);
    await waitForStatus(h, lounge.id, newPhone.id, "left");
    expect(hasRole(h, server, lin.id, goldRole)).toBe(true);

    // Nothing left to unlink on Telegram; and the Discord account is the last one: refused.
    expect((await telegramCommand(h, CREATOR, "unlink", `discord:${lin.id} telegram`)).text).toContain(
      "has no Telegram account linked",
    );
    expect((await telegramCommand(h, CREATOR, "unlink", `discord:${lin.id} discord`)).text).toContain(
      "only account of this membership",
    );
    const last = await tribe(server.owner, "discord", CREATOR_PERMISSIONS);
    expect(last.content).toContain("only account of this membership");
    expect(hasRole(h, server, lin.id, goldRole)).toBe(true);
    expect(
      await h.deps.db.memberHistory.count({
        where: { memberId: await memberId(), action: "identity.unlinked" },
      }),
    ).toBe(2);

    // The old phone came back: it can be linked again, and gets in again.
    await linkAndEnter(oldPhone);
  }, 60_000);
});
