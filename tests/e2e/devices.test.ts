// Driver PDs against the board models: timer interrupts delivered through the kernel's IRQ
// handlers, device registers reached through a memory region at the device's physical address,
// and virtual time that skips ahead while every thread waits.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { bytesSource } from "../../emulator/console-input.js";
import type { KernelEvent } from "../../kernel/events.js";
import { runSystem } from "../../emulator/system.js";

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("ticker on %s", (board) => {
  const run = () => runSystem({ systemFile: `tests/pds/ticker/ticker-${board}.system`, board, searchPaths: [`build/test-pds/ticker/${board}/debug`] });

  test("three timer interrupts exactly 1 ms apart on the virtual clock", () => {
    const r = run();
    expect(r.output).toBe("ticker: start at 0 us\nticker: tick 1 at 1000 us\nticker: tick 2 at 2000 us\nticker: tick 3 at 3000 us\n");
    expect(r.stopReason).toBe("idle");
    expect(r.diagnostics).toEqual([]);
    // Waiting costs no instructions: the run is 3 ms of virtual time but a few thousand instructions.
    expect(r.virtualTimeUs).toBeGreaterThanOrEqual(3000n);
    expect(r.stats.instructions).toBeLessThan(5000n);
  });

  test("--stop-after cuts the ticks at that virtual time", () => {
    const r = runSystem({ systemFile: `tests/pds/ticker/ticker-${board}.system`, board, searchPaths: [`build/test-pds/ticker/${board}/debug`], stopAfterNs: 1_500_000n });
    expect(r.output).toBe("ticker: start at 0 us\nticker: tick 1 at 1000 us\n");
    expect(r.stopReason).toBe("time-limit");
  });
});

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("UART echo on %s", (board) => {
  // RX interrupt -> driver -> shared ring -> client -> ring -> driver -> TX.
  const text = Array.from({ length: 10_000 }, (_, i) => "abcdefghijklmnopqrstuvwxyz0123456789 \n"[(i * 7919) % 38]).join("");
  const run = (input: string) => runSystem({
    systemFile: `tests/pds/echo/echo-${board}.system`, board, searchPaths: [`build/test-pds/echo/${board}/debug`],
    input: bytesSource(new TextEncoder().encode(input)),
  });

  test("10,000 scripted characters come back in order, none lost, byte-identical every run", () => {
    const a = run(text);
    expect(a.output).toBe("> " + text.toUpperCase());
    expect(a.stopReason).toBe("idle");
    const b = run(text);
    expect(b.output).toBe(a.output);
    expect(b.stats).toEqual(a.stats);
  });

  test("the prompt (no newline) is on the console before the emulator waits for input", () => {
    let seen: string | undefined;
    let output = "";
    const r = runSystem({
      systemFile: `tests/pds/echo/echo-${board}.system`, board, searchPaths: [`build/test-pds/echo/${board}/debug`],
      onOutput: (t) => { output += t; },
      input: () => {
        seen ??= output;
        return null;
      },
    });
    expect(seen).toBe("> ");
    expect(r.output).toBe("> ");
  });

  test("rings at physical addresses QEMU has RAM at but the kernel leaves to user level (sDDF's DMA regions) are memory the PDs share", () => {
    // Below the hypervisor kernel's RAM (0x60000000) on AArch64; OpenSBI's 2 MiB on RISC-V.
    const base = board === "qemu_virt_aarch64" ? 0x5fde0000 : 0x80100000;
    const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
    const system = readFileSync(`tests/pds/echo/echo-${board}.system`, "utf8")
      .replace('name="rx_ring" size="0x1000"', `name="rx_ring" size="0x1000" phys_addr="0x${base.toString(16)}"`)
      .replace('name="tx_ring" size="0x1000"', `name="tx_ring" size="0x1000" phys_addr="0x${(base + 0x1000).toString(16)}"`);
    writeFileSync(join(dir, "echo.system"), system);
    const r = runSystem({
      systemFile: join(dir, "echo.system"), board, searchPaths: [`build/test-pds/echo/${board}/debug`],
      input: bytesSource(new TextEncoder().encode("device memory\n")),
    });
    expect(r.output).toBe("> DEVICE MEMORY\n");
    expect(r.diagnostics).toEqual([]);
  });

  test("without input the system idles at once", () => {
    const r = runSystem({ systemFile: `tests/pds/echo/echo-${board}.system`, board, searchPaths: [`build/test-pds/echo/${board}/debug`] });
    expect(r.output).toBe("> ");
    expect(r.stopReason).toBe("idle");
  });
});

