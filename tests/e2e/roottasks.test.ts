// Our root-task programs (tests/roottasks/) run end to end under microkit-emu boot, on both
// architectures with sel4test's kernel configurations: each prints "ok:" for every check it makes,
// "FAIL:" for one that does not hold, and what it observed.
import { describe, expect, test } from "vitest";
import { bootRootTask } from "../../emulator/boot.js";
import type { RunResult } from "../../emulator/system.js";
import { writeFileSync } from "node:fs";
import { readAbiFile } from "../../kernel/abi.js";

const ARCHES = ["aarch64", "riscv64"] as const;

function boot(name: string, arch: (typeof ARCHES)[number], limits: { stopAfterNs?: bigint } = {}): RunResult {
  return bootRootTask({ elf: `build/test-roottasks/${name}/sel4test-${arch}/${name}.elf`, board: `qemu_virt_${arch}`, config: `sel4test-${arch}`, ...limits });
}

/** Every check passed, and there were `checks` of them. */
function allOk(r: RunResult, checks: number): void {
  const lines = r.output.split("\n");
  expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
  expect(lines.filter((l) => l.startsWith("ok:"))).toHaveLength(checks);
}

/** The lines of the output that are not check results. */
const observed = (r: RunResult): string[] => r.output.split("\n").filter((l) => l !== "" && !l.startsWith("ok:"));

/** The kernel's report of a fault without a handler, for the thread named. */
function report(r: RunResult, thread: string): string[] {
  const i = r.diagnostics.findIndex((l, j) => l === "Found thread has no fault handler while trying to handle:" && r.diagnostics[j + 2]?.includes(`"${thread}"`));
  return i < 0 ? [] : r.diagnostics.slice(i, i + 4);
}

/** Lines with each kernel address (%p, 16 hex digits) replaced by <n>, numbered in order of first appearance. */
function named(lines: readonly string[]): string[] {
  const names = new Map<string, number>();
  // Kernel-window addresses, and the frame addresses after "paddr: 0x" (seL4 prints 0x%p there).
  return lines.map((l) => l.replace(/0x[0-9a-f]{16}|(?<=paddr: 0x)0x[0-9a-f]+/g, (p) => {
    if (!names.has(p)) names.set(p, names.size + 1);
    return `<${names.get(p)!}>`;
  }));
}

