// The derivation tree (seL4 src/object/cnode.c cteInsert, cteMove, cteDelete, cteRevoke,
// isMDBParentOf, isFinalCapability): which caps Revoke removes and what deleting the last cap to
// an object does to threads waiting on it. Originals are placed with insertOriginalCap, as
// retyping an untyped would; derivations go through CNode invocations or cteInsert.
import { describe, expect, it } from "vitest";
import { cteDelete, cteInsert, cteMove, cteRevoke, insertOriginalCap, isFinalCapability, isMDBParentOf, mdbNode } from "../../kernel/cspace.js";
import { CNode, type Slot } from "../../kernel/objects/cnode.js";
import { CN, CNodeWorld, PD_BITS, rightsWord } from "./cnode-world.js";
import { ARCHES, Endpoint, Notification, endpointCap, msgInfo, notificationCap } from "./harness.js";

const D = BigInt(PD_BITS);
const s = (cnode: CNode, index: number): Slot => ({ cnode, index });

describe("derivation tree without syscalls", () => {
  it("an original is final until copied; a copy and its original are not final; deleting the copy makes the original final again", () => {
    const w = new CNodeWorld("aarch64");
    const c = w.pd.cnode;
    const ep = new Endpoint();
    insertOriginalCap(s(c, 40), endpointCap(ep));
    expect(isFinalCapability(s(c, 40))).toBe(true);
    cteInsert(w.sim.k, endpointCap(ep), s(c, 40), s(c, 41));
    expect([isFinalCapability(s(c, 40)), isFinalCapability(s(c, 41))]).toEqual([false, false]);
    expect(isMDBParentOf(s(c, 40), s(c, 41))).toBe(true);
    // An unbadged copy is not revocable: it is parent of nothing.
    expect(mdbNode(s(c, 41)).revocable).toBe(false);
    cteDelete(w.sim.k, s(c, 41));
    expect(isFinalCapability(s(c, 40))).toBe(true);
  });

  it("a badged child is first-badged and revocable; its copies are its children, not a sibling minted with the same badge", () => {
    const w = new CNodeWorld("aarch64");
    const c = w.pd.cnode;
    const n = new Notification();
    insertOriginalCap(s(c, 40), notificationCap(n));
    cteInsert(w.sim.k, notificationCap(n, 2n), s(c, 40), s(c, 41));
    cteInsert(w.sim.k, notificationCap(n, 2n), s(c, 41), s(c, 42));
    cteInsert(w.sim.k, notificationCap(n, 2n), s(c, 40), s(c, 43)); // list: 40 43 41 42
    expect(mdbNode(s(c, 41))).toMatchObject({ revocable: true, firstBadged: true });
    expect(mdbNode(s(c, 42))).toMatchObject({ revocable: false, firstBadged: false });
    expect(isMDBParentOf(s(c, 41), s(c, 42))).toBe(true);
    expect(isMDBParentOf(s(c, 43), s(c, 41))).toBe(false);
    cteRevoke(w.sim.k, s(c, 43));
    expect(c.slots[41]!.type).toBe("notification");
    cteRevoke(w.sim.k, s(c, 40));
    expect([40, 41, 42, 43].map((i) => c.slots[i]!.type)).toEqual(["notification", "null", "null", "null"]);
    expect(mdbNode(s(c, 40)).next).toBeUndefined();
  });

  it("a moved cap keeps its place: revoking the parent still finds it", () => {
    const w = new CNodeWorld("aarch64");
    const c = w.pd.cnode;
    const other = new CNode(4);
    const ep = new Endpoint();
    insertOriginalCap(s(c, 40), endpointCap(ep));
    cteInsert(w.sim.k, endpointCap(ep, 9n), s(c, 40), s(c, 41));
    cteMove(c.slots[41]!, s(c, 41), s(other, 3));
    expect(c.slots[41]!.type).toBe("null");
    expect(mdbNode(s(c, 40)).next).toEqual(s(other, 3));
    cteRevoke(w.sim.k, s(c, 40));
    expect(other.slots[3]!.type).toBe("null");
  });

  it("deleting a final CNode cap deletes the caps inside it", () => {
    const w = new CNodeWorld("aarch64");
    const c = w.pd.cnode;
    const inner = new CNode(2);
    const ep = new Endpoint();
    insertOriginalCap(s(c, 40), { type: "cnode", object: inner, guard: 0n, guardSize: 0 });
    insertOriginalCap(s(inner, 1), endpointCap(ep));
    cteInsert(w.sim.k, endpointCap(ep, 3n), s(inner, 1), s(c, 41));
    cteDelete(w.sim.k, s(c, 40));
    expect(inner.slots.map((x) => x.type)).toEqual(["null", "null", "null", "null"]);
    // The badged copy outside survives; it is now the final cap to the endpoint.
    expect(c.slots[41]).toEqual(endpointCap(ep, 3n));
    expect(isFinalCapability(s(c, 41))).toBe(true);
  });
});

