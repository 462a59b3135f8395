// Endpoint IPC driven through syscalls: Send/Recv in both orders, message registers in registers
// and IPC buffers, Call and ReplyRecv with MCS reply objects (seL4 src/object/endpoint.c sendIPC,
// receiveIPC; src/kernel/thread.c doIPCTransfer, doReplyTransfer).
import { describe, expect, it } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import { ARCHES, Endpoint, Sim, endpointCap, msgInfo, msgMaxLength, rights, slot, type Pd, type ThreadOptions } from "./harness.js";

const INPUT = slot("INPUT_CAP");
const REPLY = slot("REPLY_CAP");
const PPC = slot("BASE_ENDPOINT_CAP");
const SENTINEL = 0x5e5e5e5e5e5e5e5en;

/** A receiver owning an endpoint in INPUT_CAP and senders holding badged caps to it in BASE_ENDPOINT_CAP. */
function world(arch: Arch) {
  const sim = new Sim(arch);
  const ep = new Endpoint();
  const receiver = (name: string, o: ThreadOptions = {}): Pd => {
    const pd = sim.thread(name, o);
    sim.give(pd, INPUT, endpointCap(ep));
    return pd;
  };
  const sender = (name: string, badge: bigint, o: ThreadOptions = {}): Pd => {
    const pd = sim.thread(name, o);
    sim.give(pd, PPC, endpointCap(ep, badge));
    return pd;
  };
  return { sim, ep, receiver, sender };
}

