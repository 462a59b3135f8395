// <memory_region> (sdf.rs SysMemoryRegion::from_xml): size, page size, fixed physical address, and
// contents prefilled from a file found on the search path or from the kernel's boot information.
// The page size is promoted to a large page later, once the maps are known (promote.ts).
import { isAbsolute, join } from "node:path";
import { attr, listOr, remember, shown, tag, type ReadContext } from "./checker.js";
import { BOOTINFO_PREFILLS } from "./limits.js";
import type { BootInfoPrefill, MemoryRegion } from "./model.js";
import { hex, size } from "./numbers.js";
import type { XmlAttribute, XmlElement } from "./xml.js";

const MR_ATTRS = ["name", "size", "page_size", "phys_addr", "prefill_path", "prefill_bootinfo"] as const;

/** A memory region before page-size promotion: its page size is the one given, or the smallest. */
export type RegionDraft = Omit<MemoryRegion, "pageCount" | "placement">;

/** A <memory_region> as read; `region` is undefined when it had an error. */
export interface MrDraft {
  readonly name: string | undefined;
  readonly region: RegionDraft | undefined;
  readonly el: XmlElement;
}

function readPrefill(ctx: ReadContext, el: XmlElement, a: XmlAttribute): MemoryRegion["prefill"] | null {
  const { c } = ctx;
  // Like Rust's Path::join, which upstream's get_full_path uses: an absolute path stands alone.
  const found = c.searchPaths.map((dir) => (isAbsolute(a.value) ? a.value : join(dir, a.value))).find((p) => c.files.exists(p));
  if (found === undefined) {
    c.error(a.loc, `${tag(el)} ${shown(a)}: no such file; searched ${c.searchPaths.length === 0 ? "nowhere (no search path)" : c.searchPaths.join(", ")}`);
    return null;
  }
  const bytes = c.files.read(found);
  if (!(bytes instanceof Uint8Array)) {
    c.error(a.loc, `${tag(el)} ${shown(a)}: cannot read ${found}: ${bytes.problem}`);
    return null;
  }
  if (bytes.length === 0) {
    c.error(a.loc, `${tag(el)} ${shown(a)}: ${found} is empty; a prefill file must have at least one byte`);
    return null;
  }
  return { path: a.value, resolvedPath: found, bytes };
}

export function readMemoryRegion(ctx: ReadContext, el: XmlElement): MrDraft {
  const { c, board } = ctx;
  c.attributes(el, MR_ATTRS);
  c.ignoredChildren(el);
  c.ignoredText(el);
  const name = c.required(el, "name", " (a name unique among memory regions)")?.value;
  let complete = name !== undefined;

  const pageAttr = attr(el, "page_size");
  let pageSize = c.number(el, pageAttr);
  if (pageSize !== undefined && !board.pageSizes.includes(pageSize)) {
    c.error(pageAttr!.loc, `${tag(el)} ${shown(pageAttr!)} is not a page size of ${board.arch}; expected ${listOr(board.pageSizes.map(size))}`);
    pageSize = undefined;
  }
  if (pageAttr !== undefined && pageSize === undefined) complete = false;
  const page = pageSize ?? board.pageSizes[0]!;

  const prefillAttr = attr(el, "prefill_path");
  const prefillRead = prefillAttr === undefined ? undefined : readPrefill(ctx, el, prefillAttr);
  if (prefillRead === null) complete = false;
  const prefill = prefillRead ?? undefined;
  const bootinfoAttr = attr(el, "prefill_bootinfo");
  let bootinfo: BootInfoPrefill | undefined;
  if (bootinfoAttr !== undefined) {
    if ((BOOTINFO_PREFILLS as readonly string[]).includes(bootinfoAttr.value)) {
      bootinfo = bootinfoAttr.value as BootInfoPrefill;
      const forX86 = bootinfo.startsWith("x86_");
      if (forX86 !== (board.arch === "x86_64")) {
        c.warn(bootinfoAttr.loc, `${tag(el)} ${shown(bootinfoAttr)}: seL4 on ${board.arch} does not provide this boot information, so the region will not be filled`);
      }
    } else {
      c.error(bootinfoAttr.loc, `${tag(el)} ${shown(bootinfoAttr)} is not a kind of boot information; expected ${listOr(BOOTINFO_PREFILLS.map((b) => `'${b}'`))}`);
      complete = false;
    }
  }
  if (prefillAttr !== undefined && bootinfoAttr !== undefined) {
    const [p, b] = [prefillAttr.loc, bootinfoAttr.loc];
    const second = p.line > b.line || (p.line === b.line && p.column > b.column) ? prefillAttr : bootinfoAttr;
    c.error(second.loc, `${tag(el)} has both prefill_path and prefill_bootinfo; a region is filled from one or the other`);
    complete = false;
  }

  const sizeAttr = attr(el, "size");
  let regionSize: bigint | undefined;
  if (sizeAttr !== undefined) {
    regionSize = c.number(el, sizeAttr);
    if (regionSize !== undefined && regionSize % page !== 0n) {
      c.error(sizeAttr.loc, `${tag(el)} ${shown(sizeAttr)} is not a multiple of the page size ${size(page)}`);
      regionSize = undefined;
    } else if (regionSize !== undefined && prefill !== undefined && BigInt(prefill.bytes.length) > regionSize) {
      c.error(sizeAttr.loc, `${tag(el)} ${shown(sizeAttr)} is smaller than its prefill file ${prefill.resolvedPath} (${hex(prefill.bytes.length)} bytes)`);
      regionSize = undefined;
    } else if (regionSize === 0n) {
      c.warn(sizeAttr.loc, `${tag(el)} size="${sizeAttr.value}" makes an empty region`);
    }
  } else if (bootinfo !== undefined) {
    regionSize = page;
  } else if (prefill !== undefined) {
    regionSize = (BigInt(prefill.bytes.length) + page - 1n) / page * page;
  } else if (prefillAttr === undefined && bootinfoAttr === undefined) {
    c.error(el.loc, `${tag(el)} needs a 'size' attribute; only a region with prefill_path or prefill_bootinfo may leave it out`);
  }
  if (regionSize === undefined) complete = false;

  const physAttr = attr(el, "phys_addr");
  let physAddr = c.number(el, physAttr);
  if (physAddr !== undefined && physAddr % page !== 0n) {
    c.error(physAttr!.loc, `${tag(el)} ${shown(physAttr!)} is not aligned to the page size ${size(page)}`);
    physAddr = undefined;
  }
  if (physAttr !== undefined && physAddr === undefined) complete = false;

  if (!complete) return { name, region: undefined, el };
  return {
    name,
    el,
    region: remember({
      name: name!, size: regionSize!, pageSize: page, pageSizeGiven: pageAttr !== undefined, physAddr, prefill, prefillBootinfo: bootinfo, loc: el.loc,
    }, el),
  };
}
