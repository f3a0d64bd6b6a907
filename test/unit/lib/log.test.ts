import { Writable } from "node:stream";
import { DiscordAPIError } from "discord.js";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/log.ts";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ level: "info", pretty: false, destination }), lines };
}

describe("log lines", () => {
  it("never carry an interaction's token, as discord.js's errors do in the URL they called", () => {
    const { log, lines } = capture();
    const token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OnNlY3JldA";
    const err = new DiscordAPIError(
      { code: 10015, message: "Unknown Webhook" },
      10015,
      404,
      "PATCH",
      `https://discord.com/api/v10/webhooks/1234567890/${token}/messages/@original`,
      { body: { content: "hi" } },
    );
    log.warn({ event: "x", err, path: `/interactions/987654321/${token}/callback` }, "failed");
    const line = lines.join("");
    expect(line).not.toContain(token);
    expect(line).toContain("/webhooks/1234567890/[redacted]/messages/@original");
    expect(line).toContain("/interactions/987654321/[redacted]/callback");
    expect(JSON.parse(line).event).toBe("x");
  });
});