describe.each(ARCHES)("endpoint IPC (%s)", (arch) => {
  it("Send blocks until Recv, then the receiver gets the badge, label and MR0-3 in registers", () => {
    const { sim, ep, receiver, sender } = world(arch);
    const s = sender("client", 0x55n, { priority: 150 });
    const r = receiver("server", { priority: 100 });
    expect(sim.start(s, r)).toBe(s.tcb);

    expect(sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { label: 0x1234n, length: 4 }), mrs: [11n, 12n, 13n, 14n] })).toBe(r.tcb);
    expect(s.tcb.state).toBe("BlockedOnSend");
    expect(ep.queue).toEqual([s.tcb]);

    const next = sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    expect(sim.badge(r)).toBe(0x55n);
    expect(sim.info(r)).toBe(msgInfo(arch, { label: 0x1234n, length: 4 }));
    expect(sim.fastMrs(r)).toEqual([11n, 12n, 13n, 14n]);
    expect(r.tcb.state).toBe("Running");
    expect(s.tcb.state).toBe("Running");
    expect(ep.queue).toEqual([]);
    // The woken sender has the higher priority: it runs next.
    expect(next).toBe(s.tcb);
  });

  it("Recv blocks until Send; MRs 4 and up travel from IPC buffer to IPC buffer", () => {
    const { sim, ep, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150 });
    const s = sender("client", 0x77n, { priority: 100 });
    expect(sim.start(r, s)).toBe(r.tcb);
    expect(sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(s.tcb);
    expect(r.tcb.state).toBe("BlockedOnReceive");
    expect(ep.queue).toEqual([r.tcb]);

    for (let i = 4; i < 8; i++) sim.setBufferMr(r, i, SENTINEL);
    const next = sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { label: 3n, length: 6 }), mrs: [1n, 2n, 3n, 4n, 5n, 6n] });
    expect(sim.badge(r)).toBe(0x77n);
    expect(sim.info(r)).toBe(msgInfo(arch, { label: 3n, length: 6 }));
    expect(sim.fastMrs(r)).toEqual([1n, 2n, 3n, 4n]);
    expect([sim.bufferMr(r, 4), sim.bufferMr(r, 5)]).toEqual([5n, 6n]);
    // Nothing beyond the message length is written.
    expect(sim.bufferMr(r, 6)).toBe(SENTINEL);
    expect(next).toBe(r.tcb); // the woken receiver outranks the sender
    expect(s.tcb.state).toBe("Running");
  });

  it("the kernel does not write MRs into the IPC buffer for MR0-3", () => {
    const { sim, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150 });
    const s = sender("client", 1n);
    sim.start(r, s);
    sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    for (let i = 0; i < 4; i++) sim.setBufferMr(r, i, SENTINEL);
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 4 }), mrs: [1n, 2n, 3n, 4n] });
    // syscall_registers.mrs_beyond_fast_registers: setMR for i < 4 writes only the register.
    expect([0, 1, 2, 3].map((i) => sim.bufferMr(r, i))).toEqual([SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
  });

  it("a receiver without an IPC buffer gets the message cut to the four register MRs", () => {
    const { sim, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150, ipcBuffer: "none" });
    const s = sender("client", 9n);
    sim.start(r, s);
    sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { label: 8n, length: 6 }), mrs: [1n, 2n, 3n, 4n, 5n, 6n] });
    expect(sim.info(r)).toBe(msgInfo(arch, { label: 8n, length: 4 }));
    expect(sim.fastMrs(r)).toEqual([1n, 2n, 3n, 4n]);
    expect(sim.badge(r)).toBe(9n);
  });

  it("a receiver whose IPC buffer is read-only counts as having none (lookupIPCBuffer(isReceiver))", () => {
    const { sim, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150, ipcBuffer: "ro" });
    const s = sender("client", 9n);
    sim.start(r, s);
    sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 5 }), mrs: [1n, 2n, 3n, 4n, 5n] });
    expect(sim.info(r)).toBe(msgInfo(arch, { length: 4 }));
    expect(sim.bufferMr(r, 4)).toBe(0n);
  });

  it("a sender without an IPC buffer sends at most the four register MRs", () => {
    const { sim, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150 });
    const s = sender("client", 2n, { ipcBuffer: "none" });
    sim.start(r, s);
    sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.setBufferMr(r, 4, SENTINEL);
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 6 }), mrs: [1n, 2n, 3n, 4n] });
    expect(sim.info(r)).toBe(msgInfo(arch, { length: 4 }));
    expect(sim.bufferMr(r, 4)).toBe(SENTINEL);
  });

  it("a length above seL4_MsgMaxLength is cut to seL4_MsgMaxLength (messageInfoFromWord)", () => {
    const { sim, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150 });
    const s = sender("client", 2n);
    sim.start(r, s);
    sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    const max = msgMaxLength(arch);
    sim.setBufferMr(s, max - 1, 0xabcn);
    sim.setBufferMr(s, max, 0xdefn); // beyond the buffer's msg array: never copied
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 127 }), mrs: [1n, 2n, 3n, 4n] });
    expect(sim.info(r)).toBe(msgInfo(arch, { length: max }));
    expect(sim.bufferMr(r, max - 1)).toBe(0xabcn);
    expect(sim.bufferMr(r, max)).toBe(0n);
  });

  it("the receiver is told that no caps arrived whatever the sender's capsUnwrapped field says", () => {
    const { sim, receiver, sender } = world(arch);
    const r = receiver("server", { priority: 150 });
    const s = sender("client", 2n);
    sim.start(r, s);
    sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { label: 5n, capsUnwrapped: 7, length: 1 }), mrs: [1n] });
    expect(sim.info(r)).toBe(msgInfo(arch, { label: 5n, length: 1 }));
  });

  it("senders of equal priority are served in the order they blocked, each with its own badge", () => {
    const { sim, receiver, sender } = world(arch);
    const s1 = sender("first", 1n);
    const s2 = sender("second", 2n);
    const r = receiver("server", { priority: 50 });
    expect(sim.start(s1)).toBe(s1.tcb);
    expect(sim.trap(s1, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 1 }), mrs: [0x111n] })).toBeUndefined();
    expect(sim.start(s2)).toBe(s2.tcb);
    expect(sim.trap(s2, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 1 }), mrs: [0x222n] })).toBeUndefined();
    expect(sim.start(r)).toBe(r.tcb);
    expect(sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(s1.tcb);
    expect([sim.badge(r), sim.fastMrs(r)[0]]).toEqual([1n, 0x111n]);
    expect(s2.tcb.state).toBe("BlockedOnSend");
  });

  it("senders queue by priority on MCS: a later, higher-priority sender is received first (tcbAppend)", () => {
    const { sim, ep, receiver, sender } = world(arch);
    const low = sender("low", 1n, { priority: 60 });
    const high = sender("high", 2n, { priority: 90 });
    const r = receiver("server", { priority: 50 });
    sim.start(low);
    sim.trap(low, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 0 }) });
    sim.start(high);
    sim.trap(high, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { length: 0 }) });
    expect(ep.queue).toEqual([high.tcb, low.tcb]);
    sim.start(r);
    expect(sim.trap(r, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(high.tcb);
    expect(sim.badge(r)).toBe(2n);
    expect(low.tcb.state).toBe("BlockedOnSend");
  });

  it("NBSend with no receiver waiting drops the message and the sender runs on", () => {
    const { sim, ep, sender } = world(arch);
    const s = sender("client", 1n);
    sim.start(s);
    expect(sim.trap(s, "seL4_SysNBSend", { cap: PPC, info: msgInfo(arch, { length: 1 }), mrs: [7n] })).toBe(s.tcb);
    expect(s.tcb.state).toBe("Running");
    expect(ep.queue).toEqual([]);
  });

  it("NBRecv with nothing pending sets the badge register to 0 and leaves msg info alone", () => {
    const { sim, receiver } = world(arch);
    const r = receiver("server");
    sim.start(r);
    sim.setReg(r, sim.roles.info, SENTINEL);
    expect(sim.trap(r, "seL4_SysNBRecv", { cap: INPUT, reply: REPLY })).toBe(r.tcb);
    expect(sim.badge(r)).toBe(0n);
    expect(sim.info(r)).toBe(SENTINEL);
    expect(r.tcb.state).toBe("Running");
    expect(r.reply.tcb).toBeUndefined();
  });

  it("NBRecv takes a message from a blocked sender", () => {
    const { sim, receiver, sender } = world(arch);
    const s = sender("client", 0x42n, { priority: 150 });
    const r = receiver("server", { priority: 100 });
    sim.start(s, r);
    sim.trap(s, "seL4_SysSend", { cap: PPC, info: msgInfo(arch, { label: 1n, length: 2 }), mrs: [5n, 6n] });
    sim.trap(r, "seL4_SysNBRecv", { cap: INPUT, reply: REPLY });
    expect(sim.badge(r)).toBe(0x42n);
    expect(sim.info(r)).toBe(msgInfo(arch, { label: 1n, length: 2 }));
    expect(sim.fastMrs(r).slice(0, 2)).toEqual([5n, 6n]);
    expect(s.tcb.state).toBe("Running");
  });
});

