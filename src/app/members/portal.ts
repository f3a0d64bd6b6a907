import type { Identity } from "../../core/access.ts";
import { DomainError, NetworkError, PlatformError } from "../../errors.ts";
import { spendToken } from "../rateLimits.ts";
import { portalReturnUrl } from "../urls.ts";
import { stripeRefusalRef } from "./stripeRefusal.ts";
import type { MemberDeps } from "./types.ts";

/** A link to Stripe's billing portal, where the fan changes card or tier, or cancels. */
export async function openPortal(deps: MemberDeps, who: Identity): Promise<string> {
  await spendToken(deps, "portal", who);
  const identity = await deps.db.identity.findUnique({
    where: { platform_platformUserId: { platform: who.platform, platformUserId: who.userId } },
    include: { member: true },
  });
  const customerId = identity?.member.stripeCustomerId;
  if (!customerId) throw new DomainError("not_a_member");
  try {
    return await deps.billing.createPortal(customerId, portalReturnUrl(deps.publicBaseUrl));
  } catch (err) {
    if (err instanceof NetworkError) throw new DomainError("stripe_unavailable");
    if (err instanceof PlatformError && err.platform === "stripe") {
      const ref = stripeRefusalRef(deps.log, err, "portal.stripe_refused", {
        memberId: identity.member.id,
      });
      throw new DomainError("stripe_refused", { ref });
    }
    throw err;
  }
}
