/*
 * api.c: the libmicrokit calls that talk to the kernel.
 *
 * Channel checks use the bit masks the Microkit tool patches into the ELF:
 * a call on a channel this PD does not own prints an error and does nothing.
 * The calls on children (pd_restart/stop/resume and the vCPU calls) crash
 * the PD if the kernel reports an error, storing to the address given by the
 * error code.
 */
#include <microkit.h>

#include "internal.h"
#include "syscalls.h"

/* Does bit ch of mask allow channel ch? */
static seL4_Bool channel_ok(microkit_channel ch, seL4_Word mask)
{
    return ch <= MICROKIT_MAX_CHANNEL_ID && ((mask >> ch) & 1) != 0;
}

static void bad_channel(const char *call, microkit_channel ch)
{
    mk_error_start(call);
    microkit_dbg_puts("invalid channel ");
    microkit_dbg_put32(ch);
    microkit_dbg_putc('\n');
}

/* Invoke kernel object `cap` with MR0..MR3 in registers (all the calls here
 * fit in them). Returns the error code, i.e. the label of the reply; mr[]
 * then holds the reply MRs. */
static seL4_Word invoke(seL4_CPtr cap, seL4_Word label, seL4_Word length, seL4_Word mr[4])
{
    seL4_MessageInfo_t reply;
    reply.words[0] = mk_sys_call(cap, seL4_MessageInfo_new(label, 0, 0, length).words[0], mr);
    return seL4_MessageInfo_get_label(reply);
}

/* Place argument `arg` of invocation `label` into mr[], as marshalling.json
 * (via microkit_abi.h) describes it. */
#define MK_SET_ARG(mr, label, arg, value)                                                                              \
    ((mr)[MK_ARG_##label##_##arg##_MR] |= ((seL4_Word)(value) & MK_BITMASK(MK_ARG_##label##_##arg##_BITS))             \
                                          << MK_ARG_##label##_##arg##_BIT)

static void crash_on_error(seL4_Word err, const char *call, const char *what, microkit_child id)
{
    if (err == seL4_NoError) {
        return;
    }
    mk_error_start(call);
    microkit_dbg_puts(what);
    microkit_dbg_putc(' ');
    microkit_dbg_put32(id);
    microkit_dbg_puts(" failed with seL4 error ");
    microkit_dbg_put32((seL4_Uint32)err);
    microkit_dbg_putc('\n');
    microkit_internal_crash(err);
}

/* ------------------------------------------------------------------------ */
/* Channels                                                                 */

void microkit_notify(microkit_channel ch)
{
    if (!channel_ok(ch, MK_PATCHED_READ(microkit_notifications))) {
        bad_channel("microkit_notify:", ch);
        return;
    }
    seL4_Word mr[4] = {0, 0, 0, 0};
    mk_sys_send(BASE_OUTPUT_NOTIFICATION_CAP + ch, 0, mr);
}

microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo)
{
    if (!channel_ok(ch, MK_PATCHED_READ(microkit_pps))) {
        bad_channel("microkit_ppcall:", ch);
        return microkit_msginfo_new(0, 0);
    }
    return mk_ipc_call(BASE_ENDPOINT_CAP + ch, msginfo);
}

void microkit_irq_ack(microkit_channel ch)
{
    if (!channel_ok(ch, MK_PATCHED_READ(microkit_irqs))) {
        bad_channel("microkit_irq_ack:", ch);
        return;
    }
    seL4_Word mr[4] = {0, 0, 0, 0};
    (void)invoke(BASE_IRQ_CAP + ch, MK_LABEL_IRQAckIRQ, MK_MSG_LEN_IRQAckIRQ, mr);
}

/* The deferred calls only record the signal; the event loop sends it together
 * with its next receive (NBSendRecv), or with a Send just before replying.
 * A second deferred call in one entry point replaces the first. */

void microkit_deferred_notify(microkit_channel ch)
{
    if (!channel_ok(ch, MK_PATCHED_READ(microkit_notifications))) {
        bad_channel("microkit_deferred_notify:", ch);
        return;
    }
    microkit_signal_cap = BASE_OUTPUT_NOTIFICATION_CAP + ch;
    microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
    microkit_have_signal = seL4_True;
}

void microkit_deferred_irq_ack(microkit_channel ch)
{
    if (!channel_ok(ch, MK_PATCHED_READ(microkit_irqs))) {
        bad_channel("microkit_deferred_irq_ack:", ch);
        return;
    }
    microkit_signal_cap = BASE_IRQ_CAP + ch;
    microkit_signal_msg = seL4_MessageInfo_new(MK_LABEL_IRQAckIRQ, 0, 0, MK_MSG_LEN_IRQAckIRQ);
    microkit_have_signal = seL4_True;
}

/* ------------------------------------------------------------------------ */
/* Children                                                                 */

/* pd_restart writes a single register, which must be the first one of
 * seL4_UserContext, and it must travel in a register MR. */
_Static_assert(MK_USER_CONTEXT_PC_INDEX == 0, "pc must be the first register in seL4_UserContext");
_Static_assert(MK_ARG_TCBWriteRegisters_regs_MR + MK_USER_CONTEXT_PC_INDEX < MK_FAST_MRS,
               "pc must travel in a register MR");
_Static_assert(MK_ARG_TCBWriteRegisters_resume_target_MR < MK_FAST_MRS &&
                   MK_ARG_TCBWriteRegisters_arch_flags_MR < MK_FAST_MRS &&
                   MK_ARG_TCBWriteRegisters_count_MR < MK_FAST_MRS,
               "TCBWriteRegisters arguments must travel in register MRs");

/* TCB WriteRegisters: resume the thread, no arch flags, one register (pc).
 * The request length is always the full seL4_UserContext; the kernel only
 * reads `count` registers. */
static seL4_Word restart_tcb(seL4_CPtr tcb, seL4_Word entry_point)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    MK_SET_ARG(mr, TCBWriteRegisters, resume_target, seL4_True);
    MK_SET_ARG(mr, TCBWriteRegisters, arch_flags, 0);
    MK_SET_ARG(mr, TCBWriteRegisters, count, 1);
    mr[MK_ARG_TCBWriteRegisters_regs_MR + MK_USER_CONTEXT_PC_INDEX] = entry_point;
    return invoke(tcb, MK_LABEL_TCBWriteRegisters, MK_TCB_WRITE_REGISTERS_LENGTH, mr);
}

