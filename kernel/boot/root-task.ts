// The kernel objects and caps seL4 makes for the initial thread (seL4 src/kernel/boot.c
// create_root_cnode, create_domain_cap, create_it_asid_pool, init_sched_control,
// create_frames_of_region, create_initial_thread, create_untypeds; src/arch/*/kernel/boot.c
// init_irqs; src/arch/*/kernel/vspace.c create_it_address_space), at the places a BootPlan gives.
// Every cap is an original (write_slot: revocable, first badged), in the slot seL4 writes it to.
import { readAbiFile } from "../abi.js";
import type { Cap } from "../cap.js";
import { insertOriginalCap } from "../cspace.js";
import type { Kernel } from "../kernel.js";
import { threadFacts } from "../marshalling.js";
import { CNode } from "../objects/cnode.js";
import { Frame } from "../objects/frame.js";
import { SchedContext } from "../objects/schedcontext.js";
import { SchedControl } from "../objects/schedcontrol.js";
import { TCB } from "../objects/tcb.js";
import { recordObjectRegion, Untyped } from "../objects/untyped.js";
import { ASIDPool, assignASID, linkTable, lookupPTSlot, PageTable, rootCap, writeLeaf, type Leaf } from "../vspace.js";
import type { BootPlan, MappedFrame } from "./plan.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** IT_ASID: the initial thread's ASID (seL4 include/arch/*\/arch/kernel/vspace.h), in the pool at ASID-table index 0. */
const IT_ASID = 1n;

export interface RootTask {
  readonly tcb: TCB;
  readonly cnode: CNode;
  readonly vspace: PageTable;
}

/** boot.json initial_cnode_slots: seL4_CapInitThreadTCB, ... */
function initialSlots(): Readonly<Record<string, number>> {
  return (readAbiFile("boot.json") as Json)["initial_cnode_slots"];
}

/**
 * Makes the root task's objects and caps in kernel `k` as seL4's boot code does for `plan`, and
 * makes its thread runnable. `entry` is the ELF entry.
 */
