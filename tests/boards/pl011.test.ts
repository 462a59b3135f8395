// PL011 register behaviour against the Arm TRM (DDI 0183): flags, FIFOs, interrupt status and mask.
import { describe, expect, test } from "vitest";
import { Pl011 } from "../../boards/devices/pl011.js";

function uart() {
  const out: number[] = [];
  const levels: boolean[] = [];
  const stray: string[] = [];
  const d = new Pl011((b) => out.push(b), { set: (l) => levels.push(l) }, (m) => stray.push(m));
  return { d, out, levels, stray, level: () => levels.at(-1) ?? false };
}

// Offsets (TRM table 3-1).
const DR = 0x000, FR = 0x018, LCR_H = 0x02c, IFLS = 0x034, IMSC = 0x038, RIS = 0x03c, MIS = 0x040, ICR = 0x044;

describe("PL011", () => {
  test("writing UARTDR transmits the low byte", () => {
    const u = uart();
    u.d.write(DR, 4, 0x1_41n);
    expect(u.out).toEqual([0x41]);
  });

  test("UARTFR: TXFE always set; RXFE until a byte arrives; RXFF when the 1-entry holding register is full", () => {
    const u = uart();
    expect(u.d.read(FR, 4)).toBe(0x90n); // TXFE | RXFE
    expect(u.d.receive(0x61)).toBe(true);
    expect(u.d.read(FR, 4)).toBe(0xc0n); // TXFE | RXFF (FIFOs off: depth 1)
    expect(u.d.receive(0x62)).toBe(false); // full: the host keeps the byte
    expect(u.d.read(DR, 4)).toBe(0x61n);
    expect(u.d.read(FR, 4)).toBe(0x90n);
  });

  test("with FIFOs on (LCR_H.FEN) 16 bytes queue in order", () => {
    const u = uart();
    u.d.write(LCR_H, 4, 0x70n);
    for (let i = 0; i < 16; i++) expect(u.d.receive(i)).toBe(true);
    expect(u.d.receive(99)).toBe(false);
    expect(Array.from({ length: 16 }, () => Number(u.d.read(DR, 4)))).toEqual([...Array(16).keys()]);
  });

  test("RX interrupt at the trigger level, RT below it; the line follows RIS & IMSC", () => {
    const u = uart();
    u.d.write(LCR_H, 4, 0x10n);
    u.d.write(IFLS, 4, 0n << 3n); // RX trigger 1/8 = 2 bytes
    u.d.write(IMSC, 4, 0x50n); // RXIM | RTIM
    u.d.receive(1);
    expect(u.d.read(RIS, 4) & 0x50n).toBe(0x40n); // RT only
    expect(u.level()).toBe(true);
    u.d.receive(2);
    expect(u.d.read(RIS, 4) & 0x50n).toBe(0x10n); // RX
    u.d.read(DR, 4);
    u.d.read(DR, 4);
    expect(u.d.read(RIS, 4) & 0x50n).toBe(0n);
    expect(u.level()).toBe(false);
  });

  test("TX interrupt after a write, cleared by UARTICR; masked status in UARTMIS", () => {
    const u = uart();
    u.d.write(DR, 4, 0x41n);
    expect(u.d.read(RIS, 4) & 0x20n).toBe(0x20n);
    expect(u.d.read(MIS, 4)).toBe(0n);
    expect(u.level()).toBe(false);
    u.d.write(IMSC, 4, 0x20n);
    expect(u.level()).toBe(true);
    u.d.write(ICR, 4, 0x20n);
    expect(u.d.read(RIS, 4) & 0x20n).toBe(0n);
    expect(u.level()).toBe(false);
  });

  test("identification registers read the PrimeCell values", () => {
    const u = uart();
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => u.d.read(o, 4))).toEqual([0x11n, 0x10n, 0x14n, 0n, 0x0dn, 0xf0n, 0x05n, 0xb1n]);
  });

  test("an unknown offset reads 0 and is reported once", () => {
    const u = uart();
    expect(u.d.read(0x800, 4)).toBe(0n);
    u.d.read(0x800, 4);
    expect(u.stray).toEqual(["pl011: read of unknown offset 0x800"]);
  });

  test("save/restore keeps FIFO contents and registers", () => {
    const a = uart();
    a.d.write(LCR_H, 4, 0x10n);
    a.d.write(IMSC, 4, 0x10n);
    a.d.receive(7);
    const b = uart();
    b.d.restore(a.d.save());
    expect(b.d.read(IMSC, 4)).toBe(0x10n);
    expect(b.d.read(DR, 4)).toBe(7n);
  });
});
