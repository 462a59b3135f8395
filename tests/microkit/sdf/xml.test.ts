// XML: what the XML reader accepts and refuses, as roxmltree (upstream's reader) does.
// One fixture per case (fixtures/<case>.system); each row gives every error expected, with its line
// and column, so a missing, extra or moved message fails. Verdicts follow upstream's tool at the pinned commit.
import { describe, expect, it } from "vitest";
import { accepts, rejects } from "./helpers.js";

describe("XML", () => {
  const refused: readonly (readonly [string, string, readonly string[]])[] = [
    ["xml_bad_comment.system", "qemu_virt_aarch64", [
      "2:5: malformed XML: '--' is not allowed inside a comment",
    ]],
    ["xml_binary.system", "qemu_virt_aarch64", [
      "1:5: character U+0002 is not allowed in XML; is this a binary file rather than a system description?",
    ]],
    ["xml_blank.system", "qemu_virt_aarch64", [
      "1:1: the file is empty: expected a <system> element",
    ]],
    ["xml_cdata_in_system.system", "qemu_virt_aarch64", [
      "2:5: unexpected text 'not allowed here' directly inside <system>; only elements and comments belong here",
    ]],
    ["xml_doctype.system", "qemu_virt_aarch64", [
      "2:1: malformed XML: a DOCTYPE declaration is not allowed in a system description",
    ]],
    ["xml_duplicate_attribute.system", "qemu_virt_aarch64", [
      "2:35: malformed XML: attribute name appears twice in <protection_domain>",
    ]],
    ["xml_empty.system", "qemu_virt_aarch64", [
      "1:1: the file is empty: expected a <system> element",
    ]],
    ["xml_late_declaration.system", "qemu_virt_aarch64", [
      "2:1: malformed XML: the XML declaration <?xml ...?> may only appear at the very start of the file",
    ]],
    ["xml_mismatched.system", "qemu_virt_aarch64", [
      "4:5: malformed XML: </protection_domain> does not match <program_image> opened at 3:9",
    ]],
    ["xml_namespaced_name.system", "qemu_virt_aarch64", [
      "2:5: <protection_domain> needs a 'name' attribute (a name unique among protection domains); one with a namespace prefix is a different attribute",
    ]],
    ["xml_trailing.system", "qemu_virt_aarch64", [
      "4:1: malformed XML: unexpected content after the root element </system>",
    ]],
    ["xml_unclosed.system", "qemu_virt_aarch64", [
      "2:5: malformed XML: <protection_domain> (line 2) is never closed",
    ]],
    ["xml_undeclared_prefix.system", "qemu_virt_aarch64", [
      "1:9: malformed XML: the namespace prefix 'sdf' is not declared (xmlns:sdf=\"...\")",
    ]],
    ["xml_unknown_entity.system", "qemu_virt_aarch64", [
      "2:24: malformed XML: unknown entity &nbsp; (only &lt; &gt; &amp; &quot; &apos; are defined)",
    ]],
    ["xml_unquoted.system", "qemu_virt_aarch64", [
      "2:29: malformed XML: expected a quoted value for attribute name",
    ]],
  ];
  it.each(refused)("refuses %s on %s", (fixture, board, errors) => {
    expect(rejects(fixture, board)).toEqual(errors);
  });

  const accepted: readonly (readonly [string, string, readonly string[]])[] = [
    ["xml_features.system", "qemu_virt_aarch64", [
      "10:9: text 'ignored' inside <protection_domain name=\"app\"> is ignored",
    ]],
    ["xml_namespaces.system", "qemu_virt_aarch64", []],
  ];
  it.each(accepted)("accepts %s on %s, with exactly these warnings", (fixture, board, warnings) => {
    expect(accepts(fixture, board).warnings).toEqual(warnings);
  });
});
