/*
 * A virtual machine monitor without a guest: its init makes every call a VMM can make on its VM's
 * vCPU 0 and prints what the kernel answered (tests/e2e/vmm.test.ts). The libmicrokit wrappers
 * crash the PD on an error, so the error cases use a raw seL4_Call with the labels, registers and
 * argument packing of microkit_abi.h, and print the reply's label (the seL4 error) and MRs.
 *
 * Built for every board; only a hypervisor kernel has the vCPU calls.
 */
#include <microkit.h>

#if defined(MK_CONFIG_ARM_HYPERVISOR_SUPPORT) && MK_CONFIG_ARM_HYPERVISOR_SUPPORT

#define VCPU 0

static void puthex(seL4_Word v)
{
    char buf[19];
    int i = 18;
    buf[i] = '\0';
    do {
        buf[--i] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    } while (v != 0);
    buf[--i] = 'x';
    buf[--i] = '0';
    microkit_dbg_puts(&buf[i]);
}

static void putdec(seL4_Word v)
{
    char buf[21];
    int i = 20;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    microkit_dbg_puts(&buf[i]);
}

static void say(const char *what)
{
    microkit_dbg_puts("vmm: ");
    microkit_dbg_puts(what);
}

/* seL4_Call(cap) with MR0..MR3 in registers; returns the reply's message info, mr[] the reply MRs. */
static seL4_MessageInfo_t raw_call(seL4_CPtr cap, seL4_Word label, seL4_Word length, seL4_Word extra_caps, seL4_Word mr[4])
{
    register seL4_Word r_cap __asm__(MK_REG_CAP) = cap;
    register seL4_Word r_info __asm__(MK_REG_INFO) = seL4_MessageInfo_new(label, 0, extra_caps, length).words[0];
    register seL4_Word r_mr0 __asm__(MK_REG_MR0) = mr[0];
    register seL4_Word r_mr1 __asm__(MK_REG_MR1) = mr[1];
    register seL4_Word r_mr2 __asm__(MK_REG_MR2) = mr[2];
    register seL4_Word r_mr3 __asm__(MK_REG_MR3) = mr[3];
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_CALL;
    __asm__ volatile(MK_TRAP_INSN
                     : "+r"(r_cap), "+r"(r_info), "+r"(r_mr0), "+r"(r_mr1), "+r"(r_mr2), "+r"(r_mr3)
                     : "r"(r_sys)
                     : "memory");
    mr[0] = r_mr0;
    mr[1] = r_mr1;
    mr[2] = r_mr2;
    mr[3] = r_mr3;
    seL4_MessageInfo_t info;
    info.words[0] = r_info;
    return info;
}

/* One raw invocation on vCPU 0's VCPU (or TCB) cap, printed as "<what>: error E[, MRs m0 m1]". */
static void try_call(const char *what, seL4_CPtr cap, seL4_Word label, seL4_Word length, seL4_Word mr0, seL4_Word mr1,
                     seL4_Word extra_cap)
{
    seL4_Word mr[4] = {mr0, mr1, 0, 0};
    seL4_Word extra = 0;
    if (extra_cap != 0) {
        __sel4_ipc_buffer->caps_or_badges[0] = extra_cap;
        extra = 1;
    }
    seL4_MessageInfo_t reply = raw_call(cap, label, length, extra, mr);
    say(what);
    microkit_dbg_puts(": error ");
    putdec(seL4_MessageInfo_get_label(reply));
    seL4_Word n = seL4_MessageInfo_get_length(reply);
    if (n > 0) {
        microkit_dbg_puts(", MRs");
        for (seL4_Word i = 0; i < n && i < 4; i++) {
            microkit_dbg_putc(' ');
            putdec(mr[i]);
        }
    }
    microkit_dbg_putc('\n');
}

/* ARMVCPUInjectIRQ's MR0, packed as marshalling.json (via microkit_abi.h) says. */
static seL4_Word inject_word(seL4_Word virq, seL4_Word priority, seL4_Word group, seL4_Word index)
{
    return (virq << MK_ARG_ARMVCPUInjectIRQ_virq_BIT) | (priority << MK_ARG_ARMVCPUInjectIRQ_priority_BIT) |
           (group << MK_ARG_ARMVCPUInjectIRQ_group_BIT) | (index << MK_ARG_ARMVCPUInjectIRQ_index_BIT);
}

#define VTIMER_IRQ 27

