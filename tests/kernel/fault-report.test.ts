// A thread that faults without a fault handler: the debug kernel's report (faulthandler.c
// handleNoFaultHandler, print_fault, Arch_userStackTrace) line by line, and the thread stops.
import { describe, expect, test } from "vitest";
import { handleFault } from "../../kernel/ipc.js";
import { pointer } from "../../kernel/fault-report.js";
import { recordObjectRegion } from "../../kernel/objects/untyped.js";
import { ARCHES, Sim } from "./harness.js";

test("%p prints as few hex digits as it takes, with 0x unless the value is 0 (as QEMU runs of seL4 show)", () => {
  expect(pointer(0x400123n)).toBe("0x400123");
  expect(pointer(0n)).toBe("0");
});

describe.each(ARCHES)("no fault handler (%s)", (arch) => {
  function faulting() {
    const sim = new Sim(arch);
    const pd = sim.thread("worker");
    pd.tcb.vspaceRoot = sim.newVSpace();
    const stack = pd.memory.map(0x8000n, 0x1000, true);
    new DataView(stack.buffer).setBigUint64(0xff0, 0x1234n, true);
    sim.setReg(pd, "sp", 0x8ff0n);
    sim.start(pd);
    return { sim, pd };
  }

  test("a VM fault prints the fault, the thread, its pc and 16 stack words, then the thread is inactive", () => {
    const { sim, pd } = faulting();
    pd.tcb.restartPc = 0x400abcn;
    recordObjectRegion(pd.tcb, { base: 0x4100_0000n, sizeBits: 11 });
    handleFault(sim.k, pd.tcb, { type: "VMFault", address: 0x10n, instruction: false, fsr: 0x92000007n });
    const window = arch === "aarch64" ? 0x80_0000_0000n : 0xffff_ffc0_0000_0000n; // Microkit's kernels: EL2 AArch64, Sv39
    expect(sim.host.lines.slice(0, 5)).toEqual([
      "Found thread has no fault handler while trying to handle:",
      "vm fault on data at address 0x10 with status 0x92000007",
      `in thread ${pointer(window + 0x4100_0000n + 0x400n)} "worker" at address 0x400abc`,
      "With stack:",
      "0x8ff0: 0x1234",
    ]);
    expect(sim.host.lines[6]).toBe("0x9000: INVALID");
    expect(sim.host.lines).toHaveLength(4 + 16);
    expect(pd.tcb.state).toBe("Inactive");
  });

  test.each([
    [{ type: "CapFault", address: 0x42n, inReceivePhase: true, lookup: { type: "InvalidRoot" } } as const, "cap fault in receive phase at address 0x42"],
    [{ type: "UnknownSyscall", number: 0n } as const, "unknown syscall 0"],
    [{ type: "UserException", number: 0x2000000n, code: 0n } as const, "user exception 0x2000000 code 0"],
  ])("%o is printed as %s", (fault, line) => {
    const { sim, pd } = faulting();
    handleFault(sim.k, pd.tcb, fault);
    expect(sim.host.lines[1]).toBe(line);
    expect(sim.host.lines[2]).toMatch(/^in thread 0 "worker" at address/);
  });

  test("a thread with no valid VSpace root has no stack to show", () => {
    const { sim, pd } = faulting();
    pd.tcb.vspaceRoot = { type: "null" };
    handleFault(sim.k, pd.tcb, { type: "UnknownSyscall", number: 5n });
    expect(sim.host.lines.slice(3)).toEqual(["With stack:", "Invalid vspace"]);
  });

  test("a misaligned stack pointer ends the trace", () => {
    const { sim, pd } = faulting();
    sim.setReg(pd, "sp", 0x8ff4n);
    handleFault(sim.k, pd.tcb, { type: "UnknownSyscall", number: 5n });
    expect(sim.host.lines.slice(3)).toEqual(["With stack:", arch === "riscv64" ? "SP 0x8ff4 not aligned" : "SP not aligned"]);
  });
});
