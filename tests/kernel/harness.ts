// Drives the kernel model the way the CPU loop in emulator/machine.ts does: a thread's registers are
// put in its TCB context, the thread traps, handleSyscall runs, schedule() picks the next thread.
// Expected values in tests come from the ABI JSON read here directly (not through kernel/abi.ts),
// so a wrong loader or a wrong kernel cannot produce its own expectations.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { abiDir, kernelAbi, type Arch, type KernelAbi } from "../../kernel/abi.js";
import { ALL_RIGHTS, type Cap, type CapRights } from "../../kernel/cap.js";
import { Kernel, type KernelHost } from "../../kernel/kernel.js";
import { CNode } from "../../kernel/objects/cnode.js";
import { Endpoint } from "../../kernel/objects/endpoint.js";
import { Notification } from "../../kernel/objects/notification.js";
import { Reply } from "../../kernel/objects/reply.js";
import { SchedContext } from "../../kernel/objects/schedcontext.js";
import { TCB, type UserMemory } from "../../kernel/objects/tcb.js";
import { activateThread, handleSyscall } from "../../kernel/syscall.js";
import { ASIDPool, PageTable, assignASID, rootCap, type VSpaceBackend } from "../../kernel/vspace.js";

export const ARCHES: readonly Arch[] = ["aarch64", "riscv64"];

// --- the ABI JSON, read raw -------------------------------------------------------------------

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const rawCache = new Map<string, Json>();

/** One file of ../shared/abi, parsed (aarch64.json, riscv64.json, microkit.json). */
export function abiJson(file: string): Json {
  let v = rawCache.get(file);
  if (v === undefined) {
    v = JSON.parse(readFileSync(join(abiDir, file), "utf8")) as Json;
    rawCache.set(file, v);
  }
  return v;
}

export const archJson = (arch: Arch): Json => abiJson(`${arch}.json`);
export const microkitJson = (): Json => abiJson("microkit.json");

/** seL4_Sys* number (debug config). */
export function syscallNumber(arch: Arch, name: string): bigint {
  const n = archJson(arch)["syscalls"][name] as number | undefined;
  if (n === undefined) throw new Error(`no syscall ${name} on ${arch}`);
  return BigInt(n);
}

export function errorNumber(arch: Arch, name: string): bigint {
  const n = archJson(arch)["errors"][name] as number | undefined;
  if (n === undefined) throw new Error(`no error ${name} on ${arch}`);
  return BigInt(n);
}

export function invocationLabel(arch: Arch, name: string): bigint {
  const n = archJson(arch)["invocation_labels"]["labels"][name] as number | undefined;
  if (n === undefined) throw new Error(`no invocation label ${name} on ${arch}`);
  return BigInt(n);
}

export function faultType(arch: Arch, name: string): { label: bigint; length: number; mrs: Record<string, string> } {
  const f = archJson(arch)["faults"]["types"][name] as Json | undefined;
  if (f === undefined) throw new Error(`no fault ${name} on ${arch}`);
  return { label: BigInt(f["label"]), length: f["length"], mrs: f["mrs"] };
}

export function lookupFailureType(arch: Arch, name: string): bigint {
  return BigInt(archJson(arch)["faults"]["lookup_failure_types"][name] as number);
}

export interface MsgInfo {
  readonly label?: bigint;
  readonly length?: number;
  readonly extraCaps?: number;
  readonly capsUnwrapped?: number;
}

/** seL4_MessageInfo_new from the field table of <arch>.json message_info. */
export function msgInfo(arch: Arch, m: MsgInfo): bigint {
  const f = archJson(arch)["message_info"]["fields"] as Record<string, { offset: number; width: number }>;
  const put = (name: string, v: bigint): bigint => {
    const field = f[name]!;
    if (v >= 1n << BigInt(field.width)) throw new Error(`${name} ${v} does not fit ${field.width} bits`);
    return v << BigInt(field.offset);
  };
  return put("label", m.label ?? 0n) | put("length", BigInt(m.length ?? 0)) | put("extraCaps", BigInt(m.extraCaps ?? 0)) | put("capsUnwrapped", BigInt(m.capsUnwrapped ?? 0));
}

