import { readFileSync } from "node:fs";
import { link, open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { StartupError } from "../../errors.ts";
import type { Logger } from "../../log.ts";

/**
 * One process per embedded data directory. PGlite has no locking between processes: two of them
 * on one directory lose writes. `<dataDir>/tribegate.lock` holds the owner's identity; it is created
 * with O_EXCL, so of several processes starting at once exactly one gets it.
 *
 * A lock left behind by a process that died is taken over (with a warning). It is judged stale when:
 * - same host, and it was written during an earlier boot (Linux boot_id differs), or its pid is no
 *   longer running, or its pid is our own pid but this process does not hold it (a container restarted:
 *   the new process is pid 1 again);
 * - another host (a recreated container has a new hostname; a shared volume): the owner refreshes the
 *   file's mtime every HEARTBEAT_MS, so a lock not refreshed for FOREIGN_STALE_MS is dead;
 * - unreadable content (a crash between create and write) older than a few seconds.
 */

export const LOCK_FILE_NAME = "tribegate.lock";
const HEARTBEAT_MS = 10_000;
const FOREIGN_STALE_MS = 60_000;
const UNREADABLE_GRACE_MS = 5_000;

interface LockOwner {
  app: "tribegate";
  pid: number;
  hostname: string;
  bootId?: string;
  startedAt: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Stops the heartbeat and removes the file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** Lock files held by this process (the pid alone cannot tell "me" from "my previous incarnation"). */
const heldByThisProcess = new Set<string>();

function currentBootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

function pidIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof v.pid === "number" && Number.isInteger(v.pid) && v.pid > 0 && typeof v.hostname === "string") {
      return v as LockOwner;
    }
  } catch {
    // fall through
  }
  return undefined;
}

type Verdict = { live: true; reason: string } | { live: false; reason: string };

function judge(owner: LockOwner | undefined, ageMs: number, lockPath: string): Verdict {
  if (!owner) {
    return ageMs < UNREADABLE_GRACE_MS
      ? { live: true, reason: "another process is creating it right now" }
      : { live: false, reason: "its content is unreadable" };
  }
  if (owner.hostname !== os.hostname()) {
    return ageMs < FOREIGN_STALE_MS
      ? {
          live: true,
          reason: `tribegate (pid ${owner.pid}) on host "${owner.hostname}" refreshed it ${Math.round(ageMs / 1000)} s ago`,
        }
      : {
          live: false,
          reason: `its owner on host "${owner.hostname}" stopped refreshing it ${Math.round(ageMs / 1000)} s ago`,
        };
  }
  const bootId = currentBootId();
  if (owner.bootId && bootId && owner.bootId !== bootId) {
    return { live: false, reason: `pid ${owner.pid} belonged to an earlier boot of this machine` };
  }
  if (owner.pid === process.pid) {
    return heldByThisProcess.has(lockPath)
      ? { live: true, reason: "this process already has the database open" }
      : { live: false, reason: `it was left by an earlier process that also had pid ${owner.pid}` };
  }
  return pidIsRunning(owner.pid)
    ? { live: true, reason: `another tribegate process (pid ${owner.pid}) is using this directory` }
    : { live: false, reason: `process ${owner.pid} is no longer running` };
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function unwritableDataDir(dataDir: string, err: unknown): StartupError {
  const reason = err instanceof Error ? err.message : String(err);
  return new StartupError(
    "data_dir_unwritable",
    `The data directory ${dataDir} cannot be created or written (${reason}). ` +
      "tribegate keeps its embedded database there. Set DATA_DIR to a directory this user can write, " +
      "fix its owner/permissions (e.g. chown it to the user running tribegate), " +
      "or use PostgreSQL by setting DATABASE_URL.",
    { cause: err },
  );
}

/**
 * Takes `<dataDir>/tribegate.lock` or throws StartupError "data_dir_locked".
 * The directory must exist; write errors become "data_dir_unwritable".
 */
export async function acquireDataDirLock(dataDir: string, log: Logger): Promise<DataDirLock> {
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  const bootId = currentBootId();
  const owner: LockOwner = {
    app: "tribegate",
    pid: process.pid,
    hostname: os.hostname(),
    ...(bootId ? { bootId } : {}),
    startedAt: new Date().toISOString(),
  };
  const content = `${JSON.stringify(owner, null, 2)}\n`;

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(lockPath, "wx", 0o644);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return startHolding(lockPath, content, log);
    } catch (err) {
      if (errnoCode(err) !== "EEXIST") throw unwritableDataDir(dataDir, err);
    }

    // Someone's lock is there: live or stale?
    let raw: string;
    let ageMs: number;
    try {
      raw = await readFile(lockPath, "utf8");
      ageMs = Date.now() - (await stat(lockPath)).mtimeMs;
    } catch (err) {
      if (errnoCode(err) === "ENOENT") continue; // released meanwhile: try again
      throw unwritableDataDir(dataDir, err);
    }
    const verdict = judge(parseOwner(raw), ageMs, lockPath);
    if (verdict.live) {
      throw new StartupError(
        "data_dir_locked",
        `The data directory ${dataDir} is locked: ${verdict.reason}. ` +
          "The embedded database can only be used by one tribegate process at a time. " +
          "Stop the other process, give this one its own DATA_DIR, or use PostgreSQL (set DATABASE_URL) " +
          `to run several processes. If you are sure no other process uses it, delete ${lockPath}.`,
      );
    }
    log.warn(
      {
        event: "db.lock.stale",
        lockPath,
        reason: verdict.reason,
        previousOwner: parseOwner(raw) ?? raw.slice(0, 200),
      },
      `taking over a stale lock in ${dataDir}: ${verdict.reason}`,
    );
    await moveStaleLockAside(lockPath, raw);
    // loop: create it exclusively; if another process was faster, we judge its (live) lock next round
  }
  throw new StartupError(
    "data_dir_locked",
    `The data directory ${dataDir} is locked: several processes keep competing for ${lockPath}. ` +
      "Only one tribegate process may use the embedded database; use PostgreSQL (DATABASE_URL) for several.",
  );
}

/**
 * Removes a stale lock without ever removing a fresh one that a competing process created in the
 * meantime: rename is atomic, so we get exactly the file we looked at or nothing; if what we moved
 * turns out to be different from what we judged stale, we put it back.
 */
async function moveStaleLockAside(lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return; // someone else moved it
    throw err;
  }
  const moved = await readFile(aside, "utf8").catch(() => staleContent);
  if (moved !== staleContent) {
    // We grabbed a competitor's fresh lock: restore it unless yet another one appeared.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

function startHolding(lockPath: string, content: string, log: Logger): DataDirLock {
  heldByThisProcess.add(lockPath);
  log.debug({ event: "db.lock.acquired", lockPath }, "data directory lock acquired");
  let lostLogged = false;
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch((err: unknown) => {
      if (lostLogged) return;
      lostLogged = true;
      log.error(
        { event: "db.lock.lost", lockPath, err },
        `cannot refresh the lock file ${lockPath}; another process may take the data directory over`,
      );
    });
  }, HEARTBEAT_MS);
  heartbeat.unref();

  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      heldByThisProcess.delete(lockPath);
      try {
        // Only remove it if it is still ours (it could have been taken over after a long freeze).
        if ((await readFile(lockPath, "utf8")) === content) await unlink(lockPath);
      } catch (err) {
        if (errnoCode(err) !== "ENOENT") {
          log.warn({ event: "db.lock.release_failed", lockPath, err }, `could not remove ${lockPath}`);
        }
      }
    },
  };
}
