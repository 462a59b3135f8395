// A PD's <virtual_machine>, built as upstream's tool builds it for AArch64 (tool/microkit/src/capdl/
// builder.rs, "Create VM Spec"): per vCPU a thread with the VM's priority and scheduling parameters,
// an empty CSpace, the VM's address space, a fault endpoint to the VMM badged with the fault bit
// and the vCPU id, and a VCPU object bound to it; the VMM PD gets the thread at BASE_VM_TCB_CAP+id
// and the VCPU at BASE_VCPU_CAP+id. Like upstream, the vCPU threads are not resumed: they stay
// Inactive until the VMM starts them (microkit_vcpu_restart).
//
// No guest code is emulated. A vCPU thread carries a GuestVcpu marker as its host binding; when the
// VMM starts one and the scheduler picks it, the machine reports it and suspends the thread again
// (emulator/machine.ts), instead of running guest code it has no address space for. Everything a
// VMM can ask the kernel about its VM (registers of the VCPU, list registers, VPPI acks, the TCB)
// is answered by the kernel model as seL4 would.
import type { Kernel } from "../kernel/kernel.js";
import type { Cap, CapRights } from "../kernel/cap.js";
import { CNode } from "../kernel/objects/cnode.js";
import type { Endpoint } from "../kernel/objects/endpoint.js";
import { SchedContext } from "../kernel/objects/schedcontext.js";
import { TCB } from "../kernel/objects/tcb.js";
import { associateVCPUTCB, VCPU, type VGICPlatform } from "../kernel/objects/vcpu.js";
import { rootCap, type PageTable } from "../kernel/vspace.js";
import type { MicrokitLayout } from "./layout.js";
import type { VirtualMachine } from "./sdf/model.js";

/** The host binding of a VM's vCPU thread: which vCPU it is (the machine never runs it). */
export class GuestVcpu {
  constructor(readonly vm: string, readonly vcpuId: number, readonly vmm: string) {}

  /** The line the machine reports when the thread is scheduled. */
  notEmulated(pc: bigint): string {
    return `vCPU ${this.vcpuId} of VM '${this.vm}' (VMM '${this.vmm}') was started at 0x${pc.toString(16)}, ` +
      "but guest code is not emulated: the vCPU thread is suspended again";
  }
}

export function isGuestVcpu(host: unknown): host is GuestVcpu {
  return host instanceof GuestVcpu;
}

export interface VcpuImage {
  readonly id: number;
  readonly tcb: TCB;
  readonly vcpu: VCPU;
  readonly sc: SchedContext;
}

export interface VmImage {
  readonly vm: VirtualMachine;
  readonly vmm: string;
  readonly vcpus: readonly VcpuImage[];
}

/** upstream capdl_util_make_endpoint_cap(ep, read, write, grant, badge): no grant-reply. */
const VM_FAULT_RIGHTS: CapRights = { read: true, write: true, grant: true, grantReply: false };

/** seL4's capability address width (cap_address_bits): the VM CNode's guard makes it resolve fully. */
const CAP_ADDRESS_BITS = 64;

/** Creates the VM's vCPU threads and VCPUs and puts their caps in the VMM's CNode through `put`. */
export function buildVirtualMachine(
  kernel: Kernel,
  layout: MicrokitLayout,
  vm: VirtualMachine,
  vmm: { readonly name: string; readonly endpoint: Endpoint; readonly put: (slot: string, cap: Cap, offset: number) => void },
  platform: VGICPlatform,
  /** The VM's VSpace (its guest-physical address space), with an ASID. */
  vspace: PageTable,
): VmImage {
  const vcpus = vm.vcpus.map((v, index): VcpuImage => {
    const tcb = new TCB(vm.name, kernel.abi.userContext.length);
    tcb.pd = vmm.name;
    kernel.debugAppend(tcb);
    tcb.priority = vm.priority;
    tcb.mcp = vm.priority;
    // An empty CNode of the PD CNode's size behind a guard that makes cptrs resolve to it.
    tcb.cspaceRoot = { type: "cnode", object: new CNode(layout.pdCNodeBits), guard: 0n, guardSize: CAP_ADDRESS_BITS - layout.pdCNodeBits };
    tcb.vspaceRoot = rootCap(kernel, vspace);
    // Upstream binds an IPC buffer frame but at address 0, and pc = sp = 0 (no program image).
    tcb.ipcBuffer = 0n;
    tcb.faultHandler = { type: "endpoint", object: vmm.endpoint, badge: (1n << layout.faultBadgeBit) | BigInt(v.id), rights: VM_FAULT_RIGHTS };
    // sched_context_badge: "VM vCPU SCs: 0x100 + vcpu index" (microkit.json badges).
    const sc = new SchedContext(vm.budgetUs, vm.periodUs, 0x100n + BigInt(index));
    sc.tcb = tcb;
    tcb.sc = sc;
    const vcpu = new VCPU(platform);
    associateVCPUTCB(vcpu, tcb); // the capDL initialiser's seL4_ARM_VCPU_SetTCB
    tcb.host = new GuestVcpu(vm.name, v.id, vmm.name);
    vmm.put("BASE_VM_TCB_CAP", { type: "tcb", object: tcb }, v.id);
    vmm.put("BASE_VCPU_CAP", { type: "vcpu", object: vcpu }, v.id);
    return { id: v.id, tcb, vcpu, sc };
  });
  return { vm, vmm: vmm.name, vcpus };
}
