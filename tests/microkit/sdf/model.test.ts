// The model of accepted systems: every default applied explicitly, numbers read in all the forms
// upstream reads, page sizes promoted as upstream promotes them, child protection domains
// flattened in upstream's order, symbols to patch in upstream's order.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { MemoryRegion } from "../../../microkit/sdf/model.js";
import { accepts, parseSource, PREFILL } from "./helpers.js";

const region = (regions: readonly MemoryRegion[], name: string): MemoryRegion => {
  const mr = regions.find((r) => r.name === name);
  if (mr === undefined) throw new Error(`no region ${name}`);
  return mr;
};

describe("defaults", () => {
  it("fills in every protection domain attribute", () => {
    const { system, warnings } = accepts("ok_minimal.system");
    expect(warnings).toEqual([]);
    expect(system.arch).toBe("aarch64");
    const [pd] = system.protectionDomains;
    expect(pd).toMatchObject({
      name: "app", index: 0, priority: 0, budgetUs: 1000n, periodUs: 1000n, passive: false, stackSize: 8192n,
      smc: false, fpu: true, cpu: 0, domain: undefined, domainName: undefined, parent: undefined, childId: undefined,
      setvarId: undefined, children: [], maps: [], irqs: [], ioports: [], setvars: [], capMaps: [], virtualMachine: undefined,
      programImage: { path: "app.elf", pathForSymbols: undefined, loc: { file: "ok_minimal.system", line: 2, column: 35 } },
      loc: { file: "ok_minimal.system", line: 2, column: 5 },
    });
    expect(system.memoryRegions).toEqual([]);
    expect(system.channels).toEqual([]);
    expect(system.domains).toBeUndefined();
    expect(system.ioAddressSpaces).toEqual([]);
  });

  it("fills in map, irq and channel end attributes; the period follows a given budget", () => {
    const { system } = accepts("ok_defaults.system");
    const [a, b] = system.protectionDomains;
    expect(a!.maps).toEqual([{ mr: "ram", vaddr: 0x4000000n, perms: { read: true, write: true, execute: false }, cached: true, loc: { file: "ok_defaults.system", line: 5, column: 9 } }]);
    expect(a!.irqs).toEqual([{ kind: "conventional", id: 1, irq: 40n, trigger: "level", setvarId: undefined, loc: { file: "ok_defaults.system", line: 6, column: 9 } }]);
    expect(b).toMatchObject({ priority: 10, budgetUs: 200n, periodUs: 200n });
    expect(system.channels[0]!.ends.map((e) => [e.pd, e.pdIndex, e.id, e.pp, e.notify, e.setvarId])).toEqual([
      ["a", 0, 2, false, true, undefined],
      ["b", 1, 0, false, true, undefined],
    ]);
    expect(region(system.memoryRegions, "ram")).toMatchObject({ size: 0x1000n, pageSize: 0x1000n, pageCount: 1n, physAddr: undefined, placement: "any", prefill: undefined, prefillBootinfo: undefined });
  });

  it("reads numbers as upstream does: hex after 0x, '_' anywhere, a leading '+'", () => {
    const { system } = accepts("ok_numbers.system");
    const [pd] = system.protectionDomains;
    expect(pd).toMatchObject({ priority: 25, budgetUs: 1000n, periodUs: 2000n, stackSize: 0x10000n });
    expect(pd!.maps[0]!.vaddr).toBe(0x4000000n);
    expect(pd!.irqs[0]).toMatchObject({ irq: 33n, id: 7 });
    expect(region(system.memoryRegions, "ram")).toMatchObject({ size: 0x10000n, physAddr: 0x40000000n, placement: "fixed", pageCount: 16n });
  });
});

describe("page size promotion", () => {
  const { system, warnings } = accepts("ok_promotion.system");
  const page = (name: string): bigint => region(system.memoryRegions, name).pageSize;

  it("warns about the region nothing maps, as upstream does", () => {
    expect(warnings).toEqual(["2:5: memory region 'unmapped_2m' is not mapped by any protection domain or virtual machine"]);
  });
  it("promotes a region of 2 MiB multiples whose maps and physical address allow it", () => {
    expect(page("unmapped_2m")).toBe(0x200000n);
    expect(page("aligned_4m")).toBe(0x200000n);
    expect(region(system.memoryRegions, "aligned_4m").pageCount).toBe(2n);
    expect(page("phys_aligned")).toBe(0x200000n);
  });
  it("keeps small pages when a vaddr, the physical address or the size does not allow large ones", () => {
    expect(page("unaligned_4m")).toBe(0x1000n);
    expect(region(system.memoryRegions, "unaligned_4m").pageCount).toBe(1024n);
    expect(page("odd_size")).toBe(0x1000n);
    expect(page("phys_unaligned")).toBe(0x1000n);
    expect(page("vm_unaligned")).toBe(0x1000n);
  });
  it("never changes a page size that was given", () => {
    expect(region(system.memoryRegions, "given_small")).toMatchObject({ pageSize: 0x1000n, pageSizeGiven: true, pageCount: 512n });
  });
  it("does not promote a region mapped into an IO address space", () => {
    const io = accepts("io_valid.system", "x86_64_generic").system;
    expect(region(io.memoryRegions, "rx")).toMatchObject({ size: 0x200000n, pageSize: 0x1000n });
  });
});

