// Address spaces over physical memory: mappings as page-table entries (no engine regions), frames
// shared between engines (data and code), mappings changed while the system runs, device windows,
// and the kernel's rights-checked window onto user memory.
import { afterEach, describe, expect, test } from "vitest";
import { AddressSpace, coalesce, type AddressSpaceOptions, type Mapping } from "../../emulator/address-space.js";
import { MAX_ENGINE_REGIONS, type Arch, type Rights } from "../../emulator/cpu.js";
import { exitToFault } from "../../emulator/exceptions.js";
import { PhysicalMemory } from "../../emulator/physical-memory.js";
import { assemble } from "./asm.js";

const ARCHES = ["aarch64", "riscv64"] as const;
const PAGE = 0x1000n;
const RAM = 0x4000_0000n;

const NONE: Rights = { read: false, write: false, execute: false };
const R: Rights = { read: true, write: false, execute: false };
const RW: Rights = { read: true, write: true, execute: false };
const RX: Rights = { read: true, write: false, execute: true };
const RWX: Rights = { read: true, write: true, execute: true };
const X: Rights = { read: false, write: false, execute: true };

const open: { close(): void }[] = [];
afterEach(() => {
  // Engines first: they map the physical memory's host pages.
  for (const o of open.splice(0).reverse()) o.close();
});

function physical(size = 0x10_0000n): PhysicalMemory {
  const memory = new PhysicalMemory([{ base: RAM, size }]);
  open.push(memory);
  return memory;
}

function space(name: string, arch: Arch, memory: PhysicalMemory, mappings: readonly Mapping[], options: AddressSpaceOptions = {}): AddressSpace {
  const s = new AddressSpace(name, arch, memory, mappings, options);
  open.push(s);
  return s;
}

const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};

describe("coalesce", () => {
  const page = (va: bigint, pa: bigint, rights: Rights): Mapping => ({ va, pa, size: PAGE, rights });

  test("pages continuing each other in virtual and physical space with equal rights become one mapping", () => {
    // Given out of order.
    const merged = coalesce([page(0x12000n, RAM + 0x2000n, RW), page(0x10000n, RAM, RW), page(0x11000n, RAM + 0x1000n, RW)]);
    expect(merged).toEqual([{ va: 0x10000n, pa: RAM, size: 0x3000n, rights: RW }]);
  });

  test("different rights, a physical gap or a virtual gap keep mappings apart", () => {
    expect(coalesce([
      page(0x10000n, RAM, RX),
      page(0x11000n, RAM + 0x1000n, R), // rights differ from the previous
      page(0x12000n, RAM + 0x5000n, R), // physically not contiguous
      page(0x14000n, RAM + 0x6000n, R), // virtually not contiguous
      page(0x15000n, RAM + 0x7000n, R), // continues the previous one
    ])).toEqual([
      { va: 0x10000n, pa: RAM, size: PAGE, rights: RX },
      { va: 0x11000n, pa: RAM + 0x1000n, size: PAGE, rights: R },
      { va: 0x12000n, pa: RAM + 0x5000n, size: PAGE, rights: R },
      { va: 0x14000n, pa: RAM + 0x6000n, size: 0x2000n, rights: R },
    ]);
  });

  test("rights compare by value, not by object identity", () => {
    const merged = coalesce([page(0x10000n, RAM, { read: true, write: true, execute: false }), page(0x11000n, RAM + 0x1000n, { ...RW })]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.size).toBe(0x2000n);
  });

  test("overlapping mappings are an error naming the address", () => {
    expect(() => coalesce([{ va: 0x10000n, pa: RAM, size: 0x2000n, rights: RW }, page(0x11000n, RAM + 0x8000n, RW)])).toThrow(
      "mappings overlap at 0x11000",
    );
  });
});

