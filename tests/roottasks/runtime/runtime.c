/* See roottask.h. */
#include "roottask.h"

seL4_IPCBuffer *__sel4_ipc_buffer;
seL4_BootInfo *rt_bootinfo;
seL4_Error rt_alloc_error;
static seL4_SlotPos next_slot;

void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;
    while (n--) *p++ = (unsigned char)c;
    return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--) *dp++ = *sp++;
    return d;
}

static void put_unsigned(unsigned long v, unsigned base, int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    for (; width > n; width--) seL4_DebugPutChar(pad);
    while (n > 0) seL4_DebugPutChar(digits[--n]);
}

void rt_vprintf(const char *fmt, va_list ap)
{
    for (; *fmt != 0; fmt++) {
        if (*fmt != '%') {
            seL4_DebugPutChar(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        int width = 0;
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        int is_long = 0;
        while (*fmt == 'l' || *fmt == 'z') {
            is_long = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                seL4_DebugPutChar('-');
                v = -v;
            }
            put_unsigned((unsigned long)v, 10, width, pad);
            break;
        }
        case 'u':
            put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'p':
            seL4_DebugPutChar('0');
            seL4_DebugPutChar('x');
            put_unsigned((unsigned long)va_arg(ap, void *), 16, width, pad);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s != 0) seL4_DebugPutChar(*s++);
            break;
        }
        case 'c':
            seL4_DebugPutChar((char)va_arg(ap, int));
            break;
        case '%':
            seL4_DebugPutChar('%');
            break;
        default:
            seL4_DebugPutChar('?');
        }
    }
}

void rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_vprintf(fmt, ap);
    va_end(ap);
}

int rt_check(int cond, const char *what)
{
    rt_printf("%s: %s\n", cond ? "ok" : "FAIL", what);
    return cond;
}

seL4_CPtr rt_slot(void)
{
    return next_slot++;
}

seL4_CPtr rt_alloc(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = rt_slot();
    seL4_BootInfo *bi = rt_bootinfo;
    rt_alloc_error = seL4_NotEnoughMemory;
    for (seL4_SlotPos i = bi->untyped.start; i < bi->untyped.end; i++) {
        if (bi->untypedList[i - bi->untyped.start].isDevice) continue;
        rt_alloc_error = seL4_Untyped_Retype(i, type, size_bits, seL4_CapInitThreadCNode, 0, 0, slot, 1);
        if (rt_alloc_error == seL4_NoError) return slot;
    }
    return seL4_CapNull;
}

void __roottask_start(seL4_BootInfo *bi)
{
    __sel4_ipc_buffer = bi->ipcBuffer;
    rt_bootinfo = bi;
    next_slot = bi->empty.start;
    int r = main(bi);
    rt_printf("main returned %d\n", r);
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
}
