/* patched: its variables are set by the Microkit tool (see setvar.system). */
#include <microkit.h>

/* Zero here; the tool writes the real values into the ELF. */
seL4_Word buffer_vaddr;
seL4_Word buffer_size;
seL4_Word buffer_paddr;
seL4_Word peer_channel;

static void put_hex(seL4_Word v)
{
    microkit_dbg_puts("0x");
    int shift = 60;
    while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
    for (; shift >= 0; shift -= 4) microkit_dbg_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void init(void)
{
    microkit_dbg_puts("patched: buffer_vaddr = ");
    put_hex(buffer_vaddr);
    microkit_dbg_puts("\npatched: buffer_size = ");
    put_hex(buffer_size);
    /* (Where the tool puts the region depends on the board: 0 is a valid RAM address on some.) */
    microkit_dbg_puts("\npatched: buffer_paddr page-aligned: ");
    microkit_dbg_puts((buffer_paddr & 0xfff) == 0 ? "yes" : "no");
    microkit_dbg_puts("\npatched: peer_channel = ");
    microkit_dbg_put32((seL4_Uint32)peer_channel);
    microkit_dbg_puts("\n");

    /* The region really is at buffer_vaddr: touch its first and last words. */
    volatile seL4_Word *first = (volatile seL4_Word *)buffer_vaddr;
    volatile seL4_Word *last = (volatile seL4_Word *)(buffer_vaddr + buffer_size - sizeof(seL4_Word));
    *first = 0x1234;
    *last = 0x5678;
    microkit_dbg_puts("patched: buffer words ");
    put_hex(*first);
    microkit_dbg_puts(" and ");
    put_hex(*last);
    microkit_dbg_puts("\n");

    microkit_notify((microkit_channel)peer_channel);
}

void notified(microkit_channel ch)
{
    (void)ch;
}
