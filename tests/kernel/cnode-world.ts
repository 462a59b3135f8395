// A PD that invokes a CNode cap to its own CNode, with arguments placed where marshalling.json says
// libsel4's stubs place them (read raw here, not through kernel/abi.ts).
import { expect } from "vitest";
import type { Arch } from "../../kernel/abi.js";
import type { Cap } from "../../kernel/cap.js";
import { Sim, abiJson, archJson, errorNumber, invocationLabel, lookupFailureType, microkitJson, msgInfo, type Pd } from "./harness.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The marshalling.json entry of `label` on `arch` (the MCS variant where there are two). */
export function marshalEntry(arch: Arch, label: string): Json {
  const m = abiJson("marshalling.json");
  const key = (m[arch]["methods"] as string[]).find((k) => m["entries"][k]["label"] === label && !k.endsWith("[!KERNEL_MCS]"));
  if (key === undefined) throw new Error(`no ${label} in marshalling.json for ${arch}`);
  return m["entries"][key] as Json;
}

/** Byte offset of IPC buffer field `name` (+ word i). */
export function ipcField(arch: Arch, name: string, i = 0): number {
  return (archJson(arch)["ipc_buffer"]["fields"][name]["offset"] as number) + 8 * i;
}

/** seL4_CapRights_new from <arch>.json cap_rights. */
export function rightsWord(arch: Arch, r: { write?: boolean; read?: boolean; grant?: boolean; grantReply?: boolean }): bigint {
  const f = archJson(arch)["cap_rights"]["fields"] as Record<string, { offset: number }>;
  const bit = (name: string, on: boolean | undefined): bigint => (on === true ? 1n << BigInt(f[name]!.offset) : 0n);
  return bit("capAllowWrite", r.write) | bit("capAllowRead", r.read) | bit("capAllowGrant", r.grant) | bit("capAllowGrantReply", r.grantReply);
}

/** seL4_CNode_CapData_new(guard, guardSize) from <arch>.json cnode_cap_data. */
export function cnodeCapData(arch: Arch, guard: bigint, guardSize: number): bigint {
  const f = archJson(arch)["cnode_cap_data"]["fields"] as Record<string, { offset: number }>;
  return (guard << BigInt(f["guard"]!.offset)) | (BigInt(guardSize) << BigInt(f["guardSize"]!.offset));
}

export const PD_BITS = microkitJson()["cspace"]["shape"]["microkit_cnode"]["size_bits"] as number; // 9
/** The PD's cap to its own CNode, guard 0: (index, depth PD_BITS) names slot index. */
export const CN = 20n;

export interface Invoke {
  /** Argument values by XML name; cap arguments are cptrs. */
  readonly args: Readonly<Record<string, bigint>>;
  /** Overrides of the msginfo the stub would send. */
  readonly length?: number;
  readonly extraCaps?: number;
  /** The invoked cptr (default CN). */
  readonly cap?: bigint;
  readonly syscall?: string;
  /** The reply-cap register (the invoked cptr of NBSendWait). */
  readonly reply?: bigint;
}

export class CNodeWorld {
  readonly sim: Sim;
  readonly pd: Pd;

  constructor(readonly arch: Arch) {
    this.sim = new Sim(arch);
    this.pd = this.sim.thread("pd", { priority: 100 });
    this.put(CN, { type: "cnode", object: this.pd.cnode, guard: 0n, guardSize: 0 });
    this.sim.start(this.pd);
  }

  put(index: bigint, cap: Cap): void {
    this.pd.cnode.slots[Number(index)] = cap;
  }

  at(index: bigint): Cap {
    return this.pd.cnode.slots[Number(index)]!;
  }

  setBufferWord(offset: number, v: bigint): void {
    const ipc = this.pd.ipc!;
    new DataView(ipc.buffer, ipc.byteOffset, ipc.byteLength).setBigUint64(offset, v, true);
  }

  /** The PD Calls `label` as the libsel4 stub would (with any overrides). */
  invoke(label: string, o: Invoke): void {
    const e = marshalEntry(this.arch, label);
    const mrs: bigint[] = Array.from({ length: e["msg_length"] as number }, () => 0n);
    for (const p of e["params"] as Json[]) {
      if (p["dir"] === "out") continue;
      const v = o.args[p["name"] as string];
      if (v === undefined) throw new Error(`argument ${p["name"]} of ${label} not given`);
      if ("cap" in p["where"]) this.setBufferWord(ipcField(this.arch, "caps_or_badges", p["where"]["cap"] as number), v);
      else mrs[p["where"]["mr"] as number] = v;
    }
    const info = msgInfo(this.arch, { label: invocationLabel(this.arch, label), length: o.length ?? e["msg_length"], extraCaps: o.extraCaps ?? e["extra_caps"] });
    this.sim.trap(this.pd, o.syscall ?? "seL4_SysCall", { cap: o.cap ?? CN, info, mrs, ...(o.reply === undefined ? {} : { reply: o.reply }) });
  }

  expectSuccess(): void {
    expect(this.sim.info(this.pd)).toBe(msgInfo(this.arch, { label: 0n, length: 0 }));
  }

  /** The error reply: label = the seL4_Error, MRs as error_reply_mrs lists them. */
  expectError(name: string, mrs: readonly bigint[] = []): void {
    expect(this.sim.info(this.pd)).toBe(msgInfo(this.arch, { label: errorNumber(this.arch, name), length: mrs.length }));
    expect(this.sim.fastMrs(this.pd).slice(0, mrs.length)).toEqual(mrs);
  }

  lf(name: string): bigint {
    return lookupFailureType(this.arch, name);
  }
}
