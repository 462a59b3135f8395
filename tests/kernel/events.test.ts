// Kernel events (kernel/events.ts): each kernel action emits the event that describes it, with the
// threads' names and the values a PD sees; nothing is built while nobody listens.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import type { KernelEvent, KernelEventType } from "../../kernel/events.js";
import { handleInterrupt, IrqTable } from "../../kernel/interrupt.js";
import { handleFault } from "../../kernel/ipc.js";
import {
  ARCHES, Endpoint, Notification, Sim, endpointCap, errorNumber, faultType, invocationLabel, makePassive, msgInfo, msgOffset, notificationCap, rights, slot,
  type Pd,
} from "./harness.js";
import { INPUT, REPLY, ns, precision, ticks, timedThread } from "./time-world.js";

const PPC = slot("BASE_ENDPOINT_CAP");
const OUT = slot("BASE_OUTPUT_NOTIFICATION_CAP");
const IRQ = slot("BASE_IRQ_CAP");

/** Subscribes to the kernel's events; the returned array fills as they come. */
function record(sim: Sim): KernelEvent[] {
  const events: KernelEvent[] = [];
  sim.k.subscribe((e) => events.push(e));
  return events;
}

const ofType = <T extends KernelEventType>(events: readonly KernelEvent[], type: T): (KernelEvent & { type: T })[] =>
  events.filter((e): e is KernelEvent & { type: T } => e.type === type);

/** A PD-like thread: its TCB's protection domain is its own name, as the system builder sets it. */
function pdThread(sim: Sim, name: string, priority: number, o: { sc?: boolean } = {}): Pd {
  const pd = sim.thread(name, { priority, ...o });
  pd.tcb.pd = name;
  return pd;
}

describe("subscribing", () => {
  it("a kernel without listeners has no event hub; the last unsubscribe removes it again", () => {
    const sim = new Sim("aarch64");
    expect(sim.k.events).toBeUndefined();
    const seen: string[] = [];
    const off1 = sim.k.subscribe((e) => seen.push(`1 ${e.type}`));
    const off2 = sim.k.subscribe((e) => seen.push(`2 ${e.type}`));
    const t = pdThread(sim, "t", 100);
    sim.start(t);
    expect(seen).toEqual(["1 thread_state", "2 thread_state", "1 schedule", "2 schedule"]);
    off1();
    expect(sim.k.events).toBeDefined();
    off2();
    expect(sim.k.events).toBeUndefined();
    sim.trap(t, "seL4_SysYield");
    expect(seen).toHaveLength(4);
  });

  it("events carry the virtual time of the kernel entry, in nanoseconds", () => {
    const sim = new Sim("riscv64");
    const events = record(sim);
    const t = pdThread(sim, "t", 100);
    sim.start(t);
    sim.k.kernelEntry(12_345n, true);
    sim.trap(t, "seL4_SysYield");
    expect(ofType(events, "syscall")).toMatchObject([{ time_ns: 12_345, thread: "t", pd: "t", syscall: "seL4_SysYield" }]);
    // type first, then time: the order the JSON trace shows.
    expect(Object.keys(events.at(-1)!).slice(0, 2)).toEqual(["type", "time_ns"]);
  });
});

describe.each(ARCHES)("events of threads (%s)", (arch: Arch) => {
  it("DebugNameThread: thread_named under the old name; later events use the new one", () => {
    const sim = new Sim(arch);
    const t = pdThread(sim, "old-name", 100);
    t.cnode.slots[0x30] = { type: "tcb", object: t.tcb };
    sim.start(t);
    const events = record(sim);
    t.ipc!.set(new TextEncoder().encode("worker\0"), msgOffset(arch, 0));
    sim.trap(t, "seL4_SysDebugNameThread", { cap: 0x30n });
    expect(events.map((e) => [e.type, "thread" in e ? e.thread : undefined])).toEqual([
      ["syscall", "old-name"], ["thread_named", "old-name"], ["syscall_result", "old-name"],
    ]);
    expect(events[1]).toMatchObject({ pd: "old-name", name: "worker" });
    sim.trap(t, "seL4_SysYield");
    expect(ofType(events, "syscall_result").at(-1)).toMatchObject({ thread: "worker", pd: "old-name", syscall: "seL4_SysYield" });
  });
});

