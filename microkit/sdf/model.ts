// The validated system description: every default applied, nothing left implicit. Later layers
// read only this. Field meanings follow the Microkit manual's "System Description File" chapter;
// values are those upstream's tool (tool/microkit/src/sdf.rs) would hand to its builder.
import type { SdfArch } from "./board.js";
import type { Location } from "./xml.js";

export type { Location } from "./xml.js";

export interface ProgramImage {
  readonly path: string;
  readonly pathForSymbols: string | undefined;
  readonly loc: Location;
}

export interface MapPerms {
  readonly read: boolean;
  readonly write: boolean;
  readonly execute: boolean;
}

/** A <map> of a memory region into a protection domain or a virtual machine. */
export interface Mapping {
  readonly mr: string;
  readonly vaddr: bigint;
  readonly perms: MapPerms;
  readonly cached: boolean;
  readonly loc: Location;
}

export type IrqTrigger = "level" | "edge";

export interface PciDevice {
  readonly bus: number;
  readonly device: number;
  readonly function: number;
}

interface IrqCommon {
  /** Channel id the PD sees in notified(). */
  readonly id: number;
  readonly setvarId: string | undefined;
  readonly loc: Location;
}

/** ARM and RISC-V: a hardware interrupt number. */
export interface ConventionalIrq extends IrqCommon {
  readonly kind: "conventional";
  readonly irq: bigint;
  readonly trigger: IrqTrigger;
}

/** x86_64: an interrupt from an I/O APIC pin, delivered on a CPU vector. */
export interface IoapicIrq extends IrqCommon {
  readonly kind: "ioapic";
  readonly ioapic: bigint;
  readonly pin: bigint;
  readonly trigger: IrqTrigger;
  readonly polarity: "high" | "low";
  readonly vector: number;
}

/** x86_64: a message-signalled interrupt of a PCI device. */
export interface MsiIrq extends IrqCommon {
  readonly kind: "msi";
  readonly pciDevice: PciDevice;
  readonly handle: bigint;
  readonly vector: number;
}

export type Irq = ConventionalIrq | IoapicIrq | MsiIrq;

/** The number that must be unique system-wide: the IRQ, or the vector on x86 (sdf.rs irq_num). */
export const irqNumber = (irq: Irq): bigint => (irq.kind === "conventional" ? irq.irq : BigInt(irq.vector));

/** x86_64 I/O port range. */
export interface IoPort {
  readonly id: number;
  readonly addr: bigint;
  readonly size: bigint;
  readonly setvarId: string | undefined;
  readonly setvarAddr: string | undefined;
  readonly loc: Location;
}

/** What a patched symbol receives (sdf.rs SysSetVarKind). */
export type SetVarValue =
  | { readonly kind: "vaddr"; readonly address: bigint }
  | { readonly kind: "size"; readonly mr: string }
  | { readonly kind: "prefill_size"; readonly mr: string }
  | { readonly kind: "paddr"; readonly region: string }
  | { readonly kind: "id"; readonly id: number }
  | { readonly kind: "ioport_addr"; readonly address: bigint };

export interface SetVar {
  readonly symbol: string;
  readonly value: SetVarValue;
  /** The attribute or <setvar> element that asked for it. */
  readonly loc: Location;
}

export type CapMapType = "tcb" | "sc" | "vspace";

/** A <cspace> entry: another PD's object placed in this PD's root CNode. */
export interface CapMap {
  readonly type: CapMapType;
  readonly pd: string;
  readonly pdIndex: number;
  readonly slot: number;
  readonly loc: Location;
}

export interface VirtualCpu {
  readonly id: number;
  /** Physical core; the owning PD's core when not given. */
  readonly cpu: number;
  readonly loc: Location;
}

export interface VirtualMachine {
  readonly name: string;
  /** On AArch64 the VM's own; on x86_64 the owning PD's (the VM runs on the PD's thread). */
  readonly priority: number;
  readonly budgetUs: bigint;
  readonly periodUs: bigint;
  readonly sharesParentScheduling: boolean;
  readonly vcpus: readonly VirtualCpu[];
  readonly maps: readonly Mapping[];
  readonly loc: Location;
}

