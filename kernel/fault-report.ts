// What a debug kernel prints when a thread faults and has no fault handler (seL4
// src/kernel/faulthandler.c handleNoFaultHandler and print_fault, src/arch/*/kernel/vspace.c
// Arch_userStackTrace), with the kernel printf's conversions (src/machine/io.c): %p is the value
// in as few hex digits as it takes, "0x"-prefixed unless it is 0. (io.c means to pad it to 16
// digits, MAX(p, 2 * sizeof(void *)), but the int -1 of "no precision" compares as a huge size_t,
// so the precision stays unset: QEMU runs print "at address 0 with status 0x82000006".)
import type { KernelAbi } from "./abi.js";
import { kernelVirtual } from "./boot/plan.js";
import type { Fault } from "./faults.js";
import type { Kernel } from "./kernel.js";
import { capRegion } from "./objects/untyped.js";
import type { TCB } from "./objects/tcb.js";
import { isValidVTableRoot } from "./vspace.js";

/** printf("%p"). */
export function pointer(v: bigint): string {
  const digits = BigInt.asUintN(64, v).toString(16);
  return v === 0n ? digits : `0x${digits}`;
}

/** print_fault: one line (a timeout's ends with its own newline, so an empty line follows). */
function printFault(f: Fault): string[] {
  switch (f.type) {
    case "CapFault":
      return [`cap fault in ${f.inReceivePhase ? "receive" : "send"} phase at address ${pointer(f.address)}`];
    case "VMFault":
      return [`vm fault on ${f.instruction ? "code" : "data"} at address ${pointer(f.address)} with status ${pointer(f.fsr)}`];
    case "UnknownSyscall":
      return [`unknown syscall ${pointer(f.number)}`];
    case "UserException":
      return [`user exception ${pointer(f.number)} code ${pointer(f.code)}`];
    case "Timeout":
      return [`Timeout fault for 0x${BigInt.asUintN(32, f.badge).toString(16)}`, ""];
    default:
      return ["unknown fault"];
  }
}

/** The words at the stack pointer, CONFIG_USER_STACK_TRACE_LENGTH of them (Arch_userStackTrace). */
function stackTrace(k: Kernel, tcb: TCB): string[] {
  const memory = tcb.vspace;
  if (memory === undefined || !isValidVTableRoot(k, tcb.vspaceRoot)) return ["Invalid vspace"];
  const sp = k.getReg(tcb, "sp");
  // RISC-V's message has no newline of its own; the next print continues its line.
  if ((sp & 7n) !== 0n) return [k.abi.arch === "riscv64" ? `SP ${pointer(sp)} not aligned` : "SP not aligned"];
  const length = Number(k.abi.kernelConfig["USER_STACK_TRACE_LENGTH"] ?? 0);
  const lines: string[] = [];
  for (let i = 0; i < length; i++) {
    const address = BigInt.asUintN(64, sp + BigInt(8 * i));
    const bytes = memory.bytes(address, 8, false);
    const value = bytes === undefined ? undefined : new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    lines.push(`0x${address.toString(16)}: ${value === undefined ? "INVALID" : `0x${value.toString(16)}`}`);
  }
  return lines;
}

/**
 * handleNoFaultHandler (MCS): the report lines, empty when the kernel does not print. `threadPointer`
 * is the tcb_t address the kernel would print (its object's kernel-window address plus TCB_OFFSET).
 */
export function noFaultHandlerReport(k: Kernel, tcb: TCB, fault: Fault, threadPointer: (tcb: TCB) => bigint): string[] {
  const config = k.abi.kernelConfig;
  if (config["PRINTING"] !== true) return [];
  const who = config["DEBUG_BUILD"] === true ? `in thread ${pointer(threadPointer(tcb))} "${tcb.name}" ` : "";
  return [
    "Found thread has no fault handler while trying to handle:",
    ...printFault(fault),
    `${who}at address ${pointer(tcb.restartPc)}`,
    "With stack:",
    ...stackTrace(k, tcb),
  ];
}

/**
 * The tcb_t pointer a kernel prints for a thread: its object's kernel-window address plus TCB_OFFSET
 * (half the object; the CNode of the thread's caps comes first). 0 for a thread no Retype or boot placed.
 */
export function kernelThreadPointer(abi: KernelAbi, tcb: TCB): bigint {
  const region = capRegion({ type: "tcb", object: tcb });
  return region === undefined ? 0n : kernelVirtual(abi, region.base) + (1n << BigInt(region.sizeBits - 1));
}
