// What a kernel build knows of its platform before it boots (seL4's generated platform_gen.json:
// the RAM it may use and the physical space left to user-level devices) and what its own image
// occupies. Read from ../shared/abi: boards.json (measured platform_gen.json of every Microkit
// board) and boot.json (the sel4test kernels' boot logs).
import { readAbiFile, type Arch, type KernelAbi } from "../abi.js";
import type { Range } from "./plan.js";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export class PlatformError extends Error {}

export interface KernelPlatform {
  /** The boards.json entry these facts come from. */
  readonly source: string;
  /** RAM the kernel may use (avail_p_regs). */
  readonly memory: readonly Range[];
  /** Physical ranges the kernel keeps for its own devices. */
  readonly kernelDevices: readonly Range[];
  /** Where the machine's RAM starts and how much it has (QEMU's -m). */
  readonly ram: Range;
  /** maxIRQ, and KERNEL_TIMER_IRQ where the platform header gives it (RISC-V: maxIRQ itself). */
  readonly irq: { readonly max: number; readonly kernelTimer: number | undefined };
}

const range = (r: Json): Range => ({ start: BigInt(r["start"]), end: BigInt(r["end"]) });
const byStart = (a: Range, b: Range): number => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);

/** [0, top) less every range given (which may touch but not overlap). */
function complement(covered: readonly Range[], top: bigint): Range[] {
  const out: Range[] = [];
  let at = 0n;
  for (const r of [...covered].sort(byStart)) {
    if (r.start > at) out.push({ start: at, end: r.start });
    if (r.end > at) at = r.end;
  }
  if (at < top) out.push({ start: at, end: top });
  return out;
}

const MIB = 1n << 20n;

/**
 * The platform a kernel configuration sees on a Microkit board: the measured build of that board's
 * seL4 platform in the same hypervisor mode (qemu_virt_aarch64 with the hypervisor off is
 * qemu_virt_aarch64_el1). `ramBytes` resizes a QEMU machine's RAM as -m does: RAM starts where
 * the measured build's (of QEMU_MEMORY MiB) started, and the kernel keeps the same reserved-memory
 * head (the hypervisor's VM memory, OpenSBI's 2 MiB).
 */
export function kernelPlatform(board: string, abi: KernelAbi, ramBytes?: bigint): KernelPlatform {
  const boards = (readAbiFile("boards.json") as Json)["boards"] as Json[];
  const own = boards.find((b) => b["name"] === board);
  if (own === undefined) throw new PlatformError(`boards.json has no board ${board}`);
  const platform = own["sel4"]["platform"];
  const hyp = abi.vm.hypervisor;
  const b = boards.find((x) => x["sel4"]["platform"] === platform && x["arch"] === abi.arch && x["sel4"]["hypervisor"] === hyp && x["memory"] != null);
  if (b === undefined) throw new PlatformError(`no measured ${platform} kernel with the hypervisor ${hyp ? "on" : "off"}: its memory layout is unknown`);
  const memory = (b["memory"]["memory"] as Json[]).map(range);
  const devices = (b["memory"]["devices"] as Json[]).map(range);
  const top = BigInt(abi.kernelConfig["PADDR_USER_DEVICE_TOP"] as string);
  const kernelDevices = complement([...memory, ...devices], top);
  const constants = b["irq"]["kernel_irq_constants_debug"] as Json;
  const irq = { max: constants["maxIRQ"] as number, kernelTimer: constants["KERNEL_TIMER_IRQ"] as number | undefined };
  const qemuMiB = b["microkit"]["kernel_options"]?.["QEMU_MEMORY"];
  const last = memory[memory.length - 1]!;
  if (qemuMiB === undefined) {
    if (ramBytes !== undefined) throw new PlatformError(`${board} has a fixed amount of RAM; --ram applies to QEMU machines only`);
    return { source: b["name"], memory, kernelDevices, ram: { start: memory[0]!.start, end: last.end }, irq };
  }
  const ramStart = last.end - BigInt(qemuMiB) * MIB;
  const size = ramBytes ?? BigInt(qemuMiB) * MIB;
  const ramEnd = ramStart + size;
  const first = memory[0]!;
  if (memory.length !== 1) throw new PlatformError(`${b["name"]} has ${memory.length} RAM regions; --ram cannot resize it`);
  if (ramEnd <= first.start) {
    throw new PlatformError(`--ram ${size / MIB} MiB leaves the kernel no memory: RAM starts at 0x${ramStart.toString(16)} and the kernel's own begins at 0x${first.start.toString(16)}`);
  }
  return { source: b["name"], memory: [{ start: first.start, end: ramEnd }], kernelDevices, ram: { start: ramStart, end: ramEnd }, irq };
}

/** The RAM a QEMU board gets when --ram is not given: what Microkit configures (QEMU_MEMORY). */
export function defaultRamBytes(board: string): bigint | undefined {
  const b = ((readAbiFile("boards.json") as Json)["boards"] as Json[]).find((x) => x["name"] === board);
  const mib = b?.["microkit"]["kernel_options"]?.["QEMU_MEMORY"];
  return mib === undefined ? undefined : BigInt(mib) * MIB;
}

/**
 * Where the RAM ends that a preset's (sel4test's) kernel was built for: seL4 on QEMU takes its
 * memory from the device tree of the machine its build was configured with (QEMU_MEMORY), as its
 * boot log shows (boot.json sel4test_concrete: 2 GiB on qemu-arm-virt, 3 GiB on qemu-riscv-virt).
 */
export function presetMemoryEnd(arch: Arch): bigint {
  const c = (readAbiFile("boot.json") as Json)["sel4test_concrete"][arch] as Json;
  const regions = c["available_phys_memory"] as string[];
  return BigInt(`0x${regions[regions.length - 1]!.split("..")[1]}`);
}

/** The kernel image's size and the size of its boot-only part (reclaimed after boot). */
export interface KernelImageSize {
  readonly bytes: bigint;
  readonly bootBytes: bigint;
}

/**
 * The kernel image the model stands in for: the sel4test kernel of the same architecture, as its
 * boot log shows it (boot.json sel4test_concrete): the first reserved region is the image, and the
 * RAM untypeds that start at its base cover the boot-only part the kernel gave back.
 */
export function kernelImageSize(arch: Arch): KernelImageSize {
  const c = (readAbiFile("boot.json") as Json)["sel4test_concrete"][arch] as Json;
  const [vstart, vend] = String(c["reserved_kernel_virt_regions"][0]).split("..").map((x) => BigInt(`0x${x}`)) as [bigint, bigint];
  const ramStart = BigInt(`0x${String(c["available_phys_memory"][0]).split("..")[0]}`);
  const bytes = vend - vstart;
  let bootEnd = ramStart;
  for (const u of c["untypedList"] as Json[]) {
    const paddr = BigInt(u["paddr"]);
    if (u["isDevice"] === 1 || paddr !== bootEnd || paddr >= ramStart + bytes) continue;
    bootEnd = paddr + (1n << BigInt(u["sizeBits"]));
  }
  return { bytes, bootBytes: bootEnd - ramStart };
}
