import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AccessTarget,
  addMonths,
  diffAccess,
  type ExtraRoles,
  type Identity,
  type LedgerAccess,
  monthsBetween,
  NO_EXTRA_ROLES,
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
      {
        action: "grant",
        identity: discordUser,
        target: silverRole,
        kind: "tier",
        subscriptionId: "s",
        tierId: "silver",
      },
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
            .map((p) => ({
              identity: p.i,
              target: p.t,
              kind: "tier" as const,
              subscriptionId: "s",
              tierId: "t",
            }));
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

describe("roles beyond the tiers (trial, alumni, tenure)", () => {
  const trialRole: AccessTarget = { platform: "discord", guildId: "g1", roleId: "trial" };
  const alumniRole: AccessTarget = { platform: "discord", guildId: "g1", roleId: "alumni" };
  const three: AccessTarget = { platform: "discord", guildId: "g1", roleId: "three" };
  const six: AccessTarget = { platform: "discord", guildId: "g1", roleId: "six" };
  const twelve: AccessTarget = { platform: "discord", guildId: "g1", roleId: "twelve" };
  const extra: ExtraRoles = {
    trial: trialRole,
    alumni: alumniRole,
    tenure: [
      { months: 12, target: twelve },
      { months: 3, target: three },
      { months: 6, target: six },
    ],
  };
  const dated = (
    s: SubscriptionView,
    startedAt: string,
    endedAt: string | null = null,
    extraBilling: Partial<SubscriptionView["billing"]> = {},
  ): SubscriptionView => ({
    ...s,
    billing: { ...s.billing, ...extraBilling },
    startedAt: new Date(startedAt),
    endedAt: endedAt ? new Date(endedAt) : null,
  });
  const plan = (subscriptions: SubscriptionView[], roles: ExtraRoles = extra) =>
    planMemberAccess({
      subscriptions,
      tierTargets,
      identities: [discordUser, telegramUser],
      policy,
      now,
      extra: roles,
    });
  const extraOwed = (p: ReturnType<typeof plan>) =>
    p.owed.filter((o) => o.kind !== "tier").map((o) => `${o.kind}:${targetKey(o.target)}`);

  it("GIVEN none of the roles set THEN only the tiers' targets are owed, whatever the ledger says", () => {
    for (const subs of [
      [dated(sub("s", "gold", "trialing"), "2026-11-20T00:00:00Z")],
      [dated(sub("s", "gold"), "2025-01-01T00:00:00Z")],
      [dated(sub("s", "gold", "canceled"), "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")],
    ]) {
      const p = plan(subs, NO_EXTRA_ROLES);
      expect(p.owed.every((o) => o.kind === "tier")).toBe(true);
    }
    const p = plan([dated(sub("s", "gold"), "2025-01-01T00:00:00Z")], NO_EXTRA_ROLES);
    expect(p.reviewAt).toBeNull();
  });

  it("GIVEN a trialing subscription THEN the trial role is owed on Discord only; once active it is not", () => {
    const trialing = plan([dated(sub("s", "gold", "trialing"), "2026-11-20T00:00:00Z")]);
    expect(extraOwed(trialing)).toEqual(["trial:discord:g1:trial"]);
    expect(trialing.owed.find((o) => o.kind === "trial")?.identity).toEqual(discordUser);
    const active = plan([dated(sub("s", "gold"), "2026-11-20T00:00:00Z")]);
    expect(extraOwed(active)).toEqual([]);
  });

  it("GIVEN a former member owed nothing now THEN the alumni role is owed, and not once they return", () => {
    const lapsed = dated(sub("old", "gold", "canceled"), "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z");
    expect(extraOwed(plan([lapsed]))).toEqual(["alumni:discord:g1:alumni"]);
    expect(plan([lapsed]).tenure).toMatchObject({ since: null, returning: true });
    const back = plan([lapsed, dated(sub("new", "gold"), "2026-11-01T00:00:00Z")]);
    expect(extraOwed(back)).toEqual([]);
    expect(back.tenure).toMatchObject({ since: new Date("2026-11-01T00:00:00Z"), returning: true });
  });

  it("GIVEN someone who never became a member (first payment failed, or refunded) THEN no alumni role", () => {
    expect(extraOwed(plan([dated(sub("s", "gold", "incomplete_expired"), "2026-11-01T00:00:00Z")]))).toEqual(
      [],
    );
    const refunded = dated(sub("s", "gold", "canceled"), "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", {
      holds: ["refunded"],
    });
    expect(extraOwed(plan([refunded]))).toEqual([]);
  });

  it("GIVEN a member whose pause holds their access back THEN they are not alumni", () => {
    const paused = dated(sub("s", "gold"), "2026-01-01T00:00:00Z", null, { pause: { keepsAccess: false } });
    expect(plan([paused]).owed).toEqual([]);
  });

  it("GIVEN 7 months of continuous membership THEN the 3- and 6-month roles are owed and the 12-month date is reviewed", () => {
    const p = plan([dated(sub("s", "gold"), "2026-04-10T09:00:00Z")]);
    expect(extraOwed(p).sort()).toEqual(["tenure:discord:g1:six", "tenure:discord:g1:three"]);
    expect(p.tenure).toEqual({ since: new Date("2026-04-10T09:00:00Z"), months: 7, returning: false });
    expect(p.reviewAt).toEqual(new Date("2027-04-10T09:00:00Z"));
  });

  it("GIVEN a step exactly reached now THEN it is owed; a second before THEN it is the review date", () => {
    const exact = plan([dated(sub("s", "gold"), "2026-08-23T12:00:00Z")]);
    expect(extraOwed(exact)).toEqual(["tenure:discord:g1:three"]);
    const almost = plan([dated(sub("s", "gold"), "2026-08-23T12:00:01Z")]);
    expect(extraOwed(almost)).toEqual([]);
    expect(almost.reviewAt).toEqual(new Date("2026-11-23T12:00:01Z"));
  });

  it("GIVEN a new subscription begun before the last one ended THEN the membership is continuous; after a break it starts again", () => {
    const first = dated(sub("a", "silver", "canceled"), "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z");
    const soon = dated(sub("b", "gold"), "2026-06-30T10:00:00Z");
    const continuous = plan([first, soon]);
    expect(continuous.tenure).toMatchObject({
      since: new Date("2026-01-01T00:00:00Z"),
      months: 10,
      returning: false,
    });
    expect(extraOwed(continuous).sort()).toEqual(["tenure:discord:g1:six", "tenure:discord:g1:three"]);
    const late = dated(sub("b", "gold"), "2026-07-01T00:00:01Z");
    const broken = plan([first, late]);
    expect(broken.tenure).toMatchObject({
      since: new Date("2026-07-01T00:00:01Z"),
      months: 4,
      returning: true,
    });
    expect(extraOwed(broken)).toEqual(["tenure:discord:g1:three"]);
  });

  it("GIVEN the member lapses THEN the tenure and trial roles are no longer owed and alumni is", () => {
    const ended = dated(sub("s", "gold", "unpaid"), "2025-01-01T00:00:00Z", null);
    expect(extraOwed(plan([ended]))).toEqual(["alumni:discord:g1:alumni"]);
  });

  it("adds calendar months, clamping the day to the month's last", () => {
    expect(addMonths(new Date("2026-01-31T08:00:00Z"), 1)).toEqual(new Date("2026-02-28T08:00:00Z"));
    expect(addMonths(new Date("2026-11-30T08:00:00Z"), 3)).toEqual(new Date("2027-02-28T08:00:00Z"));
    expect(monthsBetween(new Date("2026-01-31T08:00:00Z"), new Date("2026-02-28T08:00:00Z"))).toBe(1);
    expect(monthsBetween(new Date("2026-01-31T08:00:00Z"), new Date("2026-02-28T07:59:59Z"))).toBe(0);
    expect(monthsBetween(new Date("2026-05-15T00:00:00Z"), new Date("2026-04-01T00:00:00Z"))).toBe(0);
  });
});
