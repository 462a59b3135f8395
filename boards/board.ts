// The boards microkit-emu emulates. A board module describes hardware only (memory map, devices,
// IRQ lines); the kernel's view of the platform (RAM, timer frequency, IRQ range) comes from the
// ABI tables and is passed in. Adding a board is one new module here: see boards/README.md.
import type { SysregHandler } from "./devices/arm-generic-timer.js";
import type { Clock, Device } from "./devices/device.js";
import type { InterruptController } from "./devices/interrupt-controller.js";
import type { DtNode } from "./dtb.js";
import type { DmaMemory } from "./devices/virtio-blk.js";
import { odroidc4 } from "./odroidc4.js";
import { qemuVirtAarch64 } from "./qemu-virt-aarch64.js";
import { qemuVirtRiscv64 } from "./qemu-virt-riscv64.js";

export type Arch = "aarch64" | "riscv64";

/** What a board instance needs from the machine around it. */
export interface BoardConfig {
  readonly timerFrequencyHz: bigint;
  readonly maxIrq: number;
  /** Virtual time in nanoseconds. */
  readonly clock: Clock;
  /** A byte a console device transmitted, with the device's name. */
  readonly console: (source: string, byte: number) => void;
  /** A device access no register answers (reported once per kind). */
  readonly stray: (message: string) => void;
  /** A disk for the machine's virtio block device, and the memory its DMA reaches (QEMU boards). */
  readonly disk?: { readonly bytes: Uint8Array; readonly memory: DmaMemory };
}

/** Anything with a deadline on virtual time and the duty to raise its line when it is reached. */
export interface Timed {
  nextDeadline(now: bigint): bigint | undefined;
  advance(now: bigint): void;
}

/** What secure firmware answers to an SMC: x0-x7, and whether the call powered something off. */
export interface SmcAnswer {
  readonly x: readonly bigint[];
  /** The call does not return: the calling core, or the whole system, stops (or would reset). */
  readonly power?: "cpu-off" | "system-off" | "system-reset";
}

/** Firmware at a higher exception level that answers SMC calls (SMC Calling Convention: x0-x7 in and out). */
export interface SecureFirmware {
  readonly name: string;
  call(x: readonly bigint[]): SmcAnswer;
}

export interface BoardInstance {
  readonly interrupts: InterruptController;
  /** System registers EL0 may access that devices answer (AArch64 generic timer). */
  readonly sysregs: readonly SysregHandler[];
  /** The performance monitors' EL0 registers (AArch64), answered when the kernel exports them to user mode. */
  readonly pmu?: readonly SysregHandler[];
  /** Timers that are not memory-mapped devices (the AArch64 generic timer). */
  readonly timers: readonly Timed[];
  /** Memory-mapped devices at their physical base addresses. */
  readonly mmio: readonly { readonly base: bigint; readonly device: Device }[];
  /** Where host input goes: false when the device cannot take the byte yet. */
  readonly uarts: readonly { readonly name: string; readonly device: Device; receive(byte: number): boolean }[];
  /** The secure firmware SMC calls reach (AArch64), if modelled. */
  readonly firmware?: SecureFirmware;
}

/** What a board's device tree depends on. */
export interface DeviceTreeOptions {
  /** The machine's RAM (QEMU's -m). */
  readonly ram: { readonly base: bigint; readonly size: bigint };
  /** EL2 is present (QEMU's virtualization=on): the GIC shows its virtualization interface. */
  readonly hypervisor: boolean;
  readonly timerFrequencyHz: bigint;
}

export interface Board {
  readonly name: string;
  readonly arch: Arch;
  /** What the real board is, for --help and messages. */
  readonly description: string;
  create(config: BoardConfig): BoardInstance;
  /** The device tree a root task receives: the devices modelled here, as the real machine describes them. */
  deviceTree(options: DeviceTreeOptions): DtNode;
}

export const BOARDS: readonly Board[] = Object.freeze([qemuVirtAarch64, qemuVirtRiscv64, odroidc4]);

export function findBoard(name: string): Board | undefined {
  return BOARDS.find((b) => b.name === name);
}
