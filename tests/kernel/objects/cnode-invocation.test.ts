// CNode invocations through seL4_Call on a CNode cap (seL4 src/object/cnode.c decodeCNodeInvocation,
// src/kernel/cspace.c lookupSlotForCNodeOp): success effects on the slots, and each error with the
// MRs error_reply_mrs gives it. Arguments travel where marshalling.json puts them.
import { describe, expect, it } from "vitest";
import { CN, CNodeWorld, PD_BITS, cnodeCapData, rightsWord } from "../cnode-world.js";
import { ALL_RIGHTS, ARCHES, Endpoint, Notification, endpointCap, invocationLabel, msgInfo, notificationCap, replyCap, rights, Reply } from "../harness.js";

const D = BigInt(PD_BITS);
const ALL = (arch: Parameters<typeof rightsWord>[0]): bigint => rightsWord(arch, { write: true, read: true, grant: true, grantReply: true });

describe.each(ARCHES)("CNodeCopy and CNodeMint (%s)", (arch) => {
  it("Copy masks the rights and keeps the badge", () => {
    const w = new CNodeWorld(arch);
    const ep = new Endpoint();
    w.put(30n, endpointCap(ep, 7n));
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: rightsWord(arch, { write: true, grant: true }) } });
    w.expectSuccess();
    expect(w.at(31n)).toEqual(endpointCap(ep, 7n, rights({ write: true, grant: true })));
    expect(w.at(30n)).toEqual(endpointCap(ep, 7n));
  });

  it("Mint of an unbadged endpoint cap makes a badged child", () => {
    const w = new CNodeWorld(arch);
    const ep = new Endpoint();
    w.put(30n, endpointCap(ep));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 0x1234n } });
    w.expectSuccess();
    expect(w.at(31n)).toEqual(endpointCap(ep, 0x1234n));
  });

  it("Mint of a notification cap drops write and sets the badge", () => {
    const w = new CNodeWorld(arch);
    const n = new Notification();
    w.put(30n, notificationCap(n));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: rightsWord(arch, { read: true }), badge: 1n << 63n } });
    w.expectSuccess();
    expect(w.at(31n)).toEqual({ type: "notification", object: n, badge: 1n << 63n, rights: { ...ALL_RIGHTS, write: false } });
  });

  it("Mint cannot change the badge of a badged cap: IllegalOperation, nothing placed", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint(), 5n));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 5n } });
    w.expectError("seL4_IllegalOperation");
    expect(w.at(31n)).toEqual({ type: "null" });
  });

  it("Mint of a CNode cap sets guard and guard size from the cap data word", () => {
    const w = new CNodeWorld(arch);
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: CN, src_depth: D, rights: ALL(arch), badge: cnodeCapData(arch, 0x15n, 5) } });
    w.expectSuccess();
    expect(w.at(31n)).toEqual({ type: "cnode", object: w.pd.cnode, guard: 0x15n, guardSize: 5 });
  });

  it("Mint of a CNode cap whose guard size plus radix exceeds 64 is an IllegalOperation", () => {
    const w = new CNodeWorld(arch);
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: CN, src_depth: D, rights: ALL(arch), badge: cnodeCapData(arch, 0n, 64 - PD_BITS + 1) } });
    w.expectError("seL4_IllegalOperation");
  });

  it("an occupied destination is DeleteFirst", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.put(31n, replyCap(new Reply()));
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    w.expectError("seL4_DeleteFirst");
  });

  it("an empty source is FailedLookup (source) with MissingCapability and the source depth", () => {
    const w = new CNodeWorld(arch);
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    w.expectError("seL4_FailedLookup", [1n, w.lf("seL4_MissingCapability"), D]);
  });

  it("a source root that is no CNode is FailedLookup (source) with InvalidRoot", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D, src_root: 30n, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    w.expectError("seL4_FailedLookup", [1n, w.lf("seL4_InvalidRoot")]);
  });

  it("a destination depth below the radix is FailedLookup (dest) DepthMismatch: bits left, level bits", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D - 1n, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_DepthMismatch"), D - 1n, D]);
  });

  it("a depth that leaves bits unresolved at a non-CNode slot is DepthMismatch with the bits remaining, found 0", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    // 10 bits: slot 31 >> 1 = 15 (empty, no CNode) with 1 bit left over.
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D + 1n, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_DepthMismatch"), 1n, 0n]);
  });

  it.each([0n, 65n, 0x140n])("depth %s is a RangeError 1..64 (the whole word is checked)", (depth) => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: depth, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    w.expectError("seL4_RangeError", [1n, 64n]);
  });

  it("a source guard mismatch reports guard, bits left and guard size", () => {
    const w = new CNodeWorld(arch);
    w.put(21n, { type: "cnode", object: w.pd.cnode, guard: 3n, guardSize: 2 });
    w.put(30n, endpointCap(new Endpoint()));
    // src_root has a 2-bit guard 0b11; index 30 at depth 11 has guard bits 0b00.
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D, src_root: 21n, src_index: 30n, src_depth: D + 2n, rights: ALL(arch) } });
    expect(w.sim.info(w.pd)).toBe(msgInfo(arch, { label: 6n, length: 5 }));
    expect([...w.sim.fastMrs(w.pd), w.sim.bufferMr(w.pd, 4)]).toEqual([1n, w.lf("seL4_GuardMismatch"), D + 2n, 3n, 2n]);
  });

  it.each([
    ["no message", 0, 1],
    ["no depth", 1, 1],
    ["no source depth", 3, 1],
    ["no rights", 4, 1],
    ["no source root", 5, 0],
  ])("%s is a TruncatedMessage", (_name, length, extraCaps) => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeCopy", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) }, length, extraCaps });
    w.expectError("seL4_TruncatedMessage");
    expect(w.at(31n)).toEqual({ type: "null" });
  });

  it("Mint without its badge word is a TruncatedMessage", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 1n }, length: 5 });
    w.expectError("seL4_TruncatedMessage");
  });

  it("a label that is no CNode method is an IllegalOperation", () => {
    const w = new CNodeWorld(arch);
    w.sim.trap(w.pd, "seL4_SysCall", { cap: CN, info: msgInfo(arch, { label: invocationLabel(arch, "TCBSuspend"), length: 2 }), mrs: [31n, D] });
    w.expectError("seL4_IllegalOperation");
  });

  it("a CNode cap invoked in the send phase of NBSendRecv is an InvalidCapability (no reply: not a Call)", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    // NBSendWait invokes the cptr in the reply register, then waits on the cap register's.
    w.invoke("CNodeDelete", { args: { index: 30n, depth: D }, syscall: "seL4_SysNBSendWait", reply: CN });
    expect(w.at(30n).type).toBe("endpoint");
    w.sim.k.makeRunnable(w.pd.tcb);
    w.sim.k.schedule();
    w.invoke("CNodeDelete", { args: { index: 30n, depth: D }, syscall: "seL4_SysSend" });
    expect(w.at(30n).type).toBe("null");
  });
});

