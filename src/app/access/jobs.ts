import { type AccessTarget, type Identity, type Platform, targetKey } from "../../core/access.ts";
import type { Tx } from "../db.ts";

/** An access_job row as the worker claims it (snake_case: it comes from raw SQL). */
export interface AccessJobRow {
  id: bigint;
  platform: Platform;
  platform_user_id: string;
  target_key: string;
  member_id: string | null;
  action: "grant" | "revoke";
  reason: string;
  stripe_event_id: string | null;
  version: number;
  change_seq: number;
  attempts: number;
  quiet: boolean;
}

/**
 * Records the wish that `identity` should (grant) or should not (revoke) have `target`. One row per
 * (identity, target): a newer wish replaces an older one and bumps its version, so a grant waiting
 * for a retry can never run after the revoke that followed it. A row being worked on stays
 * `running`; the worker sees the new version when it finishes and runs the row again.
 */
export async function wantAccess(
  tx: Tx,
  wish: {
    identity: Identity;
    target: AccessTarget;
    memberId: string | null;
    action: "grant" | "revoke";
    reason: string;
    stripeEventId: string | null;
    now: Date;
    /**
     * The fan asked for it again (/claim): a new change to announce even in the same direction, so
     * the message (a fresh invite link) is sent again. Otherwise a wish repeating the current
     * action is the same change, announced once.
     */
    announceAgain?: boolean;
    /**
     * No welcome or goodbye message for this change (a role beyond the tiers'). A revoke of an
     * access wished before keeps that wish's choice: what was given quietly is taken quietly.
     */
    quiet?: boolean;
  },
): Promise<void> {
  const key = targetKey(wish.target);
  await tx.$executeRaw`
    INSERT INTO access_job (platform, platform_user_id, target_key, member_id, action, reason, stripe_event_id,
                            state, version, attempts, run_after, created_at, updated_at, quiet)
    VALUES (${wish.identity.platform}::"Platform", ${wish.identity.userId}, ${key}, ${wish.memberId},
            ${wish.action}::"AccessAction", ${wish.reason}, ${wish.stripeEventId},
            'pending', 1, 0, ${wish.now}, ${wish.now}, ${wish.now}, ${wish.quiet ?? false})
    ON CONFLICT (platform, platform_user_id, target_key) DO UPDATE SET
      action = EXCLUDED.action, reason = EXCLUDED.reason, stripe_event_id = EXCLUDED.stripe_event_id,
      member_id = EXCLUDED.member_id,
      quiet = CASE WHEN EXCLUDED.action = 'revoke'::"AccessAction" THEN access_job.quiet ELSE EXCLUDED.quiet END,
      state = CASE WHEN access_job.state = 'running' THEN 'running'::"JobState" ELSE 'pending'::"JobState" END,
      version = access_job.version + 1,
      change_seq = CASE WHEN access_job.action = EXCLUDED.action AND NOT ${wish.announceAgain ?? false}::boolean
                        THEN access_job.change_seq ELSE access_job.change_seq + 1 END,
      attempts = 0, last_error = NULL, last_problem = NULL, finished_at = NULL,
      run_after = EXCLUDED.run_after, updated_at = EXCLUDED.updated_at`;
}
