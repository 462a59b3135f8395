// Kernel entry (seL4 src/api/syscall.c handleSyscall, handleInvocation, handleUnknownSyscall): the
// syscall number and arguments come from the registers the ABI names; invocation errors answer a
// Call with the seL4_Error as label and the error's MRs (replyFromKernel_error).
import { describe, expect, it } from "vitest";
import type { Cap } from "../../kernel/cap.js";
import { IRQHandler } from "../../kernel/objects/interrupt.js";
import { ARCHES, Endpoint, Notification, Sim, archJson, endpointCap, errorNumber, invocationLabel, msgInfo, msgOffset, notificationCap, rights, slot } from "./harness.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const OUT = slot("BASE_OUTPUT_NOTIFICATION_CAP");
const IRQ = slot("BASE_IRQ_CAP");
const SENTINEL = 0x5e5e5e5e5e5e5e5en;

describe("syscall register roles", () => {
  it.each(ARCHES)("kernelAbi(%s).roles are the registers of syscall_registers", (arch) => {
    const sim = new Sim(arch);
    const regs = archJson(arch)["syscall_registers"];
    expect(sim.abi.syscallRegister).toBe(regs["syscall_number"]);
    expect(sim.roles).toEqual({
      cap: regs["common"]["cap_or_dest_cptr"], info: regs["common"]["msg_info"], mrs: regs["common"]["mr0_3"],
      reply: regs["common"]["reply_cap_cptr_mcs"], nbSendRecvDest: regs["common"]["nbsendrecv_send_dest_cptr"],
    });
    // The same roles, spelled out (aarch64.json / riscv64.json syscall_registers).
    expect([sim.abi.syscallRegister, sim.roles.cap, sim.roles.info, ...sim.roles.mrs, sim.roles.reply, sim.roles.nbSendRecvDest]).toEqual(
      arch === "aarch64" ? ["x7", "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x8"] : ["a7", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "t0"],
    );
  });
});

