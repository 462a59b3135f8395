// End-to-end: the example systems' real PD machine code, built by the set-up, on every emulated board.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

const BOARDS = ["qemu_virt_aarch64", "qemu_virt_riscv64", "odroidc4"] as const;

describe.each(BOARDS)("examples on %s", (board) => {
  test("hello prints from init and then idles", () => {
    const r = runSystem({ systemFile: "examples/hello/hello.system", board });
    expect(r.output).toBe("hello, world\n");
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
    expect(r.diagnostics).toEqual([]);
    expect(r.protectionDomains).toEqual(["hello"]);
  });

  test("pingpong: ppcall with MRs, notifications both ways, priority order", () => {
    const r = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    expect(r.output).toBe([
      "server: ready",
      "client: calling add(20, 22)",
      "server: add(20, 22) on channel 2",
      "client: got 42",
      "client: notifying the server",
      "server: notified on channel 2",
      "client: init done",
      "client: notified on channel 1",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });

  test("passive server: runs init, hands its SC to the monitor, then serves on callers' time", () => {
    const r = runSystem({ systemFile: "examples/passive/passive.system", board });
    expect(r.output).toBe([
      "server: init (passive from now on)",
      "server: call 1 on the client's time",
      "client: got 10",
      "server: call 2 on the client's time",
      "client: got 20",
      "server: notified on channel 0 on its notification's time",
      "client: done",
      "",
    ].join("\n"));
    expect(r.diagnostics).toEqual(["MON|INFO: PD 'server' is now passive"]);
  });

  test("hierarchy: a child's faults reach its parent's fault(); pd_restart and pd_stop work through the TCB cap", () => {
    const r = runSystem({ systemFile: "examples/hierarchy/hierarchy.system", board });
    const run = (n: number) => [`child: run ${n}`, "parent: notified by the child on channel 3", "parent: child 0 faulted, label 6, address 4660"];
    expect(r.output).toBe(["parent: init", ...run(1), ...run(2), ...run(3), "parent: leaving the child stopped", ""].join("\n"));
    expect(r.diagnostics).toEqual([]); // the monitor sees nothing: the parent handles its child
  });

  test("the same system gives the same output, instruction count and syscalls every run", () => {
    const a = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    const b = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    expect(b.output).toBe(a.output);
    expect(b.stats).toEqual(a.stats);
  });

  test("an instruction limit stops the run early (checked per translated block) with reason instruction-limit", () => {
    const full = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    const r = runSystem({ systemFile: "examples/pingpong/pingpong.system", board, maxInstructions: 20n });
    expect(r.stopReason).toBe("instruction-limit");
    expect(r.stats.instructions).toBeGreaterThanOrEqual(20n);
    expect(r.stats.instructions).toBeLessThan(100n);
    expect(full.output.startsWith(r.output)).toBe(true);
    expect(r.output.length).toBeLessThan(full.output.length);
  });
});
