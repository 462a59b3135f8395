/* See roottask.h. */
#include "roottask.h"

/* Thread-local where the kernel configuration's libsel4 makes it so (sel4test's); else one for all. */
#ifdef SEL4_IPC_BUFFER_THREAD_LOCAL
__thread
#endif
seL4_IPCBuffer *__sel4_ipc_buffer;
seL4_BootInfo *rt_bootinfo;
seL4_Error rt_alloc_error;
static seL4_SlotPos next_slot;

/* The TLS image (roottask.ld) and where the thread pointer sits relative to a thread's TLS block:
 * AArch64 keeps a 16-byte thread control block below it, RISC-V none (ELF TLS variant I). */
extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[];
#if defined(SEL4_ARCH_AARCH64)
#define TLS_TCB_BYTES 16
#else
#define TLS_TCB_BYTES 0
#endif
#define TLS_AREA_BYTES 256
#define MAX_THREADS 8
#define STACK_BYTES 16384
static char tls_areas[MAX_THREADS + 1][TLS_AREA_BYTES] __attribute__((aligned(16)));
static char stacks[MAX_THREADS][STACK_BYTES] __attribute__((aligned(16)));
static int threads;
/* IPC buffers of new threads go here, one page each. */
#define THREAD_IPC_BASE 0x10000000ul

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

static void rt_vprintf(const char *fmt, va_list ap)
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
        default:
            seL4_DebugPutChar(*fmt);
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

int rt_check_err(seL4_Error got, seL4_Error want, const char *what)
{
    rt_printf("%s: %s -> %d\n", got == want ? "ok" : "FAIL", what, (int)got);
    return got == want;
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

seL4_CPtr rt_device_frame(seL4_Word paddr)
{
    seL4_BootInfo *bi = rt_bootinfo;
    seL4_CPtr ut = seL4_CapNull;
    seL4_Word base = 0, bits = 0;
    for (seL4_SlotPos i = bi->untyped.start; i < bi->untyped.end; i++) {
        seL4_UntypedDesc *u = &bi->untypedList[i - bi->untyped.start];
        if (u->isDevice && paddr >= u->paddr && paddr - u->paddr < (1ul << u->sizeBits)) {
            ut = i;
            base = u->paddr;
            bits = u->sizeBits;
        }
    }
    if (ut == seL4_CapNull) return seL4_CapNull;
    while (bits > seL4_PageBits) {
        seL4_CPtr halves = rt_slot();
        rt_slot();
        if (seL4_Untyped_Retype(ut, seL4_UntypedObject, bits - 1, seL4_CapInitThreadCNode, 0, 0, halves, 2) != seL4_NoError) return seL4_CapNull;
        bits--;
        int upper = paddr >= base + (1ul << bits);
        ut = halves + (seL4_CPtr)upper;
        if (upper) base += 1ul << bits;
    }
    seL4_CPtr frame = rt_slot();
    if (seL4_Untyped_Retype(ut, RT_SMALL_PAGE, 0, seL4_CapInitThreadCNode, 0, 0, frame, 1) != seL4_NoError) return seL4_CapNull;
    return frame;
}

seL4_Error rt_map(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights, seL4_Word attrs)
{
    for (;;) {
        seL4_Error err = rt_page_map(frame, vspace, vaddr, rights, attrs);
        if (err != seL4_FailedLookup) return err;
        seL4_CPtr pt = rt_alloc(RT_PAGE_TABLE, 0);
        if (pt == seL4_CapNull) return rt_alloc_error;
        err = rt_page_table_map(pt, vspace, vaddr, RT_ATTRS);
        if (err != seL4_NoError) return err;
    }
}

seL4_Word rt_tls_base(void)
{
    seL4_Word v;
#if defined(SEL4_ARCH_AARCH64)
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(v));
#else
    __asm__ volatile("mv %0, tp" : "=r"(v));
#endif
    return v;
}

