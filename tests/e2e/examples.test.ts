// End-to-end: the example systems' real PD machine code, built by the set-up, on every emulated board.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";
import type { KernelEvent } from "../../kernel/events.js";

const BOARDS = ["qemu_virt_aarch64", "qemu_virt_riscv64", "odroidc4"] as const;

describe.each(BOARDS)("examples on %s", (board) => {
  test("hello prints from init and then idles", () => {
    const r = runSystem({ systemFile: "examples/hello/hello.system", board });
    expect(r.output).toBe("hello, world\n");
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
    expect(r.diagnostics).toEqual([]);
    expect(r.protectionDomains).toEqual(["hello"]);
  });

  test("pingpong: ppcall with MRs, notifications both ways, priority order", () => {
    const r = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    expect(r.output).toBe([
      "server: ready",
      "client: calling add(20, 22)",
      "server: add(20, 22) on channel 2",
      "client: got 42",
      "client: notifying the server",
      "server: notified on channel 2",
      "client: init done",
      "client: notified on channel 1",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });

  test("passive server: runs init, hands its SC to the monitor, then serves on callers' time", () => {
    const r = runSystem({ systemFile: "examples/passive/passive.system", board });
    expect(r.output).toBe([
      "server: init (passive from now on)",
      "server: call 1 on the client's time",
      "client: got 10",
      "server: call 2 on the client's time",
      "client: got 20",
      "server: notified on channel 0 on its notification's time",
      "client: done",
      "",
    ].join("\n"));
    expect(r.diagnostics).toEqual(["MON|INFO: PD 'server' is now passive"]);
  });

  test("hierarchy: a child's faults reach its parent's fault(); pd_restart and pd_stop work through the TCB cap", () => {
    const r = runSystem({ systemFile: "examples/hierarchy/hierarchy.system", board });
    const run = (n: number) => [`child: run ${n}`, "parent: notified by the child on channel 3", "parent: child 0 faulted, label 6, address 4660"];
    expect(r.output).toBe(["parent: init", ...run(1), ...run(2), ...run(3), "parent: leaving the child stopped", ""].join("\n"));
    expect(r.diagnostics).toEqual([]); // the monitor sees nothing: the parent handles its child
  });

  test("ppcall: a label and more than four MRs each way (register and IPC-buffer MRs)", () => {
    const r = runSystem({ systemFile: "examples/ppcall/ppcall.system", board });
    expect(r.output).toBe([
      "server: ready",
      "client: sending 6 MRs with label 7",
      "server: channel 4, label 7, MRs 3 1 4 1 5 9",
      "client: reply label 1, sum 23, min 1, max 9, count 6, label 7",
      "client: sending 8 MRs with label 7",
      "server: channel 4, label 7, MRs 27 18 28 18 28 45 90 45",
      "client: reply label 1, sum 299, min 18, max 90, count 8, label 7",
      "client: done",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
    expect(r.diagnostics).toEqual([]);
  });

  test("setvar: setvar_vaddr, setvar_size, region_paddr and a channel end's setvar_id are patched", () => {
    const r = runSystem({ systemFile: "examples/setvar/setvar.system", board });
    expect(r.output).toBe([
      "peer: ready",
      "patched: buffer_vaddr = 0x4000000",
      "patched: buffer_size = 0x3000",
      "patched: buffer_paddr page-aligned: yes",
      "patched: peer_channel = 5",
      "patched: buffer words 0x1234 and 0x5678",
      "peer: notified on channel 0",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });

  test("mr_prefill: a region prefilled from a file, with setvar_prefill_size", () => {
    const r = runSystem({ systemFile: "examples/mr_prefill/mr_prefill.system", board });
    expect(r.output).toBe([
      "reader: 57 bytes prefilled",
      "reader: | Prefilled by the Microkit tool.",
      "reader: | Second line of the file.",
      "reader: byte after the file is 0",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });

  test("shared_ring: ten messages through a four-slot shared ring with head/tail ownership and notifications", () => {
    const r = runSystem({ systemFile: "examples/shared_ring/shared_ring.system", board });
    const refill = (got: number, queued: number) => [`consumer: got #${got} = ${got * got}`, `producer: queued #${queued}`, "producer: ring full, waiting for room"];
    expect(r.output).toBe([
      "producer: queued #1", "producer: queued #2", "producer: queued #3", "producer: queued #4",
      "producer: ring full, waiting for room",
      "consumer: ready",
      ...refill(1, 5), ...refill(2, 6), ...refill(3, 7), ...refill(4, 8), ...refill(5, 9),
      "consumer: got #6 = 36", "producer: queued #10", "producer: all messages queued",
      "consumer: got #7 = 49", "consumer: got #8 = 64", "consumer: got #9 = 81", "consumer: got #10 = 100",
      "consumer: all 10 messages, values sum to 385",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
  });

  test("cap_sharing: a <cspace> TCB cap of another PD, suspended and resumed with raw TCB invocations", () => {
    const r = runSystem({ systemFile: "examples/cap_sharing/cap_sharing.system", board });
    expect(r.output).toBe([
      "worker: init",
      "controller: notify 1",
      "worker: notification 1 on channel 1",
      "controller: TCBSuspend -> error 0",
      "controller: notify 2 (the worker is suspended)",
      "controller: notify 3 (coalesced with 2)",
      "worker: notification 2 on channel 1",
      "controller: TCBResume -> error 0",
      "controller: notify 4",
      "worker: notification 3 on channel 1",
      "controller: TCBSuspend on an empty slot -> error 2",
      "controller: done",
      "",
    ].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(0);
    // The debug kernel says why it refused the last TCBSuspend.
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatch(/^<<seL4\(CPU 0\) \[invocation T0 "controller" @[0-9a-f]+\]: cap 1152921504606846976 is an empty slot \(InvalidCapability\)>>$/);
  });

  test("faults: the monitor reports a PD's VM fault; the other PDs keep running", () => {
    const r = runSystem({ systemFile: "examples/faults/faults.system", board });
    const tick = (n: number) => [`ticker: tick ${n}`, "survivor: notified on channel 1"];
    expect(r.output).toBe(["crasher: writing to an unmapped address", "survivor: init", ...tick(1), ...tick(2), ...tick(3), ""].join("\n"));
    expect(r.stopReason).toBe("idle");
    expect(r.stats.faults).toBe(1);
    expect(r.diagnostics[0]).toBe("MON|ERROR: PD 'crasher' faulted: VMFault (badge 0x1)");
    const status = board === "qemu_virt_riscv64"
      ? /^MON\|ERROR: {3}data fault at address 0x10000000, ip (0x[0-9a-f]+), fsr 0x7 \(store\/AMO access\)$/
      : /^MON\|ERROR: {3}data fault at address 0x10000000, ip (0x[0-9a-f]+), fsr 0x92000046 \(EC 0x24, IL 1, ISS 0x46, DFSC 0x6, EA 0, CM 0, S1PTW 0, WnR 1\)$/;
    const ip = status.exec(r.diagnostics[1] ?? "")?.[1];
    expect(ip).toBeDefined();
    expect(r.diagnostics[2]).toMatch(new RegExp(`^MON\\|ERROR: {3}pc ${ip} {2}`));
    expect(r.diagnostics.slice(2).every((l) => l.startsWith("MON|ERROR:   "))).toBe(true);
  });

  test("domains: two spinning PDs in two domains alternate on the domain schedule", () => {
    const r = runSystem({ systemFile: "examples/domains/domains.system", board, stopAfterNs: 5_000_000n });
    expect(r.output).toBe([
      "low: turn 1", "high: turn 2", "low: turn 3", "high: turn 4", "low: turn 5", "low: done", "high: turn 6", "high: done", "",
    ].join("\n"));
    expect(r.stats.faults).toBe(0);
    expect(r.diagnostics).toEqual([]);
  });

  test("the same system gives the same output, instruction count and syscalls every run", () => {
    const a = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    const b = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    expect(b.output).toBe(a.output);
    expect(b.stats).toEqual(a.stats);
  });

  test("an instruction limit stops the run early (checked per translated block) with reason instruction-limit", () => {
    const full = runSystem({ systemFile: "examples/pingpong/pingpong.system", board });
    const r = runSystem({ systemFile: "examples/pingpong/pingpong.system", board, maxInstructions: 20n });
    expect(r.stopReason).toBe("instruction-limit");
    expect(r.stats.instructions).toBeGreaterThanOrEqual(20n);
    expect(r.stats.instructions).toBeLessThan(100n);
    expect(full.output.startsWith(r.output)).toBe(true);
    expect(r.output.length).toBeLessThan(full.output.length);
  });
});

describe("arm_smc: a PD with smc=\"true\" calls the secure firmware", () => {
  const output = (version: string, features: string, unknown: string) => [
    "arm_smc: PSCI_VERSION via microkit_arm_smc_call()",
    `arm_smc: PSCI version ${version}`,
    `arm_smc: PSCI_FEATURES(PSCI_VERSION) -> error 0, x0 ${features}`,
    `arm_smc: function 0x840000ff -> error 0, x0 ${unknown}, x1-x7 11 12 13 14 15 16 17`,
    "",
  ].join("\n");

  test("qemu_virt_aarch64: QEMU's PSCI 1.1 answers; an unknown function gets NOT_SUPPORTED; each call is an smc event", () => {
    const events: KernelEvent[] = [];
    const report = join(mkdtempSync(join(tmpdir(), "mkemu-")), "report.txt");
    const r = runSystem({ systemFile: "examples/arm_smc/arm_smc.system", board: "qemu_virt_aarch64", reportFile: report, onEvent: (e) => events.push(e) });
    expect(r.output).toBe(output("1.1", "0", "-1"));
    expect(readFileSync(report, "utf8")).toContain("\n    smc: may call the secure firmware (SMC cap in slot ARM_SMC_CAP)\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.stats.faults).toBe(0);
    expect(events.flatMap((e) => (e.type === "smc" ? [`${e.thread} 0x${e.function_id.toString(16)} -> 0x${e.result.toString(16)}`] : []))).toEqual([
      "arm_smc 0x84000000 -> 0x10001", "arm_smc 0x8400000a -> 0x0", "arm_smc 0x840000ff -> 0xffffffffffffffff",
    ]);
  });

  test("odroidc4: no firmware is modelled, so every call is answered NOT_SUPPORTED, and the run says so once", () => {
    const r = runSystem({ systemFile: "examples/arm_smc/arm_smc.system", board: "odroidc4" });
    expect(r.output).toBe(output("65535.65535", "-1", "-1"));
    expect(r.diagnostics).toEqual(["odroidc4: no secure firmware is modelled; SMC function 0x84000000 (and any later) answered NOT_SUPPORTED"]);
  });

  test("without smc=\"true\" the PD has no SMC cap: InvalidCapability, and libmicrokit crashes the PD", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
    writeFileSync(join(dir, "nosmc.system"), readFileSync("examples/arm_smc/arm_smc.system", "utf8").replace(' smc="true"', ""));
    const r = runSystem({ systemFile: join(dir, "nosmc.system"), board: "qemu_virt_aarch64", searchPaths: ["build/examples/arm_smc/qemu_virt_aarch64/debug"] });
    expect(r.output).toBe("arm_smc: PSCI_VERSION via microkit_arm_smc_call()\narm_smc: microkit_arm_smc_call: SMC call on cap 7 failed with seL4 error 2\n");
    expect(r.diagnostics[0]).toMatch(/^<<seL4\(CPU 0\) \[invocation T0 "arm_smc" @[0-9a-f]+\]: cap 7 is an empty slot \(InvalidCapability\)>>$/);
    expect(r.diagnostics[1]).toBe("MON|ERROR: PD 'arm_smc' faulted: VMFault (badge 0x1)");
  });

  test("PSCI SYSTEM_OFF does not return: the run halts there, with a lower-priority PD's work undone", () => {
    const board = "qemu_virt_aarch64";
    const r = runSystem({
      systemFile: "tests/pds/psci_off/psci_off-qemu_virt_aarch64.system", board, searchPaths: [`build/test-pds/psci_off/${board}/debug`, `build/test-pds/spin/${board}/debug`],
    });
    expect(r.output).toBe("psci_off: SYSTEM_OFF\n");
    expect(r.stopReason).toBe("halted");
    expect(r.diagnostics).toEqual(["QEMU PSCI: SYSTEM_OFF: the system is powered off"]);
    expect(r.stats.instructions).toBeLessThan(1000n); // spin's 150M instructions never ran
  });

  test("qemu_virt_riscv64: smc=\"true\" is refused at its place in the SDF", () => {
    expect(() => runSystem({ systemFile: "examples/arm_smc/arm_smc.system", board: "qemu_virt_riscv64" }))
      .toThrow('examples/arm_smc/arm_smc.system:8:52: error: <protection_domain name="arm_smc"> smc="true": SMC calls exist only on AArch64, and board qemu_virt_riscv64 (riscv64, debug) is not');
  });
});
