// The machine side of the kernel's address spaces (emulator/vspaces.ts): an engine built from what a
// root's tables map, then kept equal to them as the kernel writes and clears entries; mappings of
// memory no model backs are reported and left out; an untyped reset zeroes RAM.
import { afterEach, describe, expect, test } from "vitest";
import { kernelAbi } from "../../kernel/abi.js";
import { Kernel } from "../../kernel/kernel.js";
import { ASIDPool, PageTable, assignASID, clearSlot, deleteASID, installMapping, lookupPTSlot, writeLeaf, type Leaf } from "../../kernel/vspace.js";
import { PhysicalMemory } from "../../emulator/physical-memory.js";
import { EngineVSpaces } from "../../emulator/vspaces.js";

const RAM = 0x4000_0000n;
const DEVICE = 0x0900_0000n;
const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0).reverse()) o.close();
});

const leaf = (paddr: bigint, sizeBits: number, rights: Leaf["rights"], executable = false): Leaf => ({ paddr, sizeBits, rights, executable, cacheable: true });

describe.each(["aarch64", "riscv64"] as const)("EngineVSpaces on %s", (arch) => {
  function setup() {
    const diagnostics: string[] = [];
    const memory = new PhysicalMemory([{ base: RAM, size: 0x40_0000n }]);
    open.push(memory);
    const handler = { read: (): bigint => 0n, write: (): void => undefined };
    const vspaces = new EngineVSpaces(arch, memory, { devices: { windows: [{ base: DEVICE, size: 0x1000n }], handler: () => handler }, diagnostic: (l) => diagnostics.push(l) });
    open.push(vspaces);
    const k = new Kernel(kernelAbi(arch), { putChar: () => undefined, debugPrint: () => undefined, ackIrq: () => undefined, halt: () => undefined, enableIrq: () => undefined, disableIrq: () => undefined, vspace: vspaces });
    const pool = new ASIDPool(k.abi.vm.asidLowBits);
    k.asidTable[0] = pool;
    const root = new PageTable(k.abi.vm.rootIndexBits);
    assignASID(k, pool, 1n, root);
    return { k, root, memory, vspaces, diagnostics };
  }

  test("built from the tables: pages merge into mappings, large pages too; device pages reach the window", () => {
    const { k, root, vspaces, diagnostics } = setup();
    expect(installMapping(k, root, 0x10_0000n, leaf(RAM, 12, "ReadOnly", true))).toBeUndefined();
    expect(installMapping(k, root, 0x10_1000n, leaf(RAM + 0x1000n, 12, "ReadOnly", true))).toBeUndefined();
    expect(installMapping(k, root, 0x20_0000n, leaf(RAM + 0x20_0000n, 21, "ReadWrite"))).toBeUndefined();
    expect(installMapping(k, root, 0x50_0000n, leaf(DEVICE, 12, "ReadWrite"))).toBeUndefined();
    expect(installMapping(k, root, 0x60_0000n, leaf(0x0a00_0000n, 12, "ReadWrite"))).toBeUndefined();
    // Something in the way is refused with where.
    expect(installMapping(k, root, 0x20_1000n, leaf(RAM, 12, "ReadOnly"))).toBe("0x201000 overlaps a mapping of another size");
    expect(installMapping(k, root, 0x10_0000n, leaf(RAM, 12, "ReadOnly"))).toBe("0x100000 is mapped already");
    const space = vspaces.spaceFor(k, root, "pd", true);
    expect(vspaces.spaceFor(k, root, "pd", true)).toBe(space);
    expect(space.lookup(0x10_1000n)).toEqual({ va: 0x10_0000n, pa: RAM, size: 0x2000n, rights: { read: true, write: false, execute: true } });
    expect(space.cpu.lookup(0x3f_f008n)).toEqual({ pa: RAM + 0x3f_f008n, rights: { read: true, write: true, execute: false } });
    expect(space.cpu.lookup(0x50_0000n)?.pa).toBe(DEVICE);
    expect(space.cpu.lookup(0x60_0000n)).toBeUndefined();
    expect(diagnostics).toEqual(["pd: no device is modelled at physical 0xa000000 (mapped at 0x600000); accesses will fault"]);
  });

  test("kept equal to the tables: a remap changes rights, a cleared entry unmaps, a lost ASID unmaps everything", () => {
    const { k, root, memory, vspaces } = setup();
    installMapping(k, root, 0x10_0000n, leaf(RAM, 12, "ReadWrite"));
    const space = vspaces.spaceFor(k, root, "pd", true);
    memory.write(RAM + 8n, Uint8Array.of(0x5a));
    expect(space.bytes(0x10_0008n, 1, true)).toEqual(Uint8Array.of(0x5a));
    const slot = lookupPTSlot(k, root, 0x10_0000n);
    writeLeaf(k, slot.table, slot.index, leaf(RAM, 12, "ReadOnly"));
    expect(space.cpu.lookup(0x10_0000n)?.rights).toEqual({ read: true, write: false, execute: false });
    expect(space.bytes(0x10_0008n, 1, true)).toBeUndefined();
    expect(space.bytes(0x10_0008n, 1, false)).toEqual(Uint8Array.of(0x5a));
    clearSlot(k, slot.table, slot.index);
    expect(space.cpu.lookup(0x10_0000n)).toBeUndefined();
    installMapping(k, root, 0x10_0000n, leaf(RAM + 0x1000n, 12, "ReadWrite"));
    expect(space.cpu.lookup(0x10_0000n)?.pa).toBe(RAM + 0x1000n);
    deleteASID(k, 1n, root); // the span (2^40 or 2^39) reaches past the engine's user half: clipped
    expect(space.cpu.lookup(0x10_0000n)).toBeUndefined();
  });

  test("zero() clears RAM; anything but RAM is a bug", () => {
    const { memory, vspaces } = setup();
    memory.write(RAM + 0x1000n, new Uint8Array(16).fill(7));
    vspaces.zero(RAM + 0x1000n, 8n);
    expect(Array.from(memory.view(RAM + 0x1000n, 16)!)).toEqual([...new Array<number>(8).fill(0), ...new Array<number>(8).fill(7)]);
    expect(() => vspaces.zero(DEVICE, 0x1000n)).toThrow("untyped memory 0x9000000+0x1000 is not RAM");
  });
});
