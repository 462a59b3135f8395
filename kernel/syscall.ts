// Kernel entry for a syscall (seL4 src/api/syscall.c handleSyscall, handleInvocation, handleRecv).
import type { Arch } from "./abi.js";
import type { Cap, CapType } from "./cap.js";
import { errorReply } from "./errors.js";
import { decodeInvocation, performInvocation, type InvocationContext } from "./invocation.js";
import { handleFault, receiveIPC, receiveSignal, replyFromKernel } from "./ipc.js";
import type { Kernel } from "./kernel.js";
import { lookupExtraCaps } from "./cap-transfer.js";
import { fastInvocation, fastRecv } from "./fastpath.js";
import { decodeMessageInfo } from "./message-info.js";
import { resolveAddressBits, slotCap, type LookupFault, type Slot } from "./objects/cnode.js";
import type { TCB } from "./objects/tcb.js";
import type { ArchCapType } from "./objects/untyped.js";

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
  const abi = k.abi;
  thread.restartPc = trapPc;
  const number = BigInt.asIntN(64, k.getReg(thread, abi.syscallRegister));
  const name = syscallName(k, number);
  const r = abi.roles;
  switch (name) {
    case "seL4_SysSend":
      return void handleInvocation(k, thread, false, true, false, false, k.getReg(thread, r.cap));
    case "seL4_SysNBSend":
      return void handleInvocation(k, thread, false, false, false, false, k.getReg(thread, r.cap));
    case "seL4_SysCall":
      return void handleInvocation(k, thread, true, true, true, false, k.getReg(thread, r.cap));
    case "seL4_SysRecv":
      return handleRecv(k, thread, true, true);
    case "seL4_SysNBRecv":
      return handleRecv(k, thread, false, true);
    case "seL4_SysWait":
      return handleRecv(k, thread, true, false);
    case "seL4_SysNBWait":
      return handleRecv(k, thread, false, false);
    case "seL4_SysReplyRecv":
      handleInvocation(k, thread, false, false, true, true, k.getReg(thread, r.reply));
      return handleRecv(k, thread, true, true);
    case "seL4_SysNBSendRecv":
      handleInvocation(k, thread, false, false, true, true, k.getReg(thread, r.nbSendRecvDest));
      return handleRecv(k, thread, true, true);
    case "seL4_SysNBSendWait":
      handleInvocation(k, thread, false, false, true, true, k.getReg(thread, r.reply));
      return handleRecv(k, thread, true, false);
    case "seL4_SysYield":
      k.yieldCurrent();
      return;
    case "seL4_SysDebugPutChar":
      k.host.putChar(Number(k.getReg(thread, r.cap) & 0xffn));
      return;
    case "seL4_SysDebugHalt":
      k.host.halt();
      return;
    case "seL4_SysDebugSnapshot":
      return;
    case "seL4_SysDebugCapIdentify":
      return debugCapIdentify(k, thread);
    case "seL4_SysDebugNameThread":
      return debugNameThread(k, thread);
    case "seL4_SysDebugDumpScheduler":
      k.host.debugPrint(`scheduler: current thread "${thread.name}" (priority ${thread.priority})`);
      return;
    default:
      handleFault(k, thread, { type: "UnknownSyscall", number: BigInt.asUintN(64, number) });
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
function handleInvocation(k: Kernel, thread: TCB, isCall: boolean, isBlocking: boolean, canDonate: boolean, firstPhase: boolean, cptr: bigint): void {
  if (k.fastpath && fastInvocation(k, thread, isCall, isBlocking, canDonate, cptr)) return;
  const info = decodeMessageInfo(k.abi, k.getReg(thread, k.abi.roles.info));
  const found = lookupCapAndSlot(thread, cptr);
  if (!found.ok) {
    // The faulting section: only a blocking send raises a cap fault.
    if (isBlocking) handleFault(k, thread, { type: "CapFault", address: cptr, inReceivePhase: false, lookup: found.fault });
    return;
  }
  const buffer = k.ipcBuffer(thread, false);
  const extra = lookupExtraCaps(k, thread, buffer, info.extraCaps);
  if (!extra.ok) {
    // Still the faulting section: an extra cap that does not resolve is a cap fault on its cptr.
    if (isBlocking) handleFault(k, thread, { type: "CapFault", address: extra.cptr, inReceivePhase: false, lookup: extra.fault });
    return;
  }
  const length = Math.min(info.length, buffer !== undefined ? k.abi.ipcBuffer.msgMaxLength : k.abi.roles.mrs.length);
  const ctx: InvocationContext = { thread, label: info.label, length, isBlocking, isCall, canDonate, firstPhase, extraCaps: extra.slots, slot: found.slot };
  const decoded = decodeInvocation(k, ctx, found.cap);
  if (!decoded.ok) {
    if (isCall) {
      const e = errorReply(k.abi, decoded.error);
      replyFromKernel(k, thread, e.label, e.mrs);
    }
    return;
  }
  k.setThreadState(thread, "Restart");
  performInvocation(k, ctx, decoded.invocation);
  if (thread.state === "Restart") {
    if (isCall) replyFromKernel(k, thread, 0n, []);
    k.setThreadState(thread, "Running");
  }
}

function handleRecv(k: Kernel, thread: TCB, isBlocking: boolean, canReply: boolean): void {
  if (k.fastpath && fastRecv(k, thread, isBlocking, canReply)) return;
  const cptr = k.getReg(thread, k.abi.roles.cap);
  const found = lookupCap(thread, cptr);
  if (!found.ok) return handleFault(k, thread, { type: "CapFault", address: cptr, inReceivePhase: true, lookup: found.fault });
  const cap = found.cap;
  if (cap.type === "endpoint" && cap.rights.read) {
    let reply;
    if (canReply) {
      const replyCptr = k.getReg(thread, k.abi.roles.reply);
      const r = lookupCap(thread, replyCptr);
      if (!r.ok || r.cap.type !== "reply") {
        return handleFault(k, thread, { type: "CapFault", address: replyCptr, inReceivePhase: true, lookup: r.ok ? MISSING : r.fault });
      }
      reply = r.cap.object;
    }
    return receiveIPC(k, thread, cap.object, isBlocking, reply);
  }
  if (cap.type === "notification" && cap.rights.read) {
    const bound = cap.object.boundTCB;
    if (bound === undefined || bound === thread) return receiveSignal(k, thread, cap.object, isBlocking);
  }
  handleFault(k, thread, { type: "CapFault", address: cptr, inReceivePhase: true, lookup: MISSING });
}

function debugNameThread(k: Kernel, thread: TCB): void {
  const found = lookupCap(thread, k.getReg(thread, k.abi.roles.cap));
  const buffer = k.ipcBuffer(thread, false);
  if (!found.ok || found.cap.type !== "tcb" || buffer === undefined) {
    k.host.debugPrint(`DebugNameThread: "${thread.name}" named no TCB or has no IPC buffer`);
    return;
  }
  const msg = k.abi.ipcBuffer.fields["msg"]!;
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + msg.offset, msg.size);
  const end = bytes.indexOf(0);
  found.cap.object.name = new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
}

