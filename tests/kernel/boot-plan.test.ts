// The root-task boot plan against what the real kernel handed sel4test's driver (boot.json
// sel4test_concrete): the same platform, image and DTB must give the same slot regions and the
// same untyped list, entry by entry.
import { describe, expect, test } from "vitest";
import { presetAbi, readAbiFile, type Arch } from "../../kernel/abi.js";
import { encodeBootInfo, encodeExtraBootInfo } from "../../kernel/boot/bootinfo.js";
import { planBoot, type BootInput } from "../../kernel/boot/plan.js";
import { defaultRamBytes, kernelImageSize, kernelPlatform } from "../../kernel/boot/platform.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const concrete = (arch: Arch): Json => (readAbiFile("boot.json") as Json)["sel4test_concrete"][arch];
const span = (text: string): [bigint, bigint] => text.split("..").map((x) => BigInt(`0x${x}`)) as [bigint, bigint];
const GIB = 1n << 30n;

/** sel4test ran QEMU with -m 2G (aarch64) and -m 3G (riscv64). */
const RAM: Record<Arch, bigint> = { aarch64: 2n * GIB, riscv64: 3n * GIB };

function sel4testInput(arch: Arch): { input: BootInput; abi: ReturnType<typeof presetAbi> } {
  const abi = presetAbi(`sel4test-${arch}`);
  const c = concrete(arch);
  const platform = kernelPlatform(arch === "aarch64" ? "qemu_virt_aarch64" : "qemu_virt_riscv64", abi, RAM[arch]);
  const [ram] = platform.memory;
  const image = kernelImageSize(arch);
  const virt = (c["reserved_kernel_virt_regions"] as string[]).map(span);
  const offset = virt[0]![0] - ram!.start;
  const [ui, dtb] = [virt[2]!, virt[1]!];
  return {
    abi,
    input: {
      memory: platform.memory,
      kernelDevices: platform.kernelDevices,
      kernelImage: { start: ram!.start, end: ram!.start + image.bytes, bootEnd: ram!.start + image.bootBytes },
      dtb: { paddr: dtb[0] - offset, size: dtb[1] - dtb[0] },
      userImage: { start: ui[0] - offset, end: ui[1] - offset, vstart: BigInt(c["root_task_image_vaddr"][0]) },
    },
  };
}

describe.each(["aarch64", "riscv64"] as const)("booting sel4test's driver on %s", (arch) => {
  const c = concrete(arch);
  const { abi, input } = sel4testInput(arch);
  const plan = planBoot(abi, input);

  test("the kernel sees the RAM the real one printed", () => {
    expect(input.memory.map((r) => `${r.start.toString(16)}..${r.end.toString(16)}`)).toEqual(c["available_phys_memory"]);
    expect(plan.bootLog).toContain(`  [${c["available_phys_memory"][0]})`.replace("..", ".."));
  });

  test("the reserved kernel-virtual regions are the real kernel's", () => {
    const printed = plan.bootLog.slice(plan.bootLog.findIndex((l) => l.startsWith("Reserved virt address space regions")) + 1).map((l) => l.trim().slice(1, -1));
    expect(printed).toEqual(c["reserved_kernel_virt_regions"]);
  });

  test("slot regions equal the real BootInfo's", () => {
    const region = (r: { start: number; end: number }): number[] => [r.start, r.end];
    expect(region(plan.slots.userImagePaging)).toEqual(c["userImagePaging"]);
    expect(region(plan.slots.userImageFrames)).toEqual(c["userImageFrames"]);
    expect(region(plan.slots.untyped)).toEqual(c["untyped"]);
    expect(region(plan.slots.empty)).toEqual(c["empty"]);
    // Not printed by sel4test; what the slot numbers leave (boot.json README).
    expect(region(plan.slots.extraBIPages)).toEqual(arch === "aarch64" ? [21, 23] : [20, 22]);
    expect(region(plan.slots.schedcontrol)).toEqual(arch === "aarch64" ? [23, 24] : [22, 23]);
  });

  test("the IPC buffer follows the image, and the untyped list equals the real one entry by entry", () => {
    expect(plan.entryArgs.ipcBuffer).toBe(BigInt(c["ipcBuffer"]));
    expect(plan.userImageV.start).toBe(BigInt(c["root_task_image_vaddr"][0]));
    expect(plan.userImageV.end).toBe(BigInt(c["root_task_image_vaddr"][1]));
    const want = (c["untypedList"] as Json[]).map((u) => ({ paddr: BigInt(u["paddr"]), sizeBits: u["sizeBits"], isDevice: u["isDevice"] === 1 }));
    expect(plan.untypeds).toEqual(want);
  });

  test("the root server objects lie in one aligned block at the top of RAM, none overlapping", () => {
    const o = plan.objects;
    const r = plan.rootserverRegion;
    const all = [o.cnode, o.vspace, o.asidPool, o.ipcBuffer, o.bootInfo, o.extraBootInfo!, o.tcb, o.schedContext, ...plan.paging.map((p) => p.paddr)];
    for (const a of all) expect(a >= r.start && a < r.end).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    expect(o.cnode % (1n << BigInt(abi.objectBits["seL4_SlotBits"]! + plan.rootCNodeBits))).toBe(0n);
    expect(r.end <= input.memory[0]!.end).toBe(true);
  });
});

