// Notifications driven through syscalls (seL4 src/object/notification.c sendSignal, receiveSignal,
// completeSignal; handleRecv's checks in src/api/syscall.c). Microkit's microkit_notify is SysSend
// with msg_info 0 on BASE_OUTPUT_NOTIFICATION_CAP + channel, badge 1 << channel of the peer.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { ARCHES, Endpoint, Notification, Sim, endpointCap, faultMrs, faultType, lookupFailureType, msgInfo, notificationCap, rights, slot, type Pd, type ThreadOptions } from "./harness.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const OUT = slot("BASE_OUTPUT_NOTIFICATION_CAP");
const SENTINEL = 0x5e5e5e5e5e5e5e5en;
const NOTIFY_RIGHTS = rights({ write: true });

function world(arch: Arch) {
  const sim = new Sim(arch);
  const ntfn = new Notification();
  /** A PD whose INPUT_CAP is `ntfn`, bound to its TCB as Microkit binds every PD's notification. */
  const owner = (name: string, o: ThreadOptions = {}): Pd => {
    const pd = sim.thread(name, o);
    sim.give(pd, INPUT, notificationCap(ntfn));
    pd.tcb.boundNotification = ntfn;
    ntfn.boundTCB = pd.tcb;
    return pd;
  };
  /** A PD with an output cap to `ntfn` for channel `ch`, badge 1 << ch. */
  const signaller = (name: string, ch: number, o: ThreadOptions = {}): Pd => {
    const pd = sim.thread(name, o);
    sim.give(pd, OUT + BigInt(ch), notificationCap(ntfn, 1n << BigInt(ch), NOTIFY_RIGHTS));
    return pd;
  };
  const signal = (pd: Pd, ch: number) => sim.trap(pd, "seL4_SysSend", { cap: OUT + BigInt(ch), info: 0n });
  return { sim, ntfn, owner, signaller, signal };
}

