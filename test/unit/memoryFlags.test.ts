import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The bot's memory figures (README, "Memory"; `npm run bench -- footprint`) hold for the V8 options
 * it is started with. They are written twice, in package.json's start script and in the Dockerfile's
 * CMD, and the benchmarks run with them too: all three must say the same.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

function nodeOptions(words: readonly string[], entry: string): string[] {
  expect(words[0]).toBe("node");
  const at = words.indexOf(entry);
  expect(at).toBeGreaterThan(0);
  return words.slice(1, at).filter((w) => w.startsWith("--max-semi-space-size") || w === "--liftoff-only");
}

describe("the V8 options the bot runs with", () => {
  const start = nodeOptions(scripts.start!.split(/\s+/), "dist/src/main.js");

  it("npm start keeps the young generation small and WebAssembly on the baseline compiler", () => {
    expect(start).toEqual(["--max-semi-space-size=2", "--liftoff-only"]);
  });

  it("the Dockerfile's CMD is npm start's command", () => {
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    const cmd = /^CMD (\[.*\])\s*$/m.exec(dockerfile)?.[1];
    expect(cmd, "the Dockerfile has an exec-form CMD").toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(scripts.start!.split(/\s+/));
  });

  it("the benchmarks run with the same options", () => {
    expect(nodeOptions(scripts.bench!.split(/\s+/), "--import")).toEqual(start);
  });
});
