// Builds the running system from a validated SDF and the PD ELFs, as the upstream tool, the capDL
// initialiser and the monitor together would: kernel objects per PD, upstream's CSpace layout and
// badges, IRQ handlers, memory regions placed and mapped, patched symbols, child PDs' fault
// routing, and every PD's memory (segments, stack, IPC buffer) in guest-physical RAM. The result is
// a description the emulator instantiates; nothing here touches a CPU.
import type { Arch, KernelAbi } from "../kernel/abi.js";
import { ALL_RIGHTS, type Cap, type CapRights } from "../kernel/cap.js";
import type { IrqTable } from "../kernel/interrupt.js";
import { Kernel, type DomainScheduleEntry, type KernelHost } from "../kernel/kernel.js";
import { threadFacts } from "../kernel/marshalling.js";
import { CNode } from "../kernel/objects/cnode.js";
import { Endpoint } from "../kernel/objects/endpoint.js";
import { Notification } from "../kernel/objects/notification.js";
import { Reply } from "../kernel/objects/reply.js";
import { SchedContext } from "../kernel/objects/schedcontext.js";
import { TCB } from "../kernel/objects/tcb.js";
import { Untyped } from "../kernel/objects/untyped.js";
import { insertOriginalCap } from "../kernel/cspace.js";
import { ASIDPool, assignASID, installMapping, PageTable, rootCap, type VMRights } from "../kernel/vspace.js";
import { patchSymbol, type ElfImage, type SegmentRights } from "./elf.js";
import { microkitLayout, type MicrokitLayout } from "./layout.js";
import { HostIpcBuffer, Monitor, type MonitoredPd } from "./monitor.js";
import { BuildError, FrameAllocator, PAGE, placeRegions, roundDown, roundUp, type PhysicalRange, type PlacedRegion } from "./physical-plan.js";
import type { ProtectionDomain, SetVar, SystemDescription } from "./sdf/model.js";
import { defaultSdfBoard, sdfBoard } from "./sdf/board.js";
import { vgicPlatform } from "../kernel/objects/vcpu.js";
import { buildVirtualMachine, type VmImage } from "./virtual-machine.js";

export { BuildError } from "./physical-plan.js";

export interface Mapping {
  readonly va: bigint;
  readonly pa: bigint;
  readonly size: bigint;
  readonly rights: SegmentRights;
  /** False for device memory (a memory region at a fixed address outside RAM). */
  readonly ram: boolean;
  /** log2 of the frames it is made of: a memory region's page size, else 4 KiB. */
  readonly pageBits: number;
  /** Normal cacheable memory (a <map>'s `cached`; everything else is). */
  readonly cached: boolean;
}

export interface PdImage {
  readonly pd: ProtectionDomain;
  readonly elf: ElfImage;
  readonly tcb: TCB;
  /** What the PD's address space maps, as the SDF and ELF say (the kernel's tables hold the same, page by page). */
  readonly mappings: readonly Mapping[];
  /** The PD's VSpace root in the kernel model. */
  readonly vspace: PageTable;
}

export interface IrqLine {
  readonly irq: number;
  readonly trigger: "level" | "edge";
  /** The <irq> element, for errors. */
  readonly loc: { readonly file: string; readonly line: number; readonly column: number };
}

export interface SystemImage {
  readonly arch: Arch;
  readonly kernel: Kernel;
  readonly pds: readonly PdImage[];
  /** The monitor thread; its code is the TypeScript program attached as tcb.host. */
  readonly monitor: TCB;
  /** Interrupt lines with handlers, for the interrupt controller, and the kernel's table of them. */
  readonly irqLines: readonly IrqLine[];
  /** The kernel's IRQ table (kernel.irqs). */
  readonly irqTable: IrqTable;
  /** Each PD's <virtual_machine>: its vCPU threads (never run: guest code is not emulated) and VCPUs. */
  readonly virtualMachines: readonly VmImage[];
  /** Initial contents of guest-physical memory (everything else is zero). */
  readonly memory: readonly { readonly pa: bigint; readonly bytes: Uint8Array }[];
}

