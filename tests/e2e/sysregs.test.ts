// AArch64 EL0 system-register accesses from real PD code: the exported generic-timer registers
// are answered from virtual time; a register the configuration does not export traps.
import { expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

const run = (board: string) =>
  runSystem({ systemFile: "tests/pds/clock/clock.system", board, searchPaths: [`build/test-pds/clock/${board}/debug`] });

test("the physical counter runs on virtual time at the board's frequency, the timer reports ISTATUS", () => {
  const r = run("qemu_virt_aarch64");
  // 62.5 MHz: aarch64.json boot.timer_frequency_hz.
  expect(r.output).toBe([
    "clock: frequency 0x0000000003b9aca0",
    "clock: counter advanced",
    "clock: ctl 0x0000000000000005",
    "clock: reading the virtual counter",
    "",
  ].join("\n"));
  // CNTVCT_EL0 is not exported: an MSR/MRS trap (EC 0x18), a VCPU fault on the hypervisor kernel.
  expect(r.diagnostics[0]).toBe("MON|ERROR: PD 'clock' faulted: VCPUFault (badge 0x1)");
  // EC 0x18, IL, ISS: Op0 3, Op2 2, Op1 3, CRn 14, Rt 8, CRm 0, read.
  expect(r.diagnostics[1]).toBe("MON|ERROR:   esr 0x6234f901");
});

test("RISC-V PDs run the same source without timer registers", () => {
  expect(run("qemu_virt_riscv64").output).toBe("clock: no user-mode timer registers on this architecture\n");
});