static seL4_Word suspend_tcb(seL4_CPtr tcb)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    return invoke(tcb, MK_LABEL_TCBSuspend, MK_MSG_LEN_TCBSuspend, mr);
}

static seL4_Word resume_tcb(seL4_CPtr tcb)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    return invoke(tcb, MK_LABEL_TCBResume, MK_MSG_LEN_TCBResume, mr);
}

void microkit_pd_restart(microkit_child pd, seL4_Word entry_point)
{
    crash_on_error(restart_tcb(BASE_TCB_CAP + pd, entry_point), "microkit_pd_restart:", "restarting child", pd);
}

void microkit_pd_stop(microkit_child pd)
{
    crash_on_error(suspend_tcb(BASE_TCB_CAP + pd), "microkit_pd_stop:", "stopping child", pd);
}

void microkit_pd_resume(microkit_child pd)
{
    crash_on_error(resume_tcb(BASE_TCB_CAP + pd), "microkit_pd_resume:", "resuming child", pd);
}

/* ------------------------------------------------------------------------ */
/* Virtual machines (only when the kernel is a hypervisor)                  */

#if defined(MK_CONFIG_ARM_HYPERVISOR_SUPPORT) && MK_CONFIG_ARM_HYPERVISOR_SUPPORT

void microkit_vcpu_restart(microkit_child vcpu, seL4_Word entry_point)
{
    crash_on_error(restart_tcb(BASE_VM_TCB_CAP + vcpu, entry_point), "microkit_vcpu_restart:", "restarting vCPU",
                   vcpu);
}

void microkit_vcpu_stop(microkit_child vcpu)
{
    crash_on_error(suspend_tcb(BASE_VM_TCB_CAP + vcpu), "microkit_vcpu_stop:", "stopping vCPU", vcpu);
}

