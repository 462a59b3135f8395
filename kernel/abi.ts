// The upstream seL4 binary interface, loaded from ../shared/abi (see its README): syscall numbers,
// register roles, message layouts, error codes, invocation labels and fault layouts, per
// architecture and kernel configuration. Nothing here is typed by hand.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type Arch = "aarch64" | "riscv64";
export type KernelConfigName = "debug" | "release" | "benchmark";

export interface BitField {
  readonly offset: number;
  readonly width: number;
}

export interface KernelAbi {
  readonly arch: Arch;
  readonly config: KernelConfigName;
  /** seL4_Sys* name -> number, only those present in this config. */
  readonly syscalls: Readonly<Record<string, number>>;
  readonly syscallRegister: string;
  /** Register names by role (cap/dest, msg info, MR0-3, reply cap, NBSendRecv send destination). */
  readonly roles: {
    readonly cap: string;
    readonly info: string;
    readonly mrs: readonly string[];
    readonly reply: string;
    readonly nbSendRecvDest: string;
  };
  readonly messageInfo: Readonly<Record<"length" | "extraCaps" | "capsUnwrapped" | "label", BitField>>;
  /** seL4_CapRights_t bits (cap_rights.fields). */
  readonly capRights: Readonly<Record<"capAllowWrite" | "capAllowRead" | "capAllowGrant" | "capAllowGrantReply", BitField>>;
  /** seL4_CNode_CapData_t bits: the guard and guard size a CNodeMint/Mutate badge word sets (cnode_cap_data.fields). */
  readonly cnodeCapData: Readonly<Record<"guard" | "guardSize", BitField>>;
  readonly ipcBuffer: {
    readonly fields: Readonly<Record<string, { readonly offset: number; readonly size: number }>>;
    readonly msgMaxLength: number;
    readonly msgMaxExtraCaps: number;
  };
  readonly errors: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, number>>;
  readonly faults: Readonly<Record<string, { readonly label: number; readonly length: number }>>;
  /** Per fault type: MR index -> field name (seL4_Fault_* message layout). */
  readonly faultMrs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** seL4_UserContext register order (TCB Read/WriteRegisters). */
  readonly userContext: readonly string[];
  readonly userVSpaceTop: bigint;
  readonly source: { readonly sel4: string; readonly microkit: string };
}

function findAbiDir(): string {
  const fromEnv = process.env["MICROKIT_EMU_ABI_DIR"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "..", "shared", "abi");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error("cannot find the seL4 ABI tables: expected ../shared/abi beside the repository, or set MICROKIT_EMU_ABI_DIR");
}

export const abiDir = findAbiDir();

const cache = new Map<string, unknown>();

