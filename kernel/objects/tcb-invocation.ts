// TCB invocations (seL4 src/object/tcb.c decodeTCBInvocation and the invokeTCB_* functions, MCS
// config; src/kernel/thread.c suspend/restart). Argument positions come from marshalling.json, extra
// caps from the invocation's caps_or_badges. Decode checks in seL4's order and mutates nothing.
import { sanitiseRegister, userRegister } from "../user-registers.js";
import { updateCapData, type Cap } from "../cap.js";
import type { SyscallError } from "../errors.js";
import { invocationExtraCaps } from "../extra-caps.js";
import type { InvocationContext } from "../invocation.js";
import { cancelIPC, replyFromKernel } from "../ipc.js";
import type { Kernel } from "../kernel.js";
import { methodLayout, type MethodLayout } from "../abi.js";
import { argMr, capArg, messageArg, threadFacts } from "../marshalling.js";
import { bindNotification, unbindNotification, type Notification } from "./notification.js";
import { refillUnblockCheck, scReleased as sporadicScReleased } from "../sporadic.js";
import { cancelYieldTo, schedContextBindTCB, schedContextResume, schedContextUnbindTCB, type SchedContext } from "./schedcontext.js";
import type { TCB } from "./tcb.js";
import { isValidVTableRoot } from "../vspace.js";

export type TCBInvocation =
  | { readonly kind: "TCBSuspend"; readonly tcb: TCB }
  | { readonly kind: "TCBResume"; readonly tcb: TCB }
  | { readonly kind: "TCBWriteRegisters"; readonly tcb: TCB; readonly resume: boolean; readonly values: readonly bigint[] }
  | { readonly kind: "TCBReadRegisters"; readonly tcb: TCB; readonly caller: TCB; readonly suspendSource: boolean; readonly count: number; readonly call: boolean }
  | {
      readonly kind: "TCBCopyRegisters"; readonly tcb: TCB; readonly source: TCB;
      readonly suspendSource: boolean; readonly resumeTarget: boolean; readonly transferFrame: boolean; readonly transferInteger: boolean;
    }
  /** invokeTCB_ThreadControlSched: each field present is updated, in this order. */
  | {
      readonly kind: "TCBThreadControlSched"; readonly tcb: TCB;
      readonly faultHandler?: Cap; readonly mcp?: number; readonly priority?: number;
      readonly sc?: { readonly to: SchedContext | undefined };
    }
  /** invokeTCB_ThreadControlCaps: each field present is installed. */
  | {
      readonly kind: "TCBThreadControlCaps"; readonly tcb: TCB;
      readonly faultHandler?: Cap; readonly timeoutHandler?: Cap;
      readonly space?: { readonly cspaceRoot: Cap; readonly vspaceRoot: Cap };
      readonly ipcBuffer?: bigint;
    }
  | { readonly kind: "TCBBindNotification"; readonly tcb: TCB; readonly ntfn: Notification }
  | { readonly kind: "TCBUnbindNotification"; readonly tcb: TCB }
  | { readonly kind: "TCBSetTLSBase"; readonly tcb: TCB; readonly value: bigint }
  | { readonly kind: "TCBSetFlags"; readonly tcb: TCB; readonly caller: TCB; readonly clear: bigint; readonly set: bigint; readonly call: boolean };

type Decoded = { readonly ok: true; readonly invocation: TCBInvocation } | { readonly ok: false; readonly error: SyscallError };

const ok = (invocation: TCBInvocation): Decoded => ({ ok: true, invocation });
const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const TRUNCATED: SyscallError = { type: "seL4_TruncatedMessage" };
const ILLEGAL: SyscallError = { type: "seL4_IllegalOperation" };
const invalidCap = (cap: number): SyscallError => ({ type: "seL4_InvalidCapability", cap });

/** What a decoder reads: the message words by MR index and the extra caps (undefined past the last). */
interface Args {
  readonly mr: (i: number) => bigint;
  readonly cap: (i: number) => Cap | undefined;
}

function args(k: Kernel, ctx: InvocationContext): Args {
  const buffer = k.ipcBuffer(ctx.thread, false);
  let caps: readonly Cap[] | undefined;
  return {
    mr: (i) => k.getMR(ctx.thread, buffer, i),
    cap: (i) => (caps ??= invocationExtraCaps(ctx))[i],
  };
}

type Decoder = (k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout) => Decoded;

