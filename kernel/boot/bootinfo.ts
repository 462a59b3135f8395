// The BootInfo frame and the extra boot info the kernel writes for the root task (seL4
// src/kernel/boot.c populate_bi_frame, create_untypeds, bi_finalise; src/arch/*/kernel/boot.c for
// the FDT chunk). Byte layouts from boot.json (seL4_BootInfo, seL4_UntypedDesc, seL4_BootInfoHeader).
import type { BootPlan, SlotRegion } from "./plan.js";
import { bootFacts } from "./plan.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Field {
  readonly offset: number;
  readonly size: number;
}

/** The bytes of the BootInfo frame (seL4_BootInfoFrameSize) for this plan. */
export function encodeBootInfo(plan: BootPlan, mcs: boolean): Uint8Array {
  const facts = bootFacts();
  const bi = facts.raw["seL4_BootInfo"] as Json;
  const fields = bi["fields"] as Record<string, Field>;
  const frame = new Uint8Array(facts.raw["seL4_BootInfoFrameSize"] as number);
  const view = new DataView(frame.buffer);
  // Without MCS there is no schedcontrol field and what follows moves up (boot.json non_mcs_rule).
  const shift = mcs ? 0 : fields["schedcontrol"]!.size;
  const at = (name: string): number => {
    const f = fields[name];
    if (f === undefined) throw new Error(`boot.json seL4_BootInfo has no field ${name}`);
    return f.offset - (f.offset > fields["schedcontrol"]!.offset ? shift : 0);
  };
  const word = (name: string, value: bigint | number): void => view.setBigUint64(at(name), BigInt(value), true);
  const region = (name: string, r: SlotRegion): void => {
    view.setBigUint64(at(name), BigInt(r.start), true);
    view.setBigUint64(at(name) + 8, BigInt(r.end), true);
  };
  word("extraLen", plan.extraLen);
  word("nodeID", 0);
  word("numNodes", plan.numNodes);
  word("numIOPTLevels", 0);
  word("ipcBuffer", plan.entryArgs.ipcBuffer);
  region("empty", plan.slots.empty);
  region("sharedFrames", { start: 0, end: 0 });
  region("userImageFrames", plan.slots.userImageFrames);
  region("userImagePaging", plan.slots.userImagePaging);
  region("ioSpaceCaps", { start: 0, end: 0 });
  region("extraBIPages", plan.slots.extraBIPages);
  word("initThreadCNodeSizeBits", plan.rootCNodeBits);
  word("initThreadDomain", 0);
  if (mcs) region("schedcontrol", plan.slots.schedcontrol);
  region("untyped", plan.slots.untyped);

  const desc = facts.raw["seL4_UntypedDesc"] as Json;
  const d = desc["fields"] as Record<string, Field>;
  plan.untypeds.forEach((u, i) => {
    const base = at("untypedList") + i * (desc["size"] as number);
    view.setBigUint64(base + d["paddr"]!.offset, u.paddr, true);
    view.setUint8(base + d["sizeBits"]!.offset, u.sizeBits);
    view.setUint8(base + d["isDevice"]!.offset, u.isDevice ? 1 : 0);
  });
  return frame;
}

/** The extra boot info region: one FDT chunk (seL4_BootInfoHeader, then the DTB), zero after. */
export function encodeExtraBootInfo(plan: BootPlan, dtb: Uint8Array): Uint8Array {
  if (plan.extraBiSizeBits === 0) return new Uint8Array(0);
  const facts = bootFacts();
  const header = facts.raw["seL4_BootInfoHeader"] as Json;
  const region = new Uint8Array(2 ** plan.extraBiSizeBits);
  const view = new DataView(region.buffer);
  view.setBigUint64(header["fields"]["id"]["offset"], BigInt(header["ids"]["SEL4_BOOTINFO_HEADER_FDT"]), true);
  view.setBigUint64(header["fields"]["len"]["offset"], facts.headerBytes + BigInt(dtb.length), true);
  region.set(dtb, Number(facts.headerBytes));
  return region;
}
