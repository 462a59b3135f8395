// Numbers that depend on the kernel configuration, computed for any seL4 build from its
// gen_config.json and ../shared/abi/invocations.json by the rules that file's README section gives
// (seL4's tools/invocation_header_gen.py, syscall_header_gen.py and the fault tags of shared_types.bf):
// which syscalls exist and their numbers, the invocation label numbering, and the fault tags.
import { readAbiFile, type Arch } from "./abi.js";

/** A resolved kernel configuration: gen_config.json, keys without the CONFIG_ prefix. */
export type GenConfig = Readonly<Record<string, unknown>>;

/** A condition as invocations.json writes it (null: always present). */
export type Condition =
  | null
  | { readonly config: string }
  | { readonly not: Condition }
  | { readonly and: readonly Condition[] }
  | { readonly or: readonly Condition[] };

/** Whether a condition holds: a CONFIG_X is true only if gen_config key X is `true`. */
export function holds(c: Condition, config: GenConfig): boolean {
  if (c === null) return true;
  if ("config" in c) return config[c.config.replace(/^CONFIG_/, "")] === true;
  if ("not" in c) return !holds(c.not, config);
  if ("and" in c) return c.and.every((x) => holds(x, config));
  return c.or.some((x) => holds(x, config));
}

interface LabelEntry {
  readonly label: string;
  readonly condition: Condition;
}

interface Tables {
  readonly invocations: Record<Arch, { readonly groups: readonly { readonly group: string; readonly entries: readonly LabelEntry[] }[] }>;
  readonly syscalls: { readonly groups: readonly { readonly group: string; readonly blocks: readonly { readonly condition: Condition; readonly syscalls: readonly string[] }[] }[] };
  readonly faults: Record<Arch, { readonly tags: readonly { readonly fault: string; readonly value: number; readonly condition: Condition }[] }>;
}

const tables = (): Tables => readAbiFile("invocations.json") as Tables;

export interface LabelNumbering {
  /** Label name -> number; InvalidInvocation is 0 and not listed. */
  readonly labels: Readonly<Record<string, number>>;
  /** The number after the last label of each group (nInvocationLabels, nSeL4ArchInvocationLabels, nArchInvocationLabels). */
  readonly groupEnds: Readonly<Record<string, number>>;
}

/**
 * Invocation labels: every entry whose condition holds takes the next number from 1, in the order
 * global, sel4_arch, arch; a label already numbered (its other-condition twin) is skipped.
 */
export function invocationLabels(arch: Arch, config: GenConfig): LabelNumbering {
  const labels: Record<string, number> = {};
  const groupEnds: Record<string, number> = {};
  let next = 1;
  for (const group of tables().invocations[arch].groups) {
    for (const e of group.entries) {
      if (e.label in labels || !holds(e.condition, config)) continue;
      labels[e.label] = next++;
    }
    groupEnds[group.group] = next;
  }
  return { labels, groupEnds };
}

/**
 * Syscall numbers (seL4_Sys* name -> number) of the syscalls this configuration has: the api-mcs
 * or api-master group, then the debug group, numbered down from -1 in list order; a block whose
 * condition fails still uses up its numbers.
 */
export function syscallNumbers(config: GenConfig): Record<string, number> {
  const groups = tables().syscalls.groups;
  const api = config["KERNEL_MCS"] === true ? "api-mcs" : "api-master";
  const out: Record<string, number> = {};
  let next = -1;
  for (const name of [api, "debug"]) {
    const group = groups.find((g) => g.group === name);
    if (group === undefined) throw new Error(`invocations.json has no syscall group ${name}`);
    for (const block of group.blocks) {
      const present = holds(block.condition, config);
      for (const s of block.syscalls) {
        if (present) out[`seL4_Sys${s}`] = next;
        next--;
      }
    }
  }
  return out;
}

/** Fault tags (seL4_Fault_* -> value) present in this configuration. */
export function faultTags(arch: Arch, config: GenConfig): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tables().faults[arch].tags) if (holds(t.condition, config)) out[t.fault] = t.value;
  return out;
}