const DECODERS: Readonly<Record<string, Decoder>> = {
  TCBReadRegisters: decodeReadRegisters,
  TCBWriteRegisters: decodeWriteRegisters,
  TCBCopyRegisters: decodeCopyRegisters,
  TCBSuspend: (_k, _ctx, tcb) => ok({ kind: "TCBSuspend", tcb }),
  TCBResume: (_k, _ctx, tcb) => ok({ kind: "TCBResume", tcb }),
  TCBConfigure: decodeConfigure,
  TCBSetPriority: (k, ctx, tcb, a, m) => decodeSetPrio(k, ctx, tcb, a, m, "priority"),
  TCBSetMCPriority: (k, ctx, tcb, a, m) => decodeSetPrio(k, ctx, tcb, a, m, "mcp"),
  TCBSetSchedParams: decodeSetSchedParams,
  TCBSetTimeoutEndpoint: decodeSetTimeoutEndpoint,
  TCBSetIPCBuffer: decodeSetIPCBuffer,
  TCBSetSpace: decodeSetSpace,
  TCBBindNotification: decodeBindNotification,
  TCBUnbindNotification: (_k, _ctx, tcb) => (tcb.boundNotification === undefined ? fail(ILLEGAL) : ok({ kind: "TCBUnbindNotification", tcb })),
  TCBSetTLSBase: (_k, ctx, tcb, a, m) => (ctx.length < m.msgLength ? fail(TRUNCATED) : ok({ kind: "TCBSetTLSBase", tcb, value: messageArg(m, "tls_base", a.mr) })),
  TCBSetFlags: (_k, ctx, tcb, a, m) =>
    ctx.length < m.msgLength ? fail(TRUNCATED) : ok({ kind: "TCBSetFlags", tcb, caller: ctx.thread, clear: messageArg(m, "clear", a.mr), set: messageArg(m, "set", a.mr), call: ctx.isCall }),
};

export function decodeTCBInvocation(k: Kernel, ctx: InvocationContext, tcb: TCB): Decoded {
  const name = labelName(k, ctx.label);
  const decoder = name === undefined ? undefined : DECODERS[name];
  // Labels we do not model (the debug config's breakpoint methods) answer like an unknown label.
  if (name === undefined || decoder === undefined) return fail(ILLEGAL);
  return decoder(k, ctx, tcb, args(k, ctx), methodLayout(k.abi.arch, name));
}

const labelNames = new WeakMap<object, Map<bigint, string>>();

export function labelName(k: Kernel, label: bigint): string | undefined {
  let map = labelNames.get(k.abi);
  if (map === undefined) {
    map = new Map(Object.entries(k.abi.labels).map(([name, n]) => [BigInt(n), name]));
    labelNames.set(k.abi, map);
  }
  return map.get(label);
}

// --- registers ----------------------------------------------------------------------------------

function decodeReadRegisters(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  if (ctx.length < m.msgLength) return fail(TRUNCATED);
  const n = messageArg(m, "count", a.mr);
  const total = BigInt(k.abi.userContext.length);
  if (n < 1n || n > total) return fail({ type: "seL4_RangeError", min: 1n, max: total });
  if (tcb === ctx.thread) return fail(ILLEGAL);
  return ok({ kind: "TCBReadRegisters", tcb, caller: ctx.thread, suspendSource: messageArg(m, "suspend_source", a.mr) !== 0n, count: Number(n), call: ctx.isCall });
}

function decodeWriteRegisters(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  // The stub always declares the whole context; the kernel only needs the two leading words.
  const first = argMr(m, "regs");
  if (ctx.length < first) return fail(TRUNCATED);
  const w = messageArg(m, "count", a.mr);
  // decodeWriteRegisters: the message must hold all `w` registers it asks to write.
  if (BigInt(ctx.length - first) < w) return fail(TRUNCATED);
  if (tcb === ctx.thread) return fail(ILLEGAL);
  const count = Math.min(Number(w), k.abi.userContext.length);
  const values = Array.from({ length: count }, (_, i) => a.mr(first + i));
  return ok({ kind: "TCBWriteRegisters", tcb, resume: messageArg(m, "resume_target", a.mr) !== 0n, values });
}

function decodeCopyRegisters(_k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const src = a.cap(capArg(m, "source"));
  if (ctx.length < m.msgLength || src === undefined) return fail(TRUNCATED);
  if (src.type !== "tcb") return fail(invalidCap(1));
  const flag = (name: string): boolean => messageArg(m, name, a.mr) !== 0n;
  return ok({
    kind: "TCBCopyRegisters", tcb, source: src.object,
    suspendSource: flag("suspend_source"), resumeTarget: flag("resume_target"),
    transferFrame: flag("transfer_frame"), transferInteger: flag("transfer_integer"),
  });
}

