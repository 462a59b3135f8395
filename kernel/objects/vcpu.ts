// Virtual CPUs of the ARM hypervisor configuration (seL4 src/arch/arm/object/vcpu.c,
// include/arch/arm/arch/object/vcpu.h): the guest's EL1 system registers (seL4_VCPUReg_*), the GIC
// virtual interface state with its list registers, the masked VPPIs and the bound thread, and the
// five ARMVCPU* invocations. Decode checks in seL4's order and mutates nothing; perform cannot fail.
//
// No guest runs in this model, so a VCPU is never the one loaded on the core (seL4's armHSCurVCPU):
// every register read or write, and every injection, goes to the VCPU object's saved copy, as seL4
// does for a VCPU that is not current.
import { readAbiFile, methodLayout, platformFacts, type MethodLayout } from "../abi.js";
import type { BitField } from "../abi.js";
import type { SyscallError } from "../errors.js";
import { invocationExtraCaps } from "../extra-caps.js";
import type { InvocationContext } from "../invocation.js";
import { replyFromKernel } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import { messageArg } from "../marshalling.js";
import { labelName } from "./tcb-invocation.js";
import type { TCB } from "./tcb.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// --- platform facts -----------------------------------------------------------------------------

/** What the VCPU code of one kernel build depends on beyond the ABI tables. */
export interface VGICPlatform {
  readonly board: string;
  /**
   * gic_vcpu_num_list_regs: read by seL4 at boot from GICH_VTR.ListRegs + 1 (vcpu_boot_init). Both
   * boards emulated here have 4: QEMU's GICv2 with virtualization extensions implements 4 list
   * registers (hw/intc/arm_gic_common.c, num_lrs = 4), and the Amlogic S905X3's GIC-400 has 4.
   */
  readonly numListRegs: number;
  /** maxIRQ of the kernel build (boards.json irq.kernel_irq_constants_debug); Arch_checkIRQ's bound. */
  readonly maxIrq: number;
  /**
   * INTERRUPT_VTIMER_EVENT: the virtual timer's PPI. seL4's tools/hardware.yml takes interrupt 2 of the
   * arm,armv8-timer device-tree node, which on both boards is PPI 11, i.e. INTID 16 + 11 = 27.
   */
  readonly vtimerIrq: number;
}

/** Boards whose hypervisor kernel this emulator models, with their GIC list register count. */
const LIST_REGISTERS: Readonly<Record<string, number>> = { qemu_virt_aarch64: 4, odroidc4: 4 };
const VTIMER_PPI_INTID = 27;

/** The VGIC facts of a board's hypervisor kernel, or undefined if it has none modelled here. */
export function vgicPlatform(board: string): VGICPlatform | undefined {
  const numListRegs = LIST_REGISTERS[board];
  const facts = platformFacts(board);
  if (numListRegs === undefined || facts === undefined) return undefined;
  return Object.freeze({ board, numListRegs, maxIrq: facts.maxIrq, vtimerIrq: VTIMER_PPI_INTID });
}

// --- registers and list-register words --------------------------------------------------------

/** seL4_VCPUReg name -> number, and seL4_VCPUReg_Num (aarch64.json boot.vcpu_registers). */
export function vcpuRegisters(): { readonly names: Readonly<Record<string, number>>; readonly count: number } {
  const regs = (readAbiFile("aarch64.json") as Json)["boot"]["vcpu_registers"] as Record<string, number> | null;
  if (regs == null) throw new Error("aarch64.json has no boot.vcpu_registers");
  const count = regs["seL4_VCPUReg_Num"];
  if (count === undefined) throw new Error("aarch64.json boot.vcpu_registers lacks seL4_VCPUReg_Num");
  return { names: regs, count };
}

/**
 * SCTLR_EL1_VM, the guest SCTLR a new VCPU starts with (armv_vcpu_init, seL4
 * include/arch/arm/armv/armv8-a/64/armv/vcpu.h): the A57 reserved value 0x30d00800 with CP15BEN (5),
 * nTWI (16), nTWE (18), UCT (15) and UCI (26): MMU and caches off.
 */
export const SCTLR_EL1_VM = 0x30d00800n | (1n << 5n) | (1n << 16n) | (1n << 18n) | (1n << 15n) | (1n << 26n);

/** VGIC_HCR_EN (seL4 include/arch/arm/arch/machine/gic_v2.h): vcpu_init enables the virtual interface. */
const VGIC_HCR_EN = 1;

