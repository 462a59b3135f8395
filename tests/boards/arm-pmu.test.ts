// The Armv8 PMU model (boards/devices/arm-pmu.ts) on the virtual clock: counters count only while
// PMCR_EL0.E and their enable bit are set, 32-bit event counters wrap and flag the overflow, and
// PMCR_EL0.D divides the cycle counter by 64.
import { expect, test } from "vitest";
import { ArmPmu } from "../../boards/devices/arm-pmu.js";

function pmu() {
  const p = new ArmPmu();
  const reg = (name: string) => {
    const r = p.registers.find((x) => x.name === name);
    if (r === undefined) throw new Error(`no ${name}`);
    return { read: (now: bigint) => r.read!(now), write: (now: bigint, v: bigint) => r.write!(now, v) };
  };
  return reg;
}

test("an event counter near the top of 32 bits wraps and sets its overflow flag, which PMOVSCLR clears", () => {
  const reg = pmu();
  reg("PMEVTYPER0_EL0").write(0n, 0x08n);
  reg("PMEVCNTR0_EL0").write(0n, 0xffff_fff0n);
  reg("PMCNTENSET_EL0").write(0n, 1n);
  reg("PMCR_EL0").write(0n, 1n);
  expect(reg("PMEVCNTR0_EL0").read(0x10n)).toBe(0n);
  expect(reg("PMEVCNTR0_EL0").read(0x20n)).toBe(0x10n);
  expect(reg("PMOVSCLR_EL0").read(0x20n)).toBe(1n);
  reg("PMOVSCLR_EL0").write(0x20n, 1n);
  expect(reg("PMOVSCLR_EL0").read(0x20n)).toBe(0n);
  expect(reg("PMEVCNTR0_EL0").read(0x30n)).toBe(0x20n);
});

test("nothing counts before PMCR_EL0.E; an event the model does not know never counts; D divides cycles by 64", () => {
  const reg = pmu();
  reg("PMEVTYPER1_EL0").write(0n, 0x03n); // L1D_CACHE_REFILL
  reg("PMCNTENSET_EL0").write(0n, (1n << 31n) | 2n);
  expect(reg("PMCCNTR_EL0").read(1000n)).toBe(0n);
  reg("PMCR_EL0").write(1000n, 1n | 8n);
  expect(reg("PMCCNTR_EL0").read(1000n + 64n * 5n)).toBe(5n);
  expect(reg("PMEVCNTR1_EL0").read(5000n)).toBe(0n);
  expect(reg("PMCR_EL0").read(0n) >> 11n & 0x1fn).toBe(6n);
  expect(reg("PMCNTENSET_EL0").read(0n)).toBe((1n << 31n) | 2n);
});
