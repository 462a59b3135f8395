// The facts about a board and kernel configuration that SDF validation depends on, derived the way
// upstream's tool/microkit/src/main.rs derives its `Config` from the SDK's gen_config.json: here from
// ../shared/abi (boards.json, kernel-configs/<board>-debug.json and the per-config differences).
import { readAbiFile } from "../../kernel/abi.js";

export type SdfArch = "aarch64" | "riscv64" | "x86_64";

export interface SdfBoard {
  readonly name: string;
  readonly config: string;
  readonly arch: SdfArch;
  /** Page sizes in bytes, smallest first (upstream Config::page_sizes). */
  readonly pageSizes: readonly bigint[];
  /** seL4_UserVSpaceTop: the highest user virtual address (inclusive). */
  readonly userVSpaceTop: bigint;
  /** MAX_NUM_NODES with SMP support, else 1. */
  readonly cores: number;
  /** ARM_HYPERVISOR_SUPPORT on AArch64, VTX on x86_64, never on RISC-V. */
  readonly hypervisor: boolean;
  /** IOMMU on x86_64 only. */
  readonly iommu: boolean;
  /** ALLOW_SMC_CALLS on AArch64; undefined on architectures without SMC. */
  readonly armSmc: boolean | undefined;
  /** KernelNumDomains and KernelNumDomainSchedules. */
  readonly numDomains: number;
  readonly numDomainSchedules: number;
  /** IRQ numbers the kernel accepts (ARM 0..maxIRQ, RISC-V 1..maxIRQ); undefined on x86_64. */
  readonly irqRange: { readonly min: number; readonly max: number } | undefined;
  /** Highest x86 IOAPIC/MSI vector the tool allows (sdf.rs X86_IRQ_VECTOR_MAX). */
  readonly x86VectorMax: number;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const boards = new Map<string, SdfBoard | undefined>();

/** The SDF facts of one Microkit board in one config (debug, release, benchmark, smp-*), or undefined. */
export function sdfBoard(name: string, config = "debug"): SdfBoard | undefined {
  const key = `${name}/${config}`;
  if (boards.has(key)) return boards.get(key);
  const all = readAbiFile("boards.json") as Json;
  const b = (all["boards"] as Json[]).find((x) => x["name"] === name);
  let facts: SdfBoard | undefined;
  if (b !== undefined && (b["microkit"]["configs"] as string[]).includes(config)) {
    const gen: Json = {
      ...(readAbiFile(`kernel-configs/${name}-debug.json`) as Json),
      ...((b["gen_config_other_configs_diff_vs_debug"] ?? {}) as Json)[config],
    };
    const arch = gen["SEL4_ARCH"] as SdfArch;
    const smp = gen["ENABLE_SMP_SUPPORT"] === true;
    const irqConstants = b["irq"]?.[smp ? "kernel_irq_constants_smp" : "kernel_irq_constants_debug"];
    facts = Object.freeze({
      name,
      config,
      arch,
      pageSizes: Object.freeze((b["vm"]["page_sizes"] as number[]).map((s) => BigInt(s))),
      userVSpaceTop: BigInt(b["vm"]["seL4_UserVSpaceTop"]),
      cores: smp ? Number(gen["MAX_NUM_NODES"]) : 1,
      hypervisor: arch === "aarch64" ? gen["ARM_HYPERVISOR_SUPPORT"] === true : arch === "x86_64" ? gen["VTX"] === true : false,
      iommu: arch === "x86_64" && gen["IOMMU"] === true,
      armSmc: arch === "aarch64" ? gen["ALLOW_SMC_CALLS"] === true : undefined,
      numDomains: Number(gen["NUM_DOMAINS"]),
      numDomainSchedules: Number(gen["NUM_DOMAIN_SCHEDULES"]),
      irqRange: irqConstants == null ? undefined : { min: arch === "riscv64" ? 1 : 0, max: Number(irqConstants["maxIRQ"]) },
      x86VectorMax: Number((all["boards"] as Json[]).find((x) => x["irq"]?.["microkit_x86_vector_max"] != null)?.["irq"]["microkit_x86_vector_max"]),
    });
  }
  boards.set(key, facts);
  return facts;
}

/** The board parseSystem assumes when none is given: the AArch64 reference board, debug config. */
export function defaultSdfBoard(): SdfBoard {
  const reference = ((readAbiFile("boards.json") as Json)["reference_board"] as Json)["aarch64"] as string;
  const facts = sdfBoard(reference, "debug");
  if (facts === undefined) throw new Error(`boards.json has no reference board ${reference}`);
  return facts;
}

/** "board qemu_virt_aarch64 (aarch64, debug)" for messages. */
export const describeBoard = (b: SdfBoard): string => `board ${b.name} (${b.arch}, ${b.config})`;
