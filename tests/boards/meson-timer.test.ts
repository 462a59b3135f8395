// The Meson ISA timer block of the S905X3 at register level. Offsets are the page offsets of the
// datasheet's CBUS words (ISA_TIMER_MUX = 0x3c50 * 4 = 0xf140 from 0xffd00000, i.e. 0x140 of the
// page at 0xffd0f000); bits are Linux meson6_timer.c's / util_libs meson_timer.h's.
import { describe, expect, test } from "vitest";
import { InterruptController } from "../../boards/devices/interrupt-controller.js";
import { MesonTimer, type CountdownName } from "../../boards/devices/meson-timer.js";

const ISA_TIMER_MUX = 0x140;
const ISA_TIMERA = 0x144;
const ISA_TIMERB = 0x148;
const ISA_TIMERC = 0x14c;
const ISA_TIMERD = 0x150;
const ISA_TIMERE = 0x188;
const ISA_TIMERE_HI = 0x18c;
const ISA_TIMER_MUX1 = 0x190;
const ISA_TIMERF = 0x194;
const ISA_TIMERG = 0x198;
const ISA_TIMERH = 0x19c;
const ISA_TIMERI = 0x1a0;
// ISA_TIMER_MUX / MUX1
const TIMER_A_EN = 1n << 16n; // F under MUX1
const TIMER_B_EN = 1n << 17n;
const TIMER_A_MODE = 1n << 12n;
const A_1US = 0n;
const A_10US = 1n;
const A_100US = 2n;
const A_1MS = 3n;
const E_1US = 1n << 8n;
const E_1MS = 4n << 8n;

const NAMES: CountdownName[] = ["A", "B", "C", "D", "F", "G", "H", "I"];

function setup() {
  const clock = { now: 0n };
  const level: Record<string, boolean> = {};
  const rises: Record<string, number> = {};
  const stray: string[] = [];
  const lines = Object.fromEntries(NAMES.map((n) => {
    level[n] = false;
    rises[n] = 0;
    return [n, { set: (l: boolean) => { if (l && !level[n]) rises[n]!++; level[n] = l; } }];
  }));
  const t = new MesonTimer(() => clock.now, lines, (m) => stray.push(m));
  const at = (ns: bigint) => { clock.now = ns; t.advance(ns); };
  const r = (off: number) => t.read(off, 4);
  const w = (off: number, v: bigint) => t.write(off, 4, v);
  return { t, clock, level, rises, stray, at, r, w };
}

describe("reset and register map", () => {
  test("every timer register reads 0 at reset; nothing is due and no line is high", () => {
    const { t, r, level } = setup();
    for (const off of [ISA_TIMER_MUX, ISA_TIMERA, ISA_TIMERB, ISA_TIMERC, ISA_TIMERD, ISA_TIMERE, ISA_TIMERE_HI, ISA_TIMER_MUX1, ISA_TIMERF, ISA_TIMERG, ISA_TIMERH, ISA_TIMERI]) {
      expect(r(off)).toBe(0n);
    }
    expect(t.nextDeadline()).toBeUndefined();
    expect(Object.values(level).every((l) => !l)).toBe(true);
    expect(t.size).toBe(0x1000);
    expect(t.compatible).toContain("amlogic,meson6-timer");
  });

  test("ISA_TIMER_MUX keeps its documented fields (EN 19:16, MODE 15:12, E input 10:8, A-D inputs 7:0)", () => {
    const { r, w } = setup();
    w(ISA_TIMER_MUX, 0xffff_ffffn);
    expect(r(ISA_TIMER_MUX)).toBe(0x000f_f7ffn);
    w(ISA_TIMER_MUX, 0x0001_1403n);
    expect(r(ISA_TIMER_MUX)).toBe(0x0001_1403n);
  });

  test("ISA_TIMER_MUX1 keeps EN 19:16, MODE 15:12 and the F-I inputs 7:0 (no timer E field)", () => {
    const { r, w } = setup();
    w(ISA_TIMER_MUX1, 0xffff_ffffn);
    expect(r(ISA_TIMER_MUX1)).toBe(0x000f_f0ffn);
  });

  test("registers are named as in the datasheet for traces", () => {
    const { t } = setup();
    expect(t.registerName(0x140)).toBe("ISA_TIMER_MUX");
    expect(t.registerName(0x144)).toBe("ISA_TIMERA");
    expect(t.registerName(0x188)).toBe("ISA_TIMERE");
    expect(t.registerName(0x18c)).toBe("ISA_TIMERE_HI");
    expect(t.registerName(0x190)).toBe("ISA_TIMER_MUX1");
    expect(t.registerName(0x1a0)).toBe("ISA_TIMERI");
  });

  test("an unknown offset in the page reads 0 and is reported once; ISA_TIMERE_HI is read-only", () => {
    const { r, w, stray } = setup();
    expect(r(0x080)).toBe(0n); // gpio_intc shares the page; not modelled here
    expect(r(0x080)).toBe(0n);
    w(ISA_TIMERE_HI, 5n);
    expect(r(ISA_TIMERE_HI)).toBe(0n);
    expect(stray).toEqual([
      "meson-timer: read of unknown offset 0x80",
      "meson-timer: write of 0x5 to read-only ISA_TIMERE_HI at 0x18c",
    ]);
  });
});

