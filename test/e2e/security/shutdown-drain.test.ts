import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../support/helpers.ts";
import { addFan, command, homeServerWithTier, interact, opt, type Server } from "../discord/helpers.ts";
import { type DiscordHarness, startHarness } from "../harness.ts";

/**
 * Shutdown: Discord keeps sending interactions until the gateway is closed, after the adapter was
 * asked to stop. Those are finished too (answered, their writes committed) before the database closes,
 * instead of failing half-way on a closed database.
 */
describe("security: shutdown drains the Discord interactions that arrive until the gateway closes", () => {
  let h: DiscordHarness;
  let server: Server;
  let gold: { slug: string };

  beforeAll(async () => {
    h = await startHarness({ backend: "pglite", discord: true });
    ({ server, tier: gold } = await homeServerWithTier(h));
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a /join that arrives while the adapter stops is answered with its checkout link", async () => {
    const early = addFan(h, server, "early");
    const late = addFan(h, server, "late");
    const checkout = { method: "POST", path: "/v1/checkout/sessions" };
    // The first /join is in flight when shutdown starts (Stripe answers it 1.5 s later)...
    h.stripe.failNext(checkout, { kind: "delay", ms: 1_500 });
    const first = h.discord.interaction(
      command({ user: early, guildId: server.id }, "join", [opt.str("tier", gold.slug)]),
    );
    await until(() => h.stripe.calls.some((c) => c.path === checkout.path), "the first checkout call");
    const stopping = h.app.stop();
    // ...and the second arrives after the adapter took its list of interactions to wait for.
    await h.logs.waitFor("shutdown.closing", 10_000, (l) => l.component === "platform adapter");
    h.stripe.failNext(checkout, { kind: "delay", ms: 2_500 });
    const second = interact(
      h,
      command({ user: late, guildId: server.id }, "join", [opt.str("tier", gold.slug)]),
    );
    const answer = await second;
    await stopping;
    expect(answer.content).toContain("Join **Gold**");
    expect(answer.urls).toHaveLength(1);
    await until(() => first.original !== undefined, "the first answer");
    expect(h.logs.lines.filter((l) => l.event === "discord.interaction.failed")).toEqual([]);
    expect(h.logs.lines.some((l) => l.event === "shutdown.complete")).toBe(true);
    // The late work was waited for before the database closed.
    const lines = h.logs.lines.filter((l) => l.event === "shutdown.closing").map((l) => l.component);
    expect(lines.indexOf("platform adapter (late work)")).toBeLessThan(lines.indexOf("database"));
  });
});
