// Reset values and register effects of the QEMU virt device models, against their datasheets
// (PL011 TRM DDI 0183, PC16550D, PL031 TRM DDI 0224, QEMU's goldfish RTC, virtio 1.2 §4.2.2).
import { describe, expect, test } from "vitest";
import { ArmGenericTimer } from "../../boards/devices/arm-generic-timer.js";
import { GoldfishRtc } from "../../boards/devices/goldfish-rtc.js";
import { Ns16550a } from "../../boards/devices/ns16550a.js";
import { Pl011 } from "../../boards/devices/pl011.js";
import { Pl031 } from "../../boards/devices/pl031.js";
import { VirtioMmioSlot } from "../../boards/devices/virtio-mmio.js";

describe("PL011 reset values (TRM table 3-1)", () => {
  const d = new Pl011(() => {});
  test.each([
    ["UARTFR", 0x018, 0x90n], // TXFE | RXFE
    ["UARTIBRD", 0x024, 0n],
    ["UARTFBRD", 0x028, 0n],
    ["UARTLCR_H", 0x02c, 0n],
    ["UARTCR", 0x030, 0x300n], // TXE | RXE
    ["UARTIFLS", 0x034, 0x12n], // 1/2 full for both FIFOs
    ["UARTIMSC", 0x038, 0n],
    ["UARTRIS", 0x03c, 0n],
    ["UARTMIS", 0x040, 0n],
    ["UARTDMACR", 0x048, 0n],
  ] as const)("%s at 0x%s reads %s", (_name, offset, value) => {
    expect(d.read(offset, 4)).toBe(value);
  });

  test("the baud-rate and line-control registers keep only their defined bits", () => {
    const u = new Pl011(() => {});
    u.write(0x024, 4, 0x12345n);
    u.write(0x028, 4, 0xffn);
    u.write(0x02c, 4, 0x1ffn);
    expect([u.read(0x024, 4), u.read(0x028, 4), u.read(0x02c, 4)]).toEqual([0x2345n, 0x3fn, 0xffn]);
  });

  test("toggling FEN flushes the receive FIFO", () => {
    const u = new Pl011(() => {});
    u.receive(0x41);
    u.write(0x02c, 4, 0x10n);
    expect(u.read(0x018, 4) & 0x10n).toBe(0x10n); // RXFE
  });

  test("UARTICR is write-only and UARTRIS read-only: the wrong direction reads 0 / changes nothing", () => {
    const stray: string[] = [];
    const u = new Pl011(() => {}, undefined, (m) => stray.push(m));
    expect(u.read(0x044, 4)).toBe(0n);
    u.write(0x03c, 4, 0x7ffn);
    expect(u.read(0x03c, 4)).toBe(0n);
    expect(stray).toEqual(["pl011: read of write-only UARTICR at 0x44", "pl011: write of 0x7ff to read-only UARTRIS at 0x3c"]);
  });
});

describe("16550A reset values and FIFO", () => {
  test.each([
    ["IER", 1, 0n],
    ["IIR", 2, 0x01n], // no interrupt pending, FIFOs off
    ["LCR", 3, 0n],
    ["MCR", 4, 0n],
    ["LSR", 5, 0x60n], // THRE | TEMT
    ["SCR", 7, 0n],
  ] as const)("%s at %i reads %s", (_name, offset, value) => {
    expect(new Ns16550a(() => {}).read(offset, 1)).toBe(value);
  });

  test("16 bytes fill the FIFO; the 17th is refused (the host keeps it)", () => {
    const u = new Ns16550a(() => {});
    u.write(2, 1, 0x01n);
    for (let i = 0; i < 16; i++) expect(u.receive(i)).toBe(true);
    expect(u.receive(16)).toBe(false);
  });

  test("with FIFOs off one byte fills the receiver", () => {
    const u = new Ns16550a(() => {});
    expect(u.receive(1)).toBe(true);
    expect(u.receive(2)).toBe(false);
  });

  test("RX trigger level 4: below it the interrupt is a character timeout (IIR 0xc), at it received data (0x4)", () => {
    let level = false;
    const u = new Ns16550a(() => {}, { set: (l) => { level = l; } });
    u.write(2, 1, 0x41n); // FIFO on, trigger 4 bytes
    u.write(1, 1, 0x01n);
    u.receive(1);
    expect(u.read(2, 1) & 0x0fn).toBe(0x0cn);
    for (let i = 0; i < 3; i++) u.receive(i);
    expect(u.read(2, 1) & 0x0fn).toBe(0x04n);
    expect(level).toBe(true);
  });

  test("enabling ETBEI with an empty transmitter raises THRE at once; writing THR raises it again", () => {
    let level = false;
    const u = new Ns16550a(() => {}, { set: (l) => { level = l; } });
    u.write(1, 1, 0x02n);
    expect(level).toBe(true);
    u.read(2, 1);
    expect(level).toBe(false);
    u.write(0, 1, 0x41n);
    expect(level).toBe(true);
  });
});