// --- priorities and scheduling context ------------------------------------------------------------

/** checkPrio: nobody may give a priority (or MCP) above the authority's MCP. */
function checkPrio(k: Kernel, prio: bigint, auth: TCB): SyscallError | undefined {
  if (prio > BigInt(auth.mcp)) return { type: "seL4_RangeError", min: BigInt(threadFacts(k.abi).minPrio), max: BigInt(auth.mcp) };
  return undefined;
}

function decodeSetPrio(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout, which: "priority" | "mcp"): Decoded {
  const auth = a.cap(capArg(m, "authority"));
  if (ctx.length < m.msgLength || auth === undefined) return fail(TRUNCATED);
  const value = messageArg(m, which, a.mr);
  if (auth.type !== "tcb") return fail(invalidCap(1));
  const e = checkPrio(k, value, auth.object);
  if (e !== undefined) return fail(e);
  return ok(which === "priority" ? { kind: "TCBThreadControlSched", tcb, priority: Number(value) } : { kind: "TCBThreadControlSched", tcb, mcp: Number(value) });
}

/** validFaultHandler (MCS): no handler, or an endpoint the thread can send to with a grant right. */
function validFaultHandler(cap: Cap): boolean {
  if (cap.type === "null") return true;
  return cap.type === "endpoint" && cap.rights.write && (cap.rights.grant || cap.rights.grantReply);
}

function isBlocked(tcb: TCB): boolean {
  return tcb.state === "BlockedOnReceive" || tcb.state === "BlockedOnSend" || tcb.state === "BlockedOnNotification" || tcb.state === "BlockedOnReply";
}

/** sc_released: active and its head refill ready (include/kernel/sporadic.h). */
export function scReleased(k: Kernel, sc: SchedContext): boolean {
  return sporadicScReleased(k, sc);
}

function decodeSetSchedParams(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const auth = a.cap(capArg(m, "authority"));
  const scCap = a.cap(capArg(m, "sched_context"));
  const fh = a.cap(capArg(m, "fault_ep"));
  if (ctx.length < m.msgLength || auth === undefined || scCap === undefined || fh === undefined) return fail(TRUNCATED);
  const mcp = messageArg(m, "mcp", a.mr);
  const priority = messageArg(m, "priority", a.mr);
  if (auth.type !== "tcb") return fail(invalidCap(1));
  const e = checkPrio(k, mcp, auth.object) ?? checkPrio(k, priority, auth.object);
  if (e !== undefined) return fail(e);
  let sc: SchedContext | undefined;
  switch (scCap.type) {
    case "sched_context":
      sc = scCap.object;
      if (tcb.sc !== sc && (tcb.sc !== undefined || sc.tcb !== undefined)) return fail(ILLEGAL);
      if (isBlocked(tcb) && !scReleased(k, sc)) return fail(ILLEGAL);
      break;
    case "null":
      if (tcb === ctx.thread) return fail(ILLEGAL);
      break;
    default:
      return fail(invalidCap(2));
  }
  if (!validFaultHandler(fh)) return fail(invalidCap(3));
  const base = { kind: "TCBThreadControlSched", tcb, faultHandler: fh, mcp: Number(mcp), priority: Number(priority) } as const;
  return ok(tcb.sc !== sc ? { ...base, sc: { to: sc } } : base);
}

function decodeSetTimeoutEndpoint(_k: Kernel, _ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const th = a.cap(capArg(m, "timeout_fault_ep"));
  if (th === undefined) return fail(TRUNCATED);
  if (!validFaultHandler(th)) return fail(invalidCap(1));
  return ok({ kind: "TCBThreadControlCaps", tcb, timeoutHandler: th });
}

// --- spaces and IPC buffer --------------------------------------------------------------------------

/**
 * checkValidIPCBuffer: the buffer must be a frame cap, not of device memory, and the address
 * aligned to seL4_IPCBufferSizeBits. (The kernel model then reads the buffer through the thread's
 * VSpace at that address, where seL4 reads it through the bound frame.)
 */
function checkValidIPCBuffer(k: Kernel, vptr: bigint, cap: Cap): SyscallError | undefined {
  if (cap.type !== "frame" || cap.object.isDevice) return ILLEGAL;
  if ((vptr & ((1n << BigInt(k.abi.ipcBuffer.sizeBits)) - 1n)) !== 0n) return { type: "seL4_AlignmentError" };
  return undefined;
}

