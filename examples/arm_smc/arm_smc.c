/*
 * arm_smc: SMC calls to the secure firmware through the PD's SMC cap. First
 * PSCI_VERSION through microkit_arm_smc_call(), as upstream Microkit's arm_smc
 * example does; then, through libsel4's seL4_ARM_SMC_Call() directly,
 * PSCI_FEATURES and a function the firmware does not implement, with all
 * eight registers filled to show which come back changed.
 *
 * The system needs smc="true", which only AArch64 kernels with SMC calls allow;
 * on other kernels this PD builds (so every example builds everywhere) but
 * only says so.
 */
#include <microkit.h>

#define PSCI_VERSION 0x84000000
#define PSCI_FEATURES 0x8400000a
/* In the PSCI function range, but not a PSCI function. */
#define NO_SUCH_FUNCTION 0x840000ff

#if defined(CONFIG_ALLOW_SMC_CALLS)

/* x0 is a 32-bit signed return code, sign-extended. */
static void put_code(seL4_Word x0)
{
    int32_t code = (int32_t)x0;
    if (code < 0) {
        microkit_dbg_puts("-");
        microkit_dbg_put32((seL4_Uint32)-code);
    } else {
        microkit_dbg_put32((seL4_Uint32)code);
    }
}

void init(void)
{
    microkit_dbg_puts("arm_smc: PSCI_VERSION via microkit_arm_smc_call()\n");
    seL4_ARM_SMCContext args = {0};
    seL4_ARM_SMCContext resp = {0};
    args.x0 = PSCI_VERSION;
    microkit_arm_smc_call(&args, &resp);
    microkit_dbg_puts("arm_smc: PSCI version ");
    microkit_dbg_put32(((seL4_Uint32)resp.x0 >> 16) & 0xffff);
    microkit_dbg_puts(".");
    microkit_dbg_put32((seL4_Uint32)resp.x0 & 0xffff);
    microkit_dbg_puts("\n");

    args.x0 = PSCI_FEATURES;
    args.x1 = PSCI_VERSION;
    seL4_Error err = seL4_ARM_SMC_Call(ARM_SMC_CAP, &args, &resp);
    microkit_dbg_puts("arm_smc: PSCI_FEATURES(PSCI_VERSION) -> error ");
    microkit_dbg_put32(err);
    microkit_dbg_puts(", x0 ");
    put_code(resp.x0);
    microkit_dbg_puts("\n");

    seL4_ARM_SMCContext all = { NO_SUCH_FUNCTION, 11, 12, 13, 14, 15, 16, 17 };
    err = seL4_ARM_SMC_Call(ARM_SMC_CAP, &all, &resp);
    microkit_dbg_puts("arm_smc: function 0x840000ff -> error ");
    microkit_dbg_put32(err);
    microkit_dbg_puts(", x0 ");
    put_code(resp.x0);
    microkit_dbg_puts(", x1-x7");
    seL4_Word rest[7] = { resp.x1, resp.x2, resp.x3, resp.x4, resp.x5, resp.x6, resp.x7 };
    for (int i = 0; i < 7; i++) {
        microkit_dbg_puts(" ");
        microkit_dbg_put32((seL4_Uint32)rest[i]);
    }
    microkit_dbg_puts("\n");
}

#else

void init(void)
{
    microkit_dbg_puts("arm_smc: this kernel makes no SMC calls\n");
}

#endif

void notified(microkit_channel ch)
{
    (void)ch;
}
