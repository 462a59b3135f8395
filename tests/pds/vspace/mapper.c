/*
 * vspace mapper: builds part of its own address space through libsel4 and
 * prints each result. Its CNode holds, from the test: a cap to that CNode,
 * untyped RAM, a 4 KiB untyped for an ASID pool, the ASID control cap and
 * the IRQ control cap.
 */
#include <microkit.h>

#define CNODE 460
#define UNTYPED 461
#define POOL_UNTYPED 462
#define ASID_CONTROL 463
#define IRQ_CONTROL 464
/* Slots this PD fills. */
#define FRAME 470
#define PT_UPPER 471
#define PT_LOWER 472
#define PT_EXTRA 473
#define POOL 474
#define NEW_VSPACE 475
#define IRQ_HANDLER 476
#define CNODE_BITS 9

/* Below every user top: 128 GiB, where nothing of the PD's image is mapped. */
#define VA 0x2000000000ul

#if defined(__aarch64__)
#define FRAME_TYPE seL4_ARM_SmallPageObject
#define PT_TYPE seL4_ARM_PageTableObject
#define VSPACE_TYPE seL4_ARM_VSpaceObject
#define ATTRS seL4_ARM_Default_VMAttributes
#define BEYOND_USER_TOP 0x10000000000ul /* seL4_UserTop 0xffffffffff + 1 */
#define FREE_IRQ 100 /* no device of qemu_virt_aarch64 uses this GIC line */
#define page_map seL4_ARM_Page_Map
#define page_unmap seL4_ARM_Page_Unmap
#define page_address seL4_ARM_Page_GetAddress
#define pt_map seL4_ARM_PageTable_Map
#define pt_unmap seL4_ARM_PageTable_Unmap
#define make_pool seL4_ARM_ASIDControl_MakePool
#define pool_assign seL4_ARM_ASIDPool_Assign
#else
#define FRAME_TYPE seL4_RISCV_4K_Page
#define PT_TYPE seL4_RISCV_PageTableObject
#define VSPACE_TYPE seL4_RISCV_PageTableObject
#define ATTRS seL4_RISCV_Default_VMAttributes
#define BEYOND_USER_TOP 0x4000000000ul /* past seL4_UserTop 0x3ffffff000 */
#define FREE_IRQ 90 /* no device of qemu_virt_riscv64 uses this PLIC source */
#define page_map seL4_RISCV_Page_Map
#define page_unmap seL4_RISCV_Page_Unmap
#define page_address seL4_RISCV_Page_GetAddress
#define pt_map seL4_RISCV_PageTable_Map
#define pt_unmap seL4_RISCV_PageTable_Unmap
#define make_pool seL4_RISCV_ASIDControl_MakePool
#define pool_assign seL4_RISCV_ASIDPool_Assign
#endif

static void put_hex(seL4_Word v)
{
    microkit_dbg_puts("0x");
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        int digit = (int)((v >> shift) & 0xf);
        if (digit != 0 || started || shift == 0) {
            microkit_dbg_putc("0123456789abcdef"[digit]);
            started = 1;
        }
    }
}

