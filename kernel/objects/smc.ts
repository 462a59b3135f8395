// The ARM SMC cap (seL4 src/arch/arm/object/smc.c, CONFIG_ALLOW_SMC_CALLS): ARMSMCCall hands x0-x7
// to the secure firmware and answers with the x0-x7 it returns. The firmware is the board's, reached
// through KernelHost.smc; the kernel checks the call and moves the words.
import { methodLayout, type ArgumentPlace } from "../abi.js";
import type { SyscallError } from "../errors.js";
import { actor } from "../events.js";
import type { InvocationContext } from "../invocation.js";
import type { Kernel } from "../kernel.js";
import { encodeMessageInfo } from "../message-info.js";
import type { TCB } from "./tcb.js";

export interface SMCInvocation {
  readonly thread: TCB;
  /** x0-x7 of the call; x0 is the function id. */
  readonly args: readonly bigint[];
  readonly call: boolean;
}

type Decoded = { readonly ok: true; readonly invocation: SMCInvocation } | { readonly ok: false; readonly error: SyscallError };

/** SMCCC's answer to a function the firmware does not implement (NOT_SUPPORTED, -1, in x0). */
const NOT_SUPPORTED = (1n << 64n) - 1n;

/** Where the seL4_ARM_SMCContext travels: from MR `mr`, one word per register (marshalling.json). */
function contextPlace(k: Kernel): { readonly mr: number; readonly words: number } {
  const p: ArgumentPlace | undefined = methodLayout(k.abi.arch, "ARMSMCCall").params["smc_args"];
  if (p === undefined || !("words" in p)) throw new Error("marshalling.json: ARMSMCCall.smc_args is not a by-reference struct");
  return p;
}

/**
 * decodeARMSMCInvocation: only ARMSMCCall (else IllegalOperation); the message must carry all eight
 * registers (else TruncatedMessage); a badged cap allows only the function id equal to its badge.
 */
export function decodeSMCInvocation(k: Kernel, ctx: InvocationContext, badge: bigint): Decoded {
  const label = k.abi.labels["ARMSMCCall"];
  if (label === undefined || ctx.label !== BigInt(label)) return { ok: false, error: { type: "seL4_IllegalOperation" } };
  const place = contextPlace(k);
  if (ctx.length < place.mr + place.words) return { ok: false, error: { type: "seL4_TruncatedMessage" } };
  const buffer = k.ipcBuffer(ctx.thread, false);
  const args = Array.from({ length: place.words }, (_, i) => k.getMR(ctx.thread, buffer, place.mr + i));
  if (badge !== 0n && badge !== args[0]) return { ok: false, error: { type: "seL4_IllegalOperation" } };
  return { ok: true, invocation: { thread: ctx.thread, args, call: ctx.isCall } };
}

/**
 * invokeSMCCall: the firmware answers (without a firmware model, as SMCCC answers an unknown
 * function: x0 = NOT_SUPPORTED, the rest unchanged); a Call gets x0-x7 back in its MRs (those past
 * the registers only with an IPC buffer), badge 0, label 0. The thread runs on.
 */
export function performSMCInvocation(k: Kernel, inv: SMCInvocation): void {
  const out = k.host.smc?.(inv.args) ?? [NOT_SUPPORTED, ...inv.args.slice(1)];
  const thread = inv.thread;
  k.events?.emit({ type: "smc", ...actor(thread), function_id: inv.args[0]!, result: out[0] ?? 0n });
  if (inv.call) {
    const buffer = k.ipcBuffer(thread, true);
    k.setReg(thread, k.abi.roles.cap, 0n);
    inv.args.forEach((_, i) => k.setMR(thread, buffer, i, out[i] ?? 0n));
    const length = buffer === undefined ? k.abi.roles.mrs.length : inv.args.length;
    k.setReg(thread, k.abi.roles.info, encodeMessageInfo(k.abi, { label: 0n, capsUnwrapped: 0, extraCaps: 0, length }));
  }
  k.setThreadState(thread, "Running");
}
