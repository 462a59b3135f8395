// The architecture parts of seL4_DebugSnapshot (seL4 src/arch/arm/64/machine/capdl.c and
// src/arch/riscv/machine/capdl.c): VSpace objects and slots named after the table entry that holds
// them (frame_<pte address>_<index>), frame and page-table caps, IPC buffer slots. seL4 1326364b's
// own behaviour is kept, faults and all:
// - AArch64 walks only the first PT_INDEX_BITS (9) entries of a 4-level VSpace root;
// - AArch64's caps walk of an upper directory (pud) visits its entry 0 once per entry
//   (GET_UPT_INDEX(i, 1) of a small i is 0), so that entry's directory is listed 512 (or 1024) times;
// - a frame's lookup in _cap_frame_print_attrs_vptr switches on ptBitsLeft (12, 21, 30) against
//   vm_page_size_t values (0, 1, 2): no case matches and it always fails an assertion, so every
//   frame cap and IPC buffer slot halts an AArch64 kernel;
// - with a hypervisor kernel whose VSpace starts at level 1, the objects walk reads the root's entry
//   0 as the pointer to the root (the caps walk does not), and so runs over the table that entry
//   points to, 1024 entries of a 512-entry table. The model reads entries past the end as invalid;
//   if entry 0 is not a table, seL4 reads memory the model does not have and the model prints nothing;
// - RISC-V reads a large leaf above the last level as a table and walks the frame's contents, which
//   the model does not have: it prints the table's name and no entries;
// - RISC-V prints a frame object's physical page number where it says paddr, and both print
//   "paddr: 0x%p", a second 0x.
import type { Cap } from "./cap.js";
import { hex, pad4, unknown, type Snapshot } from "./capdl-snapshot.js";
import { pointer } from "./fault-report.js";
import type { Kernel } from "./kernel.js";
import type { TCB } from "./objects/tcb.js";
import { findVSpaceForASID, isValidVTableRoot, levelIndex, levelShift, lookupPTSlot, PageTable, type Leaf } from "./vspace.js";

export interface ArchSnapshot {
  /** The name after `arch`. */
  readonly name: string;
  /** obj_tcb_print_vtable: the thread's VSpace objects, once per VSpace cap. */
  objVTable(s: Snapshot, t: TCB): void;
  /** obj_vtable_print_slots: the thread's VSpace tables and their slots, once per VSpace cap. */
  capVTable(s: Snapshot, t: TCB): void;
  /** print_ipc_buffer_slot. */
  ipcBufferSlot(s: Snapshot, t: TCB): void;
  /** print_cap_arch. */
  printCapArch(s: Snapshot, cap: Cap): void;
  /** print_object_arch. */
  printObjectArch(s: Snapshot, cap: Cap): void;
}

export function archSnapshot(k: Kernel): ArchSnapshot {
  return k.abi.arch === "aarch64" ? aarch64 : riscv;
}

/** How seL4 sees an entry of a table `level` levels below the root (pte_ptr_get_pte_type). */
type PteType = "table" | "page" | "4k" | "invalid";

function pteType(k: Kernel, level: number, e: PageTable | Leaf | undefined): PteType {
  if (e === undefined) return "invalid";
  if (e instanceof PageTable) return "table";
  return level === k.abi.vm.levels - 1 ? "4k" : "page";
}

const NULL_ROOT = "dereferences a null VSpace root";

// --- AArch64 --------------------------------------------------------------------------------------

const ARM_FILE = "src/arch/arm/64/machine/capdl.c";

/** The VSpace starts at level 1 (AARCH64_VSPACE_S2_START_L1: hypervisor, 40-bit physical addresses). */
const startsAtL1 = (k: Kernel): boolean => k.abi.vm.levels === 3;

/** GET_UPT_INDEX(vptr, ULVL_FRM_ARM_PT_LVL(armLevel)). */
const uptIndex = (k: Kernel, vptr: bigint, armLevel: number): number => levelIndex(k.abi.vm, vptr, armLevel - (startsAtL1(k) ? 1 : 0));