describe.each(ARCHES)("invocation errors (%s)", (arch) => {
  const invalidCap = errorNumber(arch, "seL4_InvalidCapability");
  const errMrs = (name: string): number => (archJson(arch)["error_reply_mrs"][name] as string[]).length;

  function caller(cap?: Cap) {
    const sim = new Sim(arch);
    const pd = sim.thread("caller");
    if (cap !== undefined) sim.give(pd, 20n, cap);
    sim.start(pd);
    return { sim, pd };
  }

  it("Call on an empty slot replies seL4_InvalidCapability with cap number 0 and badge 0", () => {
    const { sim, pd } = caller();
    expect(sim.trap(pd, "seL4_SysCall", { cap: 300n, info: msgInfo(arch, { label: 5n, length: 2 }), mrs: [SENTINEL, SENTINEL] })).toBe(pd.tcb);
    expect(errMrs("seL4_InvalidCapability")).toBe(1);
    expect(sim.info(pd)).toBe(msgInfo(arch, { label: invalidCap, length: 1 }));
    expect(sim.fastMrs(pd)[0]).toBe(0n);
    expect(sim.badge(pd)).toBe(0n);
    expect(pd.tcb.state).toBe("Running");
  });

  it("Call on a notification without write right replies seL4_InvalidCapability and signals nothing", () => {
    const ntfn = new Notification();
    const { sim, pd } = caller(notificationCap(ntfn, 1n, rights({ read: true })));
    expect(sim.trap(pd, "seL4_SysCall", { cap: 20n, info: 0n })).toBe(pd.tcb);
    expect(sim.info(pd)).toBe(msgInfo(arch, { label: invalidCap, length: 1 }));
    expect(sim.fastMrs(pd)[0]).toBe(0n);
    expect(sim.badge(pd)).toBe(0n);
    expect(ntfn.state).toBe("Idle");
  });

  it("Call on an endpoint without write right replies seL4_InvalidCapability and does not block", () => {
    const ep = new Endpoint();
    const { sim, pd } = caller(endpointCap(ep, 0n, rights({ read: true, grant: true })));
    expect(sim.trap(pd, "seL4_SysCall", { cap: 20n, info: msgInfo(arch, { length: 1 }), mrs: [1n] })).toBe(pd.tcb);
    expect(sim.info(pd)).toBe(msgInfo(arch, { label: invalidCap, length: 1 }));
    expect(ep.queue).toEqual([]);
  });

  it("Send on an empty slot fails silently: no reply is written", () => {
    const { sim, pd } = caller();
    const info = msgInfo(arch, { label: 5n, length: 1 });
    expect(sim.trap(pd, "seL4_SysSend", { cap: 300n, info, mrs: [SENTINEL] })).toBe(pd.tcb);
    expect(sim.info(pd)).toBe(info);
    expect(sim.badge(pd)).toBe(300n);
    expect(sim.fastMrs(pd)[0]).toBe(SENTINEL);
  });

  it("an unknown IRQHandler label replies seL4_IllegalOperation with no MRs", () => {
    const { sim, pd } = caller({ type: "irq_handler", object: new IRQHandler(33) });
    sim.trap(pd, "seL4_SysCall", { cap: 20n, info: msgInfo(arch, { label: 0n, length: 0 }) });
    expect(errMrs("seL4_IllegalOperation")).toBe(0);
    expect(sim.info(pd)).toBe(msgInfo(arch, { label: errorNumber(arch, "seL4_IllegalOperation"), length: 0 }));
    expect(sim.host.acks).toEqual([]);
  });

  it("a TCB cap cannot be invoked in the send phase of NBSendRecv: nothing happens to the TCB", () => {
    const sim = new Sim(arch);
    const own = new Notification();
    const pd = sim.thread("pd", { priority: 200 });
    const other = sim.thread("other", { priority: 100 });
    sim.give(pd, 20n, notificationCap(own));
    sim.give(pd, slot("BASE_TCB_CAP"), { type: "tcb", object: other.tcb });
    sim.start(pd, other);
    const next = sim.trap(pd, "seL4_SysNBSendRecv", { nbSendRecvDest: slot("BASE_TCB_CAP"), cap: 20n, reply: REPLY, info: msgInfo(arch, { label: invocationLabel(arch, "TCBSuspend"), length: 0 }) });
    expect(other.tcb.state).toBe("Running");
    expect(next).toBe(other.tcb);
    expect(pd.tcb.state).toBe("BlockedOnNotification");
  });
});

describe.each(ARCHES)("successful kernel invocations (%s)", (arch) => {
  it("microkit_irq_ack: Call IRQAckIRQ on BASE_IRQ_CAP + ch acks the line and replies label 0", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("driver");
    sim.give(pd, IRQ + 2n, { type: "irq_handler", object: new IRQHandler(79) });
    sim.start(pd);
    sim.trap(pd, "seL4_SysCall", { cap: IRQ + 2n, info: msgInfo(arch, { label: invocationLabel(arch, "IRQAckIRQ"), length: 0 }) });
    expect(sim.host.acks).toEqual([79]);
    expect(sim.info(pd)).toBe(msgInfo(arch, { label: 0n, length: 0 }));
    expect(sim.badge(pd)).toBe(0n);
    expect(pd.tcb.state).toBe("Running");
  });

  it("NBSendRecv invokes the cap in the NBSendRecv destination register, then receives (deferred IRQ ack)", () => {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const pd = sim.thread("driver");
    sim.give(pd, INPUT, endpointCap(ep));
    sim.give(pd, IRQ, { type: "irq_handler", object: new IRQHandler(40) });
    sim.start(pd);
    const next = sim.trap(pd, "seL4_SysNBSendRecv", { nbSendRecvDest: IRQ, cap: INPUT, reply: REPLY, info: msgInfo(arch, { label: invocationLabel(arch, "IRQAckIRQ"), length: 0 }) });
    expect(sim.host.acks).toEqual([40]);
    expect(next).toBeUndefined();
    expect(pd.tcb.state).toBe("BlockedOnReceive");
    expect(ep.queue).toEqual([pd.tcb]);
    expect(pd.reply.tcb).toBe(pd.tcb);
  });

  it("NBSendWait sends to the cap in the reply register and waits without a reply object", () => {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const peer = new Notification();
    const pd = sim.thread("pd");
    sim.give(pd, INPUT, endpointCap(ep));
    sim.give(pd, OUT, notificationCap(peer, 1n << 4n, rights({ write: true })));
    sim.start(pd);
    expect(sim.trap(pd, "seL4_SysNBSendWait", { reply: OUT, cap: INPUT, info: 0n })).toBeUndefined();
    expect(peer.word).toBe(1n << 4n);
    expect(pd.tcb.state).toBe("BlockedOnReceive");
    expect(pd.tcb.reply).toBeUndefined();
    expect(pd.reply.tcb).toBeUndefined();
  });
});

