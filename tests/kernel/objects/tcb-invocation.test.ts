// The TCB invocations libmicrokit makes on child PDs (microkit.json api_to_sel4: microkit_pd_stop,
// microkit_pd_resume, microkit_pd_restart), against seL4 src/object/tcb.c decodeTCBInvocation,
// decodeWriteRegisters, invokeTCB_WriteRegisters and src/kernel/thread.c suspend/restart.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { ARCHES, Endpoint, Sim, endpointCap, errorNumber, invocationLabel, microkitJson, msgInfo, slot } from "../harness.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const CHILD = slot("BASE_TCB_CAP"); // child id 0
const api = microkitJson()["api_to_sel4"];

/** A parent PD that handles its child's faults and holds a cap to the child's TCB. */
function family(arch: Arch) {
  const sim = new Sim(arch);
  const ep = new Endpoint();
  const parent = sim.thread("parent", { priority: 200 });
  sim.give(parent, INPUT, endpointCap(ep));
  const child = sim.thread("child", { priority: 100 });
  child.tcb.faultHandler = endpointCap(ep, 1n << 62n);
  sim.give(parent, CHILD, { type: "tcb", object: child.tcb });
  const call = (label: string, length = 0, mrs: bigint[] = []) =>
    sim.trap(parent, "seL4_SysCall", { cap: CHILD, info: msgInfo(arch, { label: invocationLabel(arch, label), length }), mrs });
  const success = (): void => {
    expect(sim.info(parent)).toBe(msgInfo(arch, { label: 0n, length: 0 }));
    expect(sim.badge(parent)).toBe(0n);
  };
  return { sim, ep, parent, child, call, success };
}

