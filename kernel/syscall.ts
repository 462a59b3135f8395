// Kernel entry for a syscall (seL4 src/api/syscall.c handleSyscall, handleInvocation, handleRecv).
import { capTypeTag, NULL_CAP, type Cap } from "./cap.js";
import { errorReply, type SyscallError } from "./errors.js";
import { actor, type SyscallResult } from "./events.js";
import type { Fault } from "./faults.js";
import { decodeInvocation, performInvocation, type InvocationContext } from "./invocation.js";
import { handleFault, receiveIPC, receiveSignal, replyFromKernel } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { lookupExtraCaps } from "./cap-transfer.js";
import { debugSnapshot } from "./capdl-snapshot.js";
import { fastInvocation, fastRecv } from "./fastpath.js";
import { decodeMessageInfo } from "./message-info.js";
import { resolveAddressBits, slotCap, type LookupFault, type Slot } from "./objects/cnode.js";
import type { TCB } from "./objects/tcb.js";
import { labelName } from "./objects/tcb-invocation.js";
import { describeError, userError } from "./user-error.js";
import { dumpScheduler } from "./debug-scheduler.js";

const WORD_BITS = 64;

type Lookup = { readonly ok: true; readonly cap: Cap } | { readonly ok: false; readonly fault: LookupFault };

/** lookupCap: the cap a thread names by cptr in its own CSpace (a null cap if the slot is empty). */
export function lookupCap(thread: TCB, cptr: bigint): Lookup {
  const r = lookupCapAndSlot(thread, cptr);
  return r.ok ? { ok: true, cap: r.cap } : r;
}

/** lookupCapAndSlot: the cap and the slot that holds it. */
export function lookupCapAndSlot(thread: TCB, cptr: bigint): { readonly ok: true; readonly cap: Cap; readonly slot: Slot } | { readonly ok: false; readonly fault: LookupFault } {
  const r = resolveAddressBits(thread.cspaceRoot, cptr, WORD_BITS);
  return r.ok ? { ok: true, cap: slotCap(r.slot), slot: r.slot } : r;
}

const MISSING: LookupFault = { type: "MissingCapability", bitsLeft: 0 };

/**
 * Handles the syscall `thread` trapped with. Its context holds the registers at the trap, pc
 * already past the trap instruction at `trapPc`. The caller then asks k.schedule() who runs next.
 */
export function handleSyscall(k: Kernel, thread: TCB, trapPc: bigint): void {
  const events = k.events;
  if (events === undefined) return void dispatchSyscall(k, thread, trapPc);
  const number = BigInt.asIntN(64, k.getReg(thread, k.abi.syscallRegister));
  const syscall = syscallName(k, number) ?? "unknown";
  const who = actor(thread);
  events.emit({ type: "syscall", ...who, syscall, number: Number(number), cap: k.getReg(thread, k.abi.roles.cap), pc: trapPc });
  const outcome = dispatchSyscall(k, thread, trapPc);
  const result = typeof outcome === "string" ? { result: outcome } : { result: "error" as const, error: outcome.type };
  events.emit({ type: "syscall_result", ...who, syscall, ...result, state: thread.state });
}

/** How a syscall ended: done, a fault raised, an invocation dropped unseen, or the error of its decode. */
type Outcome = Exclude<SyscallResult, "error"> | SyscallError;

/** The second phase's outcome unless it went well, then the first's (ReplyRecv and the like). */
const both = (first: Outcome, second: Outcome): Outcome => (second === "ok" ? first : second);

function dispatchSyscall(k: Kernel, thread: TCB, trapPc: bigint): Outcome {
  const abi = k.abi;
  thread.restartPc = trapPc;
  const number = BigInt.asIntN(64, k.getReg(thread, abi.syscallRegister));
  const name = syscallName(k, number);
  const r = abi.roles;
  switch (name) {
    case "seL4_SysSend":
      return handleInvocation(k, thread, false, true, false, false, k.getReg(thread, r.cap));
    case "seL4_SysNBSend":
      return handleInvocation(k, thread, false, false, false, false, k.getReg(thread, r.cap));
    case "seL4_SysCall":
      return handleInvocation(k, thread, true, true, true, false, k.getReg(thread, r.cap));
    case "seL4_SysRecv":
      return handleRecv(k, thread, true, true);
    case "seL4_SysNBRecv":
      return handleRecv(k, thread, false, true);
    case "seL4_SysWait":
      return handleRecv(k, thread, true, false);
    case "seL4_SysNBWait":
      return handleRecv(k, thread, false, false);
    case "seL4_SysReplyRecv":
      return both(handleInvocation(k, thread, false, false, true, true, k.getReg(thread, r.reply)), handleRecv(k, thread, true, true));
    case "seL4_SysNBSendRecv":
      return both(handleInvocation(k, thread, false, false, true, true, k.getReg(thread, r.nbSendRecvDest)), handleRecv(k, thread, true, true));
    case "seL4_SysNBSendWait":
      return both(handleInvocation(k, thread, false, false, true, true, k.getReg(thread, r.reply)), handleRecv(k, thread, true, false));
    case "seL4_SysYield":
      k.yieldCurrent();
      return "ok";
    case "seL4_SysDebugPutChar":
      k.host.putChar(Number(k.getReg(thread, r.cap) & 0xffn));
      return "ok";
    case "seL4_SysDebugHalt":
      k.host.halt();
      return "ok";
    case "seL4_SysDebugSnapshot":
      debugSnapshot(k, thread);
      return "ok";
    case "seL4_SysDebugCapIdentify":
      debugCapIdentify(k, thread);
      return "ok";
    case "seL4_SysDebugNameThread":
      debugNameThread(k, thread);
      return "ok";
    case "seL4_SysDebugDumpScheduler":
      for (const line of dumpScheduler(k)) k.host.debugPrint(line);
      return "ok";
    default:
      handleFault(k, thread, { type: "UnknownSyscall", number: BigInt.asUintN(64, number) });
      return "fault";
  }
}