describe.each(ARCHES)("Call and ReplyRecv with a reply object (%s)", (arch) => {
  const PPC_BADGE = 1n << 63n | 5n; // microkit.json badges.ppc: (1 << 63) | channel id

  function callWorld() {
    const w = world(arch);
    const server = w.receiver("server", { priority: 200 });
    const client = w.sender("client", PPC_BADGE, { priority: 100 });
    return { ...w, server, client };
  }

  it("the caller blocks on the reply; ReplyRecv answers it with badge 0 and waits again", () => {
    const { sim, ep, server, client } = callWorld();
    expect(sim.start(server, client)).toBe(server.tcb);
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(client.tcb);
    expect(server.reply.tcb).toBe(server.tcb);

    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { label: 0x99n, length: 2 }), mrs: [0x10n, 0x20n] })).toBe(server.tcb);
    expect(client.tcb.state).toBe("BlockedOnReply");
    expect(server.reply.tcb).toBe(client.tcb);
    expect(sim.badge(server)).toBe(PPC_BADGE);
    expect(sim.info(server)).toBe(msgInfo(arch, { label: 0x99n, length: 2 }));
    expect(sim.fastMrs(server).slice(0, 2)).toEqual([0x10n, 0x20n]);

    sim.setBufferMr(server, 4, 0xccc4n);
    const next = sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { label: 0x77n, length: 5 }), mrs: [0xan, 0xbn, 0xcn, 0xdn] });
    expect(next).toBe(client.tcb);
    expect(client.tcb.state).toBe("Running");
    expect(sim.badge(client)).toBe(0n);
    expect(sim.info(client)).toBe(msgInfo(arch, { label: 0x77n, length: 5 }));
    expect(sim.fastMrs(client)).toEqual([0xan, 0xbn, 0xcn, 0xdn]);
    expect(sim.bufferMr(client, 4)).toBe(0xccc4n);
    expect(server.tcb.state).toBe("BlockedOnReceive");
    expect(ep.queue).toEqual([server.tcb]);
    expect(server.reply.tcb).toBe(server.tcb);
  });

  it("a Call that finds no receiver waits in the send queue and is answered the same way", () => {
    const { sim, server, client } = callWorld();
    expect(sim.start(client)).toBe(client.tcb);
    expect(sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { label: 1n, length: 1 }), mrs: [0x31n] })).toBeUndefined();
    expect(client.tcb.state).toBe("BlockedOnSend");
    expect(sim.start(server)).toBe(server.tcb);
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBe(server.tcb);
    expect(client.tcb.state).toBe("BlockedOnReply");
    expect(server.reply.tcb).toBe(client.tcb);
    expect([sim.badge(server), sim.fastMrs(server)[0]]).toEqual([PPC_BADGE, 0x31n]);
    expect(sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 1 }), mrs: [0x32n] })).toBe(client.tcb);
    expect([sim.badge(client), sim.info(client), sim.fastMrs(client)[0]]).toEqual([0n, msgInfo(arch, { length: 1 }), 0x32n]);
  });

  it("Send on the reply cap answers the caller and the replier runs on (MCS: a reply is an invocation)", () => {
    const { sim, server, client } = callWorld();
    sim.start(server, client);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { length: 0 }) });
    expect(sim.trap(server, "seL4_SysSend", { cap: REPLY, info: msgInfo(arch, { label: 4n, length: 1 }), mrs: [0x66n] })).toBe(server.tcb);
    expect(server.tcb.state).toBe("Running");
    expect(client.tcb.state).toBe("Running");
    expect([sim.badge(client), sim.info(client), sim.fastMrs(client)[0]]).toEqual([0n, msgInfo(arch, { label: 4n, length: 1 }), 0x66n]);
    expect(server.reply.tcb).toBeUndefined();
  });

  it("a Call through a cap with neither Grant nor GrantReply leaves the caller Inactive", () => {
    const { sim, ep, server } = callWorld();
    const caller = sim.thread("caller", { priority: 100 });
    sim.give(caller, PPC, endpointCap(ep, 3n, rights({ write: true })));
    sim.start(server, caller);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    expect(sim.trap(caller, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { length: 1 }), mrs: [4n] })).toBe(server.tcb);
    expect(sim.badge(server)).toBe(3n);
    expect(caller.tcb.state).toBe("Inactive");
    expect(server.reply.tcb).toBeUndefined();
  });

  it("ReplyRecv with nobody waiting on the reply object just receives", () => {
    const { sim, ep, server } = callWorld();
    sim.start(server);
    expect(sim.trap(server, "seL4_SysReplyRecv", { cap: INPUT, reply: REPLY, info: msgInfo(arch, { length: 1 }), mrs: [1n] })).toBeUndefined();
    expect(server.tcb.state).toBe("BlockedOnReceive");
    expect(ep.queue).toEqual([server.tcb]);
  });

  it("receiving again on a reply object that still has a caller cancels that caller (MCS receiveIPC)", () => {
    const { sim, server, client } = callWorld();
    sim.start(server, client);
    sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY });
    sim.trap(client, "seL4_SysCall", { cap: PPC, info: msgInfo(arch, { length: 0 }) });
    expect(server.reply.tcb).toBe(client.tcb);
    expect(sim.trap(server, "seL4_SysRecv", { cap: INPUT, reply: REPLY })).toBeUndefined();
    expect(client.tcb.state).toBe("Inactive");
    expect(client.tcb.reply).toBeUndefined();
    expect(server.reply.tcb).toBe(server.tcb);
  });
});
