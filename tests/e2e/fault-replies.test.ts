// Fault replies end to end (tests/pds/faultreply): a parent answers its child's UnknownSyscall,
// UserException and VM faults. A zero-label reply resumes the child with the registers the reply
// carries (UnknownSyscall, UserException) or as they are (VM fault, after WriteRegisters); a reply
// with another label leaves it blocked.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

// The fault messages' lengths differ: RISC-V has no SPSR and fewer argument registers.
const LENGTHS = { qemu_virt_aarch64: { unknownSyscall: 13, userException: 5 }, qemu_virt_riscv64: { unknownSyscall: 11, userException: 4 } };

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"] as const)("fault replies on %s", (board) => {
  test("each reply resumes the child where and as the parent said, or not at all", () => {
    const r = runSystem({ systemFile: "tests/pds/faultreply/faultreply.system", board, searchPaths: [`build/test-pds/faultreply/${board}/debug`] });
    const n = LENGTHS[board];
    expect(r.output).toBe(
      [
        "parent: UnknownSyscall, syscall number 100",
        "parent: UnknownSyscall, first argument 7",
        `parent: UnknownSyscall, message length ${n.unknownSyscall}`,
        "child: unknown syscall returned 42",
        `parent: UserException, message length ${n.userException}`,
        "child: resumed after the undefined instruction, marker 1",
        "parent: VMFault at address 268435456",
        "parent: VMFault on an instruction fetch 0",
        "parent: ReadRegisters 0",
        "parent: WriteRegisters 0",
        "child: resumed after the VM fault, register set by the parent to 24589",
        "parent: UnknownSyscall, syscall number 100",
        "parent: UnknownSyscall, first argument 9",
        `parent: UnknownSyscall, message length ${n.unknownSyscall}`,
      ].map((l) => `${l}\n`).join(""),
    );
    expect(r.stopReason).toBe("idle");
  });
});