export interface BuildOptions {
  readonly abi: KernelAbi;
  readonly host: KernelHost;
  readonly ram: readonly PhysicalRange[];
  /** maxIRQ of the board's kernel (boards.json); default: the architecture's qemu_virt board's. */
  readonly maxIrq?: number;
  /** The ELF of each PD, already loaded and checked (by PD name). */
  readonly elves: ReadonlyMap<string, ElfImage>;
  /** The Microkit board (boards.json name); VMs need its VGIC facts. Default: the AArch64 reference board. */
  readonly board?: string;
  /** Test only: capabilities Microkit never hands a PD, placed in its CNode. */
  readonly testCaps?: readonly TestCap[];
}

/**
 * A capability for tests that exercise kernel objects a Microkit PD cannot otherwise reach: untyped
 * RAM (placed by the builder, aligned to its size), a cap to the PD's own CNode (guard 0, so a
 * Retype with node_depth 0 puts objects at node_offset), the ASID control or the IRQ control cap.
 */
export type TestCap =
  | { readonly pd: string; readonly slot: number; readonly kind: "untyped"; readonly sizeBits: number }
  | { readonly pd: string; readonly slot: number; readonly kind: "cnode" | "asid_control" | "irq_control" };

const RW: SegmentRights = { read: true, write: true, execute: false };
const NOTIFY_RIGHTS: CapRights = { read: false, write: true, grant: false, grantReply: false };
/** PPC endpoint caps: send with grant-reply so the callee can answer (upstream mints them so). */
const PPC_RIGHTS: CapRights = { read: false, write: true, grant: false, grantReply: true };

interface PdObjects {
  readonly tcb: TCB;
  readonly sc: SchedContext;
  readonly notification: Notification;
  readonly endpoint: Endpoint | undefined;
  readonly cnode: CNode;
  readonly root: CNode;
  readonly vspace: PageTable;
}

