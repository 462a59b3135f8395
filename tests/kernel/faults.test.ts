// Faults raised by syscalls and by the CPU, delivered as IPC to the fault endpoint (seL4
// src/kernel/faulthandler.c handleFault/sendFaultIPC, src/api/faults.c setMRs_fault,
// handleFaultReply). Every MR layout is read from <arch>.json faults.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { handleFault } from "../../kernel/ipc.js";
import { CNode } from "../../kernel/objects/cnode.js";
import { ARCHES, Endpoint, Sim, archJson, endpointCap, faultMrs, faultType, lookupFailureType, makePassive, microkitJson, msgInfo, slot, type Pd } from "./harness.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const SENTINEL = 0x5e5e5e5e5e5e5e5en;
const FAULT_BADGE = (1n << BigInt(microkitJson()["badges"]["BADGE_FAULT_BIT"] as number)) | 3n; // fault from child 3

/** A child PD whose fault endpoint is its parent's endpoint, badged as Microkit badges child faults. */
function world(arch: Arch, o: { handlerBuffer?: "rw" | "none" } = {}) {
  const sim = new Sim(arch);
  const ep = new Endpoint();
  const handler = sim.thread("parent", { priority: 200, ipcBuffer: o.handlerBuffer ?? "rw" });
  sim.give(handler, INPUT, endpointCap(ep));
  const child = sim.thread("child", { priority: 100 });
  child.tcb.faultHandler = endpointCap(ep, FAULT_BADGE);
  sim.give(child, slot("FAULT_EP_CAP"), child.tcb.faultHandler);
  /** The handler waits for faults; the child runs next. */
  const ready = (): void => {
    expect(sim.start(handler, child)).toBe(handler.tcb);
    expect(sim.trap(handler, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(child.tcb);
  };
  const received = (pd: Pd, length: number): bigint[] => [...sim.fastMrs(pd), ...Array.from({ length: Math.max(0, length - 4) }, (_, i) => sim.bufferMr(pd, 4 + i))].slice(0, length);
  return { sim, ep, handler, child, ready, received };
}

describe.each(ARCHES)("cap faults (%s)", (arch) => {
  const capFault = faultType(arch, "seL4_Fault_CapFault");
  const lf = (name: string): bigint => lookupFailureType(arch, name);

  it("Recv on an empty slot sends a CapFault: IP, Addr, InRecvPhase, MissingCapability, BitsLeft 0", () => {
    const { sim, handler, child, ready, received } = world(arch);
    ready();
    sim.setBufferMr(handler, 5, SENTINEL);
    const trapPc = sim.pc(child);
    expect(sim.trap(child, "seL4_SysRecv", { cap: 300n, reply: REPLY })).toBe(handler.tcb);

    const expected = faultMrs(arch, "seL4_Fault_CapFault", { IP: trapPc, Addr: 300n, InRecvPhase: 1n, LookupFailureType: lf("seL4_MissingCapability"), BitsLeft: 0n });
    expect(expected).toEqual([trapPc, 300n, 1n, 2n, 0n]);
    expect(sim.badge(handler)).toBe(FAULT_BADGE);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: expected.length }));
    expect(received(handler, expected.length)).toEqual(expected);
    expect(sim.bufferMr(handler, 5)).toBe(SENTINEL);
    expect(child.tcb.state).toBe("BlockedOnReply");
    expect(handler.reply.tcb).toBe(child.tcb);
  });

  it("a handler without an IPC buffer gets only the four register MRs", () => {
    const { sim, handler, child, ready } = world(arch, { handlerBuffer: "none" });
    ready();
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysRecv", { cap: 300n, reply: REPLY });
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: 4 }));
    expect(sim.fastMrs(handler)).toEqual([trapPc, 300n, 1n, lf("seL4_MissingCapability")]);
  });

  it("Send to cptr 512 fails the PD CNode guard: GuardMismatch with bits left, guard and guard size", () => {
    const { sim, handler, child, ready, received } = world(arch);
    ready();
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysSend", { cap: 512n, info: msgInfo(arch, { length: 0 }) });
    const expected = faultMrs(arch, "seL4_Fault_CapFault", {
      IP: trapPc, Addr: 512n, InRecvPhase: 0n, LookupFailureType: lf("seL4_GuardMismatch"), BitsLeft: 58n,
      "DepthMismatch_BitsFound | GuardMismatch_GuardFound": 0n, GuardMismatch_BitsFound: 49n,
    });
    expect(expected).toHaveLength(capFault.length);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: capFault.length }));
    expect(received(handler, capFault.length)).toEqual(expected);
  });

  it("Call through a root slot CNode deeper than the bits left: DepthMismatch", () => {
    const { sim, handler, child, ready, received } = world(arch);
    child.root.slots[5] = { type: "cnode", object: new CNode(9), guard: 0n, guardSize: 50 };
    ready();
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysCall", { cap: 5n << 58n, info: msgInfo(arch, { length: 0 }) });
    const expected = faultMrs(arch, "seL4_Fault_CapFault", {
      IP: trapPc, Addr: 5n << 58n, InRecvPhase: 0n, LookupFailureType: lf("seL4_DepthMismatch"), BitsLeft: 58n,
      "DepthMismatch_BitsFound | GuardMismatch_GuardFound": 59n,
    });
    expect(expected).toHaveLength(6);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: 6 }));
    expect(received(handler, 6)).toEqual(expected);
  });

  it("a thread whose CSpace root is no CNode faults with InvalidRoot (length 4)", () => {
    const { sim, handler, child, ready } = world(arch);
    ready();
    child.tcb.cspaceRoot = { type: "null" };
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysCall", { cap: 1n, info: 0n });
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: 4 }));
    expect(sim.fastMrs(handler)).toEqual(faultMrs(arch, "seL4_Fault_CapFault", { IP: trapPc, Addr: 1n, InRecvPhase: 0n, LookupFailureType: lf("seL4_InvalidRoot") }));
  });

  it("a fault that finds no handler waiting queues on the endpoint until the handler receives", () => {
    const { sim, ep, handler, child, received } = world(arch);
    expect(sim.start(child)).toBe(child.tcb);
    const trapPc = sim.pc(child);
    expect(sim.trap(child, "seL4_SysRecv", { cap: 300n, reply: REPLY })).toBeUndefined();
    expect(child.tcb.state).toBe("BlockedOnSend");
    expect(ep.queue).toEqual([child.tcb]);
    expect(sim.start(handler)).toBe(handler.tcb);
    expect(sim.trap(handler, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(handler.tcb);
    expect(sim.badge(handler)).toBe(FAULT_BADGE);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: 5 }));
    expect(received(handler, 5)).toEqual([trapPc, 300n, 1n, lf("seL4_MissingCapability"), 0n]);
    expect(child.tcb.state).toBe("BlockedOnReply");
    expect(handler.reply.tcb).toBe(child.tcb);
    expect(handler.tcb.sc).not.toBe(child.tcb.sc); // the handler has its own SC: nothing is lent
  });

  it("NBSend to an unresolvable cptr raises no fault: the thread runs on", () => {
    const { sim, ep, child, ready } = world(arch);
    ready();
    expect(sim.trap(child, "seL4_SysNBSend", { cap: 512n, info: 0n })).toBe(child.tcb);
    expect(child.tcb.state).toBe("Running");
    expect(ep.queue).toHaveLength(1); // only the handler, still waiting
  });

  it("Recv whose reply register names no reply cap faults on the reply cptr (lookupReply)", () => {
    const { sim, handler, child, ready } = world(arch);
    const own = new Endpoint();
    sim.give(child, 20n, endpointCap(own));
    ready();
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysRecv", { cap: 20n, reply: 21n });
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: capFault.label, length: 5 }));
    expect(sim.fastMrs(handler)).toEqual([trapPc, 21n, 1n, lf("seL4_MissingCapability")]);
    expect(sim.bufferMr(handler, 4)).toBe(0n);
    expect(own.queue).toEqual([]);
  });

  it.each([0n, 5n])("a reply with label %s restarts the thread at the faulting instruction", (label) => {
    const { sim, handler, child, ready } = world(arch);
    ready();
    const trapPc = sim.pc(child);
    sim.trap(child, "seL4_SysRecv", { cap: 300n, reply: REPLY });
    expect(sim.trap(handler, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { label, length: 0 }) })).toBe(child.tcb);
    expect(child.tcb.state).toBe("Restart");
    expect(child.tcb.pendingFault).toBeUndefined();
    sim.resume(child);
    expect(child.tcb.state).toBe("Running");
    expect(sim.pc(child)).toBe(trapPc);
  });
});

describe.each(ARCHES)("unknown syscalls (%s)", (arch) => {
  const unknown = faultType(arch, "seL4_Fault_UnknownSyscall");
  const NUMBER = BigInt.asUintN(64, -100n);
  /** seL4 register names in the fault tables -> our user-context names (LR is X30 on AArch64). */
  const regName = (field: string): string => (field === "LR" ? "x30" : field.toLowerCase());

  function faultingChild() {
    const w = world(arch);
    w.ready();
    const values: Record<string, bigint> = {};
    w.sim.abi.userContext.filter((n) => n !== "pc").forEach((n, i) => w.sim.setReg(w.child, n, 0x1000n + BigInt(i)));
    const trapPc = w.sim.pc(w.child);
    for (const field of Object.values(unknown.mrs)) {
      if (field === "FaultIP") values[field] = trapPc;
      else if (field === "Syscall") values[field] = NUMBER;
      else if (regName(field) === w.sim.abi.syscallRegister) values[field] = NUMBER;
      // seL4 reports an AArch64 SPSR as its flags plus PSTATE_USER (EL0t, FIQ masked: 0x40).
      else if (field === "SPSR") values[field] = (w.sim.reg(w.child, regName(field)) & 0xf0000000n) | 0x40n;
      else values[field] = w.sim.reg(w.child, regName(field));
    }
    expect(w.sim.trap(w.child, "", {}, NUMBER)).toBe(w.handler.tcb);
    return { ...w, values, trapPc };
  }

  it("a number outside the syscall table sends an UnknownSyscall fault with the registers of the ABI layout", () => {
    const { sim, handler, child, values, received } = faultingChild();
    const expected = faultMrs(arch, "seL4_Fault_UnknownSyscall", values);
    expect(expected).toHaveLength(unknown.length);
    expect(unknown.length).toBe(arch === "aarch64" ? 13 : 11);
    expect(sim.badge(handler)).toBe(FAULT_BADGE);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: unknown.label, length: unknown.length }));
    expect(received(handler, unknown.length)).toEqual(expected);
    expect(child.tcb.state).toBe("BlockedOnReply");
  });

  it("a reply with a non-zero label leaves the thread Inactive", () => {
    const { sim, handler, child } = faultingChild();
    expect(sim.trap(handler, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { label: 1n, length: 0 }) })).toBeUndefined();
    expect(child.tcb.state).toBe("Inactive");
  });

  it("a reply with label 0 writes the reply MRs back into the registers and restarts at FaultIP", () => {
    const { sim, handler, child, trapPc, values } = faultingChild();
    // The handler emulates the syscall: result in the first argument register, FaultIP past the trap.
    const layout = Object.entries(unknown.mrs).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, f]) => f);
    const regs = layout.filter((f) => f !== "Syscall");
    const firstArg = arch === "aarch64" ? "X0" : "A0";
    const reply = regs.map((f) => (f === "FaultIP" ? trapPc + 4n : f === firstArg ? 0xbeefn : values[f]!));
    reply.forEach((v, i) => { if (i >= 4) sim.setBufferMr(handler, i, v); });
    expect(sim.trap(handler, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: regs.length }), mrs: reply.slice(0, 4) })).toBe(child.tcb);
    expect(child.tcb.state).toBe("Restart");
    sim.resume(child);
    expect(sim.pc(child)).toBe(trapPc + 4n);
    expect(sim.reg(child, regName(firstArg))).toBe(0xbeefn);
    expect(sim.reg(child, "sp")).toBe(values["SP"]);
  });
});

describe.each(ARCHES)("faults without a handler, and CPU faults (%s)", (arch) => {
  it("a fault with no fault endpoint stops the thread and is reported through debugPrint", () => {
    const sim = new Sim(arch);
    const lone = sim.thread("lonely", { priority: 200 });
    const other = sim.thread("other", { priority: 100 });
    sim.start(lone, other);
    expect(sim.trap(lone, "", {}, BigInt.asUintN(64, -100n))).toBe(other.tcb);
    expect(lone.tcb.state).toBe("Inactive");
    // The debug kernel's report: the fault, the thread and where it stopped, then its stack (none: the
    // thread has no VSpace root).
    expect(sim.host.lines.slice(0, 2)).toEqual(["Found thread has no fault handler while trying to handle:", `unknown syscall 0x${BigInt.asUintN(64, -100n).toString(16)}`]);
    expect(sim.host.lines[2]).toMatch(/^in thread 0 "lonely" at address 0x/);
    expect(sim.host.lines.slice(3)).toEqual(["With stack:", "Invalid vspace"]);
  });

  it("a VM fault from the CPU carries IP, Addr, PrefetchFault and FSR", () => {
    const { sim, handler, child, ready, received } = world(arch);
    ready();
    const faultPc = 0x201234n;
    sim.setReg(child, "pc", faultPc);
    child.tcb.restartPc = faultPc;
    handleFault(sim.k, child.tcb, { type: "VMFault", address: 0xdead000n, instruction: false, fsr: 0x93n });
    expect(sim.k.schedule()).toBe(handler.tcb);
    const vm = faultType(arch, "seL4_Fault_VMFault");
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: vm.label, length: vm.length }));
    expect(received(handler, vm.length)).toEqual(faultMrs(arch, "seL4_Fault_VMFault", { IP: faultPc, Addr: 0xdead000n, PrefetchFault: 0n, FSR: 0x93n }));
  });

  it("a user exception carries the ABI's register layout, Number and Code", () => {
    const { sim, handler, child, ready, received } = world(arch);
    ready();
    const faultPc = 0x204000n;
    sim.setReg(child, "pc", faultPc);
    child.tcb.restartPc = faultPc;
    sim.setReg(child, "sp", 0x7000n);
    if (arch === "aarch64") sim.setReg(child, "spsr", 0x60000000n);
    handleFault(sim.k, child.tcb, { type: "UserException", number: 0x25n, code: 0x7n });
    const ue = faultType(arch, "seL4_Fault_UserException");
    expect(ue.length).toBe((archJson(arch)["faults"]["types"]["seL4_Fault_UserException"]["length"]) as number);
    const expected = faultMrs(arch, "seL4_Fault_UserException", { FaultIP: faultPc, SP: 0x7000n, SPSR: 0x60000040n, Number: 0x25n, Code: 0x7n });
    expect(expected).toHaveLength(ue.length);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: ue.label, length: ue.length }));
    expect(received(handler, ue.length)).toEqual(expected);
  });
});

describe.each(ARCHES)("faults and scheduling contexts (%s)", (arch) => {
  it("a fault lends the faulting thread's SC to a passive handler, and the reply returns it (MCS handleFault)", () => {
    const { sim, handler, child, ready } = world(arch);
    ready();
    makePassive(handler);
    const childSc = child.tcb.sc;
    expect(sim.trap(child, "seL4_SysRecv", { cap: 300n, reply: REPLY })).toBe(handler.tcb);
    expect(handler.tcb.sc).toBe(childSc);
    expect(child.tcb.sc).toBeUndefined();
    expect(sim.trap(handler, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: 0n })).toBe(child.tcb);
    expect(child.tcb.sc).toBe(childSc);
    expect(child.tcb.state).toBe("Restart");
    expect(handler.tcb.sc).toBeUndefined();
    expect(handler.tcb.state).toBe("BlockedOnReceive");
  });
});
