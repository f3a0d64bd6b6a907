import { type AccessTarget, type Platform, targetKey } from "../../core/access.ts";
import { type HoldsQuestion, type PlatformSnapshot, questionKey } from "../../core/drift.ts";

/**
 * Reads who holds a platform resource now. Discord can list a role's holders (`holders`);
 * Telegram can only be asked about one user at a time (`holds`). null means "cannot tell"
 * (resource gone, bot without rights): reconciliation then leaves that target alone.
 */
export interface AccessReader {
  readonly platform: Platform;
  holders?(target: AccessTarget): Promise<ReadonlySet<string> | null>;
  holds?(userId: string, target: AccessTarget): Promise<boolean | null>;
  /**
   * Who is where the target lives (a Discord server's members), when the platform can list them:
   * a fan who owes a role but is not in the server gets it when they join, not from reconciliation.
   */
  present?(target: AccessTarget): Promise<ReadonlySet<string> | null>;
}

/**
 * Phase 2, the platforms' side: who holds each tier target now, and who is where it lives, for the
 * platforms that can list them. A target whose holders cannot be read is reported and left alone.
 */
export async function readPlatforms(
  readers: readonly AccessReader[],
  targets: ReadonlyMap<string, AccessTarget>,
): Promise<{ snapshot: PlatformSnapshot; unreadableTargets: string[] }> {
  const holders = new Map<string, ReadonlySet<string>>();
  const present = new Map<string, ReadonlySet<string>>();
  const unreadableTargets: string[] = [];
  for (const [key, target] of targets) {
    const reader = readers.find((r) => r.platform === target.platform);
    if (!reader?.holders) continue;
    const listed = await reader.holders(target);
    if (listed) holders.set(key, listed);
    else unreadableTargets.push(key);
    const here = listed && (await reader.present?.(target));
    if (here) present.set(key, here);
  }
  return { snapshot: { holders, present }, unreadableTargets };
}

/**
 * Asks the platforms about single accounts (Telegram cannot list a chat's members), one after the
 * other, in the order given. A platform without a reader that can answer cannot tell (null).
 */
export async function askPlatforms(
  readers: readonly AccessReader[],
  questions: readonly HoldsQuestion[],
): Promise<Map<string, boolean | null>> {
  const answers = new Map<string, boolean | null>();
  for (const q of questions) {
    const reader = readers.find((r) => r.platform === q.target.platform);
    answers.set(
      questionKey(q.userId, q.target),
      reader?.holds ? await reader.holds(q.userId, q.target) : null,
    );
  }
  return answers;
}

/** Every target a tier opens, by target key. */
export function allTierTargets(
  tierTargets: ReadonlyMap<string, readonly AccessTarget[]>,
): Map<string, AccessTarget> {
  const all = new Map<string, AccessTarget>();
  for (const list of tierTargets.values()) for (const t of list) all.set(targetKey(t), t);
  return all;
}
