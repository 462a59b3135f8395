// seL4_DebugSnapshot of a small hand-built kernel state (seL4 src/machine/capdl.c and the
// architectures' capdl.c): one thread with a CNode holding an endpoint, a notification, a reply, an
// SC, its own TCB and an untyped; a VSpace with one frame mapped; an IRQ handler. Objects sit at
// chosen physical addresses, so every name is the kernel-window address seL4 would print.
import { describe, expect, test } from "vitest";
import { presetAbi, type Arch } from "../../kernel/abi.js";
import { ALL_RIGHTS, type Cap } from "../../kernel/cap.js";
import { capdlSnapshot } from "../../kernel/capdl-snapshot.js";
import { insertNewCap, insertOriginalCap } from "../../kernel/cspace.js";
import { Kernel } from "../../kernel/kernel.js";
import { CNode } from "../../kernel/objects/cnode.js";
import { Endpoint } from "../../kernel/objects/endpoint.js";
import { Frame } from "../../kernel/objects/frame.js";
import { Notification } from "../../kernel/objects/notification.js";
import { Reply } from "../../kernel/objects/reply.js";
import { SchedContext } from "../../kernel/objects/schedcontext.js";
import { TCB } from "../../kernel/objects/tcb.js";
import { recordObjectRegion, Untyped } from "../../kernel/objects/untyped.js";
import { refillNew } from "../../kernel/sporadic.js";
import { ASIDPool, assignASID, installMapping, linkTable, PageTable, rootCap, writeLeaf } from "../../kernel/vspace.js";
import { RecordingHost, Sim } from "./harness.js";

/** The kernel window of sel4test's kernels (paddr_to_pptr adds it). */
const WINDOW: Record<Arch, bigint> = { aarch64: 0xffff_ff80_0000_0000n, riscv64: 0xffff_ffc0_0000_0000n };

/** printf("%p"). */
const p = (v: bigint): string => (v === 0n ? "0" : `0x${v.toString(16)}`);

// Physical addresses of the objects.
const TCB_PA = 0x4100_0000n;
const CNODE_PA = 0x4100_1000n;
const EP_PA = 0x4100_2000n;
const NTFN_PA = 0x4100_2100n;
const REPLY_PA = 0x4100_2200n;
const SC_PA = 0x4100_2400n;
const UT_PA = 0x4200_0000n;
const ROOT_PA = 0x4300_0000n;
const FRAME_PA = 0x4400_0000n;

function world(arch: Arch) {
  const abi = presetAbi(`sel4test-${arch}`);
  const host = new RecordingHost();
  const k = new Kernel(abi, host);
  const place = <T extends object>(o: T, base: bigint, sizeBits: number): T => {
    recordObjectRegion(o, { base, sizeBits });
    return o;
  };
  const t = place(new TCB("snapshot-child", abi.userContext.length), TCB_PA, 11);
  k.tcbDebugAppend(t);
  // The root task is on the list too, and is left out by its name.
  k.tcbDebugAppend(new TCB("rootserver", abi.userContext.length));
  const cnode = place(new CNode(4), CNODE_PA, 9);
  const ep = place(new Endpoint(), EP_PA, 4);
  const ntfn = place(new Notification(), NTFN_PA, 5);
  const reply = place(new Reply(), REPLY_PA, 5);
  const sc = place(new SchedContext(0n, 0n, 0n, 8), SC_PA, 8);
  // 1 ms per 2 ms, in ticks of the board's timer (62.5 MHz, 10 MHz).
  const tick = arch === "aarch64" ? 62_500n : 10_000n;
  refillNew(k, sc, 4, tick, 2n * tick);
  sc.tcb = t;
  t.sc = sc;
  const put = (i: number, cap: Cap): void => insertOriginalCap({ cnode, index: i }, cap);
  put(1, { type: "endpoint", object: ep, badge: 0n, rights: ALL_RIGHTS });
  insertNewCap({ cnode, index: 1 }, { cnode, index: 2 }, { type: "endpoint", object: ep, badge: 0x11n, rights: { read: false, write: true, grant: false, grantReply: true } });
  put(3, { type: "notification", object: ntfn, badge: 5n, rights: { read: false, write: true, grant: false, grantReply: false } });
  put(4, { type: "reply", object: reply, canGrant: true });
  put(5, { type: "sched_context", object: sc });
  put(6, { type: "tcb", object: t });
  put(7, { type: "untyped", object: new Untyped(UT_PA, 12, false), freeIndex: 0n });
  const handler = k.irqs.handler(40);
  handler.notification = { type: "notification", object: ntfn, badge: 8n, rights: { read: false, write: true, grant: false, grantReply: false } };
  put(8, { type: "irq_handler", object: handler });
  const cnodeCap: Cap = { type: "cnode", object: cnode, guard: 0n, guardSize: 60 };
  put(9, cnodeCap);

  // A VSpace mapping one read-write, execute-never page at 0x1000_0000.
  const vm = abi.vm;
  const pool = new ASIDPool(vm.asidLowBits);
  k.asidTable[0] = pool;
  const root = place(new PageTable(vm.rootIndexBits), ROOT_PA, 12);
  assignASID(k, pool, 1n, root);
  let table = root;
  const tables: PageTable[] = [root];
  for (let level = 1; level < vm.levels; level++) {
    const next = place(new PageTable(vm.ptIndexBits), ROOT_PA + BigInt(level) * 0x1000n, 12);
    linkTable(k, table, level === vm.levels - 1 ? 128 : 0, next);
    tables.push(next);
    table = next;
  }
  writeLeaf(k, table, 0, { paddr: FRAME_PA, sizeBits: 12, rights: "ReadWrite", executable: false, cacheable: true });

  t.cspaceRoot = cnodeCap;
  t.vspaceRoot = rootCap(k, root);
  t.priority = 77;
  t.mcp = 88;
  t.restartPc = 0x400123n;
  k.setReg(t, "sp", 0x7ff000n);
  t.faultHandler = { type: "endpoint", object: ep, badge: 0x22n, rights: ALL_RIGHTS };
  return { k, host, t, cnode, tables };
}

