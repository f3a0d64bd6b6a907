import { randomUUID } from "node:crypto";
import type { PlatformError } from "../../errors.ts";
import type { Logger } from "../../log.ts";

/**
 * Stripe's own words about a refusal are for the creator's log, not for the fan: the log line and
 * the fan's message share a short reference, so a fan's report finds the detail.
 */
export function stripeRefusalRef(
  log: Logger,
  err: PlatformError,
  event: string,
  fields: Record<string, string>,
): string {
  const ref = randomUUID().slice(0, 8);
  log.error(
    {
      event,
      ref,
      ...fields,
      method: err.method,
      status: err.status,
      code: err.code ?? null,
      reason: err.message,
    },
    `Stripe refused ${err.method} (ref ${ref})`,
  );
  return ref;
}