describe.each(ARCHES)("notifications (%s)", (arch) => {
  it("signals with nobody waiting make the notification Active and OR their badges", () => {
    const { sim, ntfn, signal } = world(arch);
    const s = sim.thread("signaller");
    for (const ch of [3, 5]) sim.give(s, OUT + BigInt(ch), notificationCap(ntfn, 1n << BigInt(ch), NOTIFY_RIGHTS));
    sim.start(s);
    expect(signal(s, 3)).toBe(s.tcb);
    expect(ntfn.state).toBe("Active");
    expect(ntfn.word).toBe(0x8n);
    expect(signal(s, 5)).toBe(s.tcb);
    expect(ntfn.word).toBe(0x28n);
    expect(signal(s, 3)).toBe(s.tcb);
    expect(ntfn.word).toBe(0x28n);
    expect(s.tcb.state).toBe("Running");
  });

  it("Wait on an Active notification returns the word in the badge register and clears it", () => {
    const { sim, ntfn, owner, signaller, signal } = world(arch);
    const o = owner("owner", { priority: 50 });
    const s = signaller("signaller", 3, { priority: 100 });
    sim.give(s, OUT + 5n, notificationCap(ntfn, 1n << 5n, NOTIFY_RIGHTS));
    sim.start(s, o);
    signal(s, 3);
    expect(sim.trap(s, "seL4_SysSend", { cap: OUT + 5n, info: 0n })).toBe(s.tcb);
    // The signaller blocks on something else so the owner runs.
    const other = new Notification();
    sim.give(s, 20n, notificationCap(other));
    expect(sim.trap(s, "seL4_SysWait", { cap: 20n })).toBe(o.tcb);

    sim.setReg(o, sim.roles.info, SENTINEL);
    sim.setReg(o, sim.roles.mrs[0]!, SENTINEL);
    expect(sim.trap(o, "seL4_SysWait", { cap: INPUT })).toBe(o.tcb);
    expect(sim.badge(o)).toBe(0x28n);
    expect(ntfn.state).toBe("Idle");
    expect(ntfn.word).toBe(0n);
    // notification_receive_fact: only the badge register is written.
    expect(sim.info(o)).toBe(SENTINEL);
    expect(sim.fastMrs(o)[0]).toBe(SENTINEL);
  });

  it("a waiter blocks, and a signal wakes it with the signaller's badge; the higher priority runs", () => {
    const { sim, ntfn, owner, signaller, signal } = world(arch);
    const o = owner("owner", { priority: 200 });
    const s = signaller("signaller", 7, { priority: 100 });
    sim.start(o, s);
    expect(sim.trap(o, "seL4_SysWait", { cap: INPUT })).toBe(s.tcb);
    expect(o.tcb.state).toBe("BlockedOnNotification");
    expect(ntfn.state).toBe("Waiting");
    expect(signal(s, 7)).toBe(o.tcb);
    expect(o.tcb.state).toBe("Running");
    expect(sim.badge(o)).toBe(1n << 7n);
    expect(ntfn.state).toBe("Idle");
    expect(ntfn.word).toBe(0n);
  });

  it("NBWait and NBRecv on an Idle notification set the badge register to 0", () => {
    const { sim, ntfn, owner } = world(arch);
    const o = owner("owner");
    sim.start(o);
    expect(sim.trap(o, "seL4_SysNBWait", { cap: INPUT })).toBe(o.tcb);
    expect(sim.badge(o)).toBe(0n);
    sim.setReg(o, sim.roles.cap, INPUT);
    expect(sim.trap(o, "seL4_SysNBRecv", { cap: INPUT, reply: REPLY })).toBe(o.tcb);
    expect(sim.badge(o)).toBe(0n);
    expect(ntfn.state).toBe("Idle");
    expect(o.tcb.state).toBe("Running");
  });

  it("waiters queue by priority on MCS (tcbAppend): the later, higher-priority waiter is woken first", () => {
    const sim = new Sim(arch);
    const ntfn = new Notification();
    const gate = new Notification();
    const high = sim.thread("high", { priority: 80 });
    const low = sim.thread("low", { priority: 50 });
    const sig = sim.thread("signaller", { priority: 10 });
    for (const pd of [high, low]) sim.give(pd, 20n, notificationCap(ntfn));
    sim.give(high, 21n, notificationCap(gate));
    sim.give(sig, 30n, notificationCap(gate, 1n, NOTIFY_RIGHTS));
    sim.give(sig, 31n, notificationCap(ntfn, 2n, NOTIFY_RIGHTS));
    sim.start(high, low, sig);
    expect(sim.trap(high, "seL4_SysWait", { cap: 21n })).toBe(low.tcb);
    expect(sim.trap(low, "seL4_SysWait", { cap: 20n })).toBe(sig.tcb);
    expect(sim.trap(sig, "seL4_SysSend", { cap: 30n, info: 0n })).toBe(high.tcb);
    expect(sim.trap(high, "seL4_SysWait", { cap: 20n })).toBe(sig.tcb);
    expect(ntfn.queue).toEqual([high.tcb, low.tcb]);
    expect(sim.trap(sig, "seL4_SysSend", { cap: 31n, info: 0n })).toBe(high.tcb);
    expect(sim.badge(high)).toBe(2n);
    expect(low.tcb.state).toBe("BlockedOnNotification");
  });

  it("Call on a notification signals it and replies with label 0, no MRs, badge 0", () => {
    const { sim, ntfn, signaller } = world(arch);
    const s = signaller("signaller", 4);
    sim.start(s);
    expect(sim.trap(s, "seL4_SysCall", { cap: OUT + 4n, info: msgInfo(arch, { label: 9n, length: 2 }), mrs: [1n, 2n] })).toBe(s.tcb);
    expect(ntfn.word).toBe(1n << 4n);
    expect(sim.badge(s)).toBe(0n);
    expect(sim.info(s)).toBe(msgInfo(arch, { label: 0n, length: 0 }));
    expect(s.tcb.state).toBe("Running");
  });

  it("Wait on a notification bound to another thread is a cap fault (MissingCapability, receive phase)", () => {
    const { sim, ntfn, owner } = world(arch);
    const o = owner("owner", { priority: 10 });
    const intruder = sim.thread("intruder", { priority: 100 });
    const handler = sim.thread("handler", { priority: 200 });
    const faultEp = new Endpoint();
    sim.give(handler, INPUT, endpointCap(faultEp));
    intruder.tcb.faultHandler = endpointCap(faultEp, 9n);
    sim.give(intruder, 20n, notificationCap(ntfn));
    sim.start(handler, intruder, o);
    expect(sim.trap(handler, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(intruder.tcb);
    const trapPc = sim.pc(intruder);
    expect(sim.trap(intruder, "seL4_SysWait", { cap: 20n })).toBe(handler.tcb);
    const cf = faultType(arch, "seL4_Fault_CapFault");
    const expected = faultMrs(arch, "seL4_Fault_CapFault", { IP: trapPc, Addr: 20n, InRecvPhase: 1n, LookupFailureType: lookupFailureType(arch, "seL4_MissingCapability"), BitsLeft: 0n });
    expect(expected).toHaveLength(5);
    expect(sim.info(handler)).toBe(msgInfo(arch, { label: cf.label, length: 5 }));
    expect(sim.badge(handler)).toBe(9n);
    expect([...sim.fastMrs(handler), sim.bufferMr(handler, 4)]).toEqual(expected);
    expect(intruder.tcb.state).toBe("BlockedOnReply");
    expect(ntfn.queue).toEqual([]);
  });
});

describe.each(ARCHES)("bound notifications (%s)", (arch) => {
  /** A server PD as Microkit builds one that receives PPCs: INPUT_CAP is its endpoint, its notification bound. */
  function serverWorld() {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const ntfn = new Notification();
    const server = sim.thread("server", { priority: 200 });
    sim.give(server, INPUT, endpointCap(ep));
    server.tcb.boundNotification = ntfn;
    ntfn.boundTCB = server.tcb;
    const client = sim.thread("client", { priority: 100 });
    sim.give(client, OUT + 2n, notificationCap(ntfn, 1n << 2n, NOTIFY_RIGHTS));
    sim.give(client, slot("BASE_ENDPOINT_CAP"), endpointCap(ep, 1n << 63n));
    return { sim, ep, ntfn, server, client };
  }

  it("a thread blocked in Recv on an endpoint is woken by a signal with the badge in the badge register", () => {
    const { sim, ep, ntfn, server, client } = serverWorld();
    sim.start(server, client);
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
    expect(ep.queue).toEqual([server.tcb]);
    expect(server.reply.tcb).toBe(server.tcb);
    sim.setReg(server, sim.roles.info, SENTINEL);

    expect(sim.trap(client, "seL4_SysSend", { cap: OUT + 2n, info: 0n })).toBe(server.tcb);
    expect(server.tcb.state).toBe("Running");
    expect(sim.badge(server)).toBe(1n << 2n);
    expect(sim.info(server)).toBe(SENTINEL);
    expect(ep.queue).toEqual([]);
    expect(server.reply.tcb).toBeUndefined();
    expect(ntfn.state).toBe("Idle");

    // The server left the endpoint queue: once it waits elsewhere, a Call finds no receiver.
    sim.give(server, 30n, notificationCap(new Notification()));
    expect(sim.trap(server, "seL4_SysWait", { cap: 30n })).toBe(client.tcb);
    expect(sim.trap(client, "seL4_SysCall", { cap: slot("BASE_ENDPOINT_CAP"), info: 0n })).toBeUndefined();
    expect(client.tcb.state).toBe("BlockedOnSend");
    expect(ep.queue).toEqual([client.tcb]);
  });

  it("Recv on the endpoint completes at once with the word of an Active bound notification", () => {
    const { sim, ep, ntfn, server, client } = serverWorld();
    sim.start(client);
    sim.trap(client, "seL4_SysSend", { cap: OUT + 2n, info: 0n });
    expect(ntfn.state).toBe("Active");
    sim.start(server);
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(server.tcb);
    expect(sim.badge(server)).toBe(1n << 2n);
    expect(ntfn.state).toBe("Idle");
    expect(ep.queue).toEqual([]);
    expect(server.tcb.state).toBe("Running");
  });

  it("a signal to a bound thread that waits for a reply only makes the notification Active", () => {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const ntfn = new Notification();
    const callee = sim.thread("callee", { priority: 150 });
    sim.give(callee, INPUT, endpointCap(ep));
    const caller = sim.thread("caller", { priority: 100 });
    sim.give(caller, slot("BASE_ENDPOINT_CAP"), endpointCap(ep, 1n));
    caller.tcb.boundNotification = ntfn;
    ntfn.boundTCB = caller.tcb;
    sim.give(callee, OUT, notificationCap(ntfn, 1n << 6n, NOTIFY_RIGHTS));
    sim.start(callee, caller);
    sim.trap(callee, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(caller, "seL4_SysCall", { cap: slot("BASE_ENDPOINT_CAP"), info: 0n });
    expect(caller.tcb.state).toBe("BlockedOnReply");
    expect(sim.trap(callee, "seL4_SysSend", { cap: OUT, info: 0n })).toBe(callee.tcb);
    expect(caller.tcb.state).toBe("BlockedOnReply");
    expect(ntfn.state).toBe("Active");
    expect(ntfn.word).toBe(1n << 6n);
  });
});
