// Driver PDs on the ODROID-C4 model: a Meson timer driver written the way upstream Microkit's
// odroidc4 `timer` example is (timer page at 0xffd0f000 mapped 64 KiB wide, timer A on IRQ 42,
// timer E as a 1 us timestamp) and a Meson UART_AO echo driver (0xff803000, IRQ 225).
import { describe, expect, test } from "vitest";
import { bytesSource } from "../../emulator/console-input.js";
import type { KernelEvent } from "../../kernel/events.js";
import { runSystem } from "../../emulator/system.js";

const BOARD = "odroidc4";

describe("Meson timer driver on odroidc4", () => {
  const run = (extra: { stopAfterNs?: bigint; onEvent?: (e: KernelEvent) => void } = {}) => runSystem({
    systemFile: "tests/pds/meson-timer/timer-odroidc4.system", board: BOARD, searchPaths: [`build/test-pds/meson-timer/${BOARD}/debug`], ...extra,
  });

  // One-shot 500 x 1 us armed at 0; periodic 2 x 1 ms from 500 us; after the third tick a one-shot
  // of 5 x 100 us. Each timestamp is timer E at the interrupt: exactly the programmed time.
  const expected = [
    "timer: start, one-shot of 500 x 1 us at 0 us",
    "timer: one-shot fired, periodic 2 x 1 ms at 500 us",
    "timer: periodic tick 1 at 2500 us",
    "timer: periodic tick 2 at 4500 us",
    "timer: periodic tick 3 at 6500 us",
    "timer: stopped; one-shot of 5 x 100 us",
    "timer: one-shot fired, done at 7000 us",
    "",
  ].join("\n");

  test("one-shot and periodic timeouts print timer E at the programmed virtual times", () => {
    const r = run();
    expect(r.output).toBe(expected);
    expect(r.stopReason).toBe("idle");
    expect(r.diagnostics).toEqual([]); // the 64 KiB mapping reaches modelled devices only
    expect(r.virtualTimeUs).toBe(7000n);
    // 7 ms of virtual time, but waiting costs no instructions.
    expect(r.stats.instructions).toBeLessThan(5000n);
  });

  test("byte-identical output and identical statistics on every run", () => {
    const a = run();
    const b = run();
    expect(b.output).toBe(a.output);
    expect(b.stats).toEqual(a.stats);
  });

  test("--stop-after cuts the run at that virtual time", () => {
    const r = run({ stopAfterNs: 3_000_000n });
    expect(r.output).toBe(expected.split("\n").slice(0, 3).join("\n") + "\n");
    expect(r.stopReason).toBe("time-limit");
  });

  test("the trace shows the driver's register accesses and IRQ 42 raised and acknowledged per timeout", () => {
    const events: KernelEvent[] = [];
    run({ onEvent: (e) => events.push(e) });
    const mmio = events.flatMap((e) => (e.type === "mmio" ? [`${e.access} ${e.register} ${e.value.toString(16)}`] : []));
    expect(mmio.slice(0, 4)).toEqual([
      "write ISA_TIMER_MUX 10100", // TIMER_A_EN | timer E 1 us | timer A 1 us
      "write ISA_TIMERE 0",
      "read ISA_TIMER_MUX 10100",
      "write ISA_TIMER_MUX 10100", // one-shot: MODE stays clear
    ]);
    expect(mmio[4]).toBe("write ISA_TIMERA 1f4");
    const irqs = events.flatMap((e) => (e.type === "irq" || e.type === "irq_ack" ? [e] : []));
    // libmicrokit acknowledges each IRQ of the PD once before init (as upstream's does); then each
    // of the five timeouts is raised once and acknowledged once by the driver.
    expect(irqs.map((e) => `${e.type} ${e.irq}`)).toEqual(["irq_ack 42", ...Array.from({ length: 5 }, () => ["irq 42", "irq_ack 42"]).flat()]);
    expect(irqs.every((e) => e.type === "irq_ack" || e.handled)).toBe(true);
    // Each interrupt comes within a microsecond of its programmed time (the driver arms the next
    // timeout a few instructions after reading the clock).
    const raisedUs = irqs.filter((e) => e.type === "irq").map((e) => Math.floor(e.time_ns / 1000));
    expect(raisedUs).toEqual([500, 2500, 4500, 6500, 7000]);
  });
});

describe("Meson UART_AO echo on odroidc4", () => {
  // RX interrupt -> driver -> shared ring -> client (tests/pds/echo) -> ring -> driver -> WFIFO.
  const text = Array.from({ length: 10_000 }, (_, i) => "abcdefghijklmnopqrstuvwxyz0123456789 \n"[(i * 7919) % 38]).join("");
  const run = (input?: string) => runSystem({
    systemFile: "tests/pds/meson-uart/echo-odroidc4.system", board: BOARD,
    searchPaths: [`build/test-pds/meson-uart/${BOARD}/debug`, `build/test-pds/echo/${BOARD}/debug`],
    ...(input === undefined ? {} : { input: bytesSource(new TextEncoder().encode(input)) }),
  });

  test("10,000 scripted characters come back in order, none lost, byte-identical every run", () => {
    const a = run(text);
    expect(a.output).toBe(text.toUpperCase());
    expect(a.stopReason).toBe("idle");
    expect(a.diagnostics).toEqual([]);
    const b = run(text);
    expect(b.output).toBe(a.output);
    expect(b.stats).toEqual(a.stats);
  });

  test("without input the system idles at once", () => {
    const r = run();
    expect(r.output).toBe("");
    expect(r.stopReason).toBe("idle");
  });
});

test("EL0 sees the generic counter but not the physical timer on odroidc4 (not exported by Microkit)", () => {
  // The ticker PD reads CNTFRQ_EL0/CNTPCT_EL0, then writes CNTP_TVAL_EL0, which traps here.
  const r = runSystem({ systemFile: "tests/pds/ticker/ticker-qemu_virt_aarch64.system", board: BOARD, searchPaths: [`build/test-pds/ticker/${BOARD}/debug`] });
  expect(r.output).toBe("ticker: start at 0 us\n");
  // An MSR/MRS trap (EC 0x18), which Microkit's hypervisor kernel reports as a VCPU fault.
  expect(r.diagnostics[0]).toBe("MON|ERROR: PD 'ticker' faulted: VCPUFault (badge 0x1)");
});
