// QEMU's `virt` machine for RISC-V 64 as Microkit configures it (PLIC, 2 GiB). Device addresses
// and interrupt numbers are QEMU's (hw/riscv/virt.c memory map and IRQ assignments).
import type { Board, BoardConfig, BoardInstance } from "./board.js";
import { GoldfishRtc } from "./devices/goldfish-rtc.js";
import { InterruptController } from "./devices/interrupt-controller.js";
import { Ns16550a } from "./devices/ns16550a.js";
import { VirtioMmioSlot } from "./devices/virtio-mmio.js";

const UART0 = { base: 0x1000_0000n, irq: 10 };
const RTC = { base: 0x0010_1000n, irq: 11 };
const VIRTIO = { base: 0x1000_1000n, stride: 0x1000, count: 8, firstIrq: 1 };

export const qemuVirtRiscv64: Board = {
  name: "qemu_virt_riscv64",
  arch: "riscv64",
  description: "QEMU virt, RV64, PLIC, 2 GiB (as Microkit configures it)",
  create(c: BoardConfig): BoardInstance {
    const plic = new InterruptController("PLIC", c.maxIrq);
    const uart = new Ns16550a((b) => c.console("uart0", b), plic.line(UART0.irq), c.stray);
    const rtc = new GoldfishRtc(c.clock, plic.line(RTC.irq), c.stray);
    const virtio = Array.from({ length: VIRTIO.count }, (_, i) => ({
      base: VIRTIO.base + BigInt(i * VIRTIO.stride), device: new VirtioMmioSlot(VIRTIO.stride, c.stray),
    }));
    return {
      interrupts: plic,
      sysregs: [],
      timers: [],
      mmio: [{ base: UART0.base, device: uart }, { base: RTC.base, device: rtc }, ...virtio],
      uarts: [{ name: "uart0", device: uart, receive: (b) => uart.receive(b) }],
    };
  },
};