describe.each(ARCHES)("CNodeMove, CNodeMutate, CNodeRotate (%s)", (arch) => {
  it("Move empties the source", () => {
    const w = new CNodeWorld(arch);
    const cap = endpointCap(new Endpoint(), 9n);
    w.put(30n, cap);
    w.invoke("CNodeMove", { args: { dest_index: 40n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D } });
    w.expectSuccess();
    expect(w.at(40n)).toBe(cap);
    expect(w.at(30n)).toEqual({ type: "null" });
  });

  it("Mutate of an endpoint cap is an IllegalOperation, the source stays", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeMutate", { args: { dest_index: 40n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, badge: 3n } });
    w.expectError("seL4_IllegalOperation");
    expect(w.at(30n).type).toBe("endpoint");
  });

  it("Mutate of a CNode cap moves it with the new guard", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, { type: "cnode", object: w.pd.cnode, guard: 0n, guardSize: 0 });
    w.invoke("CNodeMutate", { args: { dest_index: 40n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, badge: cnodeCapData(arch, 1n, 3) } });
    w.expectSuccess();
    expect(w.at(40n)).toEqual({ type: "cnode", object: w.pd.cnode, guard: 1n, guardSize: 3 });
    expect(w.at(30n)).toEqual({ type: "null" });
  });

  it("Mutate without the badge word is a TruncatedMessage", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, { type: "cnode", object: w.pd.cnode, guard: 0n, guardSize: 0 });
    w.invoke("CNodeMutate", { args: { dest_index: 40n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, badge: 0n }, length: 4 });
    w.expectError("seL4_TruncatedMessage");
  });

  const rotateArgs = (dest: bigint, pivot: bigint, src: bigint): Record<string, bigint> => ({
    dest_index: dest, dest_depth: D, dest_badge: 0n, pivot_root: CN, pivot_index: pivot, pivot_depth: D, pivot_badge: 0n, src_root: CN, src_index: src, src_depth: D,
  });

  it("Rotate: src -> pivot, pivot -> dest", () => {
    const w = new CNodeWorld(arch);
    const a = replyCap(new Reply());
    const b = { type: "tcb", object: w.pd.tcb } as const;
    w.put(30n, a);
    w.put(31n, b);
    w.invoke("CNodeRotate", { args: rotateArgs(32n, 31n, 30n) });
    w.expectSuccess();
    expect([w.at(30n), w.at(31n), w.at(32n)]).toEqual([{ type: "null" }, a, b]);
  });

  it("Rotate with src = dest swaps the two caps", () => {
    const w = new CNodeWorld(arch);
    const a = replyCap(new Reply());
    const b = { type: "tcb", object: w.pd.tcb } as const;
    w.put(30n, a);
    w.put(31n, b);
    w.invoke("CNodeRotate", { args: rotateArgs(30n, 31n, 30n) });
    w.expectSuccess();
    expect([w.at(30n), w.at(31n)]).toEqual([b, a]);
  });

  it("Rotate with the pivot equal to the source is an IllegalOperation", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, replyCap(new Reply()));
    w.invoke("CNodeRotate", { args: rotateArgs(32n, 30n, 30n) });
    w.expectError("seL4_IllegalOperation");
  });

  it("Rotate with an empty pivot is FailedLookup (not source) MissingCapability", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, replyCap(new Reply()));
    w.invoke("CNodeRotate", { args: rotateArgs(32n, 31n, 30n) });
    w.expectError("seL4_FailedLookup", [0n, w.lf("seL4_MissingCapability"), D]);
  });

  it("Rotate into an occupied destination is DeleteFirst", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, replyCap(new Reply()));
    w.put(31n, replyCap(new Reply()));
    w.put(32n, replyCap(new Reply()));
    w.invoke("CNodeRotate", { args: rotateArgs(32n, 31n, 30n) });
    w.expectError("seL4_DeleteFirst");
  });

  it("Rotate of endpoint caps is an IllegalOperation (they cannot be mutated)", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.put(31n, replyCap(new Reply()));
    w.invoke("CNodeRotate", { args: rotateArgs(32n, 31n, 30n) });
    w.expectError("seL4_IllegalOperation");
  });

  it("Rotate with one extra cap is a TruncatedMessage", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, replyCap(new Reply()));
    w.put(31n, replyCap(new Reply()));
    w.invoke("CNodeRotate", { args: rotateArgs(32n, 31n, 30n), extraCaps: 1 });
    w.expectError("seL4_TruncatedMessage");
  });
});

