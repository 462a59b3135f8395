// Test helper: assembles a snippet into raw machine code with the set-up's LLVM tools (clang as
// the assembler, llvm-objcopy for the bytes), AArch64 or RV64IMAC as libmicrokit is built
// (scripts/pd.mk). The snippet starts at offset 0 and must not need relocation.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Arch } from "../../emulator/cpu.js";

const TARGET: Readonly<Record<Arch, readonly string[]>> = {
  aarch64: ["--target=aarch64-none-elf"],
  // No linker relaxation, so branches between labels are resolved by the assembler.
  riscv64: ["--target=riscv64-unknown-elf", "-march=rv64imac", "-mno-relax"],
};

const cache = new Map<string, Uint8Array>();

export function assemble(arch: Arch, source: string): Uint8Array {
  const key = `${arch}\n${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit.slice();
  const dir = mkdtempSync(join(tmpdir(), "mkemu-asm-"));
  try {
    const [src, obj, bin] = ["a.s", "a.o", "a.bin"].map((f) => join(dir, f)) as [string, string, string];
    writeFileSync(src, `.text\n${source}\n`);
    execFileSync("clang", [...TARGET[arch], "-c", src, "-o", obj], { stdio: ["ignore", "ignore", "pipe"] });
    const relocations = execFileSync("llvm-readelf", ["-r", obj], { encoding: "utf8" });
    if (relocations.includes("Relocation section")) throw new Error(`snippet needs relocation:\n${relocations}`);
    execFileSync("llvm-objcopy", ["-O", "binary", "--only-section=.text", obj, bin]);
    const code = new Uint8Array(readFileSync(bin));
    cache.set(key, code);
    return code.slice();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
