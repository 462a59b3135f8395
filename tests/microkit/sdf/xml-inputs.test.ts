// Inputs that are not a system description at all: each gets one clear, located error and no
// exception, however large or deep.
import { describe, expect, it } from "vitest";
import { formatSdfError, formatSdfWarning } from "../../../microkit/sdf/model.js";
import { located, parseSource } from "./helpers.js";

const errorsOf = (source: string | Uint8Array): string[] => {
  const r = parseSource("input.system", source);
  return r.ok ? [] : r.errors.map(located);
};

describe("hostile and broken input", () => {
  it("refuses 10 MB of nested elements at the nesting limit without exhausting the stack", () => {
    const depth = Math.floor((10 * 1024 * 1024) / 7);
    const source = `<system>${"<a>".repeat(depth)}${"</a>".repeat(depth)}</system>`;
    expect(errorsOf(source)).toEqual(["1:774: malformed XML: elements are nested more than 256 deep"]);
  });
  it("refuses deeply nested protection domains at the same limit", () => {
    const source = `<system>${'<protection_domain name="p">'.repeat(300)}</system>`;
    expect(errorsOf(source)).toEqual(["1:7149: malformed XML: elements are nested more than 256 deep"]);
  });
  it("refuses bytes that are not UTF-8", () => {
    expect(errorsOf(Uint8Array.of(0x3c, 0x73, 0xff, 0xfe, 0x00))).toEqual([
      "1:1: the file is not UTF-8 text; is it a binary file rather than a system description?",
    ]);
  });
  it("refuses an ELF file read as text, at its first control character", () => {
    expect(errorsOf("\u007fELF\u0002\u0001\u0001")).toEqual([
      "1:5: character U+0002 is not allowed in XML; is this a binary file rather than a system description?",
    ]);
  });
  it("refuses a character reference to a character XML forbids", () => {
    expect(errorsOf('<system><protection_domain name="&#0;" /></system>')).toEqual(["1:28: malformed XML: &#0; is not a character XML allows"]);
  });
  it("reads the same file from bytes and from text", () => {
    const text = '<system>\n  <protection_domain name="caf\u00e9"><program_image path="a.elf" /></protection_domain>\n</system>\n';
    const fromBytes = parseSource("input.system", new TextEncoder().encode(text));
    const fromText = parseSource("input.system", text);
    expect(fromBytes.ok && fromBytes.system.protectionDomains[0]!.name).toBe("caf\u00e9");
    expect(fromBytes).toEqual(fromText);
  });
  it("normalises whitespace in attribute values as XML requires", () => {
    const r = parseSource("input.system", '<system><protection_domain name="a\tb"><program_image path="x\r\ny" /></protection_domain></system>');
    expect(r.ok && [r.system.protectionDomains[0]!.name, r.system.protectionDomains[0]!.programImage.path]).toEqual(["a b", "x y"]);
  });
});

describe("formatting", () => {
  it("prints file:line:column and the severity", () => {
    const e = { file: "a.system", line: 3, column: 14, message: "bad" };
    expect(formatSdfError(e)).toBe("a.system:3:14: error: bad");
    expect(formatSdfWarning(e)).toBe("a.system:3:14: warning: bad");
  });
  it("reports problems in file order", () => {
    const r = parseSource("input.system", '<system>\n<protection_domain name="z" priority="300" />\n<protection_domain name="z"><program_image path="z.elf"/></protection_domain>\n</system>');
    expect(r.ok ? [] : r.errors.map(located)).toEqual([
      "2:1: <protection_domain name=\"z\"> has no <program_image>; every protection domain needs one",
      "2:29: <protection_domain name=\"z\"> priority=\"300\" is out of range: expected 0..254 (255 is the monitor's)",
      "3:20: protection domain name 'z' is already used by the <protection_domain> at 2:1",
    ]);
  });
});
