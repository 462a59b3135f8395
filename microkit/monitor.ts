// The Microkit monitor: a thread at the priority, budget and period upstream gives it
// (microkit.json `monitor`), whose body is TypeScript run each time the kernel schedules it. It
// receives on its fault endpoint as upstream's monitor does: faults of PDs without a parent are
// reported with the fields upstream's debug monitor prints (the wording is ours) and never answered,
// so the faulting PD stays stopped while the rest of the system runs on; a passive PD's handshake
// moves its scheduling context to its notification.
import { userRegister } from "../kernel/user-registers.js";
import { arm64FaultStatus, type BitRange } from "../kernel/abi.js";
import type { Kernel } from "../kernel/kernel.js";
import type { Notification } from "../kernel/objects/notification.js";
import type { TCB, UserMemory } from "../kernel/objects/tcb.js";
import { decodeMessageInfo } from "../kernel/message-info.js";

/** A thread whose user-level code is TypeScript. */
export interface HostProgram {
  /**
   * Called when the thread is scheduled: read what its last syscall returned from tcb.context,
   * then leave the registers for its next syscall there (the machine performs it).
   */
  next(k: Kernel, tcb: TCB): void;
}

/** What the monitor knows of each PD (by index in SDF order, i.e. badge - 1). */
export interface MonitoredPd {
  readonly name: string;
  readonly tcb: TCB;
  readonly notification: Notification;
  readonly stackBottom: bigint;
}

/** A page of host memory standing in for the monitor's IPC buffer. */
export class HostIpcBuffer implements UserMemory {
  private readonly page = new Uint8Array(4096);
  constructor(private readonly va: bigint) {}
  bytes(va: bigint, length: number): Uint8Array | undefined {
    const offset = Number(va - this.va);
    if (va < this.va || offset + length > this.page.length) return undefined;
    return this.page.subarray(offset, offset + length);
  }
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

export class Monitor implements HostProgram {
  private waiting = false;

  constructor(
    private readonly pds: readonly MonitoredPd[],
    private readonly report: (line: string) => void,
    private readonly slots: { readonly faultEp: bigint; readonly reply: bigint },
    private readonly pageSize: bigint,
  ) {}

  next(k: Kernel, tcb: TCB): void {
    if (this.waiting) this.handle(k, tcb);
    const abi = k.abi;
    const recv = abi.syscalls["seL4_SysRecv"];
    if (recv === undefined) throw new Error("this kernel config has no seL4_SysRecv");
    k.setReg(tcb, abi.syscallRegister, BigInt.asUintN(64, BigInt(recv)));
    k.setReg(tcb, abi.roles.cap, this.slots.faultEp);
    k.setReg(tcb, abi.roles.reply, this.slots.reply);
    this.waiting = true;
  }

  private handle(k: Kernel, tcb: TCB): void {
    const abi = k.abi;
    const badge = k.getReg(tcb, abi.roles.cap);
    const info = decodeMessageInfo(abi, k.getReg(tcb, abi.roles.info));
    const pd = this.pds[Number(badge) - 1];
    if (pd === undefined) {
      this.report(`MON|ERROR: message with unknown badge ${hex(badge)} (label ${info.label})`);
      return;
    }
    const buffer = k.ipcBuffer(tcb, false);
    const mr = (i: number): bigint => k.getMR(tcb, buffer, i);
    const label = Number(info.label);
    const name = Object.entries(abi.faults).find(([, f]) => f.label === label)?.[0];
    if (name === "seL4_Fault_NullFault") return this.makePassive(pd);
    const say = (text: string): void => this.report(`MON|ERROR: ${text}`);
    say(`PD '${pd.name}' faulted: ${name === undefined ? `unknown fault, label ${label}` : name.replace("seL4_Fault_", "")} (badge ${hex(badge)})`);
    switch (name) {
      case "seL4_Fault_VMFault": {
        const [ip, addr, prefetch, fsr] = [mr(0), mr(1), mr(2), mr(3)];
        say(`  ${prefetch !== 0n ? "instruction" : "data"} fault at address ${hex(addr)}, ip ${hex(ip)}, fsr ${hex(fsr)}${this.fsrDetail(abi.arch, fsr)}`);
        if (addr >= pd.stackBottom - this.pageSize && addr < pd.stackBottom) say(`  the address is in the page below the stack: probably a stack overflow`);
        break;
      }
      case "seL4_Fault_CapFault":
        say(`  ip ${hex(mr(0))}, cap address ${hex(mr(1))}, in ${mr(2) !== 0n ? "receive" : "send"} phase, lookup failure type ${mr(3)}` +
          (info.length > 4 ? `, bits left ${mr(4)}` : "") + (info.length > 5 ? `, found ${hex(mr(5))}` : "") + (info.length > 6 ? `, bits found ${mr(6)}` : ""));
        break;
      case "seL4_Fault_VCPUFault":
        say(`  esr ${hex(mr(0))}`);
        break;
      case "seL4_Fault_UnknownSyscall":
      case "seL4_Fault_UserException":
      default:
        break;
    }
    // As upstream's monitor reads them (TCB ReadRegisters): SPSR with its mode bits.
    const regs = abi.userContext.map((r, i) => `${r} ${hex(userRegister(k, pd.tcb, i))}`);
    for (let i = 0; i < regs.length; i += 6) say(`  ${regs.slice(i, i + 6).join("  ")}`);
  }

  /** AArch64: EC, IL, ISS and the data-abort fields; RISC-V: the scause name. */
  private fsrDetail(arch: string, fsr: bigint): string {
    if (arch === "riscv64") {
      const names: Record<string, string> = { "1": "instruction access", "5": "load access", "7": "store/AMO access" };
      return ` (${names[fsr.toString()] ?? "unknown cause"})`;
    }
    const f = arm64FaultStatus();
    const field = (word: bigint, r: BitRange): bigint => (word >> r.lo) & r.mask;
    const bit = (word: bigint, n: bigint): bigint => (word >> n) & 1n;
    const ec = field(fsr, f.ec);
    const iss = field(fsr, f.iss);
    let s = ` (EC ${hex(ec)}, IL ${bit(fsr, f.ilBit)}, ISS ${hex(iss)}`;
    if (ec === f.ecDataAbort) {
      s += `, DFSC ${hex(field(iss, f.dfsc))}, EA ${bit(iss, f.eaBit)}, CM ${bit(iss, f.cmBit)}, S1PTW ${bit(iss, f.s1ptwBit)}, WnR ${bit(iss, f.wnrBit)}`;
    }
    return s + ")";
  }

  /** The passive handshake: the PD's scheduling context now belongs to its notification. */
  private makePassive(pd: MonitoredPd): void {
    const sc = pd.tcb.sc;
    if (sc === undefined) return;
    pd.tcb.sc = undefined;
    sc.tcb = undefined;
    sc.notification = pd.notification;
    pd.notification.sc = sc;
    this.report(`MON|INFO: PD '${pd.name}' is now passive`);
  }
}
