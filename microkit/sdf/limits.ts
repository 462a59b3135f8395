// The numeric limits and defaults of the SDF, read once from ../shared/abi/microkit.json (which
// records them from upstream sdf.rs, lib.rs and capdl/builder.rs at the pinned commit). The few
// that are not in the ABI tables name their upstream source beside them.
import { readAbiFile } from "../../kernel/abi.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SdfLimits {
  readonly priorityMax: bigint;
  readonly priorityDefault: bigint;
  readonly budgetDefault: bigint;
  readonly stackDefault: bigint;
  readonly stackMin: bigint;
  readonly stackMax: bigint;
  /** Largest channel, IRQ and ioport id (sdf.rs PD_MAX_ID). */
  readonly maxId: bigint;
  readonly maxVcpuId: bigint;
  /** cspace slots must be below this (sdf.rs CAP_MAP_MAX_SLOT). */
  readonly capSlotLimit: bigint;
  readonly maxPds: number;
  readonly monitorName: string;
  readonly monitorPriority: number;
  /** Bytes of a PD name the monitor and libmicrokit keep (lib.rs PD_MAX_NAME_LENGTH, less the NUL). */
  readonly nameBytes: number;
  /** Entries of the monitor's VM name table (util.rs monitor_serialise_names writes MAX_VMS + 1). */
  readonly monitorVmNames: number;
  /** A child id lands in parent CNode slot BASE_TCB_CAP + id, which must be below the CNode size. */
  readonly childTcbBase: bigint;
  /** How many slots from childTcbBase are kept for child TCBs (microkit.h BASE_TCB_CAP..BASE_VM_TCB_CAP). */
  readonly childTcbSlots: bigint;
  readonly pdCNodeSlots: bigint;
  /** Slots of a PD's root CNode, where <cspace> entries go (microkit.h PD_ROOT_CAP_BITS). */
  readonly rootCNodeSlots: bigint;
}

let cached: SdfLimits | undefined;

export function sdfLimits(): SdfLimits {
  if (cached !== undefined) return cached;
  const mk = readAbiFile("microkit.json") as Json;
  const sdf = mk["sdf"];
  const pd = sdf["protection_domain"];
  const lim = mk["cspace"]["limits"];
  cached = Object.freeze({
    priorityMax: BigInt(pd["priority"]["max"]),
    priorityDefault: BigInt(pd["priority"]["default"]),
    budgetDefault: BigInt(pd["budget_us"]["default"]),
    stackDefault: BigInt(pd["stack_size"]["default"]),
    stackMin: BigInt(pd["stack_size"]["min"]),
    stackMax: BigInt(pd["stack_size"]["max"]),
    maxId: BigInt(lim["PD_MAX_ID_sdf"]),
    maxVcpuId: BigInt(lim["VCPU_MAX_ID"]),
    capSlotLimit: BigInt(sdf["limits"]["max_user_cap_slot_exclusive"]),
    maxPds: Number(lim["MAX_PDS"]),
    monitorName: String(sdf["monitor"]["name"]),
    monitorPriority: Number(sdf["monitor"]["priority"]),
    nameBytes: Number(lim["MICROKIT_PD_NAME_LENGTH"]) - 1,
    monitorVmNames: Number(lim["monitor_MAX_VMS"]),
    childTcbBase: BigInt(mk["cspace"]["slots"]["BASE_TCB_CAP"]["slot"]),
    childTcbSlots: BigInt(mk["cspace"]["slots"]["BASE_TCB_CAP"]["range"][1]) - BigInt(mk["cspace"]["slots"]["BASE_TCB_CAP"]["range"][0]) + 1n,
    pdCNodeSlots: BigInt(mk["cspace"]["shape"]["microkit_cnode"]["slots"]),
    rootCNodeSlots: BigInt(mk["cspace"]["shape"]["root_cnode"]["slots"]),
  });
  return cached;
}

/** PCI address limits (sel4-capdl-initializer-types object::PCIDevice PCI_BUS_MAX/PCI_DEV_MAX/PCI_FUNC_MAX). */
export const PCI_MAX = { bus: 255n, device: 31n, function: 7n } as const;

/** Highest x86 IO virtual address (sel4-capdl-initializer-types x86_io_address_space::CAPDL_MAX_IOVA: 39 bits). */
export const CAPDL_MAX_IOVA = (1n << 39n) - 1n;

/** Boot-info kinds a <memory_region prefill_bootinfo> may name (sdf.rs SysMemoryRegion::from_xml). */
export const BOOTINFO_PREFILLS = ["x86_vbe", "x86_mbmmap", "x86_acpi_rsdp", "x86_framebuffer", "x86_tsc_freq", "fdt"] as const;
