// The Meson UART (S905X3 UART_AO) at register level. Offsets and bits are Linux meson_uart.c's
// AML_UART_* and sDDF's drivers/serial/meson/include/uart.h (S905X3 datasheet 13.5.4).
import { describe, expect, test } from "vitest";
import { InterruptController } from "../../boards/devices/interrupt-controller.js";
import { MesonUart } from "../../boards/devices/meson-uart.js";

const WFIFO = 0x00;
const RFIFO = 0x04;
const CONTROL = 0x08;
const STATUS = 0x0c;
const MISC = 0x10;
const REG5 = 0x14;
// CONTROL
const TX_EN = 1n << 12n;
const RX_EN = 1n << 13n;
const TX_RST = 1n << 22n;
const RX_RST = 1n << 23n;
const CLEAR_ERR = 1n << 24n;
const RX_INT_EN = 1n << 27n;
const TX_INT_EN = 1n << 28n;
// STATUS
const TX_FIFO_WERR = 1n << 18n;
const RX_FULL = 1n << 19n;
const RX_EMPTY = 1n << 20n;
const TX_FULL = 1n << 21n;
const TX_EMPTY = 1n << 22n;
// MISC
const RECV_IRQ = (n: bigint) => n;
const XMIT_IRQ = (n: bigint) => n << 8n;

function setup() {
  const out: number[] = [];
  const stray: string[] = [];
  let level = false;
  const u = new MesonUart((b) => out.push(b), { set: (l) => { level = l; } }, (m) => stray.push(m));
  const r = (off: number) => u.read(off, 4);
  const w = (off: number, v: bigint) => u.write(off, 4, v);
  return { u, out, stray, r, w, line: () => level };
}

describe("reset and register map", () => {
  test("reset: CONTROL has TX_EN and RX_EN (the boot console), both FIFOs empty, no interrupt", () => {
    const { u, r, line } = setup();
    expect(r(CONTROL)).toBe(0x3000n);
    expect(r(STATUS)).toBe(0x0050_0000n); // RX_EMPTY | TX_EMPTY, counts 0
    expect(r(MISC)).toBe(0n);
    expect(r(REG5)).toBe(0n);
    expect(line()).toBe(false);
    expect(u.compatible).toEqual(["amlogic,meson-g12a-uart", "amlogic,meson-gx-uart", "amlogic,meson-ao-uart"]);
  });

  test("CONTROL, MISC and REG5 read back as written (TX_RST, RX_RST, CLEAR_ERR do not clear themselves)", () => {
    const { r, w } = setup();
    w(CONTROL, 0x01c0_3000n);
    expect(r(CONTROL)).toBe(0x01c0_3000n);
    w(MISC, 0x0000_2001n);
    expect(r(MISC)).toBe(0x2001n);
    w(REG5, 0x0180_0068n); // AML_UART_BAUD_USE | AML_UART_BAUD_XTAL | 104
    expect(r(REG5)).toBe(0x0180_0068n);
  });

  test("datasheet register names; unknown offsets and wrong directions are reported once", () => {
    const { u, r, w, stray } = setup();
    expect([0, 4, 8, 0xc, 0x10, 0x14].map((o) => u.registerName(o))).toEqual([
      "AML_UART_WFIFO", "AML_UART_RFIFO", "AML_UART_CONTROL", "AML_UART_STATUS", "AML_UART_MISC", "AML_UART_REG5",
    ]);
    expect(r(0x18)).toBe(0n);
    expect(r(WFIFO)).toBe(0n);
    w(STATUS, 1n);
    w(STATUS, 1n);
    expect(stray).toEqual([
      "meson-uart: read of unknown offset 0x18",
      "meson-uart: read of write-only AML_UART_WFIFO at 0x0",
      "meson-uart: write of 0x1 to read-only AML_UART_STATUS at 0xc",
    ]);
  });
});

