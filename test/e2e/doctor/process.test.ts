import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStripeSetup } from "../../../src/app/stripeSetup.ts";
import { startTribegate } from "../../../src/bootstrap.ts";
import { loadConfig } from "../../../src/config.ts";
import { createLogger } from "../../../src/log.ts";
import { deliverWebhook, makeEvent, type StripeStandin, startStripeStandin } from "../../standins/stripe.ts";
import { customer } from "../../standins/stripe-objects.ts";
import { startTelegramStandin, type TelegramStandin } from "../../standins/telegram.ts";
import { createTestDataDir, type TestDataDir } from "../../support/postgres.ts";
import { LogSink, STRIPE_KEY, TELEGRAM_TOKEN } from "../harness.ts";

/**
 * The doctor as its own process (src/doctor.ts, what `npm run doctor` runs once built, through tsx
 * here): exit 1 with the fix on a fresh account, `--fix` makes the webhook endpoint and the portal
 * (exit 0), and the bot then starts without STRIPE_WEBHOOK_SECRET, checking webhooks with the stored
 * signing secret.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const TSX = import.meta.resolve("tsx");

function runDoctor(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, ["--import", TSX, path.join(ROOT, "src/doctor.ts"), ...args], {
    cwd: mkdtempSync(path.join(tmpdir(), "tg-doctor-")),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr.on("data", (d: Buffer) => out.push(d.toString()));
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, out: out.join("") })),
  );
}

describe("npm run doctor, as a process", () => {
  let stripe: StripeStandin;
  let telegram: TelegramStandin;
  let data: TestDataDir;
  let env: Record<string, string>;

  beforeAll(async () => {
    stripe = await startStripeStandin({ secretKey: STRIPE_KEY });
    telegram = await startTelegramStandin({ token: TELEGRAM_TOKEN });
    data = await createTestDataDir();
    env = {
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_API_URL: stripe.origin,
      PUBLIC_BASE_URL: "https://tribe.example.test",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_API_URL: telegram.apiRoot,
      TELEGRAM_CREATOR_IDS: "4242",
      DATA_DIR: data.dir,
      HOST: "127.0.0.1",
      PORT: "0",
    };
  });

  afterAll(async () => {
    await Promise.allSettled([stripe?.close(), telegram?.close()]);
    await data?.remove();
  });

  it("without STRIPE_WEBHOOK_SECRET nor a stored secret, the bot refuses to start and names both fixes", async () => {
    const log = createLogger({ level: "silent" });
    const config = loadConfig({ values: env, fileKeys: [] });
    await expect(
      startTribegate({ config, log, reconcileOnStart: false, doctorOnStart: false }),
    ).rejects.toThrow(
      /STRIPE_WEBHOOK_SECRET: is missing and no endpoint was made by the bot; run `npm run doctor -- --fix`/,
    );
    // The first open of an embedded database (migrations) is slow on a loaded machine.
  }, 90_000);

  it("exits 1 with the fixes on a fresh account; --fix makes the endpoint and the portal, then exits 0", async () => {
    const first = await runDoctor(env);
    expect(first.code).toBe(1);
    expect(first.out).toContain(
      "fix:   Stripe · no webhook endpoint for https://tribe.example.test/stripe/webhook",
    );
    expect(first.out).toContain("fix:   Stripe · the customer portal is not set up");
    expect(first.out).not.toContain(STRIPE_KEY);

    const fixing = await runDoctor(env, ["--fix"]);
    expect(fixing.out).toMatch(/fixed: Stripe · created the webhook endpoint we_/);
    expect(fixing.code).toBe(0);
    const again = await runDoctor(env);
    expect(again.code).toBe(0);
    expect(again.out).toContain("Nothing blocks fans");

    expect((await runDoctor(env, ["--frobnicate"])).code).toBe(2);
  }, 60_000);

  it("then the bot starts without STRIPE_WEBHOOK_SECRET: a webhook signed with the stored secret is taken, another refused", async () => {
    const logs = new LogSink();
    const log = createLogger({ level: "debug", destination: logs });
    const config = loadConfig({ values: env, fileKeys: [] });
    expect(config.stripe.webhookSecret).toBeUndefined();
    const app = await startTribegate({ config, log, reconcileOnStart: false, doctorOnStart: false });
    try {
      const { webhookEndpointId } = await readStripeSetup(app.db.prisma);
      const secret = stripe.endpointSecret(webhookEndpointId!)!;
      expect(logs.events("stripe.webhook_secret")[0]).toMatchObject({ source: "stored" });
      const url = `${app.http.url}/stripe/webhook`;
      const event = makeEvent("customer.deleted", { ...customer(), deleted: true } as never);
      expect((await deliverWebhook(url, event, secret)).status).toBe(200);
      expect((await deliverWebhook(url, event, "whsec_someoneelse0123456789")).status).toBe(400);
      expect(logs.raw.join("\n")).not.toContain(secret);
    } finally {
      await app.stop();
    }
  });
});
