// Reading a PD's ELF: header checks, PT_LOAD segments with their permissions, and the symbol
// table (decoded here from .symtab/.strtab; elfy gives us the headers and section bytes).
import elfy from "elfy";
import type { Arch } from "../kernel/abi.js";

export interface SegmentRights {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

export interface ElfSegment {
  readonly vaddr: bigint;
  readonly memsz: bigint;
  /**
   * The segment's memory image, memsz bytes: its file bytes, then zeros (.bss). A private copy:
   * patched symbols are written here, in .bss too, as the upstream tool allows.
   */
  readonly data: Uint8Array;
  readonly rights: SegmentRights;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
}

export interface ElfImage {
  readonly path: string;
  readonly arch: Arch;
  readonly entry: bigint;
  readonly segments: readonly ElfSegment[];
  readonly symbols: ReadonlyMap<string, ElfSymbol>;
  /** Where the symbols came from when not the image itself (the SDF's path_for_symbols). */
  readonly symbolsPath?: string;
}

export class ElfError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

// ELF constants (System V gABI): e_machine values, e_type, p_type, p_flags.
const EM_AARCH64 = 183;
const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const SYMBOL_SIZE = 24;
/** Larger segments are refused rather than allocated. */
const MAX_SEGMENT_BYTES = 1n << 30n;

interface ElfyProgram { type: string; offset: number; vaddr: number; filesz: number; memsz: number }
interface ElfySection { name: string; type: string | number; link: number; data: Buffer }
interface Elfy { entry: number; body: { programs: ElfyProgram[]; sections: ElfySection[] } }

export function parseElf(path: string, file: Uint8Array): ElfImage {
  const fail = (message: string): never => {
    throw new ElfError(path, message);
  };
  if (file.length < 64) fail(`not an ELF file (${file.length} bytes; an ELF header alone is 64)`);
  if (file[0] !== 0x7f || file[1] !== 0x45 || file[2] !== 0x4c || file[3] !== 0x46) fail("not an ELF file (no \\x7fELF magic)");
  if (file[4] !== 2) fail("not a 64-bit ELF (EI_CLASS is not ELFCLASS64)");
  if (file[5] !== 1) fail("not a little-endian ELF");
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  const arch: Arch | undefined = machine === EM_AARCH64 ? "aarch64" : machine === EM_RISCV ? "riscv64" : undefined;
  if (arch === undefined) fail(`unsupported machine ${machine} (expected AArch64 or RISC-V)`);
  if (type !== ET_EXEC) fail(`not an executable (e_type ${type}; link the PD statically, as microkit.ld does)`);
  const phoff = Number(view.getBigUint64(32, true));
  const phnum = view.getUint16(56, true);
  const phentsize = view.getUint16(54, true);
  if (phoff + phnum * phentsize > file.length) fail("truncated: the program headers run past the end of the file");

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const flags = view.getUint32(at + 4, true);
    const offset = Number(view.getBigUint64(at + 8, true));
    const vaddr = view.getBigUint64(at + 16, true);
    const filesz = Number(view.getBigUint64(at + 32, true));
    const memsz = view.getBigUint64(at + 40, true);
    if (offset + filesz > file.length) fail(`truncated: segment ${i} at ${hex(vaddr)} needs file bytes up to ${offset + filesz}, the file has ${file.length}`);
    if (BigInt(filesz) > memsz) fail(`segment ${i} at ${hex(vaddr)} has more file bytes (${filesz}) than memory (${memsz})`);
    if (memsz === 0n) continue;
    if (memsz > MAX_SEGMENT_BYTES) fail(`segment ${i} at ${hex(vaddr)} needs ${memsz} bytes of memory; at most ${MAX_SEGMENT_BYTES} (1 GiB) is supported`);
    segments.push({
      vaddr, memsz, data: memoryImage(file.subarray(offset, offset + filesz), memsz),
      rights: { read: (flags & PF_R) !== 0, write: (flags & PF_W) !== 0, execute: (flags & PF_X) !== 0 },
    });
  }
  if (segments.length === 0) fail("has no loadable (PT_LOAD) segments");
  segments.sort((a, b) => (a.vaddr < b.vaddr ? -1 : 1));
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1]!;
    if (prev.vaddr + prev.memsz > segments[i]!.vaddr) fail(`segments at ${hex(prev.vaddr)} and ${hex(segments[i]!.vaddr)} overlap`);
  }
  // Checked before elfy reads the sections, so that a cut-off file is reported as one.
  const shoff = Number(view.getBigUint64(40, true));
  const shnum = view.getUint16(60, true);
  const shentsize = view.getUint16(58, true);
  if (shoff + shnum * shentsize > file.length) fail("truncated: the section headers run past the end of the file");

  let parsed: Elfy;
  try {
    parsed = elfy.parse(Buffer.from(file.buffer, file.byteOffset, file.byteLength)) as Elfy;
  } catch (e) {
    return fail(`malformed ELF (${(e as Error).message})`);
  }
  return { path, arch: arch!, entry: view.getBigUint64(24, true), segments, symbols: readSymbols(parsed) };
}

function readSymbols(elf: Elfy): Map<string, ElfSymbol> {
  const symbols = new Map<string, ElfSymbol>();
  const sections = elf.body.sections;
  const symtab = sections.find((s) => s.name === ".symtab");
  if (symtab === undefined) return symbols;
  const strtab = sections[symtab.link];
  if (strtab === undefined) return symbols;
  const data = symtab.data;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = SYMBOL_SIZE; at + SYMBOL_SIZE <= data.length; at += SYMBOL_SIZE) {
    const nameOffset = view.getUint32(at, true);
    const end = strtab.data.indexOf(0, nameOffset);
    const name = strtab.data.subarray(nameOffset, end < 0 ? undefined : end).toString("utf8");
    if (name === "") continue;
    const value = view.getBigUint64(at + 8, true);
    const size = view.getBigUint64(at + 16, true);
    // Keep the first definition of a name; local duplicates (static symbols) come earlier in
    // .symtab than globals, so prefer a global one when both exist.
    const binding = view.getUint8(at + 4) >> 4;
    if (!symbols.has(name) || binding !== 0) symbols.set(name, { name, value, size });
  }
  return symbols;
}

/** Writes `bytes` over symbol `name` in the segment that holds it (the tool's symbol patching). */
export function patchSymbol(image: ElfImage, name: string, bytes: Uint8Array): void {
  const sym = image.symbols.get(name);
  if (sym === undefined) throw new ElfError(image.path, `has no symbol '${name}' to patch`);
  if (BigInt(bytes.length) > sym.size) throw new ElfError(image.path, `symbol '${name}' is ${sym.size} bytes, too small for ${bytes.length}`);
  const seg = image.segments.find((s) => sym.value >= s.vaddr && sym.value + BigInt(bytes.length) <= s.vaddr + BigInt(s.data.length));
  if (seg === undefined) throw new ElfError(image.path, `symbol '${name}' at ${hex(sym.value)} is not inside any loadable segment`);
  seg.data.set(bytes, Number(sym.value - seg.vaddr));
}

/** The bytes of a segment in memory. */
function memoryImage(fileBytes: Uint8Array, memsz: bigint): Uint8Array {
  const image = new Uint8Array(Number(memsz));
  image.set(fileBytes);
  return image;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