describe("timer A", () => {
  test("one-shot at 1 us: starting count in 15:0, current count in 31:16, expiry after N ticks", () => {
    const { t, at, r, w, level } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1US);
    at(1_000n);
    w(ISA_TIMERA, 500n);
    expect(r(ISA_TIMERA)).toBe(0x01f4_01f4n); // count 500, start 500
    expect(t.nextDeadline()).toBe(501_000n);
    at(250_500n);
    expect(r(ISA_TIMERA)).toBe(0x00fb_01f4n); // 250.5 us left: the 250th tick has not come yet
    at(251_000n);
    expect(r(ISA_TIMERA)).toBe(0x00fa_01f4n); // 250 ticks left
    at(500_999n);
    expect(level["A"]).toBe(false);
    at(501_000n);
    expect(level["A"]).toBe(true);
    expect(r(ISA_TIMERA)).toBe(0x0000_01f4n); // stopped at 0
    expect(r(ISA_TIMER_MUX)).toBe(TIMER_A_EN); // EN stays set in one-shot mode
    expect(t.nextDeadline()).toBeUndefined();
    at(10_000_000n);
    expect(level["A"]).toBe(true); // high until the driver rewrites TIMER_A or the MUX
  });

  test.each([
    ["1 us", A_1US, 3_000n],
    ["10 us", A_10US, 30_000n],
    ["100 us", A_100US, 300_000n],
    ["1 ms", A_1MS, 3_000_000n],
  ])("timebase %s (MUX bits 1:0): 3 ticks", (_name, base, deadline) => {
    const { t, w } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | base);
    w(ISA_TIMERA, 3n);
    expect(t.nextDeadline()).toBe(deadline);
  });

  test("bits 31:16 of ISA_TIMERA are read-only: a write loads only the starting count", () => {
    const { r, w } = setup();
    w(ISA_TIMERA, 0xffff_0005n);
    expect(r(ISA_TIMERA)).toBe(0x0005_0005n);
  });

  test("rewriting TIMER_A lowers the line and restarts the count", () => {
    const { t, at, w, level } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1US);
    w(ISA_TIMERA, 10n);
    at(10_000n);
    expect(level["A"]).toBe(true);
    at(12_000n);
    w(ISA_TIMERA, 10n);
    expect(level["A"]).toBe(false);
    expect(t.nextDeadline()).toBe(22_000n);
  });

  test("rewriting TIMER_MUX lowers the line (even with the same value)", () => {
    const { at, w, level } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1US);
    w(ISA_TIMERA, 10n);
    at(10_000n);
    expect(level["A"]).toBe(true);
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1US);
    expect(level["A"]).toBe(false);
  });

  test("periodic (MODE bit 12): reloads and expires every N ticks, a new rising edge each time", () => {
    const { t, at, w, level, rises } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | TIMER_A_MODE | A_1MS);
    w(ISA_TIMERA, 2n);
    at(2_000_000n);
    expect(level["A"]).toBe(true);
    expect(rises["A"]).toBe(1);
    expect(t.nextDeadline()).toBe(4_000_000n);
    at(4_000_000n);
    expect(rises["A"]).toBe(2);
    at(6_000_000n);
    expect(rises["A"]).toBe(3);
    expect(level["A"]).toBe(true);
    expect(t.nextDeadline()).toBe(8_000_000n);
  });

  test("enabled before it is loaded (count 0), timer A never fires; loading it arms it", () => {
    const { t, at, w, level } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | E_1US | A_1MS);
    expect(t.nextDeadline()).toBeUndefined();
    at(5_000_000_000n);
    expect(level["A"]).toBe(false);
    w(ISA_TIMERA, 1000n);
    expect(t.nextDeadline()).toBe(6_000_000_000n);
  });

  test("loaded while disabled it waits; setting EN starts the count", () => {
    const { t, at, w, r } = setup();
    w(ISA_TIMER_MUX, A_100US);
    w(ISA_TIMERA, 7n);
    expect(t.nextDeadline()).toBeUndefined();
    at(1_000_000n);
    expect(r(ISA_TIMERA)).toBe(0x0007_0007n);
    w(ISA_TIMER_MUX, TIMER_A_EN | A_100US);
    expect(t.nextDeadline()).toBe(1_700_000n);
  });

  test("clearing EN freezes the count; setting it again resumes from there", () => {
    const { t, at, w, r } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1MS);
    w(ISA_TIMERA, 10n);
    at(3_500_000n);
    w(ISA_TIMER_MUX, A_1MS);
    expect(r(ISA_TIMERA)).toBe(0x0007_000an); // 6.5 ms left: 7 ticks
    expect(t.nextDeadline()).toBeUndefined();
    at(10_000_000n);
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1MS);
    expect(t.nextDeadline()).toBe(17_000_000n);
  });

  test("a MUX write that leaves timer A's EN and timebase alone does not move its expiry", () => {
    const { t, at, w } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1MS);
    w(ISA_TIMERA, 10n);
    at(3_500_000n);
    w(ISA_TIMER_MUX, TIMER_A_EN | TIMER_A_MODE | E_1US | A_1MS);
    expect(t.nextDeadline()).toBe(10_000_000n);
  });

  test("changing the timebase while running restarts the remaining count in the new one", () => {
    const { t, at, w } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1MS);
    w(ISA_TIMERA, 10n);
    at(4_000_000n); // 6 ticks left
    w(ISA_TIMER_MUX, TIMER_A_EN | A_10US);
    expect(t.nextDeadline()).toBe(4_060_000n);
  });

  test("an access lets time pass first: a read after the expiry sees the line already high", () => {
    const { clock, r, w, level } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | A_1US);
    w(ISA_TIMERA, 5n);
    clock.now = 7_000n; // no advance() from the machine yet
    expect(r(ISA_TIMERA)).toBe(0x0000_0005n);
    expect(level["A"]).toBe(true);
  });
});

