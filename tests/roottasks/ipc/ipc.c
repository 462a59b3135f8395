/*
 * IPC between the root task and a server thread: Call and ReplyRecv on a badged endpoint with
 * message registers in registers and the IPC buffer, a cap granted through the endpoint, a
 * notification bound to the server, and notification badges combining.
 */
#include "roottask.h"

static seL4_CPtr ep, reply_obj, bound, recv_slot;
static rt_thread_t server_t;

static void server(rt_thread_t *t)
{
    (void)t;
    seL4_Word badge;
    seL4_SetCapReceivePath(seL4_CapInitThreadCNode, recv_slot, seL4_WordBits);
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge, reply_obj);
    for (;;) {
        seL4_Word n = seL4_MessageInfo_get_length(info);
        if (badge == 0x10) {
            /* The bound notification's signal: only the badge register is written. */
            rt_printf("server: notified through its bound notification, badge 0x%lx\n", (unsigned long)badge);
            info = seL4_Recv(ep, &badge, reply_obj);
            continue;
        }
        rt_printf("server: label %lu, badge 0x%lx, %lu words, %lu caps\n", (unsigned long)seL4_MessageInfo_get_label(info),
                  (unsigned long)badge, (unsigned long)n, (unsigned long)seL4_MessageInfo_get_extraCaps(info));
        if (seL4_MessageInfo_get_extraCaps(info) == 1) {
            rt_printf("server: the cap it was given is a notification: %s\n", seL4_DebugCapIdentify(recv_slot) == 6 ? "yes" : "no");
            seL4_Signal(recv_slot);
        }
        for (seL4_Word i = 0; i < n; i++) seL4_SetMR((int)i, seL4_GetMR((int)i) * 2);
        info = seL4_ReplyRecv(ep, seL4_MessageInfo_new(seL4_MessageInfo_get_label(info) + 1, 0, 0, n), &badge, reply_obj);
    }
}

int main(seL4_BootInfo *bi)
{
    (void)bi;
    ep = rt_alloc(seL4_EndpointObject, 0);
    reply_obj = rt_alloc(seL4_ReplyObject, 0);
    bound = rt_alloc(seL4_NotificationObject, 0);
    recv_slot = rt_slot();
    CHECK_ERR(rt_thread_start(&server_t, "server", seL4_CapInitThreadVSpace, 200, 1000, 1000, 0, server, 0), seL4_NoError);
    CHECK_ERR(seL4_TCB_BindNotification(server_t.tcb, bound), seL4_NoError);

    /* A badged copy of the endpoint to call with. */
    seL4_CPtr badged = rt_slot();
    CHECK_ERR(seL4_CNode_Mint(seL4_CapInitThreadCNode, badged, seL4_WordBits, seL4_CapInitThreadCNode, ep, seL4_WordBits, seL4_AllRights, 0x42), seL4_NoError);

    /* Eight words: four travel in registers, four in the IPC buffer; the server doubles them. */
    for (int i = 0; i < 8; i++) seL4_SetMR(i, 100 + i);
    seL4_MessageInfo_t info = seL4_Call(badged, seL4_MessageInfo_new(7, 0, 0, 8));
    int all = seL4_MessageInfo_get_label(info) == 8 && seL4_MessageInfo_get_length(info) == 8;
    for (int i = 0; i < 8; i++) all &= seL4_GetMR(i) == (seL4_Word)(200 + 2 * i);
    CHECK(all);

    /* A badged notification cap granted to the server, which signals it back. */
    seL4_CPtr ntfn = rt_alloc(seL4_NotificationObject, 0), granted = rt_slot();
    seL4_CNode_Mint(seL4_CapInitThreadCNode, granted, seL4_WordBits, seL4_CapInitThreadCNode, ntfn, seL4_WordBits, seL4_AllRights, 8);
    seL4_SetCap(0, granted);
    info = seL4_Call(badged, seL4_MessageInfo_new(1, 0, 1, 0));
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    rt_printf("root: the server signalled the granted notification, badge %lu\n", (unsigned long)badge);

    /* The server's bound notification wakes its Recv on the endpoint. */
    seL4_CPtr b1 = rt_slot(), b2 = rt_slot();
    seL4_CNode_Mint(seL4_CapInitThreadCNode, b1, seL4_WordBits, seL4_CapInitThreadCNode, bound, seL4_WordBits, seL4_AllRights, 0x10);
    seL4_CNode_Mint(seL4_CapInitThreadCNode, b2, seL4_WordBits, seL4_CapInitThreadCNode, bound, seL4_WordBits, seL4_AllRights, 0x20);
    seL4_Signal(b1);

    /* Badges of signals not yet waited for combine. */
    seL4_CPtr n1 = rt_slot(), n2 = rt_slot();
    seL4_CNode_Mint(seL4_CapInitThreadCNode, n1, seL4_WordBits, seL4_CapInitThreadCNode, ntfn, seL4_WordBits, seL4_AllRights, 1);
    seL4_CNode_Mint(seL4_CapInitThreadCNode, n2, seL4_WordBits, seL4_CapInitThreadCNode, ntfn, seL4_WordBits, seL4_AllRights, 4);
    seL4_Signal(n1);
    seL4_Signal(n2);
    seL4_Wait(ntfn, &badge);
    rt_printf("root: waited, badge %lu\n", (unsigned long)badge);
    seL4_Poll(ntfn, &badge);
    rt_printf("root: polled, badge %lu\n", (unsigned long)badge);
    CHECK_ERR(seL4_CNode_Mint(seL4_CapInitThreadCNode, rt_slot(), seL4_WordBits, seL4_CapInitThreadCNode, n1, seL4_WordBits, seL4_AllRights, 9), seL4_IllegalOperation);
    return 0;
}
