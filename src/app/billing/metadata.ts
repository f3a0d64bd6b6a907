/** Metadata keys tribegate puts on the customers, sessions and subscriptions it creates. */
export const META = {
  memberId: "tribegate_member_id",
  tierId: "tribegate_tier_id",
  priceId: "tribegate_price_id",
  platform: "tribegate_platform",
  platformUserId: "tribegate_platform_user_id",
  /**
   * On a subscription the fan paused from the chat: "kept" or "lost", the creator's choice then;
   * "resumed" once the fan resumed it from the chat. A pause or resume the fan did not make from
   * the chat (Stripe's Dashboard) is told to them by a message; one they made was answered there.
   */
  pauseAccess: "tribegate_pause_access",
} as const;
