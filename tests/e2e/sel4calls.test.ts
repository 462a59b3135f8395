// A PD that calls generated libsel4 stubs directly (tests/pds/sel4calls): TCB Suspend/Resume/
// ReadRegisters on its child, CNode_Copy on a non-CNode cap, Signal and Poll.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("sel4calls on %s", (board) => {
  test("every stub's result is printed as expected", () => {
    const r = runSystem({
      systemFile: "tests/pds/sel4calls/sel4calls.system",
      board,
      searchPaths: [`build/test-pds/sel4calls/${board}/debug`],
    });
    expect(r.output).toBe(
      [
        "parent: seL4_TCB_Suspend(child) -> 0",
        "parent: seL4_CNode_Copy on a TCB -> 3",
        "parent: seL4_Signal(child) -> 0",
        "parent: seL4_TCB_Resume(child) -> 0",
        "child: seL4_Poll badge -> 1",
        "child: seL4_Poll again -> 0",
        "parent: notified on channel -> 0",
        "parent: seL4_TCB_ReadRegisters(child) -> 0",
        "parent: child pc is in its image -> 1",
        "parent: seL4_TCB_Suspend(child) -> 0",
        "parent: done",
      ].map((l) => `${l}\n`).join(""),
    );
    expect(r.stopReason).toBe("idle");
  });
});
