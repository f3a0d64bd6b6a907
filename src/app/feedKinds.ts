/** The kinds of lines of the creator's feed (src/app/feed.ts), each switchable in the settings. */
export const FEED_KINDS = [
  "member_new",
  "tier_change",
  "cancellation",
  "payment_failed",
  "payment_recovered",
  "access_failed",
  "weekly_summary",
  "failover",
  "cycle",
] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export const isFeedKind = (s: string): s is FeedKind => (FEED_KINDS as readonly string[]).includes(s);
