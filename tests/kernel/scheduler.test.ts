// Scheduling (seL4 src/kernel/thread.c schedule, possibleSwitchTo, rescheduleRequired; MCS
// scheduling-context donation in src/object/endpoint.c, reply.c, notification.c).
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { refills } from "../../kernel/sporadic.js";
import { ARCHES, Endpoint, Notification, SchedContext, Sim, endpointCap, makePassive, msgInfo, notificationCap, rights, slot, type Pd } from "./harness.js";
import { ns, ticks } from "./time-world.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const OUT = slot("BASE_OUTPUT_NOTIFICATION_CAP");
const PPC = slot("BASE_ENDPOINT_CAP");
const NOTIFY_RIGHTS = rights({ write: true });

/** Threads that each wait on their own notification (INPUT_CAP) and can signal every other one. */
function signalWorld(arch: Arch, priorities: Record<string, number>) {
  const sim = new Sim(arch);
  const pds: Record<string, Pd> = {};
  const ntfns: Record<string, Notification> = {};
  for (const [name, priority] of Object.entries(priorities)) {
    pds[name] = sim.thread(name, { priority });
    ntfns[name] = new Notification();
    sim.give(pds[name]!, INPUT, notificationCap(ntfns[name]!));
  }
  const names = Object.keys(priorities);
  for (const from of names) names.forEach((to, i) => sim.give(pds[from]!, OUT + BigInt(i), notificationCap(ntfns[to]!, 1n, NOTIFY_RIGHTS)));
  const wait = (pd: Pd) => sim.trap(pd, "seL4_SysWait", { cap: INPUT });
  const signal = (pd: Pd, to: string) => sim.trap(pd, "seL4_SysSend", { cap: OUT + BigInt(names.indexOf(to)), info: 0n });
  const yieldCpu = (pd: Pd) => sim.trap(pd, "seL4_SysYield");
  return { sim, pds, wait, signal, yieldCpu };
}

describe.each(ARCHES)("priorities (%s)", (arch) => {
  it("the highest-priority runnable thread runs first", () => {
    const { sim, pds } = signalWorld(arch, { low: 10, high: 200, mid: 100 });
    expect(sim.start(pds["low"]!, pds["high"]!, pds["mid"]!)).toBe(pds["high"]!.tcb);
  });

  it("a higher-priority thread made runnable preempts the signaller", () => {
    const { sim, pds, wait, signal } = signalWorld(arch, { high: 200, low: 100 });
    const [high, low] = [pds["high"]!, pds["low"]!];
    sim.start(high, low);
    expect(wait(high)).toBe(low.tcb);
    expect(signal(low, "high")).toBe(high.tcb);
    expect(low.tcb.state).toBe("Running");
    // When the high thread blocks again, the preempted one goes on.
    expect(wait(high)).toBe(low.tcb);
  });

  it("a lower-priority thread made runnable does not preempt", () => {
    const { sim, pds, wait, signal } = signalWorld(arch, { high: 200, low: 100 });
    const [high, low] = [pds["high"]!, pds["low"]!];
    expect(sim.start(low)).toBe(low.tcb);
    expect(wait(low)).toBeUndefined();
    expect(sim.start(high)).toBe(high.tcb);
    expect(signal(high, "low")).toBe(high.tcb);
    expect(low.tcb.state).toBe("Running");
    expect(wait(high)).toBe(low.tcb);
  });

  it("with every thread blocked the system is idle", () => {
    const { sim, pds, wait } = signalWorld(arch, { a: 100 });
    sim.start(pds["a"]!);
    expect(wait(pds["a"]!)).toBeUndefined();
    expect(sim.k.current).toBeUndefined();
  });

  it("a Running thread without a scheduling context is never chosen", () => {
    const sim = new Sim(arch);
    const passive = sim.thread("passive", { priority: 250, sc: false });
    const other = sim.thread("other", { priority: 1 });
    expect(sim.start(passive, other)).toBe(other.tcb);
    expect(passive.tcb.state).toBe("Running");
  });
});

