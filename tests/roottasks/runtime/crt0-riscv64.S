/*
 * Root-task entry on RISC-V 64. The kernel starts the initial thread with a0 = the BootInfo frame's
 * address, the pc at the ELF entry and every other register (sp and gp included) zero.
 */
    .section .text.start, "ax"
    .global _start
    .type _start, @function
_start:
    .option push
    .option norelax
    lla     gp, __global_pointer$
    .option pop
    lla     sp, __stack_top
    call    __roottask_start
1:  j       1b

    .bss
    .balign 16
    .space  65536
    .global __stack_top
__stack_top:
