/*
 * What the kernel hands the root task: BootInfo's fields and slot regions, the untyped list, the
 * device tree in the extra boot info, and the type of the cap in every fixed and listed slot
 * (seL4_DebugCapIdentify). The e2e test compares each line with the boot plan.
 */
#include "roottask.h"

static void region(const char *name, seL4_SlotRegion r)
{
    rt_printf("%s [%lu, %lu)\n", name, (unsigned long)r.start, (unsigned long)r.end);
}

static unsigned be32(const unsigned char *p)
{
    return ((unsigned)p[0] << 24) | ((unsigned)p[1] << 16) | ((unsigned)p[2] << 8) | p[3];
}

int main(seL4_BootInfo *bi)
{
    rt_printf("bootinfo at %p, ipcBuffer %p\n", (void *)bi, (void *)bi->ipcBuffer);
    rt_printf("nodeID %lu numNodes %lu numIOPTLevels %lu cnodeBits %lu domain %lu extraLen %lu\n",
              (unsigned long)bi->nodeID, (unsigned long)bi->numNodes, (unsigned long)bi->numIOPTLevels,
              (unsigned long)bi->initThreadCNodeSizeBits, (unsigned long)bi->initThreadDomain, (unsigned long)bi->extraLen);
    region("empty", bi->empty);
    region("sharedFrames", bi->sharedFrames);
    region("userImageFrames", bi->userImageFrames);
    region("userImagePaging", bi->userImagePaging);
    region("ioSpaceCaps", bi->ioSpaceCaps);
    region("extraBIPages", bi->extraBIPages);
    region("schedcontrol", bi->schedcontrol);
    region("untyped", bi->untyped);
    for (seL4_SlotPos i = bi->untyped.start; i < bi->untyped.end; i++) {
        seL4_UntypedDesc *u = &bi->untypedList[i - bi->untyped.start];
        rt_printf("untyped %lx %u %u\n", (unsigned long)u->paddr, u->sizeBits, u->isDevice);
    }

    /* The extra boot info follows the BootInfo frame: one FDT chunk. */
    const unsigned char *extra = (const unsigned char *)bi + seL4_BootInfoFrameSize;
    const seL4_BootInfoHeader *h = (const seL4_BootInfoHeader *)extra;
    const unsigned char *fdt = extra + sizeof(*h);
    rt_printf("chunk id %lu len %lu, fdt magic %x size %u\n", (unsigned long)h->id, (unsigned long)h->len, be32(fdt), be32(fdt + 4));

    rt_printf("caps:");
    for (seL4_CPtr c = 0; c < seL4_NumInitialCaps; c++) rt_printf(" %u", seL4_DebugCapIdentify(c));
    rt_printf("\n");
    rt_printf("listed caps: paging %u extra %u schedcontrol %u frame %u untyped %u empty %u\n",
              seL4_DebugCapIdentify(bi->userImagePaging.start), seL4_DebugCapIdentify(bi->extraBIPages.start),
              seL4_DebugCapIdentify(bi->schedcontrol.start), seL4_DebugCapIdentify(bi->userImageFrames.start),
              seL4_DebugCapIdentify(bi->untyped.end - 1), seL4_DebugCapIdentify(bi->empty.start));

    /* The IPC buffer is the thread's, mapped read-write. */
    bi->ipcBuffer->userData = 0x5a5a;
    CHECK(seL4_GetIPCBuffer()->userData == 0x5a5a);
    return 0;
}
