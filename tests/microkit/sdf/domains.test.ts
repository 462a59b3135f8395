// <domains>: domain names and ids, the schedule, durations, order in the file, SMP kernels.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<domains>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["dom_bad_unit.system", "qemu_virt_aarch64", [
      "5:42: <schedule_entry domain=\"red\"> duration=\"1000 ms\" has the unit 'ms'; expected 'us' or 'ticks' after exactly one space",
    ]],
    ["dom_duplicate_id.system", "qemu_virt_aarch64", [
      "4:29: <domain name=\"blue\"> id=\"3\": id 3 already belongs to domain 'red' at 3:9",
    ]],
    ["dom_duplicate_name.system", "qemu_virt_aarch64", [
      "4:9: domain 'red' is declared twice; the first <domain> is at 3:9",
    ]],
    ["dom_duration_no_space.system", "qemu_virt_aarch64", [
      "5:42: <schedule_entry domain=\"red\"> duration=\"1000us\" needs a number, one space and a unit, e.g. '1000 us' or '50 ticks'",
    ]],
    ["dom_duration_not_number.system", "qemu_virt_aarch64", [
      "5:42: <schedule_entry domain=\"red\"> duration=\"lots us\": 'lots' is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): it has a character that is not a decimal digit",
    ]],
    ["dom_duration_zero.system", "qemu_virt_aarch64", [
      "5:42: <schedule_entry domain=\"red\"> duration=\"0 ticks\" is zero; a domain must run for some time",
    ]],
    ["dom_empty_schedule.system", "qemu_virt_aarch64", [
      "4:9: <domain_schedule> has no <schedule_entry>; a schedule needs at least one",
    ]],
    ["dom_entry_unknown_domain.system", "qemu_virt_aarch64", [
      "5:29: <schedule_entry domain=\"rde\">: no <domain> of this <domains> has that name; did you mean 'red'?",
    ]],
    ["dom_id_out_of_range.system", "qemu_virt_aarch64", [
      "3:28: <domain name=\"red\"> id=\"16\" is out of range: the kernel has 16 domains (KernelNumDomains), so ids are 0..15",
    ]],
    ["dom_invalid_child.system", "qemu_virt_aarch64", [
      "4:9: <domains> cannot contain <schedule_entry>; expected <domain> or <domain_schedule>",
      "7:13: <domain_schedule> cannot contain <domain>; expected <schedule_entry> or <schedule_end_marker>",
    ]],
    ["dom_no_schedule.system", "qemu_virt_aarch64", [
      "2:5: <domains> has no <domain_schedule>; it needs exactly one",
    ]],
    ["dom_pd_domain_before_domains.system", "qemu_virt_aarch64", [
      "2:37: <protection_domain name=\"early\"> domain=\"red\" comes before the <domains> at 4:5; the Microkit tool reads the file in order, so <domains> must come before the protection domains that name a domain",
    ]],
    ["dom_pd_domain_without_domains.system", "qemu_virt_aarch64", [
      "2:35: <protection_domain name=\"app\"> domain=\"red\" names a domain, but the system has no <domains> element with a domain schedule",
    ]],
    ["dom_pd_missing_domain.system", "qemu_virt_aarch64", [
      "10:5: <protection_domain name=\"app\"> needs a 'domain' attribute: the <domains> at 2:5 sets a domain schedule, so every protection_domain after it names its domain",
    ]],
    ["dom_pd_unknown_domain.system", "qemu_virt_aarch64", [
      "10:35: <protection_domain name=\"app\"> domain=\"green\" is not declared in the <domains> at 2:5",
    ]],
    ["dom_schedule_too_long.system", "qemu_virt_aarch64", [
      "4:9: <domain_schedule> has 100 entries; the kernel holds at most 99 (KernelNumDomainSchedules is 100, board qemu_virt_aarch64 (aarch64, debug))",
    ]],
    ["dom_shift_not_number.system", "qemu_virt_aarch64", [
      "4:26: <domain_schedule> index_shift=\"some\" is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): it has a character that is not a decimal digit",
    ]],
    ["dom_shift_too_far.system", "qemu_virt_aarch64", [
      "4:26: <domain_schedule> index_shift=\"98\" plus the 2 entries of the schedule reaches 100, beyond the kernel's 99 schedule slots (KernelNumDomainSchedules is 100)",
    ]],
    ["dom_smp.system", "qemu_virt_aarch64/smp-debug", [
      "2:5: <domains>: seL4's domain scheduler works only on a single-core kernel, and board qemu_virt_aarch64 (aarch64, smp-debug) has 4 cores",
    ]],
    ["dom_start_index_not_number.system", "qemu_virt_aarch64", [
      "4:26: <domain_schedule> start_index=\"first\" is not a number (decimal digits, or 0x and hex digits; '_' may separate digits): it has a character that is not a decimal digit",
    ]],
    ["dom_start_index_past_end.system", "qemu_virt_aarch64", [
      "4:26: <domain_schedule> start_index=\"2\" is past the end of the schedule: with 2 entries it must be 0..1",
    ]],
    ["dom_too_many.system", "qemu_virt_aarch64", [
      "20:9: <domain name=\"d17\"> gets no id: <domains> declares 18 domains, more than the 17 ids the Microkit tool hands out (KernelNumDomains is 16)",
    ]],
    ["dom_two_domains_elements.system", "qemu_virt_aarch64", [
      "10:5: a system has one <domains>; the first is at 2:5",
    ]],
    ["dom_two_schedules.system", "qemu_virt_aarch64", [
      "7:9: <domains> has a second <domain_schedule>; the first is at 4:9",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["dom_one_too_many_ids.system", "qemu_virt_aarch64", [
      "19:9: <domain name=\"d16\"> is given id 16, outside the kernel's 0..15 (KernelNumDomains is 16): the Microkit tool allows one id too many here, and seL4 will refuse it when the system starts",
    ]],
    ["dom_schedule_longest.system", "qemu_virt_aarch64", []],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