describe.each(ARCHES)("events of IPC (%s)", (arch: Arch) => {
  function world() {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const server = pdThread(sim, "server", 200);
    const client = pdThread(sim, "client", 100);
    sim.give(server, INPUT, endpointCap(ep));
    sim.give(client, PPC, endpointCap(ep, 0x8000000000000002n));
    return { sim, ep, server, client };
  }

  it("Call then ReplyRecv: syscall, invocation, the transfer with badge and length, the caller blocked on the reply, the reply back", () => {
    const { sim, server, client } = world();
    expect(sim.start(server, client)).toBe(server.tcb);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    const events = record(sim);
    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { label: 7n, length: 2 }), mrs: [20n, 22n] })).toBe(server.tcb);
    const pc = client.tcb.restartPc;
    expect(events.map((e) => e.type)).toEqual([
      "syscall", "invocation", "thread_state", "ipc", "thread_state", "thread_state", "syscall_result", "schedule",
    ]);
    expect(events[0]).toMatchObject({ thread: "client", pd: "client", syscall: "seL4_SysCall", cap: PPC, pc });
    expect(events[1]).toMatchObject({ thread: "client", cptr: PPC, object: "endpoint", label: 7n });
    expect(events[1]).not.toHaveProperty("method"); // an endpoint's label is the message's own
    expect(events[3]).toEqual({
      type: "ipc", time_ns: 0, kind: "send", from: "client", from_pd: "client", to: "server", to_pd: "server",
      badge: 0x8000000000000002n, label: 7n, length: 2, caps: 0, unwrapped: 0,
    });
    expect(events.slice(4, 6)).toMatchObject([
      { thread: "client", from: "Restart", to: "BlockedOnReply" },
      { thread: "server", from: "BlockedOnReceive", to: "Running" },
    ]);
    expect(events[6]).toMatchObject({ thread: "client", syscall: "seL4_SysCall", result: "ok", state: "BlockedOnReply" });
    expect(events[7]).toMatchObject({ thread: "server", reason: "choose", from: "client" });

    events.length = 0;
    sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { label: 1n, length: 1 }), mrs: [42n] });
    expect(ofType(events, "ipc")).toMatchObject([{ kind: "reply", from: "server", to: "client", badge: 0n, label: 1n, length: 1 }]);
    expect(ofType(events, "invocation")).toMatchObject([{ thread: "server", cptr: REPLY, object: "reply" }]);
    expect(ofType(events, "syscall_result")).toMatchObject([{ thread: "server", result: "ok", state: "BlockedOnReceive" }]);
  });

  it("a higher-priority receiver woken by a Send runs at once: the schedule event says woken", () => {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const server = pdThread(sim, "server", 200);
    const client = pdThread(sim, "client", 100);
    sim.give(server, INPUT, endpointCap(ep));
    sim.give(client, PPC, endpointCap(ep, 5n));
    sim.start(server, client);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    const events = record(sim);
    expect(sim.trap(client, "seL4_SysNBSend", { cap: PPC, info: msgInfo(arch, { length: 0 }) })).toBe(server.tcb);
    expect(ofType(events, "schedule")).toMatchObject([{ thread: "server", reason: "woken", from: "client" }]);
  });

  it("a passive server runs on the caller's scheduling context and gives it back with the reply", () => {
    const { sim, server, client } = world();
    sim.start(server, client);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    makePassive(server);
    const events = record(sim);
    sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { length: 0 }) });
    expect(ofType(events, "sc_donated")).toEqual([{ type: "sc_donated", time_ns: 0, from: "client", to: "server", to_pd: "server" }]);
    sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 0 }) });
    expect(ofType(events, "sc_donated").at(-1)).toMatchObject({ from: "server", to: "client" });
  });

  it("syscall results: an invocation error names the seL4 error; a non-blocking send to nothing is dropped; a blocking one faults", () => {
    const { sim, server, client } = world();
    sim.start(server, client);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.give(client, 0x30n, { type: "tcb", object: server.tcb });
    const events = record(sim);
    // TCBSuspend is a kernel-object invocation: named; a label no object knows is IllegalOperation.
    sim.trap(client, "seL4_SysCall", { cap: 0x30n, info: msgInfo(arch, { label: invocationLabel(arch, "TCBSuspend") }) });
    expect(ofType(events, "invocation").at(-1)).toMatchObject({ object: "tcb", method: "TCBSuspend" });
    expect(ofType(events, "syscall_result").at(-1)).toMatchObject({ result: "ok", state: "Running" });
    sim.trap(client, "seL4_SysCall", { cap: 0x30n, info: msgInfo(arch, { label: 0x7fffn }) });
    expect(ofType(events, "syscall_result").at(-1)).toMatchObject({ thread: "client", result: "error", error: "seL4_IllegalOperation", state: "Running" });
    expect(sim.info(client)).toBe(msgInfo(arch, { label: errorNumber(arch, "seL4_IllegalOperation") })); // what the PD sees
    // An empty slot holds a null cap: InvalidCapability, which a Send does not report to the PD.
    sim.trap(client, "seL4_SysNBSend", { cap: 0x31n, info: msgInfo(arch, {}) });
    expect(ofType(events, "syscall_result").at(-1)).toMatchObject({ result: "error", error: "seL4_InvalidCapability", state: "Running" });
    // A cptr whose guard bits are not zero does not resolve: dropped by NBSend, a cap fault for Send.
    const stray = 1n << 20n;
    sim.trap(client, "seL4_SysNBSend", { cap: stray, info: msgInfo(arch, {}) });
    expect(ofType(events, "syscall_result").at(-1)).toMatchObject({ syscall: "seL4_SysNBSend", result: "dropped", state: "Running" });
    sim.trap(client, "seL4_SysSend", { cap: stray, info: msgInfo(arch, {}) });
    expect(ofType(events, "syscall_result").at(-1)).toMatchObject({ syscall: "seL4_SysSend", result: "fault", state: "Inactive" });
    expect(ofType(events, "fault").at(-1)).toMatchObject({
      thread: "client", fault: "CapFault", handler: "none", details: { address: stray, receive_phase: false, lookup: "GuardMismatch" },
    });
    expect(Object.keys(ofType(events, "fault").at(-1)!.details)).toEqual(["address", "receive_phase", "lookup", "bits_left", "bits_found", "guard_found"]);
  });
});