describe.each(ARCHES)("round robin at equal priority (%s)", (arch) => {
  it("a woken thread of equal priority waits its turn; Yield hands the CPU over and back", () => {
    const { sim, pds, wait, signal, yieldCpu } = signalWorld(arch, { a: 100, b: 100 });
    const [a, b] = [pds["a"]!, pds["b"]!];
    expect(sim.start(b)).toBe(b.tcb);
    expect(wait(b)).toBeUndefined();
    expect(sim.start(a)).toBe(a.tcb);
    expect(signal(a, "b")).toBe(a.tcb);
    expect(b.tcb.state).toBe("Running");
    expect(yieldCpu(a)).toBe(b.tcb);
    expect(yieldCpu(b)).toBe(a.tcb);
    expect(yieldCpu(a)).toBe(b.tcb);
  });

  it("Yield with no other thread at that priority returns to the caller", () => {
    const { sim, pds, yieldCpu } = signalWorld(arch, { a: 100, low: 50 });
    sim.start(pds["a"]!, pds["low"]!);
    expect(yieldCpu(pds["a"]!)).toBe(pds["a"]!.tcb);
  });

  it("three threads take turns in the order they yield", () => {
    const { sim, pds, yieldCpu } = signalWorld(arch, { a: 100, b: 100, c: 100 });
    const [a, b, c] = [pds["a"]!, pds["b"]!, pds["c"]!];
    const first = sim.start(a, b, c);
    const order = [first];
    let cur = [a, b, c].find((p) => p.tcb === first)!;
    for (let i = 0; i < 6; i++) {
      const next = yieldCpu(cur);
      order.push(next);
      cur = [a, b, c].find((p) => p.tcb === next)!;
    }
    // Each thread runs once per round, in the same rotation every round.
    expect(new Set(order.slice(0, 3)).size).toBe(3);
    expect(order.slice(3, 6)).toEqual(order.slice(0, 3));
    expect(order[6]).toBe(order[0]);
  });

  it("a thread made runnable just before the running thread's time slice ends still runs (yieldCurrent)", () => {
    const sim = new Sim(arch);
    const a = sim.thread("a", { priority: 100 });
    const b = sim.thread("b", { priority: 100 });
    expect(sim.start(a)).toBe(a.tcb);
    // Outside any syscall: b is resumed (as TCBResume or an interrupt would), then a's budget runs
    // out and the machine yields it (emulator/machine.ts, exit "budget").
    sim.k.makeRunnable(b.tcb);
    sim.k.yieldCurrent();
    expect(sim.k.schedule()).toBe(b.tcb);
    const ntfn = new Notification();
    sim.give(b, 20n, notificationCap(ntfn));
    expect(sim.trap(b, "seL4_SysWait", { cap: 20n })).toBe(a.tcb);
  });
});

