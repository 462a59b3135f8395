// QEMU's `virt` machine for AArch64 as Microkit configures it (Cortex-A53, GICv2, 2 GiB). Device
// addresses and interrupt numbers are QEMU's (hw/arm/virt.c memory map; SPI n is IRQ 32 + n,
// PPI n is IRQ 16 + n).
import type { Board, BoardConfig, BoardInstance } from "./board.js";
import { ArmGenericTimer } from "./devices/arm-generic-timer.js";
import { InterruptController } from "./devices/interrupt-controller.js";
import { Pl011 } from "./devices/pl011.js";
import { Pl031 } from "./devices/pl031.js";
import { QemuVirtPsci } from "./devices/psci.js";
import { VirtioMmioSlot } from "./devices/virtio-mmio.js";

const UART0 = { base: 0x0900_0000n, irq: 32 + 1 };
const RTC = { base: 0x0901_0000n, irq: 32 + 2 };
const VIRTIO = { base: 0x0a00_0000n, stride: 0x200, count: 32, firstIrq: 32 + 16 };
/** Non-secure EL1 physical timer: PPI 14. */
export const ARCH_TIMER_IRQ = 16 + 14;

export const qemuVirtAarch64: Board = {
  name: "qemu_virt_aarch64",
  arch: "aarch64",
  description: "QEMU virt, Cortex-A53, GICv2, 2 GiB (as Microkit configures it)",
  create(c: BoardConfig): BoardInstance {
    const gic = new InterruptController("GICv2", c.maxIrq);
    const uart = new Pl011((b) => c.console("uart0", b), gic.line(UART0.irq), c.stray);
    const timer = new ArmGenericTimer(c.timerFrequencyHz, (level) => gic.line(ARCH_TIMER_IRQ).set(level));
    const rtc = new Pl031(c.clock, gic.line(RTC.irq), c.stray);
    const virtio = Array.from({ length: VIRTIO.count }, (_, i) => ({
      base: VIRTIO.base + BigInt(i * VIRTIO.stride), device: new VirtioMmioSlot(VIRTIO.stride, c.stray),
    }));
    return {
      interrupts: gic,
      sysregs: timer.registers,
      timers: [timer],
      mmio: [{ base: UART0.base, device: uart }, { base: RTC.base, device: rtc }, ...virtio],
      uarts: [{ name: "uart0", device: uart, receive: (b) => uart.receive(b) }],
      firmware: new QemuVirtPsci(),
    };
  },
};
