/*
 * A virtio block driver PD (virtio 1.2, MMIO transport version 2, one split virtqueue): it
 * negotiates VIRTIO_F_VERSION_1, reads the disk's first sector, writes the second and reads it
 * back, each request completing with an interrupt. The queue and buffers live in a memory region
 * at a fixed physical address the kernel leaves to user level (as sDDF places its DMA regions).
 */
#include <microkit.h>
#include <stdint.h>

#define BLK_IRQ 0
/* The transport with the highest address, where QEMU puts the first -device. */
#if defined(CONFIG_ARCH_AARCH64)
#define REGS_OFFSET 0xe00
#define DMA_PADDR 0x5fd00000ul
#else
#define REGS_OFFSET 0x0
#define DMA_PADDR 0x80100000ul
#endif

uintptr_t virtio_page;
uintptr_t dma;

#define REG(off) (*(volatile uint32_t *)(virtio_page + REGS_OFFSET + (off)))
/* The DMA page: descriptors, driver ring, device ring, request header, status byte, two sectors. */
#define DESC 0x000
#define AVAIL 0x100
#define USED 0x200
#define HEADER 0x300
#define STATUS 0x310
#define SECTOR0 0x400
#define SECTOR1 0x600
#define QUEUE_SIZE 8

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

static volatile struct desc *descs(void)
{
    return (volatile struct desc *)(dma + DESC);
}

static void put_dec(unsigned long v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) microkit_dbg_putc(buf[--n]);
}

static void put_line(const volatile char *s)
{
    for (int i = 0; i < 64 && s[i] != 0 && s[i] != '\n'; i++) microkit_dbg_putc(s[i]);
    microkit_dbg_putc('\n');
}

static uint16_t submitted;
static int step;

/* A request of `type` (0 read, 1 write) for `sector`, with its data at DMA offset `data`. */
static void submit(uint32_t type, uint64_t sector, uintptr_t data)
{
    volatile uint32_t *header = (volatile uint32_t *)(dma + HEADER);
    header[0] = type;
    header[1] = 0;
    *(volatile uint64_t *)(dma + HEADER + 8) = sector;
    *(volatile uint8_t *)(dma + STATUS) = 0xff;
    descs()[0] = (struct desc){ DMA_PADDR + HEADER, 16, 1, 1 };
    descs()[1] = (struct desc){ DMA_PADDR + data, 512, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2 };
    descs()[2] = (struct desc){ DMA_PADDR + STATUS, 1, 2, 0 };
    volatile uint16_t *avail = (volatile uint16_t *)(dma + AVAIL);
    avail[2 + submitted % QUEUE_SIZE] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    avail[1] = ++submitted;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    REG(0x050) = 0; /* QueueNotify */
}

void init(void)
{
    if (REG(0x000) != 0x74726976 || REG(0x004) != 2 || REG(0x008) != 2) {
        microkit_dbg_puts("blk: no virtio block device (version 2) at the last transport\n");
        return;
    }
    microkit_dbg_puts("blk: virtio-mmio version 2, block device of ");
    put_dec(REG(0x100) | ((unsigned long)REG(0x104) << 32));
    microkit_dbg_puts(" sectors\n");
    REG(0x070) = 0;     /* reset */
    REG(0x070) = 1 | 2; /* ACKNOWLEDGE, DRIVER */
    REG(0x014) = 1;     /* DeviceFeaturesSel: bits 32-63 */
    if ((REG(0x010) & 1) == 0) {
        microkit_dbg_puts("blk: the device does not offer VIRTIO_F_VERSION_1\n");
        return;
    }
    REG(0x024) = 1;
    REG(0x020) = 1; /* VIRTIO_F_VERSION_1 */
    REG(0x024) = 0;
    REG(0x020) = 0;
    REG(0x070) = 1 | 2 | 8; /* FEATURES_OK */
    if ((REG(0x070) & 8) == 0) {
        microkit_dbg_puts("blk: features not accepted\n");
        return;
    }
    REG(0x030) = 0; /* QueueSel */
    if (REG(0x034) < QUEUE_SIZE) return;
    REG(0x038) = QUEUE_SIZE;
    REG(0x080) = (uint32_t)(DMA_PADDR + DESC);
    REG(0x084) = (uint32_t)((DMA_PADDR + DESC) >> 32);
    REG(0x090) = (uint32_t)(DMA_PADDR + AVAIL);
    REG(0x094) = (uint32_t)((DMA_PADDR + AVAIL) >> 32);
    REG(0x0a0) = (uint32_t)(DMA_PADDR + USED);
    REG(0x0a4) = (uint32_t)((DMA_PADDR + USED) >> 32);
    REG(0x044) = 1;             /* QueueReady */
    REG(0x070) = 1 | 2 | 8 | 4; /* DRIVER_OK */
    submit(0, 0, SECTOR0);
}

void notified(microkit_channel ch)
{
    if (ch != BLK_IRQ) return;
    uint32_t pending = REG(0x060);
    REG(0x064) = pending; /* InterruptACK */
    microkit_irq_ack(ch);
    volatile uint16_t *used = (volatile uint16_t *)(dma + USED);
    uint8_t status = *(volatile uint8_t *)(dma + STATUS);
    if (used[1] != submitted || status != 0) {
        microkit_dbg_puts("blk: request failed\n");
        return;
    }
    switch (step++) {
    case 0:
        microkit_dbg_puts("blk: sector 0: ");
        put_line((volatile char *)(dma + SECTOR0));
        for (int i = 0; i < 512; i++) *(volatile char *)(dma + SECTOR1 + i) = 0;
        const char *msg = "written by the driver\n";
        for (int i = 0; msg[i] != 0; i++) *(volatile char *)(dma + SECTOR1 + i) = msg[i];
        submit(1, 1, SECTOR1);
        break;
    case 1:
        for (int i = 0; i < 512; i++) *(volatile char *)(dma + SECTOR1 + i) = 0;
        submit(0, 1, SECTOR1);
        break;
    default:
        microkit_dbg_puts("blk: sector 1 read back: ");
        put_line((volatile char *)(dma + SECTOR1));
        break;
    }
}
