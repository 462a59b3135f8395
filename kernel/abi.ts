// The upstream seL4 binary interface, loaded from ../shared/abi (see its README): syscall numbers,
// register roles, message layouts, error codes, invocation labels and fault layouts, per
// architecture and kernel configuration. Nothing here is typed by hand.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { faultTags, invocationLabels, syscallNumbers } from "./abi-numbering.js";

export type Arch = "aarch64" | "riscv64";
export type KernelConfigName = "debug" | "release" | "benchmark";

/** The kernel configurations ../shared/abi/configs describes by name (root-task kernels). */
export const PRESET_CONFIGS: readonly string[] = ["sel4test-aarch64", "sel4test-riscv64"];

export interface BitField {
  readonly offset: number;
  readonly width: number;
}

export interface KernelAbi {
  readonly arch: Arch;
  /** The configuration's name: a Microkit config (debug, release, benchmark), a preset, or a gen_config file. */
  readonly config: string;
  /** The ABI file holding this configuration's per-architecture facts (register roles, fault layouts, boot facts). */
  readonly factsFile: string;
  /** The resolved kernel configuration (gen_config.json: keys without CONFIG_). */
  readonly kernelConfig: Readonly<Record<string, unknown>>;
  /** seL4_*Bits object size constants of this configuration. */
  readonly objectBits: Readonly<Record<string, number>>;
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
    /** seL4_IPCBufferSizeBits: a buffer's address is aligned to this. */
    readonly sizeBits: number;
  };
  readonly errors: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, number>>;
  readonly faults: Readonly<Record<string, { readonly label: number; readonly length: number }>>;
  /** Per fault type: MR index -> field name (seL4_Fault_* message layout). */
  readonly faultMrs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** seL4_UserContext register order (TCB Read/WriteRegisters). */
  readonly userContext: readonly string[];
  /** seL4_UserTop as libsel4 defines it (inclusive on AArch64, exclusive on RISC-V; see vm.user_top_fact). */
  readonly userTop: bigint;
  readonly userVSpaceTop: bigint;
  /** The virtual-memory facts the paging objects depend on. */
  readonly vm: VmFacts;
  readonly source: { readonly sel4: string; readonly microkit: string };
}

/**
 * Address-space layout and paging constants of one kernel build (<arch>.json `vm`, `objects.size_bits`
 * and the resolved kernel config).
 */
