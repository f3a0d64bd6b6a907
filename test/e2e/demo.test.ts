import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/lib/paths.ts";

/**
 * `npm run demo` as a newcomer runs it: a child process (npm → tsx → the demo), its own temporary
 * folder (TMPDIR) so that what it leaves behind can be seen, its own process group so that any
 * process it leaves running can be found.
 */
describe("npm run demo", () => {
  let tmp = "";
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("plays the whole story in under two minutes, exits 0 and leaves nothing behind", async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "demo-test-"));
    const started = Date.now();
    // As from a fresh shell: no colour settings inherited from the test runner.
    const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
    const child = spawn("npm", ["run", "--silent", "demo"], {
      cwd: PROJECT_ROOT,
      env: { ...env, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    const killer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 150_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(killer);
    const tookMs = Date.now() - started;

    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
    expect(tookMs).toBeLessThan(120_000);

    // Each step, numbered, with its timing.
    const steps = [
      /^ 1\. tribegate starts: .* … up on http:\/\/127\.0\.0\.1:\d+.* \([\d.]+ m?s\)$/m,
      /^ 2\. Maya adds the bot to her Discord server .* runs \/tribe setup … it is now a home server/m,
      /^ 3\. Maya creates the tier Gold, €5\.00 a month: \/tribe tier create … tier "gold" on sale, Discord role "Gold"/m,
      /^ 4\. Maya opens her Telegram group "Gold lounge" to Gold: \/bindcode, then \/bind … bound with code [A-Z0-9]{8}/m,
      /^ 5\. Ana pays €5\.00 on Telegram: .* … approved into "Gold lounge" \([\d.]+ m?s\)$/m,
      /^ 6\. Ben pays €5\.00 on Discord: .* … role "Gold" given to Ben/m,
      /^ 7\. Maya opens a poll on both platforms: \/tribe poll open … posted in #general and in "Gold lounge"/m,
      /^ 8\. Ana votes with the Telegram button, Ben with the Discord button … 2 ballots counted/m,
      /^ 9\. Maya closes the poll from Telegram: \/closepoll … winner: Travel/m,
      /^10\. Ben's renewal fails: .* … Ben keeps "Gold" for the 3-day grace period/m,
      /^11\. 3 days pass without payment .* … role "Gold" taken back from Ben/m,
      /^12\. tribegate stops .* … all closed, nothing left behind/m,
      /^✓ demo finished in [\d.]+ s$/m,
    ];
    for (const step of steps) expect(stdout).toMatch(step);
    // What the bot did is read from the stand-ins and its log events.
    expect(stdout).toContain("Stripe → bot webhook (signed): customer.created");
    expect(stdout).toContain("approveChatJoinRequest");
    expect(stdout).toContain("PUT member role");
    expect(stdout).toContain("DELETE member role");
    expect(stdout).toContain("did not go through");
    // Plain text when not on a terminal, and none of the bot's own (pino JSON) log lines.
    expect(stdout).not.toContain("\u001b[");
    expect(stdout).not.toMatch(/^\{"level"/m);
    expect(stderr).toBe("");

    // Nothing left: no temporary folder, no process of the demo's group.
    // (tsx keeps its compile cache in TMPDIR/tsx-<uid> for every run of any script: not the demo's.)
    expect((await readdir(tmp)).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
    // A helper that exited a moment ago (tsx's esbuild) may wait a little for its parent (init) to reap it.
    await expect
      .poll(
        () => {
          try {
            process.kill(-child.pid!, 0);
            return "a process of the demo is still there";
          } catch (err) {
            return (err as NodeJS.ErrnoException).code;
          }
        },
        { timeout: 5_000, interval: 50 },
      )
      .toBe("ESRCH");
  }, 160_000);

  it("stops with the reason and exit 1 when it cannot go on, leaving nothing behind", async () => {
    const own = await mkdtemp(path.join(tmp || os.tmpdir(), "demo-fail-"));
    const { code, stderr } = await run(["scripts/demo.ts"], {
      TMPDIR: own,
      DEMO_LOG: path.join(own, "missing-folder", "bot.log"),
    });
    expect(code).toBe(1);
    expect(stderr).toContain("✗ demo failed at step 0, before the bot started:");
    expect(stderr).toContain("missing-folder");
    expect((await readdir(own)).filter((name) => !/^tsx-\d+$/.test(name))).toEqual([]);
  }, 60_000);
});

/** `npx tsx <args>` in the project, to its end. */
async function run(args: string[], extraEnv: Record<string, string>) {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
  const child = spawn(path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx"), args, {
    cwd: PROJECT_ROOT,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString("utf8");
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString("utf8");
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}