static void say(const char *what, seL4_Word value)
{
    microkit_dbg_puts("mapper: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" -> ");
    microkit_dbg_put32((seL4_Uint32)value);
    microkit_dbg_puts("\n");
}

static void say_hex(const char *what, seL4_Word value)
{
    microkit_dbg_puts("mapper: ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" = ");
    put_hex(value);
    microkit_dbg_puts("\n");
}

/* A failed lookup's reply: MR1 = lookup failure type, MR2 = bits left. */
static void say_lookup(const char *what, seL4_Error err)
{
    say(what, err);
    say("  lookup failure type", seL4_GetMR(1));
    say("  bits left", seL4_GetMR(2));
}

/* One 4-byte store or load, so the pager can step over it when it faults. */
static void store(seL4_Word addr, seL4_Word value)
{
#if defined(__aarch64__)
    asm volatile("str %0, [%1]" :: "r"(value), "r"(addr) : "memory");
#else
    asm volatile(".option push\n.option norvc\nsd %0, 0(%1)\n.option pop" :: "r"(value), "r"(addr) : "memory");
#endif
}

static seL4_Word load(seL4_Word addr)
{
    seL4_Word value = 0;
#if defined(__aarch64__)
    asm volatile("ldr %0, [%1]" : "+r"(value) : "r"(addr) : "memory");
#else
    asm volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "+r"(value) : "r"(addr) : "memory");
#endif
    return value;
}

static seL4_Error retype(seL4_Word type, seL4_Word slot, seL4_Word count)
{
    return seL4_Untyped_Retype(UNTYPED, type, 0, CNODE, 0, 0, slot, count);
}

void init(void)
{
    say("retype a frame", retype(FRAME_TYPE, FRAME, 1));
    say("retype three page tables", retype(PT_TYPE, PT_UPPER, 3));
    seL4_Word paddr = page_address(FRAME).paddr;
    say("frame address is page aligned and not 0", paddr != 0 && (paddr & 0xfff) == 0);

    say_lookup("map with no page table", page_map(FRAME, VSPACE_CAP, VA, seL4_ReadWrite, ATTRS));
    say("map the upper page table", pt_map(PT_UPPER, VSPACE_CAP, VA, ATTRS));
    say_lookup("map with one page table", page_map(FRAME, VSPACE_CAP, VA, seL4_ReadWrite, ATTRS));
    say("map the lower page table", pt_map(PT_LOWER, VSPACE_CAP, VA, ATTRS));
    say("map the upper page table again", pt_map(PT_UPPER, VSPACE_CAP, VA, ATTRS));
    say("  invalid cap", seL4_GetMR(0));
    say("map a third table there", pt_map(PT_EXTRA, VSPACE_CAP, VA, ATTRS));
    say("map the frame misaligned", page_map(FRAME, VSPACE_CAP, VA + 0x800, seL4_ReadWrite, ATTRS));
    say("map the frame beyond the user top", page_map(FRAME, VSPACE_CAP, BEYOND_USER_TOP, seL4_ReadWrite, ATTRS));
    say("  invalid argument", seL4_GetMR(0));

    say("map the frame read-write", page_map(FRAME, VSPACE_CAP, VA, seL4_ReadWrite, ATTRS));
    store(VA + 8, 0x1122334455667788ul);
    say_hex("read back", load(VA + 8));
    say("map the same cap elsewhere", page_map(FRAME, VSPACE_CAP, VA + 0x1000, seL4_ReadWrite, ATTRS));
    say("  invalid argument", seL4_GetMR(0));
#if defined(__aarch64__)
    say("clean the frame's data cache", seL4_ARM_Page_Clean_Data(FRAME, 0, 0x1000));
    say("clean past the frame", seL4_ARM_Page_Clean_Data(FRAME, 0, 0x1001));
    say("unify instructions over the VSpace", seL4_ARM_VSpace_Unify_Instruction(VSPACE_CAP, VA, VA + 0x1000));
    say("clean across a frame boundary", seL4_ARM_VSpace_Clean_Data(VSPACE_CAP, VA + 0xff8, VA + 0x1008));
    say_hex("  valid range ends", seL4_GetMR(1));
#endif

    say("remap the frame read-only", page_map(FRAME, VSPACE_CAP, VA, seL4_CanRead, ATTRS));
    say_hex("read after remap", load(VA + 8));
    store(VA + 8, 0xdeadbeef);
    say_hex("after the refused store", load(VA + 8));

    say("unmap the frame", page_unmap(FRAME));
    load(VA + 8);
    say("unmap it again", page_unmap(FRAME));

    say("map it read-write again", page_map(FRAME, VSPACE_CAP, VA, seL4_ReadWrite, ATTRS));
    say_hex("the frame kept its contents", load(VA + 8));
    say("delete the frame cap", seL4_CNode_Delete(CNODE, FRAME, CNODE_BITS));
    load(VA + 16);

    say("unmap the lower page table", pt_unmap(PT_LOWER));
    say("unmap the upper page table", pt_unmap(PT_UPPER));

    say("make an ASID pool", make_pool(ASID_CONTROL, POOL_UNTYPED, CNODE, POOL, CNODE_BITS));
    say("make another from the used untyped", make_pool(ASID_CONTROL, POOL_UNTYPED, CNODE, POOL + 10, CNODE_BITS));
    say("retype a VSpace", retype(VSPACE_TYPE, NEW_VSPACE, 1));
    say("map a table into the unassigned VSpace", pt_map(PT_UPPER, NEW_VSPACE, VA, ATTRS));
    say("assign it an ASID", pool_assign(POOL, NEW_VSPACE));
    say("assign it again", pool_assign(POOL, NEW_VSPACE));
    say("map a table into the new VSpace", pt_map(PT_UPPER, NEW_VSPACE, VA, ATTRS));

    /* Revoking the untyped deletes everything made from it (tables unmapped, the VSpace's ASID
     * freed); the next Retype starts from its base again, on memory the reset cleared. */
    say("revoke the untyped", seL4_CNode_Revoke(CNODE, UNTYPED, CNODE_BITS));
    say("the frame cap is gone", seL4_CNode_Delete(CNODE, FRAME, CNODE_BITS) == seL4_NoError && seL4_DebugCapIdentify(FRAME) == 0);
    say("retype a frame and two tables", retype(FRAME_TYPE, FRAME, 1) | retype(PT_TYPE, PT_UPPER, 2));
    say("map them", pt_map(PT_UPPER, VSPACE_CAP, VA, ATTRS) | pt_map(PT_LOWER, VSPACE_CAP, VA, ATTRS) |
        page_map(FRAME, VSPACE_CAP, VA, seL4_ReadWrite, ATTRS));
    say_hex("the new frame reads", load(VA + 8));
    say("same physical frame as before", page_address(FRAME).paddr == paddr);

    say("take a free IRQ line", seL4_IRQControl_Get(IRQ_CONTROL, FREE_IRQ, CNODE, IRQ_HANDLER, CNODE_BITS));
    say("take it again", seL4_IRQControl_Get(IRQ_CONTROL, FREE_IRQ, CNODE, IRQ_HANDLER + 1, CNODE_BITS));
    say("take a line past maxIRQ", seL4_IRQControl_Get(IRQ_CONTROL, 0x10000, CNODE, IRQ_HANDLER + 1, CNODE_BITS));
    say("  max", seL4_GetMR(1));
    say("ack the new handler", seL4_IRQHandler_Ack(IRQ_HANDLER));
    say("delete it", seL4_CNode_Delete(CNODE, IRQ_HANDLER, CNODE_BITS));
    say("take the line again", seL4_IRQControl_Get(IRQ_CONTROL, FREE_IRQ, CNODE, IRQ_HANDLER, CNODE_BITS));
    microkit_dbg_puts("mapper: done\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