/**
 * A GICv2 list register as seL4's virq_t (include/arch/arm/arch/64/mode/object/structures.bf, the
 * non-GICv3 blocks; the same bits as GICH_LR). virqGroup, virqPriority and virqIRQ exist only in the
 * pending form; the type and EOI bit are common to all three.
 */
const VIRQ: Readonly<Record<"virqGroup" | "virqType" | "virqPriority" | "virqEOIIRQEN" | "virqIRQ", BitField>> = {
  virqGroup: { offset: 30, width: 1 },
  virqType: { offset: 28, width: 2 },
  virqPriority: { offset: 23, width: 5 },
  virqEOIIRQEN: { offset: 19, width: 1 },
  virqIRQ: { offset: 0, width: 10 },
};

/** The virqType tags (tagged_union virq virqType). */
export const VIRQ_TYPE = { invalid: 0n, pending: 1n, active: 2n } as const;

const field = (word: bigint, f: BitField): bigint => (word >> BigInt(f.offset)) & ((1n << BigInt(f.width)) - 1n);
const put = (f: BitField, v: bigint): bigint => (v & ((1n << BigInt(f.width)) - 1n)) << BigInt(f.offset);

export function virqType(lr: bigint): bigint {
  return field(lr, VIRQ.virqType);
}

/** virq_virq_pending_new(group, priority, eoiirqen, irq). */
export function virqPendingNew(group: bigint, priority: bigint, eoiIrqEn: bigint, irq: bigint): bigint {
  return put(VIRQ.virqGroup, group) | put(VIRQ.virqType, VIRQ_TYPE.pending) | put(VIRQ.virqPriority, priority) |
    put(VIRQ.virqEOIIRQEN, eoiIrqEn) | put(VIRQ.virqIRQ, irq);
}

/** The fields of a list register word, for tests and traces. */
export function decodeVirq(lr: bigint): { type: bigint; group: bigint; priority: bigint; eoiIrqEn: bigint; irq: bigint } {
  return {
    type: virqType(lr), group: field(lr, VIRQ.virqGroup), priority: field(lr, VIRQ.virqPriority),
    eoiIrqEn: field(lr, VIRQ.virqEOIIRQEN), irq: field(lr, VIRQ.virqIRQ),
  };
}

// --- the object ---------------------------------------------------------------------------------

/** VPPIEventIRQ: the PPIs whose events seL4 forwards to a VCPU's thread (only the virtual timer). */
export const VPPI_EVENT_IRQ = { VTimer: 0 } as const;
const N_VPPI_EVENT_IRQ = Object.keys(VPPI_EVENT_IRQ).length;

/** struct vcpu. */
export class VCPU {
  /** vcpuTCB. */
  tcb: TCB | undefined;
  /** regs[seL4_VCPUReg_Num]: the guest's saved EL1 registers. */
  readonly regs: BigUint64Array;
  /** vgic.hcr, vmcr, apr and lr[0..numListRegs) (seL4 sizes lr for GIC_VCPU_MAX_NUM_LR but uses only these). */
  hcr = VGIC_HCR_EN;
  vmcr = 0;
  apr = 0;
  readonly lr: bigint[];
  /** vppi_masked[n_VPPIEventIRQ]: set when a VPPI is delivered as a fault, cleared by ARMVCPUAckVPPI. */
  readonly vppiMasked: boolean[] = new Array<boolean>(N_VPPI_EVENT_IRQ).fill(false);

  /** A new VCPU as Arch_createObject leaves it: zeroed, then vcpu_init. */
  constructor(readonly platform: VGICPlatform) {
    const { names, count } = vcpuRegisters();
    this.regs = new BigUint64Array(count);
    this.regs[names["seL4_VCPUReg_SCTLR"]!] = SCTLR_EL1_VM;
    this.lr = new Array<bigint>(platform.numListRegs).fill(0n);
  }
}

/** tcbArch.tcbVCPU: TCBs are shared with the rest of the kernel, so the back link is kept here. */
const tcbVCPUs = new WeakMap<TCB, VCPU>();

/** The VCPU bound to a thread, if any (tcb->tcbArch.tcbVCPU). */
export function tcbVCPU(tcb: TCB): VCPU | undefined {
  return tcbVCPUs.get(tcb);
}

/**
 * dissociateVCPUTCB. seL4 also sanitises the thread's SPSR back to a user mode here; the TCB model
 * does not keep EL1 modes in SPSR (TCBWriteRegisters stores it as given), so there is nothing to undo.
 */
