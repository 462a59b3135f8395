// Builds the running system from a validated SDF and the PD ELFs, as the upstream tool, the capDL
// initialiser and the monitor together would: kernel objects per PD, upstream's CSpace layout and
// badges, patched symbols, and every PD's memory (segments, stack, IPC buffer) in guest-physical RAM.
// The result is a description the emulator instantiates; nothing here touches a CPU.
import type { Arch, KernelAbi } from "../kernel/abi.js";
import { ALL_RIGHTS, type Cap, type CapRights } from "../kernel/cap.js";
import { Kernel, type KernelHost } from "../kernel/kernel.js";
import { CNode } from "../kernel/objects/cnode.js";
import { Endpoint } from "../kernel/objects/endpoint.js";
import { Notification } from "../kernel/objects/notification.js";
import { Reply } from "../kernel/objects/reply.js";
import { SchedContext } from "../kernel/objects/schedcontext.js";
import { TCB } from "../kernel/objects/tcb.js";
import { patchSymbol, type ElfImage, type SegmentRights } from "./elf.js";
import { microkitLayout, type MicrokitLayout } from "./layout.js";
import { HostIpcBuffer, Monitor, type MonitoredPd } from "./monitor.js";
import type { ProtectionDomain, SystemDescription } from "./sdf/model.js";

const PAGE = 4096n;

export interface Mapping {
  readonly va: bigint;
  readonly pa: bigint;
  readonly size: bigint;
  readonly rights: SegmentRights;
}

export interface PdImage {
  readonly pd: ProtectionDomain;
  readonly elf: ElfImage;
  readonly tcb: TCB;
  readonly mappings: readonly Mapping[];
}

export interface SystemImage {
  readonly arch: Arch;
  readonly kernel: Kernel;
  readonly pds: readonly PdImage[];
  /** The monitor thread; its code is the TypeScript program attached as tcb.host. */
  readonly monitor: TCB;
  /** Initial contents of guest-physical memory (everything else is zero). */
  readonly memory: readonly { readonly pa: bigint; readonly bytes: Uint8Array }[];
}

export interface BuildOptions {
  readonly abi: KernelAbi;
  readonly host: KernelHost;
  readonly ram: readonly { readonly base: bigint; readonly size: bigint }[];
  /** The ELF of each PD, already loaded and checked (by PD name). */
  readonly elves: ReadonlyMap<string, ElfImage>;
}

/** Hands out page-aligned guest-physical memory from the board's RAM, lowest first. */
class FrameAllocator {
  private index = 0;
  private next: bigint;
  constructor(private readonly ram: BuildOptions["ram"]) {
    this.next = ram[0]?.base ?? 0n;
  }

  alloc(size: bigint): bigint {
    const bytes = roundUp(size, PAGE);
    for (;;) {
      const r = this.ram[this.index];
      if (r === undefined) throw new BuildError(`the system needs more RAM than the board has (${bytes} more bytes)`);
      if (this.next + bytes <= r.base + r.size) {
        const pa = this.next;
        this.next += bytes;
        return pa;
      }
      this.index++;
      this.next = this.ram[this.index]?.base ?? 0n;
    }
  }
}

export class BuildError extends Error {}

const roundDown = (v: bigint, a: bigint): bigint => v - (v % a);
const roundUp = (v: bigint, a: bigint): bigint => roundDown(v + a - 1n, a);

const RW: SegmentRights = { read: true, write: true, execute: false };
const NOTIFY_RIGHTS: CapRights = { read: false, write: true, grant: false, grantReply: false };
/** PPC endpoint caps: send with grant-reply so the callee can answer (upstream mints them so). */
const PPC_RIGHTS: CapRights = { read: false, write: true, grant: false, grantReply: true };

interface PdObjects {
  readonly tcb: TCB;
  readonly notification: Notification;
  readonly endpoint: Endpoint | undefined;
  readonly cnode: CNode;
}

