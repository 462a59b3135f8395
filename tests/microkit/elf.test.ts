// parseElf and patchSymbol on the example PDs the set-up builds, checked against llvm-readobj (an
// independent reader), and the errors for files that are not PD executables.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ElfError, parseElf, patchSymbol } from "../../microkit/elf.js";

const BOARDS = [
  { board: "qemu_virt_aarch64", arch: "aarch64" },
  { board: "qemu_virt_riscv64", arch: "riscv64" },
] as const;

const helloPath = (board: string): string => `build/examples/hello/${board}/debug/hello.elf`;

interface ReadobjLoad {
  readonly index: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly filesz: number;
  readonly memsz: bigint;
  readonly flags: number;
}

interface Readobj {
  readonly entry: bigint;
  readonly loads: readonly ReadobjLoad[];
  readonly symbols: ReadonlyMap<string, { readonly value: bigint; readonly size: bigint }>;
}

/** The facts parseElf must agree with, from llvm-readobj's JSON output (not from our parser). */
function readobj(path: string): Readobj {
  type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = JSON.parse(execFileSync("llvm-readobj", ["--elf-output-style=JSON", "-h", "-l", "--symbols", path], { encoding: "utf8" })) as Json[];
  const file = Object.values(out[0]!)[0] as Json;
  const loads: ReadobjLoad[] = [];
  (file["ProgramHeaders"] as Json[]).forEach((p, index) => {
    const h = p["ProgramHeader"];
    if (h["Type"]["RawValue"] !== 1) return; // PT_LOAD
    loads.push({ index, offset: h["Offset"], vaddr: BigInt(h["VirtualAddress"]), filesz: h["FileSize"], memsz: BigInt(h["MemSize"]), flags: h["Flags"]["RawFlags"] });
  });
  const symbols = new Map<string, { value: bigint; size: bigint }>();
  for (const s of file["Symbols"] as Json[]) {
    const sym = s["Symbol"];
    if (sym["Binding"]["Value"] === "Global") symbols.set(sym["Name"]["Value"], { value: BigInt(sym["Value"]), size: BigInt(sym["Size"]) });
  }
  return { entry: BigInt(file["ElfHeader"]["Entry"]), loads, symbols };
}

