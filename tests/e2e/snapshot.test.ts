// A Microkit PD calls seL4_DebugSnapshot through libmicrokit's libsel4 (tests/pds/snapshot): the
// debug kernel prints its capDL dump of both PDs. Microkit's objects have no kernel addresses in the
// model, so they are named obj<n>. On RISC-V the dump completes and the PD goes on; Microkit's
// AArch64 kernel fails seL4's assertion at the first IPC buffer slot and halts.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("DebugSnapshot from a PD on %s", (board) => {
  test("the PDs' threads, CNodes with their channels' badged notifications, VSpaces; then the PD goes on, or AArch64 halts", () => {
    const r = runSystem({ systemFile: "tests/pds/snapshot/snapshot.system", board, searchPaths: [`build/test-pds/snapshot/${board}/debug`] });
    const d = r.diagnostics;
    expect(d[0]).toBe('Debug snapshot syscall from user thread obj1 "snapshot"');
    // Newest first: the peer's thread (built last) comes before the caller's.
    const tcbs = d.filter((l) => / = tcb \(/.test(l));
    expect(tcbs).toHaveLength(2);
    expect(tcbs[0]).toMatch(/^obj\d+_tcb = tcb \(addr: 0x[0-9a-f]+, ip: 0x200000, sp: 0x[0-9a-f]+, prio: 50, max_prio: 50, fault_ep: obj\d+, dom: 0\)$/);
    expect(tcbs[1]).toMatch(/^obj1_tcb = tcb \(addr: 0x[0-9a-f]+, ip: 0x2000[0-9a-f]{2}, sp: 0x[0-9a-f]+, prio: 100, max_prio: 100, fault_ep: obj\d+, dom: 0\)$/);
    // The peer's CNode: its input notification, its fault endpoint badged with its index + 1, and
    // the notification of channel 5 to the caller, badged with the caller's end id (3).
    const peer = d.indexOf(d.find((l) => /^obj\d+_cnode \{$/.test(l))!);
    expect(d.slice(peer + 1, peer + 6).map((l) => l.replace(/obj\d+/g, "obj"))).toEqual([
      "0x1: obj_notification (RW)",
      "0x2: obj_ep (RWGP, badge: 2)",
      board === "qemu_virt_aarch64" ? "0x3: obj_pd (asid: 2)" : "0x3: pt_obj_0000 (asid: 2)",
      "0x4: obj_reply",
      "0xf: obj_notification (W, badge: 8)",
    ]);
    if (board === "qemu_virt_aarch64") {
      expect(d.at(-1)).toBe("ipc_buffer_slot: seL4 failed assertion '0' at src/arch/arm/64/machine/capdl.c:131 in function _cap_frame_print_attrs_vptr");
      expect(r.output).toBe("");
      expect(r.stopReason).toBe("halted");
    } else {
      expect(d.filter((l) => l.startsWith("ipc_buffer_slot: "))).toHaveLength(2);
      expect(d.slice(-3)).toEqual(["}", "irq maps {", "}"]);
      expect(d.find((l) => l.startsWith("0xd: "))).toMatch(/^0xd: obj\d+_notification \(W, badge: 32\)$/);
      expect(r.output).toBe("snapshot: back from the snapshot\n");
      expect(r.stopReason).toBe("idle");
    }
  });
});
