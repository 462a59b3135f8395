// Hardkernel ODROID-C4 (Amlogic S905X3: 4x Cortex-A55, GIC-400 i.e. GICv2) as Microkit configures
// it. Addresses and interrupts are the board's device tree (Linux arch/arm64/boot/dts/amlogic/
// meson-g12-common.dtsi, which seL4's odroidc4.dts follows) and seL4 util_libs' odroidc4 headers;
// SPI n is IRQ 32 + n.
import type { Board, BoardConfig, BoardInstance, DeviceTreeOptions } from "./board.js";
import { cells, FLAG, node, u64, type DtNode } from "./dtb.js";
import { ArmGenericTimer } from "./devices/arm-generic-timer.js";
import { ArmPmu } from "./devices/arm-pmu.js";
import { InterruptController } from "./devices/interrupt-controller.js";
import { MesonTimer, type CountdownName } from "./devices/meson-timer.js";
import { MesonUart } from "./devices/meson-uart.js";
import { UnmodelledDevices } from "./devices/unmodelled.js";

/** aobus@ff800000 serial@3000 (uart_AO), GIC_SPI 193 edge-rising; util_libs UART0_AO_PADDR/IRQ. */
const UART_AO = { base: 0xff80_3000n, irq: 32 + 193 };
/**
 * The ISA timer block's page (util_libs odroid_timer.h TIMER_MAP_BASE; ISA_TIMER_MUX at 0x140 of it)
 * and the interrupt of each countdown timer (util_libs meson_timer.h TIMER_x_IRQ, shared by odroidc2
 * and odroidc4; timer A's 42 is the upstream Microkit timer example's).
 */
const TIMER = { base: 0xffd0_f000n, irqs: { A: 42, B: 43, C: 38, D: 61, F: 92, G: 93, H: 94, I: 95 } satisfies Record<CountdownName, number> };
/** cbus: bus@ffd00000, 1 MiB of EE peripherals, the timer page among them. */
const CBUS = { base: 0xffd0_0000n, size: 0x10_0000n };
/**
 * EL0 sees the physical counter (KernelArmExportPCNTUser) but not the physical timer: Microkit sets
 * KernelArmExportPTMRUser only for qemu_virt_aarch64 (boards.json: odroidc4 export_ptmr_user false),
 * so CNTP_* accesses trap. CNTFRQ_EL0 is readable whenever a counter is exported.
 */
const EL0_GENERIC_TIMER_REGISTERS = ["CNTFRQ_EL0", "CNTPCT_EL0"];

/** GIC-400: distributor, CPU interface, hypervisor control, virtual CPU interface (seL4 tools/dts/odroidc4.dts). */
const GIC = [[0xffc0_1000n, 0x1000n], [0xffc0_2000n, 0x2000n], [0xffc0_4000n, 0x2000n], [0xffc0_6000n, 0x2000n]] as const;

/**
 * The board's device tree (seL4 tools/dts/odroidc4.dts) restricted to what is modelled: memory, the
 * four Cortex-A55s, GIC-400, the generic timer and UART_AO (placed at its absolute address).
 * PPI flags 0xff04/0xff08 carry the CPU mask of four cores.
 */
function deviceTree(o: DeviceTreeOptions): DtNode {
  const gic = 1;
  const reg = (base: bigint, size: bigint) => [...u64(base), ...u64(size)];
  return node("", [["interrupt-parent", cells(gic)], ["#address-cells", cells(2)], ["#size-cells", cells(2)],
    ["compatible", ["hardkernel,odroid-c4", "amlogic,sm1"]], ["model", "Hardkernel ODROID-C4"]], [
    node("chosen", [["stdout-path", `/serial@${UART_AO.base.toString(16)}`]]),
    node(`memory@${o.ram.base.toString(16)}`, [["device_type", "memory"], ["reg", cells(...reg(o.ram.base, o.ram.size))]]),
    node("cpus", [["#address-cells", cells(2)], ["#size-cells", cells(0)]], [0, 1, 2, 3].map((i) =>
      node(`cpu@${i}`, [["device_type", "cpu"], ["compatible", "arm,cortex-a55"], ["reg", cells(0, i)], ["enable-method", "psci"]]))),
    node("psci", [["compatible", "arm,psci-1.0"], ["method", "smc"]]),
    node(`interrupt-controller@${GIC[0][0].toString(16)}`, [["compatible", "arm,gic-400"], ["reg", cells(...GIC.flatMap(([b, s]) => reg(b, s)))],
      ["interrupt-controller", FLAG], ["interrupts", cells(1, 9, 0xff04)], ["#interrupt-cells", cells(3)], ["#address-cells", cells(0)], ["phandle", cells(gic)]]),
    node("timer", [["compatible", "arm,armv8-timer"], ["interrupts", cells(...[13, 14, 11, 10].flatMap((p) => [1, p, 0xff08]))]]),
    node(`serial@${UART_AO.base.toString(16)}`, [["compatible", ["amlogic,meson-gx-uart", "amlogic,meson-ao-uart"]], ["reg", cells(...reg(UART_AO.base, 0x18n))],
      ["interrupts", cells(0, UART_AO.irq - 32, 1)], ["status", "okay"]]),
  ]);
}

export const odroidc4: Board = {
  name: "odroidc4",
  arch: "aarch64",
  description: "Hardkernel ODROID-C4, Amlogic S905X3, Cortex-A55, GICv2 (as Microkit configures it)",
  create(c: BoardConfig): BoardInstance {
    const gic = new InterruptController("GICv2", c.maxIrq);
    const uart = new MesonUart((b) => c.console("uart_AO", b), gic.line(UART_AO.irq), c.stray);
    const lines = Object.fromEntries(Object.entries(TIMER.irqs).map(([name, irq]) => [name, gic.line(irq)]));
    const timer = new MesonTimer(c.clock, lines, c.stray);
    const generic = new ArmGenericTimer(c.timerFrequencyHz);
    const timerEnd = TIMER.base + BigInt(timer.size);
    const cbus = (base: bigint, end: bigint) => ({ base, device: new UnmodelledDevices(`cbus@${base.toString(16)}`, Number(end - base), c.stray) });
    return {
      interrupts: gic,
      sysregs: generic.registers.filter((r) => EL0_GENERIC_TIMER_REGISTERS.includes(r.name)),
      pmu: new ArmPmu().registers,
      timers: [],
      mmio: [
        { base: UART_AO.base, device: uart },
        cbus(CBUS.base, TIMER.base),
        { base: TIMER.base, device: timer },
        cbus(timerEnd, CBUS.base + CBUS.size),
      ],
      uarts: [{ name: "uart_AO", device: uart, receive: (b) => uart.receive(b) }],
    };
  },
  deviceTree,
};
