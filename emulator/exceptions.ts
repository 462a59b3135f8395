// What a user-mode exception becomes for the kernel model: the seL4 fault the real kernel would
// deliver, with the fault status encoded as the hardware reports it (ABI tables `vm.fsr` and
// `vm.other_exceptions_fact`). The engine tells us only an exception number, so the instruction at
// the faulting pc is decoded where the kind matters. Memory faults arrive already classified
// (emulator/cpu.ts): access, cause, address, and the exact faulting instruction as pc.
import { arm64FaultStatus, readAbiFile, type KernelAbi } from "../kernel/abi.js";
import type { Fault } from "../kernel/faults.js";
import type { CpuExit } from "./cpu.js";
import { decodeSysregAccess, isTrappedEl0Register, sysregIss } from "./sysregs.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Fault status codes (ABI: translation 0x04+n, permission 0x0c+n at level n). The engine does not
// say at which level its walk stopped, and the emulator's tables (emulator/page-table.ts) need not
// have the shape of seL4's, so the level comes from the kernel's own tables (`walkLevel`); level 3
// where there are none to walk.
const ARM64_TRANSLATION_FAULT = 0x04n;
const ARM64_PERMISSION_FAULT = 0x0cn;
const ARM64_LAST_LEVEL = 3;
// Exception classes from the Arm ARM (ESR_ELx.EC): BRK instruction from AArch64; access to SIMD or
// floating-point registers trapped (by CPACR_EL1.FPEN), whose ISS for an AArch64 instruction has
// CV = 1 and COND = 0xe (Arm ARM D17.2.37; QEMU syn_fp_access_trap(1, 0xe, false)).
const ARM64_EC_BRK = 0x3cn;
const ARM64_EC_FP_ACCESS = 0x07n;
// MSR/MRS trapped by the kernel's configuration (Arm ARM D17.2.37, EC 0x18).
const ARM64_EC_SYSREG = 0x18n;
const ARM64_FP_ACCESS_ISS = (1n << 24n) | (0xen << 20n);
// RISC-V scause 2: illegal instruction (Privileged Architecture, mcause values).
const RISCV_ILLEGAL_INSTRUCTION = 2n;
// QEMU exception numbers the engine reports (target/arm/internals.h).
const ARM64_EXCP_BKPT = 7;

let riscvCauses: Record<"read" | "write" | "fetch", bigint> | undefined;

/** Normalised scause values of the RISC-V FSR MR (riscv64.json vm.fsr.values). */
function riscvCause(access: "read" | "write" | "fetch"): bigint {
  if (riscvCauses === undefined) {
    const values = (readAbiFile("riscv64.json") as Json)["vm"]["fsr"]["values"] as Record<string, string>;
    const find = (prefix: string): bigint => BigInt(Object.keys(values).find((k) => values[k]!.startsWith(prefix)) ?? -1);
    riscvCauses = { fetch: find("instruction"), read: find("load"), write: find("store") };
  }
  return riscvCauses[access];
}

export interface ExceptionFault {
  readonly fault: Fault;
  /** The faulting instruction: where the thread restarts if its handler resumes it. */
  readonly pc: bigint;
}

/**
 * Turns a non-syscall exit into the fault the kernel `abi` describes raises; `insn` reads the 32-bit
 * word at pc, `level` says where the translation of an address stops (AArch64 fault status). A
 * hypervisor kernel reports most AArch64 exceptions as VCPU faults, one at EL1 as user exceptions
 * (vm.other_exceptions_fact).
 */
export function exitToFault(
  abi: { readonly arch: KernelAbi["arch"]; readonly vm: Pick<KernelAbi["vm"], "hypervisor"> },
  exit: Exclude<CpuExit, { kind: "syscall" | "budget" }>,
  insn: (pc: bigint) => number | undefined,
  level: (address: bigint) => number | undefined = () => undefined,
): ExceptionFault {
  const arch = abi.arch;
  if (exit.kind === "memory") {
    const instruction = exit.access === "fetch";
    if (arch === "riscv64") return { pc: exit.pc, fault: { type: "VMFault", address: exit.address, instruction, fsr: riscvCause(exit.access) } };
    const f = arm64FaultStatus();
    const ec = instruction ? f.ecInstructionAbort : f.ecDataAbort;
    const fsc = (exit.cause === "unmapped" ? ARM64_TRANSLATION_FAULT : ARM64_PERMISSION_FAULT) + BigInt(level(exit.address) ?? ARM64_LAST_LEVEL);
    const wnr = exit.access === "write" ? 1n << f.wnrBit : 0n;
    return { pc: exit.pc, fault: { type: "VMFault", address: exit.address, instruction, fsr: (ec << f.ec.lo) | (1n << f.ilBit) | wnr | fsc } };
  }
  if (arch === "riscv64") {
    // The exception number is the scause value (riscv64.json vm.other_exceptions_fact); an FP
    // instruction with sstatus.FS Off is an illegal instruction.
    const scause = exit.kind === "fp-trap" ? RISCV_ILLEGAL_INSTRUCTION : BigInt(exit.code);
    return { pc: exit.pc, fault: { type: "UserException", number: scause, code: 0n } };
  }
  const f = arm64FaultStatus();
  const il = 1n << f.ilBit;
  if (exit.kind === "fp-trap") {
    const esr = (ARM64_EC_FP_ACCESS << f.ec.lo) | il | ARM64_FP_ACCESS_ISS;
    return { pc: exit.pc, fault: abi.vm.hypervisor ? { type: "VCPUFault", hsr: esr } : { type: "UserException", number: esr, code: 0n } };
  }
  if (exit.code === ARM64_EXCP_BKPT) {
    const imm16 = BigInt(((insn(exit.pc) ?? 0) >>> 5) & 0xffff);
    const esr = (ARM64_EC_BRK << f.ec.lo) | il | imm16;
    return { pc: exit.pc, fault: abi.vm.hypervisor ? { type: "VCPUFault", hsr: esr } : { type: "UserException", number: esr, code: 0n } };
  }
  // A timer or PMU register the kernel keeps from user mode: an MSR/MRS trap, which a hypervisor
  // kernel reports as a VCPU fault (aarch64.json vm.other_exceptions_fact).
  const word = insn(exit.pc);
  const access = word === undefined ? undefined : decodeSysregAccess(word);
  if (access !== undefined && isTrappedEl0Register(access)) {
    const esr = (ARM64_EC_SYSREG << f.ec.lo) | il | sysregIss(access);
    return { pc: exit.pc, fault: abi.vm.hypervisor ? { type: "VCPUFault", hsr: esr } : { type: "UserException", number: esr, code: 0n } };
  }
  // An undefined or privileged instruction: EC 0 with IL set becomes a UserException whose
  // Number is that ESR (aarch64.json vm.other_exceptions_fact).
  return { pc: exit.pc, fault: { type: "UserException", number: il, code: 0n } };
}