const names = new WeakMap<object, Map<number, string>>();

function syscallName(k: Kernel, number: bigint): string | undefined {
  let map = names.get(k.abi);
  if (map === undefined) {
    map = new Map(Object.entries(k.abi.syscalls).map(([name, n]) => [n, name]));
    names.set(k.abi, map);
  }
  // Syscall numbers are small negative integers: a number key hashes faster than a bigint one.
  return number >= -0x8000_0000n && number <= 0x7fff_ffffn ? map.get(Number(number)) : undefined;
}

/** handleInvocation: look up the cap, decode, then perform or reply with the error. */
function handleInvocation(k: Kernel, thread: TCB, isCall: boolean, isBlocking: boolean, canDonate: boolean, firstPhase: boolean, cptr: bigint): Outcome {
  if (k.fastpath && k.events === undefined && fastInvocation(k, thread, isCall, isBlocking, canDonate, cptr)) return "ok";
  const info = decodeMessageInfo(k.abi, k.getReg(thread, k.abi.roles.info));
  const found = lookupCapAndSlot(thread, cptr);
  if (!found.ok) {
    // The faulting section: only a blocking send raises a cap fault.
    if (!isBlocking) return "dropped";
    handleFault(k, thread, { type: "CapFault", address: cptr, inReceivePhase: false, lookup: found.fault });
    return "fault";
  }
  const buffer = k.ipcBuffer(thread, false);
  const extra = lookupExtraCaps(k, thread, buffer, info.extraCaps);
  if (!extra.ok) {
    // Still the faulting section: an extra cap that does not resolve is a cap fault on its cptr.
    if (!isBlocking) return "dropped";
    handleFault(k, thread, { type: "CapFault", address: extra.cptr, inReceivePhase: false, lookup: extra.fault });
    return "fault";
  }
  const length = Math.min(info.length, buffer !== undefined ? k.abi.ipcBuffer.msgMaxLength : k.abi.roles.mrs.length);
  const ctx: InvocationContext = { thread, label: info.label, length, isBlocking, isCall, canDonate, firstPhase, extraCaps: extra.slots, slot: found.slot };
  k.events?.emit({ type: "invocation", ...actor(thread), cptr, object: found.cap.type, label: info.label, ...invocationMethod(k, found.cap, info.label) });
  const decoded = decodeInvocation(k, ctx, found.cap);
  if (!decoded.ok) {
    reportRefusal(k, thread, found.cap, info.label, cptr, decoded.error);
    if (isCall) {
      const e = errorReply(k.abi, decoded.error);
      replyFromKernel(k, thread, e.label, e.mrs);
    }
    return decoded.error;
  }
  k.setThreadState(thread, "Restart");
  performInvocation(k, ctx, decoded.invocation);
  if (thread.state === "Restart") {
    if (isCall) replyFromKernel(k, thread, 0n, []);
    k.setThreadState(thread, "Running");
  }
  return "ok";
}

/** The debug kernel's line saying why it refused an invocation (kernel/user-error.ts). */
function reportRefusal(k: Kernel, thread: TCB, cap: Cap, label: bigint, cptr: bigint, error: SyscallError): void {
  if (cap.type === "null") return userError(k, thread, "invocation", `cap ${cptr} is an empty slot (InvalidCapability)`);
  const method = labelName(k, label);
  if (method !== undefined && silentInSeL4(method, error)) return;
  const where = method !== undefined && !IPC_OBJECTS.has(cap.type) ? method : `${cap.type} invocation, label ${label}`;
  userError(k, thread, where, describeError(error, cap.type));
}

