/*
 * syscalls.h: the seL4 system calls libmicrokit makes, as inline assembly.
 *
 * There is one version for both architectures. microkit_abi.h supplies the
 * trap instruction, the syscall numbers and the name of the register for
 * each role. The generator checks these roles against every syscall form
 * used below. With the current ABI files they are:
 *
 *   role                aarch64  riscv64
 *   syscall number      x7       a7
 *   cap / dest / badge  x0       a0
 *   message info        x1       a1
 *   MR0..MR3            x2..x5   a2..a5
 *   reply object        x6       a6
 *   NBSendRecv dest     x8       t0
 *
 * The kernel passes MR0..MR3 in registers only. Like libsel4, the mk_ipc_*
 * wrappers copy them between the registers and IPC buffer msg[0..3], so
 * microkit_mr_get/microkit_mr_set can work on the IPC buffer alone.
 */
#ifndef MK_SYSCALLS_H
#define MK_SYSCALLS_H

#include <microkit.h>

/* Declares the register variables shared by all forms. Each variable is
 * assigned just before the asm statement, with no call in between. */
#define MK_REGS(cap, info, mr)                                                                                         \
    register seL4_Word r_cap __asm__(MK_REG_CAP) = (cap);                                                              \
    register seL4_Word r_info __asm__(MK_REG_INFO) = (info);                                                           \
    register seL4_Word r_mr0 __asm__(MK_REG_MR0) = (mr)[0];                                                            \
    register seL4_Word r_mr1 __asm__(MK_REG_MR1) = (mr)[1];                                                            \
    register seL4_Word r_mr2 __asm__(MK_REG_MR2) = (mr)[2];                                                            \
    register seL4_Word r_mr3 __asm__(MK_REG_MR3) = (mr)[3]

#define MK_REGS_OUT(mr)                                                                                                \
    do {                                                                                                               \
        (mr)[0] = r_mr0;                                                                                               \
        (mr)[1] = r_mr1;                                                                                               \
        (mr)[2] = r_mr2;                                                                                               \
        (mr)[3] = r_mr3;                                                                                               \
    } while (0)

/* seL4_SysSend: send to dest; nothing comes back. */
static inline void mk_sys_send(seL4_CPtr dest, seL4_Word info, const seL4_Word mr[4])
{
    MK_REGS(dest, info, mr);
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_SEND;
    __asm__ volatile(MK_TRAP_INSN
                     :
                     : "r"(r_cap), "r"(r_info), "r"(r_mr0), "r"(r_mr1), "r"(r_mr2), "r"(r_mr3), "r"(r_sys)
                     : "memory");
}

/* seL4_SysCall: send to dest, wait for the reply. Returns the reply's message
 * info; mr[] holds the reply MR0..MR3. */
static inline seL4_Word mk_sys_call(seL4_CPtr dest, seL4_Word info, seL4_Word mr[4])
{
    MK_REGS(dest, info, mr);
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_CALL;
    __asm__ volatile(MK_TRAP_INSN
                     : "+r"(r_cap), "+r"(r_info), "+r"(r_mr0), "+r"(r_mr1), "+r"(r_mr2), "+r"(r_mr3)
                     : "r"(r_sys)
                     : "memory");
    MK_REGS_OUT(mr);
    return r_info;
}

/* seL4_SysReplyRecv: reply through the reply object with info/mr[], then
 * receive on src. Returns the new message info and sets *badge; mr[] holds
 * the new MR0..MR3. */
static inline seL4_Word mk_sys_reply_recv(seL4_CPtr src, seL4_Word info, seL4_Word mr[4], seL4_CPtr reply,
                                          seL4_Word *badge)
{
    MK_REGS(src, info, mr);
    register seL4_Word r_reply __asm__(MK_REG_REPLY) = reply;
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_REPLY_RECV;
    __asm__ volatile(MK_TRAP_INSN
                     : "+r"(r_cap), "+r"(r_info), "+r"(r_mr0), "+r"(r_mr1), "+r"(r_mr2), "+r"(r_mr3)
                     : "r"(r_reply), "r"(r_sys)
                     : "memory");
    MK_REGS_OUT(mr);
    *badge = r_cap;
    return r_info;
}

/* seL4_SysNBSendRecv: non-blocking send of info/mr[] to dest, then receive
 * on src. Returns like mk_sys_reply_recv. */
