// QEMU's `virt` machine for AArch64 as Microkit configures it (Cortex-A53, GICv2, 2 GiB). Device
// addresses and interrupt numbers are QEMU's (hw/arm/virt.c memory map; SPI n is IRQ 32 + n,
// PPI n is IRQ 16 + n).
import type { Board, BoardConfig, BoardInstance, DeviceTreeOptions } from "./board.js";
import { cells, FLAG, node, u64, type DtNode } from "./dtb.js";
import { ArmGenericTimer } from "./devices/arm-generic-timer.js";
import { ArmPmu } from "./devices/arm-pmu.js";
import { InterruptController } from "./devices/interrupt-controller.js";
import { Pl011 } from "./devices/pl011.js";
import { Pl031 } from "./devices/pl031.js";
import { QemuVirtPsci } from "./devices/psci.js";
import { virtioTransports } from "./devices/virtio-mmio.js";

const UART0 = { base: 0x0900_0000n, irq: 32 + 1 };
const RTC = { base: 0x0901_0000n, irq: 32 + 2 };
const VIRTIO = { base: 0x0a00_0000n, stride: 0x200, count: 32, firstIrq: 32 + 16 };
/** Non-secure EL1 physical timer: PPI 14. */
export const ARCH_TIMER_IRQ = 16 + 14;
/** GICv2: distributor, CPU interface, and with EL2 the hypervisor control and virtual CPU interfaces (64 KiB each). */
const GIC = { dist: 0x0800_0000n, cpu: 0x0801_0000n, hyp: 0x0803_0000n, vcpu: 0x0804_0000n, size: 0x1_0000n, maintenancePpi: 9 };
/** The generic timer's PPIs as QEMU lists them: secure physical, non-secure physical, virtual, hypervisor. */
const TIMER_PPIS = [13, 14, 11, 10];

/**
 * QEMU's device tree for this machine (hw/arm/virt.c, one Cortex-A53, gic-version=2, secure=off),
 * restricted to the devices modelled: memory, CPU, PSCI, GIC, generic timer, PL011, PL031, the
 * virtio-mmio slots. Cell encodings are the GIC binding's: <type number flags>, type 0 SPI / 1 PPI;
 * flags 4 level-high, 1 edge-rising, PPI flags carrying the CPU mask in bits 8-15.
 */
function deviceTree(o: DeviceTreeOptions): DtNode {
  const phandle = { clock: 0x8000, gic: 0x8001, cpu: 0x8002 };
  const ppiFlags = (1 << 8) | 4;
  const spi = (irq: number, flags: number) => cells(0, irq - 32, flags);
  const reg = (base: bigint, size: bigint) => [...u64(base), ...u64(size)];
  const virtio = Array.from({ length: VIRTIO.count }, (_, i) => {
    const base = VIRTIO.base + BigInt(i * VIRTIO.stride);
    return node(`virtio_mmio@${base.toString(16)}`, [
      ["dma-coherent", FLAG], ["interrupts", spi(VIRTIO.firstIrq + i, 1)], ["reg", cells(...reg(base, BigInt(VIRTIO.stride)))], ["compatible", "virtio,mmio"],
    ]);
  });
  const gicRegs = [...reg(GIC.dist, GIC.size), ...reg(GIC.cpu, GIC.size), ...(o.hypervisor ? [...reg(GIC.hyp, GIC.size), ...reg(GIC.vcpu, GIC.size)] : [])];
  return node("", [
    ["interrupt-parent", cells(phandle.gic)], ["model", "linux,dummy-virt"], ["#size-cells", cells(2)], ["#address-cells", cells(2)], ["compatible", "linux,dummy-virt"],
  ], [
    // With EL2 present PSCI calls go to the firmware by SMC, otherwise to the hypervisor slot by HVC.
    node("psci", [["migrate", cells(0xc4000005)], ["cpu_on", cells(0xc4000003)], ["cpu_off", cells(0x84000002)], ["cpu_suspend", cells(0xc4000001)],
      ["method", o.hypervisor ? "smc" : "hvc"], ["compatible", ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]]]),
    node(`memory@${o.ram.base.toString(16)}`, [["reg", cells(...reg(o.ram.base, o.ram.size))], ["device_type", "memory"]]),
    ...virtio,
    node(`pl031@${RTC.base.toString(16)}`, [["clock-names", "apb_pclk"], ["clocks", cells(phandle.clock)], ["interrupts", spi(RTC.irq, 4)],
      ["reg", cells(...reg(RTC.base, 0x1000n))], ["compatible", ["arm,pl031", "arm,primecell"]]]),
    node(`pl011@${UART0.base.toString(16)}`, [["clock-names", ["uartclk", "apb_pclk"]], ["clocks", cells(phandle.clock, phandle.clock)], ["interrupts", spi(UART0.irq, 4)],
      ["reg", cells(...reg(UART0.base, 0x1000n))], ["compatible", ["arm,pl011", "arm,primecell"]]]),
    node(`intc@${GIC.dist.toString(16)}`, [
      ["phandle", cells(phandle.gic)], ["reg", cells(...gicRegs)], ["compatible", "arm,cortex-a15-gic"], ["ranges", FLAG],
      ["#size-cells", cells(2)], ["#address-cells", cells(2)], ["interrupt-controller", FLAG], ["#interrupt-cells", cells(3)],
      ...(o.hypervisor ? [["interrupts", cells(1, GIC.maintenancePpi, 4)] as const] : []),
    ]),
    node("cpus", [["#size-cells", cells(0)], ["#address-cells", cells(1)]], [
      node("cpu@0", [["phandle", cells(phandle.cpu)], ["reg", cells(0)], ["compatible", "arm,cortex-a53"], ["device_type", "cpu"]]),
    ]),
    node("timer", [["interrupts", cells(...TIMER_PPIS.flatMap((p) => [1, p, ppiFlags]))], ["always-on", FLAG], ["compatible", ["arm,armv8-timer", "arm,armv7-timer"]]]),
    node("apb-pclk", [["phandle", cells(phandle.clock)], ["clock-output-names", "clk24mhz"], ["clock-frequency", cells(24_000_000)], ["#clock-cells", cells(0)], ["compatible", "fixed-clock"]]),
    node("chosen", [["stdout-path", `/pl011@${UART0.base.toString(16)}`]]),
  ]);
}

export const qemuVirtAarch64: Board = {
  name: "qemu_virt_aarch64",
  arch: "aarch64",
  description: "QEMU virt, Cortex-A53, GICv2, 2 GiB (as Microkit configures it)",
  create(c: BoardConfig): BoardInstance {
    const gic = new InterruptController("GICv2", c.maxIrq);
    const uart = new Pl011((b) => c.console("uart0", b), gic.line(UART0.irq), c.stray);
    const timer = new ArmGenericTimer(c.timerFrequencyHz, (level) => gic.line(ARCH_TIMER_IRQ).set(level));
    const rtc = new Pl031(c.clock, gic.line(RTC.irq), c.stray);
    const virtio = virtioTransports(VIRTIO, (irq) => gic.line(irq), c.stray, c.disk);
    return {
      interrupts: gic,
      sysregs: timer.registers,
      pmu: new ArmPmu().registers,
      timers: [timer],
      mmio: [{ base: UART0.base, device: uart }, { base: RTC.base, device: rtc }, ...virtio],
      uarts: [{ name: "uart0", device: uart, receive: (b) => uart.receive(b) }],
      firmware: new QemuVirtPsci(),
    };
  },
  deviceTree,
};