/** The text seL4 prints for world(arch). */
function expected(arch: Arch): string[] {
  const v = (pa: bigint): string => p(WINDOW[arch] + pa);
  const tcb = v(TCB_PA + 0x400n);
  const [ep, ntfn, reply, sc, cnode] = [v(EP_PA), v(NTFN_PA), v(REPLY_PA), v(SC_PA), v(CNODE_PA)];
  const t = (i: number): string => v(ROOT_PA + BigInt(i) * 0x1000n); // the tables: root, then one per level
  const ticks = arch === "aarch64" ? [125000, 62500] : [20000, 10000];
  const head = [
    `Debug snapshot syscall from user thread ${tcb} "snapshot-child"`,
    `arch ${arch === "aarch64" ? "aarch64" : "riscv"}`,
    "objects {",
  ];
  // The VSpace objects: entries named by the address of the entry (pte_t *) holding them.
  const vspaceObjects = arch === "aarch64"
    ? [`${t(0)}_pd = pgd`, `pud_${t(0)}_0000 = pud`, `pd_${t(1)}_0000 = pd`, `pt_${v(ROOT_PA + 0x2000n + 128n * 8n)}_0128 = pt`,
      `frame_${t(3)}_0000 = frame (4k, paddr: 0x${p(FRAME_PA)})`]
    : [`${t(0)}_pd = pt`, `pt_${t(0)}_0000 = pt`, `pt_${v(ROOT_PA + 0x1000n + 128n * 8n)}_0128 = pt`,
      // RISC-V prints the physical page number.
      `frame_${t(2)}_0000 = frame (4k, paddr: 0x${p(FRAME_PA >> 12n)})`];
  const objects = [
    `${tcb}_tcb = tcb (addr: 0x0, ip: 0x400123, sp: 0x7ff000, prio: 77, max_prio: 88, fault_ep: ${ep}, dom: 0)`,
    `${cnode}_cnode = cnode (4 bits)`,
    `${ep}_ep = ep`,
    `${ep}_ep = ep`,
    `${ntfn}_notification = notification`,
    `${reply}_reply = rtreply`,
    `${sc}_sc = sc (period: 2000 us (${ticks[0]} ticks), budget: 1000 us (${ticks[1]} ticks), 8 bits)`,
    `${v(UT_PA)}_12_untyped = ut (12 bits, paddr: ${v(UT_PA)}) {}`,
    "0x28_0_irq = irq",
    "}",
  ];
  const cnodeCaps = [
    "caps {",
    `${cnode}_cnode {`,
    `0x1: ${ep}_ep (RWGP)`,
    `0x2: ${ep}_ep (WP, badge: 17)`,
    `0x3: ${ntfn}_notification (W, badge: 5)`,
    `0x4: ${reply}_reply`,
    `0x5: ${sc}_sc`,
    `0x6: ${tcb}_tcb`,
    `0x7: ${v(UT_PA)}_untyped`,
    "0x8: 0x28_0_irq",
    `0x9: ${cnode}_cnode (guard: 0, guard_size: 60)`,
    "}",
    "0x28_0_irq {",
    `0x0: ${ntfn}_notification (W, badge: 8)`,
    "}",
  ];
  let vspaceCaps: string[];
  if (arch === "aarch64") {
    const pt = `pt_${v(ROOT_PA + 0x2000n + 128n * 8n)}_0128`;
    vspaceCaps = [`${t(0)}_pd {`, `0x0: pud_${t(0)}_0000`, "}", `pud_${t(0)}_0000 {`, `0x0: pd_${t(1)}_0000`, "}"];
    // Entry 0 of the pud is visited once for each of its 512 entries.
    for (let i = 0; i < 512; i++) {
      vspaceCaps.push(`pd_${t(1)}_${String(i).padStart(4, "0")} {`, `0x80: ${pt}`, "}", `${pt} {`, `0x0: frame_${t(3)}_0000(RW)`, "}");
    }
  } else {
    vspaceCaps = [`${t(0)}_pd {`, `0x0: pt_${t(0)}_0000`, "}", `pt_${t(0)}_0000 {`, `0x80: pt_${v(ROOT_PA + 0x1000n + 128n * 8n)}_0128`, "}",
      `pt_${v(ROOT_PA + 0x1000n + 128n * 8n)}_0128 {`, `0x0: frame_${t(2)}_0000(RW)`, "}"];
  }
  const tcbCaps = [
    `${tcb}_tcb {`,
    `cspace: ${cnode}_cnode (guard: 0, guard_size: 60)`,
    `vspace: ${t(0)}_pd`,
    `fault_ep_slot: ${ep}_ep (RWGP, badge: 34)`,
    `sc_slot: ${sc}_sc`,
    "}",
    "}",
    "irq maps {",
    "40: 0x28_0_irq",
    "}",
  ];
  return [...head, ...vspaceObjects, ...objects, ...cnodeCaps, ...vspaceCaps, ...tcbCaps];
}

