// Reading invocation arguments by the placement kernel/abi.ts loads from marshalling.json, and the
// few kernel facts of <arch>.json the TCB and scheduling-context decoders need beside the ones
// kernelAbi() already loads.
import { readAbiFile, type ArgumentPlace, type KernelAbi, type MethodLayout } from "./abi.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The resolved kernel configuration of this ABI (source.kernel_config_debug plus the config's differences). */
export function kernelConfig(abi: KernelAbi): Readonly<Record<string, unknown>> {
  const source = (readAbiFile(`${abi.arch}.json`) as Json)["source"];
  const diff = abi.config === "debug" ? {} : source["kernel_config_other_configs"]?.[abi.config] ?? {};
  return { ...source["kernel_config_debug"], ...diff };
}

function place(m: MethodLayout, name: string): ArgumentPlace {
  const p = m.params[name];
  if (p === undefined) throw new Error(`${m.label} has no parameter ${name} in marshalling.json`);
  return p;
}

/** An in-message argument: bits [bit, bit+bits) of its MR, read through `mr`. */
export function messageArg(m: MethodLayout, name: string, mr: (i: number) => bigint): bigint {
  const p = place(m, name);
  if (!("bit" in p)) throw new Error(`${m.label}.${name} is not a single MR field`);
  return (mr(p.mr) >> BigInt(p.bit)) & ((1n << BigInt(p.bits)) - 1n);
}

/** The MR index where an argument (or a by-reference struct) starts. */
export function argMr(m: MethodLayout, name: string): number {
  const p = place(m, name);
  if (!("mr" in p)) throw new Error(`${m.label}.${name} is a cap, not a message word`);
  return p.mr;
}

/** The extra-cap index (caps_or_badges[i]) of a cap argument. */
export function capArg(m: MethodLayout, name: string): number {
  const p = place(m, name);
  if (!("cap" in p)) throw new Error(`${m.label}.${name} is not a cap argument`);
  return p.cap;
}

/** Facts of <arch>.json the TCB and scheduling-context decoders use. */
export interface ThreadFacts {
  readonly minPrio: number;
  readonly maxPrio: number;
  /** seL4_TCBFlag_MASK and the flag names. */
  readonly tcbFlagMask: bigint;
  readonly tcbFlags: Readonly<Record<string, bigint>>;
  readonly schedContextSporadic: bigint;
  /** seL4_UserContext registers that are frameRegisters; the rest are gpRegisters. */
  readonly frameRegisters: number;
  /** The user-context register the kernel's TLS_BASE names. */
  readonly tlsRegister: string;
  readonly timerFrequencyHz: bigint;
  /** sizeof(sched_context_t) and sizeof(refill_t) (libsel4 seL4_CoreSchedContextBytes, seL4_RefillSizeBytes). */
  readonly coreSchedContextBytes: number;
  readonly refillSizeBytes: number;
  /** The SC size Microkit allocates (object_sizes: microkit_sched_context_size_bits). */
  readonly microkitSchedContextSizeBits: number;
  readonly kernelWcetScale: bigint;
  readonly staticMaxPeriodUs: bigint;
}

const facts = new Map<string, ThreadFacts>();
/** The same, by ABI object: the scheduler asks on every kernel entry, without building a key. */
const factsByAbi = new WeakMap<KernelAbi, ThreadFacts>();

export function threadFacts(abi: KernelAbi): ThreadFacts {
  const mine = factsByAbi.get(abi);
  if (mine !== undefined) return mine;
  const known = facts.get(abi.arch + abi.config);
  if (known !== undefined) {
    factsByAbi.set(abi, known);
    return known;
  }
  const raw = readAbiFile(`${abi.arch}.json`) as Json;
  const boot = raw["boot"];
  const config = kernelConfig(abi);
  const flags: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(boot["tcb_flags"] as Record<string, number>)) flags[k] = BigInt(v);
  const userContext = abi.userContext;
  // boot.tls_register opens with the register's architectural name ("TPIDR_EL0 (...)", "tp (...)").
  const tls = String(boot["tls_register"]).split(/\s/)[0]!.toLowerCase();
  if (!userContext.includes(tls)) throw new Error(`TLS register ${tls} is not in the ${abi.arch} user context`);
  const f: ThreadFacts = {
    minPrio: boot["priorities"]["seL4_MinPrio"],
    maxPrio: boot["priorities"]["seL4_MaxPrio"],
    tcbFlagMask: flags["seL4_TCBFlag_MASK"] ?? 0n,
    tcbFlags: flags,
    schedContextSporadic: BigInt(boot["sched_context_flags"]["seL4_SchedContext_Sporadic"]),
    frameRegisters: raw["registers"]["frame_registers_count"],
    tlsRegister: tls,
    timerFrequencyHz: BigInt(config["TIMER_FREQUENCY"] as string),
    coreSchedContextBytes: raw["objects"]["sched_context"]["seL4_CoreSchedContextBytes"],
    refillSizeBytes: raw["objects"]["sched_context"]["seL4_RefillSizeBytes"],
    microkitSchedContextSizeBits: raw["objects"]["sched_context"]["microkit_sched_context_size_bits"],
    kernelWcetScale: BigInt(config["KERNEL_WCET_SCALE"] as string),
    staticMaxPeriodUs: BigInt(config["KERNEL_STATIC_MAX_PERIOD_US"] as string),
  };
  facts.set(abi.arch + abi.config, Object.freeze(f));
  factsByAbi.set(abi, f);
  return f;
}
