/*
 * dbg.c: debug console output for PDs.
 *
 * Each character is one seL4_DebugPutChar syscall. In a config whose kernel
 * has no such syscall (no kernel printing), the output is dropped.
 */
#include <microkit.h>

#include "internal.h"
#include "syscalls.h"

void microkit_dbg_putc(int c)
{
#ifdef MK_SYS_DEBUG_PUT_CHAR
    mk_sys_debug_put_char((unsigned char)c);
#else
    (void)c;
#endif
}

void microkit_dbg_puts(const char *s)
{
    while (*s != '\0') {
        microkit_dbg_putc(*s);
        s++;
    }
}

static void put_unsigned(seL4_Uint32 value)
{
    char digits[10]; /* 4294967295 has 10 digits */
    int n = 0;

    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) {
        microkit_dbg_putc(digits[--n]);
    }
}

void microkit_dbg_put8(seL4_Uint8 x)
{
    put_unsigned(x);
}

void microkit_dbg_put32(seL4_Uint32 x)
{
    put_unsigned(x);
}

void mk_put_name(void)
{
    for (unsigned int i = 0; i < MICROKIT_PD_NAME_LENGTH; i++) {
        char c = MK_PATCHED_READ(microkit_name[i]);
        if (c == '\0') {
            break;
        }
        microkit_dbg_putc(c);
    }
}

void mk_error_start(const char *what)
{
    mk_put_name();
    microkit_dbg_puts(": ");
    microkit_dbg_puts(what);
    microkit_dbg_putc(' ');
}
