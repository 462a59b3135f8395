/*
 * The small runtime our root-task tests share: start-up (crt0, then __roottask_start sets up TLS
 * and the IPC buffer from BootInfo and calls main), console output through seL4_DebugPutChar, and
 * helpers that take slots and memory from BootInfo, map frames and start threads.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <sel4/sel4.h>

/* Each root-task test defines main; what it returns is printed, then the root thread suspends itself. */
int main(seL4_BootInfo *bi);

void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* Prints "ok: <what>" or "FAIL: <what>"; returns the condition. */
int rt_check(int cond, const char *what);
#define CHECK(cond) rt_check((cond), #cond)
/* Prints "<what> -> <error>" and checks the error is the expected one. */
#define CHECK_ERR(call, want) rt_check_err((call), (want), #call)
int rt_check_err(seL4_Error got, seL4_Error want, const char *what);

/* The BootInfo main was called with. */
extern seL4_BootInfo *rt_bootinfo;

/* The next empty slot of the root CNode (from BootInfo.empty). */
seL4_CPtr rt_slot(void);
/* Retypes one object from the first RAM untyped with room for it into a fresh slot; 0 if none had room. */
seL4_CPtr rt_alloc(seL4_Word type, seL4_Word size_bits);
/* The error of the last rt_alloc. */
extern seL4_Error rt_alloc_error;

/*
 * A frame cap to the device page at `paddr`: the device untyped holding it is split in halves
 * down to a page (each Retype of two untypeds into fresh slots), then that page retyped. 0 if no
 * device untyped holds it or a Retype fails.
 */
seL4_CPtr rt_device_frame(seL4_Word paddr);

/* The architecture's names for the paging objects and calls. */
#if defined(SEL4_ARCH_AARCH64)
#define RT_SMALL_PAGE seL4_ARM_SmallPageObject
#define RT_LARGE_PAGE seL4_ARM_LargePageObject
#define RT_PAGE_TABLE seL4_ARM_PageTableObject
#define RT_VSPACE seL4_ARM_VSpaceObject
#define RT_ATTRS seL4_ARM_Default_VMAttributes
#define RT_XN seL4_ARM_ExecuteNever
#define rt_page_map seL4_ARM_Page_Map
#define rt_page_unmap seL4_ARM_Page_Unmap
#define rt_page_address seL4_ARM_Page_GetAddress
#define rt_page_table_map seL4_ARM_PageTable_Map
#define rt_asid_pool_assign seL4_ARM_ASIDPool_Assign
#define rt_asid_make_pool seL4_ARM_ASIDControl_MakePool
#define RT_PC(ctx) ((ctx).pc)
#define RT_SP(ctx) ((ctx).sp)
#define RT_ARG0(ctx) ((ctx).x0)
#define RT_ARG1(ctx) ((ctx).x1)
#else
#define RT_SMALL_PAGE seL4_RISCV_4K_Page
#define RT_LARGE_PAGE seL4_RISCV_Mega_Page
#define RT_PAGE_TABLE seL4_RISCV_PageTableObject
#define RT_VSPACE seL4_RISCV_PageTableObject
#define RT_ATTRS seL4_RISCV_Default_VMAttributes
#define RT_XN seL4_RISCV_ExecuteNever
#define rt_page_map seL4_RISCV_Page_Map
#define rt_page_unmap seL4_RISCV_Page_Unmap
#define rt_page_address seL4_RISCV_Page_GetAddress
#define rt_page_table_map seL4_RISCV_PageTable_Map
#define rt_asid_pool_assign seL4_RISCV_ASIDPool_Assign
#define rt_asid_make_pool seL4_RISCV_ASIDControl_MakePool
#define RT_PC(ctx) ((ctx).pc)
#define RT_SP(ctx) ((ctx).sp)
#define RT_ARG0(ctx) ((ctx).a0)
#define RT_ARG1(ctx) ((ctx).a1)
#endif

/* The thread's TLS register (TPIDR_EL0 / tp). */
seL4_Word rt_tls_base(void);

/* Maps a frame at vaddr of `vspace`, making the page tables the walk lacks from untyped memory. */
seL4_Error rt_map(seL4_CPtr frame, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights, seL4_Word attrs);

/* A thread of the root task's address space, CSpace and priority below it. */
typedef struct rt_thread {
    seL4_CPtr tcb;
    seL4_CPtr sc;
    seL4_IPCBuffer *ipc;
    void (*fn)(struct rt_thread *);
    seL4_Word arg;
} rt_thread_t;

/*
 * Makes and starts a thread running fn(t) in `vspace` (which must map the root task's image where
 * the root task has it): TCB, a scheduling context of `budget_us` per `period_us`, an IPC buffer
 * on a frame of its own mapped in `vspace`, a stack and a TLS area. `fault_ep` (0: none) is its
 * fault handler. `t` is the thread's own description: it must outlive the thread (not on a stack
 * that returns). Returns seL4_NoError or the first call's error.
 */
seL4_Error rt_thread_start(rt_thread_t *t, const char *name, seL4_CPtr vspace, seL4_Word prio, seL4_Word budget_us,
                           seL4_Word period_us, seL4_CPtr fault_ep, void (*fn)(rt_thread_t *), seL4_Word arg);
