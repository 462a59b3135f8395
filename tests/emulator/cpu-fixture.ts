// Test helper: CPUs with host pages mapped into them, and machine code assembled onto a code page;
// everything made through it is closed after each test.
import { afterEach } from "vitest";
import { Cpu, type Arch, type CpuOptions, type Rights } from "../../emulator/cpu.js";
import { hostAlloc, hostFree, type Pointer } from "../../emulator/unicorn/ffi.js";
import { assemble } from "./asm.js";

export const ARCHES = ["aarch64", "riscv64"] as const;
export const PAGE = 0x1000;
export const CODE = 0x10000n;

export const NONE: Rights = { read: false, write: false, execute: false };
export const R: Rights = { read: true, write: false, execute: false };
export const RW: Rights = { read: true, write: true, execute: false };
export const RX: Rights = { read: true, write: false, execute: true };

export interface CpuFixture {
  newCpu(arch: Arch, options?: CpuOptions): Cpu;
  /** Fresh zeroed host memory, freed after the test (after the CPUs). */
  hostMemory(size: number): { readonly ptr: Pointer; readonly bytes: Uint8Array };
  /** Maps fresh zeroed host memory at va; returns its bytes (a live view). */
  mapHost(cpu: Cpu, va: bigint, rights: Rights, size?: number): Uint8Array;
  /** A CPU with `source` (or this architecture's entry of it) assembled at CODE + offset, one read-execute page. */
  withCode(arch: Arch, source: string | Readonly<Record<Arch, string>>, offset?: number): { cpu: Cpu; code: Uint8Array };
}

/** Registers the cleanup with the calling test file. */
export function cpuFixture(): CpuFixture {
  const cpus: Cpu[] = [];
  const hostPages: { ptr: Pointer; size: number }[] = [];
  afterEach(() => {
    for (const cpu of cpus.splice(0)) cpu.close();
    for (const p of hostPages.splice(0)) hostFree(p.ptr, p.size);
  });
  const newCpu = (arch: Arch, options: CpuOptions = {}): Cpu => {
    const cpu = new Cpu(arch, options);
    cpus.push(cpu);
    return cpu;
  };
  const hostMemory = (size: number): { readonly ptr: Pointer; readonly bytes: Uint8Array } => {
    const host = hostAlloc(size);
    hostPages.push({ ptr: host.ptr, size });
    return host;
  };
  const mapHost = (cpu: Cpu, va: bigint, rights: Rights, size = PAGE): Uint8Array => {
    const host = hostMemory(size);
    cpu.map(va, BigInt(size), rights, host.ptr);
    return host.bytes;
  };
  const withCode = (arch: Arch, source: string | Readonly<Record<Arch, string>>, offset = 0): { cpu: Cpu; code: Uint8Array } => {
    const cpu = newCpu(arch);
    const code = mapHost(cpu, CODE, RX);
    code.set(assemble(arch, typeof source === "string" ? source : source[arch]), offset);
    return { cpu, code };
  };
  return { newCpu, hostMemory, mapHost, withCode };
}
