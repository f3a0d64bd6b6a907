import { describe, expect, it } from "vitest";
import { discussionUrl, THREAD_NAME_MAX, threadName } from "../../../src/core/discussion.ts";

describe("discussion links, from ids only", () => {
  it("a Discord thread: the server and the thread", () => {
    expect(
      discussionUrl({
        platform: "discord",
        chatId: "1300000000000000002",
        threadId: "1300000000000000009",
        guildId: "1300000000000000001",
      }),
    ).toBe("https://discord.com/channels/1300000000000000001/1300000000000000009");
    // No server known, or ids that are not snowflakes: no link.
    expect(discussionUrl({ platform: "discord", chatId: "1", threadId: "2" })).toBeNull();
    expect(
      discussionUrl({ platform: "discord", chatId: "1", threadId: "2/../../evil", guildId: "3" }),
    ).toBeNull();
    expect(discussionUrl({ platform: "discord", chatId: "1", threadId: "2", guildId: "x" })).toBeNull();
  });

  it("a Telegram reply thread: t.me/c for a private supergroup, t.me/<username> for a public one", () => {
    expect(discussionUrl({ platform: "telegram", chatId: "-1001234567890", threadId: "42" })).toBe(
      "https://t.me/c/1234567890/42?thread=42",
    );
    expect(
      discussionUrl({
        platform: "telegram",
        chatId: "-1001234567890",
        threadId: "42",
        username: "gold_square",
      }),
    ).toBe("https://t.me/gold_square/42?thread=42");
    // A username that is not one (a fan cannot choose it, but nothing odd reaches a link) falls back.
    expect(
      discussionUrl({
        platform: "telegram",
        chatId: "-1001234567890",
        threadId: "42",
        username: "evil.example/x?",
      }),
    ).toBe("https://t.me/c/1234567890/42?thread=42");
    // A basic group (no -100) or a private chat has no such link; nor does an odd message id.
    expect(discussionUrl({ platform: "telegram", chatId: "-4567", threadId: "42" })).toBeNull();
    expect(discussionUrl({ platform: "telegram", chatId: "12345", threadId: "42" })).toBeNull();
    expect(discussionUrl({ platform: "telegram", chatId: "-1001234567890", threadId: "4a" })).toBeNull();
  });
});

describe("thread names", () => {
  it("one line, whitespace collapsed, at most 100 characters (whole code points), a fallback when empty", () => {
    expect(threadName("  Next\n\nseries?  ", "Poll")).toBe("Next series?");
    expect(threadName(" \n ", "Poll")).toBe("Poll");
    const long = `${"🎬".repeat(150)}`;
    const name = threadName(long, "Poll");
    expect([...name]).toHaveLength(THREAD_NAME_MAX);
    expect(name.endsWith("🎬…")).toBe(true);
    const exact = "a".repeat(THREAD_NAME_MAX);
    expect(threadName(exact, "Poll")).toBe(exact);
    // Fan text stays as typed: a thread name renders no Markdown and pings nobody.
    expect(threadName("@everyone <b>x</b> **y**", "Poll")).toBe("@everyone <b>x</b> **y**");
  });
});
