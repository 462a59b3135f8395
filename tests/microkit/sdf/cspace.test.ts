// <cspace>: cap_tcb, cap_sc and cap_vspace: slots and the protection domains they name.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<cspace>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["cap_cspace_attribute.system", "qemu_virt_aarch64", [
      "4:17: <cspace> has no attribute 'size'; <cspace> takes no attributes",
    ]],
    ["cap_missing_pd.system", "qemu_virt_aarch64", [
      "4:17: <cap_vspace> needs a 'pd' attribute (the protection domain the capability comes from)",
    ]],
    ["cap_missing_slot.system", "qemu_virt_aarch64", [
      "4:17: <cap_vspace pd=\"app\"> needs a 'slot' attribute (the slot in this protection domain's CSpace)",
    ]],
    ["cap_not_a_cap.system", "qemu_virt_aarch64", [
      "4:17: <cspace> cannot contain <slot>; expected <cap_tcb>, <cap_sc>, <cap_vspace>",
    ]],
    ["cap_overlapping_slots.system", "qemu_virt_aarch64", [
      "10:37: slot 1 of the CSpace of 'boss' is already filled by the capability at 8:13",
    ]],
    ["cap_slot_too_large.system", "qemu_virt_aarch64", [
      "4:35: <cap_tcb pd=\"app\"> slot=\"128\" is out of range: the slots available are 1..127",
    ]],
    ["cap_slot_zero.system", "qemu_virt_aarch64", [
      "4:34: <cap_sc pd=\"app\"> slot=\"0\": slot 0 holds the Microkit CNode; use 1..127",
    ]],
    ["cap_unknown_pd.system", "qemu_virt_aarch64", [
      "7:26: <cap_tcb pd=\"workers\">: no protection domain has that name; did you mean 'worker'?",
    ]],
    ["cap_unknown_type.system", "qemu_virt_aarch64", [
      "4:17: <cap_endpoint>: capability type 'endpoint' is not supported; expected <cap_tcb>, <cap_sc>, <cap_vspace>",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["cap_slot_beyond_root_cnode.system", "qemu_virt_aarch64", [
      "4:35: <cap_tcb pd=\"app\"> slot=\"100\": the Microkit tool accepts slots up to 127, but the root CNode has 64 slots and microkit_cspace_root_slot_to_cptr(100) returns seL4_CapNull",
    ]],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
