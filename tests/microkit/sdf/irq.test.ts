// <irq> and <ioport>: the ARM/RISC-V form, the x86 I/O APIC and MSI forms, each refused on the other architectures, and x86 I/O ports.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<irq> and <ioport>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["ioport_duplicate_id.system", "x86_64_generic", [
      "5:17: I/O port id 2 of protection domain 'drv' is already used by the <ioport> at 4:9",
    ]],
    ["ioport_missing_addr.system", "x86_64_generic", [
      "4:9: <ioport> needs an 'addr' attribute (the first port)",
    ]],
    ["ioport_on_arm.system", "qemu_virt_aarch64", [
      "4:9: <ioport> exists only on x86_64, but board qemu_virt_aarch64 (aarch64, debug) has no I/O ports",
    ]],
    ["ioport_overlap_other_pd.system", "x86_64_generic", [
      "8:24: I/O ports [0x3f0..0x3f9) of 'rogue' overlap ports [0x3f8..0x400) of 'serial' (the <ioport> at 4:9)",
    ]],
    ["ioport_overlap_same_pd.system", "x86_64_generic", [
      "5:24: I/O ports [0x3fc..0x404) of 'drv' overlap ports [0x3f8..0x400) of 'drv' (the <ioport> at 4:9)",
    ]],
    ["ioport_size_zero.system", "x86_64_generic", [
      "4:37: <ioport> size=\"0\" must be at least 1",
    ]],
    ["irq_arm_on_x86.system", "x86_64_generic", [
      "4:14: <irq> irq=\"33\" is the ARM/RISC-V form of <irq>, but board x86_64_generic (x86_64, debug) needs the I/O APIC form (pin, vector) or the MSI form (pcidev, handle, vector)",
    ]],
    ["irq_arm_with_pin_attribute.system", "qemu_virt_aarch64", [
      "4:23: <irq> has no attribute 'pin': an <irq> with an irq number is the ARM/RISC-V form, which has no pin",
    ]],
    ["irq_bad_trigger.system", "qemu_virt_aarch64", [
      "4:30: <irq> trigger=\"rising\" must be 'level' or 'edge'",
    ]],
    ["irq_id_hex.system", "qemu_virt_aarch64", [
      "4:23: <irq> id=\"0x1\" is not a decimal integer (the Microkit tool reads id in decimal only, without '_' or 0x): it has a character that is not a decimal digit",
    ]],
    ["irq_id_negative.system", "qemu_virt_aarch64", [
      "4:23: <irq> id=\"-1\" is out of range: channel ids are 0..61",
    ]],
    ["irq_id_too_large.system", "qemu_virt_aarch64", [
      "4:23: <irq> id=\"62\" is out of range: channel ids are 0..61",
    ]],
    ["irq_ioapic_bad_polarity.system", "x86_64_generic", [
      "4:41: <irq> polarity=\"level\" must be 'high' or 'low'",
    ]],
    ["irq_ioapic_bad_trigger.system", "x86_64_generic", [
      "4:41: <irq> trigger=\"high\" must be 'level' or 'edge'",
    ]],
    ["irq_ioapic_missing_vector.system", "x86_64_generic", [
      "4:9: <irq> needs a 'vector' attribute (the CPU vector the interrupt is delivered on)",
    ]],
    ["irq_ioapic_negative_ioapic.system", "x86_64_generic", [
      "4:14: <irq> ioapic=\"-1\" must not be negative",
    ]],
    ["irq_ioapic_negative_pin.system", "x86_64_generic", [
      "4:14: <irq> pin=\"-4\" must not be negative",
    ]],
    ["irq_ioapic_on_arm.system", "qemu_virt_aarch64", [
      "4:14: <irq> pin=\"4\" is the x86 I/O APIC form of <irq>, but board qemu_virt_aarch64 (aarch64, debug) needs the form irq=\"<number>\"",
    ]],
    ["irq_ioapic_vector_negative.system", "x86_64_generic", [
      "4:22: <irq> vector=\"-1\" is out of range: expected 0..107",
    ]],
    ["irq_ioapic_vector_too_large.system", "x86_64_generic", [
      "4:22: <irq> vector=\"108\" is out of range: expected 0..107",
    ]],
    ["irq_ioapic_with_msi_attribute.system", "x86_64_generic", [
      "4:41: <irq> has no attribute 'handle': an <irq> with a pin is the I/O APIC form, which has no handle",
    ]],
    ["irq_missing_id.system", "qemu_virt_aarch64", [
      "4:9: <irq> needs an 'id' attribute (the channel id the protection domain is notified on)",
    ]],
    ["irq_missing_irq.system", "qemu_virt_aarch64", [
      "4:9: <irq> needs an 'irq' attribute (the interrupt number)",
    ]],
    ["irq_msi_bus_negative.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"-1:00.0\": the PCI bus -1 is out of range 0..0xff",
    ]],
    ["irq_msi_bus_too_large.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"100:00.0\": the PCI bus 0x100 is out of range 0..0xff",
    ]],
    ["irq_msi_device_negative.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"00:-1.0\": the PCI device -1 is out of range 0..0x1f",
    ]],
    ["irq_msi_device_not_hex.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"00:1g.0\": the PCI device '1g' is not a hex number",
    ]],
    ["irq_msi_device_too_large.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"00:20.0\": the PCI device 0x20 is out of range 0..0x1f",
    ]],
    ["irq_msi_function_negative.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"00:1f.-1\": the PCI function -1 is out of range 0..0x7",
    ]],
    ["irq_msi_function_too_large.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"00:1f.8\": the PCI function 0x8 is out of range 0..0x7",
    ]],
    ["irq_msi_handle_negative.system", "x86_64_generic", [
      "4:31: <irq> handle=\"-5\" must not be negative",
    ]],
    ["irq_msi_malformed.system", "x86_64_generic", [
      "4:14: <irq> pcidev=\"00:1f\" is not a PCI address: expected bus:device.function in hex, e.g. 01:1f.2",
    ]],
    ["irq_msi_missing_handle.system", "x86_64_generic", [
      "4:9: <irq> needs a 'handle' attribute (the value programmed into the MSI data)",
    ]],
    ["irq_msi_on_arm.system", "qemu_virt_aarch64", [
      "4:14: <irq> pcidev=\"00:1f.2\" is the x86 MSI form of <irq>, but board qemu_virt_aarch64 (aarch64, debug) needs the form irq=\"<number>\"",
    ]],
    ["irq_msi_vector_negative.system", "x86_64_generic", [
      "4:42: <irq> vector=\"-21\" is out of range: expected 0..107",
    ]],
    ["irq_msi_vector_too_large.system", "x86_64_generic", [
      "4:42: <irq> vector=\"200\" is out of range: expected 0..107",
    ]],
    ["irq_number_hex.system", "qemu_virt_aarch64", [
      "4:14: <irq> irq=\"0x21\" is not a decimal integer (the Microkit tool reads irq in decimal only, without '_' or 0x): it has a character that is not a decimal digit",
    ]],
    ["irq_x86_no_form.system", "x86_64_generic", [
      "4:9: <irq> needs 'pin' and 'vector' (an I/O APIC interrupt) or 'pcidev', 'handle' and 'vector' (an MSI)",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["irq_above_board_maximum.system", "qemu_virt_aarch64", [
      "4:14: <irq> irq=\"500\" is outside 0..159, the interrupts seL4 has on board qemu_virt_aarch64 (aarch64, debug): the Microkit tool does not check this, but the kernel will refuse it when the system starts",
    ]],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