test("without --ram a QEMU board has the RAM Microkit configures for it", () => {
  expect(defaultRamBytes("qemu_virt_aarch64")).toBe(2n * GIB);
  expect(defaultRamBytes("odroidc4")).toBeUndefined();
  const abi = presetAbi("sel4test-riscv64");
  expect(kernelPlatform("qemu_virt_riscv64", abi).memory).toEqual([{ start: 0x8020_0000n, end: 0x1_0000_0000n }]);
});

test("too little RAM, an image above the user top, and an oversized image each stop the boot with the kernel's reason", () => {
  const { abi, input } = sel4testInput("aarch64");
  expect(() => kernelPlatform("qemu_virt_riscv64", presetAbi("sel4test-riscv64"), 1n << 20n)).toThrow(/leaves the kernel no memory/);
  const high = { ...input, userImage: { ...input.userImage, vstart: abi.userTop - 0x1000n } };
  expect(() => planBoot(abi, high)).toThrow(/exceeds USER_TOP/);
  const huge = { ...input, memory: [{ start: input.memory[0]!.start, end: input.userImage.end + 0x1000n }] };
  expect(() => planBoot(abi, huge)).toThrow(/no free memory region is big enough/);
});

describe("the BootInfo frame", () => {
  const { abi, input } = sel4testInput("aarch64");
  const plan = planBoot(abi, input);
  const layout = (readAbiFile("boot.json") as Json)["seL4_BootInfo"]["fields"];
  const frame = encodeBootInfo(plan, true);
  const view = new DataView(frame.buffer);
  const word = (name: string, i = 0): bigint => view.getBigUint64(layout[name]["offset"] + 8 * i, true);

  test("holds the plan's slot regions and facts at the libsel4 offsets", () => {
    expect(frame.length).toBe(4096);
    expect(word("extraLen")).toBe(16n + input.dtb!.size);
    expect(word("numNodes")).toBe(1n);
    expect(word("ipcBuffer")).toBe(0x816000n);
    expect([word("untyped"), word("untyped", 1)]).toEqual([1070n, 1132n]);
    expect([word("empty"), word("empty", 1)]).toEqual([1132n, 8192n]);
    expect([word("schedcontrol"), word("schedcontrol", 1)]).toEqual([23n, 24n]);
    expect(word("initThreadCNodeSizeBits")).toBe(13n);
  });

  test("untypedList[i] describes untyped slot start + i: paddr, sizeBits, isDevice", () => {
    const base = layout["untypedList"]["offset"];
    const last = plan.untypeds.length - 1;
    expect(view.getBigUint64(base + 16 * last, true)).toBe(0xbffe0000n);
    expect(view.getUint8(base + 16 * last + 8)).toBe(17);
    expect(view.getUint8(base + 9)).toBe(1);
    expect(view.getUint8(base + 16 * last + 9)).toBe(0);
    expect(view.getBigUint64(base + 16 * (last + 1), true)).toBe(0n);
  });

  test("the extra boot info is one FDT chunk: id 6, length header + DTB, then the DTB", () => {
    const dtb = Uint8Array.from({ length: Number(input.dtb!.size) }, (_, i) => i & 0xff);
    const extra = encodeExtraBootInfo(plan, dtb);
    expect(extra.length).toBe(8192);
    const v = new DataView(extra.buffer);
    expect(v.getBigUint64(0, true)).toBe(6n);
    expect(v.getBigUint64(8, true)).toBe(16n + input.dtb!.size);
    expect(extra.subarray(16, 16 + dtb.length)).toEqual(dtb);
  });
});
