/*
 * UART driver PD: received bytes go into the RX ring for the client (RX interrupt -> ring ->
 * notify); bytes the client puts in the TX ring are written to the UART when it notifies.
 * AArch64 drives QEMU virt's PL011, RISC-V its NS16550A; addresses come from setvar_vaddr.
 */
#include <microkit.h>
#include "ring.h"

#define UART_IRQ 0
#define CLIENT 1

uintptr_t uart;
uintptr_t rx_ring;
uintptr_t tx_ring;

#if defined(__aarch64__)
#define REG(off) (*(volatile uint32_t *)(uart + (off)))
#define UARTDR 0x000
#define UARTFR 0x018
#define UARTLCR_H 0x02c
#define UARTIMSC 0x038
#define UARTICR 0x044
#define FR_RXFE (1u << 4)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static void uart_init(void)
{
    REG(UARTLCR_H) = 0x70; /* 8 bits, FIFOs on */
    REG(UARTIMSC) = INT_RX | INT_RT;
}
static bool rx_ready(void) { return (REG(UARTFR) & FR_RXFE) == 0; }
static uint8_t rx_byte(void) { return (uint8_t)REG(UARTDR); }
static void tx_byte(uint8_t c) { REG(UARTDR) = c; }
static void rx_done(void) { REG(UARTICR) = INT_RX | INT_RT; }
static void rx_irq(bool on) { REG(UARTIMSC) = on ? (INT_RX | INT_RT) : 0; }
#else
#define REG(off) (*(volatile uint8_t *)(uart + (off)))
#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LSR 5
#define LSR_DR 1u

static void uart_init(void)
{
    REG(FCR) = 0x01; /* FIFOs on, trigger at 1 byte */
    REG(IER) = 0x01; /* received data available */
}
static bool rx_ready(void) { return (REG(LSR) & LSR_DR) != 0; }
static uint8_t rx_byte(void) { return REG(RBR); }
static void tx_byte(uint8_t c) { REG(THR) = c; }
static void rx_done(void) {}
static void rx_irq(bool on) { REG(IER) = on ? 0x01 : 0x00; }
#endif

void init(void)
{
    uart_init();
    /* A prompt with no newline: the emulator must show it before it waits for input. */
    tx_byte('>');
    tx_byte(' ');
}

/*
 * Moves what it can both ways: UART FIFO -> RX ring while the ring has room (what does not fit
 * stays in the FIFO: back-pressure, nothing lost), TX ring -> UART. Runs on the UART interrupt and
 * whenever the client says it took or gave bytes, so a full ring never stalls the pipeline.
 */
static void pump(void)
{
    struct ring *rx = (struct ring *)rx_ring;
    struct ring *tx = (struct ring *)tx_ring;
    bool moved = false;
    while (rx_ready() && !ring_full(rx)) {
        ring_put(rx, rx_byte());
        moved = true;
    }
    /* With the ring full, a level-triggered RX interrupt would fire for ever: mask it until the
     * client makes room (its notification brings us back here). */
    rx_irq(!ring_full(rx));
    while (!ring_empty(tx)) {
        tx_byte(ring_get(tx));
        moved = true;
    }
    if (moved) {
        microkit_notify(CLIENT);
    }
}

void notified(microkit_channel ch)
{
    if (ch == UART_IRQ) {
        rx_done();
        pump();
        microkit_irq_ack(UART_IRQ);
    } else if (ch == CLIENT) {
        pump();
    }
}