static inline seL4_Word mk_sys_nb_send_recv(seL4_CPtr dest, seL4_Word info, seL4_Word mr[4], seL4_CPtr src,
                                            seL4_CPtr reply, seL4_Word *badge)
{
    MK_REGS(src, info, mr);
    register seL4_Word r_dest __asm__(MK_REG_NB_SEND_DEST) = dest;
    register seL4_Word r_reply __asm__(MK_REG_REPLY) = reply;
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_NB_SEND_RECV;
    __asm__ volatile(MK_TRAP_INSN
                     : "+r"(r_cap), "+r"(r_info), "+r"(r_mr0), "+r"(r_mr1), "+r"(r_mr2), "+r"(r_mr3)
                     : "r"(r_dest), "r"(r_reply), "r"(r_sys)
                     : "memory");
    MK_REGS_OUT(mr);
    *badge = r_cap;
    return r_info;
}

/* seL4_SysRecv: receive on src. A notification writes only the badge, so
 * the message info and MR registers keep the values passed in (info and
 * mr[]). */
static inline seL4_Word mk_sys_recv(seL4_CPtr src, seL4_Word info, seL4_Word mr[4], seL4_CPtr reply, seL4_Word *badge)
{
    MK_REGS(src, info, mr);
    register seL4_Word r_reply __asm__(MK_REG_REPLY) = reply;
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_RECV;
    __asm__ volatile(MK_TRAP_INSN
                     : "+r"(r_cap), "+r"(r_info), "+r"(r_mr0), "+r"(r_mr1), "+r"(r_mr2), "+r"(r_mr3)
                     : "r"(r_reply), "r"(r_sys)
                     : "memory");
    MK_REGS_OUT(mr);
    *badge = r_cap;
    return r_info;
}

#ifdef MK_SYS_DEBUG_PUT_CHAR
/* seL4_SysDebugPutChar: the character goes in the cap register. */
static inline void mk_sys_debug_put_char(seL4_Word c)
{
    register seL4_Word r_cap __asm__(MK_REG_CAP) = c;
    register seL4_Word r_sys __asm__(MK_REG_SYSNO) = (seL4_Word)MK_SYS_DEBUG_PUT_CHAR;
    __asm__ volatile(MK_TRAP_INSN : : "r"(r_cap), "r"(r_sys) : "memory");
}
#endif

/* ------------------------------------------------------------------------ */
/* The same calls with MR0..MR3 taken from / stored to the IPC buffer.      */

static inline void mk_mrs_from_ipc_buffer(seL4_Word mr[4])
{
    for (int i = 0; i < MK_FAST_MRS; i++) {
        mr[i] = __sel4_ipc_buffer->msg[i];
    }
}

static inline void mk_mrs_to_ipc_buffer(const seL4_Word mr[4])
{
    for (int i = 0; i < MK_FAST_MRS; i++) {
        __sel4_ipc_buffer->msg[i] = mr[i];
    }
}

static inline void mk_ipc_send(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    seL4_Word mr[4];
    mk_mrs_from_ipc_buffer(mr);
    mk_sys_send(dest, info.words[0], mr);
}

static inline seL4_MessageInfo_t mk_ipc_call(seL4_CPtr dest, seL4_MessageInfo_t info)
{
    seL4_Word mr[4];
    mk_mrs_from_ipc_buffer(mr);
    info.words[0] = mk_sys_call(dest, info.words[0], mr);
    mk_mrs_to_ipc_buffer(mr);
    return info;
}

static inline seL4_MessageInfo_t mk_ipc_reply_recv(seL4_CPtr src, seL4_MessageInfo_t info, seL4_CPtr reply,
                                                   seL4_Word *badge)
{
    seL4_Word mr[4];
    mk_mrs_from_ipc_buffer(mr);
    info.words[0] = mk_sys_reply_recv(src, info.words[0], mr, reply, badge);
    mk_mrs_to_ipc_buffer(mr);
    return info;
}

static inline seL4_MessageInfo_t mk_ipc_nb_send_recv(seL4_CPtr dest, seL4_MessageInfo_t info, seL4_CPtr src,
                                                     seL4_CPtr reply, seL4_Word *badge)
{
    seL4_Word mr[4];
    mk_mrs_from_ipc_buffer(mr);
    info.words[0] = mk_sys_nb_send_recv(dest, info.words[0], mr, src, reply, badge);
    mk_mrs_to_ipc_buffer(mr);
    return info;
}

/* On a notification the buffer keeps its contents and the info is 0. */
static inline seL4_MessageInfo_t mk_ipc_recv(seL4_CPtr src, seL4_CPtr reply, seL4_Word *badge)
{
    seL4_Word mr[4];
    seL4_MessageInfo_t info;
    mk_mrs_from_ipc_buffer(mr);
    info.words[0] = mk_sys_recv(src, 0, mr, reply, badge);
    mk_mrs_to_ipc_buffer(mr);
    return info;
}

#endif /* MK_SYSCALLS_H */
