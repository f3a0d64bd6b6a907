import { z } from "zod";
import type { Db, Tx } from "./db.ts";

/**
 * What `npm run doctor -- --fix` made in the creator's Stripe account, kept in the database (one
 * `setting` row, not a creator setting: no command shows or changes it):
 * - the webhook endpoint and its signing secret, which Stripe reveals only in the answer to the
 *   create, so STRIPE_WEBHOOK_SECRET can stay unset when the bot made the endpoint itself;
 * - the customer portal configuration, which portal sessions name (a configuration made through the
 *   API is not the account's default one, the Dashboard's).
 * The signing secret is a secret: never logged, never printed (the logger redacts it, see main.ts).
 */
const KEY = "stripeSetup";

const StripeSetupSchema = z.object({
  webhookEndpointId: z.string().startsWith("we_").optional(),
  webhookSecret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9]+$/)
    .optional(),
  portalConfigurationId: z.string().startsWith("bpc_").optional(),
});

export type StripeSetup = z.infer<typeof StripeSetupSchema>;

export async function readStripeSetup(db: Db | Tx): Promise<StripeSetup> {
  const row = await db.setting.findUnique({ where: { key: KEY } });
  const parsed = StripeSetupSchema.safeParse(row?.value ?? {});
  // A row that no longer validates is as good as none: the doctor says what to do again.
  return parsed.success ? parsed.data : {};
}

export async function saveStripeSetup(db: Db, patch: StripeSetup): Promise<StripeSetup> {
  return db.$transaction(async (tx) => {
    const next = StripeSetupSchema.parse({ ...(await readStripeSetup(tx)), ...patch });
    await tx.setting.upsert({
      where: { key: KEY },
      create: { key: KEY, value: next },
      update: { value: next },
    });
    return next;
  });
}

/**
 * The secret webhooks are checked with: STRIPE_WEBHOOK_SECRET when set (the creator's word wins),
 * else the one the doctor stored.
 */
export async function webhookSigningSecret(
  db: Db | Tx,
  fromSettings: string | undefined,
): Promise<{ secret: string; source: "STRIPE_WEBHOOK_SECRET" | "stored" } | undefined> {
  if (fromSettings) return { secret: fromSettings, source: "STRIPE_WEBHOOK_SECRET" };
  const stored = (await readStripeSetup(db)).webhookSecret;
  return stored ? { secret: stored, source: "stored" } : undefined;
}
