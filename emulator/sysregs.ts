// AArch64 system-register accesses from EL0 that trap in the engine: the registers a board exports
// to user mode are answered by its device models on virtual time; the rest become the fault the
// kernel would raise. Encodings of MRS/MSR and of the ESR ISS are the Arm ARM's (C6.2.2xx, D17.2.37).
import type { SysregEncoding, SysregHandler } from "../boards/devices/arm-generic-timer.js";

export interface SysregAccess extends SysregEncoding {
  readonly read: boolean;
  readonly rt: number;
}

/** MRS/MSR (register): 1101 0101 00 L 1 o0 op1 CRn CRm op2 Rt. */
export function decodeSysregAccess(insn: number): SysregAccess | undefined {
  if ((insn & 0xffd00000) >>> 0 !== 0xd5100000) return undefined;
  return {
    read: (insn & (1 << 21)) !== 0,
    op0: 2 + ((insn >>> 19) & 1),
    op1: (insn >>> 16) & 7,
    crn: (insn >>> 12) & 15,
    crm: (insn >>> 8) & 15,
    op2: (insn >>> 5) & 7,
    rt: insn & 31,
  };
}

const key = (e: SysregEncoding): number => (e.op0 << 14) | (e.op1 << 11) | (e.crn << 7) | (e.crm << 3) | e.op2;

export class SysregBus {
  private readonly handlers = new Map<number, SysregHandler>();

  add(handlers: readonly SysregHandler[]): void {
    for (const h of handlers) this.handlers.set(key(h.encoding), h);
  }

  /** The register's name, for events (only called for a register some device answers). */
  name(a: SysregAccess): string {
    return this.handlers.get(key(a))?.name ?? "unknown";
  }

  /**
   * Performs the access if a device answers it: returns the value read (or 0n for a write), or
   * undefined if no device implements the register in that direction.
   */
  access(a: SysregAccess, now: bigint, value: bigint): bigint | undefined {
    const h = this.handlers.get(key(a));
    if (h === undefined) return undefined;
    if (a.read) return h.read?.(now);
    if (h.write === undefined) return undefined;
    h.write(now, value);
    return 0n;
  }
}

/**
 * ISS of a trapped MSR/MRS (ESR EC 0x18): Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5]
 * CRm[4:1] Direction[0] (1 = read).
 */
export function sysregIss(a: SysregAccess): bigint {
  return (BigInt(a.op0) << 20n) | (BigInt(a.op2) << 17n) | (BigInt(a.op1) << 14n) | (BigInt(a.crn) << 10n) |
    (BigInt(a.rt) << 5n) | (BigInt(a.crm) << 1n) | (a.read ? 1n : 0n);
}

/**
 * EL0 registers the kernel's configuration may keep from user mode, whose access then traps to the
 * kernel as an MSR/MRS trap: the performance monitors (PMUSERENR_EL0, CRn 9 CRm 12-14 and CRn 14
 * CRm 8-15) and the generic timer (CNTKCTL_EL1, CRn 14 CRm 0-3). Other encodings are undefined.
 */
export function isTrappedEl0Register(a: SysregAccess): boolean {
  if (a.op0 !== 3 || a.op1 !== 3) return false;
  return (a.crn === 9 && a.crm >= 12 && a.crm <= 14) || (a.crn === 14 && (a.crm <= 3 || a.crm >= 8));
}
