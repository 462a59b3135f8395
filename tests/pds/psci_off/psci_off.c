/*
 * psci_off: powers the system off with PSCI SYSTEM_OFF through its SMC cap.
 * The call does not return, so the second line is never printed. (AArch64
 * kernels with SMC calls only; elsewhere it just says so.)
 */
#include <microkit.h>

#define PSCI_SYSTEM_OFF 0x84000008

void init(void)
{
#if defined(CONFIG_ALLOW_SMC_CALLS)
    microkit_dbg_puts("psci_off: SYSTEM_OFF\n");
    seL4_ARM_SMCContext args = { PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0, 0, 0 };
    seL4_ARM_SMCContext resp;
    seL4_ARM_SMC_Call(ARM_SMC_CAP, &args, &resp);
    microkit_dbg_puts("psci_off: still running\n");
#else
    microkit_dbg_puts("psci_off: this kernel makes no SMC calls\n");
#endif
}

void notified(microkit_channel ch)
{
    (void)ch;
}
