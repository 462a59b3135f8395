// PDs that fault on purpose (tests/pds/faulty): each fault reaches the kernel model as the seL4
// fault a real kernel raises, with the hardware's fault status, and hurts only the faulting PD.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

const run = (board: string) =>
  runSystem({ systemFile: "tests/pds/faulty/faulty.system", board, searchPaths: [`build/test-pds/faulty/${board}/debug`] });

const NAMES = ["read_unmapped", "write_text", "exec_data", "privileged", "unknown_syscall"];

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("faulting PDs on %s", (board) => {
  test("every faulting PD stops at its fault; the others keep running", () => {
    const r = run(board);
    const expected = [...NAMES, "survivor"].map((n) => `${n}: faulting\n`).join("") + "survivor: still running\n";
    expect(r.output).toBe(expected);
    expect(r.stopReason).toBe("idle");
    expect(r.diagnostics).toHaveLength(NAMES.length);
    NAMES.forEach((name, i) => expect(r.diagnostics[i]).toContain(`from thread "${name}"`));
  });
});

test("AArch64 fault status: data abort (EC 0x24) with DFSC translation/permission and WnR, instruction abort (EC 0x20), EC 0 undefined", () => {
  const d = run("qemu_virt_aarch64").diagnostics;
  expect(d[0]).toMatch(/^caught data VM fault at 0x10000000 \(FSR 0x92000007\)/);
  expect(d[1]).toMatch(/^caught data VM fault at 0x[0-9a-f]+ \(FSR 0x9200004f\)/);
  expect(d[2]).toMatch(/^caught instruction VM fault at (0x[0-9a-f]+) \(FSR 0x8200000f\) from thread "exec_data" at pc \1,/);
  expect(d[3]).toMatch(/^caught user exception \(number 0x2000000, code 0\)/);
  expect(d[4]).toMatch(/^caught unknown syscall 100 /);
});

test("RISC-V fault status: normalised scause 5 load, 7 store, 1 fetch; illegal instruction is scause 2", () => {
  const d = run("qemu_virt_riscv64").diagnostics;
  expect(d[0]).toMatch(/^caught data VM fault at 0x10000000 \(FSR 0x5\)/);
  expect(d[1]).toMatch(/^caught data VM fault at 0x[0-9a-f]+ \(FSR 0x7\)/);
  expect(d[2]).toMatch(/^caught instruction VM fault at (0x[0-9a-f]+) \(FSR 0x1\) from thread "exec_data" at pc \1,/);
  expect(d[3]).toMatch(/^caught user exception \(number 0x2, code 0\)/);
  expect(d[4]).toMatch(/^caught unknown syscall 100 /);
});
