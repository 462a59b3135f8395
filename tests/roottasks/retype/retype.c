/*
 * Untyped Retype of every object type, checked by the cap type each new cap has; Retype's errors;
 * and address spaces built at run time: page tables made as the walk needs them, a frame mapped,
 * written and read through two mappings, a large page, a new VSpace from a new ASID pool.
 */
#include "roottask.h"

/* seL4_DebugCapIdentify's tags (structures.bf capType). */
enum { TAG_FRAME = 1, TAG_UNTYPED = 2, TAG_PAGE_TABLE = 3, TAG_ENDPOINT = 4, TAG_NOTIFICATION = 6, TAG_REPLY = 8,
       TAG_CNODE = 10, TAG_TCB = 12, TAG_ASID_POOL = 13, TAG_SC = 22 };
#if defined(SEL4_ARCH_AARCH64)
#define TAG_VSPACE 9
#else
#define TAG_VSPACE TAG_PAGE_TABLE
#endif

static void made(const char *what, seL4_Word type, seL4_Word bits, unsigned tag)
{
    seL4_CPtr c = rt_alloc(type, bits);
    rt_printf("%s: %s (cap type %u)\n", c != seL4_CapNull && seL4_DebugCapIdentify(c) == tag ? "ok" : "FAIL", what, seL4_DebugCapIdentify(c));
}

/* The first untyped of at least 2^bits bytes, RAM or device as asked. */
static seL4_CPtr untyped_of(int device, unsigned bits)
{
    seL4_BootInfo *bi = rt_bootinfo;
    for (seL4_SlotPos i = bi->untyped.start; i < bi->untyped.end; i++) {
        seL4_UntypedDesc *u = &bi->untypedList[i - bi->untyped.start];
        if (u->isDevice == device && u->sizeBits >= bits) return i;
    }
    return seL4_CapNull;
}

