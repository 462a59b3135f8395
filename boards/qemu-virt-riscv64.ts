// QEMU's `virt` machine for RISC-V 64 as Microkit configures it (PLIC, 2 GiB). Device addresses
// and interrupt numbers are QEMU's (hw/riscv/virt.c memory map and IRQ assignments).
import type { Board, BoardConfig, BoardInstance, DeviceTreeOptions } from "./board.js";
import { cells, FLAG, node, u64, type DtNode } from "./dtb.js";
import { GoldfishRtc } from "./devices/goldfish-rtc.js";
import { InterruptController } from "./devices/interrupt-controller.js";
import { Ns16550a } from "./devices/ns16550a.js";
import { virtioTransports } from "./devices/virtio-mmio.js";

const UART0 = { base: 0x1000_0000n, irq: 10 };
const RTC = { base: 0x0010_1000n, irq: 11 };
const VIRTIO = { base: 0x1000_1000n, stride: 0x1000, count: 8, firstIrq: 1 };
/** QEMU's VIRT_PLIC (size for one hart) and VIRT_IRQCHIP_NUM_SOURCES; the CLINT the kernel leaves to SBI. */
const PLIC = { base: 0x0c00_0000n, size: 0x60_0000n, sources: 95 };
const CLINT = { base: 0x0200_0000n, size: 0x1_0000n };
/** Local interrupt numbers of the hart's controller (RISC-V privileged spec mcause/scause codes). */
const LOCAL = { machineSoft: 3, machineTimer: 7, supervisorExternal: 9, machineExternal: 11 };

/**
 * QEMU's device tree for this machine (hw/riscv/virt.c, one hart), restricted to the devices
 * modelled: memory, the hart and its interrupt controller, PLIC, CLINT, NS16550A, Goldfish RTC,
 * the virtio-mmio slots.
 */
function deviceTree(o: DeviceTreeOptions): DtNode {
  const phandle = { cpu: 1, intc: 2, plic: 3 };
  const reg = (base: bigint, size: bigint) => cells(...u64(base), ...u64(size));
  const onPlic = (irq: number) => [["interrupts", cells(irq)], ["interrupt-parent", cells(phandle.plic)]] as const;
  const virtio = Array.from({ length: VIRTIO.count }, (_, i) => {
    const base = VIRTIO.base + BigInt(i * VIRTIO.stride);
    return node(`virtio_mmio@${base.toString(16)}`, [...onPlic(VIRTIO.firstIrq + i), ["reg", reg(base, BigInt(VIRTIO.stride))], ["compatible", "virtio,mmio"]]);
  });
  return node("", [["#address-cells", cells(2)], ["#size-cells", cells(2)], ["compatible", "riscv-virtio"], ["model", "riscv-virtio,qemu"]], [
    node("chosen", [["stdout-path", `/soc/serial@${UART0.base.toString(16)}`]]),
    node(`memory@${o.ram.base.toString(16)}`, [["device_type", "memory"], ["reg", reg(o.ram.base, o.ram.size)]]),
    node("cpus", [["#address-cells", cells(1)], ["#size-cells", cells(0)], ["timebase-frequency", cells(o.timerFrequencyHz)]], [
      node("cpu@0", [["phandle", cells(phandle.cpu)], ["device_type", "cpu"], ["reg", cells(0)], ["status", "okay"], ["compatible", "riscv"],
        ["riscv,isa", "rv64imafdc_zicsr_zifencei"], ["mmu-type", "riscv,sv48"]], [
        node("interrupt-controller", [["#address-cells", cells(0)], ["#interrupt-cells", cells(1)], ["interrupt-controller", FLAG], ["compatible", "riscv,cpu-intc"], ["phandle", cells(phandle.intc)]]),
      ]),
    ]),
    node("soc", [["#address-cells", cells(2)], ["#size-cells", cells(2)], ["compatible", "simple-bus"], ["ranges", FLAG]], [
      node(`rtc@${RTC.base.toString(16)}`, [...onPlic(RTC.irq), ["reg", reg(RTC.base, 0x1000n)], ["compatible", "google,goldfish-rtc"]]),
      node(`serial@${UART0.base.toString(16)}`, [...onPlic(UART0.irq), ["clock-frequency", cells(0x38_4000)], ["reg", reg(UART0.base, 0x100n)], ["compatible", "ns16550a"]]),
      ...virtio,
      node(`plic@${PLIC.base.toString(16)}`, [
        ["phandle", cells(phandle.plic)], ["riscv,ndev", cells(PLIC.sources)], ["reg", reg(PLIC.base, PLIC.size)],
        ["interrupts-extended", cells(phandle.intc, LOCAL.machineExternal, phandle.intc, LOCAL.supervisorExternal)],
        ["interrupt-controller", FLAG], ["compatible", ["sifive,plic-1.0.0", "riscv,plic0"]], ["#address-cells", cells(0)], ["#interrupt-cells", cells(1)],
      ]),
      node(`clint@${CLINT.base.toString(16)}`, [
        ["interrupts-extended", cells(phandle.intc, LOCAL.machineSoft, phandle.intc, LOCAL.machineTimer)], ["reg", reg(CLINT.base, CLINT.size)],
        ["compatible", ["sifive,clint0", "riscv,clint0"]],
      ]),
    ]),
  ]);
}

export const qemuVirtRiscv64: Board = {
  name: "qemu_virt_riscv64",
  arch: "riscv64",
  description: "QEMU virt, RV64, PLIC, 2 GiB (as Microkit configures it)",
  create(c: BoardConfig): BoardInstance {
    const plic = new InterruptController("PLIC", c.maxIrq);
    const uart = new Ns16550a((b) => c.console("uart0", b), plic.line(UART0.irq), c.stray);
    const rtc = new GoldfishRtc(c.clock, plic.line(RTC.irq), c.stray);
    const virtio = virtioTransports(VIRTIO, (irq) => plic.line(irq), c.stray, c.disk);
    return {
      interrupts: plic,
      sysregs: [],
      timers: [],
      mmio: [{ base: UART0.base, device: uart }, { base: RTC.base, device: rtc }, ...virtio],
      uarts: [{ name: "uart0", device: uart, receive: (b) => uart.receive(b) }],
    };
  },
  deviceTree,
};
