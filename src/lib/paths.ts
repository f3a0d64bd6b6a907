import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root (the folder holding package.json and prisma/), found by walking up from this
 * file, so the same code works from src/ (tsx, vitest) and from dist/src/ (built).
 */
export const PROJECT_ROOT: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "package.json")) && existsSync(path.join(dir, "prisma"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the tribegate project root (package.json beside prisma/)");
    dir = parent;
  }
})();

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "prisma", "migrations");