export function dissociateVCPUTCB(vcpu: VCPU, tcb: TCB): void {
  if (tcbVCPUs.get(tcb) !== vcpu || vcpu.tcb !== tcb) throw new Error(`TCB ${tcb.name} and the VCPU are not associated`);
  tcbVCPUs.delete(tcb);
  vcpu.tcb = undefined;
}

/** associateVCPUTCB: both sides drop their old partner first. (No VCPU is ever loaded on the core here.) */
export function associateVCPUTCB(vcpu: VCPU, tcb: TCB): void {
  const old = tcbVCPUs.get(tcb);
  if (old !== undefined) dissociateVCPUTCB(old, tcb);
  if (vcpu.tcb !== undefined) dissociateVCPUTCB(vcpu, vcpu.tcb);
  tcbVCPUs.set(tcb, vcpu);
  vcpu.tcb = tcb;
}

// --- invocations --------------------------------------------------------------------------------

export type VCPUInvocation =
  | { readonly kind: "ARMVCPUSetTCB"; readonly vcpu: VCPU; readonly tcb: TCB }
  | { readonly kind: "ARMVCPUReadReg"; readonly vcpu: VCPU; readonly field: number; readonly caller: TCB; readonly call: boolean }
  | { readonly kind: "ARMVCPUWriteReg"; readonly vcpu: VCPU; readonly field: number; readonly value: bigint }
  | { readonly kind: "ARMVCPUInjectIRQ"; readonly vcpu: VCPU; readonly index: number; readonly virq: bigint }
  | { readonly kind: "ARMVCPUAckVPPI"; readonly vcpu: VCPU; readonly vppi: number };

type Decoded = { readonly ok: true; readonly invocation: VCPUInvocation } | { readonly ok: false; readonly error: SyscallError };

const ok = (invocation: VCPUInvocation): Decoded => ({ ok: true, invocation });
const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const TRUNCATED: SyscallError = { type: "seL4_TruncatedMessage" };
const ILLEGAL: SyscallError = { type: "seL4_IllegalOperation" };
const range = (min: bigint, max: bigint): SyscallError => ({ type: "seL4_RangeError", min, max });

type Decoder = (k: Kernel, ctx: InvocationContext, vcpu: VCPU, m: MethodLayout, mr: (i: number) => bigint) => Decoded;

const DECODERS: Readonly<Record<string, Decoder>> = {
  ARMVCPUSetTCB: decodeVCPUSetTCB,
  ARMVCPUReadReg: decodeVCPUReadReg,
  ARMVCPUWriteReg: decodeVCPUWriteReg,
  ARMVCPUInjectIRQ: decodeVCPUInjectIRQ,
  ARMVCPUAckVPPI: decodeVCPUAckVPPI,
};

/** decodeARMVCPUInvocation: any other label is an illegal operation. */
export function decodeVCPUInvocation(k: Kernel, ctx: InvocationContext, vcpu: VCPU): Decoded {
  const name = labelName(k, ctx.label);
  const decoder = name === undefined ? undefined : DECODERS[name];
  if (name === undefined || decoder === undefined) return fail(ILLEGAL);
  const buffer = k.ipcBuffer(ctx.thread, false);
  return decoder(k, ctx, vcpu, methodLayout(k.abi.arch, name), (i) => k.getMR(ctx.thread, buffer, i));
}

/** decodeVCPUSetTCB: the first extra cap must be there and be a thread cap. */
function decodeVCPUSetTCB(_k: Kernel, ctx: InvocationContext, vcpu: VCPU): Decoded {
  const tcbCap = invocationExtraCaps(ctx)[0];
  if (tcbCap === undefined) return fail(TRUNCATED);
  if (tcbCap.type !== "tcb") return fail(ILLEGAL);
  return ok({ kind: "ARMVCPUSetTCB", vcpu, tcb: tcbCap.object });
}

/** A register number below seL4_VCPUReg_Num, or seL4's error (argument number 1, as seL4 reports it). */
function checkField(f: bigint): number | SyscallError {
  return f >= BigInt(vcpuRegisters().count) ? { type: "seL4_InvalidArgument", argument: 1 } : Number(f);
}

function decodeVCPUReadReg(_k: Kernel, ctx: InvocationContext, vcpu: VCPU, m: MethodLayout, mr: (i: number) => bigint): Decoded {
  if (ctx.length < m.msgLength) return fail(TRUNCATED);
  const f = checkField(messageArg(m, "field", mr));
  if (typeof f !== "number") return fail(f);
  return ok({ kind: "ARMVCPUReadReg", vcpu, field: f, caller: ctx.thread, call: ctx.isCall });
}