test("kernel events show a driver's whole interaction with its device: register accesses with values, interrupts raised and acknowledged", () => {
  const events: KernelEvent[] = [];
  runSystem({
    systemFile: "tests/pds/ticker/ticker-qemu_virt_riscv64.system", board: "qemu_virt_riscv64",
    searchPaths: ["build/test-pds/ticker/qemu_virt_riscv64/debug"], onEvent: (e) => events.push(e),
  });
  const lines = events.flatMap((e) =>
    e.type === "mmio" ? [`${e.device} ${e.access} ${e.register}`] : e.type === "irq" || e.type === "irq_ack" ? [`${e.type} ${e.irq}`] : []);
  // Set-up: enable the alarm interrupt, read the time, program the alarm; then each tick.
  expect(lines.slice(0, 7)).toEqual([
    "goldfish-rtc write IRQ_ENABLED",
    "goldfish-rtc read TIME_LOW", "goldfish-rtc read TIME_HIGH",
    "goldfish-rtc read TIME_LOW", "goldfish-rtc read TIME_HIGH",
    "goldfish-rtc write ALARM_HIGH", "goldfish-rtc write ALARM_LOW",
  ]);
  expect(lines.filter((l) => l === "irq 11")).toHaveLength(3);
  expect(lines.filter((l) => l === "irq_ack 11")).toHaveLength(4); // once at start-up, once per tick
  expect(events.filter((e) => e.type === "mmio").every((e) => e.thread === "ticker" && e.pd === "ticker")).toBe(true);
  const raised = events.find((e) => e.type === "irq")!;
  const alarm = events.find((e) => e.type === "mmio" && e.register === "ALARM_LOW" && e.access === "write") as KernelEvent & { value: bigint };
  expect(BigInt(raised.time_ns)).toBe(alarm.value);
  expect(alarm.value - BigInt(alarm.time_ns)).toBeGreaterThanOrEqual(1_000_000n); // 1 ms ahead of when it was set
});

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("a device range with no device on %s", (board) => {
  test("is reported when mapped, and an access to it is a VM fault the monitor reports", () => {
    const r = runSystem({ systemFile: `tests/pds/baddev/baddev-${board}.system`, board, searchPaths: [`build/test-pds/baddev/${board}/debug`] });
    expect(r.output).toBe("baddev: reading an absent device\n");
    expect(r.diagnostics[0]).toMatch(/^baddev: no device is modelled at physical 0x[0-9a-f]+ \(mapped at 0x2000000\); accesses will fault$/);
    expect(r.diagnostics).toContain("MON|ERROR: PD 'baddev' faulted: VMFault (badge 0x1)");
    expect(r.diagnostics.some((l) => l.startsWith("MON|ERROR:   data fault at address 0x2000000, "))).toBe(true);
  });
});

test("--realtime: the same output, and waiting for the timer takes at least as long in real time", () => {
  const t0 = process.hrtime.bigint();
  const r = runSystem({ systemFile: "tests/pds/ticker/ticker-qemu_virt_riscv64.system", board: "qemu_virt_riscv64", searchPaths: ["build/test-pds/ticker/qemu_virt_riscv64/debug"], realtime: true });
  const elapsedNs = process.hrtime.bigint() - t0;
  expect(r.output).toBe("ticker: start at 0 us\nticker: tick 1 at 1000 us\nticker: tick 2 at 2000 us\nticker: tick 3 at 3000 us\n");
  expect(elapsedNs).toBeGreaterThanOrEqual(3_000_000n);
});

test("a device mapped read-only refuses the driver's register writes with a VM fault", () => {
  const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
  const file = join(dir, "ro.system");
  writeFileSync(file, readFileSync("tests/pds/ticker/ticker-qemu_virt_riscv64.system", "utf8").replace('perms="rw"', 'perms="r"'));
  const r = runSystem({ systemFile: file, board: "qemu_virt_riscv64", searchPaths: ["build/test-pds/ticker/qemu_virt_riscv64/debug"] });
  expect(r.output).toBe("");
  expect(r.diagnostics[0]).toBe("MON|ERROR: PD 'ticker' faulted: VMFault (badge 0x1)");
  // The driver's first register access is the store to IRQ_ENABLED (offset 0x10).
  expect(r.diagnostics[1]).toMatch(/^MON\|ERROR: {3}data fault at address 0x2000010, ip 0x[0-9a-f]+, fsr 0x7 \(store\/AMO access\)$/);
});
