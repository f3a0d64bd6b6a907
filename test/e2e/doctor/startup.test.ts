import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../harness.ts";

/**
 * The doctor's checks at start-up: in the background once the bot is up (never before
 * startup.complete), one `doctor.check` warning per problem, the bot serving meanwhile.
 */
describe("set-up checks at start-up", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", telegram: true, doctorOnStart: true });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it("logs each problem as a doctor.check warning after the bot is up", async () => {
    await h.logs.waitFor("doctor.done", 20_000);
    const complete = h.logs.lines.findIndex((l) => l.event === "startup.complete");
    const first = h.logs.lines.findIndex((l) => l.event === "doctor.check");
    expect(complete).toBeGreaterThanOrEqual(0);
    expect(first).toBeGreaterThan(complete);
    const checks = h.logs.events("doctor.check");
    expect(checks.map((l) => l.level)).toEqual(checks.map(() => "warn"));
    expect(checks).toContainEqual(
      expect.objectContaining({ area: "Stripe", check: "webhook_endpoint", blocksFans: true }),
    );
    expect(checks).toContainEqual(
      expect.objectContaining({ area: "Telegram", check: "creators", blocksFans: false }),
    );
    expect(String(checks.find((l) => l.check === "webhook_endpoint")?.msg)).toContain(
      "npm run doctor -- --fix",
    );
    // The bot served all along.
    expect((await fetch(`${h.app.http.url}/healthz`)).status).toBe(200);
  });
});