void microkit_vcpu_arm_inject_irq(microkit_child vcpu, seL4_Uint16 irq, seL4_Uint8 priority, seL4_Uint8 group,
                                  seL4_Uint8 index)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    MK_SET_ARG(mr, ARMVCPUInjectIRQ, virq, irq);
    MK_SET_ARG(mr, ARMVCPUInjectIRQ, priority, priority);
    MK_SET_ARG(mr, ARMVCPUInjectIRQ, group, group);
    MK_SET_ARG(mr, ARMVCPUInjectIRQ, index, index);
    seL4_Word err = invoke(BASE_VCPU_CAP + vcpu, MK_LABEL_ARMVCPUInjectIRQ, MK_MSG_LEN_ARMVCPUInjectIRQ, mr);
    crash_on_error(err, "microkit_vcpu_arm_inject_irq:", "injecting an IRQ into vCPU", vcpu);
}

void microkit_vcpu_arm_ack_vppi(microkit_child vcpu, seL4_Word irq)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    MK_SET_ARG(mr, ARMVCPUAckVPPI, irq, irq);
    seL4_Word err = invoke(BASE_VCPU_CAP + vcpu, MK_LABEL_ARMVCPUAckVPPI, MK_MSG_LEN_ARMVCPUAckVPPI, mr);
    crash_on_error(err, "microkit_vcpu_arm_ack_vppi:", "acknowledging a VPPI of vCPU", vcpu);
}

seL4_Word microkit_vcpu_arm_read_reg(microkit_child vcpu, seL4_Word reg)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    MK_SET_ARG(mr, ARMVCPUReadReg, field, reg);
    seL4_Word err = invoke(BASE_VCPU_CAP + vcpu, MK_LABEL_ARMVCPUReadReg, MK_MSG_LEN_ARMVCPUReadReg, mr);
    crash_on_error(err, "microkit_vcpu_arm_read_reg:", "reading a register of vCPU", vcpu);
    return mr[MK_ARG_ARMVCPUReadReg_value_OUT_MR];
}

void microkit_vcpu_arm_write_reg(microkit_child vcpu, seL4_Word reg, seL4_Word value)
{
    seL4_Word mr[4] = {0, 0, 0, 0};
    MK_SET_ARG(mr, ARMVCPUWriteReg, field, reg);
    MK_SET_ARG(mr, ARMVCPUWriteReg, value, value);
    seL4_Word err = invoke(BASE_VCPU_CAP + vcpu, MK_LABEL_ARMVCPUWriteReg, MK_MSG_LEN_ARMVCPUWriteReg, mr);
    crash_on_error(err, "microkit_vcpu_arm_write_reg:", "writing a register of vCPU", vcpu);
}

#endif /* MK_CONFIG_ARM_HYPERVISOR_SUPPORT */

#if defined(MK_CONFIG_ALLOW_SMC_CALLS) && MK_CONFIG_ALLOW_SMC_CALLS

_Static_assert(MK_ARG_ARMSMCCall_smc_args_MR == 0 && MK_ARG_ARMSMCCall_smc_response_OUT_MR == 0,
               "SMC arguments and results start at MR0");
_Static_assert(MK_ARG_ARMSMCCall_smc_args_WORDS == 8 && MK_ARG_ARMSMCCall_smc_response_OUT_WORDS == 8,
               "SMC arguments and results are x0..x7");

/* x0..x3 travel in register MRs, x4..x7 in IPC buffer msg[4..7]. */
void microkit_arm_smc_call(seL4_ARM_SMCContext *args, seL4_ARM_SMCContext *response)
{
    seL4_Word mr[4] = {args->x0, args->x1, args->x2, args->x3};
    __sel4_ipc_buffer->msg[4] = args->x4;
    __sel4_ipc_buffer->msg[5] = args->x5;
    __sel4_ipc_buffer->msg[6] = args->x6;
    __sel4_ipc_buffer->msg[7] = args->x7;
    seL4_Word err = invoke(ARM_SMC_CAP, MK_LABEL_ARMSMCCall, MK_MSG_LEN_ARMSMCCall, mr);
    crash_on_error(err, "microkit_arm_smc_call:", "SMC call on cap", ARM_SMC_CAP);
    response->x0 = mr[0];
    response->x1 = mr[1];
    response->x2 = mr[2];
    response->x3 = mr[3];
    response->x4 = __sel4_ipc_buffer->msg[4];
    response->x5 = __sel4_ipc_buffer->msg[5];
    response->x6 = __sel4_ipc_buffer->msg[6];
    response->x7 = __sel4_ipc_buffer->msg[7];
}

#endif /* MK_CONFIG_ALLOW_SMC_CALLS */
