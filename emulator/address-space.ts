// A virtual address space: pages of guest-physical memory mapped with rights, and the kernel's
// window onto user memory. Its engine holds every RAM range at its physical address and translates
// through page tables built from the mappings (emulator/cpu.ts), so a mapping costs page-table
// entries, not engine regions, and mappings can come and go while the system runs.
import type { UserMemory } from "../kernel/objects/tcb.js";
import { Cpu, hex, type Arch, type CpuOptions, type MmioHandler, type Rights } from "./cpu.js";
import type { PhysicalMemory } from "./physical-memory.js";

export interface Mapping {
  readonly va: bigint;
  readonly pa: bigint;
  readonly size: bigint;
  readonly rights: Rights;
}

/** The board's device registers by physical address. */
export interface DeviceSpace {
  /** Page-aligned physical ranges holding device registers: each becomes one engine region. */
  readonly windows: readonly { readonly base: bigint; readonly size: bigint }[];
  /** Handles accesses to a range that starts at physical `pa` (offsets from pa). */
  handler(pa: bigint): MmioHandler;
}

export interface AddressSpaceOptions extends Pick<CpuOptions, "fpu"> {
  /** Where mappings of physical addresses outside RAM go; without it they are an error. */
  readonly devices?: DeviceSpace;
}

const sameRights = (a: Rights, b: Rights): boolean => a.read === b.read && a.write === b.write && a.execute === b.execute;

/** Merges mappings that continue each other in both virtual and physical space with equal rights. */
export function coalesce(mappings: readonly Mapping[]): Mapping[] {
  const sorted = [...mappings].sort((a, b) => (a.va < b.va ? -1 : a.va > b.va ? 1 : 0));
  const out: Mapping[] = [];
  for (const m of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.va + last.size > m.va) {
      throw new Error(`mappings overlap at ${hex(m.va)}`);
    }
    if (last !== undefined && last.va + last.size === m.va && last.pa + last.size === m.pa && sameRights(last.rights, m.rights)) {
      out[out.length - 1] = { ...last, size: last.size + m.size };
    } else {
      out.push(m);
    }
  }
  return out;
}

export class AddressSpace implements UserMemory {
  readonly cpu: Cpu;
  private mappings: Mapping[];
  private readonly devices: DeviceSpace | undefined;

  constructor(
    readonly name: string,
    arch: Arch,
    private readonly memory: PhysicalMemory,
    mappings: readonly Mapping[],
    options: AddressSpaceOptions = {},
  ) {
    const devices = options.devices;
    this.cpu = new Cpu(arch, {
      ...(options.fpu === undefined ? {} : { fpu: options.fpu }),
      ram: memory.ram.map((r) => ({ ...r, host: memory.hostPointer(r.base, r.size) })),
      devices: (devices?.windows ?? []).map((w) => ({ ...w, handler: devices!.handler(w.base) })),
    });
    this.devices = devices;
    this.mappings = coalesce(mappings);
    for (const m of this.mappings) this.install(m);
  }

  close(): void {
    this.cpu.close();
  }

  /** Adds a mapping; it must not overlap one already there. */
  map(m: Mapping): void {
    const next = coalesce([...this.mappings, m]);
    this.install(m);
    this.mappings = next;
  }

  /** Maps `m` in place of whatever [m.va, m.va+m.size) mapped (a remap with other rights, or another frame). */
  replace(m: Mapping): void {
    this.unmap(m.va, m.size);
    this.map(m);
  }

  /** Removes whatever is mapped in [va, va+size) (page-aligned), splitting mappings at its ends. */
  unmap(va: bigint, size: bigint): void {
    const top = this.cpu.userTop;
    if (va >= top) return;
    if (va + size > top) size = top - va; // nothing is mapped beyond the user half
    this.cpu.unmap(va, size);
    const end = va + size;
    const kept: Mapping[] = [];
    for (const m of this.mappings) {
      const mEnd = m.va + m.size;
      if (mEnd <= va || m.va >= end) {
        kept.push(m);
        continue;
      }
      if (m.va < va) kept.push({ ...m, size: va - m.va });
      if (mEnd > end) kept.push({ ...m, va: end, pa: m.pa + (end - m.va), size: mEnd - end });
    }
    this.mappings = kept;
  }

  /** The mapping that covers va, if any. */
  lookup(va: bigint): Mapping | undefined {
    for (const m of this.mappings) if (va >= m.va && va < m.va + m.size) return m;
    return undefined;
  }

  bytes(va: bigint, length: number, write: boolean): Uint8Array | undefined {
    const m = this.lookup(va);
    if (m === undefined || !m.rights.read || (write && !m.rights.write)) return undefined;
    if (va + BigInt(length) > m.va + m.size) return undefined;
    return this.memory.view(m.pa + (va - m.va), length);
  }

  private install(m: Mapping): void {
    const device = this.devices?.windows.some((w) => m.pa >= w.base && m.pa + m.size <= w.base + w.size) === true;
    if (!device && !this.memory.isRam(m.pa, m.size)) {
      throw new Error(`physical range ${hex(m.pa)}+${hex(m.size)} is not RAM${this.devices === undefined ? "" : " or a device window"}`);
    }
    this.cpu.mapPhysical(m.va, m.pa, m.size, m.rights);
  }
}