/* A thread's TLS area: the TLS image copied in; returns the thread pointer value. */
static seL4_Word tls_init(char *area)
{
    size_t data = (size_t)(__tdata_end - __tdata_start);
    size_t bss = (size_t)(__tbss_end - __tbss_start);
    char *block = area + TLS_TCB_BYTES;
    if (TLS_TCB_BYTES + data + bss > TLS_AREA_BYTES) {
        seL4_DebugPutChar('!');
        seL4_DebugHalt();
    }
    memcpy(block, __tdata_start, data);
    memset(block + data, 0, bss);
    return (seL4_Word)area;
}

static void thread_trampoline(rt_thread_t *t)
{
#ifdef SEL4_IPC_BUFFER_THREAD_LOCAL
    __sel4_ipc_buffer = t->ipc;
#endif
    t->fn(t);
    seL4_TCB_Suspend(t->tcb);
}

seL4_Error rt_thread_start(rt_thread_t *t, const char *name, seL4_CPtr vspace, seL4_Word prio, seL4_Word budget_us,
                           seL4_Word period_us, seL4_CPtr fault_ep, void (*fn)(rt_thread_t *), seL4_Word arg)
{
    if (threads == MAX_THREADS) return seL4_NotEnoughMemory;
    int n = threads++;
    t->fn = fn;
    t->arg = arg;
    t->tcb = rt_alloc(seL4_TCBObject, 0);
    if (t->tcb == seL4_CapNull) return rt_alloc_error;
    t->sc = rt_alloc(seL4_SchedContextObject, seL4_MinSchedContextBits);
    if (t->sc == seL4_CapNull) return rt_alloc_error;
    seL4_Error err = seL4_SchedControl_ConfigureFlags(rt_bootinfo->schedcontrol.start, t->sc, budget_us, period_us, 0, 0, 0);
    if (err != seL4_NoError) return err;
    seL4_CPtr frame = rt_alloc(RT_SMALL_PAGE, 0);
    if (frame == seL4_CapNull) return rt_alloc_error;
    seL4_Word ipc = THREAD_IPC_BASE + (seL4_Word)n * 0x1000;
    err = rt_map(frame, vspace, ipc, seL4_ReadWrite, RT_ATTRS | RT_XN);
    if (err != seL4_NoError) return err;
    t->ipc = (seL4_IPCBuffer *)ipc;
    err = seL4_TCB_Configure(t->tcb, seL4_CapInitThreadCNode, 0, vspace, 0, ipc, frame);
    if (err != seL4_NoError) return err;
    err = seL4_TCB_SetSchedParams(t->tcb, seL4_CapInitThreadTCB, prio, prio, t->sc, fault_ep);
    if (err != seL4_NoError) return err;
    seL4_UserContext regs;
    memset(&regs, 0, sizeof(regs));
    RT_PC(regs) = (seL4_Word)thread_trampoline;
    RT_SP(regs) = (seL4_Word)(stacks[n] + STACK_BYTES);
    RT_ARG0(regs) = (seL4_Word)t;
    err = seL4_TCB_WriteRegisters(t->tcb, 0, 0, sizeof(regs) / sizeof(seL4_Word), &regs);
    if (err != seL4_NoError) return err;
    err = seL4_TCB_SetTLSBase(t->tcb, tls_init(tls_areas[n + 1]));
    if (err != seL4_NoError) return err;
    seL4_DebugNameThread(t->tcb, name);
    return seL4_TCB_Resume(t->tcb);
}

void __roottask_start(seL4_BootInfo *bi)
{
    /* The root thread's TLS first: the IPC buffer pointer lives there. */
    seL4_Word tp = tls_init(tls_areas[0]);
#if defined(SEL4_ARCH_AARCH64)
    __asm__ volatile("msr tpidr_el0, %0" ::"r"(tp));
#else
    __asm__ volatile("mv tp, %0" ::"r"(tp));
#endif
    __sel4_ipc_buffer = bi->ipcBuffer;
    rt_bootinfo = bi;
    next_slot = bi->empty.start;
    int r = main(bi);
    rt_printf("main returned %d\n", r);
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
}