describe.each(ARCHES)("events of notifications and interrupts (%s)", (arch: Arch) => {
  function world() {
    const sim = new Sim(arch);
    const ntfn = new Notification();
    const waiter = pdThread(sim, "waiter", 200);
    const signaller = pdThread(sim, "signaller", 100);
    sim.give(waiter, INPUT, notificationCap(ntfn));
    sim.give(signaller, OUT, notificationCap(ntfn, 0b100n, rights({ write: true })));
    return { sim, ntfn, waiter, signaller };
  }

  it("a signal that wakes its waiter names it; signals to an idle notification accumulate in the word the next Wait takes", () => {
    const { sim, waiter, signaller } = world();
    sim.start(waiter, signaller);
    sim.trap(waiter, "seL4_SysWait", { cap: INPUT });
    const events = record(sim);
    sim.trap(signaller, "seL4_SysSend", { cap: OUT, info: msgInfo(arch, {}) });
    expect(ofType(events, "signal")).toEqual([
      { type: "signal", time_ns: 0, thread: "signaller", pd: "signaller", badge: 0b100n, woken: "waiter", woken_pd: "waiter", word: 0n },
    ]);
    expect(ofType(events, "schedule").at(-1)).toMatchObject({ thread: "waiter", reason: "woken" });
  });

  it("badges OR into the word while nobody waits; the Wait that finds them reports signal_received", () => {
    const sim = new Sim(arch);
    const ntfn = new Notification();
    const waiter = pdThread(sim, "waiter", 100);
    const signaller = pdThread(sim, "signaller", 200);
    sim.give(waiter, INPUT, notificationCap(ntfn));
    sim.give(signaller, OUT, notificationCap(ntfn, 0b100n, rights({ write: true })));
    sim.give(signaller, OUT + 1n, notificationCap(ntfn, 0b1n, rights({ write: true })));
    expect(sim.start(waiter, signaller)).toBe(signaller.tcb);
    const events = record(sim);
    sim.trap(signaller, "seL4_SysSend", { cap: OUT, info: msgInfo(arch, {}) });
    sim.trap(signaller, "seL4_SysSend", { cap: OUT + 1n, info: msgInfo(arch, {}) });
    expect(ofType(events, "signal").map((e) => [e.badge, e.word, e.woken])).toEqual([[0b100n, 0b100n, undefined], [0b1n, 0b101n, undefined]]);
    expect(sim.trap(signaller, "seL4_SysWait", { cap: OUT + 2n })).toBe(waiter.tcb); // a cap fault: the signaller stops
    sim.trap(waiter, "seL4_SysWait", { cap: INPUT });
    expect(ofType(events, "signal_received")).toMatchObject([{ thread: "waiter", word: 0b101n }]);
    expect(sim.badge(waiter)).toBe(0b101n);
  });

  it("an interrupt: irq (handled) then the signal from no thread; IRQAckIRQ: irq_ack by the acking thread", () => {
    const { sim, ntfn, waiter, signaller } = world();
    sim.start(waiter, signaller);
    sim.trap(waiter, "seL4_SysWait", { cap: INPUT });
    const table = new IrqTable();
    const handler = table.handler(33);
    handler.notification = notificationCap(ntfn, 0b10n, rights({ write: true }));
    sim.give(waiter, IRQ, { type: "irq_handler", object: handler });
    const events = record(sim);
    sim.k.kernelEntry(5000n, false);
    handleInterrupt(sim.k, table, 33);
    handleInterrupt(sim.k, table, 34); // no handler: reported, not signalled
    expect(events.filter((e) => e.type === "irq" || e.type === "signal")).toEqual([
      { type: "irq", time_ns: 5000, irq: 33, handled: true },
      { type: "signal", time_ns: 5000, badge: 0b10n, woken: "waiter", woken_pd: "waiter", word: 0n },
      { type: "irq", time_ns: 5000, irq: 34, handled: false },
    ]);
    expect(sim.k.schedule()).toBe(waiter.tcb);
    sim.trap(waiter, "seL4_SysCall", { cap: IRQ, info: msgInfo(arch, { label: invocationLabel(arch, "IRQAckIRQ") }) });
    expect(ofType(events, "irq_ack")).toMatchObject([{ thread: "waiter", pd: "waiter", irq: 33 }]);
    expect(sim.host.acks).toEqual([33]);
  });
});