export function buildSystem(system: SystemDescription, o: BuildOptions): SystemImage {
  const abi = o.abi;
  const layout = microkitLayout(abi.arch);
  const kernel = new Kernel(abi, o.host);
  const frames = new FrameAllocator(o.ram);
  const memory: { pa: bigint; bytes: Uint8Array }[] = [];

  // A PD has an endpoint when some channel lets its peer ppcall it.
  const ppTargets = new Set<string>();
  for (const ch of system.channels) {
    const [a, b] = ch.ends;
    if (a.pp) ppTargets.add(b.pd);
    if (b.pp) ppTargets.add(a.pd);
  }

  const monitor = createMonitor(kernel, layout);

  const objects = new Map<string, PdObjects>();
  for (const pd of system.protectionDomains) {
    const tcb = new TCB(pd.name, abi.userContext.length);
    const notification = new Notification();
    const endpoint = ppTargets.has(pd.name) ? new Endpoint() : undefined;
    objects.set(pd.name, { tcb, notification, endpoint, cnode: new CNode(layout.pdCNodeBits) });
  }

  const pds: PdImage[] = [];
  for (const pd of system.protectionDomains) {
    const own = objects.get(pd.name)!;
    const elf = o.elves.get(pd.name);
    if (elf === undefined) throw new Error(`no ELF loaded for ${pd.name}`);
    const bits = patchedBits(system, pd);
    patchMicrokitSymbols(elf, pd, bits, layout);

    // CSpace: a 64-slot root CNode whose slot 0 holds the PD's 512-slot CNode behind a zero guard,
    // so cptr N < 512 names slot N of the PD CNode (microkit.json cspace.shape).
    const root = new CNode(layout.rootCNodeBits);
    root.slots[0] = { type: "cnode", object: own.cnode, guard: 0n, guardSize: layout.pdCNodeGuardSize };
    const reply = new Reply();
    const put = (slot: string, cap: Cap, offset = 0): void => {
      own.cnode.slots[layout.slot(slot) + offset] = cap;
    };
    put("INPUT_CAP", own.endpoint !== undefined
      ? { type: "endpoint", object: own.endpoint, badge: 0n, rights: ALL_RIGHTS }
      : { type: "notification", object: own.notification, badge: 0n, rights: ALL_RIGHTS });
    put("REPLY_CAP", { type: "reply", object: reply, canGrant: true });
    put("VSPACE_CAP", { type: "vspace", object: pd.name });
    // Faults of a PD without a parent go to the monitor, badged with the PD's index + 1; a passive
    // PD also gets the monitor endpoint for its handshake (microkit.json badges.fault_to_monitor).
    const toMonitor: Cap = { type: "endpoint", object: monitor.endpoint, badge: BigInt(pd.index + 1), rights: ALL_RIGHTS };
    put("FAULT_EP_CAP", toMonitor);
    own.tcb.faultHandler = toMonitor;
    if (pd.passive) put("MONITOR_EP", toMonitor);
    for (const ch of system.channels) {
      ch.ends.forEach((end, i) => {
        if (end.pd !== pd.name) return;
        const peerEnd = ch.ends[1 - i]!;
        const peer = objects.get(peerEnd.pd)!;
        if (end.notify) {
          put("BASE_OUTPUT_NOTIFICATION_CAP", { type: "notification", object: peer.notification, badge: 1n << BigInt(peerEnd.id), rights: NOTIFY_RIGHTS }, end.id);
        }
        if (end.pp && peer.endpoint !== undefined) {
          const badge = (1n << layout.endpointBadgeBit) | BigInt(peerEnd.id);
          put("BASE_ENDPOINT_CAP", { type: "endpoint", object: peer.endpoint, badge, rights: PPC_RIGHTS }, end.id);
        }
      });
    }

    // Memory: ELF segments, the stack below stack_top, the IPC buffer page.
    const mappings: Mapping[] = [];
    for (const seg of elf.segments) {
      const start = roundDown(seg.vaddr, PAGE);
      const size = roundUp(seg.vaddr + seg.memsz, PAGE) - start;
      const pa = frames.alloc(size);
      memory.push({ pa: pa + (seg.vaddr - start), bytes: seg.data });
      mappings.push({ va: start, pa, size, rights: seg.rights });
    }
    mappings.push({ va: layout.stackTop - pd.stackSize, pa: frames.alloc(pd.stackSize), size: pd.stackSize, rights: RW });
    mappings.push({ va: layout.ipcBufferVaddr, pa: frames.alloc(layout.ipcBufferSize), size: layout.ipcBufferSize, rights: RW });

    // The thread: bound notification, SC, registers as the initialiser leaves them (pc, sp only).
    const tcb = own.tcb;
    tcb.priority = pd.priority;
    tcb.mcp = pd.priority;
    tcb.cspaceRoot = { type: "cnode", object: root, guard: 0n, guardSize: 0 };
    tcb.ipcBuffer = layout.ipcBufferVaddr;
    tcb.boundNotification = own.notification;
    own.notification.boundTCB = tcb;
    const sc = new SchedContext(pd.budgetUs, pd.periodUs, 0n);
    sc.tcb = tcb;
    tcb.sc = sc;
    kernel.setReg(tcb, "pc", elf.entry);
    kernel.setReg(tcb, "sp", layout.stackTop);
    tcb.restartPc = elf.entry;
    pds.push({ pd, elf, tcb, mappings });
  }
  const monitored: MonitoredPd[] = pds.map((p) => ({
    name: p.pd.name, tcb: p.tcb, notification: objects.get(p.pd.name)!.notification, stackBottom: layout.stackTop - p.pd.stackSize,
  }));
  monitor.tcb.host = new Monitor(monitored, (line) => o.host.debugPrint(line), monitor.slots, PAGE);
  kernel.makeRunnable(monitor.tcb);
  for (const p of pds) kernel.makeRunnable(p.tcb);
  return { arch: abi.arch, kernel, pds, memory, monitor: monitor.tcb };
}