describe.each(ARCHES)("TCB invocations (%s)", (arch) => {
  it("microkit_pd_stop (TCBSuspend) stops a runnable child; it no longer runs", () => {
    const { sim, ep, parent, child, call, success } = family(arch);
    expect(api["microkit_pd_stop(child)"]["label"]).toBe("TCBSuspend");
    sim.start(parent, child);
    expect(call("TCBSuspend")).toBe(parent.tcb);
    success();
    expect(child.tcb.state).toBe("Inactive");
    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBeUndefined();
    expect(ep.queue).toEqual([parent.tcb]);
  });

  it("TCBSuspend takes a blocked child out of its endpoint queue", () => {
    const { sim, parent, child, call } = family(arch);
    const other = new Endpoint();
    sim.give(child, 20n, endpointCap(other));
    sim.start(child);
    sim.trap(child, "seL4_SysRecv", { cap: 20n, reply: REPLY });
    expect(other.queue).toEqual([child.tcb]);
    sim.start(parent);
    call("TCBSuspend");
    expect(child.tcb.state).toBe("Inactive");
    expect(other.queue).toEqual([]);
    expect(child.reply.tcb).toBeUndefined();
  });

  it("microkit_pd_resume (TCBResume) of a stopped child lets it run on from where it stopped", () => {
    const { sim, parent, child, call, success } = family(arch);
    sim.start(parent, child);
    const where = sim.pc(child);
    call("TCBSuspend");
    expect(call("TCBResume")).toBe(parent.tcb);
    success();
    expect(child.tcb.runnable).toBe(true);
    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(child.tcb);
    sim.resume(child);
    expect(sim.pc(child)).toBe(where);
    expect(child.tcb.state).toBe("Running");
  });

  it("TCBResume of a child blocked in a syscall cancels the IPC and restarts the syscall", () => {
    const { sim, parent, child, call } = family(arch);
    const other = new Endpoint();
    sim.give(child, 20n, endpointCap(other));
    sim.start(child);
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysRecv", { cap: 20n, reply: REPLY });
    sim.start(parent);
    call("TCBResume");
    expect(other.queue).toEqual([]);
    expect(child.tcb.state).toBe("Restart");
    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(child.tcb);
    sim.resume(child);
    expect(sim.pc(child)).toBe(trapPc);
  });

  it("microkit_pd_restart after a fault: TCBWriteRegisters with resume restarts the child at the entry", () => {
    const { sim, parent, child, call, success } = family(arch);
    const restart = api["microkit_pd_restart(child, entry)"];
    const length = restart["length"][arch] as number;
    expect(length).toBe(sim.abi.userContext.length + 2);
    expect(sim.start(parent, child)).toBe(parent.tcb);
    sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(child, "seL4_SysRecv", { cap: 300n, reply: REPLY }); // cap fault, to the parent
    expect(child.tcb.state).toBe("BlockedOnReply");
    expect(parent.reply.tcb).toBe(child.tcb);

    const entry = 0x200100n;
    // MR0: resume_target in bit 0; MR1: count 1; MR2: pc; MR3: sp (not written with count 1).
    expect(call("TCBWriteRegisters", length, [1n, 1n, entry, 0n])).toBe(parent.tcb);
    success();
    expect(child.tcb.state).toBe("Restart");
    expect(parent.reply.tcb).toBeUndefined();
    expect(child.tcb.pendingFault).toBeUndefined();

    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(child.tcb);
    sim.resume(child);
    expect(sim.pc(child)).toBe(entry);
    expect(child.tcb.state).toBe("Running");
  });

  it("TCBWriteRegisters without resume writes the registers of a stopped child and leaves it stopped", () => {
    const { sim, parent, child, call, success } = family(arch);
    sim.start(parent, child);
    call("TCBSuspend");
    call("TCBWriteRegisters", 4, [0n, 2n, 0x300000n, 0x7000n]);
    success();
    expect(child.tcb.state).toBe("Inactive");
    // seL4_UserContext order (registers): pc, then sp on AArch64 and ra on RISC-V.
    const second = sim.abi.userContext[1]!;
    expect(second).toBe(arch === "aarch64" ? "sp" : "ra");
    expect([sim.pc(child), sim.reg(child, second)]).toEqual([0x300000n, 0x7000n]);
    call("TCBResume");
    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(child.tcb);
    sim.resume(child);
    expect(sim.pc(child)).toBe(0x300000n);
  });

  it("TCBWriteRegisters with count 0 resumes a child blocked in a syscall at that syscall (NextIP := FaultIP)", () => {
    const { sim, parent, child, call } = family(arch);
    const other = new Endpoint();
    sim.give(child, 20n, endpointCap(other));
    sim.start(child);
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysRecv", { cap: 20n, reply: REPLY });
    sim.start(parent);
    call("TCBWriteRegisters", 2, [1n, 0n]);
    expect(sim.pc(child)).toBe(trapPc);
    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(child.tcb);
    sim.resume(child);
    expect(sim.pc(child)).toBe(trapPc);
  });

  it("TCBWriteRegisters errors: too short, count beyond the message, own TCB", () => {
    const { sim, parent, child, call } = family(arch);
    sim.give(parent, 21n, { type: "tcb", object: parent.tcb });
    sim.start(parent, child);
    const truncated = msgInfo(arch, { label: errorNumber(arch, "seL4_TruncatedMessage"), length: 0 });
    call("TCBWriteRegisters", 1, [1n]);
    expect(sim.info(parent)).toBe(truncated);
    call("TCBWriteRegisters", 3, [0n, 2n, 0x777000n]);
    expect(sim.info(parent)).toBe(truncated);
    expect(sim.pc(child)).not.toBe(0x777000n);
    sim.trap(parent, "seL4_SysCall", { cap: 21n, info: msgInfo(arch, { label: invocationLabel(arch, "TCBWriteRegisters"), length: 3 }), mrs: [0n, 1n, 0x777000n] });
    expect(sim.info(parent)).toBe(msgInfo(arch, { label: errorNumber(arch, "seL4_IllegalOperation"), length: 0 }));
    expect(sim.pc(parent)).not.toBe(0x777000n);
  });
});