describe.each(ARCHES)("root tasks on %s", (arch) => {
  test("retype: every object type from untyped memory, Retype's errors, frames and page tables mapped at run time, a new ASID pool and VSpace", () => {
    const r = boot("retype", arch);
    allOk(r, 40);
    expect(observed(r)).toEqual(["main returned 0"]);
    expect(r.stopReason).toBe("idle");
  });

  test("threads: TCBs and SCs made, configured and resumed; a TLS variable and an IPC buffer each; a thread in a VSpace built at run time", () => {
    const r = boot("threads", arch);
    allOk(r, 10);
    expect(observed(r)).toEqual([
      // Both at priority 100: the one resumed last was queued at the head (tcbSchedEnqueue).
      "worker 2: counter 9, tls base set, ipc buffer its own",
      "worker 1: counter 8, tls base set, ipc buffer its own",
      "root: counter 7",
      "elsewhere: private page says the new VSpace's",
      "root: private page says the root task's",
      "main returned 0",
    ]);
    expect(r.stats.faults).toBe(0);
  });

  test("ipc: Call/ReplyRecv with eight MRs and a badge, a granted cap, a bound notification, badges combining", () => {
    const r = boot("ipc", arch);
    allOk(r, 5);
    expect(observed(r)).toEqual([
      "server: label 7, badge 0x42, 8 words, 0 caps",
      "server: label 1, badge 0x42, 0 words, 1 caps",
      "server: the cap it was given is a notification: yes",
      "root: the server signalled the granted notification, badge 8",
      "root: waited, badge 5",
      "root: polled, badge 0",
      "main returned 0",
      "server: notified through its bound notification, badge 0x10",
    ]);
  });

  test("fpu: threads of one VSpace keep their own FP registers across time slices; a thread with its FPU disabled takes a user exception and goes on once it is enabled", () => {
    const r = boot("fpu", arch);
    allOk(r, 6);
    expect(observed(r)).toEqual([
      "root: two threads computing at once got what each gets alone: yes",
      `root: fault label 3 (UserException 3), number ${arch === "aarch64" ? "0x1fe00000" : "0x2"}`,
      "root: the thread finished once its FPU was enabled, with the right result: yes",
      "main returned 0",
    ]);
    expect(r.stats.faults).toBe(1);
  });

  test("faults: a VM fault handled by mapping the page, an unknown syscall answered, timeout faults that resume the thread where it was, and a thread with no handler", () => {
    const r = boot("faults", arch);
    allOk(r, 11);
    const words = arch === "aarch64" ? 13 : 11;
    expect(observed(r)).toEqual([
      "root: fault label 6 (VMFault 6), badge 1, address 0x50000000, instruction fault 0, 4 words",
      `root: fault label 2 (UnknownSyscall 2), syscall -100, ${words} words`,
      "root: fault label 5 (Timeout 5), data 0x77, consumed some: yes",
      "orphan: about to read address 8",
      "caller: syscall -100 returned 77",
      "reader: the hole holds a page mapped by its fault handler",
      "root: after 3 more timeout faults the spinner went on spinning: yes, started 1 time(s)",
      "main returned 0",
    ]);
    // AArch64: a translation fault at level 2, where the walk finds no page table (as QEMU reports it).
    const fsr = arch === "aarch64" ? "0x92000006" : "0x5";
    const lines = report(r, "orphan");
    expect(lines[1]).toBe(`vm fault on data at address 0x8 with status ${fsr}`);
    expect(lines[2]).toMatch(/^in thread 0xffffff[0-9a-f]{10} "orphan" at address 0x4[0-9a-f]{5}$/);
    expect(lines[3]).toBe("With stack:");
    expect(r.stopReason).toBe("idle");
  });

  test("sched: two spinning threads' SCs share the CPU by budget while the root task sleeps on the RTC's interrupt", () => {
    const r = boot("sched", arch, { stopAfterNs: 3_000_000_000n });
    allOk(r, 11);
    const m = /the 100 us SC used (\d+) us, the 250 us SC (\d+) us/.exec(r.output);
    expect(m).not.toBeNull();
    // One second of 10 ms periods: 100 budgets of each (the last period may be cut short).
    const [a, b] = [Number(m![1]), Number(m![2])];
    expect(a).toBeGreaterThanOrEqual(9_800);
    expect(a).toBeLessThanOrEqual(10_000);
    expect(b).toBeGreaterThanOrEqual(24_750);
    expect(b).toBeLessThanOrEqual(25_000);
    expect(r.virtualTimeUs).toBeGreaterThanOrEqual(1_000_000n);
    expect(r.stopReason).toBe("idle");
  });

  test("debug: a thread named with DebugNameThread is named in the kernel's report; DebugDumpScheduler lists the threads; DebugHalt ends the run", () => {
    const r = boot("debug", arch);
    allOk(r, 5);
    expect(observed(r)).toEqual(["faulter: jumping to 0x1000", "root: back at priority 50", "root: halting"]);
    // The debug list is newest first, the idle thread last; columns as seL4's debug_printTCB.
    const dump = r.diagnostics.slice(r.diagnostics.indexOf("Dumping all tcbs!"));
    expect(dump[1]).toBe(`${"Name".padEnd(40)}   ${"State".padEnd(16)}   ${"IP".padEnd(18)}   Prio   InReleaseQueue`);
    expect(dump[2]).toBe("-".repeat(105));
    expect(dump.slice(3, 7).map((l) => l.split(/ {3,}/).slice(0, 4))).toEqual([
      ["no-vspace", "inactive", "0x400000", "100"],
      ["renamed-faulter", "inactive", "0x1000", "100"],
      ["rootserver", "running", expect.stringMatching(/^0x4[0-9a-f]{5}$/), "50"],
      ["idle_thread", "idle", "0", "0"],
    ]);
    expect(dump).toHaveLength(7);
    expect(report(r, "renamed-faulter")[1]).toMatch(/^vm fault on code at address 0x1000 with status /);
    // A thread with no VSpace runs in none: its first fetch faults, and there is no stack to show.
    const bare = r.diagnostics.findIndex((l) => l.includes('"no-vspace"'));
    expect(r.diagnostics[bare - 1]).toMatch(/^vm fault on code at address 0x400000 with status /);
    expect(r.diagnostics.slice(bare + 1, bare + 3)).toEqual(["With stack:", "Invalid vspace"]);
    expect(r.stopReason).toBe("halted");
  });

  test("snapshot: DebugSnapshot prints seL4's capDL dump of the thread the root task made, its CNode's caps with their rights and badges, its VSpace; a frame lookup halts AArch64 as seL4's assertion does", () => {
    const r = boot("snapshot", arch);
    allOk(r, 19);
    const starts = r.diagnostics.flatMap((l, i) => (l.startsWith("Debug snapshot syscall from user thread ") ? [i] : []));
    expect(starts).toHaveLength(2);
    expect(r.diagnostics[starts[0]!]).toMatch(/^Debug snapshot syscall from user thread 0x[0-9a-f]{16} "rootserver"$/);
    const rtc = arch === "aarch64" ? 34 : 11;
    // An IRQ handler cap names its line as %p.
    expect(r.diagnostics).toContain(`0x${rtc.toString(16)}_0_irq = irq`);
    const first = named(r.diagnostics.slice(starts[0]! + 1, starts[1]));
    // Kernel addresses as <n>, numbered as they first appear: <1> is the VSpace root, <2>..<4> its tables.
    const tables = arch === "aarch64"
      ? { objects: ["<1>_pd = pgd", "pud_<1>_0000 = pud", "pd_<2>_0000 = pd", "pt_<3>_0128 = pt", "frame_<4>_0000 = frame (4k, paddr: 0x<5>)"] }
      : { objects: ["<1>_pd = pt", "pt_<1>_0000 = pt", "pt_<2>_0128 = pt", "frame_<3>_0000 = frame (4k, paddr: 0x<4>)"] };
    const [tcb, ep, cnode, ntfn, reply, sc, ut] = arch === "aarch64" ? [6, 7, 8, 9, 10, 11, 12] : [5, 6, 7, 8, 9, 10, 11];
    const ticks = arch === "aarch64" ? [125000, 62500] : [20000, 10000];
    const vspaceCaps = arch === "aarch64"
      // seL4 visits the pud's entry 0 once for each of its 512 entries.
      ? ["<1>_pd {", "0x0: pud_<1>_0000", "}", "pud_<1>_0000 {", "0x0: pd_<2>_0000", "}",
        ...Array.from({ length: 512 }, (_, i) => [`pd_<2>_${String(i).padStart(4, "0")} {`, "0x80: pt_<3>_0128", "}", "pt_<3>_0128 {", "0x0: frame_<4>_0000(RW)", "}"]).flat()]
      : ["<1>_pd {", "0x0: pt_<1>_0000", "}", "pt_<1>_0000 {", "0x80: pt_<2>_0128", "}", "pt_<2>_0128 {", "0x0: frame_<3>_0000(RW)", "}"];
    expect(first).toEqual([
      `arch ${arch === "aarch64" ? "aarch64" : "riscv"}`,
      "objects {",
      ...tables.objects,
      `<${tcb}>_tcb = tcb (addr: 0x0, ip: 0x400123, sp: 0x7ff000, prio: 77, max_prio: 88, fault_ep: <${ep}>, dom: 0)`,
      `<${cnode}>_cnode = cnode (4 bits)`,
      `<${ep}>_ep = ep`,
      `<${ep}>_ep = ep`,
      `<${ntfn}>_notification = notification`,
      `<${reply}>_reply = rtreply`,
      `<${sc}>_sc = sc (period: 2000 us (${ticks[0]} ticks), budget: 1000 us (${ticks[1]} ticks), 7 bits)`,
      `<${ut}>_12_untyped = ut (12 bits, paddr: <${ut}>) {}`,
      `0x${rtc.toString(16)}_0_irq = irq`,
      "}",
      "caps {",
      `<${cnode}>_cnode {`,
      `0x1: <${ep}>_ep (RWGP)`,
      `0x2: <${ep}>_ep (WP, badge: 17)`,
      `0x3: <${ntfn}>_notification (W, badge: 5)`,
      `0x4: <${reply}>_reply`,
      `0x5: <${sc}>_sc`,
      `0x6: <${tcb}>_tcb`,
      `0x7: <${ut}>_untyped`,
      `0x8: 0x${rtc.toString(16)}_0_irq`,
      `0x9: <${cnode}>_cnode (guard: 0, guard_size: 60)`,
      "}",
      `0x${rtc.toString(16)}_0_irq {`,
      `0x0: <${ntfn}>_notification (W, badge: 8)`,
      "}",
      ...vspaceCaps,
      `<${tcb}>_tcb {`,
      `cspace: <${cnode}>_cnode (guard: 0, guard_size: 60)`,
      "vspace: <1>_pd",
      `fault_ep_slot: <${ep}>_ep (RWGP, badge: 34)`,
      `sc_slot: <${sc}>_sc`,
      `temp_fault_ep_slot: <${ep}>_ep (RWGP, badge: 51)`,
      "}",
      "}",
      "irq maps {",
      `${rtc}: 0x${rtc.toString(16)}_0_irq`,
      "}",
    ]);
    // With an IPC buffer: AArch64's lookup of its slot always fails an assertion, and the kernel halts.
    const second = r.diagnostics.slice(starts[1]);
    if (arch === "aarch64") {
      expect(second.at(-1)).toBe("ipc_buffer_slot: seL4 failed assertion '0' at src/arch/arm/64/machine/capdl.c:131 in function _cap_frame_print_attrs_vptr");
      expect(observed(r)).toEqual(["root: after the first snapshot"]);
      expect(r.stopReason).toBe("halted");
    } else {
      expect(second.find((l) => l.startsWith("ipc_buffer_slot: "))).toMatch(/^ipc_buffer_slot: frame_0x[0-9a-f]{16}_0000 \(RW\)$/);
      expect(observed(r)).toEqual(["root: after the first snapshot", "root: after the second snapshot", "main returned 0"]);
    }
  });

  test("spin: a root task that never ends is stopped by --stop-after", () => {
    const r = boot("spin", arch, { stopAfterNs: 5_000_000n });
    expect(r.output).toBe("spinning\n");
    expect(r.stopReason).toBe("time-limit");
    expect(r.virtualTimeUs).toBe(5_000n);
  });

  test("fuzz: random system calls with random caps, labels and arguments get errors, results or faults; the kernel and the root task go on", () => {
    const r = boot("fuzz", arch);
    // 5 checks in main, 19 for each seed's fresh objects.
    allOk(r, 5 + 8 * 19);
    const lines = r.output.split("\n");
    const seeds = lines.filter((l) => /^fuzz: seed \d+: 4000 calls, \d+ restarts$/.test(l));
    expect(seeds).toHaveLength(8);
    expect(lines).toContain("fuzz: 32000 calls");
    const prefix = "fuzz: Call results by error: ";
    const results = lines.find((l) => l.startsWith(prefix))!.slice(prefix.length).split(" ").map(Number);
    // NoError and the errors after it, then "other"; never a label outside seL4's errors.
    expect(results).toHaveLength(12);
    expect(results[11]).toBe(0);
    expect(results[0]).toBeGreaterThan(500);
    expect(results.slice(1).filter((n) => n > 0).length).toBeGreaterThanOrEqual(6);
    expect(lines).toContain("main returned 0");
    expect(r.stopReason).toBe("idle");
    // Cap faults and the like, each reported by the kernel as a debug kernel does, none handled.
    expect(r.stats.faults).toBeGreaterThan(5000);
    expect(r.diagnostics.filter((l) => l === "Found thread has no fault handler while trying to handle:").length).toBe(r.stats.faults);
  });

  test("the same root task gives the same output, instruction count and time every run", () => {
    const [x, y] = [boot("ipc", arch), boot("ipc", arch)];
    expect(y.output).toBe(x.output);
    expect(y.stats).toEqual(x.stats);
    expect(y.virtualTimeUs).toBe(x.virtualTimeUs);
  });
});

