/*
 * Root-task entry on AArch64. The kernel starts the initial thread with x0 = the BootInfo frame's
 * address, the pc at the ELF entry and every other register (sp included) zero, so the first thing
 * to do is take a stack of our own.
 */
    .section .text.start, "ax"
    .global _start
    .type _start, %function
_start:
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    bl      __roottask_start
1:  b       1b

    .bss
    .balign 16
    .space  65536
    .global __stack_top
__stack_top:
