// TCB invocations beyond Suspend/Resume/WriteRegisters (seL4 src/object/tcb.c, MCS config): the
// decode checks in seL4's order with their exact errors, and what each does to registers, thread
// state and scheduling. Argument positions and register order come from the ABI JSON.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import {
  ARCHES, Endpoint, Notification, SchedContext, Sim, archJson, endpointCap, makePassive, notificationCap, rights, slot,
} from "../harness.js";
import { call, err, reply, success } from "./invoke.js";
import { Frame } from "../../../kernel/objects/frame.js";

const INPUT = slot("INPUT_CAP");
const CHILD = 30n; // slots the tests fill
const SELF = 31n;
const NTFN = 32n;
const EP = 33n;
const SC = 34n;
const CNODE = 35n;
const VSPACE = 36n;

function world(arch: Arch) {
  const sim = new Sim(arch);
  const parent = sim.thread("parent", { priority: 200 });
  const child = sim.thread("child", { priority: 100 });
  sim.give(parent, CHILD, { type: "tcb", object: child.tcb });
  sim.give(parent, SELF, { type: "tcb", object: parent.tcb });
  sim.start(parent, child);
  return { sim, parent, child };
}

const ctx = (arch: Arch): string[] => archJson(arch)["registers"]["seL4_UserContext"] as string[];

/** What seL4 reports for a register holding `v`: an AArch64 SPSR is its flags plus PSTATE_USER (EL0t, FIQ masked). */
const reported = (arch: Arch, name: string, v: bigint): bigint => (arch === "aarch64" && name === "spsr" ? (v & 0xf0000000n) | 0x40n : v);

