/*
 * Fault replies, faulting side: each fault below is answered by the parent, which decides where
 * and how this PD goes on.
 */
#include <microkit.h>

static void say(const char *what, seL4_Word value)
{
    microkit_dbg_puts("child: ");
    microkit_dbg_puts(what);
    microkit_dbg_put32((seL4_Uint32)value);
    microkit_dbg_puts("\n");
}

/* A syscall number seL4 does not know: an UnknownSyscall fault with `arg` in the first register. */
static seL4_Word unknown_syscall(seL4_Word arg)
{
#if defined(__aarch64__)
    register seL4_Word x0 __asm__("x0") = arg;
    register seL4_Word num __asm__("x7") = 100;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(num) : "memory");
    return x0;
#else
    register seL4_Word a0 __asm__("a0") = arg;
    register seL4_Word num __asm__("a7") = 100;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(num) : "memory");
    return a0;
#endif
}

void init(void)
{
    say("unknown syscall returned ", unknown_syscall(7));

    /* An all-zero word is undefined on both architectures: a UserException. */
    __asm__ volatile(".word 0" ::: "memory");
    say("resumed after the undefined instruction, marker ", 1);

    /* A load from an unmapped page, as one 4-byte instruction, so the parent can step over it. */
    /* The result lands in the first argument register, which the parent sets instead. */
#if defined(__aarch64__)
    register seL4_Word value __asm__("x0");
    __asm__ volatile("ldr %0, [%1]" : "=r"(value) : "r"(0x10000000UL) : "memory");
#else
    register seL4_Word value __asm__("a0");
    __asm__ volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "=r"(value) : "r"(0x10000000UL) : "memory");
#endif
    say("resumed after the VM fault, register set by the parent to ", value);

    /* The parent answers this one with a non-zero label: the kernel does not resume the thread. */
    say("unknown syscall returned ", unknown_syscall(9));
    say("never printed ", 0);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
