import { describe, expect, it } from "vitest";
import type { AccessAction, AccessTarget, Identity, OwedAccess } from "../../../src/core/access.ts";
import {
  type LedgerJob,
  type LedgerSubscriptionView,
  type MemberDriftInput,
  memberDrift,
  PLATFORM_HANDOVER,
  questionKey,
  type StripeSubscriptionView,
  stripeDrift,
  unmanagedHolders,
} from "../../../src/core/drift.ts";

const discordFan: Identity = { platform: "discord", userId: "111" };
const telegramFan: Identity = { platform: "telegram", userId: "222" };
const goldRole: AccessTarget = { platform: "discord", guildId: "g1", roleId: "gold" };
const silverRole: AccessTarget = { platform: "discord", guildId: "g1", roleId: "silver" };
const goldChat: AccessTarget = { platform: "telegram", chatId: "-100123" };
const targets = new Map<string, AccessTarget>([
  ["discord:g1:gold", goldRole],
  ["discord:g1:silver", silverRole],
  ["telegram:-100123", goldChat],
]);

const owe = (identity: Identity, target: AccessTarget): OwedAccess => ({
  identity,
  target,
  kind: "tier",
  subscriptionId: "sub_1",
  tierId: "gold",
});
const job = (
  identity: Identity,
  target: AccessTarget,
  action: "grant" | "revoke" = "grant",
  state = "done",
): LedgerJob => ({
  platform: identity.platform,
  platformUserId: identity.userId,
  targetKey:
    target.platform === "discord"
      ? `discord:${target.guildId}:${target.roleId}`
      : `telegram:${target.chatId}`,
  action,
  state,
});

/** A member linked on both platforms, owed gold, whose ledger wished it and whose platforms show it. */
function input(over: Partial<MemberDriftInput> = {}): MemberDriftInput {
  return {
    memberId: "m1",
    identities: [discordFan, telegramFan],
    owed: [owe(discordFan, goldRole), owe(telegramFan, goldChat)],
    actions: [],
    jobs: [job(discordFan, goldRole), job(telegramFan, goldChat)],
    targets,
    snapshot: {
      holders: new Map([
        ["discord:g1:gold", new Set(["111"])],
        ["discord:g1:silver", new Set<string>()],
      ]),
      present: new Map([
        ["discord:g1:gold", new Set(["111"])],
        ["discord:g1:silver", new Set(["111"])],
      ]),
    },
    answers: new Map([[questionKey("222", goldChat), true]]),
    handover: PLATFORM_HANDOVER,
    ...over,
  };
}

