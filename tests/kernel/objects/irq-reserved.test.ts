// The lines a kernel keeps for itself (seL4 init_irqs: IRQTimer, IRQReserved) are never issued by
// IRQ control.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { insertOriginalCap } from "../../../kernel/cspace.js";
import { ARCHES, Notification, Sim, notificationCap } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const CONTROL = 30n;
const NTFN = 32n;
const HANDLER = 40n;
/** Destinations are named in one 64-bit lookup through ROOT_CPTR, a cap to the thread's own CNode. */
const DEPTH = 64n;
const ROOT_CPTR = 33n;

function world(arch: Arch, reservedIrqs: number[] = []) {
  const sim = new Sim(arch, { maxIrq: 100, reservedIrqs });
  const pd = sim.thread("root", { priority: 200 });
  insertOriginalCap({ cnode: pd.cnode, index: Number(CONTROL) }, { type: "irq_control" });
  sim.give(pd, NTFN, notificationCap(new Notification()));
  sim.give(pd, ROOT_CPTR, { type: "cnode", object: pd.cnode, guard: 0n, guardSize: 64 - pd.cnode.radix });
  sim.start(pd);
  return { sim, pd };
}

describe.each(ARCHES)("the kernel's own IRQ lines (%s)", (arch) => {
  it("a reserved line is refused with RevokeFirst, as an issued one is; others are issued", () => {
    const { sim, pd } = world(arch, [27]);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [27n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_RevokeFirst"));
    expect(sim.k.irqs.isActive(27)).toBe(true);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [28n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(success());
  });
});
