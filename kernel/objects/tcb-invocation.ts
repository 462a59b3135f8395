// TCB invocations (seL4 src/object/tcb.c decodeTCBInvocation): the ones Microkit's
// microkit_pd_restart / _stop / _resume use; the rest answer IllegalOperation until modelled.
import type { SyscallError } from "../errors.js";
import type { InvocationContext } from "../invocation.js";
import { cancelIPC } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import type { TCB } from "./tcb.js";

export type TCBInvocation =
  | { readonly kind: "TCBSuspend"; readonly tcb: TCB }
  | { readonly kind: "TCBResume"; readonly tcb: TCB }
  | { readonly kind: "TCBWriteRegisters"; readonly tcb: TCB; readonly resume: boolean; readonly values: readonly bigint[] };

type Decoded = { readonly ok: true; readonly invocation: TCBInvocation } | { readonly ok: false; readonly error: SyscallError };

export function decodeTCBInvocation(k: Kernel, ctx: InvocationContext, tcb: TCB): Decoded {
  const labels = k.abi.labels;
  const is = (name: string): boolean => labels[name] !== undefined && ctx.label === BigInt(labels[name]);
  if (is("TCBSuspend")) return { ok: true, invocation: { kind: "TCBSuspend", tcb } };
  if (is("TCBResume")) return { ok: true, invocation: { kind: "TCBResume", tcb } };
  if (is("TCBWriteRegisters")) {
    // MR0: resume_target in bit 0 (arch_flags from bit 8); MR1: count; MR2..: registers in
    // seL4_UserContext order (marshalling.json TCBWriteRegisters).
    if (ctx.length < 2) return { ok: false, error: { type: "seL4_TruncatedMessage" } };
    const buffer = k.ipcBuffer(ctx.thread, false);
    const flags = k.getMR(ctx.thread, buffer, 0);
    const w = k.getMR(ctx.thread, buffer, 1);
    // decodeWriteRegisters: the message must hold all `w` registers it asks to write.
    if (BigInt(ctx.length - 2) < w) return { ok: false, error: { type: "seL4_TruncatedMessage" } };
    if (tcb === ctx.thread) return { ok: false, error: { type: "seL4_IllegalOperation" } };
    const count = Math.min(Number(w), k.abi.userContext.length);
    const values = Array.from({ length: count }, (_, i) => k.getMR(ctx.thread, buffer, 2 + i));
    return { ok: true, invocation: { kind: "TCBWriteRegisters", tcb, resume: (flags & 1n) !== 0n, values } };
  }
  return { ok: false, error: { type: "seL4_IllegalOperation" } };
}

export function performTCBInvocation(k: Kernel, inv: TCBInvocation): void {
  const tcb = inv.tcb;
  switch (inv.kind) {
    case "TCBSuspend":
      suspend(k, tcb);
      break;
    case "TCBResume":
      restart(k, tcb);
      break;
    case "TCBWriteRegisters": {
      // seL4_UserContext's pc is the kernel's FaultIP (frameRegisters[0]); then NextIP := FaultIP.
      const pc = k.reg("pc");
      inv.values.forEach((v, i) => {
        if (i === pc) tcb.restartPc = v;
        else tcb.context[i] = v;
      });
      k.setReg(tcb, "pc", tcb.restartPc);
      if (inv.resume) restart(k, tcb);
      break;
    }
  }
}

/** Stops a thread; a running one will resume where it is (seL4 src/kernel/thread.c suspend). */
function suspend(k: Kernel, tcb: TCB): void {
  cancelIPC(k, tcb);
  if (tcb.state === "Running") tcb.restartPc = k.getReg(tcb, "pc"); // updateRestartPC
  k.dequeue(tcb);
  k.setThreadState(tcb, "Inactive");
}

/**
 * Resumes a stopped thread, Inactive or blocked: its IPC is cancelled and it restarts at its
 * restart pc, re-executing an interrupted syscall (seL4 src/kernel/thread.c restart, isStopped).
 */
function restart(k: Kernel, tcb: TCB): void {
  if (tcb.runnable) return;
  cancelIPC(k, tcb);
  k.setThreadState(tcb, "Restart");
  k.possibleSwitchTo(tcb);
}
