import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type DualHarness, startHarness } from "./harness.ts";

describe.each(BACKENDS)("smoke: the whole bot against the stand-ins, on %s", (backend) => {
  let h: DualHarness;

  beforeAll(async () => {
    h = await startHarness({ backend, discord: true, telegram: true });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("applies the migrations, recorded in Prisma's table", async () => {
    const rows = await h.app.db.prisma.$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
      SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    expect(h.logs.events("startup.complete")[0]).toMatchObject({
      database: backend === "postgres" ? "postgres" : "pglite",
    });
  });

  it("handles Discord's READY and polls Telegram", async () => {
    await h.logs.waitFor("discord.ready");
    await h.logs.waitFor("telegram.polling");
    // A long poll is pending (not answered) while nothing happens: look at the calls received.
    await expect
      .poll(() => h.telegram.calls.some((c) => c.method === "getUpdates" && c.status === "pending"))
      .toBe(true);
    expect(h.telegram.calls.some((c) => c.method === "deleteWebhook")).toBe(true);
    expect(h.discord.connections).toBe(1);
  });

  it("answers /healthz and /readyz with each part's state", async () => {
    const health = await fetch(`${h.app.http.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const ready = await fetch(`${h.app.http.url}/readyz`);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: {
        // Alone on its database, the process leads (holds the gateways) on either back end.
        role: "leader",
        database: `ok (${backend === "postgres" ? "postgres" : "pglite"})`,
        discord: "ready",
        telegram: "ready",
      },
    });
    expect(ready.status).toBe(200);
    expect((await fetch(`${h.app.http.url}/nope`)).status).toBe(404);
    expect((await fetch(`${h.app.http.url}/healthz`, { method: "POST" })).status).toBe(405);
  });

  it("never writes a token or key to the log", () => {
    const all = h.logs.raw.join("\n");
    for (const secret of [
      h.config.stripe.secretKey,
      h.config.stripe.webhookSecret,
      h.config.discord!.token,
      h.config.telegram!.token,
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(h.logs.lines.every((l) => typeof l.event === "string" || l.unparsed === undefined)).toBe(true);
  });

  it("shuts down cleanly: HTTP closed, polling stopped, gateway closed, database closed", async () => {
    await h.app.stop();
    await h.logs.waitFor("shutdown.complete");
    for (const e of ["http.closed", "telegram.stopped", "discord.stopped"])
      expect(h.logs.events(e)).toHaveLength(1);
    await expect(fetch(`${h.app.http.url}/healthz`)).rejects.toThrow();
    await expect(h.app.db.ping()).rejects.toThrow();
    // stop() is idempotent: the harness calls it again.
  });
});