describe("stripeDrift", () => {
  const day = (d: number) => new Date(Date.UTC(2026, 10, d));
  const stripeSub: StripeSubscriptionView = {
    id: "sub_1",
    status: "active",
    priceId: "price_gold",
    cancelAtPeriodEnd: false,
    currentPeriodEnd: day(20),
    pause: null,
  };
  const ledgerSub: LedgerSubscriptionView = {
    status: "active",
    stripePriceId: "price_gold",
    cancelAtPeriodEnd: false,
    currentPeriodEnd: day(20),
    pausedSince: null,
    pauseResumesAt: null,
  };

  it("GIVEN a pause the ledger missed, or a pause end that moved THEN the customer is applied, the drift named", () => {
    const paused = { ...stripeSub, pause: { resumesAt: day(28) } };
    const missed = stripeDrift(new Map([["cus_1", [paused]]]), new Map([["sub_1", ledgerSub]]));
    expect(missed.customersToApply).toEqual(["cus_1"]);
    expect(missed.drift.map((d) => d.what)).toEqual([
      "customer cus_1: subscription sub_1: collection paused",
    ]);
    const recorded = { ...ledgerSub, pausedSince: day(10), pauseResumesAt: day(28) };
    expect(stripeDrift(new Map([["cus_1", [paused]]]), new Map([["sub_1", recorded]]))).toEqual({
      customersToApply: [],
      drift: [],
    });
    const moved = stripeDrift(
      new Map([["cus_1", [{ ...stripeSub, pause: { resumesAt: day(30) } }]]]),
      new Map([["sub_1", recorded]]),
    );
    expect(moved.drift.map((d) => d.what)).toEqual(["customer cus_1: subscription sub_1: pause end moved"]);
    const resumed = stripeDrift(new Map([["cus_1", [stripeSub]]]), new Map([["sub_1", recorded]]));
    expect(resumed.drift.map((d) => d.fact)).toEqual([
      {
        kind: "stripe",
        customerId: "cus_1",
        subscriptionId: "sub_1",
        changes: [{ field: "pause", from: true, to: false }],
      },
    ]);
  });

  it("GIVEN the ledger records what Stripe says THEN no drift and nothing to apply", () => {
    expect(stripeDrift(new Map([["cus_1", [stripeSub]]]), new Map([["sub_1", ledgerSub]]))).toEqual({
      customersToApply: [],
      drift: [],
    });
  });

  it("GIVEN a subscription missing from the ledger (a lost webhook) THEN its customer is applied", () => {
    expect(stripeDrift(new Map([["cus_1", [stripeSub]]]), new Map())).toEqual({
      customersToApply: ["cus_1"],
      drift: [
        {
          kind: "stripe",
          memberId: null,
          what: "customer cus_1: subscription sub_1 missing from the ledger (active)",
          fact: {
            kind: "stripe",
            customerId: "cus_1",
            subscriptionId: "sub_1",
            missing: { status: "active" },
          },
        },
      ],
    });
  });

  it("GIVEN status, price, cancellation and period end all differ THEN one drift line names each", () => {
    const r = stripeDrift(
      new Map([
        [
          "cus_1",
          [
            {
              ...stripeSub,
              status: "past_due",
              priceId: "price_silver",
              cancelAtPeriodEnd: true,
              currentPeriodEnd: day(21),
            },
          ],
        ],
      ]),
      new Map([["sub_1", ledgerSub]]),
    );
    expect(r.customersToApply).toEqual(["cus_1"]);
    expect(r.drift.map((d) => d.what)).toEqual([
      "customer cus_1: subscription sub_1: status active → past_due, price price_gold → price_silver, cancel at period end false → true, period end moved",
    ]);
  });

  it("GIVEN a status the ledger does not know THEN it counts as canceled", () => {
    const r = stripeDrift(
      new Map([["cus_1", [{ ...stripeSub, status: "something_new" }]]]),
      new Map([["sub_1", { ...ledgerSub, status: "canceled" }]]),
    );
    expect(r).toEqual({ customersToApply: [], drift: [] });
  });

  it("GIVEN two customers, one in line THEN only the other is applied", () => {
    const r = stripeDrift(
      new Map([
        ["cus_1", [stripeSub]],
        ["cus_2", [{ ...stripeSub, id: "sub_2" }]],
      ]),
      new Map([
        ["sub_1", ledgerSub],
        ["sub_2", { ...ledgerSub, currentPeriodEnd: null }],
      ]),
    );
    expect(r.customersToApply).toEqual(["cus_2"]);
  });
});