export interface VmFacts {
  /** seL4_PageBits, seL4_LargePageBits, seL4_HugePageBits: the frame sizes, smallest first. */
  readonly frameBits: readonly number[];
  /** seL4_PageTableIndexBits: entries of every table below the root. */
  readonly ptIndexBits: number;
  /** Index bits of the VSpace root (seL4_VSpaceIndexBits on AArch64; a RISC-V root is a page table). */
  readonly rootIndexBits: number;
  /** Translation levels from the root to the 4 KiB entries (UPT_LEVELS, CONFIG_PT_LEVELS). */
  readonly levels: number;
  /**
   * seL4_UserTop, as the kernel's USER_TOP: the last user address on AArch64 (decoders compare with
   * `>`), the first address past user space on RISC-V (decoders compare with `>=`).
   */
  readonly userTop: bigint;
  /** CONFIG_ARM_HYPERVISOR_SUPPORT: user VSpaces are stage-2 tables and cache maintenance uses the kernel window. */
  readonly hypervisor: boolean;
  /** seL4_ASIDPoolIndexBits (asidLowBits) and seL4_NumASIDPoolsBits (asidHighBits). */
  readonly asidLowBits: number;
  readonly asidHighBits: number;
  /** seL4_ASIDPoolBits: the size an untyped must have to become an ASID pool. */
  readonly asidPoolBits: number;
  /** seL4_*_VMAttributes / seL4_*_ExecuteNever ... name -> value (vm.vm_attributes). */
  readonly vmAttributes: Readonly<Record<string, number>>;
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

/** The per-architecture facts file of an ABI (<arch>.json or configs/<preset>.json), parsed. */
export function abiFacts(abi: KernelAbi): Json {
  return readAbiFile(abi.factsFile) as Json;
}

function syscallsFor(raw: Json, config: KernelConfigName): Record<string, number> {
  if (config === "debug") return raw["syscalls"] as Record<string, number>;
  const other = raw["syscalls_other_configs"][config];
  if (other === undefined) throw new Error(`the ABI tables have no ${config} config for ${raw["arch"]}`);
  return other["present"] as Record<string, number>;
}

function labelsFor(raw: Json, config: KernelConfigName): Record<string, number> {
  const other = raw["invocation_labels_other_configs"]?.[config];
  // A config whose table equals debug's says so instead of repeating it (RISC-V release, benchmark).
  const table = config !== "debug" && other != null && other["identical_to_debug"] !== true ? other : raw["invocation_labels"];
  return table["labels"] as Record<string, number>;
}

/** object_sizes.json keys (other_configs_object_sizes_json) for the seL4_*Bits constants they give. */
const MICROKIT_SIZE_KEYS: Readonly<Record<string, string>> = {
  tcb: "seL4_TCBBits", endpoint: "seL4_EndpointBits", notification: "seL4_NotificationBits", reply: "seL4_ReplyBits",
  slot: "seL4_SlotBits", small_page: "seL4_PageBits", large_page: "seL4_LargePageBits", huge_page: "seL4_HugePageBits",
  page_table: "seL4_PageTableBits", vspace: "seL4_VSpaceBits", vcpu: "seL4_VCPUBits",
  min_untyped_bits: "seL4_MinUntypedBits", max_untyped_bits: "seL4_MaxUntypedBits",
};

/** What differs between configurations beside the facts file itself. */
interface ConfigParts {
  readonly config: string;
  readonly kernelConfig: Readonly<Record<string, unknown>>;
  readonly syscalls: Record<string, number>;
  readonly labels: Record<string, number>;
  /** Fault tag -> label; undefined keeps the facts file's table. */
  readonly faultTags?: Record<string, number>;
  readonly objectBits: Record<string, number>;
  readonly userTop: bigint;
  readonly userVSpaceTop: bigint;
}

function assemble(arch: Arch, factsFile: string, parts: ConfigParts): KernelAbi {
  const raw = readAbiFile(factsFile) as Json;
  const regs = raw["syscall_registers"];
  const ipc = raw["ipc_buffer"];
  const faults: Record<string, { label: number; length: number }> = {};
  const faultMrs: Record<string, Record<string, string>> = {};
  for (const [name, f] of Object.entries(raw["faults"]["types"] as Json)) {
    const label = parts.faultTags === undefined ? f.label : parts.faultTags[name];
    if (label === undefined) continue;
    faults[name] = { label, length: f.length };
    faultMrs[name] = f.mrs;
  }
  return Object.freeze({
    arch,
    config: parts.config,
    factsFile,
    kernelConfig: Object.freeze({ ...parts.kernelConfig }),
    objectBits: Object.freeze(parts.objectBits),
    syscalls: parts.syscalls,
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
    ipcBuffer: { fields: ipc["fields"], msgMaxLength: ipc["seL4_MsgMaxLength"], msgMaxExtraCaps: ipc["seL4_MsgMaxExtraCaps"], sizeBits: ipc["seL4_IPCBufferSizeBits"] },
    errors: raw["errors"],
    labels: parts.labels,
    faults,
    faultMrs,
    userContext: raw["registers"]["seL4_UserContext"],
    userTop: parts.userTop,
    userVSpaceTop: parts.userVSpaceTop,
    vm: vmFacts(arch, raw, parts.kernelConfig, parts.objectBits, parts.userTop),
    source: { sel4: raw["source"]["sel4"]["commit"] ?? String(raw["source"]["sel4"]), microkit: raw["source"]["microkit"]?.["commit"] ?? "none" },
  });
}

/**
 * The paging facts of one build. The level count is not in the tables as the kernel uses it: seL4's
 * include/config.h starts AArch64 user VSpaces at level 1 (AARCH64_VSPACE_S2_START_L1) when the
 * hypervisor is on and the physical address size is 40 bits, and
 * include/arch/arm/arch/64/mode/machine/hardware.h then has UPT_LEVELS 3 (else 4); RISC-V walks
 * CONFIG_PT_LEVELS. The result is checked against the root's index bits and seL4_UserTop.
 */
function vmFacts(arch: Arch, raw: Json, config: Readonly<Record<string, unknown>>, bits: Readonly<Record<string, number>>, userTop: bigint): VmFacts {
  const size = (name: string): number => {
    const v = bits[name];
    if (v === undefined) throw new Error(`the ${arch} object sizes have no ${name}`);
    return v;
  };
  const hypervisor = config["ARM_HYPERVISOR_SUPPORT"] === true;
  const ptIndexBits = size("seL4_PageTableIndexBits");
  const rootIndexBits = arch === "aarch64" ? size("seL4_VSpaceIndexBits") : ptIndexBits;
  const levels = arch === "aarch64" ? (hypervisor && config["ARM_PA_SIZE_BITS_40"] === true ? 3 : 4) : Number(config["PT_LEVELS"]);
  const pageBits = size("seL4_PageBits");
  const vaBits = pageBits + (levels - 1) * ptIndexBits + rootIndexBits;
  if (!(levels >= 2) || userTop >= 1n << BigInt(vaBits)) {
    throw new Error(`${arch}: a ${levels}-level VSpace with a ${rootIndexBits}-bit root cannot reach seL4_UserTop ${userTop.toString(16)}`);
  }
  return Object.freeze({
    frameBits: [pageBits, size("seL4_LargePageBits"), size("seL4_HugePageBits")],
    ptIndexBits, rootIndexBits, levels, userTop, hypervisor,
    asidLowBits: size("seL4_ASIDPoolIndexBits"),
    asidHighBits: size("seL4_NumASIDPoolsBits"),
    asidPoolBits: size("seL4_ASIDPoolBits"),
    vmAttributes: raw["vm"]["vm_attributes"] as Record<string, number>,
  });
}

const abis = new Map<string, KernelAbi>();

/** The binary interface of the Microkit qemu_virt kernel for one architecture and config. */
export function kernelAbi(arch: Arch, config: KernelConfigName = "debug"): KernelAbi {
  const key = `${arch}/${config}`;
  const known = abis.get(key);
  if (known !== undefined) return known;
  const factsFile = `${arch}.json`;
  const raw = readAbiFile(factsFile) as Json;
  const boards = readAbiFile("boards.json") as Json;
  const board = boards["reference_board"][arch] as string;
  const diff = (boards["boards"] as Json[]).find((b) => b["name"] === board)?.["gen_config_other_configs_diff_vs_debug"]?.[config];
  const bits: Record<string, number> = { ...(raw["objects"]["size_bits"] as Record<string, number>) };
  if (config !== "debug") {
    // The per-config differences (seL4_TCBBits is 11 without the hardware debug API on AArch64).
    const other = (raw["objects"]["other_configs_object_sizes_json"] as Json | null)?.[config] as Record<string, number> | undefined;
    for (const [k, v] of Object.entries(other ?? {})) {
      const name = MICROKIT_SIZE_KEYS[k];
      if (name !== undefined && name in bits) bits[name] = v;
    }
  }
  const abi = assemble(arch, factsFile, {
    config,
    kernelConfig: { ...(readAbiFile(`kernel-configs/${board}-debug.json`) as Json), ...(config === "debug" ? {} : diff ?? {}) },
    syscalls: syscallsFor(raw, config),
    labels: labelsFor(raw, config),
    objectBits: bits,
    userTop: BigInt(raw["vm"]["seL4_UserTop"]),
    userVSpaceTop: BigInt(raw["vm"]["seL4_UserVSpaceTop"]),
  });
  abis.set(key, abi);
  return abi;
}

/** The kernel of a named configuration in ../shared/abi/configs (the sel4test root-task kernels). */
export function presetAbi(name: string): KernelAbi {
  const known = abis.get(`preset/${name}`);
  if (known !== undefined) return known;
  if (!PRESET_CONFIGS.includes(name)) throw new Error(`no kernel configuration preset '${name}'; presets: ${PRESET_CONFIGS.join(", ")}`);
  const factsFile = `configs/${name}.json`;
  const raw = readAbiFile(factsFile) as Json;
  const abi = assemble(raw["arch"] as Arch, factsFile, {
    config: name,
    kernelConfig: readAbiFile(`kernel-configs/${name}.json`) as Json,
    syscalls: raw["syscalls"],
    labels: raw["invocation_labels"]["labels"],
    objectBits: { ...(raw["objects"]["size_bits"] as Record<string, number>) },
    userTop: BigInt(raw["vm"]["seL4_UserTop"]),
    userVSpaceTop: BigInt(raw["vm"]["seL4_UserVSpaceTop"]),
  });
  abis.set(`preset/${name}`, abi);
  return abi;
}

/**
 * Configuration keys that decide the object sizes and user address-space top libsel4 defines
 * (libsel4/sel4_arch_include/*\/sel4/sel4_arch/constants.h: seL4_TCBBits, seL4_VSpaceBits, seL4_UserTop).
 */
const VM_DECIDING_KEYS = ["ARM_HYPERVISOR_SUPPORT", "ARM_PA_SIZE_BITS_40", "ARM_PA_SIZE_BITS_44", "HARDWARE_DEBUG_API", "ARM_HYP_ENABLE_VCPU_CP14_SAVE_AND_RESTORE", "PT_LEVELS"];

/** A measured build whose configuration agrees with `gen` on every deciding key: its VM and object-size facts. */
function measuredVm(arch: Arch, gen: Readonly<Record<string, unknown>>): { name: string; top: bigint; vspaceTop: bigint; bits: Record<string, number> } | undefined {
  const same = (other: Json): boolean => VM_DECIDING_KEYS.every((k) => (other[k] ?? false) === (gen[k] ?? false));
  for (const name of PRESET_CONFIGS) {
    const raw = readAbiFile(`configs/${name}.json`) as Json;
    if (raw["arch"] === arch && same(readAbiFile(`kernel-configs/${name}.json`) as Json)) {
      return { name, top: BigInt(raw["vm"]["seL4_UserTop"]), vspaceTop: BigInt(raw["vm"]["seL4_UserVSpaceTop"]), bits: raw["objects"]["size_bits"] };
    }
  }
  for (const b of (readAbiFile("boards.json") as Json)["boards"] as Json[]) {
    if (b["arch"] !== arch || !same(readAbiFile(`kernel-configs/${b["name"]}-debug.json`) as Json)) continue;
    const vm = b["vm"];
    const bits: Record<string, number> = { seL4_TCBBits: vm["seL4_TCBBits"], seL4_VSpaceBits: vm["seL4_VSpaceBits"], seL4_MaxUntypedBits: vm["seL4_MaxUntypedBits"] };
    return { name: b["name"], top: BigInt(vm["seL4_UserTop"]), vspaceTop: BigInt(vm["seL4_UserVSpaceTop"]), bits };
  }
  return undefined;
}

/**
 * The binary interface of any seL4 build, from its gen_config.json: syscalls, invocation labels and
 * fault tags numbered from invocations.json; the per-architecture facts from the measured build of
 * the same architecture and hypervisor mode; object sizes and the user address-space top from a
 * measured build that agrees on the keys deciding them. Throws an Error saying what is missing.
 */
export function abiForKernelConfig(gen: Readonly<Record<string, unknown>>, name: string): KernelAbi {
  const arch = gen["SEL4_ARCH"];
  if (arch !== "aarch64" && arch !== "riscv64") throw new Error(`SEL4_ARCH is ${JSON.stringify(arch)}; only aarch64 and riscv64 kernels are emulated`);
  if (gen["KERNEL_MCS"] !== true) throw new Error("KERNEL_MCS is off; only MCS kernels are emulated");
  const hyp = gen["ARM_HYPERVISOR_SUPPORT"] === true;
  // Facts that hold for every build of an architecture and mode: Microkit's board (hypervisor on
  // AArch64, and RISC-V) or sel4test's non-hypervisor AArch64 kernel.
  const factsFile = arch === "aarch64" && !hyp ? "configs/sel4test-aarch64.json" : `${arch}.json`;
  const raw = readAbiFile(factsFile) as Json;
  const vm = measuredVm(arch, gen);
  if (vm === undefined) {
    const keys = VM_DECIDING_KEYS.filter((k) => k in gen).map((k) => `${k}=${String(gen[k])}`).join(", ");
    throw new Error(`no measured ${arch} build has this configuration's memory layout (${keys}); object sizes and seL4_UserTop are unknown`);
  }
  const bits: Record<string, number> = { ...(raw["objects"]["size_bits"] as Record<string, number>), ...vm.bits };
  // constants.h: a VSpace root is 2^seL4_VSpaceIndexBits entries of 2^seL4_PageTableEntryBits bytes.
  if (bits["seL4_PageTableEntryBits"] !== undefined && bits["seL4_VSpaceBits"] !== undefined && "seL4_VSpaceIndexBits" in bits) {
    bits["seL4_VSpaceIndexBits"] = bits["seL4_VSpaceBits"] - bits["seL4_PageTableEntryBits"];
  }
  return assemble(arch, factsFile, {
    config: name,
    kernelConfig: gen,
    syscalls: syscallNumbers(gen),
    labels: invocationLabels(arch, gen).labels,
    faultTags: faultTags(arch, gen),
    objectBits: bits,
    userTop: vm.top,
    userVSpaceTop: vm.vspaceTop,
  });
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
