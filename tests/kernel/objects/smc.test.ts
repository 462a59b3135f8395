// The ARM SMC cap (seL4 src/arch/arm/object/smc.c decodeARMSMCInvocation, invokeSMCCall): x0-x7
// travel where marshalling.json puts seL4_ARM_SMCContext, the firmware (KernelHost.smc) answers,
// a Call gets x0-x7 back; each decode error; badges restrict the function id; Mint badges the cap.
import { describe, expect, it } from "vitest";
import type { Cap } from "../../../kernel/cap.js";
import type { KernelEvent } from "../../../kernel/events.js";
import { insertOriginalCap } from "../../../kernel/cspace.js";
import { CN, CNodeWorld, PD_BITS, marshalEntry, rightsWord } from "../cnode-world.js";
import { Sim, invocationLabel, microkitJson, msgInfo } from "../harness.js";
import { call, err, reply, success } from "./invoke.js";

const SMC_SLOT = BigInt(microkitJson()["cspace"]["slots"]["ARM_SMC_CAP"]["slot"] as number);
const ARGS = [0x8400_0000n, 1n, 2n, 3n, 4n, 5n, 6n, 7n];
const smcCap = (badge = 0n): Cap => ({ type: "smc", badge });

/** A PD holding an SMC cap, on a kernel whose host records the calls and answers x0 += 0x100, xi + 1000 for the rest. */
function world(o: { badge?: bigint; ipcBuffer?: "rw" | "none"; firmware?: boolean } = {}) {
  const sim = new Sim("aarch64");
  const calls: bigint[][] = [];
  if (o.firmware ?? true) {
    sim.host.smc = (x: readonly bigint[]) => {
      calls.push([...x]);
      return x.map((v, i) => (i === 0 ? v + 0x100n : v + 1000n));
    };
  }
  const pd = sim.thread("pd", { priority: 100, ipcBuffer: o.ipcBuffer ?? "rw" });
  sim.give(pd, SMC_SLOT, smcCap(o.badge));
  sim.start(pd);
  return { sim, pd, calls };
}

describe("the SMC context's place in the message (marshalling.json)", () => {
  it("x0-x7 from MR 0 in, x0-x7 from MR 0 out, eight words", () => {
    const e = marshalEntry("aarch64", "ARMSMCCall");
    expect(e["msg_length"]).toBe(8);
    expect(e["params"].map((p: { dir: string; where: { mr: number; words: number } }) => [p.dir, p.where.mr, p.where.words])).toEqual([["in", 0, 8], ["out", 0, 8]]);
  });
});