/** cap_frame_print_attrs_impl: AP as rights (RW, R or nothing), X unless execute-never (SH is 0 without SMP). */
function armFrameAttrs(leaf: Leaf): string {
  return `(${leaf.rights === "ReadWrite" ? "RW" : leaf.rights === "ReadOnly" ? "R" : ""}${leaf.executable ? "X" : ""})\n`;
}

/** obj_frame_print_attrs. */
const frameObjectAttrs = (size: string, paddr: bigint): string => `(${size}, paddr: 0x${pointer(paddr)})\n`;

/** _cap_frame_print_attrs_vptr: both ways out are assertions (see the file comment). */
function armFrameAtVptr(s: Snapshot, root: PageTable, vptr: bigint): never {
  const slot = lookupPTSlot(s.k, root, vptr);
  if (slot.table.entries[slot.index] === undefined) s.assertFail("0", ARM_FILE, 115, "_cap_frame_print_attrs_vptr");
  s.assertFail("0", ARM_FILE, 131, "_cap_frame_print_attrs_vptr");
}

/** arm64_obj_pt_print_slots. */
function armObjPt(s: Snapshot, pt: PageTable, level: number): void {
  pt.entries.forEach((e, i) => {
    if (pteType(s.k, level, e) === "4k") s.print(`frame_${s.pte(pt, i)}_${pad4(i)} = frame ${frameObjectAttrs("4k", (e as Leaf).paddr)}`);
  });
}

/** arm64_obj_pd_print_slots. */
function armObjPd(s: Snapshot, pd: PageTable, level: number): void {
  pd.entries.forEach((e, i) => {
    const type = pteType(s.k, level, e);
    if (type === "page") s.print(`frame_${s.pte(pd, i)}_${pad4(i)} = frame ${frameObjectAttrs("2M", (e as Leaf).paddr)}`);
    if (type === "table") {
      s.print(`pt_${s.pte(pd, i)}_${pad4(i)} = pt\n`);
      armObjPt(s, e as PageTable, level + 1);
    }
  });
}

/** arm64_obj_pud_print_slots over `count` entries (past a table's end, the model reads invalid ones). */
function armObjPud(s: Snapshot, pud: PageTable, level: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const e = pud.entries[i];
    const type = pteType(s.k, level, e);
    if (type === "page") s.print(`frame_${s.pte(pud, i)}_${pad4(i)} = frame ${frameObjectAttrs("1G", (e as Leaf).paddr)}`);
    if (type === "table") {
      s.print(`pd_${s.pte(pud, i)}_${pad4(i)} = pd\n`);
      armObjPd(s, e as PageTable, level + 1);
    }
  }
}

/** arm64_cap_pt_print_slots. */
function armCapPt(s: Snapshot, slotName: string, pt: PageTable, vptr: bigint, level: number): void {
  s.print(`pt_${slotName}_${pad4(uptIndex(s.k, vptr, 2))} {\n`);
  pt.entries.forEach((e, i) => {
    if (pteType(s.k, level, e) === "4k") s.print(`${hex(i)}: frame_${s.pte(pt, i)}_${pad4(i)}${armFrameAttrs(e as Leaf)}`);
  });
  s.print("}\n");
}

/** arm64_cap_pd_print_slots. */
function armCapPd(s: Snapshot, slotName: string, pd: PageTable, vptr: bigint, level: number): void {
  s.print(`pd_${slotName}_${pad4(uptIndex(s.k, vptr, 1))} {\n`);
  pd.entries.forEach((e, i) => {
    const type = pteType(s.k, level, e);
    if (type === "page") s.print(`${hex(i)}: frame_${s.pte(pd, i)}_${pad4(i)}${armFrameAttrs(e as Leaf)}`);
    if (type === "table") s.print(`${hex(i)}: pt_${s.pte(pd, i)}_${pad4(i)}\n`);
  });
  s.print("}\n");
  const step = 1n << BigInt(levelShift(s.k.abi.vm, level));
  pd.entries.forEach((e, i) => {
    if (e instanceof PageTable) armCapPt(s, s.pte(pd, i), e, vptr + BigInt(i) * step, level + 1);
  });
}

