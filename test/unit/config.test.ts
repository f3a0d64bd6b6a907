import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, readEnvironment, SETTING_NAMES } from "../../src/config.ts";
import { StartupError } from "../../src/errors.ts";

const valid = {
  DISCORD_TOKEN: "discord-token-abc",
  DISCORD_APPLICATION_ID: "123456789012345678",
  TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_abc-def",
  STRIPE_SECRET_KEY: "sk_test_abc123",
  STRIPE_WEBHOOK_SECRET: "whsec_abc123",
  PUBLIC_BASE_URL: "https://tribe.example.com/",
};

function load(values: Record<string, string | undefined>, fileKeys: string[] = []) {
  return loadConfig({ values, fileKeys });
}

function problems(values: Record<string, string | undefined>, fileKeys: string[] = []): string[] {
  try {
    load(values, fileKeys);
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError);
    return (err as StartupError).message
      .split("\n")
      .filter((l) => l.startsWith("  - "))
      .map((l) => l.slice(4));
  }
  throw new Error("expected the configuration to be refused");
}

describe("config", () => {
  it("GIVEN a complete environment THEN it builds the config with real defaults", () => {
    const config = load(valid);
    expect(config.discord).toEqual({
      token: "discord-token-abc",
      applicationId: "123456789012345678",
      apiUrl: "https://discord.com/api",
      homeGuildIds: [],
      leaveOtherServers: true,
      clientSecret: undefined,
    });
    expect(config.telegram).toMatchObject({ apiUrl: "https://api.telegram.org", mode: "polling" });
    expect(config.stripe.apiUrl).toBe("https://api.stripe.com");
    expect(config.publicBaseUrl).toBe("https://tribe.example.com");
    expect(config.http).toEqual({ host: "0.0.0.0", port: 3000 });
    expect(config.databaseUrl).toBeUndefined();
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it("GIVEN DISCORD_CLIENT_SECRET THEN Discord sign-in is on; a malformed one, or one without the bot, is named", () => {
    const config = load({ ...valid, DISCORD_CLIENT_SECRET: "aBcD_efgh-ijklmnop0123" });
    expect(config.discord?.clientSecret).toBe("aBcD_efgh-ijklmnop0123");
    expect(problems({ ...valid, DISCORD_CLIENT_SECRET: "short" }).join("\n")).toContain(
      "DISCORD_CLIENT_SECRET: must be the application's client secret",
    );
    const { DISCORD_TOKEN, DISCORD_APPLICATION_ID, ...noDiscord } = valid;
    void DISCORD_TOKEN;
    void DISCORD_APPLICATION_ID;
    expect(problems({ ...noDiscord, DISCORD_CLIENT_SECRET: "aBcD_efgh-ijklmnop0123" }).join("\n")).toContain(
      "DISCORD_CLIENT_SECRET: is set without DISCORD_TOKEN",
    );
  });

  it("GIVEN DISCORD_GUILD_IDS THEN those are the home servers; a bad id or switch is named with the fix", () => {
    const config = load({
      ...valid,
      DISCORD_GUILD_IDS: " 123456789012345678 , 223456789012345678,123456789012345678",
      DISCORD_LEAVE_OTHER_SERVERS: "false",
    });
    expect(config.discord?.homeGuildIds).toEqual(["123456789012345678", "223456789012345678"]);
    expect(config.discord?.leaveOtherServers).toBe(false);
    const found = problems({ ...valid, DISCORD_GUILD_IDS: "my-server", DISCORD_LEAVE_OTHER_SERVERS: "yes" });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^DISCORD_GUILD_IDS: must be your server ids separated by commas/);
    expect(found[1]).toMatch(/^DISCORD_LEAVE_OTHER_SERVERS: must be "true"/);
  });

  it("GIVEN only Telegram THEN Discord is off", () => {
    const { DISCORD_TOKEN: _, DISCORD_APPLICATION_ID: __, ...rest } = valid;
    const config = load(rest);
    expect(config.discord).toBeUndefined();
    expect(config.telegram?.token).toBe(valid.TELEGRAM_BOT_TOKEN);
  });

  it("GIVEN only Discord THEN Telegram is off", () => {
    const { TELEGRAM_BOT_TOKEN: _, ...rest } = valid;
    expect(load(rest).telegram).toBeUndefined();
  });

  it("GIVEN nothing THEN it names every variable to set, one line each", () => {
    const lines = problems({});
    // STRIPE_WEBHOOK_SECRET is not among them: `npm run doctor -- --fix` can store it instead (the
    // start-up refuses later, with both fixes, when there is neither).
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^DISCORD_TOKEN \+ DISCORD_APPLICATION_ID or TELEGRAM_BOT_TOKEN: configure at least one platform/,
    );
    expect(lines[1]).toMatch(/^STRIPE_SECRET_KEY: is missing/);
    expect(lines[2]).toMatch(/^PUBLIC_BASE_URL: is missing/);
  });

  it("GIVEN malformed values THEN each is named with what to put there", () => {
    const lines = problems({
      ...valid,
      DISCORD_APPLICATION_ID: "my-app",
      TELEGRAM_BOT_TOKEN: "nope",
      STRIPE_SECRET_KEY: "pk_test_123",
      STRIPE_WEBHOOK_SECRET: "secret",
      PUBLIC_BASE_URL: "tribe.example.com",
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      LOG_LEVEL: "loud",
      TELEGRAM_MODE: "push",
    });
    const names = lines.map((l) => l.split(":")[0]);
    expect(names).toEqual([
      "DISCORD_APPLICATION_ID",
      "TELEGRAM_BOT_TOKEN",
      "TELEGRAM_MODE",
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
      "PUBLIC_BASE_URL",
      "PORT",
      "DATABASE_URL",
      "LOG_LEVEL",
    ]);
    expect(lines.find((l) => l.startsWith("STRIPE_SECRET_KEY"))).toMatch(/sk_live_/);
    expect(lines.find((l) => l.startsWith("PORT"))).toMatch(/whole number/);
  });

  it("GIVEN half of the Discord pair THEN it asks for the other half", () => {
    expect(problems({ ...valid, DISCORD_APPLICATION_ID: "" })).toEqual([
      expect.stringMatching(/^DISCORD_APPLICATION_ID: is missing; Discord needs it with DISCORD_TOKEN/),
    ]);
    expect(problems({ ...valid, DISCORD_TOKEN: " " })).toEqual([
      expect.stringMatching(/^DISCORD_TOKEN: is missing/),
    ]);
  });

  it("GIVEN Telegram webhook mode without a secret THEN it asks for TELEGRAM_WEBHOOK_SECRET", () => {
    expect(problems({ ...valid, TELEGRAM_MODE: "webhook" })).toEqual([
      expect.stringMatching(/^TELEGRAM_WEBHOOK_SECRET: is missing/),
    ]);
    expect(
      load({ ...valid, TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: "s3cret-s3cret-s3cret" }).telegram
        ?.mode,
    ).toBe("webhook");
  });

  it("GIVEN STRIPE_REQUESTS_PER_SECOND THEN it is the Stripe budget; unset, the key decides; nonsense is named", () => {
    expect(load(valid).stripe.requestsPerSecond).toBeUndefined();
    expect(load({ ...valid, STRIPE_REQUESTS_PER_SECOND: " 12 " }).stripe.requestsPerSecond).toBe(12);
    expect(load({ ...valid, STRIPE_REQUESTS_PER_SECOND: "" }).stripe.requestsPerSecond).toBeUndefined();
    for (const bad of ["0", "fast", "2.5"]) {
      const [line] = problems({ ...valid, STRIPE_REQUESTS_PER_SECOND: bad });
      expect(line).toMatch(/^STRIPE_REQUESTS_PER_SECOND: must be .*20 with a test key, 80 with a live key/);
    }
  });

  it("GIVEN base URLs for stand-ins or proxies THEN they are used without a trailing slash", () => {
    const config = load({
      ...valid,
      DISCORD_API_URL: "http://127.0.0.1:9000/api/",
      TELEGRAM_API_URL: "http://127.0.0.1:9001",
      STRIPE_API_URL: "http://127.0.0.1:9002",
      DATABASE_URL: "postgresql://u:p@db:5432/tribe",
      PORT: "0",
    });
    expect(config.discord?.apiUrl).toBe("http://127.0.0.1:9000/api");
    expect(config.telegram?.apiUrl).toBe("http://127.0.0.1:9001");
    expect(config.stripe.apiUrl).toBe("http://127.0.0.1:9002");
    expect(config.databaseUrl).toBe("postgresql://u:p@db:5432/tribe");
    expect(config.http.port).toBe(0);
  });

  it("GIVEN an unknown name in the .env file THEN it is reported with a suggestion", () => {
    expect(problems({ ...valid, DISCORD_TOKN: "x" }, ["DISCORD_TOKN"])).toEqual([
      "DISCORD_TOKN: is not a tribegate setting (did you mean DISCORD_TOKEN?); remove it from the .env file",
    ]);
  });

  it("reads .env under the environment, the environment winning", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tg-env-"));
    writeFileSync(
      path.join(dir, ".env"),
      "PORT=4000\nLOG_LEVEL=debug\n# comment\nPUBLIC_BASE_URL=https://a.example\n",
    );
    const raw = readEnvironment({ LOG_LEVEL: "warn" }, dir);
    expect(raw.values).toMatchObject({
      PORT: "4000",
      LOG_LEVEL: "warn",
      PUBLIC_BASE_URL: "https://a.example",
    });
    expect(raw.fileKeys.sort()).toEqual(["LOG_LEVEL", "PORT", "PUBLIC_BASE_URL"]);
  });

  it("refuses an ENV_FILE that does not exist", () => {
    expect(() => readEnvironment({ ENV_FILE: "/nonexistent/tribegate.env" }, "/")).toThrow(
      /ENV_FILE: .* does not exist/,
    );
  });

  it("documents every setting in .env.example and the README", async () => {
    const { readFile } = await import("node:fs/promises");
    const example = await readFile(new URL("../../.env.example", import.meta.url), "utf8");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    for (const name of SETTING_NAMES.filter((n) => n !== "ENV_FILE")) {
      expect(example, `${name} in .env.example`).toContain(name);
      expect(readme, `${name} in README.md`).toContain(`\`${name}\``);
    }
    expect(readme).toContain("`ENV_FILE`");
  });
});