describe("ARMSMCCall", () => {
  it("hands x0-x7 (MR 4-7 from the IPC buffer) to the firmware; the Call gets its x0-x7 back, label 0, badge 0, length 8", () => {
    const { sim, pd, calls } = world();
    sim.setReg(pd, sim.roles.cap, 0x77n);
    expect(call(sim, pd, SMC_SLOT, "ARMSMCCall", ARGS)).toBe(pd.tcb);
    expect(calls).toEqual([ARGS]);
    expect(reply(sim, pd)).toEqual(success(0x8400_0100n, 1001n, 1002n, 1003n, 1004n, 1005n, 1006n, 1007n));
    expect(sim.badge(pd)).toBe(0n);
    expect(pd.tcb.state).toBe("Running");
  });

  it("without a firmware the answer is SMCCC's NOT_SUPPORTED in x0, x1-x7 unchanged", () => {
    const { sim, pd } = world({ firmware: false });
    call(sim, pd, SMC_SLOT, "ARMSMCCall", ARGS);
    expect(reply(sim, pd)).toEqual(success((1n << 64n) - 1n, ...ARGS.slice(1)));
  });

  it("a Send reaches the firmware too, but nothing is written back", () => {
    const { sim, pd, calls } = world();
    sim.trap(pd, "seL4_SysSend", { cap: SMC_SLOT, info: msgInfo("aarch64", { label: invocationLabel("aarch64", "ARMSMCCall"), length: 8 }), mrs: ARGS });
    expect(calls).toEqual([ARGS]);
    expect(sim.fastMrs(pd)).toEqual(ARGS.slice(0, 4));
    expect(sim.bufferMr(pd, 7)).toBe(7n);
  });

  it("works as the first phase of NBSendRecv (an arch cap: no first-phase refusal)", () => {
    const { sim, pd, calls } = world();
    sim.trap(pd, "seL4_SysNBSendRecv", {
      nbSendRecvDest: SMC_SLOT, cap: SMC_SLOT, reply: 4n, info: msgInfo("aarch64", { label: invocationLabel("aarch64", "ARMSMCCall"), length: 8 }), mrs: ARGS,
    });
    expect(calls).toEqual([ARGS]);
  });

  it("any other label is IllegalOperation; fewer than eight MRs TruncatedMessage; the firmware is not called", () => {
    const { sim, pd, calls } = world();
    call(sim, pd, SMC_SLOT, "ARMVCPUReadReg", ARGS);
    expect(reply(sim, pd)).toEqual(err("aarch64", "seL4_IllegalOperation"));
    call(sim, pd, SMC_SLOT, "ARMSMCCall", ARGS.slice(0, 7));
    expect(reply(sim, pd)).toEqual(err("aarch64", "seL4_TruncatedMessage"));
    expect(calls).toEqual([]);
  });

  it("without an IPC buffer only four MRs can arrive: TruncatedMessage", () => {
    const { sim, pd, calls } = world({ ipcBuffer: "none" });
    sim.trap(pd, "seL4_SysCall", { cap: SMC_SLOT, info: msgInfo("aarch64", { label: invocationLabel("aarch64", "ARMSMCCall"), length: 8 }), mrs: ARGS.slice(0, 4) });
    expect(reply(sim, pd)).toEqual(err("aarch64", "seL4_TruncatedMessage"));
    expect(calls).toEqual([]);
  });

  it("a badged cap allows only the function id equal to its badge", () => {
    const { sim, pd, calls } = world({ badge: 0x8400_0000n });
    call(sim, pd, SMC_SLOT, "ARMSMCCall", [0x8400_000an, ...ARGS.slice(1)]);
    expect(reply(sim, pd)).toEqual(err("aarch64", "seL4_IllegalOperation"));
    call(sim, pd, SMC_SLOT, "ARMSMCCall", ARGS);
    expect(reply(sim, pd).label).toBe(0n);
    expect(calls).toEqual([ARGS]);
  });

  it("is an smc event: the calling thread, the function id and the answer's x0", () => {
    const { sim, pd } = world();
    pd.tcb.pd = "pd";
    const events: KernelEvent[] = [];
    sim.k.subscribe((e) => events.push(e));
    call(sim, pd, SMC_SLOT, "ARMSMCCall", ARGS);
    expect(events.filter((e) => e.type === "smc")).toEqual([{ type: "smc", time_ns: 0, thread: "pd", pd: "pd", function_id: 0x8400_0000n, result: 0x8400_0100n }]);
    expect(events.find((e) => e.type === "invocation")).toMatchObject({ object: "smc", method: "ARMSMCCall" });
  });
});

describe("SMC caps in the CSpace", () => {
  const D = BigInt(PD_BITS);
  const all = rightsWord("aarch64", { write: true, read: true, grant: true, grantReply: true });

  it("Mint badges an unbadged SMC cap; a badged one cannot be re-badged", () => {
    const w = new CNodeWorld("aarch64");
    w.put(30n, smcCap());
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: all, badge: 0x8400_0000n } });
    w.expectSuccess();
    expect(w.at(31n)).toEqual(smcCap(0x8400_0000n));
    w.invoke("CNodeMint", { args: { dest_index: 32n, dest_depth: D, src_root: CN, src_index: 31n, src_depth: D, rights: all, badge: 5n } });
    w.expectError("seL4_IllegalOperation");
    expect(w.at(32n)).toEqual({ type: "null" });
  });

  it("Revoke of the unbadged original deletes the badged caps minted from it; of a badged cap, its copies", () => {
    const w = new CNodeWorld("aarch64");
    // The kernel's original SMC cap (boot.c init_smc), as the root task would hold it.
    insertOriginalCap({ cnode: w.pd.cnode, index: 30 }, smcCap());
    w.invoke("CNodeMint", { args: { dest_index: 31n, dest_depth: D, src_root: CN, src_index: 30n, src_depth: D, rights: all, badge: 0x8400_0000n } });
    w.expectSuccess();
    w.invoke("CNodeCopy", { args: { dest_index: 32n, dest_depth: D, src_root: CN, src_index: 31n, src_depth: D, rights: all } });
    w.expectSuccess();
    w.invoke("CNodeRevoke", { args: { index: 31n, depth: D } });
    w.expectSuccess();
    expect([w.at(30n), w.at(31n), w.at(32n)]).toEqual([smcCap(), smcCap(0x8400_0000n), { type: "null" }]);
    w.invoke("CNodeRevoke", { args: { index: 30n, depth: D } });
    w.expectSuccess();
    expect([w.at(30n), w.at(31n)]).toEqual([smcCap(), { type: "null" }]);
  });

  it("DebugCapIdentify names it smc_cap (tag 25 of structures.bf)", () => {
    const { sim, pd } = world();
    sim.trap(pd, "seL4_SysDebugCapIdentify", { cap: SMC_SLOT });
    expect(sim.badge(pd)).toBe(25n);
  });
});