describe("memberDrift", () => {
  it("GIVEN ledger and platforms hold what is owed THEN no drift", () => {
    expect(memberDrift(input())).toEqual({ drift: [], platformFixes: [], waitingOnFan: 0, questions: [] });
  });

  it("GIVEN the ledger's jobs are behind THEN each action is ledger drift, and not a platform fix as well", () => {
    const actions: AccessAction[] = [{ action: "grant", identity: discordFan, target: goldRole }];
    const r = memberDrift(
      input({
        actions,
        jobs: [job(telegramFan, goldChat)],
        snapshot: { ...input().snapshot, holders: new Map([["discord:g1:gold", new Set<string>()]]) },
      }),
    );
    expect(r.drift).toEqual([
      {
        kind: "ledger",
        memberId: "m1",
        what: "grant discord:111 discord:g1:gold not yet wished",
        fact: {
          kind: "ledger",
          action: "grant",
          platform: "discord",
          userId: "111",
          target: "discord:g1:gold",
        },
      },
    ]);
    expect(r.platformFixes).toEqual([]);
  });

  it("GIVEN a role owed but removed by hand THEN it is granted again", () => {
    const r = memberDrift(
      input({
        snapshot: { ...input().snapshot, holders: new Map([["discord:g1:gold", new Set<string>()]]) },
      }),
    );
    expect(r.platformFixes).toEqual([
      {
        action: "grant",
        platform: "discord",
        userId: "111",
        target: goldRole,
        why: "owed but not held on the platform",
      },
    ]);
    expect(r.drift.map((d) => [d.kind, d.what])).toEqual([
      ["platform", "grant discord:111 discord:g1:gold: owed but not held on the platform"],
    ]);
  });

  it("GIVEN a fan owed a role who is not in the server THEN it waits on the fan, the role is not asked about", () => {
    const r = memberDrift(
      input({
        snapshot: {
          holders: new Map([["discord:g1:gold", new Set<string>()]]),
          present: new Map([["discord:g1:gold", new Set<string>()]]),
        },
      }),
    );
    expect(r.platformFixes).toEqual([]);
    expect(r.waitingOnFan).toBe(1);
  });

  it("GIVEN a platform that cannot list holders and no answer yet THEN it asks, in order, and acts on nothing", () => {
    const r = memberDrift(input({ answers: new Map() }));
    expect(r.questions).toEqual([{ userId: "222", target: goldChat }]);
    expect(r.platformFixes).toEqual([]);
  });

  it("GIVEN an invite platform, a grant carried out and the fan not in the chat THEN it waits on the fan", () => {
    const r = memberDrift(input({ answers: new Map([[questionKey("222", goldChat), false]]) }));
    expect(r.platformFixes).toEqual([]);
    expect(r.waitingOnFan).toBe(1);
  });

  it("GIVEN the same case on a platform where the bot gives access itself THEN it is granted again", () => {
    const r = memberDrift(
      input({
        answers: new Map([[questionKey("222", goldChat), false]]),
        handover: { ...PLATFORM_HANDOVER, telegram: "direct" },
      }),
    );
    expect(r.waitingOnFan).toBe(0);
    expect(r.platformFixes.map((f) => [f.action, f.userId, f.target])).toEqual([["grant", "222", goldChat]]);
  });

  it("GIVEN an invite whose grant is not carried out yet and the fan not in the chat THEN it is granted again", () => {
    const r = memberDrift(
      input({
        jobs: [job(discordFan, goldRole), job(telegramFan, goldChat, "grant", "dead")],
        answers: new Map([[questionKey("222", goldChat), false]]),
      }),
    );
    expect(r.waitingOnFan).toBe(0);
    expect(r.platformFixes.map((f) => [f.action, f.userId])).toEqual([["grant", "222"]]);
  });

  it("GIVEN a platform that cannot tell (null) THEN the access is left alone", () => {
    const r = memberDrift(input({ answers: new Map([[questionKey("222", goldChat), null]]) }));
    expect(r).toMatchObject({ platformFixes: [], waitingOnFan: 0, questions: [] });
  });

  it("GIVEN a role held but not owed THEN it is revoked", () => {
    const r = memberDrift(
      input({
        snapshot: {
          ...input().snapshot,
          holders: new Map([
            ["discord:g1:gold", new Set(["111"])],
            ["discord:g1:silver", new Set(["111"])],
          ]),
        },
      }),
    );
    expect(r.platformFixes).toEqual([
      {
        action: "revoke",
        platform: "discord",
        userId: "111",
        target: silverRole,
        why: "held on the platform but not owed",
      },
    ]);
  });

  it("GIVEN a role held but not owed that the ledger already revokes THEN no platform fix", () => {
    const r = memberDrift(
      input({
        actions: [{ action: "revoke", identity: discordFan, target: silverRole }],
        snapshot: {
          ...input().snapshot,
          holders: new Map([
            ["discord:g1:gold", new Set(["111"])],
            ["discord:g1:silver", new Set(["111"])],
          ]),
        },
      }),
    );
    expect(r.platformFixes).toEqual([]);
    expect(r.drift.map((d) => d.kind)).toEqual(["ledger"]);
  });

  it("GIVEN a chat no longer owed THEN only an account the ledger ever wished it is asked about, and revoked if in", () => {
    const lapsed = input({ owed: [owe(discordFan, goldRole)], answers: new Map() });
    expect(memberDrift(lapsed).questions).toEqual([{ userId: "222", target: goldChat }]);
    const stillIn = memberDrift({ ...lapsed, answers: new Map([[questionKey("222", goldChat), true]]) });
    expect(stillIn.platformFixes.map((f) => [f.action, f.userId, f.target])).toEqual([
      ["revoke", "222", goldChat],
    ]);
    const neverWished = memberDrift({ ...lapsed, jobs: [job(discordFan, goldRole)] });
    expect(neverWished).toMatchObject({ questions: [], platformFixes: [] });
  });

  it("GIVEN an unreadable role (no holder list) THEN the account is asked about, owed ones first", () => {
    const r = memberDrift(
      input({
        snapshot: { holders: new Map(), present: new Map() },
        jobs: [job(discordFan, goldRole), job(discordFan, silverRole, "revoke"), job(telegramFan, goldChat)],
        answers: new Map(),
      }),
    );
    expect(r.questions.map((q) => [q.userId, q.target])).toEqual([
      ["111", goldRole],
      ["222", goldChat],
      ["111", silverRole],
    ]);
  });
});

describe("unmanagedHolders", () => {
  it("GIVEN holders the ledger does not know THEN they are listed, known ones and unparsable keys are not", () => {
    expect(
      unmanagedHolders(
        new Map([
          ["discord:g1:gold", new Set(["111", "999"])],
          ["nonsense", new Set(["888"])],
        ]),
        new Set(["discord:111"]),
      ),
    ).toEqual([{ platform: "discord", userId: "999", target: "discord:g1:gold" }]);
  });
});
