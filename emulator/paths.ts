// Where the repository and what the set-up builds live, resolved from this module's own location
// (it runs from the sources under vitest and from build/dist once compiled).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "emulator"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the microkit-emu repository root");
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const buildDir = join(repoRoot, "build");

export function nativeHelperPath(): string {
  return join(buildDir, "native", "libmkcpu.so");
}

/** Where the set-up puts the ELFs of examples/<name> for one board and config. */
export function exampleBuildDir(name: string, board: string, config: string): string {
  return join(buildDir, "examples", name, board, config);
}

export function resolveFromCwd(path: string): string {
  return resolve(process.cwd(), path);
}
