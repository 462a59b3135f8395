// seL4_DebugSnapshot: the capDL dump a debug kernel prints of the threads on its debug list (seL4
// src/machine/capdl.c, with the architecture parts in kernel/capdl-vspace.ts; called from
// handleUnknownSyscall in src/api/syscall.c). The text is what seL4 1326364b prints, its quirks
// included: object names are kernel addresses in printf's %p form, the sections are
//   arch <name> / objects { ... } / caps { ... } / irq maps { ... }
// and only threads not named "rootserver" or "idle_thread" are walked, newest first.
//
// Where the model cannot know what seL4 prints, or seL4 does not come back, this module says so:
// - objects that no Retype or boot placed (a Microkit system's, built without kernel memory) have no
//   address; they are named obj<n> instead, numbered in the order snapshots first meet them;
// - where seL4 fails an assertion (any frame cap or IPC buffer on AArch64, see capdl-vspace.ts) its
//   message is printed with the file relative to the seL4 tree, and the machine halts as seL4 does;
// - where seL4 dereferences a null VSpace root, or loops forever (an untyped cap with children:
//   obj_ut_print_attrs never advances), a line says so and the machine halts.
import { capTypeTag, type Cap } from "./cap.js";
import { kernelVirtual } from "./boot/plan.js";
import { archSnapshot, type ArchSnapshot } from "./capdl-vspace.js";
import { isMDBParentOf, mdbNode } from "./cspace.js";
import { pointer } from "./fault-report.js";
import type { Kernel } from "./kernel.js";
import { resolveAddressBits, slotCap, type Slot } from "./objects/cnode.js";
import { ticksToUs } from "./objects/schedcontext.js";
import type { TCB } from "./objects/tcb.js";
import { objectRegion } from "./objects/untyped.js";
import { threadFacts } from "./marshalling.js";
import { refills } from "./sporadic.js";
import type { PageTable } from "./vspace.js";

/** The kernel stopped in the middle of the snapshot (an assertion, a fault, a loop that never ends). */
export class SnapshotStopped extends Error {}

const synthetic = new WeakMap<Kernel, { next: number; readonly ids: WeakMap<object, number> }>();

/** What a snapshot prints with: the text so far, names of objects, and the seen list. */
export class Snapshot {
  text = "";
  /** seen_list: the CNode and VSpace caps already walked (SEEN_SZ of them at most). */
  private seenCaps: Cap[] = [];

  constructor(
    readonly k: Kernel,
    readonly arch: ArchSnapshot,
  ) {}

  print(s: string): void {
    this.text += s;
  }

  // --- names --------------------------------------------------------------------------------

  /** %p of the kernel address `offset` bytes into an object, or its obj<n> name if it has none. */
  object(o: object, offset = 0n): string {
    const r = objectRegion(o);
    if (r !== undefined) return pointer(kernelVirtual(this.k.abi, r.base) + offset);
    let s = synthetic.get(this.k);
    if (s === undefined) {
      s = { next: 1, ids: new WeakMap() };
      synthetic.set(this.k, s);
    }
    let id = s.ids.get(o);
    if (id === undefined) {
      id = s.next++;
      s.ids.set(o, id);
    }
    return offset === 0n ? `obj${id}` : `obj${id}+0x${offset.toString(16)}`;
  }

  /** The tcb_t pointer: half-way into the object, past the CNode of the thread's own caps (TCB_OFFSET). */
  tcb(t: TCB): string {
    const r = objectRegion(t);
    return this.object(t, r === undefined ? 0n : 1n << BigInt(r.sizeBits - 1));
  }

  /** %p of entry `index` of a translation table (pte_t *). */
  pte(table: PageTable, index: number): string {
    return this.object(table, BigInt(8 * index));
  }

  /** The untyped's capPtr: its kernel-window address (the cap holds the kernel pointer even for device memory). */
  physical(paddr: bigint): string {
    return pointer(kernelVirtual(this.k.abi, paddr));
  }

  // --- the seen list --------------------------------------------------------------------------

  seen(cap: Cap): boolean {
    return this.seenCaps.some((c) => sameCapWords(c, cap));
  }

  addSeen(cap: Cap): void {
    if (this.seenCaps.length < SEEN_SZ) this.seenCaps.push(cap);
  }

  resetSeen(): void {
    this.seenCaps = [];
  }

  // --- where seL4 does not come back ---------------------------------------------------------