describe.each(ARCHES)("AddressSpace on %s", (arch) => {
  const a64 = arch === "aarch64";
  const reg = (i: number): string => (a64 ? `x${i}` : `a${i}`);

  test("a frame mapped into two engines at different addresses: stores and host writes are seen by both", () => {
    const memory = physical();
    const SHARED = RAM, CODE_A = RAM + 0x1000n, CODE_B = RAM + 0x2000n;
    // A stores x1 at [x0] and loads [x0 + 8] into x2; B loads [x0] into x2 and [x0 + 8] into x3.
    memory.write(CODE_A, assemble(arch, a64 ? "str x1, [x0]\n ldr x2, [x0, #8]\n svc #0" : ".option norvc\n sd a1, 0(a0)\n ld a2, 8(a0)\n ecall"));
    memory.write(CODE_B, assemble(arch, a64 ? "ldr x2, [x0]\n ldr x3, [x0, #8]\n svc #0" : ".option norvc\n ld a2, 0(a0)\n ld a3, 8(a0)\n ecall"));
    const a = space("a", arch, memory, [
      { va: 0x10000n, pa: CODE_A, size: PAGE, rights: RX },
      { va: 0x20000n, pa: SHARED, size: PAGE, rights: RW },
    ]);
    const b = space("b", arch, memory, [
      { va: 0x10000n, pa: CODE_B, size: PAGE, rights: RX },
      { va: 0x7000_0000n, pa: SHARED, size: PAGE, rights: RW },
    ]);
    a.cpu.writeRegister(reg(0), 0x20000n);
    b.cpu.writeRegister(reg(0), 0x7000_0000n);

    a.cpu.writeRegister(reg(1), 0x1122_3344_5566_7788n);
    expect(a.cpu.run(0x10000n, 100n)).toEqual({ kind: "syscall", pc: 0x1000cn });
    expect(b.cpu.run(0x10000n, 100n)).toEqual({ kind: "syscall", pc: 0x1000cn });
    expect(b.cpu.readRegister(reg(2))).toBe(0x1122_3344_5566_7788n);
    expect(Array.from(memory.view(SHARED, 8)!)).toEqual([0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);

    memory.write(SHARED + 8n, u64(0xcafe_f00d_0bad_beefn));
    a.cpu.run(0x10000n, 100n);
    b.cpu.run(0x10000n, 100n);
    expect(a.cpu.readRegister(reg(2))).toBe(0xcafe_f00d_0bad_beefn);
    expect(b.cpu.readRegister(reg(3))).toBe(0xcafe_f00d_0bad_beefn);
  });

  test("code shared by two engines: the other engine runs stale code until it invalidates", () => {
    const memory = physical();
    const SHARED_CODE = RAM, CODE_A = RAM + 0x1000n;
    const oldCode = assemble(arch, a64 ? "mov x0, #1\n svc #0" : ".option norvc\n li a0, 1\n ecall");
    const newInsn = assemble(arch, a64 ? "mov x0, #2" : ".option norvc\n li a0, 2");
    memory.write(SHARED_CODE, oldCode);
    // A's own code stores the 32-bit word in x1 at [x2].
    memory.write(CODE_A, assemble(arch, a64 ? "str w1, [x2]\n svc #0" : ".option norvc\n sw a1, 0(a2)\n ecall"));
    const a = space("a", arch, memory, [
      { va: 0x10000n, pa: CODE_A, size: PAGE, rights: RX },
      { va: 0x30000n, pa: SHARED_CODE, size: PAGE, rights: RWX },
    ]);
    const b = space("b", arch, memory, [{ va: 0x30000n, pa: SHARED_CODE, size: PAGE, rights: RX }]);
    const result = reg(0);
    for (const s of [a, b, a, b]) {
      expect(s.cpu.run(0x30000n, 100n)).toEqual({ kind: "syscall", pc: 0x30008n });
      expect(s.cpu.readRegister(result)).toBe(1n);
    }

    a.cpu.writeRegister(reg(1), BigInt(new DataView(newInsn.buffer).getUint32(0, true)));
    a.cpu.writeRegister(reg(2), 0x30000n);
    expect(a.cpu.run(0x10000n, 100n)).toEqual({ kind: "syscall", pc: 0x10008n });
    expect(Array.from(memory.view(SHARED_CODE, 4)!)).toEqual(Array.from(newInsn));

    a.cpu.run(0x30000n, 100n);
    expect(a.cpu.readRegister(result)).toBe(2n); // the engine that stored notices
    b.cpu.run(0x30000n, 100n);
    expect(b.cpu.readRegister(result)).toBe(1n); // the other one does not
    b.cpu.invalidate(0x30000n, PAGE);
    b.cpu.run(0x30000n, 100n);
    expect(b.cpu.readRegister(result)).toBe(2n);
  });

  test("1,500 page mappings cost no engine region; a load from each end works", () => {
    const pages = 1500n;
    const memory = physical(0x80_0000n);
    const CODE = RAM + pages * PAGE;
    memory.write(CODE, assemble(arch, a64 ? "ldr x1, [x0]\n ldr x2, [x0, x3]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n add a3, a3, a0\n ld a2, 0(a3)\n ecall"));
    memory.write(RAM, u64(0x1111n));
    memory.write(RAM + pages * PAGE - 8n, u64(0x2222n));
    const mappings: Mapping[] = [{ va: 0x10000n, pa: CODE, size: PAGE, rights: RX }];
    for (let i = 0n; i < pages; i++) mappings.push({ va: 0x100_0000n + i * PAGE, pa: RAM + i * PAGE, size: PAGE, rights: RW });
    const s = space("big", arch, memory, mappings);
    expect(s.cpu.regionCount).toBe(space("empty", arch, memory, []).cpu.regionCount);
    s.cpu.writeRegister(reg(0), 0x100_0000n);
    s.cpu.writeRegister(reg(3), pages * PAGE - 8n);
    expect(s.cpu.run(0x10000n, 100n).kind).toBe("syscall");
    expect([s.cpu.readRegister(reg(1)), s.cpu.readRegister(reg(2))]).toEqual([0x1111n, 0x2222n]);
  });

  test("bytes(): the kernel's view honours the mapping's rights and bounds, and is live both ways", () => {
    const memory = physical();
    memory.write(RAM, assemble(arch, a64 ? "ldr x1, [x0]\n str x2, [x0, #8]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n sd a2, 8(a0)\n ecall"));
    memory.write(RAM + 0x3000n, u64(0x5151_5151n));
    const s = space("rights", arch, memory, [
      { va: 0x10000n, pa: RAM, size: PAGE, rights: RX },
      { va: 0x20000n, pa: RAM + 0x1000n, size: 0x2000n, rights: RW }, // two pages, one mapping
      { va: 0x22000n, pa: RAM + 0x3000n, size: PAGE, rights: R }, // adjacent, but other rights
      { va: 0x30000n, pa: RAM + 0x4000n, size: PAGE, rights: X },
      { va: 0x40000n, pa: RAM + 0x5000n, size: PAGE, rights: NONE },
    ]);
    // The engine's tables hold the same rights (write implies read; no right at all still maps).
    expect(s.cpu.lookup(0x20ffcn)).toEqual({ pa: RAM + 0x1ffcn, rights: RW });
    expect(s.cpu.lookup(0x22000n)).toEqual({ pa: RAM + 0x3000n, rights: R });
    expect(s.cpu.lookup(0x30000n)).toEqual({ pa: RAM + 0x4000n, rights: X });
    expect(s.cpu.lookup(0x40000n)).toEqual({ pa: RAM + 0x5000n, rights: NONE });
    expect(s.cpu.lookup(0x50000n)).toBeUndefined();

    // Read-write: readable and writable, across the page boundary inside the mapping.
    const rw = s.bytes(0x20ffcn, 8, true);
    expect(rw).toBeDefined();
    expect(rw!.length).toBe(8);
    expect(s.bytes(0x21ff8n, 8, true)!.length).toBe(8); // ends exactly at the mapping's end
    expect(s.bytes(0x21ffcn, 8, false)).toBeUndefined(); // runs into the next mapping
    // Read-only: a read view, no write view.
    expect(Array.from(s.bytes(0x22000n, 4, false)!)).toEqual([0x51, 0x51, 0x51, 0x51]);
    expect(s.bytes(0x22000n, 4, true)).toBeUndefined();
    // No read right: nothing, even executable; unmapped: nothing.
    expect(s.bytes(0x30000n, 4, false)).toBeUndefined();
    expect(s.bytes(0x40000n, 4, false)).toBeUndefined();
    expect(s.bytes(0x40000n, 4, true)).toBeUndefined();
    expect(s.bytes(0x50000n, 4, false)).toBeUndefined();
    expect(s.bytes(0x1fff8n, 16, false)).toBeUndefined(); // starts before the mapping

    // Live: what the kernel writes, the guest loads; what the guest stores, the kernel reads.
    s.bytes(0x20100n, 8, true)!.set(u64(0x0123_4567_89ab_cdefn));
    s.cpu.writeRegister(reg(0), 0x20100n);
    s.cpu.writeRegister(reg(2), 0xfedc_ba98_7654_3210n);
    expect(s.cpu.run(0x10000n, 100n)).toEqual({ kind: "syscall", pc: 0x1000cn });
    expect(s.cpu.readRegister(reg(1))).toBe(0x0123_4567_89ab_cdefn);
    const stored = s.bytes(0x20108n, 8, false)!;
    expect(new DataView(stored.buffer, stored.byteOffset, 8).getBigUint64(0, true)).toBe(0xfedc_ba98_7654_3210n);
    expect(s.lookup(0x21fffn)).toEqual({ va: 0x20000n, pa: RAM + 0x1000n, size: 0x2000n, rights: RW });
    expect(s.lookup(0x23000n)).toBeUndefined();
  });
});

describe("AddressSpace engine regions", () => {
  test(`${MAX_ENGINE_REGIONS + 1} mappings that cannot merge are page-table entries; the engine's regions stay as few as for none`, () => {
    const memory = physical(0x80_0000n);
    // Alternating rights: no two neighbours merge.
    const mappings: Mapping[] = [];
    for (let i = 0n; i <= BigInt(MAX_ENGINE_REGIONS); i++) {
      mappings.push({ va: 0x100_0000n + i * PAGE, pa: RAM + i * PAGE, size: PAGE, rights: i % 2n === 0n ? RW : R });
    }
    expect(coalesce(mappings)).toHaveLength(MAX_ENGINE_REGIONS + 1);
    const s = space("many", "aarch64", memory, mappings);
    expect(s.cpu.regionCount).toBe(space("none", "aarch64", memory, []).cpu.regionCount);
    expect(s.cpu.lookup(0x100_0000n + BigInt(MAX_ENGINE_REGIONS) * PAGE)).toEqual({ pa: RAM + BigInt(MAX_ENGINE_REGIONS) * PAGE, rights: RW });
  });

  test("physical ranges are engine regions: too many of them are refused before the engine aborts", () => {
    // Each RAM range is a region with a cover beside it; the engine's page-table pool is one more.
    const ranges = Array.from({ length: 400 }, (_, i) => ({ base: RAM + BigInt(i) * 2n * PAGE, size: PAGE }));
    const memory = new PhysicalMemory(ranges);
    open.push(memory);
    expect(() => new AddressSpace("fragmented", "aarch64", memory, [])).toThrow(
      `address space needs more than ${MAX_ENGINE_REGIONS} separate engine regions (401 physical ranges)`,
    );
  });
});

describe.each(ARCHES)("AddressSpace on %s, while the system runs", (arch) => {
  const a64 = arch === "aarch64";
  const reg = (i: number): string => (a64 ? `x${i}` : `a${i}`);

  test("a fault handler maps the missing page: the seL4 fault names the faulting instruction, which then completes", () => {
    const memory = physical();
    const CODE = RAM, DATA = RAM + 0x1000n;
    memory.write(CODE, assemble(arch, a64 ? "add x3, x3, #1\n ldr x1, [x0]\n add x3, x3, #1\n svc #0" : ".option norvc\n addi a3, a3, 1\n ld a1, 0(a0)\n addi a3, a3, 1\n ecall"));
    memory.write(DATA + 0x10n, u64(0x600d_f00dn));
    const s = space("pager", arch, memory, [{ va: 0x10000n, pa: CODE, size: PAGE, rights: RX }]);
    s.cpu.writeRegister(reg(0), 0x7000_0010n);
    const exit = s.cpu.run(0x10000n, 100n);
    if (exit.kind !== "memory") throw new Error(`expected a fault, got ${exit.kind}`);
    const f = exitToFault({ arch, vm: { hypervisor: true } }, exit, () => undefined);
    expect(f.pc).toBe(0x10004n);
    expect(f.fault).toMatchObject({ type: "VMFault", address: 0x7000_0010n, instruction: false });

    s.map({ va: 0x7000_0000n, pa: DATA, size: PAGE, rights: R });
    expect(s.lookup(0x7000_0010n)).toEqual({ va: 0x7000_0000n, pa: DATA, size: PAGE, rights: R });
    expect(s.cpu.run(f.pc, 100n)).toEqual({ kind: "syscall", pc: 0x10010n });
    expect([s.cpu.readRegister(reg(1)), s.cpu.readRegister(reg(3))]).toEqual([0x600d_f00dn, 2n]);
    expect(() => s.map({ va: 0x7000_0000n, pa: DATA, size: PAGE, rights: R })).toThrow("mappings overlap at 0x70000000");
  });

  test("unmap() splits mappings and takes effect at once, in the engine and in the kernel's view", () => {
    const memory = physical();
    memory.write(RAM, assemble(arch, a64 ? "ldr x1, [x0]\n svc #0" : ".option norvc\n ld a1, 0(a0)\n ecall"));
    const s = space("unmap", arch, memory, [
      { va: 0x10000n, pa: RAM, size: PAGE, rights: RX },
      { va: 0x20000n, pa: RAM + 0x1000n, size: 3n * PAGE, rights: RW },
    ]);
    s.cpu.writeRegister(reg(0), 0x21000n);
    expect(s.cpu.run(0x10000n, 100n).kind).toBe("syscall"); // warm
    s.unmap(0x21000n, PAGE);
    expect(s.cpu.run(0x10000n, 100n)).toEqual({ kind: "memory", access: "read", cause: "unmapped", address: 0x21000n, pc: 0x10000n });
    expect(s.bytes(0x21000n, 8, false)).toBeUndefined();
    expect(s.lookup(0x20000n)).toEqual({ va: 0x20000n, pa: RAM + 0x1000n, size: PAGE, rights: RW });
    expect(s.lookup(0x22000n)).toEqual({ va: 0x22000n, pa: RAM + 0x3000n, size: PAGE, rights: RW });
    s.cpu.writeRegister(reg(0), 0x22008n);
    expect(s.cpu.run(0x10000n, 100n).kind).toBe("syscall");
  });

  test("device windows: a mapping of device memory reaches the handler at the device's physical address", () => {
    const memory = physical();
    memory.write(RAM, assemble(arch, a64 ? "ldr w1, [x0, #0x18]\n str w1, [x0, #0x20]\n svc #0" : ".option norvc\n lwu a1, 0x18(a0)\n sw a1, 0x20(a0)\n ecall"));
    const UART = 0x0900_0000n;
    const log: string[] = [];
    const devices = {
      windows: [{ base: UART, size: 2n * PAGE }],
      handler: (pa: bigint) => ({
        read: (offset: number, size: number): bigint => {
          log.push(`read 0x${(pa + BigInt(offset)).toString(16)} ${size}`);
          return 0x90n;
        },
        write: (offset: number, size: number, value: bigint): void => {
          log.push(`write 0x${(pa + BigInt(offset)).toString(16)} ${size} 0x${value.toString(16)}`);
        },
      }),
    };
    const s = space("driver", arch, memory, [
      { va: 0x10000n, pa: RAM, size: PAGE, rights: RX },
      { va: 0x5000_0000n, pa: UART + PAGE, size: PAGE, rights: RW },
    ], { devices });
    expect(s.cpu.lookup(0x5000_0000n)).toEqual({ pa: UART + PAGE, rights: RW });
    s.cpu.writeRegister(reg(0), 0x5000_0000n);
    expect(s.cpu.run(0x10000n, 100n).kind).toBe("syscall");
    expect(log).toEqual(["read 0x9001018 4", "write 0x9001020 4 0x90"]);
    expect(s.bytes(0x5000_0000n, 4, false)).toBeUndefined(); // not RAM: no kernel view
    expect(() => space("stray", arch, memory, [{ va: 0x6000_0000n, pa: 0x0a00_0000n, size: PAGE, rights: RW }], { devices })).toThrow(
      "physical range 0xa000000+0x1000 is not RAM or a device window",
    );
  });
});
