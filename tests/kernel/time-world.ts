// Time for the MCS scheduler tests, derived from the ABI JSON and the seL4 sources by hand, never
// from kernel/: the timer frequency (kernel_config_debug.TIMER_FREQUENCY), MIN_BUDGET
// (2 * KERNEL_WCET 10 us * KERNEL_WCET_SCALE, include/kernel/sporadic.h) and the timer precision
// subtracted from every deadline (0 on qemu-arm-virt, 1 us on RISC-V; include/arch/*/arch/machine/timer.h).
import type { Arch } from "../../kernel/abi.js";
import { Notification, SchedContext, Sim, archJson, notificationCap, slot, type Pd } from "./harness.js";

export const INPUT = slot("INPUT_CAP");
export const REPLY = slot("REPLY_CAP");
export const OUT = slot("BASE_OUTPUT_NOTIFICATION_CAP");

export function timerHz(arch: Arch): bigint {
  return BigInt(archJson(arch)["source"]["kernel_config_debug"]["TIMER_FREQUENCY"] as string);
}

/** Timer ticks in `us` microseconds (both boards' frequencies give whole ticks for the values used). */
export function ticks(arch: Arch, us: bigint): bigint {
  const t = us * timerHz(arch);
  if (t % 1_000_000n !== 0n) throw new Error(`${us} us is not a whole number of ticks on ${arch}`);
  return t / 1_000_000n;
}

/** The first nanosecond at which the timer reads `t` ticks. */
export function ns(arch: Arch, t: bigint): bigint {
  const hz = timerHz(arch);
  return (t * 1_000_000_000n + hz - 1n) / hz;
}

/** getTimerPrecision() in ticks. */
export function precision(arch: Arch): bigint {
  return arch === "riscv64" ? ticks(arch, 1n) : 0n;
}

/** MIN_BUDGET in ticks: 2 * 10 us * KERNEL_WCET_SCALE. */
export function minBudget(arch: Arch): bigint {
  const scale = BigInt(archJson(arch)["source"]["kernel_config_debug"]["KERNEL_WCET_SCALE"] as string);
  return 2n * ticks(arch, 10n) * scale;
}

/** A thread with its own SC of `budgetUs` per `periodUs` (as the system builder makes them) and a notification in INPUT_CAP. */
export function timedThread(sim: Sim, name: string, priority: number, budgetUs: bigint, periodUs: bigint, badge = 0n): Pd & { ntfn: Notification; own: SchedContext } {
  const pd = sim.thread(name, { priority, sc: false });
  const own = new SchedContext(budgetUs, periodUs, badge);
  own.tcb = pd.tcb;
  pd.tcb.sc = own;
  const ntfn = new Notification();
  sim.give(pd, INPUT, notificationCap(ntfn));
  return { ...pd, sc: own, own, ntfn };
}

/** Refills as plain (time, amount) pairs in ticks, head first. */
export function refillPairs(sc: SchedContext): [bigint, bigint][] {
  return sc.refills.map((r) => [r.rTime, r.rAmount]);
}
