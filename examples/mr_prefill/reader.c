/* reader: prints the prefilled region line by line, then checks the byte after the file is zero. */
#include <microkit.h>

seL4_Word message_vaddr; /* setvar_vaddr */
seL4_Word message_size;  /* setvar_prefill_size: the file's length */

void init(void)
{
    const volatile char *text = (const volatile char *)message_vaddr;
    microkit_dbg_puts("reader: ");
    microkit_dbg_put32((seL4_Uint32)message_size);
    microkit_dbg_puts(" bytes prefilled\n");
    seL4_Bool line_start = seL4_True;
    for (seL4_Word i = 0; i < message_size; i++) {
        if (line_start) microkit_dbg_puts("reader: | ");
        microkit_dbg_putc(text[i]);
        line_start = text[i] == '\n';
    }
    if (!line_start) microkit_dbg_putc('\n');
    microkit_dbg_puts("reader: byte after the file is ");
    microkit_dbg_put32((seL4_Uint8)text[message_size]);
    microkit_dbg_puts("\n");
}

void notified(microkit_channel ch)
{
    (void)ch;
}