/** The monitor's thread, CSpace and endpoint as upstream lays them out (microkit.json monitor, monitor_cspace). */
function createMonitor(kernel: Kernel, layout: MicrokitLayout) {
  const m = layout.monitor;
  const endpoint = new Endpoint();
  const cnode = new CNode(m.cnodeBits);
  const slots = { faultEp: BigInt(m.faultEpSlot), reply: BigInt(m.replySlot) };
  cnode.slots[m.faultEpSlot] = { type: "endpoint", object: endpoint, badge: 0n, rights: ALL_RIGHTS };
  cnode.slots[m.replySlot] = { type: "reply", object: new Reply(), canGrant: true };
  const tcb = new TCB("monitor", kernel.abi.userContext.length);
  tcb.priority = m.priority;
  tcb.mcp = m.priority;
  tcb.cspaceRoot = { type: "cnode", object: cnode, guard: 0n, guardSize: m.guardSize };
  tcb.ipcBuffer = layout.ipcBufferVaddr;
  tcb.vspace = new HostIpcBuffer(layout.ipcBufferVaddr);
  const sc = new SchedContext(m.budgetUs, m.periodUs, 0n);
  sc.tcb = tcb;
  tcb.sc = sc;
  return { tcb, endpoint, slots };
}

interface PatchedBits {
  readonly notifications: bigint;
  readonly pps: bigint;
}

function patchedBits(system: SystemDescription, pd: ProtectionDomain): PatchedBits {
  let notifications = 0n;
  let pps = 0n;
  for (const ch of system.channels) {
    for (const end of ch.ends) {
      if (end.pd !== pd.name) continue;
      if (end.notify) notifications |= 1n << BigInt(end.id);
      if (end.pp) pps |= 1n << BigInt(end.id);
    }
  }
  return { notifications, pps };
}

function word(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, true);
  return b;
}

/** The symbols the upstream tool writes into every PD (microkit.json elf_symbols_patched). */
function patchMicrokitSymbols(elf: ElfImage, pd: ProtectionDomain, bits: PatchedBits, layout: MicrokitLayout): void {
  const values: Record<string, Uint8Array> = {
    microkit_name: new TextEncoder().encode(pd.name),
    microkit_passive: Uint8Array.of(pd.passive ? 1 : 0),
    microkit_irqs: word(0n),
    microkit_notifications: word(bits.notifications),
    microkit_pps: word(bits.pps),
    microkit_ioports: word(0n),
  };
  for (const [name, bytes] of Object.entries(values)) {
    const spec = layout.symbols[name];
    if (spec === undefined) throw new Error(`microkit.json does not describe patched symbol ${name}`);
    // A PD that does not link libmicrokit has none of these symbols: nothing to patch.
    if (!elf.symbols.has(name)) continue;
    const full = new Uint8Array(spec.bytes);
    full.set(bytes.subarray(0, spec.bytes));
    patchSymbol(elf, name, full);
  }
}
