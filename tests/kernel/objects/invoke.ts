// Shared by the TCB / SchedContext / SchedControl invocation tests: a Call on a cap with MRs and
// extra caps placed as libsel4 places them (marshalling.json: MR i, caps_or_badges[i]).
import type { Arch } from "../../../kernel/abi.js";
import { archJson, errorNumber, invocationLabel, msgInfo, type Pd, type Sim } from "../harness.js";

/** Writes caps_or_badges[i] := cptrs[i] in the PD's IPC buffer. */
export function setExtraCaps(sim: Sim, pd: Pd, cptrs: readonly bigint[]): void {
  const off = archJson(sim.arch)["ipc_buffer"]["fields"]["caps_or_badges"]["offset"] as number;
  const view = new DataView(pd.ipc!.buffer, pd.ipc!.byteOffset, pd.ipc!.byteLength);
  cptrs.forEach((c, i) => view.setBigUint64(off + 8 * i, c, true));
}

/** seL4_Call(cptr, label, MRs, extra caps); returns the thread scheduled next. */
export function call(sim: Sim, pd: Pd, cptr: bigint, label: string, mrs: readonly bigint[] = [], caps: readonly bigint[] = [], length = mrs.length) {
  setExtraCaps(sim, pd, caps);
  return sim.trap(pd, "seL4_SysCall", { cap: cptr, info: msgInfo(sim.arch, { label: invocationLabel(sim.arch, label), length, extraCaps: caps.length }), mrs });
}

/** The reply the caller holds: label, and MRs 0..length-1 (registers, then the IPC buffer). */
export function reply(sim: Sim, pd: Pd): { label: bigint; mrs: bigint[] } {
  const info = sim.info(pd);
  const f = archJson(sim.arch)["message_info"]["fields"] as Record<string, { offset: number; width: number }>;
  const get = (n: string): bigint => (info >> BigInt(f[n]!.offset)) & ((1n << BigInt(f[n]!.width)) - 1n);
  const length = Number(get("length"));
  const fast = sim.fastMrs(pd);
  return { label: get("label"), mrs: Array.from({ length }, (_, i) => (i < fast.length ? fast[i]! : sim.bufferMr(pd, i))) };
}

export const err = (arch: Arch, name: string, ...mrs: bigint[]) => ({ label: errorNumber(arch, name), mrs });
export const success = (...mrs: bigint[]) => ({ label: 0n, mrs });