describe("child protection domains", () => {
  const { system } = accepts("ok_hierarchy.system");
  const pds = system.protectionDomains;

  it("are listed after their parent, depth first, as upstream flattens them", () => {
    expect(pds.map((p) => [p.name, p.index, p.parent, p.childId, p.children])).toEqual([
      ["root", 0, undefined, undefined, [1, 3]],
      ["left", 1, 0, 0, [2]],
      ["leaf", 2, 1, 5, []],
      ["right", 3, 0, 1, []],
      ["other", 4, undefined, undefined, []],
    ]);
  });
  it("give their setvar_id to the parent's symbols", () => {
    expect(pds[0]!.setvars.map((s) => [s.symbol, s.value])).toEqual([["left_id", { kind: "id", id: 0 }]]);
    expect(pds[1]!.setvarId).toBe("left_id");
  });
  it("can be a channel end", () => {
    const ch = accepts("ch_to_child.system").system.channels[0]!;
    expect(ch.ends.map((e) => [e.pd, e.pdIndex])).toEqual([["parent", 0], ["child", 1]]);
  });
});

describe("symbols to patch", () => {
  it("come in upstream's order: the PD's own elements, each map's vaddr, size and prefill size, then channels", () => {
    const { system } = accepts("ok_setvar_order.system");
    const [a, b] = system.protectionDomains;
    expect(a!.setvars.map((s) => [s.symbol, s.value])).toEqual([
      ["buf_paddr", { kind: "paddr", region: "buf" }],
      ["buf_vaddr", { kind: "vaddr", address: 0x4000000n }],
      ["buf_size", { kind: "size", mr: "buf" }],
      ["to_b", { kind: "id", id: 9 }],
    ]);
    expect(b!.setvars.map((s) => [s.symbol, s.value])).toEqual([["to_a", { kind: "id", id: 4 }]]);
    expect(system.channels[0]!.ends[1]).toMatchObject({ pp: false, notify: false, setvarId: "to_a" });
    expect(region(system.memoryRegions, "buf").placement).toBe("tool_allocated");
  });
});

describe("prefilled regions", () => {
  const { system } = accepts("ok_prefill.system");
  it("take their size from the file, rounded up to the page size", () => {
    const text = region(system.memoryRegions, "text");
    expect(text.size).toBe(0x1000n);
    expect(text.prefill?.path).toBe("note.txt");
    expect(text.prefill?.resolvedPath).toBe("tests/microkit/sdf/fixtures/prefill/note.txt");
    expect(new TextDecoder().decode(text.prefill?.bytes)).toBe("greetings from a prefilled region\n");
  });
  it("keep a given size that holds the file", () => {
    expect(region(system.memoryRegions, "table")).toMatchObject({ size: 0x4000n, pageCount: 4n });
    expect(region(system.memoryRegions, "table").prefill?.bytes.length).toBe(5000);
  });
  it("may name their file by an absolute path, which no search path changes", () => {
    const file = resolve(PREFILL, "note.txt");
    const r = parseSource("abs.system", `<system><memory_region name="m" prefill_path="${file}" /><protection_domain name="p"><program_image path="p.elf" /><map mr="m" vaddr="0x1000000" /></protection_domain></system>`);
    expect(r.ok && r.system.memoryRegions[0]!.prefill?.resolvedPath).toBe(file);
  });
  it("filled from boot information are one page unless sized", () => {
    expect(region(system.memoryRegions, "fdt")).toMatchObject({ size: 0x1000n, prefillBootinfo: "fdt", prefill: undefined });
  });
});

describe("domains", () => {
  it("number undeclared ids lowest-free-first in document order and keep the schedule", () => {
    const { system } = accepts("ok_domains.system");
    const d = system.domains!;
    expect(d.domains.map((x) => [x.name, x.id, x.idGiven])).toEqual([["slow", 1, false], ["fast", 0, true], ["misc", 2, false]]);
    expect(d.startIndex).toBe(1n);
    expect(d.indexShift).toBe(3n);
    expect(d.schedule.map((e) => (e.kind === "entry" ? [e.domainName, e.domain, e.duration, e.unit] : [e.kind]))).toEqual([
      ["fast", 0, 1000n, "us"],
      ["slow", 1, 0x20n, "ticks"],
      ["misc", 2, 1500n, "us"],
      ["end_marker"],
    ]);
    expect(system.protectionDomains.map((p) => [p.name, p.domain, p.domainName])).toEqual([["a", 1, "slow"], ["b", 2, "misc"]]);
  });
  it("accept a 17th domain, numbered one past the kernel's last, as upstream does, with a warning", () => {
    const { system, warnings } = accepts("dom_one_too_many_ids.system");
    expect(system.domains!.domains.at(-1)).toMatchObject({ name: "d16", id: 16 });
    expect(warnings).toHaveLength(1);
  });
});

