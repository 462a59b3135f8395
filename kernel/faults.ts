// Faults and their IPC messages (seL4 src/kernel/faulthandler.c, src/api/faults.c). The message
// layout (label, length, which field sits in which MR) comes from the ABI tables.
import { readAbiFile, type KernelAbi } from "./abi.js";
import type { LookupFault } from "./objects/cnode.js";

export type Fault =
  | { readonly type: "CapFault"; readonly address: bigint; readonly inReceivePhase: boolean; readonly lookup: LookupFault }
  | { readonly type: "UnknownSyscall"; readonly number: bigint }
  | { readonly type: "UserException"; readonly number: bigint; readonly code: bigint }
  | { readonly type: "VMFault"; readonly address: bigint; readonly instruction: boolean; readonly fsr: bigint }
  /** AArch64 hypervisor configs: most EL0 exceptions other than aborts and svc, with the ESR. */
  | { readonly type: "VCPUFault"; readonly hsr: bigint }
  /** MCS: the thread's budget ran out and it has a timeout endpoint; `badge` is the SC's (scBadge). */
  | { readonly type: "Timeout"; readonly badge: bigint };

const LOOKUP_FAILURE_TYPE: Readonly<Record<LookupFault["type"], bigint>> = {
  InvalidRoot: 1n,
  MissingCapability: 2n,
  DepthMismatch: 3n,
  GuardMismatch: 4n,
};

/** The lookup-failure words, as a cap fault (MR 3 on) or a FailedLookup error (MR 1 on) carries them. */
export function lookupFailureWords(f: LookupFault): bigint[] {
  switch (f.type) {
    case "InvalidRoot":
      return [LOOKUP_FAILURE_TYPE.InvalidRoot];
    case "MissingCapability":
      return [LOOKUP_FAILURE_TYPE.MissingCapability, BigInt(f.bitsLeft)];
    case "DepthMismatch":
      return [LOOKUP_FAILURE_TYPE.DepthMismatch, BigInt(f.bitsLeft), BigInt(f.bitsFound)];
    case "GuardMismatch":
      return [LOOKUP_FAILURE_TYPE.GuardMismatch, BigInt(f.bitsLeft), f.guardFound, BigInt(f.bitsFound)];
  }
}

export interface FaultMessage {
  readonly label: bigint;
  readonly mrs: readonly bigint[];
}

/**
 * Builds the message a fault handler receives. `reg` reads the faulting thread's registers by the
 * names the ABI's MR tables use (X0, SP, LR, SPSR, RA, A0, ...); `faultIp` is the instruction at fault.
 */
export function faultMessage(abi: KernelAbi, fault: Fault, faultIp: bigint, reg: (name: string) => bigint): FaultMessage {
  const spec = abi.faults[`seL4_Fault_${fault.type}`];
  if (spec === undefined) throw new Error(`fault ${fault.type} does not exist in this kernel config`);
  if (fault.type === "CapFault") {
    const mrs = [faultIp, fault.address, fault.inReceivePhase ? 1n : 0n, ...lookupFailureWords(fault.lookup)];
    return { label: BigInt(spec.label), mrs };
  }
  const fields: Record<string, bigint> = { FaultIP: faultIp, IP: faultIp };
  switch (fault.type) {
    case "UnknownSyscall":
      fields["Syscall"] = fault.number;
      break;
    case "UserException":
      fields["Number"] = fault.number;
      fields["Code"] = fault.code;
      break;
    case "VCPUFault":
      fields["HSR"] = fault.hsr;
      break;
    case "Timeout":
      // The kernel (ipc.ts) appends Consumed itself: reading it resets the SC's count.
      return { label: BigInt(spec.label), mrs: [fault.badge] };
    case "VMFault":
      fields["Addr"] = fault.address;
      fields["PrefetchFault"] = fault.instruction ? 1n : 0n;
      fields["FSR"] = fault.fsr;
      break;
  }
  const layout = faultLayout(abi, fault.type);
  const mrs = layout.map((name) => fields[name] ?? reg(name));
  return { label: BigInt(spec.label), mrs };
}

/** Fault message fields that are not registers: the values the fault itself carries. */
const FAULT_DATA_FIELDS: ReadonlySet<string> = new Set(["Syscall", "Number", "Code"]);

/**
 * The registers a reply to this fault writes back, in MR order (seL4 fault_messages: syscallMessage,
 * exceptionMessage): the fault message layout without the fault's own data fields.
 */
export function faultReplyRegisters(abi: KernelAbi, type: "UnknownSyscall" | "UserException" | "Timeout"): readonly string[] {
  if (type === "Timeout") return timeoutReplyRegisters(abi);
  return faultLayout(abi, type).filter((name) => !FAULT_DATA_FIELDS.has(name));
}

/** MessageID_TimeoutReply: the registers a reply to a timeout fault writes (<arch>.json faults.timeout_reply_registers). */
function timeoutReplyRegisters(abi: KernelAbi): string[] {
  const key = `${abi.arch}/TimeoutReply`;
  let layout = layouts.get(key);
  if (layout === undefined) {
    const raw = (readAbiFile(`${abi.arch}.json`) as { faults: { timeout_reply_registers: Record<string, string> } }).faults.timeout_reply_registers;
    // The list is seL4_UserContext's order under the kernel's register names (SPSR_EL1, LR for ra);
    // FaultIP stays by name (it is the restart pc), the others become user-context names.
    layout = Object.entries(raw).sort((a, b) => Number(a[0]) - Number(b[0])).map(([i, name]) => {
      if (name === "FaultIP") return name;
      const ours = abi.userContext[Number(i)];
      const same = ours !== undefined && (ours === name.toLowerCase() || TIMEOUT_REPLY_NAMES[name] === ours);
      if (!same) throw new Error(`timeout_reply_registers[${i}] = ${name} is not seL4_UserContext[${i}] (${ours ?? "none"})`);
      return ours;
    });
    layouts.set(key, layout);
  }
  return layout;
}

/** Kernel register names in timeout_reply_registers that seL4_UserContext spells otherwise. */
const TIMEOUT_REPLY_NAMES: Readonly<Record<string, string>> = { SPSR_EL1: "spsr", LR: "ra" };

const layouts = new Map<string, string[]>();

function faultLayout(abi: KernelAbi, type: Fault["type"]): string[] {
  const key = `${abi.arch}/${type}`;
  let layout = layouts.get(key);
  if (layout === undefined) {
    const raw = abi.faultMrs[`seL4_Fault_${type}`] ?? {};
    layout = Object.entries(raw).sort((a, b) => Number(a[0]) - Number(b[0])).map(([, name]) => name);
    layouts.set(key, layout);
  }
  return layout;
}
