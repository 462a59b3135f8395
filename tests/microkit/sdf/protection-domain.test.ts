// <protection_domain>: attributes and their ranges, program_image, setvar, child protection domains, architecture-specific smc.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<protection_domain>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["pd_budget_over_period.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> budget 1000 us is longer than its period of 100 us; the budget must not exceed the period",
    ]],
    ["pd_child_duplicate_id.system", "qemu_virt_aarch64", [
      "7:42: child id 4 of protection domain 'parent' is already used by the <protection_domain> at 4:9",
    ]],
    ["pd_child_id_clashes_vcpu.system", "qemu_virt_aarch64", [
      "7:42: child id 1 of protection domain 'vmm' is also the id of the <vcpu> at 5:13 of its virtual machine 'guest'",
    ]],
    ["pd_child_id_too_large.system", "qemu_virt_aarch64", [
      "4:41: <protection_domain name=\"child\"> id=\"310\" is too large: the child's TCB goes to slot 202 + id of the parent's 512-slot CNode, so ids stop at 309",
    ]],
    ["pd_child_missing_id.system", "qemu_virt_aarch64", [
      "4:9: <protection_domain name=\"child\"> needs an 'id' attribute (its id within 'parent')",
    ]],
    ["pd_child_setvar_duplicate.system", "qemu_virt_aarch64", [
      "7:44: symbol 'child' of protection domain 'parent' would be patched twice: by this setvar_id of child <protection_domain> and by the setvar_id of child <protection_domain> at 4:44",
    ]],
    ["pd_cpu_out_of_range.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> cpu=\"1\" is out of range: board qemu_virt_aarch64 (aarch64, debug) has 1 core, so cpu must be 0",
    ]],
    ["pd_default_budget_over_period.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> the default budget of 1000 us is longer than its period of 500 us; the budget must not exceed the period",
    ]],
    ["pd_duplicate_cspace.system", "qemu_virt_aarch64", [
      "5:9: <protection_domain name=\"app\"> has a second <cspace>; the first is at 4:9",
    ]],
    ["pd_duplicate_virtual_machine.system", "qemu_virt_aarch64", [
      "5:9: <protection_domain name=\"vmm\"> has a second <virtual_machine>; the first is at 4:9",
    ]],
    ["pd_fpu_not_bool.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> fpu=\"on\" must be 'true' or 'false'",
    ]],
    ["pd_many_problems.system", "qemu_virt_aarch64", [
      "2:5: <protection_domain name=\"app\"> has no <program_image>; every protection domain needs one",
      "2:35: <protection_domain name=\"app\"> priority=\"999\" is out of range: expected 0..254 (255 is the monitor's)",
      "2:50: <protection_domain name=\"app\"> budget=\"x\" is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): it has a character that is not a decimal digit",
      "2:61: <protection_domain name=\"app\"> stack_size=\"0x1234\" is not a multiple of the 0x1000-byte page size",
      "2:81: <protection_domain name=\"app\"> fpu=\"1\" must be 'true' or 'false'",
      "3:14: <map mr=\"nowhere\">: no memory region has that name",
      "3:42: <map mr=\"nowhere\"> perms=\"q\" may contain only the letters r, w and x",
      "4:23: <irq> id=\"70\" is out of range: channel ids are 0..61",
    ]],
    ["pd_missing_name.system", "qemu_virt_aarch64", [
      "2:5: <protection_domain> needs a 'name' attribute (a name unique among protection domains)",
    ]],
    ["pd_missing_program_image.system", "qemu_virt_aarch64", [
      "2:5: <protection_domain name=\"app\"> has no <program_image>; every protection domain needs one",
    ]],
    ["pd_parent_has_id.system", "qemu_virt_aarch64", [
      "2:38: <protection_domain name=\"parent\"> has no attribute 'id': only a protection_domain inside another one has an id",
    ]],
    ["pd_passive_not_bool.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> passive=\"yes\" must be 'true' or 'false'",
    ]],
    ["pd_priority_too_high.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> priority=\"255\" is out of range: expected 0..254 (255 is the monitor's)",
    ]],
    ["pd_program_image_missing_path.system", "qemu_virt_aarch64", [
      "3:9: <program_image> needs a 'path' attribute (the ELF file of the protection domain)",
    ]],
    ["pd_program_image_twice.system", "qemu_virt_aarch64", [
      "4:9: <protection_domain name=\"app\"> has a second <program_image>; the first is at 3:9",
    ]],
    ["pd_program_image_unknown_attribute.system", "qemu_virt_aarch64", [
      "3:39: <program_image> has no attribute 'entry'; allowed: path, path_for_symbols",
    ]],
    ["pd_setvar_duplicate.system", "qemu_virt_aarch64", [
      "6:9: symbol 'ram_base' of protection domain 'app' would be patched twice: by this <setvar> and by the setvar_vaddr of <map> at 5:41",
    ]],
    ["pd_setvar_missing_region.system", "qemu_virt_aarch64", [
      "4:9: <setvar symbol=\"ram_paddr\"> needs a 'region_paddr' attribute (the memory region whose physical address the symbol receives)",
    ]],
    ["pd_setvar_missing_symbol.system", "qemu_virt_aarch64", [
      "5:9: <setvar> needs a 'symbol' attribute (the symbol to patch)",
    ]],
    ["pd_setvar_unknown_region.system", "qemu_virt_aarch64", [
      "5:9: <setvar region_paddr=\"dmaa\">: no memory region has that name; did you mean 'dma'?",
    ]],
    ["pd_setvar_x86_region_without_paddr.system", "x86_64_generic", [
      "5:9: <setvar region_paddr=\"dma\">: on x86_64 the physical memory layout is known only at boot, so memory region 'dma' (at 2:5) needs a phys_addr",
    ]],
    ["pd_smc.system", "qemu_virt_riscv64", [
      "2:35: <protection_domain name=\"app\"> smc=\"true\": SMC calls exist only on AArch64, and board qemu_virt_riscv64 (riscv64, debug) is not",
    ]],
    ["pd_smc.system", "x86_64_generic", [
      "2:35: <protection_domain name=\"app\"> smc=\"true\": SMC calls exist only on AArch64, and board x86_64_generic (x86_64, debug) is not",
    ]],
    ["pd_smc_not_bool.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> smc=\"1\" must be 'true' or 'false'",
    ]],
    ["pd_stack_too_large.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> stack_size=\"0x1001000\" is out of range: expected 0x1000 (4 KiB) to 0x1000000 (16 MiB)",
    ]],
    ["pd_stack_too_small.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> stack_size=\"0x800\" is out of range: expected 0x1000 (4 KiB) to 0x1000000 (16 MiB)",
    ]],
    ["pd_stack_unaligned.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> stack_size=\"0x2800\" is not a multiple of the 0x1000-byte page size",
    ]],
    ["pd_stack_uppercase_hex.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> stack_size=\"0X4000\" is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): it has a character that is not a decimal digit",
    ]],
    ["pd_system_element_inside.system", "qemu_virt_aarch64", [
      "4:9: <memory_region> belongs directly inside <system>, not inside <protection_domain name=\"app\">",
    ]],
    ["pd_unknown_attribute.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> has no attribute 'prio'; did you mean 'priority'? allowed: name, priority, budget, period, passive, stack_size, smc, cpu, domain, fpu",
    ]],
    ["pd_unknown_child.system", "qemu_virt_aarch64", [
      "4:9: <protection_domain name=\"app\"> cannot contain <stack>; expected <program_image>, <map>, <irq>, <setvar>, <protection_domain>, <virtual_machine>, <ioport> or <cspace>",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["pd_smc.system", "qemu_virt_aarch64", []],
    ["pd_child_id_beyond_tcb_slots.system", "qemu_virt_aarch64", [
      "7:41: <protection_domain name=\"stray\"> id=\"64\": the child's TCB goes to slot 266 of the parent's CNode, past the 64 slots kept for child TCBs from BASE_TCB_CAP (202), among the capabilities kept for vcpus and I/O ports",
    ]],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