/** Byte offset of message word i in the IPC buffer (ipc_buffer.fields.msg). */
export function msgOffset(arch: Arch, i: number): number {
  return (archJson(arch)["ipc_buffer"]["fields"]["msg"]["offset"] as number) + 8 * i;
}

export const msgMaxLength = (arch: Arch): number => archJson(arch)["ipc_buffer"]["seL4_MsgMaxLength"] as number;

/** Microkit's fixed cap slots (microkit.json cspace.slots). */
export function slot(name: string): bigint {
  const s = microkitJson()["cspace"]["slots"][name] as Json | undefined;
  if (s === undefined) throw new Error(`no Microkit slot ${name}`);
  return BigInt(s["slot"] as number);
}

// --- host and memory --------------------------------------------------------------------------

export class RecordingHost implements KernelHost {
  readonly chars: number[] = [];
  readonly lines: string[] = [];
  readonly acks: number[] = [];
  halts = 0;
  /** The machine's address spaces, when a test watches what the kernel tells them. */
  vspace: VSpaceBackend | undefined;
  /** The secure firmware, if a test gives the kernel one. */
  smc?: NonNullable<KernelHost["smc"]>;
  putChar(byte: number): void {
    this.chars.push(byte);
  }
  debugPrint(line: string): void {
    this.lines.push(line);
  }
  ackIrq(irq: number): void {
    this.acks.push(irq);
  }
  /** enableIrq / disableIrq calls, as "enable <irq> <trigger>" and "disable <irq>". */
  readonly irqStates: string[] = [];
  enableIrq(irq: number, trigger: "level" | "edge" | undefined): void {
    this.irqStates.push(`enable ${irq} ${trigger ?? "unchanged"}`);
  }
  disableIrq(irq: number): void {
    this.irqStates.push(`disable ${irq}`);
  }
  halt(): void {
    this.halts++;
  }
}

interface Region {
  readonly base: bigint;
  readonly bytes: Uint8Array;
  readonly writable: boolean;
}

/** A thread's address space: a few regions, each backed by its own ArrayBuffer. */
export class FakeMemory implements UserMemory {
  private readonly regions: Region[] = [];

  map(base: bigint, size: number, writable: boolean): Uint8Array {
    const bytes = new Uint8Array(new ArrayBuffer(size));
    this.regions.push({ base, bytes, writable });
    return bytes;
  }

  bytes(va: bigint, length: number, write: boolean): Uint8Array | undefined {
    for (const r of this.regions) {
      const start = va - r.base;
      if (start < 0n || start + BigInt(length) > BigInt(r.bytes.length)) continue;
      if (write && !r.writable) return undefined;
      return r.bytes.subarray(Number(start), Number(start) + length);
    }
    return undefined;
  }
}

// --- caps -------------------------------------------------------------------------------------

export function rights(r: Partial<CapRights>): CapRights {
  return { write: r.write ?? false, read: r.read ?? false, grant: r.grant ?? false, grantReply: r.grantReply ?? false };
}

export const endpointCap = (object: Endpoint, badge = 0n, r: CapRights = ALL_RIGHTS): Cap => ({ type: "endpoint", object, badge, rights: r });
export const notificationCap = (object: Notification, badge = 0n, r: CapRights = ALL_RIGHTS): Cap => ({ type: "notification", object, badge, rights: r });
export const replyCap = (object: Reply): Cap => ({ type: "reply", object, canGrant: true });

// --- threads ----------------------------------------------------------------------------------

export interface Pd {
  readonly tcb: TCB;
  /** The 512-slot CNode: cptr N < 512 names slot N. */
  readonly cnode: CNode;
  /** The 64-slot root CNode of the TCB's CSpace. */
  readonly root: CNode;
  readonly memory: FakeMemory;
  /** The IPC buffer page, if mapped. */
  readonly ipc: Uint8Array | undefined;
  readonly sc: SchedContext | undefined;
  /** The PD's reply object, in slot REPLY_CAP. */
  readonly reply: Reply;
}

export interface ThreadOptions {
  readonly priority?: number;
  /** A scheduling context of its own (default true); false makes a passive thread. */
  readonly sc?: boolean;
  /** How the IPC buffer is mapped (default read-write). */
  readonly ipcBuffer?: "rw" | "ro" | "none";
}

