// <channel>: ends, ids, pp and notify, protected procedure priorities, id clashes with IRQs, setvar_id.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("<channel>", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["ch_duplicate_id_end_a.system", "qemu_virt_aarch64", [
      "9:21: channel id 5 of protection domain 'a' is already used by the <end> at 5:9",
    ]],
    ["ch_duplicate_id_end_b.system", "qemu_virt_aarch64", [
      "10:21: channel id 5 of protection domain 'b' is already used by the <end> at 6:9",
    ]],
    ["ch_id_clashes_irq.system", "qemu_virt_aarch64", [
      "8:21: channel id 3 of protection domain 'a' is already used by the <irq> at 4:9",
    ]],
    ["ch_id_hex.system", "qemu_virt_aarch64", [
      "5:21: <end pd=\"a\"> id=\"0x1\" is not a decimal integer (the Microkit tool reads id in decimal only, without '_' or 0x): it has a character that is not a decimal digit",
    ]],
    ["ch_id_negative.system", "qemu_virt_aarch64", [
      "6:21: <end pd=\"b\"> id=\"-3\" is out of range: channel ids are 0..61",
    ]],
    ["ch_id_too_large.system", "qemu_virt_aarch64", [
      "5:21: <end pd=\"a\"> id=\"62\" is out of range: channel ids are 0..61",
    ]],
    ["ch_invalid_child.system", "qemu_virt_aarch64", [
      "6:9: <channel> cannot contain <start>; it has exactly two <end> elements",
    ]],
    ["ch_missing_id.system", "qemu_virt_aarch64", [
      "5:9: <end pd=\"a\"> needs an 'id' attribute (the channel id within that protection domain)",
    ]],
    ["ch_missing_pd.system", "qemu_virt_aarch64", [
      "5:9: <end> needs a 'pd' attribute (the protection domain at this end)",
    ]],
    ["ch_notify_not_bool.system", "qemu_virt_aarch64", [
      "6:28: <end pd=\"b\"> notify=\"0\" must be 'true' or 'false'",
    ]],
    ["ch_one_end.system", "qemu_virt_aarch64", [
      "4:5: <channel> has 1 <end> element; a channel has exactly two",
    ]],
    ["ch_pp_both_ends.system", "qemu_virt_aarch64", [
      "6:28: pp=\"true\" is set on both ends of the <channel>: a protected procedure call goes one way, so only the caller's end has pp=\"true\"",
    ]],
    ["ch_pp_not_bool.system", "qemu_virt_aarch64", [
      "5:28: <end pd=\"a\"> pp=\"yes\" must be 'true' or 'false'",
    ]],
    ["ch_pp_to_equal_priority.system", "qemu_virt_aarch64", [
      "5:28: pp=\"true\" lets 'a' (priority 0) call 'b' (priority 0): protected procedure calls go only to a strictly higher priority",
    ]],
    ["ch_pp_to_itself.system", "qemu_virt_aarch64", [
      "4:28: pp=\"true\" lets 'a' (priority 0) call 'a' (priority 0): protected procedure calls go only to a strictly higher priority",
    ]],
    ["ch_pp_to_lower_priority.system", "qemu_virt_aarch64", [
      "6:28: pp=\"true\" lets 'b' (priority 2) call 'a' (priority 1): protected procedure calls go only to a strictly higher priority",
    ]],
    ["ch_setvar_duplicate.system", "qemu_virt_aarch64", [
      "8:28: symbol 'peer' of protection domain 'a' would be patched twice: by this setvar_id of <end> and by the setvar_id of <irq> at 4:30",
    ]],
    ["ch_three_ends.system", "qemu_virt_aarch64", [
      "4:5: <channel> has 3 <end> elements; a channel has exactly two",
    ]],
    ["ch_unknown_attribute.system", "qemu_virt_aarch64", [
      "4:14: <channel name=\"link\"> has no attribute 'name'; <channel> takes no attributes",
    ]],
    ["ch_unknown_pd.system", "qemu_virt_aarch64", [
      "5:14: <end pd=\"c\">: no protection domain has that name; did you mean 'a'?",
      "6:14: <end pd=\"bb\">: no protection domain has that name; did you mean 'b'?",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["ch_to_child.system", "qemu_virt_aarch64", []],
    ["ch_to_itself.system", "qemu_virt_aarch64", []],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