describe("interrupt delivery through the GIC", () => {
  function gic(trigger: "edge" | "level") {
    const clock = { now: 0n };
    const ic = new InterruptController("GICv2", 255);
    ic.enable(42, trigger);
    const t = new MesonTimer(() => clock.now, { A: ic.line(42) });
    const at = (ns: bigint) => { clock.now = ns; t.advance(ns); };
    return { ic, t, at };
  }

  test("edge: one delivery per periodic expiry, though the driver never rewrites a register", () => {
    const { ic, t, at } = gic("edge");
    t.write(ISA_TIMER_MUX, 4, TIMER_A_EN | TIMER_A_MODE | A_1MS);
    t.write(ISA_TIMERA, 4, 1n);
    at(1_000_000n);
    expect(ic.take()).toBe(42);
    ic.unmask(42);
    expect(ic.take()).toBeUndefined();
    at(2_000_000n);
    expect(ic.take()).toBe(42);
    ic.unmask(42);
    expect(ic.take()).toBeUndefined();
  });

  test("level: delivered again after the ack until the driver rewrites TIMER_A; then once per expiry", () => {
    const { ic, t, at } = gic("level");
    t.write(ISA_TIMER_MUX, 4, TIMER_A_EN | A_1US);
    t.write(ISA_TIMERA, 4, 100n);
    at(100_000n);
    expect(ic.take()).toBe(42);
    ic.unmask(42);
    expect(ic.take()).toBe(42); // the level is still high
    t.write(ISA_TIMERA, 4, 100n);
    ic.unmask(42);
    expect(ic.take()).toBeUndefined();
    at(200_000n);
    expect(ic.take()).toBe(42);
  });
});

describe("timers B-D and F-I", () => {
  test.each([
    ["B", ISA_TIMERB, ISA_TIMER_MUX, 1],
    ["C", ISA_TIMERC, ISA_TIMER_MUX, 2],
    ["D", ISA_TIMERD, ISA_TIMER_MUX, 3],
    ["F", ISA_TIMERF, ISA_TIMER_MUX1, 0],
    ["G", ISA_TIMERG, ISA_TIMER_MUX1, 1],
    ["H", ISA_TIMERH, ISA_TIMER_MUX1, 2],
    ["I", ISA_TIMERI, ISA_TIMER_MUX1, 3],
  ] as const)("timer %s: EN bit 16+i, MODE 12+i, timebase bits 2i+1:2i, its own line", (name, reg, mux, i) => {
    const { t, at, w, r, level } = setup();
    const bit = BigInt(i);
    w(mux, (1n << (16n + bit)) | (A_10US << (2n * bit)));
    w(reg, 4n);
    expect(r(reg)).toBe(0x0004_0004n);
    expect(t.nextDeadline()).toBe(40_000n);
    at(40_000n);
    expect(Object.entries(level).filter(([, l]) => l).map(([n]) => n)).toEqual([name]);
  });

  test("a MUX1 write lowers F-I's lines but not A's; a MUX write lowers A-D's but not F's", () => {
    const { at, w, level } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | TIMER_B_EN);
    w(ISA_TIMER_MUX1, TIMER_A_EN); // F
    w(ISA_TIMERA, 1n);
    w(ISA_TIMERB, 1n);
    w(ISA_TIMERF, 1n);
    at(1_000n);
    expect([level["A"], level["B"], level["F"]]).toEqual([true, true, true]);
    w(ISA_TIMER_MUX1, TIMER_A_EN);
    expect([level["A"], level["B"], level["F"]]).toEqual([true, true, false]);
    w(ISA_TIMER_MUX, TIMER_A_EN | TIMER_B_EN);
    expect([level["A"], level["B"]]).toEqual([false, false]);
  });

  test("nextDeadline is the earliest of all running timers", () => {
    const { t, w } = setup();
    w(ISA_TIMER_MUX, TIMER_A_EN | TIMER_B_EN | A_1MS);
    w(ISA_TIMER_MUX1, TIMER_A_EN | A_1US);
    w(ISA_TIMERA, 3n); // 3 ms
    w(ISA_TIMERB, 9n); // 9 us
    w(ISA_TIMERF, 20n); // 20 us
    expect(t.nextDeadline()).toBe(9_000n);
  });
});