function elfError(f: () => unknown): ElfError {
  try {
    f();
  } catch (e) {
    if (e instanceof ElfError) return e;
    throw e;
  }
  throw new Error("expected an ElfError, nothing was thrown");
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

describe.each(BOARDS)("hello.elf for $board", ({ board, arch }) => {
  const path = helloPath(board);
  const file = new Uint8Array(readFileSync(path));
  const truth = readobj(path);

  test("architecture and entry point", () => {
    const image = parseElf(path, file);
    expect(image.path).toBe(path);
    expect(image.arch).toBe(arch);
    expect(image.entry).toBe(truth.entry);
    expect(image.entry).toBe(truth.symbols.get("_start")!.value);
  });

  test("PT_LOAD segments: addresses, memory images (file bytes, then zeros) and R/W/X rights", () => {
    const image = parseElf(path, file);
    const expected = truth.loads.filter((l) => l.memsz > 0n).map((l) => {
      const data = new Uint8Array(Number(l.memsz));
      data.set(file.subarray(l.offset, l.offset + l.filesz));
      // p_flags: PF_X 1, PF_W 2, PF_R 4 (System V gABI).
      return { vaddr: l.vaddr, memsz: l.memsz, data, rights: { read: (l.flags & 4) !== 0, write: (l.flags & 2) !== 0, execute: (l.flags & 1) !== 0 } };
    });
    expect(image.segments.map((s) => ({ ...s, data: new Uint8Array(s.data) }))).toEqual(expected);

    // microkit.ld's layout: text R-X holding the entry, rodata R--, data RW- with .bss after it.
    expect(image.segments.map((s) => s.rights)).toEqual([
      { read: true, write: false, execute: true },
      { read: true, write: false, execute: false },
      { read: true, write: true, execute: false },
    ]);
    const [text, , data] = image.segments;
    expect(image.entry >= text!.vaddr && image.entry < text!.vaddr + text!.memsz).toBe(true);
    // bss: the data segment's memory goes on past its file bytes, and reads as zeros there.
    const dataLoad = truth.loads[2]!;
    expect(dataLoad.memsz).toBeGreaterThan(BigInt(dataLoad.filesz));
    expect(BigInt(data!.data.length)).toBe(dataLoad.memsz);
    expect(data!.data.subarray(dataLoad.filesz).every((b) => b === 0)).toBe(true);
    expect(truth.symbols.get("microkit_signal_cap")!.value).toBeGreaterThanOrEqual(dataLoad.vaddr + BigInt(dataLoad.filesz));
  });

  test("symbols: libmicrokit's patched variables and the PD entry points", () => {
    const { symbols } = parseElf(path, file);
    expect(symbols.get("microkit_name")).toEqual({ name: "microkit_name", value: truth.symbols.get("microkit_name")!.value, size: 64n });
    for (const name of ["microkit_irqs", "microkit_notifications", "microkit_pps", "__sel4_ipc_buffer"]) {
      expect(symbols.get(name)).toEqual({ name, value: truth.symbols.get(name)!.value, size: 8n });
    }
    for (const name of ["_start", "init", "notified", "main", "microkit_signal_cap"]) {
      expect(symbols.get(name)).toEqual({ name, ...truth.symbols.get(name)! });
    }
  });

  test("patchSymbol writes into the segment's own copy of its memory image, .bss included", () => {
    const original = file.slice();
    const image = parseElf(path, file);
    const name = truth.symbols.get("microkit_name")!;
    const seg = image.segments.find((s) => name.value >= s.vaddr && name.value < s.vaddr + s.memsz)!;
    const at = Number(name.value - seg.vaddr);
    const before = seg.data.slice();
    const others = image.segments.filter((s) => s !== seg).map((s) => s.data.slice());

    patchSymbol(image, "microkit_name", new TextEncoder().encode("hello\0"));
    expect(Array.from(seg.data.subarray(at, at + 6))).toEqual([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0]);
    expect(seg.data.subarray(0, at)).toEqual(before.subarray(0, at));
    expect(seg.data.subarray(at + 6)).toEqual(before.subarray(at + 6));
    expect(image.segments.filter((s) => s !== seg).map((s) => s.data)).toEqual(others);
    expect(file).toEqual(original); // the caller's file bytes are untouched

    // A symbol past the file bytes (.bss) is patched in the zero-filled part of the image.
    const cap = truth.symbols.get("microkit_signal_cap")!.value;
    expect(cap).toBeGreaterThanOrEqual(truth.loads[2]!.vaddr + BigInt(truth.loads[2]!.filesz));
    patchSymbol(image, "microkit_signal_cap", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const c = Number(cap - seg.vaddr);
    expect(Array.from(seg.data.subarray(c, c + 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("patchSymbol refuses a missing symbol, a value too big, and a symbol outside every segment", () => {
    const image = parseElf(path, file);
    expect(elfError(() => patchSymbol(image, "no_such_symbol", new Uint8Array(1))).message).toBe(`${path}: has no symbol 'no_such_symbol' to patch`);
    expect(elfError(() => patchSymbol(image, "microkit_name", new Uint8Array(65))).message).toBe(
      `${path}: symbol 'microkit_name' is 64 bytes, too small for 65`,
    );
    const ghost = { name: "ghost", value: 0x9000_0000n, size: 8n };
    const withGhost = { ...image, symbols: new Map([...image.symbols, ["ghost", ghost]]) };
    expect(elfError(() => patchSymbol(withGhost, "ghost", new Uint8Array(8))).message).toBe(
      `${path}: symbol 'ghost' at 0x90000000 is not inside any loadable segment`,
    );
  });
});

describe("files that are not a PD executable", () => {
  const path = helloPath("qemu_virt_aarch64");
  const hello = new Uint8Array(readFileSync(path));
  const truth = readobj(path);
  const dir = mkdtempSync(join(tmpdir(), "mkemu-elf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** An object file from the set-up's clang for another target. */
  function object(target: string): Uint8Array {
    const src = join(dir, `${target}.s`);
    const obj = join(dir, `${target}.o`);
    writeFileSync(src, ".text\nnop\n");
    execFileSync("clang", [`--target=${target}`, "-c", src, "-o", obj], { stdio: ["ignore", "ignore", "pipe"] });
    return new Uint8Array(readFileSync(obj));
  }

  const rejects = (name: string, bytes: Uint8Array): string => {
    const e = elfError(() => parseElf(name, bytes));
    expect(e.path).toBe(name);
    return e.message;
  };

  test("a file of 10 bytes", () => {
    expect(rejects("tiny.elf", hello.slice(0, 10))).toBe("tiny.elf: not an ELF file (10 bytes; an ELF header alone is 64)");
  });

  test("a file that is not ELF at all", () => {
    const script = new TextEncoder().encode("#!/bin/sh\n# a shell script, long enough to hold an ELF header if it were one\necho hello\n");
    expect(rejects("hello.sh", script)).toBe("hello.sh: not an ELF file (no \\x7fELF magic)");
  });

  test("a 32-bit ELF", () => {
    const arm32 = object("armv7a-none-eabi");
    expect(arm32[4]).toBe(1); // ELFCLASS32
    expect(rejects("arm32.o", arm32)).toBe("arm32.o: not a 64-bit ELF (EI_CLASS is not ELFCLASS64)");
    expect(rejects("rv32.o", object("riscv32-unknown-elf"))).toBe("rv32.o: not a 64-bit ELF (EI_CLASS is not ELFCLASS64)");
  });

  test("a big-endian ELF", () => {
    const be = object("aarch64_be-none-elf");
    expect([be[4], be[5]]).toEqual([2, 2]); // ELFCLASS64, ELFDATA2MSB
    expect(rejects("be.o", be)).toBe("be.o: not a little-endian ELF");
  });

  test("an ELF for another machine", () => {
    expect(rejects("x86.o", object("x86_64-unknown-linux-gnu"))).toBe("x86.o: unsupported machine 62 (expected AArch64 or RISC-V)");
  });

  test("a relocatable object for the right machine", () => {
    expect(rejects("pd.o", object("aarch64-none-elf"))).toBe("pd.o: not an executable (e_type 1; link the PD statically, as microkit.ld does)");
  });

  test("truncated files say where they end", () => {
    expect(rejects("cut.elf", hello.slice(0, 100))).toBe("cut.elf: truncated: the program headers run past the end of the file");
    const [text, , data] = truth.loads;
    const inText = text!.offset + 0x100;
    expect(rejects("cut.elf", hello.slice(0, inText))).toBe(
      `cut.elf: truncated: segment ${text!.index} at ${hex(text!.vaddr)} needs file bytes up to ${text!.offset + text!.filesz}, the file has ${inText}`,
    );
    expect(data!.filesz).toBeGreaterThan(0);
    const inData = data!.offset + data!.filesz - 1; // one byte short
    expect(rejects("cut.elf", hello.slice(0, inData))).toBe(
      `cut.elf: truncated: segment ${data!.index} at ${hex(data!.vaddr)} needs file bytes up to ${data!.offset + data!.filesz}, the file has ${inData}`,
    );
    expect(rejects("cut.elf", hello.slice(0, hello.length - 1))).toBe("cut.elf: truncated: the section headers run past the end of the file");
  });
});
