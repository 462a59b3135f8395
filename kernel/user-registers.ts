// How seL4 shows and accepts a thread's SPSR (AArch64 sanitiseRegister, Arch_initContext): a user
// thread's SPSR is its condition flags plus PSTATE_USER (EL0t with FIQs masked, and SErrors too
// outside debug builds). The engine holds only the flags, so the mode bits are added when the
// register is read out (ReadRegisters, CopyRegisters, fault messages) and reset to user mode when one
// is written in. A thread bound to a VCPU may also hold the EL1 modes a guest uses.
import type { Kernel } from "./kernel.js";
import { kernelConfig } from "./marshalling.js";
import { tcbVCPU } from "./objects/vcpu.js";
import type { TCB } from "./objects/tcb.js";

// include/arch/arm/arch/64/mode/machine/registerset.h (not in ../shared/abi, whose boot.json names
// PSTATE_USER only in prose).
const PMODE_FIRQ = 1n << 6n;
const PMODE_SERROR = 1n << 8n;
const PMODE_EL0T = 0n;
const VCPU_MODES: readonly bigint[] = [PMODE_EL0T, 4n /* EL1t */, 5n /* EL1h */];
const FLAGS = 0xf0000000n;

const spsrIndex = new WeakMap<Kernel, { readonly index: number; readonly user: bigint } | null>();

function spsr(k: Kernel): { readonly index: number; readonly user: bigint } | null {
  let s = spsrIndex.get(k);
  if (s === undefined) {
    const debug = kernelConfig(k.abi)["DEBUG_BUILD"] === true;
    s = k.abi.arch === "aarch64" ? { index: k.reg("spsr"), user: PMODE_FIRQ | PMODE_EL0T | (debug ? 0n : PMODE_SERROR) } : null;
    spsrIndex.set(k, s);
  }
  return s;
}

/** Register `i` of seL4_UserContext as the kernel reports it. */
export function userRegister(k: Kernel, tcb: TCB, i: number): bigint {
  const v = tcb.context[i]!;
  const s = spsr(k);
  if (s === null || i !== s.index) return v;
  return tcbVCPU(tcb) !== undefined && (v & ~FLAGS) !== 0n ? v : (v & FLAGS) | s.user;
}

/** The value register `i` takes when user level writes `v` to it (sanitiseRegister). */
export function sanitiseRegister(k: Kernel, tcb: TCB, i: number, v: bigint): bigint {
  const s = spsr(k);
  if (s === null || i !== s.index) return v;
  if (tcbVCPU(tcb) !== undefined && VCPU_MODES.includes(v & 0x1fn)) return v;
  return (v & FLAGS) | s.user;
}
