// Upstream Microkit's fixed layout facts (microkit.json): cap slots, badges, address-space placement.
import { readAbiFile, type Arch } from "../kernel/abi.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface MicrokitLayout {
  readonly slot: (name: string) => number;
  readonly rootCNodeBits: number;
  readonly pdCNodeBits: number;
  readonly pdCNodeGuardSize: number;
  readonly endpointBadgeBit: bigint;
  readonly faultBadgeBit: bigint;
  readonly ipcBufferVaddr: bigint;
  readonly ipcBufferSize: bigint;
  readonly stackTop: bigint;
  readonly symbols: Readonly<Record<string, { readonly bytes: number }>>;
  readonly monitor: {
    readonly priority: number;
    readonly budgetUs: bigint;
    readonly periodUs: bigint;
    readonly cnodeBits: number;
    readonly guardSize: number;
    readonly faultEpSlot: number;
    readonly replySlot: number;
  };
}

export function microkitLayout(arch: Arch): MicrokitLayout {
  const mk = readAbiFile("microkit.json") as Json;
  const slots = mk["cspace"]["slots"] as Json;
  const shape = mk["cspace"]["shape"] as Json;
  const space = mk["address_space"]["per_arch"][arch] as Json;
  return {
    slot: (name) => {
      const s = slots[name];
      if (s === undefined) throw new Error(`microkit.json has no cap slot ${name}`);
      return s["slot"] as number;
    },
    rootCNodeBits: shape["root_cnode"]["size_bits"],
    pdCNodeBits: shape["microkit_cnode"]["size_bits"],
    pdCNodeGuardSize: shape["microkit_cnode"]["guard_size"],
    endpointBadgeBit: BigInt(mk["badges"]["BADGE_ENDPOINT_BIT"]),
    faultBadgeBit: BigInt(mk["badges"]["BADGE_FAULT_BIT"]),
    ipcBufferVaddr: BigInt(space["ipc_buffer_vaddr"]),
    ipcBufferSize: BigInt(mk["address_space"]["ipc_buffer"]["size"]),
    stackTop: BigInt(space["stack_top"]),
    symbols: mk["elf_symbols_patched"],
    monitor: {
      priority: mk["monitor"]["priority"],
      budgetUs: BigInt(mk["monitor"]["sched"]["budget_us"]),
      periodUs: BigInt(mk["monitor"]["sched"]["period_us"]),
      cnodeBits: mk["monitor_cspace"]["cnode_bits"],
      guardSize: mk["monitor_cspace"]["guard_size"],
      faultEpSlot: mk["monitor_cspace"]["FAULT_EP_CAP"],
      replySlot: mk["monitor_cspace"]["REPLY_CAP"],
    },
  };
}
