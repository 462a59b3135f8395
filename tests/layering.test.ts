// The dependency arrows of DEVELOPERS.md: emulator -> microkit -> kernel, boards. A wrong import
// fails here, naming the file and the import.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, test } from "vitest";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Top-level folders (or packages) a file imports. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+["']([^"']+)["']/gm)].map((m) => {
    const spec = m[1]!;
    if (!spec.startsWith(".")) return spec;
    return relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).split("/")[0]!;
  });
}

const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  kernel: ["emulator", "boards", "microkit", "koffi"],
  boards: ["emulator", "kernel", "microkit", "koffi"],
  microkit: ["emulator", "koffi"],
};

test.each(Object.keys(FORBIDDEN))("%s/ imports nothing above it", (layer) => {
  const wrong = sources(layer).flatMap((f) => imports(f).filter((i) => FORBIDDEN[layer]!.includes(i)).map((i) => `${f} imports ${i}`));
  expect(wrong).toEqual([]);
});

test("only emulator/unicorn talks to the engine through koffi", () => {
  const users = ["emulator", "kernel", "boards", "microkit"].flatMap(sources).filter((f) => imports(f).includes("koffi"));
  expect(users).toEqual(["emulator/unicorn/ffi.ts"]);
});