describe.each(ARCHES)("deleting the last cap to an object (%s)", (arch) => {
  it("the last endpoint cap: a blocked sender restarts at its syscall, a copy's deletion leaves it blocked", () => {
    const w = new CNodeWorld(arch);
    const ep = new Endpoint();
    const c = w.pd.cnode;
    insertOriginalCap(s(c, 40), endpointCap(ep));
    w.invoke("CNodeCopy", { args: { dest_index: 41n, dest_depth: D, src_root: CN, src_index: 40n, src_depth: D, rights: rightsWord(arch, { write: true, read: true, grant: true, grantReply: true }) } });
    const sender = w.sim.thread("sender", { priority: 150 });
    w.sim.give(sender, 1n, endpointCap(ep, 0n));
    w.sim.k.makeRunnable(sender.tcb);
    expect(w.sim.k.schedule()).toBe(sender.tcb);
    const trapPc = w.sim.pc(sender);
    expect(w.sim.trap(sender, "seL4_SysSend", { cap: 1n, info: msgInfo(arch, { length: 0 }) })).toBe(w.pd.tcb);
    expect(sender.tcb.state).toBe("BlockedOnSend");

    w.invoke("CNodeDelete", { args: { index: 41n, depth: D } });
    expect(sender.tcb.state).toBe("BlockedOnSend");
    expect(ep.queue).toEqual([sender.tcb]);

    // The Call returns to the deleter, then the restarted sender (higher priority) runs, from its trap.
    w.invoke("CNodeDelete", { args: { index: 40n, depth: D } });
    expect(ep.queue).toEqual([]);
    expect(sender.tcb.state).toBe("Restart");
    expect(w.sim.k.current).toBe(sender.tcb);
    w.sim.resume(sender);
    expect(w.sim.pc(sender)).toBe(trapPc);
  });

  it("the last notification cap: waiters restart and the bound TCB is unbound", () => {
    const w = new CNodeWorld(arch);
    const n = new Notification();
    insertOriginalCap(s(w.pd.cnode, 40), notificationCap(n));
    const waiter = w.sim.thread("waiter", { priority: 150 });
    w.sim.give(waiter, 1n, notificationCap(n));
    w.sim.k.makeRunnable(waiter.tcb);
    expect(w.sim.k.schedule()).toBe(waiter.tcb);
    w.sim.trap(waiter, "seL4_SysWait", { cap: 1n });
    expect(n.queue).toEqual([waiter.tcb]);
    w.pd.tcb.boundNotification = n;
    n.boundTCB = w.pd.tcb;
    w.invoke("CNodeDelete", { args: { index: 40n, depth: D } });
    expect(n.queue).toEqual([]);
    expect(waiter.tcb.state).toBe("Restart");
    expect([w.pd.tcb.boundNotification, n.boundTCB]).toEqual([undefined, undefined]);
  });
});