  /** _assert_fail: seL4's message (file relative to the seL4 tree), then halt. */
  assertFail(expression: string, file: string, line: number, fn: string): never {
    this.print(`seL4 failed assertion '${expression}' at ${file}:${line} in function ${fn}\n`);
    throw new SnapshotStopped();
  }

  /** seL4 would fault or spin in the kernel here; the model says why and halts. */
  stuck(why: string): never {
    if (this.text !== "" && !this.text.endsWith("\n")) this.print("\n");
    this.print(`(DebugSnapshot: seL4 ${why}; the machine is halted here)\n`);
    throw new SnapshotStopped();
  }
}

/** seen_list's length (SEEN_SZ): caps beyond it are walked again each time. */
const SEEN_SZ = 256;

/** same_cap: the two cap words are equal (only CNode and VSpace root caps are compared). */
function sameCapWords(a: Cap, b: Cap): boolean {
  switch (a.type) {
    case "cnode":
      return b.type === "cnode" && a.object === b.object && a.guard === b.guard && a.guardSize === b.guardSize;
    case "vspace":
      return b.type === "vspace" && a.object === b.object && a.isMapped === b.isMapped && a.mappedAsid === b.mappedAsid;
    case "page_table":
      return b.type === "page_table" && a.object === b.object && a.isMapped === b.isMapped && a.mappedAsid === b.mappedAsid && a.mappedAddress === b.mappedAddress;
    default:
      return a === b;
  }
}

// --- printf conversions (src/machine/io.c) ---------------------------------------------------

/** "0x%lx". */
export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
/** "%04lu". */
export const pad4 = (v: number): string => v.toString().padStart(4, "0");

// --- the snapshot ------------------------------------------------------------------------------

/** root_or_idle_tcb: by name, as seL4 compares tcbName (a thread renamed "rootserver" is skipped too). */
const rootOrIdle = (t: TCB): boolean => t.name === "rootserver" || t.name === "idle_thread";

/** SysDebugSnapshot: the dump on the kernel console (a debug kernel that prints), then a halt if seL4 would not come back. */
export function debugSnapshot(k: Kernel, caller: TCB): void {
  if (k.abi.kernelConfig["PRINTING"] !== true) return;
  const { lines, stopped } = capdlSnapshot(k, caller);
  for (const line of lines) k.host.debugPrint(line);
  if (stopped) k.host.halt();
}

/**
 * The lines seL4's SysDebugSnapshot prints for `caller`'s call, and whether the kernel stopped
 * in the middle (the machine must then halt).
 */
export function capdlSnapshot(k: Kernel, caller: TCB): { readonly lines: string[]; readonly stopped: boolean } {
  const s = new Snapshot(k, archSnapshot(k));
  let stopped = false;
  s.print(`Debug snapshot syscall from user thread ${s.tcb(caller)} "${caller.name}"\n`);
  try {
    debugCapDL(s);
  } catch (e) {
    if (!(e instanceof SnapshotStopped)) throw e;
    stopped = true;
  }
  const lines = s.text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return { lines, stopped };
}

/** debug_capDL. */
function debugCapDL(s: Snapshot): void {
  s.print(`arch ${s.arch.name}\n`);
  s.print("objects {\n");
  printObjects(s);
  s.print("}\n");
  s.print("caps {\n");
  s.resetSeen();
  printCaps(s);
  s.print("}\n");
  printIrqMaps(s);
}

function threads(s: Snapshot): TCB[] {
  return s.k.debugThreads.filter((t) => !rootOrIdle(t));
}

/** print_objects: every thread's VSpace objects first, then each thread and its CNode's objects. */
function printObjects(s: Snapshot): void {
  const list = threads(s);
  for (const t of list) s.arch.objVTable(s, t);
  for (const t of list) {
    s.print(`${s.tcb(t)}_tcb = tcb `);
    tcbAttrs(s, t);
    if (t.cspaceRoot.type === "cnode") cnodeObjects(s, t.cspaceRoot, t);
  }
}

/** obj_tcb_print_attrs. ip is FaultIP (where the thread restarts), sp the user stack pointer. */
function tcbAttrs(s: Snapshot, t: TCB): void {
  const k = s.k;
  s.print(`(addr: ${hex(t.ipcBuffer)}, ip: ${hex(t.restartPc)}, sp: ${hex(k.getReg(t, "sp"))}, prio: ${t.priority}, max_prio: ${t.mcp}`);
  if (t.faultHandler.type === "endpoint") s.print(`, fault_ep: ${s.object(t.faultHandler.object)}`);
  s.print(`, dom: ${t.domain})\n`);
}