export interface ProtectionDomain {
  readonly name: string;
  /** Position among all PDs, parents before their children (upstream's flattened order). */
  readonly index: number;
  readonly priority: number;
  readonly budgetUs: bigint;
  readonly periodUs: bigint;
  readonly passive: boolean;
  readonly stackSize: bigint;
  readonly smc: boolean;
  readonly fpu: boolean;
  readonly cpu: number;
  /** Domain id and name when the system has a domain schedule. */
  readonly domain: number | undefined;
  readonly domainName: string | undefined;
  readonly programImage: ProgramImage;
  readonly maps: readonly Mapping[];
  readonly irqs: readonly Irq[];
  readonly ioports: readonly IoPort[];
  /** Every symbol to patch, in upstream's order: own elements, children's setvar_id, then channels. */
  readonly setvars: readonly SetVar[];
  readonly capMaps: readonly CapMap[];
  readonly virtualMachine: VirtualMachine | undefined;
  /** Index of the parent PD, its id for this child and the parent's symbol for it. */
  readonly parent: number | undefined;
  readonly childId: number | undefined;
  readonly setvarId: string | undefined;
  readonly children: readonly number[];
  readonly loc: Location;
}

export type BootInfoPrefill = "x86_vbe" | "x86_mbmmap" | "x86_acpi_rsdp" | "x86_framebuffer" | "x86_tsc_freq" | "fdt";

export interface MemoryRegion {
  readonly name: string;
  readonly size: bigint;
  /** Page size after upstream's promotion to large pages. */
  readonly pageSize: bigint;
  readonly pageSizeGiven: boolean;
  readonly pageCount: bigint;
  /**
   * Where the region lives: fixed by phys_addr, chosen by the tool because a <setvar region_paddr>
   * needs it, or anywhere.
   */
  readonly physAddr: bigint | undefined;
  readonly placement: "fixed" | "tool_allocated" | "any";
  readonly prefill: { readonly path: string; readonly resolvedPath: string; readonly bytes: Uint8Array } | undefined;
  readonly prefillBootinfo: BootInfoPrefill | undefined;
  readonly loc: Location;
}

export interface ChannelEnd {
  readonly pd: string;
  readonly pdIndex: number;
  readonly id: number;
  readonly pp: boolean;
  readonly notify: boolean;
  readonly setvarId: string | undefined;
  readonly loc: Location;
}

export interface Channel {
  readonly ends: readonly [ChannelEnd, ChannelEnd];
  readonly loc: Location;
}

export interface Domain {
  readonly name: string;
  readonly id: number;
  readonly idGiven: boolean;
  readonly loc: Location;
}

export type ScheduleEntry =
  | { readonly kind: "entry"; readonly domain: number; readonly domainName: string; readonly duration: bigint; readonly unit: "us" | "ticks"; readonly loc: Location }
  | { readonly kind: "end_marker"; readonly loc: Location };

export interface DomainSchedule {
  readonly domains: readonly Domain[];
  readonly schedule: readonly ScheduleEntry[];
  readonly startIndex: bigint;
  readonly indexShift: bigint | undefined;
  readonly loc: Location;
}

export interface IoMap {
  readonly mr: string;
  readonly iovaddr: bigint;
  readonly perms: { readonly read: boolean; readonly write: boolean };
  readonly loc: Location;
}

export interface IoAddressSpace {
  readonly name: string;
  readonly peripheral: PciDevice;
  readonly domainId: bigint;
  readonly iomaps: readonly IoMap[];
  readonly loc: Location;
}

export interface SystemDescription {
  readonly file: string;
  readonly arch: SdfArch;
  readonly protectionDomains: readonly ProtectionDomain[];
  readonly memoryRegions: readonly MemoryRegion[];
  readonly channels: readonly Channel[];
  readonly domains: DomainSchedule | undefined;
  readonly ioAddressSpaces: readonly IoAddressSpace[];
}

/** A located problem in an SDF: printed as `file:line:column: error: message`. */
export interface SdfError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Something upstream accepts but that is probably not what the author meant. */
export type SdfWarning = SdfError;

export function formatSdfError(e: SdfError): string {
  return `${e.file}:${e.line}:${e.column}: error: ${e.message}`;
}

export function formatSdfWarning(w: SdfWarning): string {
  return `${w.file}:${w.line}:${w.column}: warning: ${w.message}`;
}
