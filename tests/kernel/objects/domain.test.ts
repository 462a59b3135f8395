// The domain cap (seL4 src/object/domain.c): DomainSetSet moves a thread to another domain;
// DomainScheduleConfigure and DomainScheduleSetStart edit and restart the domain schedule. Every
// error path, in seL4's order. The debug config has 16 domains and 256 schedule entries.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { DSCHED_MAX_DURATION } from "../../../kernel/kernel.js";
import { ARCHES, Endpoint, Reply, Sim, archJson, endpointCap, invocationLabel, msgInfo, replyCap } from "../harness.js";
import { call, err, reply, setExtraCaps, success } from "./invoke.js";

const DOMAIN = 30n;
const TCB_CAP = 31n;
const EP_CAP = 32n;

function world(arch: Arch) {
  const sim = new Sim(arch);
  const admin = sim.thread("admin", { priority: 200 });
  const other = sim.thread("other", { priority: 100 });
  sim.give(admin, DOMAIN, { type: "domain" });
  sim.give(admin, TCB_CAP, { type: "tcb", object: other.tcb });
  sim.give(admin, EP_CAP, endpointCap(new Endpoint()));
  sim.start(admin, other);
  return { sim, admin, other };
}

const config = (arch: Arch) => archJson(arch)["source"]["kernel_config_debug"];

describe.each(ARCHES)("domain cap (%s)", (arch) => {
  it("the config's domain and schedule counts are the kernel's", () => {
    const { sim } = world(arch);
    expect(sim.k.numDomains).toBe(Number(config(arch)["NUM_DOMAINS"]));
    expect(sim.k.domainScheduleLength).toBe(Number(config(arch)["NUM_DOMAIN_SCHEDULES"]));
  });

  it("DomainSetSet moves the thread to the domain's ready queues", () => {
    const { sim, admin, other } = world(arch);
    call(sim, admin, DOMAIN, "DomainSetSet", [3n], [TCB_CAP]);
    expect(reply(sim, admin)).toEqual(success());
    expect(other.tcb.domain).toBe(3);
  });

  it("DomainSetSet errors: no MR, a domain out of range (the whole word counts), no cap, not a TCB", () => {
    const { sim, admin, other } = world(arch);
    const n = BigInt(sim.k.numDomains);
    call(sim, admin, DOMAIN, "DomainSetSet", [], [TCB_CAP]);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, admin, DOMAIN, "DomainSetSet", [n], [TCB_CAP]);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_InvalidArgument", 0n));
    call(sim, admin, DOMAIN, "DomainSetSet", [0x100n], [TCB_CAP]);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_InvalidArgument", 0n));
    call(sim, admin, DOMAIN, "DomainSetSet", [1n], []);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, admin, DOMAIN, "DomainSetSet", [1n], [EP_CAP]);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_InvalidArgument", 1n));
    expect(other.tcb.domain).toBe(0);
  });

  it("DomainScheduleConfigure sets an entry; SetStart restarts the schedule there at once", () => {
    const { sim, admin } = world(arch);
    call(sim, admin, DOMAIN, "DomainScheduleConfigure", [1n, 2n, 5000n]);
    expect(reply(sim, admin)).toEqual(success());
    call(sim, admin, DOMAIN, "DomainScheduleSetStart", [1n]);
    expect(reply(sim, admin)).toEqual(success());
    expect(sim.k.domainScheduleStart).toBe(1);
    // The switch happens at the next scheduling decision: domain 2, with the entry's time.
    sim.k.schedule();
    expect([sim.k.curDomain, sim.k.domainTime]).toEqual([2, 5000n]);
  });

  it("DomainScheduleConfigure errors, in seL4's order", () => {
    const { sim, admin } = world(arch);
    const len = BigInt(sim.k.domainScheduleLength);
    const n = BigInt(sim.k.numDomains);
    const cases: [bigint[], ReturnType<typeof err>][] = [
      [[1n, 1n], err(arch, "seL4_TruncatedMessage")],
      // The last entry stays an end marker.
      [[len - 1n, 1n, 10n], err(arch, "seL4_RangeError", 0n, len - 2n)],
      [[1n, n, 10n], err(arch, "seL4_RangeError", 0n, n - 1n)],
      [[1n, 1n, DSCHED_MAX_DURATION + 1n], err(arch, "seL4_InvalidArgument", 2n)],
      // Only (0, 0) is an end marker.
      [[1n, 1n, 0n], err(arch, "seL4_InvalidArgument", 1n)],
      // The start entry (0) cannot become an end marker.
      [[0n, 0n, 0n], err(arch, "seL4_InvalidArgument", 2n)],
    ];
    for (const [mrs, want] of cases) {
      call(sim, admin, DOMAIN, "DomainScheduleConfigure", mrs);
      expect(reply(sim, admin)).toEqual(want);
    }
    // An end marker elsewhere is fine.
    call(sim, admin, DOMAIN, "DomainScheduleConfigure", [5n, 0n, 0n]);
    expect(reply(sim, admin)).toEqual(success());
  });

  it("DomainScheduleSetStart errors: truncated, beyond the schedule, an end marker", () => {
    const { sim, admin } = world(arch);
    const len = BigInt(sim.k.domainScheduleLength);
    call(sim, admin, DOMAIN, "DomainScheduleSetStart", []);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, admin, DOMAIN, "DomainScheduleSetStart", [len]);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_RangeError", 0n, len - 1n));
    call(sim, admin, DOMAIN, "DomainScheduleSetStart", [1n]);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_InvalidArgument", 0n));
    expect(sim.k.domainScheduleStart).toBe(0);
  });

  it("another label is an IllegalOperation", () => {
    const { sim, admin } = world(arch);
    call(sim, admin, DOMAIN, "TCBSuspend", []);
    expect(reply(sim, admin)).toEqual(err(arch, "seL4_IllegalOperation"));
  });

  it("the send phase of NBSendRecv cannot invoke it (MCS): nothing changes", () => {
    const { sim, admin, other } = world(arch);
    setExtraCaps(sim, admin, [TCB_CAP]);
    const info = msgInfo(arch, { label: invocationLabel(arch, "DomainSetSet"), length: 1, extraCaps: 1 });
    sim.give(admin, 33n, replyCap(new Reply()));
    sim.trap(admin, "seL4_SysNBSendRecv", { nbSendRecvDest: DOMAIN, cap: EP_CAP, reply: 33n, info, mrs: [3n] });
    expect(other.tcb.domain).toBe(0);
    // The receive phase went ahead: admin waits on the endpoint.
    expect(admin.tcb.state).toBe("BlockedOnReceive");
  });
});