/** The CSpace and VSpace roots of SetSpace / Configure, or the error seL4 gives for them. */
function decodeRoots(k: Kernel, cRoot: Cap, cRootData: bigint, vRoot: Cap): { cspaceRoot: Cap; vspaceRoot: Cap } | SyscallError {
  const cspaceRoot = cRootData !== 0n ? updateCapData(k.abi, false, cRootData, cRoot) : cRoot;
  if (cspaceRoot.type !== "cnode") return ILLEGAL;
  if (!isValidVTableRoot(k, vRoot)) return ILLEGAL;
  return { cspaceRoot, vspaceRoot: vRoot };
}

function decodeConfigure(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const cRoot = a.cap(capArg(m, "cspace_root"));
  const vRoot = a.cap(capArg(m, "vspace_root"));
  const bufferCap = a.cap(capArg(m, "bufferFrame"));
  if (ctx.length < m.msgLength || cRoot === undefined || vRoot === undefined || bufferCap === undefined) return fail(TRUNCATED);
  const buffer = messageArg(m, "buffer", a.mr);
  if (buffer !== 0n) {
    const e = checkValidIPCBuffer(k, buffer, bufferCap);
    if (e !== undefined) return fail(e);
  }
  const roots = decodeRoots(k, cRoot, messageArg(m, "cspace_root_data", a.mr), vRoot);
  if ("type" in roots) return fail(roots);
  return ok({ kind: "TCBThreadControlCaps", tcb, space: roots, ipcBuffer: buffer });
}

function decodeSetIPCBuffer(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const bufferCap = a.cap(capArg(m, "bufferFrame"));
  if (ctx.length < m.msgLength || bufferCap === undefined) return fail(TRUNCATED);
  const buffer = messageArg(m, "buffer", a.mr);
  if (buffer !== 0n) {
    const e = checkValidIPCBuffer(k, buffer, bufferCap);
    if (e !== undefined) return fail(e);
  }
  return ok({ kind: "TCBThreadControlCaps", tcb, ipcBuffer: buffer });
}

function decodeSetSpace(k: Kernel, ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const fh = a.cap(capArg(m, "fault_ep"));
  const cRoot = a.cap(capArg(m, "cspace_root"));
  const vRoot = a.cap(capArg(m, "vspace_root"));
  if (ctx.length < m.msgLength || fh === undefined || cRoot === undefined || vRoot === undefined) return fail(TRUNCATED);
  const roots = decodeRoots(k, cRoot, messageArg(m, "cspace_root_data", a.mr), vRoot);
  if ("type" in roots) return fail(roots);
  if (!validFaultHandler(fh)) return fail(invalidCap(1));
  return ok({ kind: "TCBThreadControlCaps", tcb, faultHandler: fh, space: roots });
}

// --- notifications ----------------------------------------------------------------------------------

function decodeBindNotification(_k: Kernel, _ctx: InvocationContext, tcb: TCB, a: Args, m: MethodLayout): Decoded {
  const cap = a.cap(capArg(m, "notification"));
  if (cap === undefined) return fail(TRUNCATED);
  if (tcb.boundNotification !== undefined) return fail(ILLEGAL);
  if (cap.type !== "notification" || !cap.rights.read) return fail(ILLEGAL);
  const ntfn = cap.object;
  if (ntfn.queue.length > 0 || ntfn.boundTCB !== undefined) return fail(ILLEGAL);
  return ok({ kind: "TCBBindNotification", tcb, ntfn });
}