describe.each(ARCHES)("CNodeDelete, CNodeRevoke, CNodeCancelBadgedSends (%s)", (arch) => {
  it("Delete empties the slot; deleting an empty slot succeeds", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeDelete", { args: { index: 30n, depth: D } });
    w.expectSuccess();
    expect(w.at(30n)).toEqual({ type: "null" });
    w.invoke("CNodeDelete", { args: { index: 30n, depth: D } });
    w.expectSuccess();
  });

  it("Delete with a message of one word is a TruncatedMessage", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint()));
    w.invoke("CNodeDelete", { args: { index: 30n, depth: D }, length: 1 });
    w.expectError("seL4_TruncatedMessage");
    expect(w.at(30n).type).toBe("endpoint");
  });

  it("Revoke deletes the minted child and its copies, not the parent", () => {
    const w = new CNodeWorld(arch);
    const ep = new Endpoint();
    w.put(30n, endpointCap(ep));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 4n } });
    w.invoke("CNodeCopy", { args: { dest_index: 32n, dest_depth: D, src_root: CN, src_index: 31n, src_depth: D, rights: ALL(arch) } });
    w.invoke("CNodeCopy", { args: { dest_index: 33n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch) } });
    expect([w.at(31n), w.at(32n), w.at(33n)]).toEqual([endpointCap(ep, 4n), endpointCap(ep, 4n), endpointCap(ep)]);
    // Slot 30 holds a builder-placed unbadged cap: not revocable (its original is the initialiser's).
    w.invoke("CNodeRevoke", { args: { index: 30n, depth: D } });
    w.expectSuccess();
    expect(w.at(31n).type).toBe("endpoint");
    // The badged child is revocable: its copy goes, the parent and the unbadged copy stay.
    w.invoke("CNodeRevoke", { args: { index: 31n, depth: D } });
    w.expectSuccess();
    expect([w.at(30n), w.at(31n), w.at(32n), w.at(33n)]).toEqual([endpointCap(ep), endpointCap(ep, 4n), { type: "null" }, endpointCap(ep)]);
  });

  it("Revoke of a badged cap spares a sibling minted with another badge", () => {
    const w = new CNodeWorld(arch);
    const ep = new Endpoint();
    w.put(30n, endpointCap(ep));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 4n } });
    w.invoke("CNodeCopy", { args: { dest_index: 32n, dest_depth: D, src_root: CN, src_index: 31n, src_depth: D, rights: ALL(arch) } });
    w.invoke("CNodeMint", { args: { dest_index: 34n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 4n } });
    // 34 was minted afresh with the same badge: the first of its own badge, not 31's child.
    w.invoke("CNodeRevoke", { args: { index: 31n, depth: D } });
    expect([w.at(32n).type, w.at(34n).type]).toEqual(["null", "endpoint"]);
  });

  it("CancelBadgedSends restarts the senders blocked with that badge only", () => {
    const w = new CNodeWorld(arch);
    const ep = new Endpoint();
    const s5 = w.sim.thread("s5", { priority: 50 });
    const s6 = w.sim.thread("s6", { priority: 50 });
    w.sim.give(s5, 1n, endpointCap(ep, 5n));
    w.sim.give(s6, 1n, endpointCap(ep, 6n));
    w.put(30n, endpointCap(ep));
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: ALL(arch), badge: 5n } });
    // Let the senders block on the endpoint.
    w.pd.tcb.priority = 10;
    w.sim.k.makeRunnable(s5.tcb);
    w.sim.k.makeRunnable(s6.tcb);
    w.sim.k.yieldCurrent();
    for (let i = 0; i < 2; i++) {
      const s = w.sim.k.schedule() === s5.tcb ? s5 : s6;
      w.sim.trap(s, "seL4_SysSend", { cap: 1n, info: msgInfo(arch, { length: 0 }) });
    }
    expect(new Set(ep.queue)).toEqual(new Set([s5.tcb, s6.tcb]));
    expect(w.sim.k.schedule()).toBe(w.pd.tcb);
    w.invoke("CNodeCancelBadgedSends", { args: { index: 31n, depth: D } });
    w.expectSuccess();
    expect(ep.queue).toEqual([s6.tcb]);
    expect([s5.tcb.state, s6.tcb.state]).toEqual(["Restart", "BlockedOnSend"]);
  });

  it("CancelBadgedSends needs an endpoint cap with all rights: IllegalOperation", () => {
    const w = new CNodeWorld(arch);
    w.put(30n, endpointCap(new Endpoint(), 5n, rights({ write: true, read: true, grant: true })));
    w.invoke("CNodeCancelBadgedSends", { args: { index: 30n, depth: D } });
    w.expectError("seL4_IllegalOperation");
    w.put(31n, notificationCap(new Notification(), 5n));
    w.invoke("CNodeCancelBadgedSends", { args: { index: 31n, depth: D } });
    w.expectError("seL4_IllegalOperation");
  });

  it("the destination must resolve for Delete too: depth 0 is a RangeError", () => {
    const w = new CNodeWorld(arch);
    w.invoke("CNodeRevoke", { args: { index: 30n, depth: 0n } });
    w.expectError("seL4_RangeError", [1n, 64n]);
  });
});