describe.each(ARCHES)("passive servers (%s)", (arch) => {
  /** A passive server (its SC taken after it first waits) and a client with a PPC cap to it. */
  function passiveWorld() {
    const sim = new Sim(arch);
    const ep = new Endpoint();
    const server = sim.thread("server", { priority: 200 });
    sim.give(server, INPUT, endpointCap(ep));
    const client = sim.thread("client", { priority: 100 });
    sim.give(client, PPC, endpointCap(ep, 1n << 63n));
    expect(sim.start(server, client)).toBe(server.tcb);
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
    makePassive(server);
    return { sim, ep, server, client };
  }

  it("Call lends the caller's SC to the passive server; the reply gives it back", () => {
    const { sim, ep, server, client } = passiveWorld();
    const sc = client.tcb.sc!;
    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { label: 2n, length: 1 }), mrs: [0x40n] })).toBe(server.tcb);
    expect(server.tcb.sc).toBe(sc);
    expect(sc.tcb).toBe(server.tcb);
    expect(client.tcb.sc).toBeUndefined();
    expect(client.tcb.state).toBe("BlockedOnReply");
    expect(sc.reply).toBe(server.reply);
    expect(server.reply.next).toEqual({ sc });

    expect(sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 1 }), mrs: [0x41n] })).toBe(client.tcb);
    expect(client.tcb.sc).toBe(sc);
    expect(sc.tcb).toBe(client.tcb);
    expect(server.tcb.sc).toBeUndefined();
    expect(server.tcb.state).toBe("BlockedOnReceive");
    expect(ep.queue).toEqual([server.tcb]);
    expect([sim.badge(client), sim.fastMrs(client)[0]]).toEqual([0n, 0x41n]);
  });

  it("suspending a caller while the passive server works for it leaves the SC with the server (reply_remove_tcb)", () => {
    const { sim, server, client } = passiveWorld();
    const sc = client.tcb.sc!;
    // A parent PD that stops the client when the server tells it to.
    const parent = sim.thread("parent", { priority: 250 });
    const parentNtfn = new Notification();
    sim.give(parent, INPUT, notificationCap(parentNtfn));
    sim.give(parent, slot("BASE_TCB_CAP"), { type: "tcb", object: client.tcb });
    sim.give(server, OUT, notificationCap(parentNtfn, 1n, NOTIFY_RIGHTS));
    expect(sim.start(parent)).toBe(parent.tcb);
    expect(sim.trap(parent, "seL4_SysWait", { cap: INPUT })).toBe(client.tcb);

    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: 0n })).toBe(server.tcb);
    expect(sim.trap(server, "seL4_SysSend", { cap: OUT, info: 0n })).toBe(parent.tcb);
    sim.trap(parent, "seL4_SysCall", { cap: slot("BASE_TCB_CAP"), info: msgInfo(arch, { label: BigInt(sim.abi.labels["TCBSuspend"]!), length: 0 }) });
    expect(client.tcb.state).toBe("Inactive");
    expect(client.tcb.sc).toBeUndefined();
    expect(server.reply.tcb).toBeUndefined();
    // The server still holds the client's SC and finishes the request on it.
    expect(server.tcb.sc).toBe(sc);
    expect(sim.trap(parent, "seL4_SysWait", { cap: INPUT })).toBe(server.tcb);
  });

  it("a Call chain through two passive servers carries the client's SC down and back up", () => {
    const { sim, server: mid, client } = passiveWorld();
    const leafEp = new Endpoint();
    const leaf = sim.thread("leaf", { priority: 220 });
    sim.give(leaf, INPUT, endpointCap(leafEp));
    sim.give(mid, PPC, endpointCap(leafEp, 1n << 63n | 1n));
    expect(sim.start(leaf)).toBe(leaf.tcb);
    expect(sim.trap(leaf, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
    makePassive(leaf);
    const sc = client.tcb.sc!;

    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: 0n })).toBe(mid.tcb);
    expect(sim.trap(mid, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { length: 1 }), mrs: [5n] })).toBe(leaf.tcb);
    expect([client.tcb.sc, mid.tcb.sc, leaf.tcb.sc]).toEqual([undefined, undefined, sc]);
    expect(sim.badge(leaf)).toBe(1n << 63n | 1n);

    expect(sim.trap(leaf, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 1 }), mrs: [6n] })).toBe(mid.tcb);
    expect([client.tcb.sc, mid.tcb.sc, leaf.tcb.sc]).toEqual([undefined, sc, undefined]);
    expect(sim.fastMrs(mid)[0]).toBe(6n);

    expect(sim.trap(mid, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 1 }), mrs: [7n] })).toBe(client.tcb);
    expect([client.tcb.sc, mid.tcb.sc, leaf.tcb.sc]).toEqual([sc, undefined, undefined]);
    expect(sim.fastMrs(client)[0]).toBe(7n);
  });

  it("a plain Send gives the passive server a message but no SC: it cannot run", () => {
    const { sim, server, client } = passiveWorld();
    expect(sim.trap(client, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 1 }), mrs: [1n] })).toBe(client.tcb);
    expect(server.tcb.state).toBe("Running");
    expect(server.tcb.sc).toBeUndefined();
    expect(sim.fastMrs(server)[0]).toBe(1n);
  });

  it("NBSendRecv's send lends the sender's SC to a passive receiver (canDonate)", () => {
    const { sim, server, client } = passiveWorld();
    const sc = client.tcb.sc!;
    const own = new Notification();
    sim.give(client, 20n, notificationCap(own));
    const next = sim.trap(client, "seL4_SysNBSendRecv", { nbSendRecvDest: PPC, cap: 20n, reply: REPLY, info: msgInfo(arch, { length: 1 }), mrs: [7n] });
    // The client waits on its notification (the receive phase) with no SC left; the server runs on it.
    expect(server.tcb.sc).toBe(sc);
    expect(client.tcb.sc).toBeUndefined();
    expect(next).toBe(server.tcb);
  });

  it("a passive thread woken by its bound notification runs on the notification's SC and returns it when it waits again", () => {
    const { sim, server, client } = passiveWorld();
    // The monitor's passive handshake binds the PD's SC to its notification (microkit/monitor.ts).
    const ntfn = new Notification();
    server.tcb.boundNotification = ntfn;
    ntfn.boundTCB = server.tcb;
    const ntfnSc = new SchedContext(1000n, 1000n, 0n);
    ntfn.sc = ntfnSc;
    ntfnSc.notification = ntfn;
    sim.give(client, OUT, notificationCap(ntfn, 1n << 1n, NOTIFY_RIGHTS));

    expect(sim.trap(client, "seL4_SysSend", { cap: OUT, info: 0n })).toBe(server.tcb);
    expect(server.tcb.sc).toBe(ntfnSc);
    expect(sim.badge(server)).toBe(2n);

    // Back to waiting: the notification's SC goes back to the notification (maybeReturnSchedContext).
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
    expect(server.tcb.sc).toBeUndefined();
    expect(ntfnSc.tcb).toBeUndefined();

    // So a Call lends the client's SC again.
    const sc = client.tcb.sc!;
    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: 0n })).toBe(server.tcb);
    expect(server.tcb.sc).toBe(sc);
  });
});

