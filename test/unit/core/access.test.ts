import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccessTarget,
  diffAccess,
  type Identity,
  type LedgerAccess,
  parseTargetKey,
  planMemberAccess,
  type SubscriptionView,
  targetKey,
} from "../../../src/core/access.ts";
import { DAY_MS } from "../../../src/core/membership.ts";

const now = new Date("2026-11-23T12:00:00Z");
const policy = { graceMs: 3 * DAY_MS };
const discordUser: Identity = { platform: "discord", userId: "111" };
const telegramUser: Identity = { platform: "telegram", userId: "222" };
const goldRole: AccessTarget = { platform: "discord", guildId: "g1", roleId: "gold" };
const silverRole: AccessTarget = { platform: "discord", guildId: "g1", roleId: "silver" };
const goldChat: AccessTarget = { platform: "telegram", chatId: "-100123" };
const tierTargets = new Map<string, AccessTarget[]>([
  ["gold", [goldRole, goldChat]],
  ["silver", [silverRole]],
]);

function sub(
  id: string,
  tierId: string,
  status: SubscriptionView["billing"]["status"] = "active",
): SubscriptionView {
  return {
    id,
    tierId,
    billing: {
      status,
      currentPeriodEnd: null,
      cancelAtPeriodEnd: false,
      pastDueSince: null,
      holds: [],
      pause: null,
    },
  };
}

describe("targetKey", () => {
  it("round-trips", () => {
    expect(targetKey(goldRole)).toBe("discord:g1:gold");
    expect(targetKey(goldChat)).toBe("telegram:-100123");
    expect(parseTargetKey("discord:g1:gold")).toEqual(goldRole);
    expect(parseTargetKey("telegram:-100123")).toEqual(goldChat);
    expect(parseTargetKey("slack:x")).toBeUndefined();
  });
});

describe("planMemberAccess", () => {
  it("GIVEN an active gold member linked on both platforms THEN the role and the chat are owed", () => {
    const plan = planMemberAccess({
      subscriptions: [sub("sub_1", "gold")],
      tierTargets,
      identities: [discordUser, telegramUser],
      policy,
      now,
    });
    expect(plan.owed.map((o) => [o.identity.platform, targetKey(o.target)])).toEqual([
      ["discord", "discord:g1:gold"],
      ["telegram", "telegram:-100123"],
    ]);
  });

  it("GIVEN only a Discord identity THEN the Telegram chat is not owed to anyone yet", () => {
    const plan = planMemberAccess({
      subscriptions: [sub("sub_1", "gold")],
      tierTargets,
      identities: [discordUser],
      policy,
      now,
    });
    expect(plan.owed).toHaveLength(1);
  });

  it("GIVEN a canceled subscription THEN nothing is owed", () => {
    const plan = planMemberAccess({
      subscriptions: [sub("sub_1", "gold", "canceled")],
      tierTargets,
      identities: [discordUser],
      policy,
      now,
    });
    expect(plan.owed).toEqual([]);
    expect(plan.entitlements.get("sub_1")?.reason).toBe("canceled");
  });

  it("GIVEN past_due in grace THEN owed, reminded and reviewed at grace end", () => {
    const s = sub("sub_1", "silver", "past_due");
    const plan = planMemberAccess({
      subscriptions: [{ ...s, billing: { ...s.billing, pastDueSince: now } }],
      tierTargets,
      identities: [discordUser],
      policy,
      now,
    });
    expect(plan.owed).toHaveLength(1);
    expect(plan.remind).toBe(true);
    expect(plan.reviewAt).toEqual(new Date(now.getTime() + 3 * DAY_MS));
  });
});

describe("diffAccess", () => {
  const granted = (identity: Identity, target: AccessTarget): LedgerAccess => ({
    identity,
    target,
    action: "grant",
  });

  it("GIVEN a new member THEN grants", () => {
    const plan = planMemberAccess({
      subscriptions: [sub("s", "silver")],
      tierTargets,
      identities: [discordUser],
      policy,
      now,
    });
    expect(diffAccess(plan.owed, [])).toEqual([
      { action: "grant", identity: discordUser, target: silverRole, subscriptionId: "s", tierId: "silver" },
    ]);
  });

  it("GIVEN access already granted THEN nothing to do (idempotent)", () => {
    const plan = planMemberAccess({
      subscriptions: [sub("s", "silver")],
      tierTargets,
      identities: [discordUser],
      policy,
      now,
    });
    expect(diffAccess(plan.owed, [granted(discordUser, silverRole)])).toEqual([]);
  });

  it("GIVEN an upgrade from silver to gold THEN the gold role is granted before the silver one is revoked", () => {
    const plan = planMemberAccess({
      subscriptions: [sub("s", "gold")],
      tierTargets,
      identities: [discordUser],
      policy,
      now,
    });
    const actions = diffAccess(plan.owed, [granted(discordUser, silverRole)]);
    expect(actions.map((a) => `${a.action} ${targetKey(a.target)}`)).toEqual([
      "grant discord:g1:gold",
      "revoke discord:g1:silver",
    ]);
  });

  it("GIVEN a lapsed member THEN every granted target is revoked; earlier revokes are not repeated", () => {
    const actions = diffAccess(
      [],
      [
        granted(discordUser, goldRole),
        granted(telegramUser, goldChat),
        { identity: discordUser, target: silverRole, action: "revoke" },
      ],
    );
    expect(actions.map((a) => a.action)).toEqual(["revoke", "revoke"]);
  });

  it("PROPERTY: applying the diff reaches exactly the owed set, and a second diff is empty", () => {
    const targets = [goldRole, silverRole, goldChat];
    const ids = [discordUser, telegramUser];
    const pair = fc.record({ i: fc.constantFrom(...ids), t: fc.constantFrom(...targets) });
    fc.assert(
      fc.property(
        fc.uniqueArray(pair, { selector: (p) => `${p.i.userId}${targetKey(p.t)}` }),
        fc.uniqueArray(pair, { selector: (p) => `${p.i.userId}${targetKey(p.t)}` }),
        (owedPairs, currentPairs) => {
          const owed = owedPairs
            .filter((p) => p.i.platform === p.t.platform)
            .map((p) => ({ identity: p.i, target: p.t, subscriptionId: "s", tierId: "t" }));
          const current = currentPairs.map((p) => granted(p.i, p.t));
          const actions = diffAccess(owed, current);
          const state = new Map(
            current.map((c) => [`${c.identity.userId}${targetKey(c.target)}`, c] as const),
          );
          for (const a of actions)
            state.set(`${a.identity.userId}${targetKey(a.target)}`, {
              identity: a.identity,
              target: a.target,
              action: a.action,
            });
          const after = [...state.values()];
          expect(
            new Set(
              after
                .filter((x) => x.action === "grant")
                .map((x) => `${x.identity.userId}${targetKey(x.target)}`),
            ),
          ).toEqual(new Set(owed.map((o) => `${o.identity.userId}${targetKey(o.target)}`)));
          expect(diffAccess(owed, after)).toEqual([]);
          const firstRevoke = actions.findIndex((a) => a.action === "revoke");
          if (firstRevoke >= 0)
            expect(actions.slice(firstRevoke).every((a) => a.action === "revoke")).toBe(true);
        },
      ),
    );
  });
});
