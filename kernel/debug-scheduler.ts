// What DebugDumpScheduler prints on a debug kernel with printing (seL4 include/api/debug.h
// debug_dumpScheduler, debug_printTCB): a header, then one line per thread of the debug list
// (newest first, the idle thread last) with its name, state, restart pc and priority; the domain
// when there is more than one, and whether it waits in the release queue (MCS). Columns are the
// kernel printf's: %-40s, %-16s, %-18p and %4lu, three spaces apart.
import { pointer } from "./fault-report.js";
import type { Kernel } from "./kernel.js";
import type { ThreadState, TCB } from "./objects/tcb.js";

const STATE: Readonly<Record<ThreadState, string>> = {
  Inactive: "inactive",
  Running: "running",
  Restart: "restart",
  BlockedOnReceive: "blocked on recv",
  BlockedOnSend: "blocked on send",
  BlockedOnReply: "blocked on reply",
  BlockedOnNotification: "blocked on ntfn",
};

/** One thread's columns: name, state, pc (as %p, left-aligned in 18), priority, [domain], [release queue]. */
function row(name: string, state: string, pc: bigint, priority: number, domain: number | undefined, inReleaseQueue: boolean): string {
  const domainColumn = domain === undefined ? "" : `   ${String(domain).padStart(4)}`;
  return `${name.padEnd(40)}   ${state.padEnd(16)}   ${pointer(pc).padEnd(18)}   ${String(priority).padStart(4)}${domainColumn}   ${(inReleaseQueue ? "yes" : "no").padEnd(14)}`;
}

/** The lines DebugDumpScheduler prints (none on a kernel without printing). */
export function dumpScheduler(k: Kernel): string[] {
  if (k.abi.kernelConfig["PRINTING"] !== true) return [];
  const domains = k.numDomains > 1;
  const header = `${"Name".padEnd(40)}   ${"State".padEnd(16)}   ${"IP".padEnd(18)}   ${"Prio".padEnd(4)}${domains ? `   ${"Dom".padStart(4)}` : ""}   ${"InReleaseQueue".padEnd(14)}`;
  const line = (t: TCB): string => row(t.name, STATE[t.state], t.restartPc, t.priority, domains ? t.domain : undefined, t.inReleaseQueue);
  return [
    "Dumping all tcbs!",
    header,
    "-".repeat(88) + (domains ? "-".repeat(7) : "") + "-".repeat(17),
    ...k.debugThreads.map(line),
    // The idle thread runs kernel code: its pc is the kernel's, which the model does not have.
    row("idle_thread", "idle", 0n, 0, domains ? 0 : undefined, false),
  ];
}
