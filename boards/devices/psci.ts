// The secure firmware of QEMU's virt machine as Microkit runs it (virtualization=on, no EL3
// firmware): QEMU itself answers every SMC as a PSCI call (target/arm/tcg/psci.c,
// arm_handle_psci_call, with the SMC conduit that hw/arm/virt.c picks when EL2 is on). Function ids,
// return codes and the version are the PSCI specification's (Arm DEN 0022) as QEMU implements them;
// only x0 changes, x1-x7 come back as they went. One core: Microkit's non-SMP configurations run
// QEMU with one CPU, whose MPIDR affinity is 0.
import type { SecureFirmware, SmcAnswer } from "../board.js";

/** SMC32/SMC64 fast-call function ids (PSCI 0.2 and later). */
const FN = {
  PSCI_VERSION: 0x8400_0000n,
  CPU_SUSPEND: 0x8400_0001n,
  CPU_SUSPEND_64: 0xc400_0001n,
  CPU_OFF: 0x8400_0002n,
  CPU_ON: 0x8400_0003n,
  CPU_ON_64: 0xc400_0003n,
  AFFINITY_INFO: 0x8400_0004n,
  AFFINITY_INFO_64: 0xc400_0004n,
  MIGRATE_INFO_TYPE: 0x8400_0006n,
  SYSTEM_OFF: 0x8400_0008n,
  SYSTEM_RESET: 0x8400_0009n,
  PSCI_FEATURES: 0x8400_000an,
} as const;

/** PSCI 0.1 had no standard ids; QEMU numbers them from 0x95c1ba5e (include/kvm-consts.h QEMU_PSCI_0_1_FN_BASE). */
const FN_0_1 = { CPU_SUSPEND: 0x95c1_ba5en, CPU_OFF: 0x95c1_ba5fn, CPU_ON: 0x95c1_ba60n } as const;

/** PSCI 1.1: major 1 in bits [31:16], minor 1 in [15:0], the version QEMU's PSCI code reports (QEMU_PSCI_VERSION_1_1). */
export const PSCI_VERSION_1_1 = 0x1_0001n;

/** Return codes (32-bit signed, sign-extended into x0). */
const SUCCESS = 0n;
const NOT_SUPPORTED = -1n;
const INVALID_PARAMETERS = -2n;
const ALREADY_ON = -4n;
/** MIGRATE_INFO_TYPE: no trusted OS that would need migrating. */
const TOS_MIGRATION_NOT_REQUIRED = 2n;

/** The functions PSCI_FEATURES reports as implemented (all of them callable from AArch64). */
const IMPLEMENTED: ReadonlySet<bigint> = new Set([
  FN.PSCI_VERSION, FN.MIGRATE_INFO_TYPE, FN.AFFINITY_INFO, FN.AFFINITY_INFO_64, FN.SYSTEM_RESET, FN.SYSTEM_OFF,
  FN_0_1.CPU_ON, FN.CPU_ON, FN.CPU_ON_64, FN_0_1.CPU_OFF, FN.CPU_OFF, FN_0_1.CPU_SUSPEND, FN.CPU_SUSPEND, FN.CPU_SUSPEND_64,
  FN.PSCI_FEATURES,
]);

/** The one core's MPIDR affinity. */
const BOOT_CPU = 0n;

const word = (v: bigint): bigint => BigInt.asUintN(64, v);

export class QemuVirtPsci implements SecureFirmware {
  readonly name = "QEMU PSCI";

  call(x: readonly bigint[]): SmcAnswer {
    const [fn = 0n, a1 = 0n, a2 = 0n] = x;
    const answer = (x0: bigint, power?: SmcAnswer["power"]): SmcAnswer =>
      ({ x: [word(x0), ...x.slice(1)], ...(power === undefined ? {} : { power }) });
    switch (fn) {
      case FN.PSCI_VERSION:
        return answer(PSCI_VERSION_1_1);
      case FN.MIGRATE_INFO_TYPE:
        return answer(TOS_MIGRATION_NOT_REQUIRED);
      case FN.AFFINITY_INFO:
      case FN.AFFINITY_INFO_64:
        // Level 0 asks about one core (ON is 0); every higher level is always on.
        if (a2 !== 0n) return answer(SUCCESS);
        return answer(a1 === BOOT_CPU ? SUCCESS : INVALID_PARAMETERS);
      case FN_0_1.CPU_ON:
      case FN.CPU_ON:
      case FN.CPU_ON_64:
        return answer(a1 === BOOT_CPU ? ALREADY_ON : INVALID_PARAMETERS);
      case FN_0_1.CPU_SUSPEND:
      case FN.CPU_SUSPEND:
      case FN.CPU_SUSPEND_64:
        // No affinity levels; a standby request waits for an interrupt (WFI), which may end at any
        // time: it returns at once here.
        return answer((a1 & 0xfffe_0000n) !== 0n ? INVALID_PARAMETERS : SUCCESS);
      case FN.PSCI_FEATURES:
        return answer(IMPLEMENTED.has(a1) ? SUCCESS : NOT_SUPPORTED);
      case FN_0_1.CPU_OFF:
      case FN.CPU_OFF:
        return answer(SUCCESS, "cpu-off");
      case FN.SYSTEM_OFF:
        return answer(SUCCESS, "system-off");
      case FN.SYSTEM_RESET:
        return answer(SUCCESS, "system-reset");
      default:
        // MIGRATE (no trusted OS to move) and every function QEMU does not implement: SMCCC's answer.
        return answer(NOT_SUPPORTED);
    }
  }
}