describe("the performance monitors from user mode (AArch64)", () => {
  const elf = "build/test-roottasks/pmu/sel4test-aarch64/pmu.elf";

  test("exported (KernelArmExportPMUUser, as sel4bench and Microkit's benchmark config build): the cycle counter and INST_RETIRED count the loop", () => {
    // sel4test's configuration with the PMU exported, as a seL4 build's gen_config.json.
    const config = { ...(readAbiFile("kernel-configs/sel4test-aarch64.json") as Record<string, unknown>), EXPORT_PMU_USER: true };
    writeFileSync("build/roottask-pmu.json", JSON.stringify(config));
    const r = bootRootTask({ elf, board: "qemu_virt_aarch64", kernelConfigFile: "build/roottask-pmu.json" });
    // One instruction a nanosecond and a 1 GHz cycle counter: cycles and instructions agree, the
    // loop's 2,001 and the reads around it; the second read of each pair is one instruction later.
    expect(r.output.split("\n")).toEqual([
      "pmu: 6 event counters, implementer 0x41",
      "pmu: 1000 turns: 2012 cycles, 2013 instructions",
      "pmu: event counter disabled: held; cycle counter went on: yes",
      "pmu: after a reset the cycle counter reads 2",
      "main returned 0",
      "",
    ]);
    expect(r.stats.faults).toBe(0);
  });

  test("not exported (sel4test's configuration): the first access is an MSR/MRS trap the kernel reports as a user exception", () => {
    const r = bootRootTask({ elf, board: "qemu_virt_aarch64", config: "sel4test-aarch64" });
    expect(r.output).toBe("");
    // ESR: EC 0x18, IL, ISS of MRS x8, PMCR_EL0 (Op0 3, Op1 3, CRn 9, CRm 12, Op2 0, read).
    expect(r.diagnostics).toContain("user exception 0x6230e519 code 0");
  });
});