/** arm64_cap_pud_print_slots; `header` is the block's name. */
function armCapPud(s: Snapshot, header: string, pud: PageTable, vptr: bigint, level: number): void {
  s.print(`${header} {\n`);
  const count = pud.entries.length;
  pud.entries.forEach((e, i) => {
    if (e instanceof PageTable) s.print(`${hex(i)}: pd_${s.pte(pud, i)}_${pad4(i)}\n`);
  });
  s.print("}\n");
  // seL4 indexes the directory with GET_UPT_INDEX(i, 1), which is 0 for every i here.
  const first = pud.entries[0];
  if (!(first instanceof PageTable)) return;
  const step = 1n << BigInt(levelShift(s.k.abi.vm, level));
  for (let i = 0; i < count; i++) armCapPd(s, s.pte(pud, 0), first, vptr + BigInt(i) * step, level + 1);
}

const aarch64: ArchSnapshot = {
  name: "aarch64",

  objVTable(s, t) {
    const cap = t.vspaceRoot;
    if (cap.type !== "vspace" || s.seen(cap)) return;
    s.addSeen(cap);
    const root = cap.object;
    if (startsAtL1(s.k)) {
      s.print(`${s.object(root)}_pd = pud\n`);
      const first = root.entries[0];
      if (first instanceof PageTable) armObjPud(s, first, 1, root.entries.length);
      return;
    }
    s.print(`${s.object(root)}_pd = pgd\n`);
    for (let i = 0; i < s.k.abi.vm.ptIndexBits; i++) {
      const e = root.entries[i];
      if (!(e instanceof PageTable)) continue;
      s.print(`pud_${s.pte(root, i)}_${pad4(i)} = pud\n`);
      armObjPud(s, e, 1, e.entries.length);
    }
  },

  capVTable(s, t) {
    const cap = t.vspaceRoot;
    if (cap.type !== "vspace" || s.seen(cap)) return;
    s.addSeen(cap);
    const root = cap.object;
    if (startsAtL1(s.k)) return armCapPud(s, `${s.object(root)}_pd`, root, 0n, 0);
    s.print(`${s.object(root)}_pd {\n`);
    const count = s.k.abi.vm.ptIndexBits;
    for (let i = 0; i < count; i++) {
      if (root.entries[i] instanceof PageTable) s.print(`${hex(i)}: pud_${s.pte(root, i)}_${pad4(i)}\n`);
    }
    s.print("}\n");
    for (let i = 0; i < count; i++) {
      const e = root.entries[i];
      const vptr = BigInt(i) << BigInt(levelShift(s.k.abi.vm, 0));
      if (e instanceof PageTable) armCapPud(s, `pud_${s.pte(root, i)}_${pad4(uptIndex(s.k, vptr, 0))}`, e, vptr, 1);
    }
  },

  ipcBufferSlot(s, t) {
    s.print("ipc_buffer_slot: ");
    const v = t.vspaceRoot;
    if (v.type !== "vspace") return s.stuck(NULL_ROOT);
    armFrameAtVptr(s, v.object, t.ipcBuffer);
  },

  printCapArch(s, cap) {
    const k = s.k;
    switch (cap.type) {
      case "page_table": {
        const root = findVSpaceForASID(k, cap.mappedAsid);
        if (root === undefined) return s.stuck(NULL_ROOT);
        // Down from the root along the mapped address until the table is found; if it is not, nothing is printed.
        let pt = root;
        let level = 0;
        for (; level < k.abi.vm.levels - 1 && pt !== cap.object; level++) {
          const e = pt.entries[levelIndex(k.abi.vm, cap.mappedAddress, level)];
          if (!(e instanceof PageTable)) break;
          pt = e;
        }
        if (pt !== cap.object) return;
        const asid = cap.mappedAsid !== 0n ? ` (asid: ${cap.mappedAsid})` : "";
        return s.print(`pt_${s.object(cap.object)}_${pad4(levelIndex(k.abi.vm, cap.mappedAddress, level))}${asid}\n`);
      }
      case "vspace": {
        const root = findVSpaceForASID(k, cap.mappedAsid);
        const name = root === undefined ? pointer(0n) : s.object(root);
        return s.print(`${name}_pd${cap.mappedAsid !== 0n ? ` (asid: ${cap.mappedAsid})` : ""}\n`);
      }
      case "asid_control":
        return s.print("asid_control\n");
      case "frame": {
        const root = findVSpaceForASID(k, cap.mappedAsid);
        if (root === undefined) return s.assertFail("find_ret.status == EXCEPTION_NONE", ARM_FILE, 316, "print_cap_arch");
        return armFrameAtVptr(s, root, cap.mappedAddress);
      }
      case "asid_pool":
        return s.print(`${s.object(cap.object)}_asid_pool\n`);
      case "vcpu":
        if (k.abi.vm.hypervisor) return s.print(`${s.object(cap.object)}_vcpu\n`);
        return unknown(s, "cap", cap);
      case "arch_object":
        if (k.abi.vm.hypervisor) return s.print(`${s.physical(cap.object.paddr)}_vcpu\n`);
        return unknown(s, "cap", cap);
      default:
        return unknown(s, "cap", cap);
    }
  },

  printObjectArch(s, cap) {
    switch (cap.type) {
      case "frame":
      case "page_table":
      case "vspace":
        return; // declared by the VSpace walk
      case "asid_pool":
        return s.print(`${s.object(cap.object)}_asid_pool = asid_pool (asid_high: ${hex(cap.asidBase >> BigInt(s.k.abi.vm.asidLowBits))})\n`);
      case "vcpu":
        if (s.k.abi.vm.hypervisor) return s.print(`${s.object(cap.object)}_vcpu = vcpu\n`);
        return unknown(s, "object", cap);
      case "arch_object":
        if (s.k.abi.vm.hypervisor) return s.print(`${s.physical(cap.object.paddr)}_vcpu = vcpu\n`);
        return unknown(s, "object", cap);
      default:
        return unknown(s, "object", cap);
    }
  },
};

