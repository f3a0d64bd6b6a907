import { describe, expect, it } from "vitest";
import { sessionCookie } from "../../../../src/adapters/http/discordJoin.ts";
import { joinTokenKey, openToken, sealToken } from "../../../../src/app/members/webJoin.ts";

describe("joining with Discord from the page", () => {
  it("keeps the visitor's session in an HttpOnly, SameSite=Lax cookie, Secure when the address is https", () => {
    expect(sessionCookie("https://tribe.example.com", "abc")).toBe(
      "tribegate_visit=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400; Secure",
    );
    expect(sessionCookie("http://127.0.0.1:3000", "abc")).not.toContain("Secure");
  });

  it("seals join tokens so that only DISCORD_CLIENT_SECRET's key opens them", () => {
    const key = joinTokenKey("discord-test-client-secret-0123456789");
    const sealed = sealToken(key, "user-access-token");
    expect(sealed).not.toContain("user-access-token");
    expect(openToken(key, sealed)).toBe("user-access-token");
    expect(openToken(joinTokenKey("another-secret-0123456789"), sealed)).toBeNull();
    expect(openToken(key, `${sealed.slice(0, -2)}xx`)).toBeNull();
    expect(sealToken(key, "user-access-token")).not.toBe(sealed);
  });
});