describe.each(["aarch64", "riscv64"] as const)("DebugSnapshot on %s", (arch) => {
  test("a thread with a CNode, a VSpace and an SC: seL4's objects, caps and irq maps, named by kernel address", () => {
    const { k, t } = world(arch);
    const r = capdlSnapshot(k, t);
    expect(r.lines).toEqual(expected(arch));
    expect(r.stopped).toBe(false);
  });

  test("a second thread sharing the CNode and VSpace caps adds its TCB only; threads are listed newest first", () => {
    const { k, t } = world(arch);
    const twin = new TCB("twin", k.abi.userContext.length);
    recordObjectRegion(twin, { base: 0x4180_0000n, sizeBits: 11 });
    twin.cspaceRoot = t.cspaceRoot;
    twin.vspaceRoot = t.vspaceRoot;
    k.tcbDebugAppend(twin);
    const lines = capdlSnapshot(k, t).lines;
    const twinTcb = p(WINDOW[arch] + 0x4180_0400n);
    expect(lines.filter((l) => l.endsWith("_cnode = cnode (4 bits)"))).toHaveLength(1);
    expect(lines.filter((l) => l.endsWith("_pd {"))).toHaveLength(1);
    expect(lines.filter((l) => l.endsWith("_tcb = tcb (addr: 0x0, ip: 0x0, sp: 0x0, prio: 0, max_prio: 0, dom: 0)"))).toEqual([`${twinTcb}_tcb = tcb (addr: 0x0, ip: 0x0, sp: 0x0, prio: 0, max_prio: 0, dom: 0)`]);
    // The twin came last, so it is first: its objects and caps come before the first thread's.
    expect(lines.indexOf(`${twinTcb}_tcb {`)).toBeLessThan(lines.indexOf(`${p(WINDOW[arch] + TCB_PA + 0x400n)}_tcb {`));
    expect(lines.indexOf(`${twinTcb}_tcb {`)).toBeGreaterThan(lines.findIndex((l) => l.endsWith("_pd {")));
  });

  test("a deleted thread leaves the list", () => {
    const { k, t } = world(arch);
    k.tcbDebugRemove(t);
    expect(capdlSnapshot(k, t).lines.slice(1)).toEqual([`arch ${arch === "aarch64" ? "aarch64" : "riscv"}`, "objects {", "}", "caps {", "}", "irq maps {", "40: 0x28_0_irq", "}"]);
  });

  test("an untyped with a child: seL4 never finishes the line (obj_ut_print_attrs loops); the snapshot stops there", () => {
    const { k, t, cnode } = world(arch);
    insertNewCap({ cnode, index: 7 }, { cnode, index: 10 }, { type: "untyped", object: new Untyped(UT_PA, 11, false), freeIndex: 0n });
    const r = capdlSnapshot(k, t);
    expect(r.stopped).toBe(true);
    expect(r.lines.slice(-2)).toEqual([
      `${p(WINDOW[arch] + UT_PA)}_12_untyped = ut (12 bits, paddr: ${p(WINDOW[arch] + UT_PA)}) {`,
      "(DebugSnapshot: seL4 loops forever over this untyped's first child (obj_ut_print_attrs never advances); the machine is halted here)",
    ]);
  });

  test("a frame cap in the CNode and an IPC buffer: AArch64 fails its assertion and halts; RISC-V prints the slots", () => {
    const { k, t, cnode, tables } = world(arch);
    const vm = k.abi.vm;
    const pt = tables[vm.levels - 1]!;
    writeLeaf(k, pt, 1, { paddr: FRAME_PA + 0x1000n, sizeBits: 12, rights: "ReadOnly", executable: true, cacheable: true });
    t.ipcBuffer = 0x1000_1000n;
    insertOriginalCap({ cnode, index: 11 }, { type: "frame", object: new Frame(FRAME_PA, 12, false), rights: "ReadWrite", mappedAsid: 1n, mappedAddress: 0x1000_0000n });
    const r = capdlSnapshot(k, t);
    const slot = (i: number): string => p(WINDOW[arch] + ROOT_PA + BigInt(vm.levels - 1) * 0x1000n + BigInt(8 * i));
    if (arch === "aarch64") {
      expect(r.stopped).toBe(true);
      expect(r.lines.slice(-1)).toEqual(["0xb: seL4 failed assertion '0' at src/arch/arm/64/machine/capdl.c:131 in function _cap_frame_print_attrs_vptr"]);
    } else {
      expect(r.stopped).toBe(false);
      expect(r.lines).toContain(`0xb: frame_${slot(0)}_0000 (RW)`);
      expect(r.lines).toContain(`ipc_buffer_slot: frame_${slot(1)}_0001 (RX)`);
    }
  });

  test("DebugSnapshot as a syscall: lines on the kernel console; objects no Retype placed get obj<n> names; a halt where seL4 stops", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("pd");
    sim.k.tcbDebugAppend(pd.tcb);
    const root = sim.newVSpace();
    pd.tcb.vspaceRoot = root;
    if (root.type !== "vspace" && root.type !== "page_table") throw new Error("no VSpace root");
    installMapping(sim.k, root.object, 0x20_0000n, { paddr: FRAME_PA, sizeBits: 12, rights: "ReadOnly", executable: true, cacheable: true });
    sim.start(pd);
    sim.trap(pd, "seL4_SysDebugSnapshot");
    const lines = sim.host.lines;
    expect(lines[0]).toBe(`Debug snapshot syscall from user thread obj1 "pd"`);
    // The PD's objects have no kernel addresses: numbered as they are met.
    expect(lines.slice(2, 5)).toEqual(arch === "aarch64"
      // Microkit's AArch64 kernel is a hypervisor with a VSpace from level 1: the objects walk reads
      // the root's entry 0 as the root, so it lists the level-3 table as a pd, and no frames.
      ? ["objects {", "obj2_pd = pud", "pd_obj3+0x8_0001 = pd"]
      : ["objects {", "obj2_pd = pt", "pt_obj2_0000 = pt"]);
    expect(lines.at(-1)).toBe(arch === "aarch64"
      ? "ipc_buffer_slot: seL4 failed assertion '0' at src/arch/arm/64/machine/capdl.c:115 in function _cap_frame_print_attrs_vptr"
      : "ipc_buffer_slot: seL4 failed assertion 'lu_ret.ptBitsLeft == seL4_PageBits' at src/arch/riscv/machine/capdl.c:117 in function cap_frame_print_attrs_vptr");
    expect(sim.host.halts).toBe(1);
    // The call returned: the thread goes on after the halt request.
    expect(pd.tcb.state).toBe("Running");
  });
});
