import type { User } from "@grammyjs/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addTierAccess, createTier } from "../../../src/app/tiers.ts";
import { role } from "../../standins/discord-payloads.ts";
import { supergroup, user as telegramUser } from "../../standins/telegram-payloads.ts";
import { type Cluster, findPostgresBin, startCluster } from "../../support/global-setup.ts";
import { pay } from "../../support/helpers.ts";
import {
  addFan,
  addServer,
  interact,
  join,
  lastSeq,
  type Server,
  command as slash,
  waitForRoleCall,
} from "../discord/helpers.ts";
import { type DualHarness, startHarness, type TelegramHarness } from "../harness.ts";
import {
  bindNewChat,
  botMessages,
  buttons,
  CREATOR,
  command,
  fanJoins,
  nextBotMessage,
  tg,
} from "../telegram/helpers.ts";

/**
 * LEAKS: what opens a door for whoever holds it (a Checkout or billing portal link, a Telegram
 * invite link) goes to the fan in a private message and nowhere else, not even into a log line
 * about a message that failed to send; Stripe's own error text goes to the log, and the fan gets a
 * reference to it; /readyz, which anyone can call, names states, never an error's text.
 */

describe("LEAKS: links and Stripe's words stay out of logs and fans' messages", () => {
  let h: DualHarness;
  let server: Server;
  let goldRoleId: string;
  let priceId: string;
  const chat = supergroup({ title: "Gold lounge" });

  beforeAll(async () => {
    h = await startHarness({
      backend: "pglite",
      discord: true,
      telegram: true,
      env: { TELEGRAM_CREATOR_IDS: String(CREATOR.id) },
    });
    await h.discord.waitForReady();
    server = await addServer(h);
    const goldRole = role({ name: "Gold", position: 1 });
    h.discord.addRole(server.id, goldRole);
    goldRoleId = goldRole.id;
    const tier = await createTier(h.deps, {
      name: "Gold",
      slug: "gold",
      amount: 1000,
      currency: "eur",
      interval: "month",
    });
    priceId = tier.prices[0]!.stripePriceId;
    await addTierAccess(
      h.deps,
      "gold",
      { platform: "discord", guildId: server.id, roleId: goldRoleId },
      "Gold",
    );
    tg(h).addUser(CREATOR);
    await command(h, CREATOR, "start");
    await bindNewChat(h, "gold", chat);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("Checkout, portal and invite links reach the fan and never a log line, even when sending them fails", async () => {
    const links: string[] = [];
    // Discord: /join gives a Checkout link; once paid, /join gives the billing portal.
    const fan = addFan(h, server, "linkfan");
    const first = await join(h, server, fan, "gold");
    links.push(...first.answer.urls);
    const seq = lastSeq(h);
    await pay(h, first.sessionId);
    await waitForRoleCall(h, "PUT", fan.id, goldRoleId, seq);
    const portal = await interact(h, slash({ user: fan, guildId: server.id }, "join", []));
    expect(portal.urls[0]).toMatch(/\/billing\/bps_/);
    links.push(...portal.urls);

    // Telegram: the message with the Checkout link fails to send once (the error holds the link).
    const tgFan: User = telegramUser({ first_name: "Linda" });
    tg(h).addUser(tgFan);
    tg(h).failNext(
      "sendMessage",
      { kind: "error", errorCode: 400, description: "Bad Request: can't parse entities" },
      { when: (p) => JSON.stringify(p).includes("/checkout/cs_") },
    );
    const menu = await command(h, tgFan, "start", "gold");
    const seen = botMessages(h, tgFan.id).length;
    tg(h).pushCallbackQuery({
      from: tgFan,
      data: (buttons(menu)[0] as { callback_data: string }).callback_data,
      message: menu,
    });
    const failure = await h.logs.waitFor("telegram.handler_failed", 10_000);
    // The error of the failed call is logged, without the message it carried.
    expect(failure.err).toMatchObject({ method: "sendMessage", payload: "[redacted]" });
    const failedSend = tg(h)
      .callsOf("sendMessage")
      .find((c) => JSON.stringify(c.params).includes("/checkout/cs_"));
    const lostLink = /https?:\/\/[^"\s]+\/checkout\/cs_[\w]+/.exec(JSON.stringify(failedSend?.params))?.[0];
    expect(lostLink).toBeDefined();
    links.push(lostLink!);
    // The fan is told something went wrong (with a reference) and tries again.
    const sorry = await nextBotMessage(h, tgFan.id, seen);
    expect(sorry.text).toMatch(/ref: \w+/);

    // Telegram: a whole membership, up to the personal invite link.
    const member: User = telegramUser({ first_name: "Ivan" });
    links.push(...(await collectTelegramLinks(h, member)));

    expect(links.length).toBeGreaterThanOrEqual(5);
    const all = h.logs.raw.join("\n");
    for (const link of links) expect(all, link).not.toContain(link);
    expect(all).not.toMatch(/\/checkout\/cs_test_/);
    expect(all).not.toMatch(/\/billing\/bps_/);
    expect(all).not.toMatch(/t\.me\/\+/);
    // What happened is still in the log, in words.
    expect(h.logs.events("checkout.started").length).toBeGreaterThanOrEqual(3);
    // And whatever field a future log call puts a link in, the line carries none.
    h.deps.log.warn({ event: "test.free_text", note: `fan opened ${links[0]} then ${links.at(-1)}` }, "x");
    const line = h.logs.raw.at(-1) ?? "";
    expect(line).toContain("[redacted url]");
    for (const link of [links[0]!, links.at(-1)!]) expect(line).not.toContain(link);
  });

  async function collectTelegramLinks(harness: TelegramHarness, fan: User): Promise<string[]> {
    const found: string[] = [];
    const before = tg(harness).callsOf("sendMessage").length;
    await fanJoins(harness, fan, "gold", chat);
    for (const call of tg(harness).callsOf("sendMessage").slice(before)) {
      const text = JSON.stringify(call.params);
      for (const m of text.matchAll(/https?:\/\/[^"\s\\]+/g)) {
        if (/\/checkout\/cs_|t\.me\/\+/.test(m[0])) found.push(m[0]);
      }
    }
    expect(found.some((l) => l.includes("t.me/+"))).toBe(true);
    return found;
  }

  it("Stripe's refusal text reaches the log, and the fan gets a reference to it instead", async () => {
    // The creator archived the price in the Dashboard: Stripe refuses the session, in its own words.
    await h.stripeClient.prices.update(priceId, { active: false });
    const fan = addFan(h, server, "refusedfan");
    const answer = await interact(h, slash({ user: fan, guildId: server.id }, "join", []));
    const ref = /reference: (\w{8})/.exec(answer.content)?.[1];
    expect(ref, answer.content).toBeDefined();
    expect(answer.content).not.toContain("inactive");
    expect(answer.content).not.toContain("price_");
    expect(answer.urls).toEqual([]);
    const logged = h.logs.events("checkout.stripe_refused").find((l) => l.ref === ref);
    expect(logged).toMatchObject({
      level: "error",
      method: "checkout.sessions.create",
      status: 400,
      reason: expect.stringContaining("The price specified is inactive"),
    });

    // Nothing is lost: once the price is active again, the same fan gets their Checkout link.
    await h.stripeClient.prices.update(priceId, { active: true });
    const again = await join(h, server, fan, "gold");
    expect(again.answer.urls[0]).toMatch(/\/checkout\/cs_/);
  });
});

describe("LEAKS: /readyz with the database down names a state, not the error", () => {
  let cluster: Cluster;
  let h: TelegramHarness;

  beforeAll(async () => {
    const bin = findPostgresBin();
    if (!bin) throw new Error("needs the PostgreSQL server binaries (apt-get install -y postgresql)");
    cluster = await startCluster(bin);
    h = await startHarness({ backend: "postgres", databaseUrl: cluster.url, telegram: true });
  });
  afterAll(async () => {
    await h?.stop();
    await cluster?.stop();
  });

  it("answers 503 with each part's state; the error's detail (host, port) goes to the log only", async () => {
    await h.logs.waitFor("telegram.polling");
    expect((await fetch(`${h.app.http.url}/readyz`)).status).toBe(200);
    await cluster.halt("fast");
    const res = await fetch(`${h.app.http.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    expect(res.status).toBe(503);
    const body = JSON.parse(text) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe("not_ready");
    expect(["error: unreachable", "error: no answer"]).toContain(body.checks.database);
    // The long poll goes on until the leader's fence stops it (the database silent for 4 s).
    expect(["ready", "standby"]).toContain(body.checks.telegram);
    for (const detail of ["127.0.0.1", String(cluster.port), "ECONNREFUSED", "postgres", "connect"])
      expect(text, detail).not.toContain(detail);
    const logged = await h.logs.waitFor("readyz.check_failed", 5_000, (l) => l.check === "database");
    expect(logged).toMatchObject({ level: "warn", state: body.checks.database });
    expect(JSON.stringify(logged.err)).not.toBe("{}");
    // Asked again while still down: the same state, and no second log line for the same failure.
    await fetch(`${h.app.http.url}/readyz`);
    expect(h.logs.events("readyz.check_failed").filter((l) => l.check === "database").length).toBe(1);

    await cluster.resume();
    await expect
      .poll(async () => (await fetch(`${h.app.http.url}/readyz`)).status, { timeout: 20_000, interval: 250 })
      .toBe(200);
  });
});