describe.each(ARCHES)("events of faults (%s)", (arch: Arch) => {
  it("a fault with a handler: raised (details, badge), delivered to the handler thread, its reply resumes the thread", () => {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const parent = pdThread(sim, "parent", 200);
    const child = pdThread(sim, "child", 100);
    sim.give(parent, INPUT, endpointCap(ep));
    child.tcb.faultHandler = endpointCap(ep, 0x4000000000000000n);
    sim.start(parent, child);
    sim.trap(parent, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    const events = record(sim);
    child.tcb.restartPc = 0x1234n;
    handleFault(sim.k, child.tcb, { type: "VMFault", address: 0xdead000n, instruction: false, fsr: 0x47n });
    const vm = faultType(arch, "seL4_Fault_VMFault");
    expect(ofType(events, "fault")).toEqual([{
      type: "fault", time_ns: 0, thread: "child", pd: "child", fault: "VMFault", pc: 0x1234n,
      details: { address: 0xdead000n, instruction: false, fsr: 0x47n }, handler: "endpoint", badge: 0x4000000000000000n,
    }]);
    expect(ofType(events, "fault_delivered")).toEqual([{
      type: "fault_delivered", time_ns: 0, thread: "child", pd: "child", fault: "VMFault", to: "parent", to_pd: "parent",
      badge: 0x4000000000000000n, label: vm.label, length: vm.length,
    }]);
    expect(sim.k.schedule()).toBe(parent.tcb);
    sim.trap(parent, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 0 }) });
    expect(ofType(events, "fault_reply")).toMatchObject([{ thread: "child", fault: "VMFault", from: "parent", resume: true }]);
    expect(child.tcb.state).toBe("Restart");
  });

  it("a fault without a handler: handler none, and the thread becomes Inactive", () => {
    const sim = new Sim(arch);
    const t = pdThread(sim, "lonely", 100);
    sim.start(t);
    const events = record(sim);
    sim.trap(t, "seL4_SysSend", {}, 0x77n);
    expect(events.filter((e) => e.type === "fault" || e.type === "thread_state")).toMatchObject([
      { type: "fault", thread: "lonely", fault: "UnknownSyscall", details: { number: 0x77n }, handler: "none" },
      { type: "thread_state", thread: "lonely", from: "Running", to: "Inactive" },
    ]);
    expect(ofType(events, "syscall")).toMatchObject([{ syscall: "unknown", number: 0x77 }]);
  });
});