describe.each(ARCHES)("debug syscalls (%s)", (arch) => {
  it("DebugPutChar hands the low byte of the cap register to host.putChar", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("printer");
    sim.start(pd);
    for (const c of [0x48n, 0x69n, 0x141n]) expect(sim.trap(pd, "seL4_SysDebugPutChar", { cap: c })).toBe(pd.tcb);
    expect(sim.host.chars).toEqual([0x48, 0x69, 0x41]);
    expect(pd.tcb.state).toBe("Running");
  });

  it("DebugHalt reaches host.halt", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("halter");
    sim.start(pd);
    sim.trap(pd, "seL4_SysDebugHalt");
    expect(sim.host.halts).toBe(1);
  });

  it("DebugNameThread names the TCB from the NUL-terminated string at ipc_buffer.msg", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("old-name");
    const tcbRootSlot = 1n;
    pd.root.slots[Number(tcbRootSlot)] = { type: "tcb", object: pd.tcb };
    sim.start(pd);
    const name = new TextEncoder().encode("worker\0junk");
    pd.ipc!.set(name, msgOffset(arch, 0));
    sim.trap(pd, "seL4_SysDebugNameThread", { cap: tcbRootSlot << 58n }); // root slot k is cptr k << 58
    expect(pd.tcb.name).toBe("worker");
    expect(sim.host.halts).toBe(0);
  });

  it.each([
    ["a cap that is not a TCB's", 20n, "the cap is not a TCB cap"],
    ["a name with no NUL in the message registers", 1n << 58n, "the name does not end within the message registers"],
  ])("DebugNameThread with %s halts the system, as the debug kernel does, saying why", (_, cptr, why) => {
    const sim = new Sim(arch);
    const pd = sim.thread("namer");
    pd.root.slots[1] = { type: "tcb", object: pd.tcb };
    sim.give(pd, 20n, endpointCap(new Endpoint()));
    sim.start(pd);
    pd.ipc!.fill(0x41, msgOffset(arch, 0), msgOffset(arch, 0) + 8 * sim.abi.ipcBuffer.msgMaxLength);
    sim.trap(pd, "seL4_SysDebugNameThread", { cap: cptr });
    expect(sim.host.halts).toBe(1);
    expect(pd.tcb.name).toBe("namer");
    expect(sim.host.lines).toEqual([expect.stringMatching(new RegExp(`^<<seL4\\(CPU 0\\) \\[DebugNameThread .*\\]: ${why}; halting>>$`))]);
  });

  it("DebugCapIdentify answers with the capType tag of the named cap (structures.bf)", () => {
    const sim = new Sim(arch);
    const pd = sim.thread("pd");
    sim.give(pd, 20n, endpointCap(new Endpoint()));
    sim.give(pd, 21n, notificationCap(new Notification()));
    pd.root.slots[1] = { type: "tcb", object: pd.tcb };
    sim.start(pd);
    const identify = (cptr: bigint): bigint => {
      expect(sim.trap(pd, "seL4_SysDebugCapIdentify", { cap: cptr })).toBe(pd.tcb);
      return sim.badge(pd);
    };
    // cap_endpoint_cap 4, cap_notification_cap 6, cap_reply_cap 8, cap_thread_cap 12, cap_null_cap 0.
    expect([identify(20n), identify(21n), identify(REPLY), identify(1n << 58n), identify(300n), identify(512n)]).toEqual([4n, 6n, 8n, 12n, 0n, 0n]);
    expect(pd.tcb.state).toBe("Running");
  });
});