describe("PL031 and Goldfish RTC reset values", () => {
  test("PL031: RTCDR counts from 0, RTCCR reads started, masks and status clear, PrimeCell ids", () => {
    const rtc = new Pl031(() => 3_000_000_000n);
    expect(rtc.read(0x000, 4)).toBe(3n);
    expect(rtc.read(0x00c, 4)).toBe(1n);
    expect([rtc.read(0x010, 4), rtc.read(0x014, 4), rtc.read(0x018, 4)]).toEqual([0n, 0n, 0n]);
    // RTCMR resets to 0 = RTCDR at time 0, and no interrupt is raised until a match is written.
    const fresh = new Pl031(() => 0n);
    fresh.advance(0n);
    expect(fresh.read(0x014, 4)).toBe(0n);
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec].map((o) => rtc.read(o, 4))).toEqual([0x31n, 0x10n, 0x14n, 0n]);
  });

  test("PL031: a load sets the counter from now on; RTCMIS is RTCRIS masked", () => {
    let now = 0n;
    const rtc = new Pl031(() => now);
    rtc.write(0x008, 4, 1000n);
    now = 7_900_000_000n;
    expect(rtc.read(0x000, 4)).toBe(1007n);
    rtc.write(0x004, 4, 1007n);
    expect(rtc.read(0x014, 4)).toBe(1n);
    expect(rtc.read(0x018, 4)).toBe(0n);
  });

  test("Goldfish: no alarm armed, interrupts disabled, the time is the virtual clock in ns", () => {
    const rtc = new GoldfishRtc(() => 42n);
    expect([rtc.read(0x18, 4), rtc.read(0x10, 4), rtc.read(0x00, 4), rtc.read(0x04, 4)]).toEqual([0n, 0n, 42n, 0n]);
    expect(rtc.nextDeadline()).toBeUndefined();
  });

  test("Goldfish: CLEAR_ALARM disarms a pending alarm", () => {
    const rtc = new GoldfishRtc(() => 0n);
    rtc.write(0x0c, 4, 1n);
    rtc.write(0x08, 4, 0n);
    expect(rtc.read(0x18, 4)).toBe(1n);
    rtc.write(0x14, 4, 1n);
    expect(rtc.read(0x18, 4)).toBe(0n);
  });
});

describe("virtio-mmio empty slot and generic timer", () => {
  test("an empty slot: magic 'virt', legacy version 1, device id 0 (none), vendor QEMU", () => {
    const v = new VirtioMmioSlot(0x200);
    expect([v.read(0x000, 4), v.read(0x004, 4), v.read(0x008, 4), v.read(0x00c, 4)]).toEqual([0x74726976n, 1n, 0n, 0x554d4551n]);
  });

  test("generic timer: disabled at reset; no deadline; CTL reads ISTATUS once the compare value is passed", () => {
    const t = new ArmGenericTimer(10_000_000n);
    const ctl = t.registers.find((r) => r.name === "CNTP_CTL_EL0")!;
    expect(ctl.read!(0n)).toBe(4n); // CVAL 0 <= count 0: ISTATUS, not enabled
    expect(t.nextDeadline(0n)).toBeUndefined();
  });

  test("generic timer: a masked timer has no deadline", () => {
    const t = new ArmGenericTimer(10_000_000n);
    const r = (n: string) => t.registers.find((x) => x.name === n)!;
    r("CNTP_CVAL_EL0").write!(0n, 100n);
    r("CNTP_CTL_EL0").write!(0n, 3n);
    expect(t.nextDeadline(0n)).toBeUndefined();
    r("CNTP_CTL_EL0").write!(0n, 1n);
    expect(t.nextDeadline(0n)).toBe(10_000n); // 100 ticks at 10 MHz
  });
});
