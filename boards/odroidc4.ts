// Hardkernel ODROID-C4 (Amlogic S905X3: 4x Cortex-A55, GIC-400 i.e. GICv2) as Microkit configures
// it. Addresses and interrupts are the board's device tree (Linux arch/arm64/boot/dts/amlogic/
// meson-g12-common.dtsi, which seL4's odroidc4.dts follows) and seL4 util_libs' odroidc4 headers;
// SPI n is IRQ 32 + n.
import type { Board, BoardConfig, BoardInstance } from "./board.js";
import { ArmGenericTimer } from "./devices/arm-generic-timer.js";
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
};