// --- RISC-V ---------------------------------------------------------------------------------------

const RISCV_FILE = "src/arch/riscv/machine/capdl.c";

/** cap_frame_print_attrs_pt: the entry's R, W and X bits (an invalid entry has none). */
function riscvFrameAttrs(e: PageTable | Leaf | undefined): string {
  if (e === undefined || e instanceof PageTable) return "()\n";
  return `(${e.rights !== "KernelOnly" ? "R" : ""}${e.rights === "ReadWrite" ? "W" : ""}${e.executable ? "X" : ""})\n`;
}

/** cap_frame_print_attrs_vptr: the 4 KiB slot the address is (or would be) mapped in. */
function riscvFrameAtVptr(s: Snapshot, root: PageTable, vptr: bigint): void {
  const slot = lookupPTSlot(s.k, root, vptr);
  if (slot.bitsLeft !== s.k.abi.vm.frameBits[0]) s.assertFail("lu_ret.ptBitsLeft == seL4_PageBits", RISCV_FILE, 117, "cap_frame_print_attrs_vptr");
  s.print(`frame_${s.pte(slot.table, slot.index)}_${pad4(slot.index)} ${riscvFrameAttrs(slot.table.entries[slot.index])}`);
}

/** riscv_obj_pt_print_slots; `level` counts down to 0, the level of 4 KiB entries. */
function riscvObjPt(s: Snapshot, pt: PageTable, level: number): void {
  pt.entries.forEach((e, i) => {
    if (e === undefined) return;
    if (level > 0) {
      s.print(`pt_${s.pte(pt, i)}_${pad4(i)} = pt\n`);
      if (e instanceof PageTable) riscvObjPt(s, e, level - 1);
    } else if (!(e instanceof PageTable)) {
      s.print(`frame_${s.pte(pt, i)}_${pad4(i)} = frame (4k, paddr: 0x${pointer(e.paddr >> BigInt(s.k.abi.vm.frameBits[0]!))})\n`);
    }
  });
}