/**
 * The capType tag of each cap (seL4 include/arch/arm/arch/64/mode/object/structures.bf and
 * include/arch/riscv/arch/64/mode/object/structures.bf, `tagged_union cap capType`). The VSpace root
 * is a vspace_cap on AArch64 and a page_table_cap on RISC-V.
 */
const CAP_TYPE_TAGS: Readonly<Record<Arch, Readonly<Record<Exclude<CapType, "arch_object" | "vcpu">, bigint>>>> = {
  aarch64: { null: 0n, untyped: 2n, endpoint: 4n, notification: 6n, reply: 8n, cnode: 10n, tcb: 12n, irq_handler: 16n, sched_context: 22n, sched_control: 24n, vspace: 9n },
  riscv64: { null: 0n, untyped: 2n, endpoint: 4n, notification: 6n, reply: 8n, cnode: 10n, tcb: 12n, irq_handler: 16n, sched_context: 22n, sched_control: 24n, vspace: 3n },
};

/** The same tags for the architecture objects Retype makes (a RISC-V VSpace is a page table). */
const ARCH_CAP_TYPE_TAGS: Readonly<Record<ArchCapType, bigint>> = { frame: 1n, page_table: 3n, vspace: 9n, vcpu: 15n };

/** The cap register := the type tag of the cap it names; a failed lookup names the null cap (handleUnknownSyscall). */
function debugCapIdentify(k: Kernel, thread: TCB): void {
  const found = lookupCap(thread, k.getReg(thread, k.abi.roles.cap));
  const cap: Cap = found.ok ? found.cap : { type: "null" };
  k.setReg(thread, k.abi.roles.cap, cap.type === "arch_object" ? ARCH_CAP_TYPE_TAGS[cap.object.capType] : cap.type === "vcpu" ? ARCH_CAP_TYPE_TAGS.vcpu : CAP_TYPE_TAGS[k.abi.arch][cap.type]);
}

/** Prepares the chosen thread to run: a Restart thread re-executes from its restart pc (activateThread). */
export function activateThread(k: Kernel, thread: TCB): void {
  if (thread.state === "Restart") {
    k.setReg(thread, "pc", thread.restartPc);
    thread.state = "Running";
  }
}
