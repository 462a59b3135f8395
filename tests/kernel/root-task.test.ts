// The initial thread's objects and caps as seL4's boot code makes them (create_root_cnode,
// create_it_address_space, create_initial_thread, create_untypeds, ...), from a boot plan.
import { describe, expect, test } from "vitest";
import { presetAbi, readAbiFile, type Arch } from "../../kernel/abi.js";
import { planBoot } from "../../kernel/boot/plan.js";
import { kernelImageSize, kernelPlatform } from "../../kernel/boot/platform.js";
import { createRootTask } from "../../kernel/boot/root-task.js";
import { Kernel } from "../../kernel/kernel.js";
import { lookupPTSlot, PageTable } from "../../kernel/vspace.js";
import { RecordingHost } from "./harness.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const slots = (readAbiFile("boot.json") as Json)["initial_cnode_slots"] as Record<string, number>;
const ENTRY = 0x400123n;

function boot(arch: Arch) {
  const abi = presetAbi(`sel4test-${arch}`);
  const platform = kernelPlatform(`qemu_virt_${arch}`, abi);
  const ram = platform.memory[0]!;
  const image = kernelImageSize(arch);
  const dtb = { paddr: ram.start + image.bytes, size: 0x1234n };
  const userStart = ram.start + image.bytes + 0x2000n;
  const plan = planBoot(abi, {
    memory: platform.memory, kernelDevices: platform.kernelDevices, dtb,
    kernelImage: { start: ram.start, end: ram.start + image.bytes, bootEnd: ram.start + image.bootBytes },
    userImage: { start: userStart, end: userStart + 0x5000n, vstart: 0x400000n },
  });
  const k = new Kernel(abi, new RecordingHost(), { maxIrq: platform.irq.max });
  const root = createRootTask(k, plan, ENTRY);
  return { abi, plan, k, root };
}

describe.each(["aarch64", "riscv64"] as const)("the root task's objects on %s", (arch) => {
  const { abi, plan, k, root } = boot(arch);
  const cap = (slot: number) => root.cnode.slots[slot]!;

  test("the fixed slots hold seL4's initial caps; the slots of absent objects are empty", () => {
    expect(cap(slots["seL4_CapNull"]!).type).toBe("null");
    expect(cap(slots["seL4_CapInitThreadTCB"]!)).toMatchObject({ type: "tcb", object: root.tcb });
    expect(cap(slots["seL4_CapInitThreadCNode"]!)).toMatchObject({ type: "cnode", object: root.cnode, guard: 0n, guardSize: 64 - 13 });
    expect(cap(slots["seL4_CapInitThreadVSpace"]!)).toMatchObject({ type: arch === "aarch64" ? "vspace" : "page_table", object: root.vspace, isMapped: true, mappedAsid: 1n });
    expect(cap(slots["seL4_CapIRQControl"]!).type).toBe("irq_control");
    expect(cap(slots["seL4_CapASIDControl"]!).type).toBe("asid_control");
    expect(cap(slots["seL4_CapInitThreadASIDPool"]!)).toMatchObject({ type: "asid_pool", asidBase: 0n });
    expect(cap(slots["seL4_CapBootInfoFrame"]!)).toMatchObject({ type: "frame", mappedAsid: 1n, mappedAddress: plan.entryArgs.bootInfo, rights: "ReadWrite" });
    expect(cap(slots["seL4_CapInitThreadIPCBuffer"]!)).toMatchObject({ type: "frame", mappedAddress: plan.entryArgs.ipcBuffer });
    expect(cap(slots["seL4_CapDomain"]!).type).toBe("domain");
    expect(cap(slots["seL4_CapInitThreadSC"]!)).toMatchObject({ type: "sched_context", object: root.tcb.sc });
    // sel4test's kernels allow no SMC calls: no SMC cap either.
    for (const name of ["seL4_CapIOPortControl", "seL4_CapIOSpace", "seL4_CapSMMUSIDControl", "seL4_CapSMMUCBControl", "seL4_CapSMC"]) {
      expect(cap(slots[name]!).type).toBe("null");
    }
  });

  test("the listed slots: page tables linked where the plan says, mapped frames, SchedControl, untypeds", () => {
    plan.paging.forEach((p, i) => {
      const c = cap(plan.slots.userImagePaging.start + i);
      expect(c).toMatchObject({ type: "page_table", isMapped: true, mappedAsid: 1n, mappedAddress: p.vaddr });
      // The table sits in the VSpace exactly where its parent's entry for that address is.
      const at = lookupPTSlot(k, root.vspace, p.vaddr);
      expect(at.bitsLeft).toBeLessThan(p.coverBits);
    });
    plan.imageFrames.forEach((f, i) => {
      expect(cap(plan.slots.userImageFrames.start + i)).toMatchObject({ type: "frame", mappedAddress: f.vaddr, object: { paddr: f.paddr } });
      const at = lookupPTSlot(k, root.vspace, f.vaddr);
      const leaf = at.table.entries[at.index];
      expect(leaf instanceof PageTable ? undefined : leaf).toMatchObject({ paddr: f.paddr, rights: "ReadWrite", executable: true });
    });
    expect(cap(plan.slots.schedcontrol.start)).toMatchObject({ type: "sched_control", object: { core: 0 } });
    plan.untypeds.forEach((u, i) => {
      expect(cap(plan.slots.untyped.start + i)).toMatchObject({ type: "untyped", freeIndex: 0n, object: { paddr: u.paddr, sizeBits: u.sizeBits, isDevice: u.isDevice } });
    });
    expect(cap(plan.slots.empty.start).type).toBe("null");
  });

  test("the thread: every register zero but the BootInfo address and the pc; priority and MCP 255; a 5 ms round-robin SC; runnable", () => {
    const t = root.tcb;
    const nonZero = [...t.context.entries()].filter(([, v]) => v !== 0n).map(([i]) => abi.userContext[i]);
    expect(nonZero.sort()).toEqual([abi.roles.cap, "pc"].sort());
    expect(k.getReg(t, abi.roles.cap)).toBe(plan.entryArgs.bootInfo);
    expect(k.getReg(t, "pc")).toBe(ENTRY);
    expect([t.priority, t.mcp, t.domain, t.name, t.ipcBuffer]).toEqual([255, 255, 0, "rootserver", plan.entryArgs.ipcBuffer]);
    expect([t.sc!.budget, t.sc!.period]).toEqual([5000n, 5000n]);
    expect(k.schedule()).toBe(t);
  });
});