/**
 * Refusals seL4's MMU decoders make without a userError (src/arch/arm/64/kernel/vspace.c,
 * src/arch/riscv/kernel/vspace.c), among them the ones loaders meet on purpose: a frame map that
 * finds a page table missing, a page table map where one already is. The other MMU errors of those
 * decoders are mostly silent too, but share their error type with ones that print; they are reported.
 */
function silentInSeL4(method: string, error: SyscallError): boolean {
  switch (method) {
    case "ARMPageTableMap":
    case "ARMPageTableUnmap":
    case "ARMASIDPoolAssign":
      return true;
    case "ARMPageMap":
      return error.type === "seL4_FailedLookup" || error.type === "seL4_AlignmentError";
    case "RISCVPageMap":
      return error.type === "seL4_FailedLookup" && error.lookup.type === "MissingCapability";
    default:
      return false;
  }
}

function handleRecv(k: Kernel, thread: TCB, isBlocking: boolean, canReply: boolean): Outcome {
  if (k.fastpath && k.events === undefined && fastRecv(k, thread, isBlocking, canReply)) return "ok";
  const cptr = k.getReg(thread, k.abi.roles.cap);
  const found = lookupCap(thread, cptr);
  if (!found.ok) return recvFault(k, thread, { type: "CapFault", address: cptr, inReceivePhase: true, lookup: found.fault });
  const cap = found.cap;
  if (cap.type === "endpoint" && cap.rights.read) {
    let reply;
    if (canReply) {
      const replyCptr = k.getReg(thread, k.abi.roles.reply);
      const r = lookupCap(thread, replyCptr);
      if (!r.ok || r.cap.type !== "reply") {
        return recvFault(k, thread, { type: "CapFault", address: replyCptr, inReceivePhase: true, lookup: r.ok ? MISSING : r.fault });
      }
      reply = r.cap.object;
    }
    receiveIPC(k, thread, cap.object, isBlocking, reply);
    return "ok";
  }
  if (cap.type === "notification" && cap.rights.read) {
    const bound = cap.object.boundTCB;
    if (bound === undefined || bound === thread) {
      receiveSignal(k, thread, cap.object, isBlocking);
      return "ok";
    }
  }
  return recvFault(k, thread, { type: "CapFault", address: cptr, inReceivePhase: true, lookup: MISSING });
}

function recvFault(k: Kernel, thread: TCB, fault: Fault): Outcome {
  handleFault(k, thread, fault);
  return "fault";
}

/** Object types whose message label is an invocation label (the others carry the sender's own label). */
const IPC_OBJECTS: ReadonlySet<string> = new Set(["endpoint", "notification", "reply"]);

/** `{ method }`: the invocation label's name, for caps to kernel objects (only while events are on). */
function invocationMethod(k: Kernel, cap: Cap, label: bigint): { method?: string } {
  if (IPC_OBJECTS.has(cap.type)) return {};
  const method = labelName(k, label);
  return method === undefined ? {} : { method };
}

/** DebugNameThread: a debug aid, so seL4 takes a bad call for a misconfigured system and halts. */
function debugNameThread(k: Kernel, thread: TCB): void {
  const found = lookupCap(thread, k.getReg(thread, k.abi.roles.cap));
  if (!found.ok || found.cap.type !== "tcb") return haltOnDebugCall(k, thread, "the cap is not a TCB cap");
  const buffer = k.ipcBuffer(thread, true);
  if (buffer === undefined) return haltOnDebugCall(k, thread, "the calling thread has no IPC buffer");
  const msg = k.abi.ipcBuffer.fields["msg"]!;
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + msg.offset, msg.size);
  const end = bytes.indexOf(0);
  if (end < 0) return haltOnDebugCall(k, thread, "the name does not end within the message registers");
  const tcb = found.cap.object;
  const name = new TextDecoder().decode(bytes.subarray(0, end));
  k.events?.emit({ type: "thread_named", ...actor(tcb), name });
  tcb.name = name;
}

function haltOnDebugCall(k: Kernel, thread: TCB, why: string): void {
  userError(k, thread, "DebugNameThread", `${why}; halting`);
  k.host.halt();
}

/** The cap register := the type tag of the cap it names; a failed lookup names the null cap (handleUnknownSyscall). */
function debugCapIdentify(k: Kernel, thread: TCB): void {
  const found = lookupCap(thread, k.getReg(thread, k.abi.roles.cap));
  k.setReg(thread, k.abi.roles.cap, capTypeTag(found.ok ? found.cap : NULL_CAP));
}

/** Prepares the chosen thread to run: a Restart thread re-executes from its restart pc (activateThread). */
export function activateThread(k: Kernel, thread: TCB): void {
  if (thread.state === "Restart") {
    k.setReg(thread, "pc", thread.restartPc);
    k.setThreadState(thread, "Running");
  }
}
