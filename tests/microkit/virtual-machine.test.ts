// The builder's <virtual_machine> (microkit/virtual-machine.ts) against upstream's tool
// (tool/microkit/src/capdl/builder.rs at cfd52163): per vCPU a TCB and a VCPU, caps at
// BASE_VM_TCB_CAP / BASE_VCPU_CAP + id in the VMM's CNode, the fault endpoint badge, an SC
// with the VM's parameters, and the thread left Inactive (upstream: resume false).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kernelAbi, platformFacts } from "../../kernel/abi.js";
import { tcbVCPU } from "../../kernel/objects/vcpu.js";
import { buildSystem, BuildError } from "../../microkit/builder.js";
import { parseElf } from "../../microkit/elf.js";
import { parseSystem } from "../../microkit/sdf/parse.js";
import { sdfBoard } from "../../microkit/sdf/board.js";
import { microkitJson, RecordingHost } from "../kernel/harness.js";

const BOARD = "qemu_virt_aarch64";
const ELF = `build/test-pds/vmm/${BOARD}/debug/vmm.elf`;
const slot = (name: string): number => microkitJson()["cspace"]["slots"][name]["slot"];

const SDF = `<?xml version="1.0" encoding="UTF-8"?>
<system>
    <protection_domain name="vmm" priority="100">
        <program_image path="vmm.elf" />
        <virtual_machine name="guest" priority="90" budget="500" period="2000">
            <vcpu id="2" />
            <vcpu id="5" />
        </virtual_machine>
    </protection_domain>
</system>`;

function build(board = BOARD) {
  const parsed = parseSystem("vm.system", SDF, { board: sdfBoard(BOARD, "debug") });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const elves = new Map([["vmm", parseElf(ELF, new Uint8Array(readFileSync(ELF)))]]);
  return buildSystem(parsed.system, { abi: kernelAbi("aarch64"), host: new RecordingHost(), ram: platformFacts(BOARD)!.ram, elves, board });
}

describe("virtual machines in the system builder", () => {
  it("each vCPU: TCB and VCPU caps in the VMM's CNode at the vCPU id, bound to each other", () => {
    const image = build();
    const [vm] = image.virtualMachines;
    expect(vm!.vcpus.map((v) => v.id)).toEqual([2, 5]);
    const cnode = image.pds[0]!.tcb.cspaceRoot.type === "cnode" ? image.pds[0]!.tcb.cspaceRoot.object.slots[0] : undefined;
    const slots = cnode?.type === "cnode" ? cnode.object.slots : [];
    for (const v of vm!.vcpus) {
      expect(slots[slot("BASE_VM_TCB_CAP") + v.id]).toEqual({ type: "tcb", object: v.tcb });
      expect(slots[slot("BASE_VCPU_CAP") + v.id]).toEqual({ type: "vcpu", object: v.vcpu });
      expect(v.vcpu.tcb).toBe(v.tcb);
      expect(tcbVCPU(v.tcb)).toBe(v.vcpu);
    }
  });

  it("the vCPU thread: Inactive, the VM's priority as priority and MCP, its SC, the VMM's endpoint with the fault badge", () => {
    const image = build();
    const vmmInput = image.pds[0]!.tcb.cspaceRoot;
    const cnode = vmmInput.type === "cnode" && vmmInput.object.slots[0]?.type === "cnode" ? vmmInput.object.slots[0].object : undefined;
    const ep = cnode?.slots[slot("INPUT_CAP")];
    expect(ep?.type).toBe("endpoint");
    image.virtualMachines[0]!.vcpus.forEach((v, index) => {
      expect(v.tcb.state).toBe("Inactive");
      expect([v.tcb.priority, v.tcb.mcp]).toEqual([90, 90]);
      expect(v.tcb.sc).toBe(v.sc);
      expect([v.sc.budget, v.sc.period, v.sc.badge]).toEqual([500n, 2000n, 0x100n + BigInt(index)]);
      const fault = v.tcb.faultHandler;
      expect(fault.type === "endpoint" && ep?.type === "endpoint" && fault.object === ep.object).toBe(true);
      expect(fault.type === "endpoint" ? [fault.badge, fault.rights] : undefined).toEqual([
        (1n << BigInt(microkitJson()["badges"]["BADGE_FAULT_BIT"])) | BigInt(v.id),
        { read: true, write: true, grant: true, grantReply: false },
      ]);
      expect(v.tcb.cspaceRoot.type === "cnode" ? [v.tcb.cspaceRoot.object.slots.every((s) => s.type === "null"), v.tcb.cspaceRoot.guardSize] : undefined).toEqual([true, 55]);
    });
    expect(image.kernel.schedule()).not.toBe(image.virtualMachines[0]!.vcpus[0]!.tcb);
  });

  it("refuses a VM on a board whose kernel is no hypervisor", () => {
    expect(() => build("qemu_virt_riscv64")).toThrow(BuildError);
  });
});
