// The boards microkit-emu emulates. A board module describes hardware only (memory map, devices,
// IRQ lines); the kernel's view of the platform comes from the ABI tables.
export type Arch = "aarch64" | "riscv64";

export interface Board {
  readonly name: string;
  readonly arch: Arch;
  /** What the real board is, for --help and messages. */
  readonly description: string;
}

export const BOARDS: readonly Board[] = Object.freeze([
  { name: "qemu_virt_aarch64", arch: "aarch64", description: "QEMU virt, Cortex-A53, 2 GiB (as Microkit configures it)" },
  { name: "qemu_virt_riscv64", arch: "riscv64", description: "QEMU virt, RV64GC, 2 GiB (as Microkit configures it)" },
]);

export function findBoard(name: string): Board | undefined {
  return BOARDS.find((b) => b.name === name);
}
