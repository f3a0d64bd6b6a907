import { describe, expect, it } from "vitest";
import { parseMemberRef } from "../../../src/core/memberRef.ts";

describe("parseMemberRef: how a creator names a member", () => {
  it("reads Telegram ids, bare or prefixed", () => {
    for (const ref of ["123456", "tg:123456", "telegram:123456"])
      expect(parseMemberRef(ref)).toEqual({ kind: "account", platform: "telegram", userId: "123456" });
  });

  it("reads Discord ids only with their prefix (a bare snowflake is a Telegram id)", () => {
    const id = "123456789012345678";
    expect(parseMemberRef(`discord:${id}`)).toEqual({ kind: "account", platform: "discord", userId: id });
    expect(parseMemberRef(`dc:${id}`)).toEqual({ kind: "account", platform: "discord", userId: id });
    expect(parseMemberRef(id)).toEqual({ kind: "account", platform: "telegram", userId: id });
    // Too short to be a snowflake: not a Discord account.
    expect(parseMemberRef("discord:123")).toEqual({ kind: "member", memberId: "discord:123" });
  });

  it("reads @usernames, Stripe customer ids, and anything else as a member id", () => {
    expect(parseMemberRef("@Alice")).toEqual({ kind: "username", platform: "telegram", username: "Alice" });
    expect(parseMemberRef("cus_Q1w2")).toEqual({ kind: "customer", customerId: "cus_Q1w2" });
    expect(parseMemberRef("mem_01J")).toEqual({ kind: "member", memberId: "mem_01J" });
  });
});