describe("the AArch64 kernel at EL1 (sel4test's) and at EL2 (Microkit's hypervisor kernel)", () => {
  const run = (build: string, config: string) => bootRootTask({ elf: `build/test-roottasks/el2/${build}/el2.elf`, board: "qemu_virt_aarch64", config });
  const faultLine = (r: RunResult) => r.diagnostics[r.diagnostics.indexOf("Found thread has no fault handler while trying to handle:") + 1];

  test("at EL1 user space reaches 2^47 and brk is a user exception carrying the ESR", () => {
    const r = run("sel4test-aarch64", "sel4test-aarch64");
    expect(r.output).toBe("seL4_UserTop 0x7fffffffffff\nmap at 2^40 -> 0\n");
    expect(faultLine(r)).toBe("user exception 0xf2000011 code 0");
  });

  test("at EL2 user space ends below 2^40 and brk is a VCPU fault, which the kernel prints as an unknown fault", () => {
    const r = run("qemu_virt_aarch64", "debug");
    expect(r.output).toBe("seL4_UserTop 0xffffffffff\nmap at 2^40 -> 1\n");
    expect(faultLine(r)).toBe("unknown fault");
  });
});

test("a root task's run reports kernel events: the RTC's interrupt, its device accesses, named threads", () => {
  const events: { type: string; [k: string]: unknown }[] = [];
  let header: { system: string; threads: readonly { thread: string }[] } | undefined;
  bootRootTask({
    elf: "build/test-roottasks/sched/sel4test-aarch64/sched.elf", board: "qemu_virt_aarch64", config: "sel4test-aarch64",
    onStart: (h) => void (header = h), onEvent: (e) => void events.push(e as unknown as { type: string }),
  });
  expect(header?.system).toBe("build/test-roottasks/sched/sel4test-aarch64/sched.elf");
  expect(header?.threads.map((t) => t.thread)).toEqual(["rootserver"]);
  expect(events.some((e) => e.type === "irq" && e["irq"] === 34 && e["handled"] === true)).toBe(true);
  expect(events.some((e) => e.type === "mmio" && e["device"] === "pl031" && e["register"] === "RTCMR" && e["thread"] === "rootserver")).toBe(true);
  expect(events.filter((e) => e.type === "thread_named").map((e) => e["name"])).toEqual(["100us", "250us"]);
});
