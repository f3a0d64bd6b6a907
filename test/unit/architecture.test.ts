import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/lib/paths.ts";

/**
 * The layers, checked on every import of src/ and commands/ (biome's noRestrictedImports in
 * biome.json says the same at lint time; this test resolves the paths and lists every violation):
 *
 * - src/core is pure: it imports only src/core (no app, adapter, library, not even Node.js).
 * - src/app imports no adapter (src/adapters/**): it declares the interfaces it needs (Billing,
 *   Notifier, AccessReader…) and the adapters implement them.
 * - An adapter (a folder of src/adapters) imports no other adapter; the contracts at the root of
 *   src/adapters (platform.ts, routes.ts) are neutral ground and import no adapter either. Only the
 *   composition root (src/bootstrap.ts, src/main.ts, src/doctor*, src/resolveMigration.ts) wires
 *   adapters together.
 * - Prisma's generated types (src/generated/prisma) are imported only by src/adapters/db, src/app
 *   and the composition root (scripts, tests and benchmarks are not checked).
 */

interface ImportEdge {
  /** The importing file, relative to the project root, with forward slashes. */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported file relative to the project root for a relative specifier; null for a package or node: module. */
  target: string | null;
}

const STATIC_IMPORT =
  /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)\s+from\s*["']([^"']+)["']/gm;
const SIDE_EFFECT_IMPORT = /^[ \t]*import\s*["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The specifiers a module imports or re-exports from. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  for (const re of [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT]) {
    for (const m of source.matchAll(re)) found.push(m[1]!);
  }
  return found;
}

function edgesOf(from: string, source: string): ImportEdge[] {
  return specifiersOf(source).map((specifier) => ({
    from,
    specifier,
    target: specifier.startsWith(".") ? path.posix.join(path.posix.dirname(from), specifier) : null,
  }));
}

const COMPOSITION_ROOT = [
  /^src\/bootstrap\.ts$/,
  /^src\/main\.ts$/,
  /^src\/doctor(\.ts$|\/)/,
  /^src\/resolveMigration\.ts$/,
];
const isCompositionRoot = (file: string) => COMPOSITION_ROOT.some((re) => re.test(file));
/** The adapter folder a file belongs to ("discord" for src/adapters/discord/commands/poll.ts), if any. */
const adapterOf = (file: string) => /^src\/adapters\/([^/]+)\//.exec(file)?.[1];