/** Parses one JSON file of the ABI directory (cached). */
export function readAbiFile(name: string): unknown {
  let value = cache.get(name);
  if (value === undefined) {
    value = JSON.parse(readFileSync(join(abiDir, name), "utf8")) as unknown;
    cache.set(name, value);
  }
  return value;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function syscallsFor(raw: Json, config: KernelConfigName): Record<string, number> {
  if (config === "debug") return raw["syscalls"] as Record<string, number>;
  const other = raw["syscalls_other_configs"][config];
  if (other === undefined) throw new Error(`the ABI tables have no ${config} config for ${raw["arch"]}`);
  return other["present"] as Record<string, number>;
}

function labelsFor(raw: Json, config: KernelConfigName): Record<string, number> {
  const other = raw["invocation_labels_other_configs"]?.[config];
  const table = config !== "debug" && other != null ? other : raw["invocation_labels"];
  return table["labels"] as Record<string, number>;
}

const abis = new Map<string, KernelAbi>();

/** The binary interface of the Microkit qemu_virt kernel for one architecture and config. */
export function kernelAbi(arch: Arch, config: KernelConfigName = "debug"): KernelAbi {
  const key = `${arch}/${config}`;
  const known = abis.get(key);
  if (known !== undefined) return known;
  const raw = readAbiFile(`${arch}.json`) as Json;
  const regs = raw["syscall_registers"];
  const ipc = raw["ipc_buffer"];
  const faults: Record<string, { label: number; length: number }> = {};
  const faultMrs: Record<string, Record<string, string>> = {};
  for (const [name, f] of Object.entries(raw["faults"]["types"] as Json)) {
    faults[name] = { label: f.label, length: f.length };
    faultMrs[name] = f.mrs;
  }
  const abi: KernelAbi = {
    arch,
    config,
    syscalls: syscallsFor(raw, config),
    syscallRegister: regs["syscall_number"],
    roles: {
      cap: regs["common"]["cap_or_dest_cptr"],
      info: regs["common"]["msg_info"],
      mrs: regs["common"]["mr0_3"],
      reply: regs["common"]["reply_cap_cptr_mcs"],
      nbSendRecvDest: regs["common"]["nbsendrecv_send_dest_cptr"],
    },
    messageInfo: raw["message_info"]["fields"],
    capRights: raw["cap_rights"]["fields"],
    cnodeCapData: raw["cnode_cap_data"]["fields"],
    ipcBuffer: { fields: ipc["fields"], msgMaxLength: ipc["seL4_MsgMaxLength"], msgMaxExtraCaps: ipc["seL4_MsgMaxExtraCaps"] },
    errors: raw["errors"],
    labels: labelsFor(raw, config),
    faults,
    faultMrs,
    userContext: raw["registers"]["seL4_UserContext"],
    userVSpaceTop: BigInt(raw["vm"]["seL4_UserVSpaceTop"]),
    source: { sel4: raw["source"]["sel4"]["commit"] ?? String(raw["source"]["sel4"]), microkit: raw["source"]["microkit"]["commit"] ?? String(raw["source"]["microkit"]) },
  };
  abis.set(key, Object.freeze(abi));
  return abi;
}

/** Where one argument of an invocation travels (marshalling.json `params[].where`). */
export type ArgumentPlace =
  | { readonly cap: number }
  | { readonly mr: number; readonly bit: number; readonly bits: number }
  | { readonly mr: number; readonly words: number; readonly members: readonly string[] };

export interface MethodLayout {
  readonly label: string;
  /** Input arguments by their XML name. */
  readonly params: Readonly<Record<string, ArgumentPlace>>;
  readonly msgLength: number;
  readonly extraCaps: number;
}

const layouts = new Map<string, ReadonlyMap<string, MethodLayout>>();

/**
 * The argument placement of every invocation of one architecture (marshalling.json), by label.
 * Of a label declared twice under opposite conditions only the MCS variant is kept: this kernel is MCS.
 */
export function methodLayouts(arch: Arch): ReadonlyMap<string, MethodLayout> {
  const known = layouts.get(arch);
  if (known !== undefined) return known;
  const raw = readAbiFile("marshalling.json") as Json;
  const map = new Map<string, MethodLayout>();
  for (const key of raw[arch]["methods"] as string[]) {
    if (key.endsWith("[!KERNEL_MCS]")) continue;
    const e = raw["entries"][key] as Json;
    const label = e["label"] as string;
    const params: Record<string, ArgumentPlace> = {};
    for (const p of e["params"] as Json[]) if (p["dir"] === "in") params[p["name"]] = p["where"];
    map.set(label, Object.freeze({ label, params: Object.freeze(params), msgLength: e["msg_length"], extraCaps: e["extra_caps"] }));
  }
  layouts.set(arch, map);
  return map;
}

/** One invocation's argument placement; throws if the tables lack it (a broken install, not a guest error). */
export function methodLayout(arch: Arch, label: string): MethodLayout {
  const m = methodLayouts(arch).get(label);
  if (m === undefined) throw new Error(`marshalling.json has no ${label} for ${arch}`);
  return m;
}

export interface PlatformFacts {
  readonly board: string;
  readonly arch: Arch;
  /** RAM the kernel hands to user level (platform_gen.json `memory`). */
  readonly ram: readonly { readonly base: bigint; readonly size: bigint }[];
  readonly timerFrequencyHz: bigint;
  readonly maxIrq: number;
  /** The lowest IRQ number IRQControl accepts. */
  readonly minIrq: number;
  readonly smpCores: number;
  readonly configs: readonly string[];
}

/** The kernel platform facts of one Microkit board (boards.json), or undefined if unknown. */
export function platformFacts(board: string): PlatformFacts | undefined {
  const boards = (readAbiFile("boards.json") as Json)["boards"] as Json[];
  const b = boards.find((x) => x["name"] === board);
  if (b === undefined) return undefined;
  return {
    board,
    arch: b["arch"],
    ram: (b["memory"]?.["memory"] ?? []).map((r: Json) => ({ base: BigInt(r["start"]), size: BigInt(r["end"]) - BigInt(r["start"]) })),
    timerFrequencyHz: BigInt(b["sel4"]["timer_frequency_config"] ?? 0),
    maxIrq: b["irq"]?.["kernel_irq_constants_debug"]?.["maxIRQ"] ?? 0,
    // RISC-V: the PLIC's "no interrupt" number, irqInvalid = 0 (plic.h), is refused by Arch_checkIRQ;
    // boards.json states that rule only in prose (irq.kernel_rule).
    minIrq: b["arch"] === "riscv64" ? 1 : 0,
    smpCores: b["microkit"]["smp_cores"] ?? 1,
    configs: b["microkit"]["configs"],
  };
}

/** Every board Microkit supports (boards.json), for error messages. */
export function microkitBoards(): string[] {
  return ((readAbiFile("boards.json") as Json)["boards"] as Json[]).map((b) => b["name"] as string);
}

/** A bit range [lo, hi] of a word, inclusive, as the ABI tables write them. */
export interface BitRange {
  readonly lo: bigint;
  readonly mask: bigint;
}

const range = (bits: readonly [number, number]): BitRange => ({ lo: BigInt(bits[0]), mask: (1n << BigInt(bits[1] - bits[0] + 1)) - 1n });

/** The AArch64 fault status (ESR) layout of the VMFault FSR MR (aarch64.json vm.fsr). */
export interface Arm64FaultStatus {
  readonly ec: BitRange;
  readonly ilBit: bigint;
  readonly iss: BitRange;
  readonly ecDataAbort: bigint;
  readonly ecInstructionAbort: bigint;
  readonly dfsc: BitRange;
  readonly wnrBit: bigint;
  readonly s1ptwBit: bigint;
  readonly cmBit: bigint;
  readonly eaBit: bigint;
}

let arm64FaultStatusLayout: Arm64FaultStatus | undefined;

export function arm64FaultStatus(): Arm64FaultStatus {
  if (arm64FaultStatusLayout === undefined) {
    const fsr = (readAbiFile("aarch64.json") as Json)["vm"]["fsr"];
    const da = fsr["data_abort_iss"];
    arm64FaultStatusLayout = Object.freeze({
      ec: range(fsr["ec_bits"]),
      ilBit: BigInt(fsr["il_bit"]),
      iss: range(fsr["iss_bits"]),
      ecDataAbort: BigInt(fsr["ec_data_abort_lower_el"]),
      ecInstructionAbort: BigInt(fsr["ec_instruction_abort_lower_el"]),
      dfsc: range(da["dfsc_bits"]),
      wnrBit: BigInt(da["wnr_bit"]),
      s1ptwBit: BigInt(da["s1ptw_bit"]),
      cmBit: BigInt(da["cm_bit"]),
      eaBit: BigInt(da["ea_bit"]),
    });
  }
  return arm64FaultStatusLayout;
}
