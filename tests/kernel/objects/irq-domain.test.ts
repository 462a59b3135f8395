// The lines a kernel keeps for itself (seL4 init_irqs: IRQTimer, IRQReserved) are never issued by
// IRQ control; and the domain cap (seL4 src/object/domain.c) with seL4's checks in its order.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { insertOriginalCap } from "../../../kernel/cspace.js";
import { ARCHES, Notification, Sim, archJson, notificationCap } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const CONTROL = 30n;
const DOMAIN = 31n;
const NTFN = 32n;
const HANDLER = 40n;
/** Destinations are named in one 64-bit lookup through ROOT_CPTR, a cap to the thread's own CNode. */
const DEPTH = 64n;
const ROOT_CPTR = 33n;

function world(arch: Arch, reservedIrqs: number[] = []) {
  const sim = new Sim(arch, { maxIrq: 100, reservedIrqs });
  const pd = sim.thread("root", { priority: 200 });
  insertOriginalCap({ cnode: pd.cnode, index: Number(CONTROL) }, { type: "irq_control" });
  sim.give(pd, DOMAIN, { type: "domain" });
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

describe.each(ARCHES)("the domain cap (%s)", (arch) => {
  it("DomainSetSet moves a thread to another domain; bad domain or cap are invalid arguments", () => {
    const { sim, pd } = world(arch);
    const other = sim.thread("other");
    sim.give(pd, 60n, { type: "tcb", object: other.tcb });
    const domains = BigInt(sim.k.numDomains);
    call(sim, pd, DOMAIN, "DomainSetSet", [domains - 1n], [60n]);
    expect(reply(sim, pd)).toEqual(success());
    expect(other.tcb.domain).toBe(sim.k.numDomains - 1);
    call(sim, pd, DOMAIN, "DomainSetSet", [domains], [60n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 0n));
    call(sim, pd, DOMAIN, "DomainSetSet", [0n], [NTFN]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 1n));
    call(sim, pd, DOMAIN, "DomainSetSet", [0n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("DomainScheduleConfigure and SetStart check index, domain and duration as seL4 does", () => {
    const { sim, pd } = world(arch);
    const length = BigInt(archJson(arch)["source"]["kernel_config_debug"]["NUM_DOMAIN_SCHEDULES"] as string);
    call(sim, pd, DOMAIN, "DomainScheduleConfigure", [length - 1n, 0n, 10n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_RangeError", 0n, length - 2n));
    call(sim, pd, DOMAIN, "DomainScheduleConfigure", [1n, 1n, 0n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 1n));
    call(sim, pd, DOMAIN, "DomainScheduleConfigure", [0n, 0n, 0n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 2n));
    call(sim, pd, DOMAIN, "DomainScheduleConfigure", [1n, 1n, 1000n]);
    expect(reply(sim, pd)).toEqual(success());
    call(sim, pd, DOMAIN, "DomainScheduleSetStart", [2n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidArgument", 0n));
    call(sim, pd, DOMAIN, "DomainScheduleSetStart", [length]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_RangeError", 0n, length - 1n));
    call(sim, pd, DOMAIN, "DomainScheduleSetStart", [1n]);
    expect(reply(sim, pd)).toEqual(success());
    expect(sim.k.domainScheduleStart).toBe(1);
  });
});
