/*
 * crt0.S (aarch64): PD entry point, the ELF entry address.
 *
 * The loader has already set sp to the top of the PD stack and zeroed all
 * other registers, so there is nothing to set up: go straight to main().
 */
    .section .text._start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    b main
    .size _start, . - _start