describe.each(ARCHES)("TCBReadRegisters (%s)", (arch) => {
  it("replies with `count` registers in seL4_UserContext order, MR4 on in the IPC buffer, pc = where the thread restarts", () => {
    const { sim, parent, child } = world(arch);
    call(sim, parent, CHILD, "TCBSuspend");
    const names = ctx(arch);
    names.forEach((n, i) => { if (n !== "pc") sim.setReg(child, n, 0x1000n + BigInt(i)); });
    child.tcb.restartPc = 0x400123n;
    call(sim, parent, CHILD, "TCBReadRegisters", [0n, 6n]);
    const expected = names.slice(0, 6).map((n, i) => (n === "pc" ? 0x400123n : reported(arch, n, 0x1000n + BigInt(i))));
    expect(reply(sim, parent)).toEqual(success(...expected));
    expect(sim.badge(parent)).toBe(0n);
  });

  it("reads the whole context", () => {
    const { sim, parent, child } = world(arch);
    call(sim, parent, CHILD, "TCBSuspend");
    const names = ctx(arch);
    names.forEach((n, i) => { if (n !== "pc") sim.setReg(child, n, 0xa0n + BigInt(i)); });
    call(sim, parent, CHILD, "TCBReadRegisters", [0n, BigInt(names.length)]);
    const r = reply(sim, parent);
    expect(r.mrs.length).toBe(archJson(arch)["registers"]["count"]);
    expect(r.mrs[names.length - 1]).toBe(0xa0n + BigInt(names.length - 1));
  });

  it("SPSR (AArch64) reads as its condition flags plus user mode; a write keeps only the flags and user mode", () => {
    const { sim, parent, child } = world(arch);
    call(sim, parent, CHILD, "TCBSuspend");
    const names = ctx(arch);
    const n = BigInt(names.length);
    call(sim, parent, CHILD, "TCBReadRegisters", [0n, n]);
    const before = reply(sim, parent).mrs;
    // A new thread's flags are clear: seL4 reports PSTATE_USER alone (0x40 in the debug config).
    names.forEach((name, i) => { if (name === "spsr") expect(before[i]).toBe(0x40n); });
    // Write every register as all ones but pc: an EL1h mode with every mask set is refused, flags kept.
    const values = names.map((name) => (name === "pc" ? 0x400000n : (1n << 64n) - 1n));
    call(sim, parent, CHILD, "TCBWriteRegisters", [0n, n, ...values]);
    expect(reply(sim, parent)).toEqual(success());
    call(sim, parent, CHILD, "TCBReadRegisters", [0n, n]);
    const after = reply(sim, parent).mrs;
    names.forEach((name, i) => expect(after[i]).toBe(name === "pc" ? 0x400000n : reported(arch, name, (1n << 64n) - 1n)));
  });

  it("suspend_source (MR0 bit 0) stops the source first", () => {
    const { sim, parent, child } = world(arch);
    expect(child.tcb.state).toBe("Running");
    call(sim, parent, CHILD, "TCBReadRegisters", [1n, 1n]);
    expect(child.tcb.state).toBe("Inactive");
    expect(reply(sim, parent)).toEqual(success(sim.pc(child)));
  });

  it("errors: count 0 or above the context is RangeError [1, n]; own TCB is IllegalOperation; one word is TruncatedMessage", () => {
    const { sim, parent } = world(arch);
    const n = BigInt(archJson(arch)["registers"]["count"] as number);
    call(sim, parent, CHILD, "TCBReadRegisters", [0n, 0n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", 1n, n));
    call(sim, parent, CHILD, "TCBReadRegisters", [0n, n + 1n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", 1n, n));
    call(sim, parent, SELF, "TCBReadRegisters", [0n, 1n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBReadRegisters", [0n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });
});

describe.each(ARCHES)("TCBCopyRegisters (%s)", (arch) => {
  it("transfer_frame copies the frame registers and the restart pc; transfer_integer the rest", () => {
    const { sim, parent, child } = world(arch);
    const other = sim.thread("other", { priority: 50 });
    sim.give(parent, 40n, { type: "tcb", object: other.tcb });
    call(sim, parent, CHILD, "TCBSuspend");
    call(sim, parent, 40n, "TCBSuspend");
    const names = ctx(arch);
    const frame = archJson(arch)["registers"]["frame_registers_count"] as number;
    names.forEach((n, i) => { if (n !== "pc") sim.setReg(child, n, 0x500n + BigInt(i)); });
    child.tcb.restartPc = 0x777000n;
    // suspend_source 0, resume_target 0, transfer_frame bit 2 only; source = extra cap 0.
    call(sim, parent, 40n, "TCBCopyRegisters", [1n << 2n], [CHILD]);
    expect(reply(sim, parent)).toEqual(success());
    expect(sim.pc(other)).toBe(0x777000n);
    expect(other.tcb.restartPc).toBe(0x777000n);
    expect(sim.reg(other, names[frame - 1]!)).toBe(0x500n + BigInt(frame - 1));
    expect(sim.reg(other, names[frame]!)).toBe(0n);
    call(sim, parent, 40n, "TCBCopyRegisters", [1n << 3n], [CHILD]);
    expect(sim.reg(other, names[frame]!)).toBe(0x500n + BigInt(frame));
    expect(other.tcb.state).toBe("Inactive");
  });

  it("errors: no source cap is TruncatedMessage; a non-TCB source is InvalidCapability 1", () => {
    const { sim, parent } = world(arch);
    sim.give(parent, EP, endpointCap(new Endpoint()));
    call(sim, parent, CHILD, "TCBCopyRegisters", [4n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, CHILD, "TCBCopyRegisters", [4n], [EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
  });
});

describe.each(ARCHES)("TCBSetPriority / TCBSetMCPriority (%s)", (arch) => {
  it("a priority above the authority's MCP is RangeError [0, mcp]", () => {
    const { sim, parent } = world(arch);
    call(sim, parent, CHILD, "TCBSetPriority", [201n], [SELF]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", BigInt(archJson(arch)["boot"]["priorities"]["seL4_MinPrio"]), 200n));
    call(sim, parent, CHILD, "TCBSetMCPriority", [255n], [SELF]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", 0n, 200n));
  });

  it("errors: no authority is TruncatedMessage, a non-TCB authority InvalidCapability 1", () => {
    const { sim, parent } = world(arch);
    sim.give(parent, EP, endpointCap(new Endpoint()));
    call(sim, parent, CHILD, "TCBSetPriority", [1n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, CHILD, "TCBSetPriority", [1n], [EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
    call(sim, parent, CHILD, "TCBSetPriority", [], [SELF], 0);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("raising a ready thread above the caller preempts the caller", () => {
    const { sim, parent, child } = world(arch);
    expect(call(sim, parent, CHILD, "TCBSetPriority", [200n], [SELF])).toBe(parent.tcb);
    expect(child.tcb.priority).toBe(200);
    expect(reply(sim, parent)).toEqual(success());
    parent.tcb.mcp = 250;
    expect(call(sim, parent, CHILD, "TCBSetPriority", [250n], [SELF])).toBe(child.tcb);
  });

  it("lowering the caller's own priority lets a higher thread run; SetMCPriority only sets the MCP", () => {
    const { sim, parent, child } = world(arch);
    expect(call(sim, parent, SELF, "TCBSetPriority", [99n], [SELF])).toBe(child.tcb);
    expect(parent.tcb.state).toBe("Running");
    expect(reply(sim, parent)).toEqual(success());
    sim.give(child, 41n, { type: "tcb", object: child.tcb });
    sim.give(child, 42n, { type: "tcb", object: parent.tcb });
    expect(call(sim, child, 42n, "TCBSetMCPriority", [7n], [41n])).toBe(child.tcb);
    expect([parent.tcb.mcp, parent.tcb.priority]).toEqual([7, 99]);
  });

  it("a thread blocked on an endpoint moves in the queue by its new priority", () => {
    const { sim, parent, child } = world(arch);
    const ep = new Endpoint();
    const a = sim.thread("a", { priority: 10 });
    sim.give(child, EP, endpointCap(ep));
    sim.give(a, EP, endpointCap(ep));
    sim.give(parent, 43n, { type: "tcb", object: a.tcb });
    sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: slot("REPLY_CAP") });
    sim.trap(child, "seL4_SysSend", { cap: EP, info: 0n });
    sim.start(a);
    sim.trap(a, "seL4_SysSend", { cap: EP, info: 0n });
    expect(ep.queue).toEqual([child.tcb, a.tcb]);
    sim.k.setPriority(a.tcb, 150);
    expect(ep.queue).toEqual([a.tcb, child.tcb]);
  });
});

describe.each(ARCHES)("TCBSetSchedParams (%s)", (arch) => {
  it("gives a passive thread an SC, MCP, priority and fault endpoint; it then runs", () => {
    const { sim, parent, child } = world(arch);
    makePassive(child);
    const sc = new SchedContext(1000n, 1000n, 0n);
    const ep = new Endpoint();
    sim.give(parent, SC, { type: "sched_context", object: sc });
    sim.give(parent, EP, endpointCap(ep, 5n));
    expect(call(sim, parent, CHILD, "TCBSetSchedParams", [150n, 180n], [SELF, SC, EP])).toBe(parent.tcb);
    expect(reply(sim, parent)).toEqual(success());
    expect([child.tcb.mcp, child.tcb.priority, child.tcb.sc]).toEqual([150, 180, sc]);
    expect(sc.tcb).toBe(child.tcb);
    expect(child.tcb.faultHandler).toEqual(endpointCap(ep, 5n));
    sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: slot("REPLY_CAP") });
    expect(sim.k.current).toBe(child.tcb);
  });

  it("errors in seL4's order: truncation, authority, MCP/priority range, SC cap, fault endpoint", () => {
    const { sim, parent } = world(arch);
    const ep = new Endpoint();
    sim.give(parent, EP, endpointCap(ep));
    sim.give(parent, 45n, endpointCap(ep, 0n, rights({ write: true })));
    const sc = new SchedContext(1000n, 1000n, 0n);
    sim.give(parent, SC, { type: "sched_context", object: sc });
    call(sim, parent, CHILD, "TCBSetSchedParams", [1n, 1n], [SELF, SC]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, CHILD, "TCBSetSchedParams", [1n, 1n], [EP, SC, EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
    call(sim, parent, CHILD, "TCBSetSchedParams", [201n, 1n], [SELF, SC, EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", 0n, 200n));
    call(sim, parent, CHILD, "TCBSetSchedParams", [1n, 201n], [SELF, SC, EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", 0n, 200n));
    // The child already has an SC of its own.
    call(sim, parent, CHILD, "TCBSetSchedParams", [1n, 1n], [SELF, SC, EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBSetSchedParams", [1n, 1n], [SELF, EP, EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 2n));
    // A null SC cap on the caller itself; then a fault endpoint without grant rights.
    call(sim, parent, SELF, "TCBSetSchedParams", [1n, 1n], [SELF, 60n, EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBSetSchedParams", [1n, 1n], [SELF, 60n, 45n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 3n));
  });

  it("a null SC cap takes the SC away: the thread stays Running but is never chosen", () => {
    const { sim, parent, child } = world(arch);
    const sc = child.tcb.sc!;
    call(sim, parent, CHILD, "TCBSetSchedParams", [100n, 100n], [SELF, 60n, 60n]);
    expect(reply(sim, parent)).toEqual(success());
    expect([child.tcb.sc, sc.tcb, child.tcb.state]).toEqual([undefined, undefined, "Running"]);
    expect(sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: slot("REPLY_CAP") })).toBeUndefined();
  });
});

describe.each(ARCHES)("TCBBindNotification / TCBUnbindNotification (%s)", (arch) => {
  it("binds, refuses a second binding, unbinds, refuses a second unbinding", () => {
    const { sim, parent, child } = world(arch);
    const ntfn = new Notification();
    sim.give(parent, NTFN, notificationCap(ntfn));
    call(sim, parent, CHILD, "TCBBindNotification", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(success());
    expect([child.tcb.boundNotification, ntfn.boundTCB]).toEqual([ntfn, child.tcb]);
    call(sim, parent, CHILD, "TCBBindNotification", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBUnbindNotification");
    expect(reply(sim, parent)).toEqual(success());
    expect([child.tcb.boundNotification, ntfn.boundTCB]).toEqual([undefined, undefined]);
    call(sim, parent, CHILD, "TCBUnbindNotification");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
  });

  it("errors: no cap, not a notification, no read right, notification bound elsewhere or with waiters", () => {
    const { sim, parent, child } = world(arch);
    const ntfn = new Notification();
    sim.give(parent, NTFN, notificationCap(ntfn, 0n, rights({ write: true })));
    sim.give(parent, EP, endpointCap(new Endpoint()));
    call(sim, parent, CHILD, "TCBBindNotification");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, CHILD, "TCBBindNotification", [], [EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBBindNotification", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    const bound = new Notification();
    bound.boundTCB = parent.tcb;
    sim.give(parent, 46n, notificationCap(bound));
    call(sim, parent, CHILD, "TCBBindNotification", [], [46n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    const busy = new Notification();
    sim.give(parent, 47n, notificationCap(busy));
    sim.give(child, 47n, notificationCap(busy));
    sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: slot("REPLY_CAP") });
    sim.trap(child, "seL4_SysWait", { cap: 47n });
    expect(busy.queue).toEqual([child.tcb]);
    sim.start(parent);
    call(sim, parent, CHILD, "TCBBindNotification", [], [47n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
  });

  it("a signal to the bound notification wakes the thread waiting on its endpoint", () => {
    const { sim, parent, child } = world(arch);
    const ntfn = new Notification();
    sim.give(parent, NTFN, notificationCap(ntfn));
    sim.give(child, EP, endpointCap(new Endpoint()));
    call(sim, parent, CHILD, "TCBBindNotification", [], [NTFN]);
    sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: slot("REPLY_CAP") });
    sim.trap(child, "seL4_SysRecv", { cap: EP, reply: slot("REPLY_CAP") });
    sim.start(parent);
    expect(sim.trap(parent, "seL4_SysSend", { cap: NTFN, info: 0n })).toBe(parent.tcb);
    expect(child.tcb.state).toBe("Running");
  });
});

describe.each(ARCHES)("TCBSetTLSBase, TCBSetFlags (%s)", (arch) => {
  it("SetTLSBase writes the architecture's TLS register", () => {
    const { sim, parent, child } = world(arch);
    call(sim, parent, CHILD, "TCBSetTLSBase", [0xfeed0000n]);
    expect(reply(sim, parent)).toEqual(success());
    expect(sim.reg(child, arch === "aarch64" ? "tpidr_el0" : "tp")).toBe(0xfeed0000n);
    call(sim, parent, CHILD, "TCBSetTLSBase", []);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("SetFlags clears, sets within seL4_TCBFlag_MASK and replies the new flags", () => {
    const { sim, parent, child } = world(arch);
    const fpuDisabled = BigInt(archJson(arch)["boot"]["tcb_flags"]["seL4_TCBFlag_fpuDisabled"]);
    call(sim, parent, CHILD, "TCBSetFlags", [0n, 0xffn]);
    expect(reply(sim, parent)).toEqual(success(fpuDisabled));
    call(sim, parent, CHILD, "TCBSetFlags", [fpuDisabled, 0n]);
    expect(reply(sim, parent)).toEqual(success(0n));
    expect(child.tcb.flags).toBe(0n);
    call(sim, parent, CHILD, "TCBSetFlags", [0n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });
});

describe.each(ARCHES)("TCBSetSpace, TCBConfigure, TCBSetIPCBuffer, TCBSetTimeoutEndpoint (%s)", (arch) => {
  it("SetSpace installs fault endpoint and roots; a CNode root with guard data gets that guard", () => {
    const { sim, parent, child } = world(arch);
    const ep = new Endpoint();
    sim.give(parent, EP, endpointCap(ep));
    sim.give(parent, CNODE, { type: "cnode", object: child.root, guard: 0n, guardSize: 0 });
    const vspace = sim.newVSpace();
    sim.give(parent, VSPACE, vspace);
    const f = archJson(arch)["cnode_cap_data"]["fields"];
    const data = (3n << BigInt(f["guard"]["offset"])) | (4n << BigInt(f["guardSize"]["offset"]));
    call(sim, parent, CHILD, "TCBSetSpace", [data, 0n], [EP, CNODE, VSPACE]);
    expect(reply(sim, parent)).toEqual(success());
    expect(child.tcb.faultHandler).toEqual(endpointCap(ep));
    expect(child.tcb.cspaceRoot).toEqual({ type: "cnode", object: child.root, guard: 3n, guardSize: 4 });
    expect(child.tcb.vspaceRoot).toEqual(vspace);
  });

  it("SetSpace errors: non-CNode root, non-VSpace or unassigned root (IllegalOperation), bad fault endpoint (InvalidCapability 1)", () => {
    const { sim, parent } = world(arch);
    sim.give(parent, EP, endpointCap(new Endpoint(), 0n, rights({ write: true })));
    sim.give(parent, CNODE, { type: "cnode", object: parent.root, guard: 0n, guardSize: 0 });
    const vspace = sim.newVSpace();
    sim.give(parent, VSPACE, vspace);
    call(sim, parent, CHILD, "TCBSetSpace", [0n, 0n], [EP, VSPACE, VSPACE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBSetSpace", [0n, 0n], [EP, CNODE, CNODE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    // A root no ASID pool has assigned yet (isValidVTableRoot needs it mapped).
    sim.give(parent, VSPACE, { ...vspace, isMapped: false } as typeof vspace);
    call(sim, parent, CHILD, "TCBSetSpace", [0n, 0n], [EP, CNODE, VSPACE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    sim.give(parent, VSPACE, vspace);
    call(sim, parent, CHILD, "TCBSetSpace", [0n, 0n], [EP, CNODE, VSPACE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
    call(sim, parent, CHILD, "TCBSetSpace", [0n], [EP, CNODE, VSPACE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("Configure with buffer 0 sets roots and clears the IPC buffer; the buffer must be an aligned, non-device frame", () => {
    const { sim, parent, child } = world(arch);
    sim.give(parent, CNODE, { type: "cnode", object: child.root, guard: 0n, guardSize: 0 });
    sim.give(parent, VSPACE, sim.newVSpace());
    call(sim, parent, CHILD, "TCBConfigure", [0n, 0n, 0x1000n], [CNODE, VSPACE, VSPACE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    const frame = (isDevice: boolean) => ({ type: "frame", object: new Frame(0x4000_0000n, 12, isDevice), rights: "ReadWrite", mappedAsid: 0n, mappedAddress: 0n }) as const;
    sim.give(parent, NTFN, frame(true));
    call(sim, parent, CHILD, "TCBConfigure", [0n, 0n, 0x1000n], [CNODE, VSPACE, NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    sim.give(parent, NTFN, frame(false));
    // seL4_IPCBufferSizeBits: the address is aligned to 2^10.
    expect(archJson(arch)["ipc_buffer"]["seL4_IPCBufferSizeBits"]).toBe(10);
    call(sim, parent, CHILD, "TCBConfigure", [0n, 0n, 0x1200n], [CNODE, VSPACE, NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_AlignmentError"));
    call(sim, parent, CHILD, "TCBConfigure", [0n, 0n, 0x1400n], [CNODE, VSPACE, NTFN]);
    expect(reply(sim, parent)).toEqual(success());
    expect(child.tcb.ipcBuffer).toBe(0x1400n);
    call(sim, parent, CHILD, "TCBConfigure", [0n, 0n, 0n], [CNODE, VSPACE, VSPACE]);
    expect(reply(sim, parent)).toEqual(success());
    expect(child.tcb.ipcBuffer).toBe(0n);
    call(sim, parent, CHILD, "TCBConfigure", [0n, 0n], [CNODE, VSPACE, VSPACE]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("SetIPCBuffer 0 detaches the buffer; SetTimeoutEndpoint checks the cap like a fault handler", () => {
    const { sim, parent, child } = world(arch);
    sim.give(parent, EP, endpointCap(new Endpoint()));
    sim.give(parent, NTFN, notificationCap(new Notification()));
    call(sim, parent, CHILD, "TCBSetIPCBuffer", [0n], [EP]);
    expect(reply(sim, parent)).toEqual(success());
    expect(child.tcb.ipcBuffer).toBe(0n);
    call(sim, parent, CHILD, "TCBSetIPCBuffer", [0x2000n], [EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, CHILD, "TCBSetTimeoutEndpoint", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
    call(sim, parent, CHILD, "TCBSetTimeoutEndpoint", [], [EP]);
    expect(reply(sim, parent)).toEqual(success());
    expect(child.tcb.timeoutHandler.type).toBe("endpoint");
  });
});
