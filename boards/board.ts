// The boards microkit-emu emulates. A board module describes hardware only (memory map, devices,
// IRQ lines); the kernel's view of the platform comes from the ABI tables.
import { ArmGenericTimer, type SysregHandler } from "./devices/arm-generic-timer.js";

export type Arch = "aarch64" | "riscv64";

/** Platform facts a board's devices need, from the kernel's view of the board. */
export interface BoardConfig {
  readonly timerFrequencyHz: bigint;
}

/** The device models of one board instance. */
export interface BoardDevices {
  /** System registers EL0 may access that devices answer (AArch64 generic timer). */
  readonly sysregs: readonly SysregHandler[];
}

export interface Board {
  readonly name: string;
  readonly arch: Arch;
  /** What the real board is, for --help and messages. */
  readonly description: string;
  createDevices(config: BoardConfig): BoardDevices;
}

export const BOARDS: readonly Board[] = Object.freeze([
  {
    name: "qemu_virt_aarch64", arch: "aarch64", description: "QEMU virt, Cortex-A53, 2 GiB (as Microkit configures it)",
    createDevices: (c) => ({ sysregs: new ArmGenericTimer(c.timerFrequencyHz).registers }),
  },
  {
    name: "qemu_virt_riscv64", arch: "riscv64", description: "QEMU virt, RV64GC, 2 GiB (as Microkit configures it)",
    createDevices: () => ({ sysregs: [] }),
  },
]);

export function findBoard(name: string): Board | undefined {
  return BOARDS.find((b) => b.name === name);
}
