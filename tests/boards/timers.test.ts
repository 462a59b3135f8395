// Timers on virtual time: the AArch64 generic timer's EL0 registers, the Goldfish RTC and PL031.
import { expect, test } from "vitest";
import { ArmGenericTimer } from "../../boards/devices/arm-generic-timer.js";
import { GoldfishRtc } from "../../boards/devices/goldfish-rtc.js";
import { InterruptController } from "../../boards/devices/interrupt-controller.js";
import { Pl031 } from "../../boards/devices/pl031.js";

const reg = (t: ArmGenericTimer, name: string) => t.registers.find((r) => r.name === name)!;

test("generic timer: CNTPCT counts at the frequency; CVAL/TVAL/CTL and the line", () => {
  let level = false;
  const t = new ArmGenericTimer(62_500_000n, (l) => { level = l; });
  expect(reg(t, "CNTFRQ_EL0").read!(0n)).toBe(62_500_000n);
  expect(reg(t, "CNTPCT_EL0").read!(1_000_000_000n)).toBe(62_500_000n); // 1 s
  expect(reg(t, "CNTPCT_EL0").read!(16n)).toBe(1n);
  reg(t, "CNTP_TVAL_EL0").write!(0n, 625n); // 10 us ahead
  expect(reg(t, "CNTP_CVAL_EL0").read!(0n)).toBe(625n);
  reg(t, "CNTP_CTL_EL0").write!(0n, 1n);
  expect(t.nextDeadline(0n)).toBe(10_000n);
  expect(reg(t, "CNTP_CTL_EL0").read!(9_999n)).toBe(1n);
  t.advance(10_000n);
  expect(level).toBe(true);
  expect(reg(t, "CNTP_CTL_EL0").read!(10_000n)).toBe(5n); // ENABLE | ISTATUS
  reg(t, "CNTP_CTL_EL0").write!(10_000n, 3n); // masked
  expect(level).toBe(false);
  expect(BigInt.asIntN(32, reg(t, "CNTP_TVAL_EL0").read!(20_000n))).toBe(-625n);
});

test("Goldfish RTC: TIME in ns with the high half latched; the alarm raises the line once enabled", () => {
  let now = 0x1_2345_6789n;
  let level = false;
  const rtc = new GoldfishRtc(() => now, { set: (l) => { level = l; } });
  expect(rtc.read(0x00, 4)).toBe(0x2345_6789n);
  now += 0x1_0000_0000n;
  expect(rtc.read(0x04, 4)).toBe(1n); // latched at the TIME_LOW read
  rtc.write(0x10, 4, 1n);
  rtc.write(0x0c, 4, 0n);
  rtc.write(0x08, 4, 0x4000_0000n);
  expect(rtc.read(0x18, 4)).toBe(0n); // already in the past: fired at once
  expect(level).toBe(true);
  rtc.write(0x1c, 4, 1n);
  expect(level).toBe(false);
  rtc.write(0x0c, 4, 3n);
  rtc.write(0x08, 4, 0n);
  expect(rtc.nextDeadline()).toBe(3n << 32n);
  now = 3n << 32n;
  rtc.advance(now);
  expect(level).toBe(true);
});

test("PL031: seconds from the load value; match interrupt", () => {
  let now = 0n;
  let level = false;
  const rtc = new Pl031(() => now, { set: (l) => { level = l; } });
  rtc.write(0x008, 4, 100n);
  now = 2_500_000_000n;
  expect(rtc.read(0x000, 4)).toBe(102n);
  rtc.write(0x010, 4, 1n);
  rtc.write(0x004, 4, 105n);
  expect(rtc.nextDeadline(now)).toBe(5_000_000_000n);
  now = 5_000_000_000n;
  rtc.advance(now);
  expect(level).toBe(true);
  rtc.write(0x01c, 4, 1n);
  expect(level).toBe(false);
});

test("interrupt controller: masked on delivery until acked; a level still high fires again; lowest first", () => {
  const ic = new InterruptController("test", 63);
  ic.enable(33, "level");
  ic.enable(40, "edge");
  ic.line(40).set(true);
  ic.line(33).set(true);
  expect(ic.take()).toBe(33);
  expect(ic.take()).toBe(40);
  expect(ic.take()).toBeUndefined();
  ic.unmask(40);
  expect(ic.take()).toBeUndefined(); // an edge is delivered once
  ic.unmask(33);
  expect(ic.take()).toBe(33); // the level is still high
  ic.line(7).set(true);
  expect(ic.take()).toBeUndefined(); // nobody asked for IRQ 7
  expect(() => ic.line(64)).toThrow("test: IRQ 64 out of range 0..63");
});