// --- perform ----------------------------------------------------------------------------------------

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
        else tcb.context[i] = sanitiseRegister(k, tcb, i, v);
      });
      k.setReg(tcb, "pc", tcb.restartPc);
      if (inv.resume) restart(k, tcb);
      if (tcb === k.current) k.rescheduleRequired();
      break;
    }
    case "TCBReadRegisters":
      if (inv.suspendSource) suspend(k, tcb);
      if (inv.call) replyFromKernel(k, inv.caller, 0n, userContext(k, tcb).slice(0, inv.count));
      k.setThreadState(inv.caller, "Running");
      break;
    case "TCBCopyRegisters":
      copyRegisters(k, inv.source, tcb, inv);
      break;
    case "TCBThreadControlSched":
      if (inv.faultHandler !== undefined) tcb.faultHandler = inv.faultHandler;
      if (inv.mcp !== undefined) tcb.mcp = inv.mcp;
      if (inv.priority !== undefined) k.setPriority(tcb, inv.priority);
      if (inv.sc !== undefined) {
        if (inv.sc.to !== undefined) schedContextBindTCB(k, inv.sc.to, tcb);
        else if (tcb.sc !== undefined) schedContextUnbindTCB(k, tcb.sc);
      }
      break;
    case "TCBThreadControlCaps":
      if (inv.faultHandler !== undefined) tcb.faultHandler = inv.faultHandler;
      if (inv.timeoutHandler !== undefined) tcb.timeoutHandler = inv.timeoutHandler;
      if (inv.space !== undefined) {
        tcb.cspaceRoot = inv.space.cspaceRoot;
        tcb.vspaceRoot = inv.space.vspaceRoot;
      }
      if (inv.ipcBuffer !== undefined) {
        tcb.ipcBuffer = inv.ipcBuffer;
        if (tcb === k.current) k.rescheduleRequired();
      }
      break;
    case "TCBBindNotification":
      bindNotification(tcb, inv.ntfn);
      break;
    case "TCBUnbindNotification":
      unbindNotification(tcb);
      break;
    case "TCBSetTLSBase":
      k.setReg(tcb, threadFacts(k.abi).tlsRegister, inv.value);
      if (tcb === k.current) k.rescheduleRequired();
      break;
    case "TCBSetFlags": {
      // invokeSetFlags: clear, then set within seL4_TCBFlag_MASK; the reply carries the new flags.
      const mask = threadFacts(k.abi).tcbFlagMask;
      tcb.flags = (tcb.flags & ~inv.clear) | (inv.set & mask);
      if (inv.call) replyFromKernel(k, inv.caller, 0n, [tcb.flags]);
      k.setThreadState(inv.caller, "Running");
      break;
    }
  }
}

/**
 * FaultIP, the user context's pc: where a thread stopped in the kernel restarts. A Running thread
 * that is not in a syscall was last stopped by a preemption, at its current pc. (seL4 also records
 * FaultIP = the trap for a thread preempted on its way out of a syscall; the model does not know
 * which entry stopped a Running thread last and reports its current pc.)
 */
function faultIP(k: Kernel, tcb: TCB): bigint {
  return tcb.state === "Running" ? k.getReg(tcb, "pc") : tcb.restartPc;
}

/** The registers in seL4_UserContext order, pc being FaultIP. */
function userContext(k: Kernel, tcb: TCB): bigint[] {
  const values = Array.from(tcb.context, (_, i) => userRegister(k, tcb, i));
  values[k.reg("pc")] = faultIP(k, tcb);
  return values;
}

/** invokeTCB_CopyRegisters: frame registers (FaultIP first), then the general-purpose ones. */
function copyRegisters(k: Kernel, src: TCB, dest: TCB, o: { suspendSource: boolean; resumeTarget: boolean; transferFrame: boolean; transferInteger: boolean }): void {
  if (o.suspendSource) suspend(k, src);
  if (o.resumeTarget) restart(k, dest);
  const frame = threadFacts(k.abi).frameRegisters;
  const values = userContext(k, src);
  const pc = k.reg("pc");
  if (o.transferFrame) {
    for (let i = 0; i < frame; i++) {
      if (i === pc) dest.restartPc = values[i]!;
      else dest.context[i] = sanitiseRegister(k, dest, i, values[i]!);
    }
    k.setReg(dest, "pc", dest.restartPc); // setNextPC(dest, getRestartPC(dest))
  }
  if (o.transferInteger) for (let i = frame; i < values.length; i++) dest.context[i] = values[i]!;
  if (dest === k.current) k.rescheduleRequired();
}

/** Stops a thread; a running one will resume where it is (seL4 src/kernel/thread.c suspend). */
export function suspend(k: Kernel, tcb: TCB): void {
  cancelIPC(k, tcb);
  if (tcb.state === "Running") tcb.restartPc = k.getReg(tcb, "pc"); // updateRestartPC
  k.dequeue(tcb);
  k.releaseRemove(tcb);
  cancelYieldTo(tcb);
  k.setThreadState(tcb, "Inactive");
}

/**
 * Resumes a stopped thread, Inactive or blocked: its IPC is cancelled and it restarts at its
 * restart pc, re-executing an interrupted syscall (seL4 src/kernel/thread.c restart, isStopped).
 */
export function restart(k: Kernel, tcb: TCB): void {
  if (tcb.runnable) return;
  cancelIPC(k, tcb);
  k.setThreadState(tcb, "Restart");
  const sc = tcb.sc;
  if (sc !== undefined && sc.sporadic && sc !== k.curSC) refillUnblockCheck(k, sc);
  schedContextResume(k, sc);
  if (k.isSchedulable(tcb)) k.possibleSwitchTo(tcb);
}
