// whole-system rules: the root element, stray text, names, the number of protection domains, IRQ numbers and channel ids across the system.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("whole-system rules", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["sys_duplicate_irq_id.system", "qemu_virt_aarch64", [
      "5:23: channel id 3 of protection domain 'drv' is already used by the <irq> at 4:9",
    ]],
    ["sys_duplicate_irq_number.system", "qemu_virt_aarch64", [
      "8:14: irq 112 is already taken by protection domain 'first' (the <irq> at 4:9); an interrupt has one handler",
    ]],
    ["sys_duplicate_pd_name.system", "qemu_virt_aarch64", [
      "5:28: protection domain name 'twin' is already used by the <protection_domain> at 2:5",
    ]],
    ["sys_duplicate_vector.system", "x86_64_generic", [
      "5:42: vector 40 is already taken by protection domain 'drv' (the <irq> at 4:9); an interrupt has one handler",
    ]],
    ["sys_monitor_name.system", "qemu_virt_aarch64", [
      "2:24: the name 'monitor' is reserved for the Microkit monitor",
    ]],
    ["sys_no_pds.system", "qemu_virt_aarch64", [
      "1:1: <system> has no <protection_domain>; a system needs at least one",
    ]],
    ["sys_root_not_system.system", "qemu_virt_aarch64", [
      "1:1: the root element must be <system>, not <System>",
    ]],
    ["sys_text.system", "qemu_virt_aarch64", [
      "3:5: unexpected text 'oops, a stray sentence' directly inside <system>; only elements and comments belong here",
    ]],
    ["sys_too_many_pds.system", "qemu_virt_aarch64", [
      "65:5: too many protection domains: the system has 64, children included, and at most 63 are allowed",
    ]],
    ["sys_too_many_with_children.system", "qemu_virt_aarch64", [
      "66:9: too many protection domains: the system has 64, children included, and at most 63 are allowed",
    ]],
    ["sys_unknown_element.system", "qemu_virt_aarch64", [
      "1:1: <system> has no <protection_domain>; a system needs at least one",
      "2:5: <system> cannot contain <protection_domains>; expected <protection_domain>, <memory_region>, <channel>, <domains> or <io_address_space>",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["sys_attribute.system", "qemu_virt_aarch64", [
      "1:9: <system> takes no attributes; version=\"2\" is ignored",
    ]],
    ["sys_ignored_content.system", "qemu_virt_aarch64", [
      "2:45: <note> inside <memory_region name=\"ram\"> is ignored: <memory_region> takes no child elements",
      "4:9: text 'first words' inside <protection_domain name=\"app\"> is ignored",
      "5:39: text 'extra' inside <program_image> is ignored",
      "6:41: <map mr=\"ram\"> perms=\"\" maps the region with no access at all",
    ]],
    ["sys_most_pds.system", "qemu_virt_aarch64", []],
    ["sys_name_too_long.system", "qemu_virt_aarch64", [
      "2:24: protection domain name 'pxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is 71 bytes long; the monitor and libmicrokit keep only the first 63",
    ]],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
