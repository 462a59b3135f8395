// PDs that fault on purpose (tests/pds/faulty): each fault reaches the monitor as the seL4 fault a
// real kernel raises, with the hardware's fault status, and hurts only the faulting PD.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

const run = (board: string) =>
  runSystem({ systemFile: "tests/pds/faulty/faulty.system", board, searchPaths: [`build/test-pds/faulty/${board}/debug`] });

const NAMES = ["read_unmapped", "write_text", "exec_data", "privileged", "unknown_syscall", "no_fpu"];

/** The lines of the monitor's report on the n-th fault (from its "faulted:" line to the next). */
function report(diagnostics: readonly string[], n: number): string[] {
  const starts = diagnostics.flatMap((l, i) => (l.includes(" faulted: ") ? [i] : []));
  return diagnostics.slice(starts[n], starts[n + 1] ?? diagnostics.length);
}

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("faulting PDs on %s", (board) => {
  const r = run(board);

  test("every faulting PD stops at its fault; the others keep running", () => {
    const expected = [...NAMES, "survivor"].map((n) => `${n}: faulting\n`).join("") + "survivor: still running\n";
    expect(r.output).toBe(expected);
    expect(r.stopReason).toBe("idle");
  });

  test("the monitor names each PD, its fault type and its badge (PD index + 1)", () => {
    expect(r.diagnostics.filter((l) => l.includes(" faulted: "))).toEqual([
      "MON|ERROR: PD 'read_unmapped' faulted: VMFault (badge 0x1)",
      "MON|ERROR: PD 'write_text' faulted: VMFault (badge 0x2)",
      "MON|ERROR: PD 'exec_data' faulted: VMFault (badge 0x3)",
      "MON|ERROR: PD 'privileged' faulted: UserException (badge 0x4)",
      "MON|ERROR: PD 'unknown_syscall' faulted: UnknownSyscall (badge 0x5)",
      // Microkit's AArch64 kernel runs at EL2: the trapped FP instruction is a VCPU fault there.
      `MON|ERROR: PD 'no_fpu' faulted: ${board === "qemu_virt_aarch64" ? "VCPUFault" : "UserException"} (badge 0x6)`,
    ]);
  });

  test("the report ends with the faulting PD's registers; the syscall number is there for UnknownSyscall", () => {
    const syscallReg = board === "qemu_virt_aarch64" ? "x7" : "a7";
    expect(report(r.diagnostics, 4).join("\n")).toMatch(new RegExp(` ${syscallReg} 0x64( |$)`, "m"));
    for (let n = 0; n < NAMES.length; n++) expect(report(r.diagnostics, n).some((l) => /^MON\|ERROR: {3}pc 0x[0-9a-f]+ {2}/.test(l))).toBe(true);
  });
});

test("AArch64 fault status: data abort (EC 0x24) with DFSC translation/permission and WnR, instruction abort (EC 0x20)", () => {
  const d = run("qemu_virt_aarch64").diagnostics;
  // Translation faults name the level where the walk of the PD's VSpace found no entry: 0x10000000
  // has no page table under the level-2 table that maps the image (DFSC 0x6); permission faults
  // name the leaf's level, 3 for a 4 KiB page.
  expect(report(d, 0)[1]).toMatch(/^MON\|ERROR: {3}data fault at address 0x10000000, ip 0x[0-9a-f]+, fsr 0x92000006 \(EC 0x24, IL 1, ISS 0x6, DFSC 0x6, EA 0, CM 0, S1PTW 0, WnR 0\)$/);
  expect(report(d, 1)[1]).toMatch(/^MON\|ERROR: {3}data fault at address 0x[0-9a-f]+, ip 0x[0-9a-f]+, fsr 0x9200004f \(.*DFSC 0xf.*WnR 1\)$/);
  expect(report(d, 2)[1]).toMatch(/^MON\|ERROR: {3}instruction fault at address (0x[0-9a-f]+), ip \1, fsr 0x8200000f \(EC 0x20, IL 1, ISS 0xf\)$/);
  // An FP instruction with the FPU disabled: EC 0x07 (FP access trapped), IL, CV 1, COND 0xe.
  expect(report(d, 5)[1]).toBe("MON|ERROR:   esr 0x1fe00000");
});

test("RISC-V fault status: normalised scause 5 load, 7 store, 1 fetch", () => {
  const d = run("qemu_virt_riscv64").diagnostics;
  expect(report(d, 0)[1]).toMatch(/^MON\|ERROR: {3}data fault at address 0x10000000, ip 0x[0-9a-f]+, fsr 0x5 \(load access\)$/);
  expect(report(d, 1)[1]).toMatch(/^MON\|ERROR: {3}data fault at address 0x[0-9a-f]+, ip 0x[0-9a-f]+, fsr 0x7 \(store\/AMO access\)$/);
  expect(report(d, 2)[1]).toMatch(/^MON\|ERROR: {3}instruction fault at address (0x[0-9a-f]+), ip \1, fsr 0x1 \(instruction access\)$/);
});
