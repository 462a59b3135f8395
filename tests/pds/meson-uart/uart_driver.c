/*
 * UART driver PD for the ODROID-C4's UART_AO (Meson UART at 0xff803000, IRQ 225), in the manner
 * of sDDF's meson serial driver: received bytes go into the RX ring for the echo client (RX
 * interrupt -> ring -> notify); bytes the client puts in the TX ring go to WFIFO while the TX FIFO
 * has room, and the TX interrupt is enabled while some wait. It pairs with tests/pds/echo's client.
 */
#include <microkit.h>
#include "../echo/ring.h"

#define UART_IRQ 0
#define CLIENT 1

uintptr_t uart;
uintptr_t rx_ring;
uintptr_t tx_ring;

/* Linux drivers/tty/serial/meson_uart.c register offsets and bits */
#define REG(off) (*(volatile uint32_t *)(uart + (off)))
#define AML_UART_WFIFO 0x00
#define AML_UART_RFIFO 0x04
#define AML_UART_CONTROL 0x08
#define AML_UART_STATUS 0x0c
#define AML_UART_MISC 0x10
#define AML_UART_TX_EN (1u << 12)
#define AML_UART_RX_EN (1u << 13)
#define AML_UART_TX_RST (1u << 22)
#define AML_UART_RX_RST (1u << 23)
#define AML_UART_CLEAR_ERR (1u << 24)
#define AML_UART_RX_INT_EN (1u << 27)
#define AML_UART_TX_INT_EN (1u << 28)
#define AML_UART_RX_EMPTY (1u << 20)
#define AML_UART_TX_FULL (1u << 21)
#define AML_UART_RECV_IRQ(c) ((c) & 0xffu)
#define AML_UART_XMIT_IRQ(c) (((c) & 0xffu) << 8)

static void set_control(uint32_t set, uint32_t clear)
{
    REG(AML_UART_CONTROL) = (REG(AML_UART_CONTROL) & ~clear) | set;
}

void init(void)
{
    /* Reset both state machines and the error bits (they do not clear themselves), as sDDF does. */
    set_control(AML_UART_TX_RST | AML_UART_RX_RST | AML_UART_CLEAR_ERR, AML_UART_TX_EN | AML_UART_RX_EN);
    set_control(0, AML_UART_TX_RST | AML_UART_RX_RST | AML_UART_CLEAR_ERR);
    /* RX interrupt from one byte on; TX interrupt when the TX FIFO holds less than one byte. */
    REG(AML_UART_MISC) = AML_UART_RECV_IRQ(1) | AML_UART_XMIT_IRQ(1);
    set_control(AML_UART_TX_EN | AML_UART_RX_EN | AML_UART_RX_INT_EN, 0);
}

/*
 * Moves what it can both ways: RX FIFO -> RX ring while the ring has room (what does not fit stays
 * in the FIFO: back-pressure, nothing lost; the RX interrupt is off until the client makes room),
 * TX ring -> TX FIFO while the FIFO has room (the TX interrupt is on while bytes wait).
 */
static void pump(void)
{
    struct ring *rx = (struct ring *)rx_ring;
    struct ring *tx = (struct ring *)tx_ring;
    bool moved = false;
    while (!(REG(AML_UART_STATUS) & AML_UART_RX_EMPTY) && !ring_full(rx)) {
        ring_put(rx, (uint8_t)REG(AML_UART_RFIFO));
        moved = true;
    }
    while (!ring_empty(tx) && !(REG(AML_UART_STATUS) & AML_UART_TX_FULL)) {
        REG(AML_UART_WFIFO) = ring_get(tx);
        moved = true;
    }
    uint32_t set = 0;
    uint32_t clear = 0;
    *(ring_full(rx) ? &clear : &set) |= AML_UART_RX_INT_EN;
    *(ring_empty(tx) ? &clear : &set) |= AML_UART_TX_INT_EN;
    set_control(set, clear);
    if (moved) {
        microkit_notify(CLIENT);
    }
}

void notified(microkit_channel ch)
{
    if (ch == UART_IRQ) {
        pump();
        microkit_irq_ack(UART_IRQ);
    } else if (ch == CLIENT) {
        pump();
    }
}