describe.each(ARCHES)("events of budgets (%s)", (arch: Arch) => {
  it("budget exhausted, the thread postponed to its release time, released again when its refill is ready", () => {
    const sim = new Sim(arch);
    const high = timedThread(sim, "high", 200, 100n, 1000n);
    const low = timedThread(sim, "low", 100, 1000n, 1000n);
    high.tcb.pd = "high";
    sim.start(high, low);
    const events = record(sim);
    const end = ticks(arch, 100n) - precision(arch);
    expect(sim.k.kernelEntry(ns(arch, end), false)).toBe(false);
    expect(sim.k.schedule()).toBe(low.tcb);
    const release = sim.k.nextReleaseNs()!;
    expect(events.map((e) => e.type)).toEqual(["timer", "budget_exhausted", "sc_postponed", "schedule"]);
    expect(events[1]).toMatchObject({ thread: "high", pd: "high", consumed_ns: Number(ns(arch, end)) });
    expect(events[2]).toMatchObject({ thread: "high", release_ns: Number(release) });
    expect(events[3]).toMatchObject({ thread: "low", reason: "choose", from: "high" });
    events.length = 0;
    sim.k.kernelEntry(release, false);
    expect(sim.k.schedule()).toBe(high.tcb);
    expect(events.filter((e) => e.type !== "timer").map((e) => [e.type, "thread" in e ? e.thread : undefined])).toEqual([
      ["sc_released", "high"], ["schedule", "high"],
    ]);
  });

  it("with a timeout endpoint the exhausted budget is a Timeout fault, delivered to the waiting handler", () => {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const handler = pdThread(sim, "handler", 250);
    sim.give(handler, INPUT, endpointCap(ep));
    const t = timedThread(sim, "t", 200, 100n, 1000n, 0x142n);
    t.tcb.timeoutHandler = endpointCap(ep, 0x99n, rights({ write: true, grantReply: true }));
    sim.start(handler, t);
    sim.trap(handler, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.setReg(t, "pc", 0x4444n);
    const events = record(sim);
    sim.k.kernelEntry(ns(arch, ticks(arch, 100n) - precision(arch)), false);
    const timeout = faultType(arch, "seL4_Fault_Timeout");
    expect(events.filter((e) => e.type.startsWith("fault") || e.type === "budget_exhausted")).toMatchObject([
      { type: "budget_exhausted", thread: "t" },
      { type: "fault", thread: "t", fault: "Timeout", pc: 0x4444n, details: { badge: 0x142n }, handler: "endpoint", badge: 0x99n },
      { type: "fault_delivered", thread: "t", fault: "Timeout", to: "handler", badge: 0x99n, label: timeout.label, length: timeout.length },
    ]);
  });
});
