// SchedControlConfigureFlags (MCS; seL4 src/object/schedcontrol.c): budget, period, extra refills,
// badge and flags, with seL4's range checks. MIN_BUDGET_US = 2 * KERNEL_WCET (10 µs on both qemu_virt
// kernels: seL4 src/plat/qemu-arm-virt/config.cmake, include/arch/riscv/arch/machine/timer.h) * scale.
import { describe, expect, it } from "vitest";
import type { Arch } from "../../../kernel/abi.js";
import { SchedControl } from "../../../kernel/objects/schedcontrol.js";
import { ARCHES, Endpoint, SchedContext, Sim, archJson, endpointCap, makePassive } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const CONTROL = 30n;
const SC = 31n;

function world(arch: Arch) {
  const sim = new Sim(arch);
  const parent = sim.thread("parent", { priority: 200 });
  const child = sim.thread("child", { priority: 100 });
  sim.give(parent, CONTROL, { type: "sched_control", object: new SchedControl(0) });
  sim.give(parent, SC, { type: "sched_context", object: child.tcb.sc! });
  sim.start(parent, child);
  return { sim, parent, child };
}

const cfg = (arch: Arch) => archJson(arch)["source"]["kernel_config_debug"];
const minBudgetUs = (arch: Arch): bigint => 2n * 10n * BigInt(cfg(arch)["KERNEL_WCET_SCALE"] as string);
/** MAX_PERIOD_US = getMaxUsToTicks() / 8: 2^64-1 over the timer's kHz (62.5 MHz ARM) or MHz (10 MHz RISC-V). */
const maxPeriodUs = (arch: Arch): bigint => {
  const hz = BigInt(cfg(arch)["TIMER_FREQUENCY"] as string);
  const div = hz % 1_000_000n === 0n ? hz / 1_000_000n : hz / 1000n;
  return ((1n << 64n) - 1n) / div / 8n;
};

describe.each(ARCHES)("SchedControlConfigureFlags (%s)", (arch) => {
  it("sets budget, period, refills, badge and the sporadic flag", () => {
    const { sim, parent, child } = world(arch);
    const sporadic = BigInt(archJson(arch)["boot"]["sched_context_flags"]["seL4_SchedContext_Sporadic"]);
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [500n, 2000n, 3n, 0x77n, sporadic], [SC]);
    expect(reply(sim, parent)).toEqual(success());
    const sc = child.tcb.sc!;
    expect([sc.budget, sc.period, sc.refillMax, sc.badge, sc.sporadic]).toEqual([500n, 2000n, 3 + 2, 0x77n, true]);
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [800n, 800n, 3n, 0n, 0n], [SC]);
    expect([sc.budget, sc.period, sc.refillMax, sc.sporadic]).toEqual([800n, 800n, 2, false]);
  });

  it("configuring a new SC bound to a ready thread makes it schedulable", () => {
    const { sim, parent, child } = world(arch);
    makePassive(child);
    const fresh = new SchedContext(0n, 0n, 0n);
    fresh.tcb = child.tcb;
    child.tcb.sc = fresh;
    sim.give(parent, 40n, { type: "sched_context", object: fresh });
    parent.tcb.priority = 50;
    expect(sim.k.isSchedulable(child.tcb)).toBe(false);
    expect(call(sim, parent, CONTROL, "SchedControlConfigureFlags", [100n, 100n, 0n, 0n, 0n], [40n])).toBe(child.tcb);
  });

  it("range errors carry [MIN_BUDGET_US, MAX_PERIOD_US], or the period as maximum when budget > period", () => {
    const { sim, parent } = world(arch);
    const min = minBudgetUs(arch);
    const max = maxPeriodUs(arch);
    const cases: [bigint[], bigint][] = [
      [[max + 1n, 1000n, 0n, 0n, 0n], max],
      [[100n, max + 1n, 0n, 0n, 0n], max],
      [[min - 1n, 1000n, 0n, 0n, 0n], max],
      [[min, min - 1n, 0n, 0n, 0n], max],
      [[300n, 200n, 0n, 0n, 0n], 200n],
    ];
    for (const [mrs, hi] of cases) {
      call(sim, parent, CONTROL, "SchedControlConfigureFlags", mrs, [SC]);
      expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", min, hi));
    }
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [min, min, 0n, 0n, 0n], [SC]);
    expect(reply(sim, parent)).toEqual(success());
  });

  it("extra refills beyond what the SC object holds are RangeError [0, max - MIN_REFILLS]", () => {
    const { sim, parent } = world(arch);
    const o = archJson(arch)["objects"]["sched_context"];
    const refills = BigInt((2 ** o["microkit_sched_context_size_bits"] - o["seL4_CoreSchedContextBytes"]) / o["seL4_RefillSizeBytes"]);
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [100n, 1000n, refills - 1n, 0n, 0n], [SC]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_RangeError", 0n, refills - 2n));
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [100n, 1000n, refills - 2n, 0n, 0n], [SC]);
    expect(reply(sim, parent)).toEqual(success());
  });

  it("errors: no SC cap or short message is TruncatedMessage; a non-SC target InvalidCapability 1; other labels IllegalOperation", () => {
    const { sim, parent } = world(arch);
    sim.give(parent, 41n, endpointCap(new Endpoint()));
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [100n, 100n, 0n, 0n, 0n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [100n, 100n, 0n, 0n], [SC]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_TruncatedMessage"));
    call(sim, parent, CONTROL, "SchedControlConfigureFlags", [100n, 100n, 0n, 0n, 0n], [41n]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_InvalidCapability", 1n));
    call(sim, parent, CONTROL, "SchedContextBind", [], [SC]);
    expect(reply(sim, parent)).toEqual(err(arch, "seL4_IllegalOperation"));
  });
});