/**
 * The cap a thread names by cptr `i` (lookupCapAndSlot with all 64 bits): seL4 walks slot numbers
 * as cptrs through the thread's CSpace, so guards and nested CNodes decide what each index finds.
 */
function lookupIndex(t: TCB, i: number): { cap: Cap; slot: Slot | undefined } {
  const r = resolveAddressBits(t.cspaceRoot, BigInt(i), 64);
  return r.ok ? { cap: slotCap(r.slot), slot: r.slot } : { cap: { type: "null" }, slot: undefined };
}

/** obj_tcb_print_cnodes. */
function cnodeObjects(s: Snapshot, cnode: Extract<Cap, { type: "cnode" }>, t: TCB): void {
  if (s.seen(cnode)) return;
  s.addSeen(cnode);
  s.print(`${s.object(cnode.object)}_cnode = cnode (${cnode.object.radix} bits)\n`);
  for (let i = 0; i < 2 ** cnode.object.radix; i++) {
    const { cap, slot } = lookupIndex(t, i);
    if (cap.type === "untyped") untypedObject(s, cap, slot!);
    else if (cap.type !== "cnode" && cap.type !== "null") printObject(s, cap);
  }
}

/** obj_ut_print_attrs: named by address and size, then the caps derived from it. */
function untypedObject(s: Snapshot, cap: Extract<Cap, { type: "untyped" }>, slot: Slot): void {
  const u = cap.object;
  const ptr = s.physical(u.paddr);
  s.print(`${ptr}_${u.sizeBits}_untyped = ut (${u.sizeBits} bits, paddr: ${ptr}) {`);
  // seL4 steps from the untyped's own MDB successor every time round, never from the child: with a
  // child it loops forever, silently (a child lies in the untyped's region, so it is not printed).
  const next = mdbNode(slot).next;
  if (next !== undefined && isMDBParentOf(slot, next)) s.stuck("loops forever over this untyped's first child (obj_ut_print_attrs never advances)");
  s.print("}\n");
}

/** print_object: the declaration of the object a CNode slot names (VSpace objects come from the walk). */
function printObject(s: Snapshot, cap: Cap): void {
  switch (cap.type) {
    case "endpoint":
      return s.print(`${s.object(cap.object)}_ep = ep\n`);
    case "notification":
      return s.print(`${s.object(cap.object)}_notification = notification\n`);
    case "tcb":
      return; // declared by print_objects
    case "reply":
      return s.print(`${s.object(cap.object)}_reply = rtreply\n`);
    case "sched_context":
      s.print(`${s.object(cap.object)}_sc = sc `);
      return scAttrs(s, cap);
    case "irq_handler":
      return s.print(`${pointer(BigInt(cap.object.irq))}_0_irq = irq\n`);
    default:
      return s.arch.printObjectArch(s, cap);
  }
}

/** obj_sc_print_attrs: period and budget (the sum of the refills) in µs and ticks, and the object size. */
function scAttrs(s: Snapshot, cap: Extract<Cap, { type: "sched_context" }>): void {
  const sc = cap.object;
  const f = threadFacts(s.k.abi);
  const budget = refills(s.k, sc).reduce((sum, r) => sum + r.rAmount, 0n);
  const period = sc.scPeriod;
  const bits = sc.sizeBits ?? objectRegion(sc)?.sizeBits ?? f.microkitSchedContextSizeBits;
  s.print(`(period: ${ticksToUs(f, period)} us (${period} ticks), budget: ${ticksToUs(f, budget)} us (${budget} ticks), ${bits} bits)\n`);
}

/** print_caps: per thread its CNode's slots, its VSpace's tables, then the thread's own slots. */
function printCaps(s: Snapshot): void {
  for (const t of threads(s)) {
    cnodeSlots(s, t);
    s.arch.capVTable(s, t);
    tcbSlots(s, t);
  }
}

/** obj_cnode_print_slots, then obj_irq_print_slots for each IRQ handler cap found there. */
function cnodeSlots(s: Snapshot, t: TCB): void {
  const root = t.cspaceRoot;
  if (root.type !== "cnode" || s.seen(root)) return;
  s.addSeen(root);
  s.print(`${s.object(root.object)}_cnode {\n`);
  const size = 2 ** root.object.radix;
  for (let i = 0; i < size; i++) {
    const { cap } = lookupIndex(t, i);
    if (cap.type === "null") continue;
    s.print(`${hex(i)}: `);
    printCap(s, cap);
  }
  s.print("}\n");
  for (let i = 0; i < size; i++) {
    const { cap } = lookupIndex(t, i);
    if (cap.type === "irq_handler") irqSlots(s, cap.object.irq);
  }
}

