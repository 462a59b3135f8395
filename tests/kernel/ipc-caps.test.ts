// Extra caps in IPC (seL4 src/object/tcb.c lookupExtraCaps, src/kernel/thread.c transferCaps,
// src/kernel/cspace.c getReceiveSlots): with grant right the first cap goes into the receiver's
// receive slot; a cap to the endpoint the message crosses arrives as its badge in caps_or_badges
// with the matching capsUnwrapped bit; msginfo.extraCaps counts the caps handled.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { ipcField } from "./cnode-world.js";
import { ARCHES, Endpoint, Notification, Sim, endpointCap, msgInfo, notificationCap, rights, slot, type Pd } from "./harness.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const PPC = 10n;
const OWN_CNODE = 20n;
const RECV_SLOT = 50;

function word(pd: Pd, offset: number): bigint {
  return new DataView(pd.ipc!.buffer, pd.ipc!.byteOffset).getBigUint64(offset, true);
}
function setWord(pd: Pd, offset: number, v: bigint): void {
  new DataView(pd.ipc!.buffer, pd.ipc!.byteOffset).setBigUint64(offset, v, true);
}

/** A server waiting on `ep` with receive slot 50 of its CNode offered, and a client holding `clientCap`. */
function world(arch: Arch, clientCap: (ep: Endpoint) => ReturnType<typeof endpointCap> = (ep) => endpointCap(ep, 0x11n)) {
  const sim = new Sim(arch);
  const ep = new Endpoint();
  const server = sim.thread("server", { priority: 150 });
  sim.give(server, INPUT, endpointCap(ep));
  sim.give(server, OWN_CNODE, { type: "cnode", object: server.cnode, guard: 0n, guardSize: 0 });
  setWord(server, ipcField(arch, "receiveCNode"), OWN_CNODE);
  setWord(server, ipcField(arch, "receiveIndex"), BigInt(RECV_SLOT));
  setWord(server, ipcField(arch, "receiveDepth"), BigInt(server.cnode.radix));
  const client = sim.thread("client", { priority: 100 });
  sim.give(client, PPC, clientCap(ep));
  expect(sim.start(server, client)).toBe(server.tcb);
  expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
  /** The client sends `caps` (cptrs) as extra caps with a one-word message. */
  const send = (caps: bigint[], syscall = "seL4_SysSend"): void => {
    caps.forEach((c, i) => setWord(client, ipcField(arch, "caps_or_badges", i), c));
    sim.trap(client, syscall, { cap: PPC, info: msgInfo(arch, { label: 9n, length: 1, extraCaps: caps.length }), mrs: [0xabn] });
  };
  return { sim, ep, server, client, send };
}

describe.each(ARCHES)("cap transfer over an endpoint (%s)", (arch) => {
  it("with grant, a notification cap lands in the receive slot; extraCaps 1", () => {
    const { server, client, sim, send } = world(arch);
    const n = new Notification();
    sim.give(client, 12n, notificationCap(n, 3n));
    send([12n]);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 9n, length: 1, extraCaps: 1 }));
    expect(sim.badge(server)).toBe(0x11n);
    expect(server.cnode.slots[RECV_SLOT]).toEqual(notificationCap(n, 3n));
    expect(client.cnode.slots[12]).toEqual(notificationCap(n, 3n));
  });

  it("a cap to the same endpoint is unwrapped: its badge in caps_or_badges[0], capsUnwrapped bit 0; the next cap is transferred", () => {
    const { server, client, sim, ep, send } = world(arch);
    const n = new Notification();
    sim.give(client, 13n, endpointCap(ep, 0x77n, rights({ write: true })));
    sim.give(client, 12n, notificationCap(n));
    send([13n, 12n]);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 9n, length: 1, extraCaps: 2, capsUnwrapped: 1 }));
    expect(word(server, ipcField(arch, "caps_or_badges", 0))).toBe(0x77n);
    expect(server.cnode.slots[RECV_SLOT]).toEqual(notificationCap(n));
  });

  it("only one cap is transferred: a second one stops the transfer, extraCaps counts the first", () => {
    const { server, client, sim, send } = world(arch);
    sim.give(client, 12n, notificationCap(new Notification()));
    sim.give(client, 14n, notificationCap(new Notification()));
    send([12n, 14n]);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 9n, length: 1, extraCaps: 1 }));
  });

  it("without grant right no cap travels and nothing is unwrapped", () => {
    const { server, client, sim, ep, send } = world(arch, (e) => endpointCap(e, 0x11n, rights({ write: true, grantReply: true })));
    sim.give(client, 12n, notificationCap(new Notification()));
    sim.give(client, 13n, endpointCap(ep, 0x77n));
    send([13n, 12n]);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 9n, length: 1 }));
    expect(server.cnode.slots[RECV_SLOT]).toEqual({ type: "null" });
    expect(word(server, ipcField(arch, "caps_or_badges", 0))).toBe(0n);
  });

  it("an occupied receive slot takes nothing: extraCaps 0, the slot keeps its cap", () => {
    const { server, client, sim, send } = world(arch);
    const there = notificationCap(new Notification(), 1n);
    server.cnode.slots[RECV_SLOT] = there;
    sim.give(client, 12n, notificationCap(new Notification()));
    send([12n]);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 9n, length: 1 }));
    expect(server.cnode.slots[RECV_SLOT]).toBe(there);
  });

  it("an empty extra-cap slot transfers nothing (the null cap does not derive)", () => {
    const { server, sim, send } = world(arch);
    send([12n]);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 9n, length: 1 }));
  });

  it("an extra cptr that does not resolve is a cap fault on that cptr; the message is not sent", () => {
    const { server, client, sim, ep, send } = world(arch);
    const bad = 1n << 57n; // fails the PD CNode's 49-bit zero guard
    send([bad]);
    expect(client.tcb.state).toBe("Inactive");
    expect(sim.host.lines[1]).toBe(`cap fault in send phase at address 0x${bad.toString(16)}`);
    expect(server.tcb.state).toBe("BlockedOnReceive");
    expect(ep.queue).toEqual([server.tcb]);
  });

  it("a reply carries a cap back to the caller when the reply cap may grant", () => {
    const { server, client, sim } = world(arch);
    setWord(client, ipcField(arch, "receiveCNode"), OWN_CNODE);
    setWord(client, ipcField(arch, "receiveIndex"), BigInt(RECV_SLOT));
    setWord(client, ipcField(arch, "receiveDepth"), BigInt(client.cnode.radix));
    sim.give(client, OWN_CNODE, { type: "cnode", object: client.cnode, guard: 0n, guardSize: 0 });
    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { label: 1n }) })).toBe(server.tcb);
    const n = new Notification();
    sim.give(server, 12n, notificationCap(n, 5n));
    setWord(server, ipcField(arch, "caps_or_badges", 0), 12n);
    sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { label: 2n, extraCaps: 1 }) });
    expect(sim.info(client)).toBe(msgInfo(arch, { label: 2n, extraCaps: 1 }));
    expect(client.cnode.slots[RECV_SLOT]).toEqual(notificationCap(n, 5n));
  });
});
