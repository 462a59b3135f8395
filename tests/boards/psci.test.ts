// QEMU virt's PSCI firmware (boards/devices/psci.ts) against the PSCI specification's function ids
// and return codes (Arm DEN 0022) and QEMU's one-core behaviour (target/arm/tcg/psci.c).
import { describe, expect, it } from "vitest";
import { QemuVirtPsci } from "../../boards/devices/psci.js";

const fw = new QemuVirtPsci();
const REST = [11n, 12n, 13n, 14n, 15n, 16n, 17n];
/** x0 of the answer as the 32-bit signed return code the firmware meant. */
const code = (x: readonly bigint[]): bigint => BigInt.asIntN(32, x[0]!);
const call = (x0: bigint, x1 = 0n, x2 = 0n) => fw.call([x0, x1, x2, 0n, 0n, 0n, 0n, 0n]);

describe("QEMU virt PSCI", () => {
  it("PSCI_VERSION is 1.1 (major in bits 31:16)", () => {
    expect(call(0x8400_0000n).x[0]).toBe(0x1_0001n);
  });

  it("a function it does not implement answers NOT_SUPPORTED (-1, sign-extended) and leaves x1-x7 alone", () => {
    for (const fn of [0x8400_00ffn, 0x8000_0000n, 0xc400_0005n, 0x8400_0005n, 0x1_8400_0000n]) {
      const a = fw.call([fn, ...REST]);
      expect(a.x).toEqual([(1n << 64n) - 1n, ...REST]);
      expect(a.power).toBeUndefined();
    }
  });

  it("PSCI_FEATURES: 0 for each implemented function, NOT_SUPPORTED for the rest", () => {
    const implemented = [0x8400_0000n, 0x8400_0001n, 0xc400_0001n, 0x8400_0002n, 0x8400_0003n, 0xc400_0003n, 0x8400_0004n, 0xc400_0004n,
      0x8400_0006n, 0x8400_0008n, 0x8400_0009n, 0x8400_000an];
    for (const fn of implemented) expect(code(call(0x8400_000an, fn).x)).toBe(0n);
    for (const fn of [0x8400_0005n, 0x8400_0007n, 0x8400_00ffn]) expect(code(call(0x8400_000an, fn).x)).toBe(-1n);
  });

  it("one core, MPIDR 0: AFFINITY_INFO says ON (0) for it, INVALID_PARAMETERS for another; CPU_ON says ALREADY_ON or INVALID_PARAMETERS", () => {
    expect(code(call(0xc400_0004n, 0n, 0n).x)).toBe(0n);
    expect(code(call(0xc400_0004n, 1n, 0n).x)).toBe(-2n);
    expect(code(call(0x8400_0004n, 0x100n, 1n).x)).toBe(0n); // higher affinity levels are always on
    expect(code(call(0xc400_0003n, 0n).x)).toBe(-4n);
    expect(code(call(0xc400_0003n, 1n).x)).toBe(-2n);
  });

  it("MIGRATE_INFO_TYPE: no trusted OS to migrate (2); CPU_SUSPEND: 0, or INVALID_PARAMETERS for affinity-level bits", () => {
    expect(code(call(0x8400_0006n).x)).toBe(2n);
    expect(code(call(0xc400_0001n, 0n).x)).toBe(0n);
    expect(code(call(0xc400_0001n, 0x1_0000n).x)).toBe(0n);
    expect(code(call(0xc400_0001n, 0x2_0000n).x)).toBe(-2n);
  });

  it("SYSTEM_OFF, SYSTEM_RESET and CPU_OFF do not return: they say what powers off", () => {
    expect(call(0x8400_0008n).power).toBe("system-off");
    expect(call(0x8400_0009n).power).toBe("system-reset");
    expect(call(0x8400_0002n).power).toBe("cpu-off");
    expect(call(0x8400_0000n).power).toBeUndefined();
  });
});