describe("x86_64", () => {
  it("keeps the I/O APIC, MSI and I/O port forms with their defaults", () => {
    const { system } = accepts("ok_x86.system", "x86_64_generic");
    expect(system.arch).toBe("x86_64");
    const [pd] = system.protectionDomains;
    expect(pd!.irqs.map(({ loc: _loc, ...irq }) => irq)).toEqual([
      { kind: "ioapic", id: 0, ioapic: 0n, pin: 2n, trigger: "level", polarity: "high", vector: 40, setvarId: undefined },
      { kind: "msi", id: 1, pciDevice: { bus: 1, device: 0x1f, function: 2 }, handle: 7n, vector: 41, setvarId: "msi_ch" },
    ]);
    expect(pd!.ioports.map(({ loc: _loc, ...p }) => p)).toEqual([{ id: 0, addr: 0x3f8n, size: 8n, setvarId: "com1", setvarAddr: "com1_base" }]);
    expect(pd!.setvars.map((s) => [s.symbol, s.value])).toEqual([
      ["tsc_freq", { kind: "vaddr", address: 0x51000000n }],
      ["msi_ch", { kind: "id", id: 1 }],
      ["com1", { kind: "id", id: 0 }],
      ["com1_base", { kind: "ioport_addr", address: 0x3f8n }],
      ["hpet_paddr", { kind: "paddr", region: "hpet" }],
    ]);
    expect(region(system.memoryRegions, "tsc")).toMatchObject({ size: 0x1000n, prefillBootinfo: "x86_tsc_freq" });
  });
  it("runs a virtual machine with its protection domain's scheduling", () => {
    const { system } = accepts("ok_vm_x86.system", "x86_64_generic_vtx");
    expect(system.protectionDomains[0]!.virtualMachine).toMatchObject({
      name: "linux", priority: 150, budgetUs: 2000n, periodUs: 4000n, sharesParentScheduling: true,
      vcpus: [{ id: 0, cpu: 0 }],
      maps: [{ mr: "guest_ram", vaddr: 0n, perms: { read: true, write: true, execute: true }, cached: true }],
    });
  });
  it("gives IO address spaces their PCI device, domain id and iomaps with perms", () => {
    const { system } = accepts("io_valid.system", "x86_64_generic");
    expect(system.ioAddressSpaces.map((s) => [s.name, s.peripheral, s.domainId, s.iomaps.map((m) => [m.mr, m.iovaddr, m.perms])])).toEqual([
      ["nic", { bus: 0, device: 3, function: 0 }, 1n, [["rx", 0x7fffc00000n, { read: false, write: true }], ["tx", 0n, { read: true, write: false }]]],
      ["disk", { bus: 0, device: 0x1f, function: 2 }, 2n, [["tx", 0n, { read: true, write: true }]]],
    ]);
  });
});

describe("AArch64 virtual machines and SMP", () => {
  it("give a virtual machine its own scheduling, defaulting like a protection domain", () => {
    const vm = accepts("vm_with_priority.system").system.protectionDomains[0]!.virtualMachine;
    expect(vm).toMatchObject({ name: "guest", priority: 50, budgetUs: 500n, periodUs: 2000n, sharesParentScheduling: false });
    const plain = accepts("vm_basic.system").system.protectionDomains[0]!.virtualMachine;
    expect(plain).toMatchObject({ priority: 0, budgetUs: 1000n, periodUs: 1000n });
  });
  it("keeps the low 8 bits of an out-of-range virtual machine priority, as upstream does", () => {
    expect(accepts("vm_priority_truncated.system").system.protectionDomains[0]!.virtualMachine!.priority).toBe(44);
  });
  it("places PDs and vcpus on the cores of an SMP configuration; a vcpu defaults to its PD's core", () => {
    const { system } = accepts("ok_smp.system", "qemu_virt_aarch64/smp-debug");
    expect(system.protectionDomains.map((p) => p.cpu)).toEqual([0, 3]);
    expect(system.protectionDomains[1]!.virtualMachine!.vcpus.map((v) => [v.id, v.cpu])).toEqual([[0, 3], [1, 2]]);
  });
  it("records the capabilities a cspace shares, with the index of the PD they come from", () => {
    const { system } = accepts("ex_cap_sharing.system");
    expect(system.protectionDomains[1]!.capMaps.map((m) => [m.type, m.pd, m.pdIndex, m.slot])).toEqual([
      ["tcb", "worker", 0, 1], ["sc", "worker", 0, 2], ["vspace", "worker", 0, 3],
    ]);
  });
  it("allows smc on AArch64 boards whose kernel forwards SMC calls", () => {
    expect(accepts("pd_smc.system").system.protectionDomains[0]!.smc).toBe(true);
  });
});

describe("immutability", () => {
  it("freezes the system and its protection domains", () => {
    const { system } = accepts("ok_defaults.system");
    expect(Object.isFrozen(system)).toBe(true);
    expect(Object.isFrozen(system.protectionDomains[0])).toBe(true);
    expect(Object.isFrozen(system.memoryRegions[0])).toBe(true);
  });
});