describe("transmit", () => {
  test("with TX_EN a byte written to WFIFO goes out at once; only bits 7:0 count", () => {
    const { out, r, w } = setup();
    w(WFIFO, 0x41n);
    w(WFIFO, 0x142n);
    expect(out).toEqual([0x41, 0x42]);
    expect(r(STATUS)).toBe(0x0050_0000n);
  });

  test("with TX_EN clear bytes wait in the TX FIFO (count in bits 14:8) and leave when TX_EN is set", () => {
    const { out, r, w } = setup();
    w(CONTROL, RX_EN);
    for (const b of [1n, 2n, 3n]) w(WFIFO, b);
    expect(out).toEqual([]);
    expect(r(STATUS)).toBe(RX_EMPTY | (3n << 8n));
    w(CONTROL, RX_EN | TX_EN);
    expect(out).toEqual([1, 2, 3]);
    expect(r(STATUS)).toBe(RX_EMPTY | TX_EMPTY);
  });

  test("a full TX FIFO (64) sets TX_FULL; one more write is lost and sets TX_FIFO_WERR until CLEAR_ERR", () => {
    const { out, r, w } = setup();
    w(CONTROL, 0n);
    for (let i = 0; i < 64; i++) w(WFIFO, BigInt(i));
    expect(r(STATUS)).toBe(RX_EMPTY | TX_FULL | (64n << 8n));
    w(WFIFO, 0xffn);
    expect(r(STATUS)).toBe(RX_EMPTY | TX_FULL | TX_FIFO_WERR | (64n << 8n));
    w(CONTROL, CLEAR_ERR);
    expect(r(STATUS)).toBe(RX_EMPTY | TX_FULL | (64n << 8n));
    w(CONTROL, TX_EN);
    expect(out).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  test("TX_RST empties the TX FIFO", () => {
    const { out, r, w } = setup();
    w(CONTROL, 0n);
    w(WFIFO, 7n);
    w(CONTROL, TX_RST);
    w(CONTROL, TX_EN);
    expect(out).toEqual([]);
    expect(r(STATUS)).toBe(RX_EMPTY | TX_EMPTY);
  });
});

describe("receive", () => {
  test("bytes queue in order; RFIFO pops them; STATUS bits 6:0 count them; empty RFIFO reads 0", () => {
    const { u, r } = setup();
    expect(u.receive(0x61)).toBe(true);
    expect(u.receive(0x62)).toBe(true);
    expect(r(STATUS)).toBe(TX_EMPTY | 2n);
    expect(r(RFIFO)).toBe(0x61n);
    expect(r(RFIFO)).toBe(0x62n);
    expect(r(STATUS)).toBe(TX_EMPTY | RX_EMPTY);
    expect(r(RFIFO)).toBe(0n);
  });

  test("the RX FIFO holds 64 bytes: RX_FULL, and the host keeps the 65th", () => {
    const { u, r } = setup();
    for (let i = 0; i < 64; i++) expect(u.receive(i)).toBe(true);
    expect(u.receive(64)).toBe(false);
    expect(r(STATUS)).toBe(TX_EMPTY | RX_FULL | 64n);
    expect(r(RFIFO)).toBe(0n);
    expect(u.receive(64)).toBe(true);
    expect(r(STATUS)).toBe(TX_EMPTY | RX_FULL | 64n);
  });

  test("with RX_EN clear nothing is taken; RX_RST empties the RX FIFO", () => {
    const { u, r, w } = setup();
    w(CONTROL, TX_EN);
    expect(u.receive(0x61)).toBe(false);
    w(CONTROL, TX_EN | RX_EN);
    expect(u.receive(0x61)).toBe(true);
    w(CONTROL, TX_EN | RX_EN | RX_RST);
    expect(r(STATUS)).toBe(TX_EMPTY | RX_EMPTY);
  });
});

describe("interrupts", () => {
  test("RX: with RX_INT_EN the line rises at MISC RECV_IRQ bytes and falls when the FIFO drains", () => {
    const { u, r, w, line } = setup();
    w(MISC, RECV_IRQ(3n));
    w(CONTROL, TX_EN | RX_EN | RX_INT_EN);
    u.receive(1);
    u.receive(2);
    expect(line()).toBe(false);
    u.receive(3);
    expect(line()).toBe(true);
    r(RFIFO);
    expect(line()).toBe(false);
  });

  test("RX: RECV_IRQ 0 behaves as 1; without RX_INT_EN no interrupt", () => {
    const { u, r, w, line } = setup();
    u.receive(1);
    expect(line()).toBe(false);
    w(CONTROL, TX_EN | RX_EN | RX_INT_EN);
    expect(line()).toBe(true);
    r(RFIFO);
    expect(line()).toBe(false);
  });

  test("TX: with TX_INT_EN the line is high while the TX FIFO holds fewer than MISC XMIT_IRQ bytes", () => {
    const { r, w, line } = setup();
    w(CONTROL, TX_INT_EN); // TX off: bytes stay in the FIFO
    expect(line()).toBe(false); // XMIT_IRQ 0: never
    w(MISC, XMIT_IRQ(2n));
    expect(line()).toBe(true); // 0 < 2
    w(WFIFO, 1n);
    expect(line()).toBe(true); // 1 < 2
    w(WFIFO, 2n);
    expect(line()).toBe(false); // 2
    w(CONTROL, TX_INT_EN | TX_EN);
    expect(line()).toBe(true); // drained
    w(CONTROL, TX_EN);
    expect(line()).toBe(false);
    expect(r(STATUS)).toBe(RX_EMPTY | TX_EMPTY);
  });

  test("edge-triggered at the GIC (as the device tree wires it): one delivery per rise of the line", () => {
    const ic = new InterruptController("GICv2", 255);
    ic.enable(225, "edge");
    const u = new MesonUart(() => {}, ic.line(225));
    u.write(MISC, 4, RECV_IRQ(1n));
    u.write(CONTROL, 4, TX_EN | RX_EN | RX_INT_EN);
    u.receive(1);
    u.receive(2); // the line is already high: no new edge
    expect(ic.take()).toBe(225);
    ic.unmask(225);
    expect(ic.take()).toBeUndefined();
    u.read(RFIFO, 4);
    u.read(RFIFO, 4);
    u.receive(3);
    ic.unmask(225);
    expect(ic.take()).toBe(225);
  });
});

test("save/restore carries both FIFOs and the registers", () => {
  const a = setup();
  a.w(CONTROL, RX_EN | RX_INT_EN);
  a.w(MISC, 0x0101n);
  a.w(WFIFO, 0x7an);
  a.u.receive(0x30);
  a.u.receive(0x31);
  const state = a.u.save();
  a.r(RFIFO);
  const b = setup();
  b.u.restore(state);
  expect(b.line()).toBe(true);
  expect(b.r(STATUS)).toBe((1n << 8n) | 2n);
  expect(b.r(CONTROL)).toBe(RX_EN | RX_INT_EN);
  expect(b.r(RFIFO)).toBe(0x30n);
  expect(b.r(RFIFO)).toBe(0x31n);
  b.w(CONTROL, TX_EN);
  expect(b.out).toEqual([0x7a]);
});
