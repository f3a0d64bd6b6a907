/**
 * Summarizes a V8 CPU profile: where the time went, by function (self time) and by package or
 * source area, for the whole run or per stage between the `[mark]` lines a benchmark printed.
 *
 *   BENCH_MARKS=1 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run.ts payment 2>/tmp/marks.txt
 *   npx tsx bench/profile-top.ts /tmp/prof/CPU.*.cpuprofile [--marks /tmp/marks.txt] [--top 12]
 *
 * Profiles are not committed. Marks and profile timestamps share the monotonic clock (µs).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const short = (url: string) =>
  url
    .replace(/^file:\/\/\/.*?\/node_modules\//, "npm:")
    .replace(/^file:\/\/\/.*?\/(src|bench|test)\//, "$1/")
    .replace(/^wasm:\/\/wasm\/.*/, "wasm");
const area = (url: string, fn: string) => {
  const u = short(url);
  if (!u) return `(${fn || "native"})`;
  const pkg = /^npm:(@[^/]+\/[^/]+|[^/]+)/.exec(u);
  if (pkg) return pkg[1]!;
  return u.startsWith("node:") ? "node internals" : u.split("/").slice(0, 2).join("/");
};

function summarize(profile: Profile, from: number, to: number, top: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // WebAssembly (PGlite's PostgreSQL, Prisma's query compiler) is charged to the JavaScript that called it.
  const areaOf = (n: ProfileNode): string => {
    if (!n.callFrame.url.startsWith("wasm://")) return area(n.callFrame.url, n.callFrame.functionName);
    for (let id = parent.get(n.id); id !== undefined; id = parent.get(id)) {
      const { url } = byId.get(id)!.callFrame;
      if (url && !url.startsWith("wasm://")) return `${area(url, "")} (WebAssembly)`;
    }
    return "WebAssembly";
  };
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t >= to) continue;
    const n = byId.get(profile.samples[i]!)!;
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = n.callFrame;
    const fn = `${functionName || "(anonymous)"} ${short(url)}${url ? `:${lineNumber + 1}` : ""}`;
    fns.set(fn, (fns.get(fn) ?? 0) + dt);
    const a = areaOf(n);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    total += dt;
  }
  const pct = (x: number) => `${((100 * x) / Math.max(total, 1)).toFixed(1).padStart(5)}%`;
  const ms = (x: number) => `${Math.round(x / 1000)} ms`.padStart(9);
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `  ${Math.round(total / 1000)} ms sampled; by area:`,
    ...rank(areas).map(([k, v]) => `  ${ms(v)} ${pct(v)}  ${k}`),
    "  top functions (self time):",
    ...rank(fns).map(([k, v]) => `  ${ms(v)} ${pct(v)}  ${k}`),
  ];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { marks: { type: "string" }, top: { type: "string", default: "12" } },
});
const top = Number(values.top);
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const marks = values.marks
    ? [...readFileSync(values.marks, "utf8").matchAll(/^\[mark\] (.+) (\d+)$/gm)].map((m) => ({
        name: m[1]!,
        at: Number(m[2]),
      }))
    : [];
  console.log(`== ${file}`);
  if (marks.length === 0) console.log(summarize(profile, 0, Number.POSITIVE_INFINITY, top).join("\n"));
  // Each stage runs from its mark to the next one.
  for (const [i, m] of marks.entries()) {
    const to = marks[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    console.log(`-- ${m.name} (${Math.round((to - m.at) / 1000)} ms)`);
    console.log(summarize(profile, m.at, to, top).join("\n"));
  }
}
