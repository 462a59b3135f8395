// Budget exhaustion end to end (tests/pds/budget): a high-priority PD with 1 ms of budget every
// 10 ms computes; a lower-priority PD runs whenever the first is out of budget.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";
import type { KernelEvent } from "../../kernel/events.js";

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("budget on %s", (board) => {
  test("the lower-priority PD runs in the time the higher one has no budget", () => {
    const events: KernelEvent[] = [];
    const r = runSystem({
      systemFile: "tests/pds/budget/budget.system",
      board,
      searchPaths: [`build/test-pds/budget/${board}/debug`],
      onEvent: (e) => events.push(e),
    });
    expect(r.output).toBe(
      [
        "hog: finished its iterations",
        "hog: started before observer ran",
        "hog: observer ran while hog was out of budget",
        "hog: observer had most of the time",
        "observer: hog is done",
      ].map((l) => `${l}\n`).join(""),
    );
    expect(r.stopReason).toBe("idle");
    // hog's budget is exhausted once per 10 ms period. The kernel programs its timer early by the
    // platform's timer precision (1 us on RISC-V), so a period may look that much shorter.
    const hogStops = events.filter((e) => e.type === "budget_exhausted" && e.thread === "hog").map((e) => BigInt(e.time_ns));
    expect(hogStops.length).toBeGreaterThanOrEqual(3);
    expect(hogStops[0]).toBeGreaterThan(990_000n);
    expect(hogStops[0]).toBeLessThanOrEqual(1_000_000n);
    for (let i = 1; i < hogStops.length; i++) {
      expect(hogStops[i]! - hogStops[i - 1]!).toBeGreaterThan(9_990_000n);
      expect(hogStops[i]! - hogStops[i - 1]!).toBeLessThanOrEqual(10_000_000n);
    }
  }, 30_000); // tens of milliseconds of virtual time, every kernel event listened to: slow on a loaded machine
});

test("a progress listener hears where the run has got to, and the run's result is the same as without one", () => {
  const board = "qemu_virt_aarch64";
  const options = { systemFile: "tests/pds/budget/budget.system", board, searchPaths: [`build/test-pds/budget/${board}/debug`] };
  const reports: { virtualTimeNs: number; instructions: number; syscalls: number }[] = [];
  const r = runSystem({ ...options, progress: { everyMs: 0, report: (p) => reports.push(p) } });
  const plain = runSystem(options);
  expect(r.output).toBe(plain.output);
  expect(r.stats.instructions).toBe(plain.stats.instructions);
  expect(reports.length).toBeGreaterThan(10);
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.virtualTimeNs).toBeGreaterThanOrEqual(reports[i - 1]!.virtualTimeNs);
    expect(reports[i]!.instructions).toBeGreaterThanOrEqual(reports[i - 1]!.instructions);
    expect(reports[i]!.syscalls).toBeGreaterThanOrEqual(reports[i - 1]!.syscalls);
  }
  const last = reports[reports.length - 1]!;
  expect(BigInt(last.instructions)).toBeLessThanOrEqual(r.stats.instructions);
  expect(last.syscalls).toBeLessThanOrEqual(r.stats.syscalls);
  expect(BigInt(last.virtualTimeNs)).toBeLessThanOrEqual(r.virtualTimeNs);
});
