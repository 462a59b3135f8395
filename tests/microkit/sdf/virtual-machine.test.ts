// <virtual_machine>: hypervisor boards only, vcpus, maps, scheduling on AArch64 and x86_64, the x86 restrictions.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<virtual_machine>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["vm_basic.system", "qemu_virt_aarch64_el1", [
      "4:9: <virtual_machine> needs a kernel built as a hypervisor, and board qemu_virt_aarch64_el1 (aarch64, debug) is not one",
    ]],
    ["vm_basic.system", "x86_64_generic", [
      "4:9: <virtual_machine> needs a kernel built as a hypervisor, and board x86_64_generic (x86_64, debug) is not one",
    ]],
    ["vm_basic.system", "qemu_virt_riscv64", [
      "4:9: <virtual_machine> needs a kernel built as a hypervisor, and board qemu_virt_riscv64 (riscv64, debug) is not one",
    ]],
    ["vm_budget_over_period.system", "qemu_virt_aarch64", [
      "4:39: <virtual_machine name=\"guest\"> budget 5000 us is longer than its period of 2000 us; the budget must not exceed the period",
    ]],
    ["vm_duplicate_name.system", "qemu_virt_aarch64", [
      "8:26: virtual machine name 'guest' is already used by the <virtual_machine> at 4:9",
    ]],
    ["vm_invalid_child.system", "qemu_virt_aarch64", [
      "6:13: <virtual_machine name=\"guest\"> cannot contain <irq>; expected <vcpu> or <map>",
    ]],
    ["vm_map_above_address_space.system", "qemu_virt_aarch64", [
      "7:27: <map mr=\"ram\"> vaddr=\"0x10000000000\" is too high: a map must start below 0x10000000000, the top of a virtual machine's address space (seL4_UserVSpaceTop is 0xffffffffff)",
    ]],
    ["vm_map_overlap.system", "qemu_virt_aarch64", [
      "9:27: <map mr=\"dev\"> covers [0x40001000..0x40002000), which overlaps the map of 'ram' [0x40000000..0x40002000) at 8:13 in virtual machine 'guest'",
    ]],
    ["vm_map_setvar.system", "qemu_virt_aarch64", [
      "7:46: <map mr=\"ram\"> has no attribute 'setvar_vaddr': a virtual machine has no program image whose symbols could be patched",
    ]],
    ["vm_map_unknown_mr.system", "qemu_virt_aarch64", [
      "6:18: <map mr=\"guest_ram\">: no memory region has that name",
    ]],
    ["vm_missing_vcpu.system", "qemu_virt_aarch64", [
      "4:9: <virtual_machine name=\"guest\"> has no <vcpu>; a virtual machine needs at least one",
    ]],
    ["vm_not_child.system", "qemu_virt_aarch64", [
      "2:5: <virtual_machine> must be inside the <protection_domain> that runs its VMM, not directly inside <system>",
    ]],
    ["vm_vcpu_cpu_out_of_range.system", "qemu_virt_aarch64", [
      "4:52: <vcpu> cpu=\"300\" is out of range: board qemu_virt_aarch64 (aarch64, debug) has 1 core, so cpu must be 0",
    ]],
    ["vm_vcpu_duplicate_id.system", "qemu_virt_aarch64", [
      "6:19: vcpu id 0 of virtual machine 'guest' is already used by the <vcpu> at 5:13",
    ]],
    ["vm_vcpu_id_too_large.system", "qemu_virt_aarch64", [
      "4:45: <vcpu> id=\"62\" is out of range: vcpu ids are 0..61",
    ]],
    ["vm_vcpu_missing_id.system", "qemu_virt_aarch64", [
      "4:39: <vcpu> needs an 'id' attribute (the vcpu id the VMM uses)",
    ]],
    ["vm_with_priority.system", "qemu_virt_aarch64_el1", [
      "4:9: <virtual_machine> needs a kernel built as a hypervisor, and board qemu_virt_aarch64_el1 (aarch64, debug) is not one",
    ]],
    ["vm_with_priority.system", "x86_64_generic", [
      "4:9: <virtual_machine> needs a kernel built as a hypervisor, and board x86_64_generic (x86_64, debug) is not one",
      "4:39: <virtual_machine name=\"guest\"> has no attribute 'priority': on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's priority",
      "4:53: <virtual_machine name=\"guest\"> has no attribute 'budget': on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's budget",
      "4:66: <virtual_machine name=\"guest\"> has no attribute 'period': on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's period",
    ]],
    ["vm_with_priority.system", "x86_64_generic_vtx", [
      "4:39: <virtual_machine name=\"guest\"> has no attribute 'priority': on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's priority",
      "4:53: <virtual_machine name=\"guest\"> has no attribute 'budget': on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's budget",
      "4:66: <virtual_machine name=\"guest\"> has no attribute 'period': on x86_64 a virtual machine runs on its protection domain's thread and has that protection domain's period",
    ]],
    ["vm_with_priority.system", "qemu_virt_riscv64", [
      "4:9: <virtual_machine> needs a kernel built as a hypervisor, and board qemu_virt_riscv64 (riscv64, debug) is not one",
    ]],
    ["vm_x86_pp_into_vmm.system", "x86_64_generic_vtx", [
      "11:33: pp=\"true\" lets 'client' call 'vmm', which has a virtual machine: on x86_64 a protection domain with a vcpu cannot receive protected procedure calls",
    ]],
    ["vm_x86_two_vcpus.system", "x86_64_generic_vtx", [
      "6:13: virtual machine 'guest' has a second <vcpu>: on x86_64 a virtual machine has exactly one",
    ]],
    ["vm_x86_with_child.system", "x86_64_generic_vtx", [
      "4:9: on x86_64 a protection domain with a virtual machine cannot also have child protection domains ('vmm' has both, board x86_64_generic_vtx (x86_64, debug))",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["vm_basic.system", "qemu_virt_aarch64", []],
    ["vm_basic.system", "x86_64_generic_vtx", []],
    ["vm_priority_truncated.system", "qemu_virt_aarch64", [
      "4:39: <virtual_machine name=\"guest\"> priority=\"300\" is above 254: the Microkit tool keeps only the low 8 bits, so the virtual machine runs at priority 44",
    ]],
    ["vm_vcpu_setvar_ignored.system", "qemu_virt_aarch64", [
      "5:26: <vcpu> setvar_id=\"guest_vcpu\" has no effect: the Microkit tool at this version looks for setvar_id on the <virtual_machine> instead, so 'guest_vcpu' is never patched",
    ]],
    ["vm_with_priority.system", "qemu_virt_aarch64", []],
    ["vm_x86_pp_from_vmm.system", "x86_64_generic_vtx", []],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
