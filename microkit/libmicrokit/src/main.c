/*
 * main.c: the PD runtime. crt0 jumps to main(); main() runs the C
 * constructors and init(), then serves events for ever:
 *
 *   - a badge with MK_BADGE_FAULT_BIT set: a child faulted   -> fault()
 *   - a badge with MK_BADGE_ENDPOINT_BIT set: a PPC arrived   -> protected()
 *   - any other badge: notification bits, one per channel     -> notified()
 *
 * The receive of each loop iteration is combined with what the previous
 * entry point left to do: the reply to a PPC or fault (ReplyRecv), or the
 * deferred signal (NBSendRecv).
 */
#include <microkit.h>

#include "internal.h"
#include "syscalls.h"

/* ------------------------------------------------------------------------ */
/* Data                                                                     */

/* Patched by the Microkit tool (in .bss, as upstream's are: the tool writes
 * anywhere in a segment's memory image). Code reads them with MK_PATCHED_READ. */
char microkit_name[MICROKIT_PD_NAME_LENGTH];
seL4_Bool microkit_passive;
seL4_Word microkit_irqs;
seL4_Word microkit_notifications;
seL4_Word microkit_pps;
seL4_Word microkit_ioports;

_Static_assert(sizeof(microkit_name) == MK_SYMBOL_MICROKIT_NAME_BYTES, "microkit_name size");
_Static_assert(sizeof(microkit_passive) == MK_SYMBOL_MICROKIT_PASSIVE_BYTES, "microkit_passive size");
_Static_assert(sizeof(microkit_irqs) == MK_SYMBOL_MICROKIT_IRQS_BYTES, "microkit_irqs size");
_Static_assert(sizeof(microkit_notifications) == MK_SYMBOL_MICROKIT_NOTIFICATIONS_BYTES,
               "microkit_notifications size");
_Static_assert(sizeof(microkit_pps) == MK_SYMBOL_MICROKIT_PPS_BYTES, "microkit_pps size");
_Static_assert(sizeof(microkit_ioports) == MK_SYMBOL_MICROKIT_IOPORTS_BYTES, "microkit_ioports size");

/* The deferred signal (see microkit_deferred_notify). */
seL4_Bool microkit_have_signal = seL4_False;
seL4_CPtr microkit_signal_cap;
seL4_MessageInfo_t microkit_signal_msg;

/* The IPC buffer is mapped at a fixed address. */
seL4_IPCBuffer *__sel4_ipc_buffer = (seL4_IPCBuffer *)MK_IPC_BUFFER_VADDR;

/* ------------------------------------------------------------------------ */
/* Default entry points                                                     */

__attribute__((weak)) microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo)
{
    (void)msginfo;
    mk_error_start("protected():");
    microkit_dbg_puts("PPC on channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_puts(" but this PD has no protected entry point\n");
    microkit_internal_crash(0);
    return microkit_msginfo_new(0, 0);
}

__attribute__((weak)) seL4_Bool fault(microkit_child child, microkit_msginfo msginfo,
                                      microkit_msginfo *reply_msginfo)
{
    (void)reply_msginfo;
    mk_error_start("fault():");
    microkit_dbg_puts("child ");
    microkit_dbg_put32(child);
    microkit_dbg_puts(" faulted (label ");
    microkit_dbg_put32((seL4_Uint32)microkit_msginfo_get_label(msginfo));
    microkit_dbg_puts(") but this PD has no fault entry point\n");
    microkit_internal_crash(0);
    return seL4_False;
}

/* ------------------------------------------------------------------------ */
/* Start-up                                                                 */

typedef void (*mk_constructor_t)(void);
extern mk_constructor_t __init_array_start[]; /* from microkit.ld */
extern mk_constructor_t __init_array_end[];

static void run_constructors(void)
{
    for (mk_constructor_t *f = __init_array_start; f < __init_array_end; f++) {
        (*f)();
    }
}

/* Queue the signal that ends the passive handshake: after init() the
 * monitor must see this PD waiting, then moves its scheduling context away. */
static void queue_passive_handshake(void)
{
    microkit_signal_cap = MONITOR_EP;
    microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
    microkit_have_signal = seL4_True;
}

/* Acknowledge every IRQ of this PD once, so that each can be delivered. */
static void ack_all_irqs(void)
{
    seL4_Word irqs = MK_PATCHED_READ(microkit_irqs);
    for (microkit_channel ch = 0; irqs != 0; ch++, irqs >>= 1) {
        if (irqs & 1) {
            microkit_irq_ack(ch);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Event loop                                                               */

static void flush_deferred_signal(void)
{
    if (microkit_have_signal) {
        mk_ipc_send(microkit_signal_cap, microkit_signal_msg);
        microkit_have_signal = seL4_False;
    }
}

__attribute__((noreturn)) static void event_loop(void)
{
    seL4_Bool have_reply = seL4_False;
    microkit_msginfo reply_tag = microkit_msginfo_new(0, 0);

    for (;;) {
        seL4_Word badge;
        microkit_msginfo tag;

        if (have_reply) {
            /* ReplyRecv cannot carry the signal too: send it first. */
            flush_deferred_signal();
            tag = mk_ipc_reply_recv(INPUT_CAP, reply_tag, REPLY_CAP, &badge);
        } else if (microkit_have_signal) {
            tag = mk_ipc_nb_send_recv(microkit_signal_cap, microkit_signal_msg, INPUT_CAP, REPLY_CAP, &badge);
            microkit_have_signal = seL4_False;
        } else {
            tag = mk_ipc_recv(INPUT_CAP, REPLY_CAP, &badge);
        }

        have_reply = seL4_False;

        if ((badge >> MK_BADGE_FAULT_BIT) & 1) {
            reply_tag = microkit_msginfo_new(0, 0);
            have_reply = fault((microkit_child)(badge & MK_BADGE_PD_MASK), tag, &reply_tag) ? seL4_True : seL4_False;
        } else if ((badge >> MK_BADGE_ENDPOINT_BIT) & 1) {
            reply_tag = protected((microkit_channel)(badge & MK_BADGE_CHANNEL_MASK), tag);
            have_reply = seL4_True;
        } else {
            /* One notified() per set bit, lowest channel first. */
            for (microkit_channel ch = 0; badge != 0; ch++, badge >>= 1) {
                if (badge & 1) {
                    notified(ch);
                }
            }
        }
    }
}

void main(void)
{
    run_constructors();
    init();
    if (MK_PATCHED_READ(microkit_passive)) {
        queue_passive_handshake();
    }
    ack_all_irqs();
    event_loop();
}