/** Every broken rule, one line each: "<file> imports <specifier>: <rule>". */
function layerViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  const flag = (e: ImportEdge, rule: string) => out.push(`${e.from} imports ${e.specifier}: ${rule}`);
  for (const e of edges) {
    const { from, target } = e;
    if (from.startsWith("src/core/") && !target?.startsWith("src/core/")) {
      flag(e, "src/core imports only src/core");
    }
    if (from.startsWith("src/app/") && target?.startsWith("src/adapters/")) {
      flag(e, "src/app imports no adapter");
    }
    if (from.startsWith("src/adapters/") && target?.startsWith("src/adapters/")) {
      const mine = adapterOf(from);
      const theirs = adapterOf(target);
      if (theirs !== undefined && theirs !== mine) {
        flag(
          e,
          mine === undefined
            ? "the contracts at the root of src/adapters import no adapter"
            : "an adapter imports no other adapter",
        );
      }
    }
    if (
      target?.startsWith("src/generated/prisma/") &&
      !from.startsWith("src/adapters/db/") &&
      !from.startsWith("src/app/") &&
      !isCompositionRoot(from)
    ) {
      flag(e, "Prisma's generated types are for src/adapters/db, src/app and the composition root");
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts"))
    .map((d) => path.relative(PROJECT_ROOT, path.join(d.parentPath, d.name)).split(path.sep).join("/"))
    .filter((f) => !f.startsWith("src/generated/"))
    .sort();
}

function projectEdges(): ImportEdge[] {
  return [...sourceFiles("src"), ...sourceFiles("commands")].flatMap((file) =>
    edgesOf(file, readFileSync(path.join(PROJECT_ROOT, file), "utf8")),
  );
}

describe("architecture: the layers", () => {
  it("reads the imports of every module (multi-line, type-only, re-exports, dynamic)", () => {
    const source = [
      'import { a } from "./a.ts";',
      "import {",
      "  type B,",
      "  c,",
      '} from "../b.ts";',
      'import type { D } from "../../d.ts";',
      'import Stripe from "stripe";',
      'import pino, { type Logger } from "pino";',
      'import * as fs from "node:fs";',
      'export { e } from "./e.ts";',
      'export type { F } from "./f.ts";',
      'export * from "./g.ts";',
      'import "./h.ts";',
      'const i = await import("./i.ts");',
      ' * import { notCode } from "./comment.ts";',
      'const s = "import { x } from \\"./string.ts\\"";',
    ].join("\n");
    expect(specifiersOf(source).sort()).toEqual(
      [
        "./a.ts",
        "../b.ts",
        "../../d.ts",
        "stripe",
        "pino",
        "node:fs",
        "./e.ts",
        "./f.ts",
        "./g.ts",
        "./h.ts",
        "./i.ts",
      ].sort(),
    );
    expect(
      edgesOf("src/adapters/discord/commands/poll.ts", 'import { x } from "../../telegram/bot.ts";'),
    ).toEqual([
      {
        from: "src/adapters/discord/commands/poll.ts",
        specifier: "../../telegram/bot.ts",
        target: "src/adapters/telegram/bot.ts",
      },
    ]);
  });

  it("names each broken rule", () => {
    const edges = [
      ...edgesOf("src/core/polls.ts", 'import { a } from "./access.ts";\nimport { b } from "../app/db.ts";'),
      ...edgesOf("src/core/csv.ts", 'import { readFileSync } from "node:fs";'),
      ...edgesOf("src/app/tiers.ts", 'import type { Billing } from "../adapters/stripe/billing.ts";'),
      ...edgesOf("src/app/tiers.ts", 'import type { Db } from "./db.ts";'),
      ...edgesOf("src/adapters/telegram/bot.ts", 'import type { S } from "../discord/gateway.ts";'),
      ...edgesOf("src/adapters/telegram/bot.ts", 'import type { R } from "../routes.ts";'),
      ...edgesOf("src/adapters/discord/commands/poll.ts", 'import { c } from "../context.ts";'),
      ...edgesOf("src/adapters/platform.ts", 'import type { R } from "./http/server.ts";'),
      ...edgesOf(
        "src/adapters/discord/pollView.ts",
        'import type { P } from "../../generated/prisma/client.ts";',
      ),
      ...edgesOf("src/adapters/db/database.ts", 'import { P } from "../../generated/prisma/client.ts";'),
      ...edgesOf("src/app/db.ts", 'import type { P } from "../generated/prisma/client.ts";'),
      ...edgesOf("src/doctor/cli.ts", 'import { openDatabase } from "../adapters/db/database.ts";'),
      ...edgesOf("src/bootstrap.ts", 'import { P } from "./generated/prisma/client.ts";'),
    ];
    expect(layerViolations(edges)).toEqual([
      "src/core/polls.ts imports ../app/db.ts: src/core imports only src/core",
      "src/core/csv.ts imports node:fs: src/core imports only src/core",
      "src/app/tiers.ts imports ../adapters/stripe/billing.ts: src/app imports no adapter",
      "src/adapters/telegram/bot.ts imports ../discord/gateway.ts: an adapter imports no other adapter",
      "src/adapters/platform.ts imports ./http/server.ts: the contracts at the root of src/adapters import no adapter",
      "src/adapters/discord/pollView.ts imports ../../generated/prisma/client.ts: Prisma's generated types are for src/adapters/db, src/app and the composition root",
    ]);
  });

  it("gives the platform adapters use cases, never the database client", () => {
    // An adapter reaches the ledger through the use cases of src/app (services.app), or hands the
    // services to one; it never touches the client, so no rule of the ledger can be written in it.
    const touches = /\b(Db|Tx|PrismaClient)\b|\.db\b|\$(transaction|queryRaw|executeRaw)|generated\/prisma/;
    expect(touches.test("const s = await getSettings(ctx.services.db);")).toBe(true);
    expect(touches.test("await tx.$executeRaw`DELETE FROM task`;")).toBe(true);
    expect(touches.test("const s = await ctx.services.app.getSettings();")).toBe(false);
    // Every adapter but the one that opens the database: platforms, HTTP routes, Stripe.
    const offending = [
      ...sourceFiles("src/adapters").filter((f) => !f.startsWith("src/adapters/db/")),
    ].flatMap((f) =>
      readFileSync(path.join(PROJECT_ROOT, f), "utf8")
        .split("\n")
        .map((line, i) => ({ at: `${f}:${i + 1}`, line }))
        .filter(({ line }) => touches.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });

  it("holds for every module of src/ and commands/", () => {
    const edges = projectEdges();
    // The scan sees the project: a broken reader finding nothing would pass every rule.
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({
      from: "src/bootstrap.ts",
      specifier: "./adapters/db/database.ts",
      target: "src/adapters/db/database.ts",
    });
    expect(layerViolations(edges)).toEqual([]);
  });
});
