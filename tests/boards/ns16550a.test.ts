// 16550A behaviour against the PC16550D datasheet: LSR, IIR priorities, DLAB, FIFOs.
import { expect, test } from "vitest";
import { Ns16550a } from "../../boards/devices/ns16550a.js";

const RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, LSR = 5, SCR = 7;

function uart() {
  const out: number[] = [];
  let level = false;
  const d = new Ns16550a((b) => out.push(b), { set: (l) => { level = l; } });
  return { d, out, level: () => level };
}

test("THR transmits; LSR has THRE|TEMT and DR when a byte waits", () => {
  const u = uart();
  u.d.write(RBR, 1, 0x68n);
  expect(u.out).toEqual([0x68]);
  expect(u.d.read(LSR, 1)).toBe(0x60n);
  u.d.receive(0x7a);
  expect(u.d.read(LSR, 1)).toBe(0x61n);
  expect(u.d.read(RBR, 1)).toBe(0x7an);
});

test("IIR: received data outranks THR empty; reading IIR clears THRE; FIFO bits when enabled", () => {
  const u = uart();
  u.d.write(FCR, 1, 0x01n);
  u.d.write(IER, 1, 0x03n); // ERBFI | ETBEI
  expect(u.level()).toBe(true);
  u.d.receive(1);
  expect(u.d.read(IIR, 1)).toBe(0xc4n); // RDA (trigger 1 byte), FIFOs on
  u.d.read(RBR, 1);
  expect(u.d.read(IIR, 1)).toBe(0xc2n); // THRE, now cleared by this read
  expect(u.d.read(IIR, 1)).toBe(0xc1n);
  expect(u.level()).toBe(false);
});

test("DLAB switches offsets 0 and 1 to the divisor latch", () => {
  const u = uart();
  u.d.write(LCR, 1, 0x80n);
  u.d.write(RBR, 1, 0x12n);
  u.d.write(IER, 1, 0x34n);
  expect(u.out).toEqual([]);
  u.d.write(LCR, 1, 0x03n);
  expect(u.d.read(IER, 1)).toBe(0n);
  u.d.write(LCR, 1, 0x83n);
  expect([u.d.read(RBR, 1), u.d.read(IER, 1)]).toEqual([0x12n, 0x34n]);
});

test("scratch register holds a byte; FIFO reset empties the receiver", () => {
  const u = uart();
  u.d.write(SCR, 1, 0x5an);
  expect(u.d.read(SCR, 1)).toBe(0x5an);
  u.d.write(FCR, 1, 0x01n);
  u.d.receive(1);
  u.d.receive(2);
  u.d.write(FCR, 1, 0x03n);
  expect(u.d.read(LSR, 1) & 1n).toBe(0n);
});
