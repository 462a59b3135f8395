// A virtual address space: pages of guest-physical memory mapped with rights, realised as few
// large engine regions (one per contiguous run), and the kernel's window onto user memory.
import type { UserMemory } from "../kernel/objects/tcb.js";
import { Cpu, hex, type Arch, type CpuOptions, type Rights } from "./cpu.js";
import type { PhysicalMemory } from "./physical-memory.js";

export interface Mapping {
  readonly va: bigint;
  readonly pa: bigint;
  readonly size: bigint;
  readonly rights: Rights;
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
  private readonly mappings: Mapping[];

  constructor(
    readonly name: string,
    arch: Arch,
    private readonly memory: PhysicalMemory,
    mappings: readonly Mapping[],
    options: CpuOptions = {},
  ) {
    this.cpu = new Cpu(arch, options);
    this.mappings = coalesce(mappings);
    for (const m of this.mappings) this.cpu.map(m.va, m.size, m.rights, memory.hostPointer(m.pa, m.size));
  }

  close(): void {
    this.cpu.close();
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
}