/** obj_irq_print_slots: an active line and the notification it signals. */
function irqSlots(s: Snapshot, irq: number): void {
  if (!s.k.irqs.isActive(irq)) return;
  s.print(`${hex(irq)}_0_irq {\n`);
  const ntfn = s.k.irqs.get(irq)?.notification;
  if (ntfn !== undefined && ntfn.type !== "null") {
    s.print("0x0: ");
    printCap(s, ntfn);
  }
  s.print("}\n");
}

/** obj_irq_print_maps: every active line with a notification, 0..maxIRQ (one core). */
function printIrqMaps(s: Snapshot): void {
  s.print("irq maps {\n");
  for (let irq = 0; irq <= s.k.maxIrq; irq++) {
    const ntfn = s.k.irqs.get(irq)?.notification;
    if (s.k.irqs.isActive(irq) && ntfn !== undefined && ntfn.type !== "null") s.print(`${irq}: ${hex(irq)}_0_irq\n`);
  }
  s.print("}\n");
}

/** obj_tcb_print_slots (MCS). */
function tcbSlots(s: Snapshot, t: TCB): void {
  s.print(`${s.tcb(t)}_tcb {\n`);
  const c = t.cspaceRoot;
  if (c.type === "cnode") s.print(`cspace: ${s.object(c.object)}_cnode (guard: ${c.guard}, guard_size: ${c.guardSize})\n`);
  const v = t.vspaceRoot;
  if (v.type === "vspace" || v.type === "page_table") s.print(`vspace: ${s.object(v.object)}_pd\n`);
  // The tcbBuffer slot holds a frame cap exactly when SetIPCBuffer / Configure gave a non-zero address.
  if (t.ipcBuffer !== 0n) s.arch.ipcBufferSlot(s, t);
  if (t.faultHandler.type === "endpoint") {
    s.print(`fault_ep_slot: ${s.object(t.faultHandler.object)}_ep `);
    endpointAttrs(s, t.faultHandler);
  }
  if (t.sc !== undefined) s.print(`sc_slot: ${s.object(t.sc)}_sc\n`);
  if (t.timeoutHandler.type === "endpoint") {
    s.print(`temp_fault_ep_slot: ${s.object(t.timeoutHandler.object)}_ep `);
    endpointAttrs(s, t.timeoutHandler);
  }
  s.print("}\n");
}

/** cap_ep_print_attrs: R W G P, then the badge if any. */
function endpointAttrs(s: Snapshot, cap: Extract<Cap, { type: "endpoint" }>): void {
  const r = cap.rights;
  s.print(`(${r.read ? "R" : ""}${r.write ? "W" : ""}${r.grant ? "G" : ""}${r.grantReply ? "P" : ""}`);
  s.print(cap.badge !== 0n ? `, badge: ${cap.badge})\n` : ")\n");
}

/** print_cap: a cap as a CNode slot lists it. */
function printCap(s: Snapshot, cap: Cap): void {
  switch (cap.type) {
    case "endpoint":
      s.print(`${s.object(cap.object)}_ep `);
      return endpointAttrs(s, cap);
    case "notification": {
      s.print(`${s.object(cap.object)}_notification (${cap.rights.read ? "R" : ""}${cap.rights.write ? "W" : ""}`);
      return s.print(cap.badge !== 0n ? `, badge: ${cap.badge})\n` : ")\n");
    }
    case "untyped":
      return s.print(`${s.physical(cap.object.paddr)}_untyped\n`);
    case "tcb":
      return s.print(`${s.tcb(cap.object)}_tcb\n`);
    case "cnode":
      return s.print(`${s.object(cap.object)}_cnode (guard: ${cap.guard}, guard_size: ${cap.guardSize})\n`);
    case "reply":
      return s.print(`${s.object(cap.object)}_reply\n`);
    case "sched_context":
      return s.print(`${s.object(cap.object)}_sc\n`);
    case "sched_control":
      return s.print(`${cap.object.core}_sched_control\n`);
    case "irq_control":
      return s.print("irq_control\n");
    case "irq_handler":
      return s.print(`${pointer(BigInt(cap.object.irq))}_0_irq\n`);
    default:
      return s.arch.printCapArch(s, cap);
  }
}

/** "[unknown cap N]" / "[unknown object N]": the arch printers' default, with seL4's capType tag. */
export function unknown(s: Snapshot, what: "cap" | "object", cap: Cap): void {
  s.print(`[unknown ${what} ${capTypeTag(cap)}]\n`);
}
