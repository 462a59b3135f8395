// SchedContext invocations (MCS; seL4 src/object/schedcontext.c): Bind/UnbindObject to a TCB or a
// notification, Unbind, Consumed and YieldTo, with their errors and scheduling effects.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { chargeConsumed } from "../../../kernel/objects/schedcontext.js";
import { ARCHES, Endpoint, Notification, SchedContext, Sim, archJson, endpointCap, makePassive, notificationCap, slot } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const SC = 30n;
const TCBCAP = 31n;
const NTFN = 32n;
const EP = 33n;
const OWN_SC = 34n;

function world(arch: Arch) {
  const sim = new Sim(arch);
  const parent = sim.thread("parent", { priority: 200 });
  const child = sim.thread("child", { priority: 100 });
  const sc = new SchedContext(1000n, 1000n, 0n);
  sim.give(parent, SC, { type: "sched_context", object: sc });
  sim.give(parent, TCBCAP, { type: "tcb", object: child.tcb });
  sim.give(parent, OWN_SC, { type: "sched_context", object: parent.tcb.sc! });
  sim.start(parent, child);
  return { sim, parent, child, sc };
}

describe.each(ARCHES)("SchedContextBind / UnbindObject / Unbind (%s)", (arch) => {
  it("binding to a passive thread makes it schedulable; UnbindObject takes it away again", () => {
    const { sim, parent, child, sc } = world(arch);
    makePassive(child);
    call(sim, parent, SC, "SchedContextBind", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(success());
    expect([child.tcb.sc, sc.tcb]).toEqual([sc, child.tcb]);
    call(sim, parent, SC, "SchedContextUnbindObject", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(success());
    expect([child.tcb.sc, sc.tcb]).toEqual([undefined, undefined]);
    expect(sim.trap(parent, "seL4_SysRecv", { cap: slot("INPUT_CAP"), reply: slot("REPLY_CAP") })).toBeUndefined();
  });

  it("Bind errors: no cap, SC bound, TCB has an SC, other cap types", () => {
    const { sim, parent, child, sc } = world(arch);
    sim.give(parent, EP, endpointCap(new Endpoint()));
    call(sim, parent, SC, "SchedContextBind");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, SC, "SchedContextBind", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    makePassive(child);
    sc.tcb = parent.tcb; // bound elsewhere
    call(sim, parent, SC, "SchedContextBind", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, SC, "SchedContextBind", [], [EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
  });

  it("an unconfigured SC cannot be bound to a blocked thread", () => {
    const { sim, parent, child } = world(arch);
    const blank = new SchedContext(0n, 0n, 0n);
    sim.give(parent, 40n, { type: "sched_context", object: blank });
    sim.give(child, EP, endpointCap(new Endpoint()));
    sim.trap(parent, "seL4_SysRecv", { cap: slot("INPUT_CAP"), reply: slot("REPLY_CAP") });
    sim.trap(child, "seL4_SysRecv", { cap: EP, reply: slot("REPLY_CAP") });
    makePassive(child);
    sim.start(parent);
    call(sim, parent, 40n, "SchedContextBind", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, SC, "SchedContextBind", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(success());
  });

  it("binding to a notification: a passive waiter woken by it runs on that SC", () => {
    const { sim, parent, child, sc } = world(arch);
    const ntfn = new Notification();
    sim.give(parent, NTFN, notificationCap(ntfn));
    sim.give(child, NTFN, notificationCap(ntfn));
    call(sim, parent, SC, "SchedContextBind", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(success());
    expect([ntfn.sc, sc.notification]).toEqual([sc, ntfn]);
    call(sim, parent, SC, "SchedContextBind", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    sim.trap(parent, "seL4_SysRecv", { cap: slot("INPUT_CAP"), reply: slot("REPLY_CAP") });
    sim.trap(child, "seL4_SysWait", { cap: NTFN });
    makePassive(child);
    sim.start(parent);
    expect(sim.trap(parent, "seL4_SysSend", { cap: NTFN, info: 0n })).toBe(parent.tcb);
    expect(child.tcb.sc).toBe(sc);
  });

  it("UnbindObject errors: not bound to that object, the caller's own SC, wrong cap type", () => {
    const { sim, parent, sc } = world(arch);
    const ntfn = new Notification();
    sim.give(parent, NTFN, notificationCap(ntfn));
    sim.give(parent, EP, endpointCap(new Endpoint()));
    sim.give(parent, 41n, { type: "tcb", object: parent.tcb });
    call(sim, parent, SC, "SchedContextUnbindObject", [], [TCBCAP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, SC, "SchedContextUnbindObject", [], [NTFN]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, OWN_SC, "SchedContextUnbindObject", [], [41n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, SC, "SchedContextUnbindObject", [], [EP]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
    call(sim, parent, SC, "SchedContextUnbindObject");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    expect(sc.tcb).toBeUndefined();
  });

  it("Unbind drops thread and notification; on the caller's own SC it is IllegalOperation", () => {
    const { sim, parent, child } = world(arch);
    const childSc = child.tcb.sc!;
    const ntfn = new Notification();
    ntfn.sc = childSc;
    childSc.notification = ntfn;
    sim.give(parent, 42n, { type: "sched_context", object: childSc });
    call(sim, parent, 42n, "SchedContextUnbind");
    expect(reply(sim, parent)).toEqual(success());
    expect([childSc.tcb, childSc.notification, ntfn.sc, child.tcb.sc]).toEqual([undefined, undefined, undefined, undefined]);
    call(sim, parent, OWN_SC, "SchedContextUnbind");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
  });

  it("SC caps cannot be invoked in the send phase of NBSendRecv (InvalidCapability 0, no reply)", () => {
    const { sim, parent, sc } = world(arch);
    const ntfn = new Notification();
    sim.give(parent, NTFN, notificationCap(ntfn));
    sim.trap(parent, "seL4_SysNBSendRecv", { nbSendRecvDest: SC, cap: NTFN, reply: slot("REPLY_CAP"), info: 0n });
    expect(parent.tcb.state).toBe("BlockedOnNotification");
    expect(sc.tcb).toBeUndefined();
  });
});

describe.each(ARCHES)("SchedContextConsumed / YieldTo (%s)", (arch) => {
  const hz = (a: Arch): bigint => BigInt(archJson(a)["source"]["kernel_config_debug"]["TIMER_FREQUENCY"] as string);

  it("Consumed replies the time charged, in microseconds, and resets it", () => {
    const { sim, parent, child } = world(arch);
    // 2500 µs worth of timer ticks, plus a fraction of a microsecond that is kept.
    const ticks = 2500n * hz(arch) / 1_000_000n;
    chargeConsumed(child.tcb.sc!, ticks);
    sim.give(parent, 43n, { type: "sched_context", object: child.tcb.sc! });
    call(sim, parent, 43n, "SchedContextConsumed");
    expect(reply(sim, parent)).toEqual(success(2500n));
    expect(child.tcb.sc!.consumed).toBe(0n);
    call(sim, parent, 43n, "SchedContextConsumed");
    expect(reply(sim, parent)).toEqual(success(0n));
  });

  it("YieldTo a lower-priority thread answers at once with its consumed time", () => {
    const { sim, parent, child } = world(arch);
    sim.give(parent, 43n, { type: "sched_context", object: child.tcb.sc! });
    chargeConsumed(child.tcb.sc!, 10n * hz(arch) / 1_000_000n);
    expect(call(sim, parent, 43n, "SchedContextYieldTo")).toBe(parent.tcb);
    expect(reply(sim, parent)).toEqual(success(10n));
  });

  it("YieldTo an equal-priority thread runs it first; the yielder gets the consumed time when it runs again", () => {
    const { sim, parent, child } = world(arch);
    child.tcb.priority = 200;
    sim.k.dequeue(child.tcb);
    sim.k.append(child.tcb);
    sim.give(parent, 43n, { type: "sched_context", object: child.tcb.sc! });
    expect(call(sim, parent, 43n, "SchedContextYieldTo")).toBe(child.tcb);
    expect(parent.tcb.yieldTo).toBe(child.tcb.sc);
    chargeConsumed(child.tcb.sc!, 8n * hz(arch) / 1_000_000n);
    expect(sim.trap(child, "seL4_SysYield")).toBe(parent.tcb);
    expect(reply(sim, parent)).toEqual(success(8n));
    expect([parent.tcb.yieldTo, child.tcb.sc!.yieldFrom]).toEqual([undefined, undefined]);
  });

  it("YieldTo errors: unbound SC, own SC, target above the caller's MCP", () => {
    const { sim, parent, child, sc } = world(arch);
    call(sim, parent, SC, "SchedContextYieldTo");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    call(sim, parent, OWN_SC, "SchedContextYieldTo");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    parent.tcb.mcp = 50;
    sim.give(parent, 43n, { type: "sched_context", object: child.tcb.sc! });
    call(sim, parent, 43n, "SchedContextYieldTo");
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
    expect(sc.yieldFrom).toBeUndefined();
  });
});

describe("Consumed rounds ticks down to whole microseconds as ticksToUs does", () => {
  it("aarch64 (62.5 MHz, converted through kHz): 437 ticks are 6 µs", () => {
    const sim = new Sim("aarch64");
    const parent = sim.thread("parent", { priority: 200 });
    const sc = new SchedContext(1000n, 1000n, 0n);
    sim.give(parent, SC, { type: "sched_context", object: sc });
    sim.start(parent);
    chargeConsumed(sc, 437n);
    call(sim, parent, SC, "SchedContextConsumed");
    expect(reply(sim, parent)).toEqual(success(6n)); // 437 * 1000 / 62500 = 6.992
  });
});
