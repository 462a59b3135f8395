// The machine side of the kernel's address spaces (kernel/vspace.ts VSpaceBackend): one engine
// (AddressSpace) per VSpace root that threads run in, built from what the kernel's tables map and
// then kept equal to them as the kernel maps, remaps and unmaps frames. What the kernel maps but
// no RAM or device model backs stays unmapped in the engine, so user accesses there fault.
import type { Kernel } from "../kernel/kernel.js";
import { leafRights, vspaceLeaves, type Leaf, type PageRights, type PageTable, type VSpaceBackend } from "../kernel/vspace.js";
import { AddressSpace, type DeviceSpace, type Mapping } from "./address-space.js";
import { hex, type Arch } from "./cpu.js";
import type { PhysicalMemory } from "./physical-memory.js";

export interface EngineVSpacesOptions {
  /** The board's device registers, by physical address. */
  readonly devices?: DeviceSpace;
  /** Where a mapping of memory no model backs is reported. */
  readonly diagnostic: (line: string) => void;
}

export class EngineVSpaces implements VSpaceBackend {
  private readonly spaces = new Map<PageTable, AddressSpace>();

  constructor(
    private readonly arch: Arch,
    private readonly memory: PhysicalMemory,
    private readonly options: EngineVSpacesOptions,
  ) {}

  /** The engine of `root`, built on first use from everything the kernel's tables map now. */
  spaceFor(k: Kernel, root: PageTable, name: string, fpu: boolean): AddressSpace {
    const known = this.spaces.get(root);
    if (known !== undefined) return known;
    // Leaves come lowest first: each one that continues the last run (same rights) extends it.
    const runs: { va: bigint; pa: bigint; size: bigint; rights: PageRights }[] = [];
    for (const { va, leaf } of vspaceLeaves(k, root)) {
      const size = 1n << BigInt(leaf.sizeBits);
      const last = runs[runs.length - 1];
      if (last !== undefined && last.va + last.size === va && last.pa + last.size === leaf.paddr && sameRights(last.rights, leaf)) {
        last.size += size;
      } else {
        runs.push({ va, pa: leaf.paddr, size, rights: leafRights(leaf) });
      }
    }
    const devices = this.options.devices;
    const reachable = runs.filter((m) => this.reachable(name, m));
    const space = new AddressSpace(name, this.arch, this.memory, reachable, { fpu, ...(devices === undefined ? {} : { devices }) });
    this.spaces.set(root, space);
    return space;
  }

  close(): void {
    for (const s of this.spaces.values()) s.close();
    this.spaces.clear();
  }

  map(root: PageTable, va: bigint, paddr: bigint, sizeBits: number, rights: PageRights): void {
    const space = this.spaces.get(root);
    if (space === undefined) return;
    const m: Mapping = { va, pa: paddr, size: 1n << BigInt(sizeBits), rights: { ...rights } };
    if (this.reachable(space.name, m)) space.replace(m);
    else space.unmap(va, m.size);
  }

  unmap(root: PageTable, va: bigint, size: bigint): void {
    this.spaces.get(root)?.unmap(va, size);
  }

  zero(paddr: bigint, size: bigint): void {
    const bytes = this.memory.view(paddr, Number(size));
    if (bytes === undefined) throw new Error(`untyped memory ${hex(paddr)}+${hex(size)} is not RAM`);
    bytes.fill(0);
  }

  /** RAM, or inside one device window; anything else is reported and left unmapped. */
  private reachable(name: string, m: Mapping): boolean {
    const windows = this.options.devices?.windows ?? [];
    if (this.memory.isRam(m.pa, m.size) || windows.some((w) => m.pa >= w.base && m.pa + m.size <= w.base + w.size)) return true;
    this.options.diagnostic(`${name}: no device is modelled at physical ${hex(m.pa)} (mapped at ${hex(m.va)}); accesses will fault`);
    return false;
  }
}

/** A run's rights are a leaf's (leafRights), compared without making an object per leaf. */
const sameRights = (a: PageRights, leaf: Leaf): boolean =>
  a.read === (leaf.rights !== "KernelOnly") && a.write === (leaf.rights === "ReadWrite") && a.execute === leaf.executable;