int main(seL4_BootInfo *bi)
{
    (void)bi;
    made("TCB", seL4_TCBObject, 0, TAG_TCB);
    made("endpoint", seL4_EndpointObject, 0, TAG_ENDPOINT);
    made("notification", seL4_NotificationObject, 0, TAG_NOTIFICATION);
    made("reply", seL4_ReplyObject, 0, TAG_REPLY);
    made("CNode of 16 slots", seL4_CapTableObject, 4, TAG_CNODE);
    made("scheduling context", seL4_SchedContextObject, seL4_MinSchedContextBits, TAG_SC);
    made("untyped of 4 KiB", seL4_UntypedObject, 12, TAG_UNTYPED);
    made("small page", RT_SMALL_PAGE, 0, TAG_FRAME);
    made("large page", RT_LARGE_PAGE, 0, TAG_FRAME);
    made("page table", RT_PAGE_TABLE, 0, TAG_PAGE_TABLE);
    made("VSpace root", RT_VSPACE, 0, TAG_VSPACE);

    /* Retype's checks. */
    seL4_CPtr ram = untyped_of(0, 20);
    CHECK_ERR(seL4_Untyped_Retype(ram, seL4_ObjectTypeCount, 0, seL4_CapInitThreadCNode, 0, 0, rt_slot(), 1), seL4_InvalidArgument);
    CHECK_ERR(seL4_Untyped_Retype(ram, seL4_UntypedObject, 3, seL4_CapInitThreadCNode, 0, 0, rt_slot(), 1), seL4_InvalidArgument);
    CHECK_ERR(seL4_Untyped_Retype(ram, seL4_UntypedObject, 64, seL4_CapInitThreadCNode, 0, 0, rt_slot(), 1), seL4_RangeError);
    CHECK_ERR(seL4_Untyped_Retype(ram, seL4_EndpointObject, 0, seL4_CapInitThreadCNode, 0, 0, seL4_CapInitThreadTCB, 1), seL4_DeleteFirst);
    seL4_CPtr device = untyped_of(1, 12);
    CHECK_ERR(seL4_Untyped_Retype(device, seL4_TCBObject, 0, seL4_CapInitThreadCNode, 0, 0, rt_slot(), 1), seL4_InvalidArgument);
    seL4_CPtr small = rt_alloc(seL4_UntypedObject, 4);
    CHECK_ERR(seL4_Untyped_Retype(small, seL4_TCBObject, 0, seL4_CapInitThreadCNode, 0, 0, rt_slot(), 1), seL4_NotEnoughMemory);

    /* A frame mapped where nothing is: the walk lacks tables until rt_map makes them. */
    seL4_CPtr frame = rt_alloc(RT_SMALL_PAGE, 0);
    seL4_Word va = 0x20000000;
    CHECK_ERR(rt_page_map(frame, seL4_CapInitThreadVSpace, va, seL4_ReadWrite, RT_ATTRS), seL4_FailedLookup);
    CHECK_ERR(rt_map(frame, seL4_CapInitThreadVSpace, va, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    volatile seL4_Word *p = (volatile seL4_Word *)va;
    p[0] = 0x1234567890abcdeful;
    CHECK(p[0] == 0x1234567890abcdeful);
    /* A frame cap maps once: another address is an invalid argument. */
    CHECK_ERR(rt_page_map(frame, seL4_CapInitThreadVSpace, va + 0x1000, seL4_ReadWrite, RT_ATTRS), seL4_InvalidArgument);

    /* A copy of the cap maps the same frame a second time: both addresses show the same bytes. */
    seL4_CPtr copy = rt_slot();
    CHECK_ERR(seL4_CNode_Copy(seL4_CapInitThreadCNode, copy, seL4_WordBits, seL4_CapInitThreadCNode, frame, seL4_WordBits, seL4_AllRights), seL4_NoError);
    CHECK_ERR(rt_map(copy, seL4_CapInitThreadVSpace, va + 0x1000, seL4_CanRead, RT_ATTRS | RT_XN), seL4_NoError);
    CHECK(((volatile seL4_Word *)(va + 0x1000))[0] == 0x1234567890abcdeful);
    CHECK(rt_page_address(frame).paddr == rt_page_address(copy).paddr);
    CHECK_ERR(rt_page_unmap(copy), seL4_NoError);

    /* A large page at a 2 MiB boundary. */
    seL4_CPtr large = rt_alloc(RT_LARGE_PAGE, 0);
    seL4_Word lva = 0x40000000;
    CHECK_ERR(rt_map(large, seL4_CapInitThreadVSpace, lva + 0x1000, seL4_ReadWrite, RT_ATTRS), seL4_AlignmentError);
    CHECK_ERR(rt_map(large, seL4_CapInitThreadVSpace, lva, seL4_ReadWrite, RT_ATTRS | RT_XN), seL4_NoError);
    ((volatile char *)lva)[0x1fffff] = 'z';
    CHECK(((volatile char *)lva)[0x1fffff] == 'z');

    /* Above the user address space. */
    CHECK_ERR(rt_page_map(rt_alloc(RT_SMALL_PAGE, 0), seL4_CapInitThreadVSpace, seL4_UserTop + 1, seL4_ReadWrite, RT_ATTRS), seL4_InvalidArgument);

    /* A new ASID pool from a 4 KiB untyped, and a new VSpace it names. */
    seL4_CPtr pool_ut = rt_alloc(seL4_UntypedObject, seL4_ASIDPoolBits);
    seL4_CPtr pool = rt_slot();
    CHECK_ERR(rt_asid_make_pool(seL4_CapASIDControl, pool_ut, seL4_CapInitThreadCNode, pool, seL4_WordBits), seL4_NoError);
    CHECK(seL4_DebugCapIdentify(pool) == TAG_ASID_POOL);
    seL4_CPtr vspace = rt_alloc(RT_VSPACE, 0);
    /* Until a pool gives it an ASID, a VSpace root is no address space to map into. */
    CHECK_ERR(rt_map(rt_alloc(RT_SMALL_PAGE, 0), vspace, va, seL4_ReadWrite, RT_ATTRS), seL4_InvalidCapability);
    CHECK_ERR(rt_asid_pool_assign(pool, vspace), seL4_NoError);
    CHECK_ERR(rt_map(rt_alloc(RT_SMALL_PAGE, 0), vspace, va, seL4_ReadWrite, RT_ATTRS), seL4_NoError);

    /* Revoking the untyped's children deletes them; the slot of the first copy is empty again. */
    CHECK_ERR(seL4_CNode_Revoke(seL4_CapInitThreadCNode, small, seL4_WordBits), seL4_NoError);
    CHECK_ERR(seL4_CNode_Delete(seL4_CapInitThreadCNode, copy, seL4_WordBits), seL4_NoError);
    CHECK(seL4_DebugCapIdentify(copy) == 0);

    /* One scheduling domain in this kernel: domain 1 does not exist. */
    CHECK_ERR(seL4_DomainSet_Set(seL4_CapDomain, 0, seL4_CapInitThreadTCB), seL4_NoError);
    CHECK_ERR(seL4_DomainSet_Set(seL4_CapDomain, 1, seL4_CapInitThreadTCB), seL4_InvalidArgument);
    return 0;
}