void init(void)
{
    const seL4_CPtr vcpu = BASE_VCPU_CAP + VCPU;
    const seL4_CPtr vm_tcb = BASE_VM_TCB_CAP + VCPU;

    /* The libmicrokit calls: each succeeds (or the PD would crash). */
    say("SCTLR of a new vCPU = ");
    puthex(microkit_vcpu_arm_read_reg(VCPU, seL4_VCPUReg_SCTLR));
    microkit_dbg_putc('\n');
    say("TTBR0 = ");
    puthex(microkit_vcpu_arm_read_reg(VCPU, seL4_VCPUReg_TTBR0));
    microkit_vcpu_arm_write_reg(VCPU, seL4_VCPUReg_TTBR0, 0x40001000);
    microkit_dbg_puts(", after writing 0x40001000: ");
    puthex(microkit_vcpu_arm_read_reg(VCPU, seL4_VCPUReg_TTBR0));
    microkit_dbg_putc('\n');
    microkit_vcpu_arm_write_reg(VCPU, seL4_VCPUReg_CNTKCTL_EL1, ~(seL4_Word)0);
    say("CNTKCTL_EL1 (the last register) = ");
    puthex(microkit_vcpu_arm_read_reg(VCPU, seL4_VCPUReg_CNTKCTL_EL1));
    microkit_dbg_putc('\n');
    microkit_vcpu_arm_inject_irq(VCPU, 33, 0, 0, 0);
    say("injected virq 33 into list register 0\n");
    microkit_vcpu_arm_inject_irq(VCPU, 34, 31, 1, 0);
    say("injected virq 34 over the pending one\n");
    microkit_vcpu_arm_inject_irq(VCPU, 1023, 0, 0, 3);
    say("injected virq 1023 into list register 3\n");
    microkit_vcpu_arm_ack_vppi(VCPU, VTIMER_IRQ);
    say("acked VPPI 27 (virtual timer)\n");

    /* The errors, straight from the kernel. */
    try_call("inject into list register 4", vcpu, MK_LABEL_ARMVCPUInjectIRQ, 1, inject_word(33, 0, 0, 4), 0, 0);
    try_call("inject virq 1024", vcpu, MK_LABEL_ARMVCPUInjectIRQ, 1, inject_word(1024, 0, 0, 0), 0, 0);
    try_call("inject priority 32", vcpu, MK_LABEL_ARMVCPUInjectIRQ, 1, inject_word(33, 32, 0, 0), 0, 0);
    try_call("inject group 2", vcpu, MK_LABEL_ARMVCPUInjectIRQ, 1, inject_word(33, 0, 2, 0), 0, 0);
    try_call("inject with no MR", vcpu, MK_LABEL_ARMVCPUInjectIRQ, 0, 0, 0, 0);
    try_call("ack VPPI 28", vcpu, MK_LABEL_ARMVCPUAckVPPI, 1, 28, 0, 0);
    try_call("ack VPPI 1000", vcpu, MK_LABEL_ARMVCPUAckVPPI, 1, 1000, 0, 0);
    try_call("read register 24", vcpu, MK_LABEL_ARMVCPUReadReg, 1, seL4_VCPUReg_Num, 0, 0);
    try_call("write register 99", vcpu, MK_LABEL_ARMVCPUWriteReg, 2, 99, 1, 0);
    try_call("write register with one MR", vcpu, MK_LABEL_ARMVCPUWriteReg, 1, 0, 0, 0);
    try_call("read SCTLR", vcpu, MK_LABEL_ARMVCPUReadReg, 1, seL4_VCPUReg_SCTLR, 0, 0);
    try_call("SetTCB with no cap", vcpu, MK_LABEL_ARMVCPUSetTCB, 0, 0, 0, 0);
    try_call("SetTCB with the VCPU cap", vcpu, MK_LABEL_ARMVCPUSetTCB, 0, 0, 0, vcpu);
    try_call("SetTCB with the vCPU thread", vcpu, MK_LABEL_ARMVCPUSetTCB, 0, 0, 0, vm_tcb);
    try_call("TCB label on the VCPU cap", vcpu, MK_LABEL_TCBSuspend, 0, 0, 0, 0);
    try_call("VCPU label on the vCPU thread", vm_tcb, MK_LABEL_ARMVCPUReadReg, 1, 0, 0, 0);

    /* The vCPU thread: stopped, started (the emulator does not run guest code), stopped again. */
    microkit_vcpu_stop(VCPU);
    say("stopped vCPU 0\n");
    microkit_vcpu_restart(VCPU, 0x40000000);
    say("restarted vCPU 0 at 0x40000000\n");
    microkit_vcpu_stop(VCPU);
    say("stopped vCPU 0 again\n");
    say("done\n");
}

#else

void init(void)
{
    microkit_dbg_puts("vmm: this kernel is not a hypervisor: skipped\n");
}

#endif

void notified(microkit_channel ch)
{
    (void)ch;
}
