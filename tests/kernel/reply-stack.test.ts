// The MCS call stack (seL4 src/object/reply.c reply_push / reply_pop / reply_remove /
// reply_remove_tcb, src/object/schedcontext.c schedContext_unbindReply, src/object/objecttype.c
// finaliseCap): replies of calls that lent an SC are stacked on that SC, and answering the head
// gives the SC back to its caller only while the stack still belongs to the SC.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { cteDelete, insertOriginalCap } from "../../kernel/cspace.js";
import { ARCHES, Endpoint, SchedContext, Sim, endpointCap, makePassive, msgInfo, slot } from "./harness.js";
import { call, reply, success } from "./objects/invoke.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const PPC = slot("BASE_ENDPOINT_CAP");
const SC = 30n;
const CLIENT_TCB = 31n;
const OTHER_SC = 32n;

/** A passive server waiting on its endpoint, a client that calls it, and a parent holding caps to both. */
function world(arch: Arch) {
  const sim = new Sim(arch);
  const ep = new Endpoint();
  const server = sim.thread("server", { priority: 200 });
  sim.give(server, INPUT, endpointCap(ep));
  const client = sim.thread("client", { priority: 100 });
  sim.give(client, PPC, endpointCap(ep, 7n));
  const parent = sim.thread("parent", { priority: 250 });
  const sc = client.tcb.sc!;
  sim.give(parent, SC, { type: "sched_context", object: sc });
  sim.give(parent, CLIENT_TCB, { type: "tcb", object: client.tcb });
  expect(sim.start(server, client)).toBe(server.tcb);
  expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
  makePassive(server);
  // The client calls: the server runs on the client's SC, whose call stack now holds the server's reply.
  expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: 0n })).toBe(server.tcb);
  expect(server.tcb.sc).toBe(sc);
  expect(sc.reply).toBe(server.reply);
  return { sim, server, client, parent, sc };
}

/** The parent (highest priority) wakes up to make one invocation, then waits again. */
function asParent(sim: Sim, parent: ReturnType<typeof world>["parent"], act: () => void): void {
  sim.k.makeRunnable(parent.tcb);
  expect(sim.k.schedule()).toBe(parent.tcb);
  act();
  expect(reply(sim, parent)).toEqual(success());
  sim.trap(parent, "seL4_SysRecv", { cap: 40n, reply: REPLY });
}

describe.each(ARCHES)("call stack (%s)", (arch) => {
  it("a caller given another SC while it waits keeps it; the reply leaves the lent SC with the server (reply_pop)", () => {
    const { sim, server, client, parent, sc } = world(arch);
    const other = new SchedContext(1000n, 1000n, 0n);
    sim.give(parent, OTHER_SC, { type: "sched_context", object: other });
    sim.give(parent, 40n, endpointCap(new Endpoint()));
    asParent(sim, parent, () => call(sim, parent, OTHER_SC, "SchedContextBind", [], [CLIENT_TCB]));
    expect(client.tcb.sc).toBe(other);

    sim.trap(server, "seL4_SysSend", { cap: REPLY, info: msgInfo(arch, { length: 0 }) });
    expect(client.tcb.state).toBe("Running");
    expect([client.tcb.sc, other.tcb]).toEqual([other, client.tcb]);
    expect([server.tcb.sc, sc.tcb]).toEqual([sc, server.tcb]);
    expect(sc.reply).toBeUndefined();
  });

  it("SchedContextUnbind cuts the SC off its call stack: a later reply does not bring it back", () => {
    const { sim, server, client, parent, sc } = world(arch);
    sim.give(parent, 40n, endpointCap(new Endpoint()));
    sim.give(parent, 41n, { type: "tcb", object: server.tcb });
    asParent(sim, parent, () => call(sim, parent, SC, "SchedContextUnbind"));
    expect([sc.tcb, sc.reply, server.reply.next]).toEqual([undefined, undefined, undefined]);
    asParent(sim, parent, () => call(sim, parent, SC, "SchedContextBind", [], [41n]));
    expect(sim.k.schedule()).toBe(server.tcb);

    sim.trap(server, "seL4_SysSend", { cap: REPLY, info: msgInfo(arch, { length: 0 }) });
    expect(client.tcb.state).toBe("Running");
    expect(client.tcb.sc).toBeUndefined();
    expect(server.tcb.sc).toBe(sc);
  });

  it("deleting the SC's last cap unbinds its thread and its call stack and leaves the SC unconfigured", () => {
    const { sim, server, sc } = world(arch);
    const holder = new Sim(arch).thread("holder").cnode;
    insertOriginalCap({ cnode: holder, index: 5 }, { type: "sched_context", object: sc });
    cteDelete(sim.k, { cnode: holder, index: 5 });
    expect([server.tcb.sc, sc.tcb, sc.reply, server.reply.next]).toEqual([undefined, undefined, undefined, undefined]);
    expect(sc.active).toBe(false);
    expect(sim.k.schedule()).toBeUndefined();
  });
});
