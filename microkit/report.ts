// A human-readable report of a built system, like upstream's report.txt but laid out as tables:
// protection domains with their scheduling parameters, every mapping with its physical address,
// channels, IRQs and children.
import type { SystemImage } from "./builder.js";
import type { SystemDescription } from "./sdf/model.js";

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const perms = (p: { read: boolean; write: boolean; execute: boolean }): string => `${p.read ? "r" : "-"}${p.write ? "w" : "-"}${p.execute ? "x" : "-"}`;

function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** The report; `image` adds physical addresses and program-image details when the system was built. */
export function systemReport(system: SystemDescription, board: string, config: string, image: SystemImage | undefined): string {
  const out: string[] = [`System ${system.file} on ${board} (${config})`, ""];
  const pds = system.protectionDomains;
  out.push(`Protection domains (${pds.length})`);
  out.push(...table([
    ["name", "priority", "budget", "period", "passive", "stack", "parent"],
    ...pds.map((pd) => [pd.name, String(pd.priority), `${pd.budgetUs} us`, `${pd.periodUs} us`, pd.passive ? "yes" : "no", `${pd.stackSize / 1024n} KiB`,
      pd.parent === undefined ? "-" : `${pds[pd.parent]!.name} (id ${pd.childId ?? 0})`]),
  ]));
  for (const pd of pds) {
    out.push("", `${pd.name}: ${pd.programImage.path}`);
    const built = image?.pds.find((p) => p.pd.index === pd.index);
    const rows: string[][] = [["vaddr", "size", "perms", "what", "paddr"]];
    if (built !== undefined) {
      for (const seg of built.elf.segments) rows.push([hex(seg.vaddr), hex(seg.memsz), perms(seg.rights), "ELF segment", "-"]);
    }
    for (const m of pd.maps) {
      const mr = system.memoryRegions.find((r) => r.name === m.mr);
      const mapped = built?.mappings.find((x) => x.va === m.vaddr);
      rows.push([hex(m.vaddr), hex(mr?.size ?? 0n), perms(m.perms), `mr ${m.mr}${m.cached ? "" : " (uncached)"}`, mapped === undefined ? "-" : hex(mapped.pa)]);
    }
    out.push(...table(rows, "    "));
    if (pd.irqs.length > 0) out.push(`    irqs: ${pd.irqs.map((i) => `id ${i.id} = ${i.kind === "conventional" ? `irq ${i.irq} (${i.trigger})` : `vector ${i.vector}`}`).join(", ")}`);
    if (pd.setvars.length > 0) out.push(`    setvars: ${pd.setvars.map((s) => s.symbol).join(", ")}`);
    if (pd.smc) out.push("    smc: may call the secure firmware (SMC cap in slot ARM_SMC_CAP)");
  }
  if (system.memoryRegions.length > 0) {
    out.push("", `Memory regions (${system.memoryRegions.length})`);
    out.push(...table([
      ["name", "size", "page size", "paddr"],
      ...system.memoryRegions.map((r) => [r.name, hex(r.size), hex(r.pageSize), r.physAddr === undefined ? "placed by the tool" : hex(r.physAddr)]),
    ]));
  }
  if (system.channels.length > 0) {
    out.push("", `Channels (${system.channels.length})`);
    out.push(...table([
      ["end A", "id", "end B", "id", "pp", "notify"],
      ...system.channels.map((c) => {
        const [a, b] = c.ends;
        const pp = a.pp ? `${a.pd} -> ${b.pd}` : b.pp ? `${b.pd} -> ${a.pd}` : "-";
        const notify = [a.notify ? `${a.pd} -> ${b.pd}` : "", b.notify ? `${b.pd} -> ${a.pd}` : ""].filter((x) => x !== "").join(", ") || "-";
        return [a.pd, String(a.id), b.pd, String(b.id), pp, notify];
      }),
    ]));
  }
  return out.join("\n") + "\n";
}
