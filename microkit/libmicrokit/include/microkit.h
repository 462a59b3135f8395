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
 * The small part of libsel4 that the libmicrokit API exposes (basic types,
 * seL4_MessageInfo_t, the IPC buffer, seL4_Error, fault labels) is defined
 * here too, so PDs need no libsel4.
 */
#ifndef MICROKIT_H
#define MICROKIT_H

/* The compiler's freestanding headers: PD sources written for upstream Microkit use these types. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "microkit_abi.h"

/* ------------------------------------------------------------------------ */
/* Basic seL4 types (LP64 on both aarch64 and riscv64)                      */

typedef signed char seL4_Int8;
typedef short seL4_Int16;
typedef int seL4_Int32;
typedef long seL4_Int64;
typedef unsigned char seL4_Uint8;
typedef unsigned short seL4_Uint16;
typedef unsigned int seL4_Uint32;
typedef unsigned long seL4_Uint64;

typedef seL4_Uint64 seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Int8 seL4_Bool;

#define seL4_False ((seL4_Bool)0)
#define seL4_True ((seL4_Bool)1)
#define seL4_CapNull ((seL4_CPtr)0)
#define seL4_WordBits MK_WORD_BITS

_Static_assert(sizeof(seL4_Word) * 8 == MK_WORD_BITS, "seL4_Word must be one machine word");
_Static_assert(sizeof(void *) == sizeof(seL4_Word), "pointers must be one machine word");

/* Enumerators built from the X-macro lists in microkit_abi.h. */
#define MK_ENUMERATOR(name, value) name = (value),

typedef enum { MK_ERROR_LIST(MK_ENUMERATOR) seL4_NumErrors = MK_ERROR_NUM_ERRORS } seL4_Error;

/* The label of a fault message tells which fault happened (see fault()). */
typedef enum { MK_FAULT_LIST(MK_ENUMERATOR) } seL4_Fault_tag_t;

#ifdef MK_VCPU_REG_LIST
typedef enum { MK_VCPU_REG_LIST(MK_ENUMERATOR) } seL4_VCPUReg;
#endif

/* ------------------------------------------------------------------------ */
/* Message info: label, capsUnwrapped, extraCaps and length in one word     */

typedef struct seL4_MessageInfo {
    seL4_Word words[1];
} seL4_MessageInfo_t;

#define MK_BITMASK(width) ((width) >= MK_WORD_BITS ? ~(seL4_Word)0 : (((seL4_Word)1 << (width)) - 1))
#define MK_MSGINFO_GET(mi, F) (((mi).words[0] >> MK_MSGINFO_##F##_OFFSET) & MK_BITMASK(MK_MSGINFO_##F##_WIDTH))
#define MK_MSGINFO_PUT(F, v) (((seL4_Word)(v) & MK_BITMASK(MK_MSGINFO_##F##_WIDTH)) << MK_MSGINFO_##F##_OFFSET)

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Uint64 label, seL4_Uint64 capsUnwrapped,
                                                      seL4_Uint64 extraCaps, seL4_Uint64 length)
{
    seL4_MessageInfo_t mi;
    mi.words[0] = MK_MSGINFO_PUT(LABEL, label) | MK_MSGINFO_PUT(CAPSUNWRAPPED, capsUnwrapped) |
                  MK_MSGINFO_PUT(EXTRACAPS, extraCaps) | MK_MSGINFO_PUT(LENGTH, length);
    return mi;
}

static inline seL4_Uint64 seL4_MessageInfo_get_label(seL4_MessageInfo_t mi)
{
    return MK_MSGINFO_GET(mi, LABEL);
}

static inline seL4_Uint64 seL4_MessageInfo_get_capsUnwrapped(seL4_MessageInfo_t mi)
{
    return MK_MSGINFO_GET(mi, CAPSUNWRAPPED);
}

static inline seL4_Uint64 seL4_MessageInfo_get_extraCaps(seL4_MessageInfo_t mi)
{
    return MK_MSGINFO_GET(mi, EXTRACAPS);
}

static inline seL4_Uint64 seL4_MessageInfo_get_length(seL4_MessageInfo_t mi)
{
    return MK_MSGINFO_GET(mi, LENGTH);
}

/* ------------------------------------------------------------------------ */
/* IPC buffer                                                               */

typedef struct seL4_IPCBuffer_ {
    seL4_MessageInfo_t tag;
    seL4_Word msg[MK_IPCBUF_MSG_WORDS];
    seL4_Word userData;
    seL4_Word caps_or_badges[MK_IPCBUF_CAPS_OR_BADGES_WORDS];
    seL4_CPtr receiveCNode;
    seL4_CPtr receiveIndex;
    seL4_Word receiveDepth;
} __attribute__((aligned(MK_IPCBUF_ALIGNMENT))) seL4_IPCBuffer;

_Static_assert(__builtin_offsetof(seL4_IPCBuffer, tag) == MK_IPCBUF_TAG_OFFSET, "IPC buffer: tag");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, msg) == MK_IPCBUF_MSG_OFFSET, "IPC buffer: msg");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, userData) == MK_IPCBUF_USERDATA_OFFSET, "IPC buffer: userData");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, caps_or_badges) == MK_IPCBUF_CAPS_OR_BADGES_OFFSET,
               "IPC buffer: caps_or_badges");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, receiveCNode) == MK_IPCBUF_RECEIVECNODE_OFFSET,
               "IPC buffer: receiveCNode");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, receiveIndex) == MK_IPCBUF_RECEIVEINDEX_OFFSET,
               "IPC buffer: receiveIndex");
_Static_assert(__builtin_offsetof(seL4_IPCBuffer, receiveDepth) == MK_IPCBUF_RECEIVEDEPTH_OFFSET,
               "IPC buffer: receiveDepth");
_Static_assert(sizeof(seL4_IPCBuffer) == MK_IPCBUF_SIZE, "IPC buffer: size");
_Static_assert(sizeof(seL4_IPCBuffer) <= MK_PAGE_SIZE, "IPC buffer must fit in its page");

/* Points at the PD's IPC buffer (MK_IPC_BUFFER_VADDR); set at link time. */
extern seL4_IPCBuffer *__sel4_ipc_buffer;

static inline seL4_Word seL4_GetMR(int i)
{
    return __sel4_ipc_buffer->msg[i];
}

static inline void seL4_SetMR(int i, seL4_Word value)
{
    __sel4_ipc_buffer->msg[i] = value;
}

#if defined(MK_CONFIG_ALLOW_SMC_CALLS) && MK_CONFIG_ALLOW_SMC_CALLS
/* Arguments and results of an SMC call: the values of x0..x7. */
typedef struct seL4_ARM_SMCContext_ {
    seL4_Word x0, x1, x2, x3, x4, x5, x6, x7;
} seL4_ARM_SMCContext;
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
