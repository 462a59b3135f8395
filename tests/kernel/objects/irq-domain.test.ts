// IRQ control and handler caps (seL4 src/object/interrupt.c, src/arch/*/object/interrupt.c) and
// the domain cap (src/object/domain.c) as a root task uses them, with seL4's checks in its order.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { IrqTable } from "../../../kernel/interrupt.js";
import { handleInterrupt } from "../../../kernel/interrupt.js";
import { cteDelete } from "../../../kernel/cspace.js";
import { ARCHES, Notification, Sim, archJson, notificationCap, rights, slot } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const CONTROL = 30n;
const DOMAIN = 31n;
const NTFN = 32n;
const HANDLER = 40n;
/** Destinations are named in one 64-bit lookup through ROOT_CPTR, a cap to the thread's own CNode. */
const DEPTH = 64n;
const ROOT_CPTR = 33n;

function world(arch: Arch, reserved: number[] = []) {
  const sim = new Sim(arch);
  const pd = sim.thread("root", { priority: 200 });
  const range = { min: arch === "riscv64" ? 1 : 0, max: 100, reserved };
  const table = new IrqTable(range);
  sim.give(pd, CONTROL, { type: "irq_control", object: table });
  sim.give(pd, DOMAIN, { type: "domain" });
  sim.give(pd, ROOT_CPTR, { type: "cnode", object: pd.cnode, guard: 0n, guardSize: 64 - pd.cnode.radix });
  const ntfn = new Notification();
  sim.give(pd, NTFN, notificationCap(ntfn));
  const enabled: [number, boolean][] = [];
  sim.host.enableIrq = (irq: number, edge: boolean) => void enabled.push([irq, edge]);
  sim.start(pd);
  return { sim, pd, table, ntfn, enabled };
}

const triggerLabel = (arch: Arch) => (arch === "aarch64" ? "ARMIRQIssueIRQHandlerTrigger" : "RISCVIRQIssueIRQHandlerTrigger");

describe.each(ARCHES)("IRQ control (%s)", (arch) => {
  it("IssueIRQHandler makes a handler cap, enables the line level-triggered, and the handler signals its notification", () => {
    const { sim, pd, table, ntfn, enabled } = world(arch);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [7n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(success());
    const cap = pd.cnode.slots[Number(HANDLER)]!;
    expect(cap.type).toBe("irq_handler");
    expect(enabled).toEqual([[7, false]]);
    call(sim, pd, HANDLER, "IRQSetIRQHandler", [], [NTFN]);
    expect(reply(sim, pd)).toEqual(success());
    handleInterrupt(sim.k, table, 7);
    expect(ntfn.active).toBe(true);
    call(sim, pd, HANDLER, "IRQAckIRQ");
    expect(sim.host.acks).toEqual([7]);
  });

  it("the Trigger variant enables an edge-triggered line", () => {
    const { sim, pd, enabled } = world(arch);
    call(sim, pd, CONTROL, triggerLabel(arch), [9n, 1n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(success());
    expect(enabled).toEqual([[9, true]]);
  });

  it("a line out of range, the kernel's own, or one already issued is refused", () => {
    const { sim, pd } = world(arch, [27]);
    const min = arch === "riscv64" ? 1n : 0n;
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [101n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_RangeError", min, 100n));
    if (arch === "riscv64") {
      call(sim, pd, CONTROL, "IRQIssueIRQHandler", [0n, HANDLER, DEPTH], [ROOT_CPTR]);
      expect(reply(sim, pd)).toEqual(err(arch, "seL4_RangeError", 1n, 100n));
    }
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [27n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_RevokeFirst"));
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER, DEPTH], [ROOT_CPTR]);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER + 1n, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_RevokeFirst"));
  });

  it("deleting the handler cap frees the line for a new handler", () => {
    const { sim, pd } = world(arch);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER, DEPTH], [ROOT_CPTR]);
    cteDelete(sim.k, { cnode: pd.cnode, index: Number(HANDLER) });
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(success());
  });

  it("an occupied destination slot, a short message, no root cap: DeleteFirst, TruncatedMessage", () => {
    const { sim, pd } = world(arch);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, NTFN, DEPTH], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_DeleteFirst"));
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER, DEPTH]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_TruncatedMessage"));
  });

  it("SetIRQHandler wants a notification cap that can send; the control cap cannot be copied", () => {
    const { sim, pd } = world(arch);
    call(sim, pd, CONTROL, "IRQIssueIRQHandler", [5n, HANDLER, DEPTH], [ROOT_CPTR]);
    sim.give(pd, 50n, notificationCap(new Notification(), 0n, rights({ read: true })));
    call(sim, pd, HANDLER, "IRQSetIRQHandler", [], [50n]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidCapability", 0n));
    call(sim, pd, HANDLER, "IRQSetIRQHandler", [], [slot("REPLY_CAP")]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_InvalidCapability", 0n));
    call(sim, pd, ROOT_CPTR, "CNodeCopy", [60n, DEPTH, CONTROL, DEPTH, 0xfn], [ROOT_CPTR]);
    expect(reply(sim, pd)).toEqual(err(arch, "seL4_IllegalOperation"));
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
