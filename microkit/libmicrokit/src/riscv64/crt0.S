/*
 * crt0.S (riscv64): PD entry point, the ELF entry address.
 *
 * The loader has already set sp to the top of the PD stack. Only gp needs a
 * value: the linker script defines __global_pointer$. Relaxation must be off
 * while gp is loaded, or the linker could turn the load itself into a
 * gp-relative access.
 */
    .section .text._start, "ax", @progbits
    .global _start
    .type _start, @function
_start:
    .option push
    .option norelax
    lla gp, __global_pointer$
    .option pop
    tail main
    .size _start, . - _start