export interface Regs {
  readonly cap?: bigint;
  readonly info?: bigint;
  readonly mrs?: readonly bigint[];
  readonly reply?: bigint;
  readonly nbSendRecvDest?: bigint;
}

/** A kernel plus threads laid out like Microkit PDs, on one architecture. */
export class Sim {
  readonly abi: KernelAbi;
  readonly host = new RecordingHost();
  readonly k: Kernel;
  private nextPc = 0x200000n;

  /** `platform`: the kernel's maxIRQ and its own IRQ lines (default: the reference board's). */
  constructor(readonly arch: Arch, platform?: ConstructorParameters<typeof Kernel>[2]) {
    this.abi = kernelAbi(arch, "debug");
    this.k = new Kernel(this.abi, this.host, platform);
  }

  /**
   * A thread with Microkit's CSpace (microkit.json cspace.shape): a root CNode of 2^6 slots whose
   * slot 0 holds the 2^9-slot PD CNode behind a 49-bit zero guard; REPLY_CAP holds a reply object.
   */
  thread(name: string, o: ThreadOptions = {}): Pd {
    const shape = microkitJson()["cspace"]["shape"] as Json;
    const rootShape = shape["root_cnode"] as Json;
    const pdShape = shape["microkit_cnode"] as Json;
    const tcb = new TCB(name, this.abi.userContext.length);
    tcb.priority = o.priority ?? 100;
    tcb.mcp = tcb.priority;
    const root = new CNode(rootShape["size_bits"] as number);
    const cnode = new CNode(pdShape["size_bits"] as number);
    root.slots[pdShape["lives_in_root_slot"] as number] = { type: "cnode", object: cnode, guard: BigInt(pdShape["guard"] as number), guardSize: pdShape["guard_size"] as number };
    tcb.cspaceRoot = { type: "cnode", object: root, guard: BigInt(rootShape["guard"] as number), guardSize: rootShape["guard_size"] as number };
    const memory = new FakeMemory();
    tcb.vspace = memory;
    const layout = microkitJson()["address_space"] as Json;
    const ipcVa = BigInt(layout["per_arch"][this.arch]["ipc_buffer_vaddr"] as string);
    const ipcSize = layout["ipc_buffer"]["size"] as number;
    let ipc: Uint8Array | undefined;
    const mode = o.ipcBuffer ?? "rw";
    if (mode !== "none") ipc = memory.map(ipcVa, ipcSize, mode === "rw");
    tcb.ipcBuffer = ipcVa;
    let sc: SchedContext | undefined;
    if (o.sc ?? true) {
      sc = new SchedContext(1000n, 1000n, 0n);
      sc.tcb = tcb;
      tcb.sc = sc;
    }
    const reply = new Reply();
    cnode.slots[Number(slot("REPLY_CAP"))] = replyCap(reply);
    this.k.setReg(tcb, "pc", this.nextPc);
    tcb.restartPc = this.nextPc;
    this.nextPc += 0x100000n;
    return { tcb, cnode, root, memory, ipc, sc, reply };
  }

  /**
   * A VSpace root with an ASID and the cap to it (vspace_cap on AArch64, page_table_cap on RISC-V), as
   * a system builder makes one: the first call puts an ASID pool in slot 0 of the ASID table.
   */
  newVSpace(): Cap {
    let pool = this.k.asidTable[0];
    if (pool === undefined) {
      pool = new ASIDPool(this.abi.vm.asidLowBits);
      this.k.asidTable[0] = pool;
    }
    const free = pool.roots.findIndex((r, i) => r === undefined && i > 0);
    const root = new PageTable(this.abi.vm.rootIndexBits);
    assignASID(this.k, pool, BigInt(free), root);
    return rootCap(this.k, root);
  }

  /** Puts `cap` in slot `index` of the PD's CNode and returns its cptr (= index). */
  give(pd: Pd, index: bigint, cap: Cap): bigint {
    pd.cnode.slots[Number(index)] = cap;
    return index;
  }

  /** Makes the threads runnable (as the system builder does) and returns who runs first. */
  start(...pds: Pd[]): TCB | undefined {
    for (const pd of pds) this.k.makeRunnable(pd.tcb);
    return this.k.schedule();
  }

  reg(pd: Pd, name: string): bigint {
    return this.k.getReg(pd.tcb, name);
  }

