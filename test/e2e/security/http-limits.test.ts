import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../../support/helpers.ts";
import type { Harness } from "../harness.ts";
import { fanPays, startLedger, type Tiers, wishesOf } from "../memberships/fixtures.ts";

/**
 * ATTACK: someone sends the public HTTP door a body far larger than any Stripe or Telegram webhook,
 * to fill the bot's memory. A declared length over the limit (1 MiB) is refused with 413 before the
 * body is read (the client is not even asked for it); a chunked body without a length is read up to
 * the limit and the connection is cut there, however long the sender goes on. Fans' webhooks keep
 * being applied meanwhile.
 */

const LIMIT = 1024 * 1024;

interface RawAnswer {
  /** Everything the server sent, as text. */
  text: string;
  status: number | null;
  /** The server closed the connection. */
  closed: boolean;
}

/** Opens a raw TCP connection to the bot and collects its answer. */
function rawClient(url: string): { socket: Socket; answer: () => RawAnswer; closed: Promise<void> } {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let text = "";
  let closed = false;
  socket.on("data", (d: Buffer) => {
    text += d.toString("latin1");
  });
  socket.on("error", () => undefined);
  const closedPromise = new Promise<void>((resolve) => {
    socket.on("close", () => {
      closed = true;
      resolve();
    });
  });
  return {
    socket,
    closed: closedPromise,
    answer: () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      return { text, status: m ? Number(m[1]) : null, closed };
    },
  };
}

describe("ATTACK: oversized request bodies on the bot's HTTP door", () => {
  let h: Harness;
  let tiers: Tiers;

  beforeAll(async () => {
    ({ h, tiers } = await startLedger());
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a Content-Length over the limit is answered 413 before any of the body is sent", async () => {
    const c = rawClient(h.app.http.url);
    await new Promise<void>((resolve) => c.socket.once("connect", () => resolve()));
    // Headers only: the 10 MB body never comes. The old server waited for it; this one answers.
    c.socket.write(
      "POST /stripe/webhook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${10 * LIMIT}\r\nStripe-Signature: t=1,v1=00\r\n\r\n`,
    );
    await until(() => c.answer().status !== null, "the 413");
    const a = c.answer();
    expect(a.status).toBe(413);
    expect(a.text).toContain('"error":"body_too_large"');
    expect(a.text.toLowerCase()).toContain("connection: close");
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 5_000))]);
    expect(c.answer().closed).toBe(true);
    // Refused at the door: the webhook handler never saw it.
    expect(h.logs.events("http.body_too_large").some((l) => l.declaredBytes === 10 * LIMIT)).toBe(true);
    expect(h.logs.events("stripe.webhook.rejected")).toEqual([]);
  });

  it("with Expect: 100-continue, the client is never invited to send an oversized body", async () => {
    const c = rawClient(h.app.http.url);
    await new Promise<void>((resolve) => c.socket.once("connect", () => resolve()));
    c.socket.write(
      "POST /stripe/webhook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${5 * LIMIT}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await until(() => c.answer().status !== null, "an answer");
    expect(c.answer().status).toBe(413);
    expect(c.answer().text).not.toContain("100 Continue");
    c.socket.destroy();
  });

  it("a chunked body without a length is cut at the limit, although the sender never stops", async () => {
    const c = rawClient(h.app.http.url);
    await new Promise<void>((resolve) => c.socket.once("connect", () => resolve()));
    c.socket.write(
      "POST /stripe/webhook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n" +
        "Transfer-Encoding: chunked\r\nStripe-Signature: t=1,v1=00\r\n\r\n",
    );
    // 64 KiB chunks, forever (until the server answers or closes): no terminating chunk is ever sent.
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    let stop = false;
    const pump = async () => {
      while (!stop && !c.socket.destroyed) {
        const ok = c.socket.write(`${chunk.length.toString(16)}\r\n`) && c.socket.write(chunk);
        c.socket.write("\r\n");
        sent += chunk.length;
        if (!ok) await new Promise((r) => setTimeout(r, 5));
        if (sent > 64 * LIMIT) break; // a safety net for the test itself: 64 MiB
      }
    };
    const pumping = pump();
    await until(() => c.answer().status !== null || c.answer().closed, "an answer or a close", 15_000);
    stop = true;
    await pumping;
    const a = c.answer();
    expect(a.status).toBe(413);
    expect(a.text).toContain('"limitBytes":1048576');
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 5_000))]);
    expect(c.answer().closed).toBe(true);
    expect(sent).toBeLessThan(64 * LIMIT);
    expect(
      h.logs
        .events("http.body_too_large")
        .some((l) => l.declaredBytes === undefined && l.limitBytes === LIMIT),
    ).toBe(true);
    expect(h.logs.events("stripe.webhook.rejected")).toEqual([]);
  });

  it("meanwhile a fan pays and Stripe's webhooks (small bodies) are applied as always", async () => {
    const paid = await fanPays(h, tiers.silver.slug);
    expect(Object.values(await wishesOf(h, paid.userId))).toEqual(["grant"]);
    const sub = await h.deps.db.subscription.findUniqueOrThrow({ where: { id: paid.subscriptionId } });
    expect(sub.status).toBe("active");
    // A body just under the limit is still read whole (a webhook is never cut short).
    const body = JSON.stringify({ pad: "x".repeat(LIMIT - 100) });
    const res = await fetch(`${h.app.http.url}/stripe/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" },
      body,
    });
    // Read in full, then refused for its signature (not for its size).
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "bad_signature" });
  });
});