/** riscv_cap_pt_print_slots: the root (`level` CONFIG_PT_LEVELS) or a table under the entry `upper`. */
function riscvCapPt(s: Snapshot, upper: string, index: number, pt: PageTable | undefined, level: number): void {
  s.print(level === s.k.abi.vm.levels ? `${upper}_pd {\n` : `pt_${upper}_${pad4(index)} {\n`);
  const below = level - 1;
  const entries = pt?.entries ?? [];
  entries.forEach((e, i) => {
    if (e === undefined) return;
    if (below > 0) s.print(`${hex(i)}: pt_${s.pte(pt!, i)}_${pad4(i)}\n`);
    else s.print(`${hex(i)}: frame_${s.pte(pt!, i)}_${pad4(i)}${riscvFrameAttrs(e)}`);
  });
  s.print("}\n");
  if (below === 0) return;
  entries.forEach((e, i) => {
    if (e !== undefined) riscvCapPt(s, s.pte(pt!, i), i, e instanceof PageTable ? e : undefined, below);
  });
}

const riscv: ArchSnapshot = {
  name: "riscv",

  objVTable(s, t) {
    const cap = t.vspaceRoot;
    if (!isValidVTableRoot(s.k, cap) || s.seen(cap)) return;
    s.addSeen(cap);
    s.print(`${s.object(cap.object)}_pd = pt\n`);
    riscvObjPt(s, cap.object, s.k.abi.vm.levels - 1);
  },

  capVTable(s, t) {
    const cap = t.vspaceRoot;
    if (!isValidVTableRoot(s.k, cap) || s.seen(cap)) return;
    s.addSeen(cap);
    riscvCapPt(s, s.object(cap.object), 0, cap.object, s.k.abi.vm.levels);
  },

  ipcBufferSlot(s, t) {
    const v = t.vspaceRoot;
    const root = findVSpaceForASID(s.k, v.type === "page_table" ? v.mappedAsid : 0n);
    s.print("ipc_buffer_slot: ");
    if (root === undefined) return s.stuck(NULL_ROOT);
    riscvFrameAtVptr(s, root, t.ipcBuffer);
  },

  printCapArch(s, cap) {
    const k = s.k;
    switch (cap.type) {
      case "page_table": {
        const root = findVSpaceForASID(k, cap.mappedAsid);
        if (root === undefined) return s.stuck(NULL_ROOT);
        // seL4 names the slot a lookup of the mapped address ends at, and indexes it above the root (always 0).
        const vm = k.abi.vm;
        const index = Number((cap.mappedAddress >> BigInt(vm.ptIndexBits * vm.levels + vm.frameBits[0]!)) & ((1n << BigInt(vm.ptIndexBits)) - 1n));
        const slot = lookupPTSlot(k, root, cap.mappedAddress);
        const asid = cap.mappedAsid !== 0n ? ` (asid: ${cap.mappedAsid})` : "";
        return s.print(`pt_${s.pte(slot.table, slot.index)}_${pad4(index)}${asid}\n`);
      }
      case "asid_control":
        return s.print("asid_control\n");
      case "frame": {
        const root = findVSpaceForASID(k, cap.mappedAsid);
        if (root === undefined) return s.assertFail("find_ret.status == EXCEPTION_NONE", RISCV_FILE, 151, "print_cap_arch");
        return riscvFrameAtVptr(s, root, cap.mappedAddress);
      }
      case "asid_pool":
        return s.print(`${s.object(cap.object)}_asid_pool\n`);
      default:
        return unknown(s, "cap", cap);
    }
  },

  printObjectArch(s, cap) {
    switch (cap.type) {
      case "frame":
      case "page_table":
        return;
      case "asid_pool":
        return s.print(`${s.object(cap.object)}_asid_pool = asid_pool (asid_high: ${hex(cap.asidBase >> BigInt(s.k.abi.vm.asidLowBits))})\n`);
      default:
        return unknown(s, "object", cap);
    }
  },
};