function decodeVCPUWriteReg(_k: Kernel, ctx: InvocationContext, vcpu: VCPU, m: MethodLayout, mr: (i: number) => bigint): Decoded {
  if (ctx.length < m.msgLength) return fail(TRUNCATED);
  const f = checkField(messageArg(m, "field", mr));
  if (typeof f !== "number") return fail(f);
  return ok({ kind: "ARMVCPUWriteReg", vcpu, field: f, value: messageArg(m, "value", mr) });
}

/**
 * decodeVCPUInjectIRQ (AArch64: all four fields in MR0). The virtual IRQ must fit GICv2's 10-bit
 * virtual ID, the priority its 5 bits, the group be 0 or 1 and the index name an implemented list
 * register; a list register whose interrupt the guest has acknowledged (active) must be cleared
 * first. A pending one is overwritten, as seL4 does.
 */
function decodeVCPUInjectIRQ(_k: Kernel, ctx: InvocationContext, vcpu: VCPU, m: MethodLayout, mr: (i: number) => bigint): Decoded {
  if (ctx.length < m.msgLength) return fail(TRUNCATED);
  const vid = messageArg(m, "virq", mr);
  const priority = messageArg(m, "priority", mr);
  const group = messageArg(m, "group", mr);
  const index = messageArg(m, "index", mr);
  const maxVid = (1n << BigInt(VIRQ.virqIRQ.width)) - 1n;
  const maxPriority = (1n << BigInt(VIRQ.virqPriority.width)) - 1n;
  if (vid > maxVid) return fail(range(0n, maxVid));
  if (priority > maxPriority) return fail(range(0n, maxPriority));
  if (group > 1n) return fail(range(0n, 1n));
  const numLr = BigInt(vcpu.platform.numListRegs);
  if (index >= numLr) return fail(range(0n, numLr - 1n));
  if (virqType(vcpu.lr[Number(index)]!) === VIRQ_TYPE.active) return fail({ type: "seL4_DeleteFirst" });
  return ok({ kind: "ARMVCPUInjectIRQ", vcpu, index: Number(index), virq: virqPendingNew(group, priority, 1n, vid) });
}

/** irqVPPIEventIndex: which VPPI an IRQ number is, if any. */
function irqVPPIEventIndex(platform: VGICPlatform, irq: bigint): number | undefined {
  return irq === BigInt(platform.vtimerIrq) ? VPPI_EVENT_IRQ.VTimer : undefined;
}

/** decodeVCPUAckVPPI: Arch_checkIRQ's range (0..maxIRQ), then it must be a VPPI (argument 0). */
function decodeVCPUAckVPPI(_k: Kernel, ctx: InvocationContext, vcpu: VCPU, m: MethodLayout, mr: (i: number) => bigint): Decoded {
  if (ctx.length < m.msgLength) return fail(TRUNCATED);
  const irq = messageArg(m, "irq", mr);
  if (irq > BigInt(vcpu.platform.maxIrq)) return fail(range(0n, BigInt(vcpu.platform.maxIrq)));
  const vppi = irqVPPIEventIndex(vcpu.platform, irq);
  if (vppi === undefined) return fail({ type: "seL4_InvalidArgument", argument: 0 });
  return ok({ kind: "ARMVCPUAckVPPI", vcpu, vppi });
}

export function performVCPUInvocation(k: Kernel, inv: VCPUInvocation): void {
  const vcpu = inv.vcpu;
  switch (inv.kind) {
    case "ARMVCPUSetTCB":
      associateVCPUTCB(vcpu, inv.tcb);
      break;
    case "ARMVCPUReadReg":
      // invokeVCPUReadReg: the value is the reply's only MR; the caller runs on without another reply.
      if (inv.call) replyFromKernel(k, inv.caller, 0n, [vcpu.regs[inv.field]!]);
      k.setThreadState(inv.caller, "Running");
      break;
    case "ARMVCPUWriteReg":
      vcpu.regs[inv.field] = inv.value;
      break;
    case "ARMVCPUInjectIRQ":
      vcpu.lr[inv.index] = inv.virq;
      break;
    case "ARMVCPUAckVPPI":
      vcpu.vppiMasked[inv.vppi] = false;
      break;
  }
}