export function buildSystem(system: SystemDescription, o: BuildOptions): SystemImage {
  const abi = o.abi;
  /** seL4_PageBits: ELF segments, stacks and IPC buffers are made of frames of this size. */
  const SMALL = abi.vm.frameBits[0]!;
  const layout = microkitLayout(abi.arch);
  const kernel = new Kernel(abi, o.host, o.maxIrq === undefined ? undefined : { maxIrq: o.maxIrq });
  const frames = new FrameAllocator(o.ram);
  const regions = placeRegions(system.memoryRegions, frames);
  const memory: { pa: bigint; bytes: Uint8Array }[] = [];
  for (const r of regions.values()) if (r.mr.prefill !== undefined) memory.push({ pa: r.pa, bytes: r.mr.prefill.bytes });
  const irqTable = kernel.irqs;
  const irqLines: IrqLine[] = [];
  const pdList = system.protectionDomains;
  const virtualMachines: VmImage[] = [];

  // A PD needs an endpoint when it has children, or some channel lets its peer ppcall it
  // (microkit.json cspace.slots.INPUT_CAP).
  const ppTargets = new Set<string>();
  for (const ch of system.channels) {
    const [a, b] = ch.ends;
    if (a.pp) ppTargets.add(b.pd);
    if (b.pp) ppTargets.add(a.pd);
  }

  const monitor = createMonitor(kernel, layout);
  // The initial thread's ASID pool (ASID table slot 0), from which every PD's VSpace gets its ASID.
  const asidPool = new ASIDPool(abi.vm.asidLowBits);
  kernel.asidTable[0] = asidPool;
  let nextAsid = 1n; // ASID 0 is never assigned
  const newVSpace = (): PageTable => {
    const root = new PageTable(abi.vm.rootIndexBits);
    assignASID(kernel, asidPool, nextAsid++, root);
    return root;
  };
  const objects = pdList.map((pd): PdObjects => {
    const tcb = new TCB(pd.name, abi.userContext.length);
    kernel.tcbDebugAppend(tcb);
    tcb.pd = pd.name;
    // The initialiser retypes every PD's TCB, so each is on the debug kernel's list of threads.
    // A PD without the FPU has it disabled in its TCB's flags, as the Microkit tool sets them.
    if (!pd.fpu) tcb.flags = threadFacts(abi).tcbFlags["seL4_TCBFlag_fpuDisabled"] ?? 0n;
    const needsEndpoint = ppTargets.has(pd.name) || pd.children.length > 0 || pd.virtualMachine !== undefined;
    return {
      tcb,
      sc: new SchedContext(pd.budgetUs, pd.periodUs, 0n),
      notification: new Notification(),
      endpoint: needsEndpoint ? new Endpoint() : undefined,
      cnode: new CNode(layout.pdCNodeBits),
      root: new CNode(layout.rootCNodeBits),
      vspace: newVSpace(),
    };
  });

  const pds: PdImage[] = pdList.map((pd) => {
    const own = objects[pd.index]!;
    const elf = o.elves.get(pd.name);
    if (elf === undefined) throw new Error(`no ELF loaded for ${pd.name}`);
    const put = (slot: string, cap: Cap, offset = 0): void => {
      own.cnode.slots[layout.slot(slot) + offset] = cap;
    };
    // CSpace: a 64-slot root CNode whose slot 0 holds the PD's 512-slot CNode behind a zero guard,
    // so cptr N < 512 names slot N of the PD CNode (microkit.json cspace.shape).
    own.root.slots[0] = { type: "cnode", object: own.cnode, guard: 0n, guardSize: layout.pdCNodeGuardSize };
    put("INPUT_CAP", own.endpoint !== undefined
      ? { type: "endpoint", object: own.endpoint, badge: 0n, rights: ALL_RIGHTS }
      : { type: "notification", object: own.notification, badge: 0n, rights: ALL_RIGHTS });
    put("REPLY_CAP", { type: "reply", object: new Reply(), canGrant: true });
    put("VSPACE_CAP", rootCap(kernel, own.vspace));

    // Faults go to the parent's endpoint badged with the fault bit and the child id, or to the
    // monitor badged with the PD's index + 1; a passive PD also gets the monitor endpoint for its
    // handshake (microkit.json badges).
    const parent = pd.parent === undefined ? undefined : objects[pd.parent];
    const faultEp: Cap = parent?.endpoint !== undefined
      ? { type: "endpoint", object: parent.endpoint, badge: (1n << layout.faultBadgeBit) | BigInt(pd.childId ?? 0), rights: ALL_RIGHTS }
      : { type: "endpoint", object: monitor.endpoint, badge: BigInt(pd.index + 1), rights: ALL_RIGHTS };
    put("FAULT_EP_CAP", faultEp);
    own.tcb.faultHandler = faultEp;
    if (pd.passive) put("MONITOR_EP", { type: "endpoint", object: monitor.endpoint, badge: BigInt(pd.index + 1), rights: ALL_RIGHTS });
    // smc="true": an unbadged SMC cap (the SDF checks have refused it where the kernel has none).
    if (pd.smc) put("ARM_SMC_CAP", { type: "smc", badge: 0n });

    for (const ch of system.channels) {
      ch.ends.forEach((end, i) => {
        if (end.pdIndex !== pd.index) return;
        const peerEnd = ch.ends[1 - i]!;
        const peer = objects[peerEnd.pdIndex]!;
        if (end.notify) {
          put("BASE_OUTPUT_NOTIFICATION_CAP", { type: "notification", object: peer.notification, badge: 1n << BigInt(peerEnd.id), rights: NOTIFY_RIGHTS }, end.id);
        }
        if (end.pp && peer.endpoint !== undefined) {
          put("BASE_ENDPOINT_CAP", { type: "endpoint", object: peer.endpoint, badge: (1n << layout.endpointBadgeBit) | BigInt(peerEnd.id), rights: PPC_RIGHTS }, end.id);
        }
      });
    }

    // IRQs: a handler per line, signalling this PD's notification with the IRQ's channel bit.
    for (const irq of pd.irqs) {
      if (irq.kind !== "conventional") throw new BuildError(`${pd.name}: x86 interrupts cannot be emulated on this board`);
      const line = Number(irq.irq);
      const handler = irqTable.handler(line);
      handler.notification = { type: "notification", object: own.notification, badge: 1n << BigInt(irq.id), rights: NOTIFY_RIGHTS };
      put("BASE_IRQ_CAP", { type: "irq_handler", object: handler }, irq.id);
      irqLines.push({ irq: line, trigger: irq.trigger, loc: irq.loc });
    }

    for (const childIndex of pd.children) {
      const child = pdList[childIndex]!;
      put("BASE_TCB_CAP", { type: "tcb", object: objects[childIndex]!.tcb }, child.childId ?? 0);
    }

    // <virtual_machine>: per vCPU a thread and a VCPU, their caps at BASE_VM_TCB_CAP / BASE_VCPU_CAP + id.
    if (pd.virtualMachine !== undefined) {
      const board = o.board ?? defaultSdfBoard().name;
      const platform = vgicPlatform(board);
      const vmLoc = pd.virtualMachine.loc;
      if (sdfBoard(board)?.hypervisor !== true || abi.arch !== "aarch64" || platform === undefined) {
        throw new BuildError(`${vmLoc.file}:${vmLoc.line}:${vmLoc.column}: error: <virtual_machine name="${pd.virtualMachine.name}"> ` +
          `needs an ARM hypervisor kernel; the ${board} ${abi.arch} kernel emulated here is not one`);
      }
      // The VM's address space (guest physical): its own VSpace with the VM's <map>s.
      const vmSpace = newVSpace();
      installMappings(kernel, pd.virtualMachine.name, vmSpace, pd.virtualMachine.maps.map((m): Mapping => {
        const r = regions.get(m.mr)!;
        return { va: m.vaddr, pa: r.pa, size: r.mr.size, rights: m.perms, ram: r.ram, pageBits: log2(r.mr.pageSize), cached: m.cached };
      }));
      virtualMachines.push(buildVirtualMachine(kernel, layout, pd.virtualMachine, { name: pd.name, endpoint: own.endpoint!, put }, platform, vmSpace));
    }

    // <cspace>: another PD's TCB, SC or VSpace in a root CNode slot.
    for (const m of pd.capMaps) {
      const target = objects[m.pdIndex]!;
      own.root.slots[m.slot] = m.type === "tcb" ? { type: "tcb", object: target.tcb }
        : m.type === "sc" ? { type: "sched_context", object: target.sc }
        : rootCap(kernel, target.vspace);
    }

    patchSymbols(elf, pd, system, regions, layout);

    // Memory: ELF segments, mapped memory regions, the stack below stack_top, the IPC buffer page.
    const mappings: Mapping[] = [];
    for (const seg of elf.segments) {
      const start = roundDown(seg.vaddr, PAGE);
      const size = roundUp(seg.vaddr + seg.memsz, PAGE) - start;
      const pa = frames.alloc(size);
      memory.push({ pa: pa + (seg.vaddr - start), bytes: seg.data });
      mappings.push({ va: start, pa, size, rights: seg.rights, ram: true, pageBits: SMALL, cached: true });
    }
    for (const m of pd.maps) {
      const r = regions.get(m.mr)!;
      // microkit.json address_space.elf: MR mappings may not overlap the program's segments.
      const clash = mappings.find((seg) => m.vaddr < seg.va + seg.size && seg.va < m.vaddr + r.mr.size);
      if (clash !== undefined) {
        throw new BuildError(`${m.loc.file}:${m.loc.line}:${m.loc.column}: error: <map mr="${m.mr}" vaddr="0x${m.vaddr.toString(16)}"> ` +
          `(size 0x${r.mr.size.toString(16)}) overlaps the segment of ${elf.path} at [0x${clash.va.toString(16)}, 0x${(clash.va + clash.size).toString(16)})`);
      }
      mappings.push({ va: m.vaddr, pa: r.pa, size: r.mr.size, rights: m.perms, ram: r.ram, pageBits: log2(r.mr.pageSize), cached: m.cached });
    }
    mappings.push({ va: layout.stackTop - pd.stackSize, pa: frames.alloc(pd.stackSize), size: pd.stackSize, rights: RW, ram: true, pageBits: SMALL, cached: true });
    mappings.push({ va: layout.ipcBufferVaddr, pa: frames.alloc(layout.ipcBufferSize), size: layout.ipcBufferSize, rights: RW, ram: true, pageBits: SMALL, cached: true });
    installMappings(kernel, pd.name, own.vspace, mappings);

    // The thread: bound notification, SC, registers as the initialiser leaves them (pc, sp only).
    const tcb = own.tcb;
    tcb.priority = pd.priority;
    tcb.mcp = pd.priority;
    // <domains>: the thread runs only in its domain's slots of the schedule.
    if (pd.domain !== undefined) tcb.domain = pd.domain;
    tcb.cspaceRoot = { type: "cnode", object: own.root, guard: 0n, guardSize: 0 };
    tcb.vspaceRoot = rootCap(kernel, own.vspace);
    tcb.ipcBuffer = layout.ipcBufferVaddr;
    tcb.boundNotification = own.notification;
    own.notification.boundTCB = tcb;
    own.sc.tcb = tcb;
    tcb.sc = own.sc;
    kernel.setReg(tcb, "pc", elf.entry);
    kernel.setReg(tcb, "sp", layout.stackTop);
    tcb.restartPc = elf.entry;
    for (const t of (o.testCaps ?? []).filter((c) => c.pd === pd.name)) {
      const slot = { cnode: own.cnode, index: t.slot };
      if (t.kind === "untyped") insertOriginalCap(slot, { type: "untyped", object: new Untyped(frames.alloc(1n << BigInt(t.sizeBits), 1n << BigInt(t.sizeBits)), t.sizeBits, false), freeIndex: 0n });
      else if (t.kind === "cnode") own.cnode.slots[t.slot] = { type: "cnode", object: own.cnode, guard: 0n, guardSize: 0 };
      else insertOriginalCap(slot, { type: t.kind });
    }
    return { pd, elf, tcb, mappings, vspace: own.vspace };
  });

  const monitored: MonitoredPd[] = pds.map((p) => ({
    name: p.pd.name, tcb: p.tcb, notification: objects[p.pd.index]!.notification, stackBottom: layout.stackTop - p.pd.stackSize,
  }));
  monitor.tcb.host = new Monitor(monitored, (line) => o.host.debugPrint(line), monitor.slots, PAGE);
  kernel.makeRunnable(monitor.tcb);
  for (const p of pds) kernel.makeRunnable(p.tcb);
  if (system.domains !== undefined) setDomainSchedule(kernel, system.domains);
  return { arch: abi.arch, kernel, pds, memory, monitor: monitor.tcb, irqLines, irqTable, virtualMachines };
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

/**
 * The SDF's <domain_schedule> as the kernel's ksDomSchedule, as upstream's initialiser sets it with
 * DomainSet_ScheduleConfigure (entries from index_shift on; durations in timer ticks, microseconds
 * converted with the board's timer frequency; end markers as {0, 0}) and DomainSet_ScheduleSetStart.
 */
function setDomainSchedule(kernel: Kernel, d: NonNullable<SystemDescription["domains"]>): void {
  const hz = threadFacts(kernel.abi).timerFrequencyHz;
  const shift = Number(d.indexShift ?? 0n);
  const entries: DomainScheduleEntry[] = d.schedule.map((e) => e.kind === "end_marker"
    ? { domain: 0, duration: 0n }
    : { domain: e.domain, duration: e.unit === "ticks" ? e.duration : (e.duration * hz) / 1_000_000n });
  entries.forEach((e, i) => kernel.configureDomainSchedule(shift + i, e.domain, e.duration));
  kernel.setDomainScheduleStart(shift + Number(d.startIndex));
}

/** The same mappings in the kernel's tables, frame by frame. */
function installMappings(kernel: Kernel, pd: string, root: PageTable, mappings: readonly Mapping[]): void {
  for (const m of mappings) {
    for (let off = 0n; off < m.size; off += 1n << BigInt(m.pageBits)) {
      const leaf = { paddr: m.pa + off, sizeBits: m.pageBits, rights: vmRights(m.rights), executable: m.rights.execute, cacheable: m.cached };
      const clash = installMapping(kernel, root, m.va + off, leaf);
      if (clash !== undefined) throw new BuildError(`${pd}: cannot map physical 0x${(m.pa + off).toString(16)}: ${clash}`);
    }
  }
}

/** Mapping rights as the kernel keeps them (Microkit rejects write-only maps). */
function vmRights(r: SegmentRights): VMRights {
  return r.write ? "ReadWrite" : r.read ? "ReadOnly" : "KernelOnly";
}

function log2(size: bigint): number {
  return size.toString(2).length - 1;
}

function word(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return b;
}

const bit = (ids: Iterable<number>): bigint => [...ids].reduce((acc, id) => acc | (1n << BigInt(id)), 0n);

/**
 * Writes every symbol upstream patches: libmicrokit's own (microkit.json elf_symbols_patched) and
 * each setvar the SDF asks for (8 bytes); all must exist, as upstream's tool requires.
 */
function patchSymbols(elf: ElfImage, pd: ProtectionDomain, system: SystemDescription, regions: ReadonlyMap<string, PlacedRegion>, layout: MicrokitLayout): void {
  const ends = system.channels.flatMap((ch) => ch.ends.filter((e) => e.pdIndex === pd.index));
  const values: Record<string, Uint8Array> = {
    microkit_name: new TextEncoder().encode(pd.name),
    microkit_passive: Uint8Array.of(pd.passive ? 1 : 0),
    microkit_irqs: word(bit(pd.irqs.map((i) => i.id))),
    microkit_notifications: word(bit(ends.filter((e) => e.notify).map((e) => e.id))),
    microkit_pps: word(bit(ends.filter((e) => e.pp).map((e) => e.id))),
    microkit_ioports: word(bit(pd.ioports.map((p) => p.id))),
  };
  for (const [name, bytes] of Object.entries(values)) {
    const spec = layout.symbols[name];
    if (spec === undefined) throw new Error(`microkit.json does not describe patched symbol ${name}`);
    // Upstream's tool writes each of these and fails when one is missing.
    if (!elf.symbols.has(name)) {
      const at = pd.programImage.loc;
      throw new BuildError(`${at.file}:${at.line}:${at.column}: error: ${elf.path} does not define '${name}', which the Microkit tool patches (is it linked with libmicrokit?)`);
    }
    const full = new Uint8Array(spec.bytes);
    full.set(bytes.subarray(0, spec.bytes));
    patchSymbol(elf, name, full);
  }
  const wordBytes = layout.symbols["setvar"]?.bytes ?? 8;
  for (const sv of pd.setvars) {
    const sym = elf.symbols.get(sv.symbol);
    const where = `${sv.loc.file}:${sv.loc.line}:${sv.loc.column}`;
    if (sym === undefined) throw new BuildError(`${where}: error: setvar symbol '${sv.symbol}' is not in ${elf.path}`);
    if (sym.size !== BigInt(wordBytes)) throw new BuildError(`${where}: error: setvar symbol '${sv.symbol}' in ${elf.path} is ${sym.size} bytes; it must be ${wordBytes}`);
    patchSymbol(elf, sv.symbol, word(setvarValue(sv, regions)));
  }
}

function setvarValue(sv: SetVar, regions: ReadonlyMap<string, PlacedRegion>): bigint {
  const v = sv.value;
  switch (v.kind) {
    case "vaddr":
    case "ioport_addr":
      return v.address;
    case "id":
      return BigInt(v.id);
    case "size":
      return regions.get(v.mr)!.mr.size;
    case "prefill_size":
      return BigInt(regions.get(v.mr)!.mr.prefill?.bytes.length ?? 0);
    case "paddr":
      return regions.get(v.region)!.pa;
  }
}