describe("timer E", () => {
  test("counts microseconds from its last write (writing any value resets it to 0)", () => {
    const { at, w, r } = setup();
    w(ISA_TIMER_MUX, E_1US);
    at(3_000n);
    w(ISA_TIMERE, 0x1234n);
    expect(r(ISA_TIMERE)).toBe(0n);
    at(1_237_999n);
    expect(r(ISA_TIMERE)).toBe(1_234n);
    at(1_238_000n);
    expect(r(ISA_TIMERE)).toBe(1_235n);
  });

  test.each([
    ["10 us", 2n << 8n, 123n],
    ["100 us", 3n << 8n, 12n],
    ["1 ms", 4n << 8n, 1n],
  ])("timebase %s (MUX bits 10:8)", (_name, base, count) => {
    const { at, w, r } = setup();
    w(ISA_TIMER_MUX, base);
    w(ISA_TIMERE, 0n);
    at(1_234_567n);
    expect(r(ISA_TIMERE)).toBe(count);
  });

  test("64 bits: reading ISA_TIMERE latches the high half into ISA_TIMERE_HI", () => {
    const { at, w, r } = setup();
    w(ISA_TIMER_MUX, E_1US);
    w(ISA_TIMERE, 0n);
    at(5_000_000_000_000n); // 5,000 s = 5e9 us = 0x1_2a05_f200
    expect(r(ISA_TIMERE_HI)).toBe(0n); // not latched yet
    expect(r(ISA_TIMERE)).toBe(0x2a05_f200n);
    expect(r(ISA_TIMERE_HI)).toBe(1n);
  });

  test("the system clock (0) and reserved (5-7) selections hold the count; a switch keeps it", () => {
    const { at, w, r } = setup();
    w(ISA_TIMER_MUX, E_1US);
    w(ISA_TIMERE, 0n);
    at(1_000_000n);
    w(ISA_TIMER_MUX, E_1MS);
    at(3_000_000n);
    expect(r(ISA_TIMERE)).toBe(1_002n);
    w(ISA_TIMER_MUX, 0n);
    at(9_000_000n);
    expect(r(ISA_TIMERE)).toBe(1_002n);
    w(ISA_TIMER_MUX, 5n << 8n);
    at(20_000_000n);
    expect(r(ISA_TIMERE)).toBe(1_002n);
  });

  test("timer E never interrupts and has no deadline", () => {
    const { t, at, w, level } = setup();
    w(ISA_TIMER_MUX, E_1US);
    at(1_000_000_000n);
    expect(t.nextDeadline()).toBeUndefined();
    expect(Object.values(level).every((l) => !l)).toBe(true);
  });
});

test("save/restore carries the counts, the deadlines, timer E and the line levels", () => {
  const a = setup();
  a.w(ISA_TIMER_MUX, TIMER_A_EN | TIMER_A_MODE | TIMER_B_EN | E_1US | A_1MS);
  a.w(ISA_TIMERE, 0n);
  a.w(ISA_TIMERA, 2n);
  a.w(ISA_TIMERB, 100n);
  a.at(2_500_000n); // A (2 x 1 ms, periodic) has expired once, B (100 x 1 us, one-shot) too
  const state = a.t.save();
  a.at(4_000_000n); // the original runs on; the snapshot must not
  const b = setup();
  b.clock.now = 2_500_000n;
  b.t.restore(state);
  expect([b.level["A"], b.level["B"]]).toEqual([true, true]);
  expect(b.t.nextDeadline()).toBe(4_000_000n);
  expect(b.r(ISA_TIMERE)).toBe(2_500n);
  expect(b.r(ISA_TIMERA)).toBe(0x0002_0002n); // 1.5 ms left of 2: 2 ticks
  expect(b.r(ISA_TIMERB)).toBe(0x0000_0064n);
});
