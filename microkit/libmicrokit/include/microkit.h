/*
 * microkit.h: the libmicrokit interface for protection domains (PDs) run
 * by microkit-emu.
 *
 * This is written for microkit-emu and follows the libmicrokit API of
 * Microkit 2.3 as the Microkit manual documents it, so PD sources written for
 * that API build unchanged. Every ABI number (cap slots, labels, bit layouts,
 * addresses) comes from microkit_abi.h. scripts/gen-abi-header.mjs generates
 * that file from the ABI JSON files; no number is typed in here.
 *
 * The seL4 types and calls (seL4_Word, seL4_MessageInfo_t, the IPC buffer,
 * the syscall and object-invocation stubs) come from <sel4/sel4.h>, which
 * scripts/gen-sel4-headers.mjs generates into the SDK next to this file, so
 * PD sources written for upstream can use seL4_* calls next to microkit_*.
 */
#ifndef MICROKIT_H
#define MICROKIT_H

/* The compiler's freestanding headers: PD sources written for upstream Microkit use these types. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "microkit_abi.h"

/* ------------------------------------------------------------------------ */
/* libsel4 (generated per board and config by scripts/gen-sel4-headers.mjs) */

#include <sel4/sel4.h>

_Static_assert(sizeof(seL4_Word) * 8 == MK_WORD_BITS, "seL4_Word must be one machine word");
_Static_assert(sizeof(seL4_IPCBuffer) == MK_IPCBUF_SIZE, "sel4.h and microkit_abi.h disagree on the IPC buffer");
_Static_assert(sizeof(seL4_IPCBuffer) <= MK_PAGE_SIZE, "IPC buffer must fit in its page");

/* libmicrokit's own field masks (microkit_abi.h widths). */
#define MK_BITMASK(width) ((width) >= MK_WORD_BITS ? ~(seL4_Word)0 : (((seL4_Word)1 << (width)) - 1))

#if defined(MK_CONFIG_ALLOW_SMC_CALLS) && MK_CONFIG_ALLOW_SMC_CALLS
_Static_assert(sizeof(seL4_ARM_SMCContext) == MK_ARG_ARMSMCCall_smc_args_WORDS * sizeof(seL4_Word),
               "seL4_ARM_SMCContext size");
#endif

/* ------------------------------------------------------------------------ */
/* Microkit types                                                           */

typedef unsigned int microkit_channel;
typedef unsigned int microkit_child;
typedef unsigned int microkit_ioport;
typedef seL4_MessageInfo_t microkit_msginfo;

/* Cap slots (INPUT_CAP, BASE_OUTPUT_NOTIFICATION_CAP, ...) and limits
 * (MICROKIT_MAX_CHANNELS, ...) are defined in microkit_abi.h. */
#define PD_ROOT_CAP_SIZE (1ULL << PD_ROOT_CAP_BITS)

/* ------------------------------------------------------------------------ */
/* Entry points the PD provides                                             */

/* Required: run once, before any other entry point. */
void init(void);

/* Required: a notification arrived on channel ch (a PD or an IRQ). */
void notified(microkit_channel ch);

/* Optional: a protected procedure call arrived on channel ch. The returned
 * message info (with the MRs set by microkit_mr_set) is the reply.
 * The default prints an error and crashes the PD. */
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);

/* Required if the PD has children or VMs: child faulted. Return seL4_True to
 * reply with *reply_msginfo (which resumes the child), seL4_False to leave
 * it blocked. The default prints an error and crashes the PD. */
seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/* ------------------------------------------------------------------------ */
/* Data patched into the ELF by the Microkit tool                           */

extern char microkit_name[MICROKIT_PD_NAME_LENGTH]; /* PD name, not always NUL-terminated */
extern seL4_Bool microkit_passive;                  /* SDF passive="true" */
extern seL4_Word microkit_irqs;                     /* bit i: channel i is an IRQ */
extern seL4_Word microkit_notifications;            /* bit i: may notify channel i */
extern seL4_Word microkit_pps;                      /* bit i: may ppcall channel i */
extern seL4_Word microkit_ioports;                  /* bit i: x86 I/O port i */