export function createRootTask(k: Kernel, plan: BootPlan, entry: bigint): RootTask {
  const abi = k.abi;
  const bits = (name: string): number => {
    const v = abi.objectBits[name];
    if (v === undefined) throw new Error(`no ${name} for this kernel`);
    return v;
  };
  const slots = initialSlots();
  const o = plan.objects;

  // create_root_cnode: the CNode resolves a whole word in one level (guard size 64 - radix, guard 0).
  const cnode = new CNode(plan.rootCNodeBits);
  recordObjectRegion(cnode, { base: o.cnode, sizeBits: plan.rootCNodeBits + bits("seL4_SlotBits") });
  const cnodeCap: Cap = { type: "cnode", object: cnode, guard: 0n, guardSize: 64 - plan.rootCNodeBits };
  const put = (slot: number, cap: Cap): void => insertOriginalCap({ cnode, index: slot }, cap);
  const fixed = (name: string): number => {
    const s = slots[name];
    if (s === undefined) throw new Error(`boot.json has no slot ${name}`);
    return s;
  };
  put(fixed("seL4_CapInitThreadCNode"), cnodeCap);
  put(fixed("seL4_CapDomain"), { type: "domain" });
  put(fixed("seL4_CapIRQControl"), { type: "irq_control" });
  // init_smc: with ALLOW_SMC_CALLS, an SMC cap for every function (badge 0).
  if (abi.kernelConfig["ALLOW_SMC_CALLS"] === true) put(fixed("seL4_CapSMC"), { type: "smc", badge: 0n });

  // create_it_address_space: the VSpace root and the page tables below it, top level first.
  const vspace = new PageTable(abi.vm.rootIndexBits);
  recordObjectRegion(vspace, { base: o.vspace, sizeBits: bits("seL4_VSpaceBits") });
  const pool = new ASIDPool(abi.vm.asidLowBits);
  recordObjectRegion(pool, { base: o.asidPool, sizeBits: bits("seL4_ASIDPoolBits") });
  k.asidTable[0] = pool;
  assignASID(k, pool, IT_ASID, vspace);
  put(fixed("seL4_CapInitThreadVSpace"), rootCap(k, vspace));
  let slot = plan.slots.userImagePaging.start;
  for (const p of plan.paging) {
    const table = new PageTable(abi.vm.ptIndexBits);
    recordObjectRegion(table, { base: p.paddr, sizeBits: bits("seL4_PageTableBits") });
    const at = lookupPTSlot(k, vspace, p.vaddr);
    if (at.bitsLeft !== p.coverBits) throw new Error(`boot: no parent table for the page table at 0x${p.vaddr.toString(16)}`);
    linkTable(k, at.table, at.index, table);
    put(slot++, { type: "page_table", object: table, isMapped: true, mappedAsid: IT_ASID, mappedAddress: p.vaddr });
  }

  // Frames mapped read-write; only the image's may be executed (create_mapped_it_frame_cap).
  const pageBits = bits("seL4_PageBits");
  const frameCap = (f: MappedFrame, executable: boolean): Cap => {
    const leaf: Leaf = { paddr: f.paddr, sizeBits: pageBits, rights: "ReadWrite", executable, cacheable: true };
    const at = lookupPTSlot(k, vspace, f.vaddr);
    if (at.bitsLeft !== pageBits) throw new Error(`boot: no page table maps 0x${f.vaddr.toString(16)}`);
    writeLeaf(k, at.table, at.index, leaf);
    return { type: "frame", object: new Frame(f.paddr, pageBits, false), rights: "ReadWrite", mappedAsid: IT_ASID, mappedAddress: f.vaddr };
  };
  put(fixed("seL4_CapBootInfoFrame"), frameCap({ vaddr: plan.entryArgs.bootInfo, paddr: o.bootInfo }, false));
  slot = plan.slots.extraBIPages.start;
  for (const f of plan.extraBootInfoFrames) put(slot++, frameCap(f, false));
  slot = plan.slots.schedcontrol.start;
  for (let node = 0; node < plan.slots.schedcontrol.end - plan.slots.schedcontrol.start; node++) put(slot++, { type: "sched_control", object: new SchedControl(node) });
  const ipcBufferCap = frameCap({ vaddr: plan.entryArgs.ipcBuffer, paddr: o.ipcBuffer }, false);
  put(fixed("seL4_CapInitThreadIPCBuffer"), ipcBufferCap);
  slot = plan.slots.userImageFrames.start;
  for (const f of plan.imageFrames) put(slot++, frameCap(f, true));
  put(fixed("seL4_CapInitThreadASIDPool"), { type: "asid_pool", object: pool, asidBase: 0n });
  put(fixed("seL4_CapASIDControl"), { type: "asid_control" });

  // create_initial_thread: registers all zero but the BootInfo address and the pc; maximum
  // priority; a round-robin SC of CONFIG_BOOT_THREAD_TIME_SLICE ms.
  const tcb = new TCB("rootserver", abi.userContext.length);
  recordObjectRegion(tcb, { base: o.tcb, sizeBits: bits("seL4_TCBBits") });
  // init_core_state puts it on the debug list (the idle thread, which the model has no TCB for, after it).
  k.tcbDebugAppend(tcb);
  const maxPrio = threadFacts(abi).maxPrio;
  tcb.priority = maxPrio;
  tcb.mcp = maxPrio;
  tcb.cspaceRoot = cnodeCap;
  tcb.vspaceRoot = rootCap(k, vspace);
  tcb.ipcBuffer = plan.entryArgs.ipcBuffer;
  k.setReg(tcb, abi.roles.cap, plan.entryArgs.bootInfo);
  k.setReg(tcb, "pc", entry);
  tcb.restartPc = entry;
  const sliceUs = BigInt(abi.kernelConfig["BOOT_THREAD_TIME_SLICE"] as string) * 1000n;
  const sc = new SchedContext(sliceUs, sliceUs, 0n, bits("seL4_MinSchedContextBits"));
  recordObjectRegion(sc, { base: o.schedContext, sizeBits: bits("seL4_MinSchedContextBits") });
  sc.tcb = tcb;
  tcb.sc = sc;
  put(fixed("seL4_CapInitThreadTCB"), { type: "tcb", object: tcb });
  put(fixed("seL4_CapInitThreadSC"), { type: "sched_context", object: sc });

  // create_untypeds: device untypeds, the reclaimed boot code, free RAM, in BootInfo order.
  slot = plan.slots.untyped.start;
  for (const u of plan.untypeds) put(slot++, { type: "untyped", object: new Untyped(u.paddr, u.sizeBits, u.isDevice), freeIndex: 0n });

  k.makeRunnable(tcb);
  return { tcb, cnode, vspace };
}
