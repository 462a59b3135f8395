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
    const count = Math.min(Number(k.getMR(ctx.thread, buffer, 1)), k.abi.userContext.length, ctx.length - 2);
    if (tcb === ctx.thread) return { ok: false, error: { type: "seL4_IllegalOperation" } };
    const values = Array.from({ length: count }, (_, i) => k.getMR(ctx.thread, buffer, 2 + i));
    return { ok: true, invocation: { kind: "TCBWriteRegisters", tcb, resume: (flags & 1n) !== 0n, values } };
  }
  return { ok: false, error: { type: "seL4_IllegalOperation" } };
}

export function performTCBInvocation(k: Kernel, inv: TCBInvocation): void {
  const tcb = inv.tcb;
  switch (inv.kind) {
    case "TCBSuspend":
      cancelIPC(k, tcb);
      k.setThreadState(tcb, "Inactive");
      k.dequeue(tcb);
      break;
    case "TCBResume":
      if (tcb.state === "Inactive") {
        cancelIPC(k, tcb);
        k.makeRunnable(tcb);
      }
      break;
    case "TCBWriteRegisters":
      inv.values.forEach((v, i) => { tcb.context[i] = v; });
      tcb.restartPc = k.getReg(tcb, "pc");
      if (inv.resume && tcb.state === "Inactive") {
        cancelIPC(k, tcb);
        k.makeRunnable(tcb);
      }
      break;
  }
}
