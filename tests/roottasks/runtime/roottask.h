/*
 * The small runtime our root-task tests share: start-up (crt0 and __roottask_start set the IPC
 * buffer from BootInfo and call main), console output through seL4_DebugPutChar, and helpers to
 * take free slots and untyped memory from BootInfo.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <sel4/sel4.h>

/* Each root-task test defines main; what it returns is printed, then the root thread suspends itself. */
int main(seL4_BootInfo *bi);

void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_vprintf(const char *fmt, va_list ap);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* A check that prints "ok" or "FAIL" with its description; returns the condition. */
int rt_check(int cond, const char *what);
#define CHECK(cond) rt_check((cond), #cond)

/* The next empty slot of the root CNode (from BootInfo.empty). */
seL4_CPtr rt_slot(void);
/* Retype one object from the first RAM untyped with room for it; its cap lands in a fresh slot. */
seL4_CPtr rt_alloc(seL4_Word type, seL4_Word size_bits);
/* Error code of the last rt_alloc (seL4_NoError on success). */
extern seL4_Error rt_alloc_error;
/* The BootInfo main was called with. */
extern seL4_BootInfo *rt_bootinfo;