  setReg(pd: Pd, name: string, v: bigint): void {
    this.k.setReg(pd.tcb, name, v);
  }

  /** Register roles of this architecture's syscall ABI (kernelAbi(arch).roles). */
  get roles(): KernelAbi["roles"] {
    return this.abi.roles;
  }

  badge(pd: Pd): bigint {
    return this.reg(pd, this.roles.cap);
  }

  info(pd: Pd): bigint {
    return this.reg(pd, this.roles.info);
  }

  /** MR0-MR3 as the registers hold them. */
  fastMrs(pd: Pd): bigint[] {
    return this.roles.mrs.map((r) => this.reg(pd, r));
  }

  /** Message word i of the PD's IPC buffer. */
  bufferMr(pd: Pd, i: number): bigint {
    if (pd.ipc === undefined) throw new Error(`${pd.tcb.name} has no IPC buffer`);
    return new DataView(pd.ipc.buffer, pd.ipc.byteOffset, pd.ipc.byteLength).getBigUint64(msgOffset(this.arch, i), true);
  }

  setBufferMr(pd: Pd, i: number, v: bigint): void {
    if (pd.ipc === undefined) throw new Error(`${pd.tcb.name} has no IPC buffer`);
    new DataView(pd.ipc.buffer, pd.ipc.byteOffset, pd.ipc.byteLength).setBigUint64(msgOffset(this.arch, i), v, true);
  }

  /**
   * What the machine does before running the chosen thread: activateThread. The thread must be the
   * one the scheduler chose.
   */
  resume(pd: Pd): void {
    if (this.k.current !== pd.tcb) throw new Error(`${pd.tcb.name} is not the current thread (current: ${this.k.current?.name ?? "idle"})`);
    activateThread(this.k, pd.tcb);
  }

  /**
   * The current thread `pd` executes the trap instruction for syscall `name` with `regs` (MR i >= 4
   * must already be in its IPC buffer). Returns the thread the scheduler picks next.
   */
  trap(pd: Pd, name: string, regs: Regs = {}, number?: bigint): TCB | undefined {
    this.resume(pd);
    const r = this.roles;
    const tcb = pd.tcb;
    if (regs.cap !== undefined) this.setReg(pd, r.cap, regs.cap);
    if (regs.info !== undefined) this.setReg(pd, r.info, regs.info);
    regs.mrs?.forEach((v, i) => {
      if (i < r.mrs.length) this.setReg(pd, r.mrs[i]!, v);
      else this.setBufferMr(pd, i, v);
    });
    if (regs.reply !== undefined) this.setReg(pd, r.reply, regs.reply);
    if (regs.nbSendRecvDest !== undefined) this.setReg(pd, r.nbSendRecvDest, regs.nbSendRecvDest);
    this.setReg(pd, this.abi.syscallRegister, number ?? syscallNumber(this.arch, name));
    const trapPc = this.k.getReg(tcb, "pc");
    this.setReg(pd, "pc", trapPc + 4n); // svc / ecall are 4 bytes; pc is already past the trap
    handleSyscall(this.k, tcb, trapPc);
    return this.k.schedule();
  }

  /** The pc of the trap instruction `pd` would execute next (pc before trap). */
  pc(pd: Pd): bigint {
    return this.reg(pd, "pc");
  }
}

/** A passive thread in the Microkit sense: its SC taken away after it has started (SchedContextUnbind). */
export function makePassive(pd: Pd): void {
  const sc = pd.tcb.sc;
  if (sc === undefined) throw new Error(`${pd.tcb.name} has no SC`);
  sc.tcb = undefined;
  pd.tcb.sc = undefined;
}

export { ALL_RIGHTS, Endpoint, Notification, Reply, SchedContext, TCB };

/**
 * The MRs of a fault message in MR order, from <arch>.json faults.types[name].mrs: each MR's field
 * name is looked up in `fields`; the message ends at the first field not given.
 */
export function faultMrs(arch: Arch, name: string, fields: Readonly<Record<string, bigint>>): bigint[] {
  const layout = faultType(arch, name).mrs;
  const out: bigint[] = [];
  for (let i = 0; ; i++) {
    const field = layout[String(i)];
    if (field === undefined) return out;
    const v = fields[field];
    if (v === undefined) return out;
    out.push(v);
  }
}