describe.each(ARCHES)("an SC lent by a notification (%s)", (arch) => {
  it("with no refill ready, the woken passive thread waits for it in the release queue (maybeDonateSchedContext's schedContext_resume)", () => {
    const sim = new Sim(arch);
    const server = sim.thread("server", { priority: 200, sc: false });
    const client = sim.thread("client", { priority: 100 });
    const ntfn = new Notification();
    sim.give(server, INPUT, notificationCap(ntfn));
    sim.give(client, OUT, notificationCap(ntfn, 1n, NOTIFY_RIGHTS));
    const lent = new SchedContext(100n, 1000n, 0n);
    ntfn.sc = lent;
    lent.notification = ntfn;
    // Its only refill comes at 500 us.
    refills(sim.k, lent)[0]!.rTime = ticks(arch, 500n);
    expect(sim.start(client)).toBe(client.tcb);
    server.tcb.state = "BlockedOnNotification";
    server.tcb.blocking = { object: ntfn, badge: 0n, canGrant: false, canGrantReply: false, isCall: false };
    ntfn.queue.push(server.tcb);

    expect(sim.trap(client, "seL4_SysSend", { cap: OUT, info: 0n })).toBe(client.tcb);
    expect([server.tcb.state, server.tcb.sc, server.tcb.inReleaseQueue]).toEqual(["Running", lent, true]);
    expect(sim.k.nextReleaseNs()).toBe(ns(arch, ticks(arch, 500n)));
  });
});
