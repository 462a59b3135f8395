// The last step of sdf.rs parse(): memory regions whose page size was not given move to larger pages
// when every address they are mapped at (and their fixed physical address) allows it, and regions
// named by a <setvar region_paddr> are marked for the tool to place. Reproduced step for step,
// including its quirks: a region not mapped anywhere is promoted by its size alone, and the size
// is not re-checked against the larger page (only its best page size decides whether to try).
import type { SdfBoard } from "./board.js";
import type { RegionDraft } from "./memory-region.js";
import type { IoAddressSpace, MemoryRegion, ProtectionDomain } from "./model.js";

/** upstream SysMemoryRegion::optimal_page_size: the largest page size that divides the size. */
function bestPageSize(size: bigint, pageSizes: readonly bigint[]): bigint {
  for (let i = pageSizes.length - 1; i >= 0; i--) if (size % pageSizes[i]! === 0n) return pageSizes[i]!;
  throw new Error(`memory region size ${size} is not a multiple of the smallest page size`);
}

export function finishRegions(
  board: SdfBoard,
  regions: readonly RegionDraft[],
  pds: readonly Pick<ProtectionDomain, "maps" | "virtualMachine" | "setvars">[],
  spaces: readonly IoAddressSpace[],
): MemoryRegion[] {
  const vaddrs = new Map<string, bigint[]>();
  for (const pd of pds) {
    for (const m of [...pd.maps, ...(pd.virtualMachine?.maps ?? [])]) {
      const list = vaddrs.get(m.mr) ?? [];
      list.push(m.vaddr);
      vaddrs.set(m.mr, list);
    }
  }
  const inIomap = new Set(spaces.flatMap((s) => s.iomaps.map((m) => m.mr)));
  const toolPlaced = new Set(pds.flatMap((pd) => pd.setvars.flatMap((s) => (s.value.kind === "paddr" ? [s.value.region] : []))));
  return regions.map((mr) => {
    let pageSize = mr.pageSize;
    if (!mr.pageSizeGiven && !inIomap.has(mr.name) && bestPageSize(mr.size, board.pageSizes) !== pageSize) {
      const addrs = [...(vaddrs.get(mr.name) ?? []), ...(mr.physAddr === undefined ? [] : [mr.physAddr])];
      const larger = board.pageSizes.filter((p) => p > pageSize).reverse();
      // Largest first and without stopping, as upstream does: the last one that fits wins.
      for (const candidate of larger) {
        if (addrs.every((a) => a % candidate === 0n)) pageSize = candidate;
      }
    }
    const placement = mr.physAddr !== undefined ? "fixed" : toolPlaced.has(mr.name) ? "tool_allocated" : "any";
    return Object.freeze({ ...mr, pageSize, pageCount: mr.size / pageSize, placement });
  });
}