/* State of the one deferred signal an entry point may queue. It is sent
 * when the entry point returns, together with the next receive. */
extern seL4_Bool microkit_have_signal;
extern seL4_CPtr microkit_signal_cap;
extern seL4_MessageInfo_t microkit_signal_msg;

/* ------------------------------------------------------------------------ */
/* Debug output (seL4_DebugPutChar; does nothing without kernel printing)  */

void microkit_dbg_putc(int c);
void microkit_dbg_puts(const char *s);
void microkit_dbg_put8(seL4_Uint8 x);   /* decimal */
void microkit_dbg_put32(seL4_Uint32 x); /* decimal */

/* ------------------------------------------------------------------------ */
/* Microkit API                                                             */

microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo);
void microkit_notify(microkit_channel ch);
void microkit_irq_ack(microkit_channel ch);
void microkit_deferred_notify(microkit_channel ch);
void microkit_deferred_irq_ack(microkit_channel ch);
void microkit_pd_restart(microkit_child pd, seL4_Word entry_point);
void microkit_pd_stop(microkit_child pd);
void microkit_pd_resume(microkit_child pd);

#if defined(MK_CONFIG_ARM_HYPERVISOR_SUPPORT) && MK_CONFIG_ARM_HYPERVISOR_SUPPORT
void microkit_vcpu_restart(microkit_child vcpu, seL4_Word entry_point);
void microkit_vcpu_stop(microkit_child vcpu);
void microkit_vcpu_arm_inject_irq(microkit_child vcpu, seL4_Uint16 irq, seL4_Uint8 priority, seL4_Uint8 group,
                                  seL4_Uint8 index);
void microkit_vcpu_arm_ack_vppi(microkit_child vcpu, seL4_Word irq);
seL4_Word microkit_vcpu_arm_read_reg(microkit_child vcpu, seL4_Word reg);
void microkit_vcpu_arm_write_reg(microkit_child vcpu, seL4_Word reg, seL4_Word value);
#endif

#if defined(MK_CONFIG_ALLOW_SMC_CALLS) && MK_CONFIG_ALLOW_SMC_CALLS
void microkit_arm_smc_call(seL4_ARM_SMCContext *args, seL4_ARM_SMCContext *response);
#endif

static inline microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count)
{
    return seL4_MessageInfo_new(label, 0, 0, count);
}

static inline seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo)
{
    return seL4_MessageInfo_get_label(msginfo);
}

static inline seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo)
{
    return seL4_MessageInfo_get_length(msginfo);
}

static inline void microkit_mr_set(seL4_Uint8 mr, seL4_Word value)
{
    seL4_SetMR(mr, value);
}

static inline seL4_Word microkit_mr_get(seL4_Uint8 mr)
{
    return seL4_GetMR(mr);
}

/* The cptr of root CNode slot `slot` (an SDF <cspace> slot), or seL4_CapNull
 * if the root CNode has no such slot. */
static inline seL4_CPtr microkit_cspace_root_slot_to_cptr(seL4_Word slot)
{
    if (slot == 0 || slot >= MK_ROOT_CNODE_SLOTS) {
        return seL4_CapNull;
    }
    return (seL4_CPtr)slot << MK_ROOT_SLOT_CPTR_SHIFT;
}

/* Crash the PD by storing to address `addr`, so the fault report shows it
 * (libmicrokit passes 0, or the seL4_Error of a failed invocation). The asm
 * hides the value from the optimiser, so the store is really emitted. */
static inline void microkit_internal_crash(seL4_Word addr)
{
    __asm__ volatile("" : "+r"(addr));
    *(volatile char *)addr = 0;
}

#endif /* MICROKIT_H */
