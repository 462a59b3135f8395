// microkit-emu boot: runs an ELF as seL4's initial thread. The elfloader's part (kernel image, then
// the board's device tree, then the root task's segments, contiguous in RAM) and the kernel's (the
// boot plan, the root task's objects and caps, BootInfo) are done here; then the machine runs the
// root task and whatever it builds until the system is idle, halts or hits a limit.
import { existsSync, readFileSync, statSync } from "node:fs";
import { abiForKernelConfig, kernelAbi, presetAbi, PRESET_CONFIGS, type KernelAbi, type KernelConfigName } from "../kernel/abi.js";
import { encodeBootInfo, encodeExtraBootInfo } from "../kernel/boot/bootinfo.js";
import { BootError, planBoot, type BootPlan } from "../kernel/boot/plan.js";
import { kernelImageSize, kernelPlatform, PlatformError, presetMemoryEnd, type KernelPlatform } from "../kernel/boot/platform.js";
import { createRootTask } from "../kernel/boot/root-task.js";
import { actor } from "../kernel/events.js";
import { Kernel, type KernelHost } from "../kernel/kernel.js";
import type { TCB } from "../kernel/objects/tcb.js";
import { isValidVTableRoot, vspaceRootOf } from "../kernel/vspace.js";
import { BOARDS, findBoard, type Board, type BoardInstance } from "../boards/board.js";
import { childNamed, encodeDtb, propCells, type DtNode } from "../boards/dtb.js";
import { ElfError, parseElf, type ElfImage } from "../microkit/elf.js";
import { AddressSpace } from "./address-space.js";
import { Console, DEBUG_CONSOLE } from "./console.js";
import { Machine } from "./machine.js";
import { PhysicalMemory } from "./physical-memory.js";
import { CONFIGS, runLimits, UserError, type RunControls, type RunResult } from "./system.js";
import type { EngineVSpaces } from "./vspaces.js";
import { connectBoard, createBoard } from "./board-setup.js";
import { firmwareSmc } from "./firmware.js";

/** A root-task run; the kernel's own messages (boot log, faults without a handler) go to onDiagnostic. */
export interface BootOptions extends RunControls {
  /** The root task's ELF. */
  readonly elf: string;
  /** A preset (sel4test-aarch64, sel4test-riscv64) or a Microkit config of the board (debug, release, benchmark). */
  readonly config?: string;
  /** A seL4 build's gen_config.json, instead of `config`. */
  readonly kernelConfigFile?: string;
  /**
   * The machine's RAM in bytes (QEMU's -m); default: for a preset, the machine its kernel was built
   * for; otherwise what Microkit configures for the board.
   */
  readonly ramBytes?: bigint;
}

const PAGE = 0x1000n;
const roundUp = (v: bigint, a: bigint): bigint => ((v + a - 1n) / a) * a;
const roundDown = (v: bigint, a: bigint): bigint => (v / a) * a;

/** The kernel configuration the options name. */
function bootAbi(o: BootOptions, board: Board): KernelAbi {
  if (o.kernelConfigFile !== undefined && o.config !== undefined) throw new UserError("give --config or --kernel-config, not both");
  let abi: KernelAbi;
  if (o.kernelConfigFile !== undefined) {
    const file = o.kernelConfigFile;
    if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--kernel-config ${file}: no such file`);
    let gen: unknown;
    try {
      gen = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new UserError(`--kernel-config ${file}: not JSON (${(e as Error).message})`);
    }
    if (typeof gen !== "object" || gen === null || Array.isArray(gen)) throw new UserError(`--kernel-config ${file}: expected a gen_config.json object of CONFIG keys`);
    try {
      abi = abiForKernelConfig(gen as Record<string, unknown>, file);
    } catch (e) {
      throw new UserError(`--kernel-config ${file}: ${(e as Error).message}`);
    }
  } else {
    const config = o.config;
    if (config === undefined) throw new UserError(`boot needs a kernel configuration: --config (${PRESET_CONFIGS.join(", ")}, ${CONFIGS.join(", ")}) or --kernel-config FILE`);
    if (PRESET_CONFIGS.includes(config)) abi = presetAbi(config);
    else if ((CONFIGS as readonly string[]).includes(config)) abi = kernelAbi(board.arch, config as KernelConfigName);
    else throw new UserError(`unknown config '${config}'; expected a preset (${PRESET_CONFIGS.join(", ")}), a Microkit config (${CONFIGS.join(", ")}) or --kernel-config FILE`);
  }
  if (abi.arch !== board.arch) throw new UserError(`the ${abi.config} kernel is ${abi.arch}, but board ${board.name} is ${board.arch}`);
  if (abi.kernelConfig["ENABLE_SMP_SUPPORT"] === true) throw new UserError(`the ${abi.config} kernel is an SMP build (MAX_NUM_NODES ${String(abi.kernelConfig["MAX_NUM_NODES"])}); only single-core kernels are emulated`);
  return abi;
}

function readElf(path: string, board: Board): ElfImage {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`${path}: no such file`);
  try {
    const elf = parseElf(path, new Uint8Array(readFileSync(path)));
    if (elf.arch !== board.arch) throw new UserError(`${path} is a ${elf.arch} ELF, but board ${board.name} is ${board.arch}`);
    if (elf.segments.length === 0) throw new UserError(`${path}: no loadable segments`);
    return elf;
  } catch (e) {
    if (e instanceof ElfError) throw new UserError(e.message);
    throw e;
  }
}

/**
 * The IRQs the kernel keeps (init_irqs): its timer's line, and with the hypervisor the VGIC
 * maintenance and virtual timer lines. seL4 takes them from the device tree as its
 * tools/hardware.yml says (arm,armv8-timer interrupts[3] with the hypervisor, else [2]; the GIC's
 * interrupts[0]); on RISC-V the platform header's KERNEL_TIMER_IRQ.
 */
function kernelIrqs(abi: KernelAbi, platform: KernelPlatform, tree: DtNode): number[] {
  if (abi.arch === "riscv64") return platform.irq.kernelTimer === undefined ? [] : [platform.irq.kernelTimer];
  const ppi = (node: DtNode | undefined, index: number): number | undefined => {
    const c = node === undefined ? undefined : propCells(node, "interrupts");
    if (c === undefined || c.length < 3 * (index + 1)) return undefined;
    return Number(c[3 * index + 1]!) + (c[3 * index] === 1n ? 16 : 32);
  };
  const timer = childNamed(tree, "timer");
  const gic = tree.children.find((c) => propCells(c, "#interrupt-cells")?.[0] === 3n);
  const hyp = abi.vm.hypervisor;
  const lines = hyp ? [ppi(timer, 3), ppi(gic, 0), ppi(timer, 2)] : [ppi(timer, 2)];
  if (lines.some((l) => l === undefined)) throw new Error("the board's device tree lacks the timer or GIC interrupts the kernel reserves");
  return lines as number[];
}

/**
 * The elfloader's placement: the kernel image at the start of the kernel's RAM, the DTB at the next
 * page, the root task's segments from the page after the DTB, as one block spanning their pages.
 */
function placeImages(abi: KernelAbi, platform: KernelPlatform, elf: ElfImage, dtbSize: bigint) {
  const ram = platform.memory[0]!;
  const kernel = kernelImageSize(abi.arch);
  const dtbStart = roundUp(ram.start + kernel.bytes, PAGE);
  const userStart = roundUp(dtbStart + dtbSize, PAGE);
  const vstart = roundDown(elf.segments.reduce((m, s) => (s.vaddr < m ? s.vaddr : m), elf.segments[0]!.vaddr), PAGE);
  const vend = roundUp(elf.segments.reduce((m, s) => (s.vaddr + s.memsz > m ? s.vaddr + s.memsz : m), 0n), PAGE);
  const userEnd = userStart + (vend - vstart);
  if (userEnd > ram.end) throw new UserError(`${elf.path}: the image (0x${(vend - vstart).toString(16)} bytes) does not fit in RAM after the kernel and device tree`);
  return {
    kernelImage: { start: ram.start, end: ram.start + kernel.bytes, bootEnd: ram.start + kernel.bootBytes },
    dtb: { paddr: dtbStart, size: dtbSize },
    userImage: { start: userStart, end: userEnd, vstart },
  };
}

/** The EL0 generic-timer registers the kernel configuration exports (KernelArmExport*User). */
function exportedTimerRegisters(abi: KernelAbi, devices: BoardInstance) {
  // CNTKCTL_EL1 as seL4 sets it: EL0PCTEN (physical count, and the frequency), EL0VCTEN (the
  // frequency too), EL0PTEN (the physical timer).
  const on = (key: string): boolean => abi.kernelConfig[key] === true;
  const allowed = (name: string): boolean =>
    name === "CNTPCT_EL0" ? on("EXPORT_PCNT_USER")
      : name === "CNTFRQ_EL0" ? on("EXPORT_PCNT_USER") || on("EXPORT_VCNT_USER")
        : name.startsWith("CNTP_") && on("EXPORT_PTMR_USER");
  return devices.sysregs.filter((r) => allowed(r.name));
}

/** What the elfloader and the kernel's boot code decide before anything runs. */
export interface PreparedBoot {
  readonly board: Board;
  readonly abi: KernelAbi;
  readonly elf: ElfImage;
  readonly platform: KernelPlatform;
  readonly timerHz: bigint;
  readonly tree: DtNode;
  readonly dtb: Uint8Array;
  readonly images: ReturnType<typeof placeImages>;
  readonly plan: BootPlan;
}

/** Reads the ELF and kernel configuration, places the images and plans the boot; bad input is a UserError. */
export function prepareBoot(o: BootOptions): PreparedBoot {
  const board = findBoard(o.board);
  if (board === undefined) throw new UserError(`unknown board '${o.board}'; emulated boards: ${BOARDS.map((b) => b.name).join(", ")}`);
  const abi = bootAbi(o, board);
  const elf = readElf(o.elf, board);
  let platform: KernelPlatform;
  try {
    let ramBytes = o.ramBytes;
    if (ramBytes === undefined && o.config !== undefined && PRESET_CONFIGS.includes(o.config)) {
      ramBytes = presetMemoryEnd(abi.arch) - kernelPlatform(board.name, abi).ram.start;
    }
    platform = kernelPlatform(board.name, abi, ramBytes);
  } catch (e) {
    if (e instanceof PlatformError) throw new UserError(`${board.name}: ${e.message}`);
    throw e;
  }
  const timerHz = BigInt(abi.kernelConfig["TIMER_FREQUENCY"] as string);
  const tree = board.deviceTree({ ram: { base: platform.ram.start, size: platform.ram.end - platform.ram.start }, hypervisor: abi.vm.hypervisor, timerFrequencyHz: timerHz });
  const dtb = encodeDtb(tree);
  const images = placeImages(abi, platform, elf, BigInt(dtb.length));
  try {
    const plan = planBoot(abi, { memory: platform.memory, kernelDevices: platform.kernelDevices, ...images });
    return { board, abi, elf, platform, timerHz, tree, dtb, images, plan };
  } catch (e) {
    if (e instanceof BootError) throw new UserError(`${o.elf}: the kernel cannot boot it: ${e.message}`);
    throw e;
  }
}

export function bootRootTask(o: BootOptions): RunResult {
  const { board, abi, elf, platform, timerHz, tree, dtb, images, plan } = prepareBoot(o);

  let output = "";
  const diagnostics: string[] = [];
  const emit = (text: string): void => {
    output += text;
    o.onOutput?.(text);
  };
  const consoleOut = new Console(o.console ?? { kind: "all" }, emit);
  let machine: Machine | undefined;
  let devices: BoardInstance | undefined;
  let vspaces: EngineVSpaces | undefined;
  let noVSpace: AddressSpace | undefined;
  const memory = new PhysicalMemory([{ base: platform.ram.start, size: platform.ram.end - platform.ram.start }]);
  let kernel: Kernel | undefined;
  /** A thread runs in its VSpace root's engine, or, with no valid root, in one that maps nothing (seL4's global user VSpace). */
  const spaceOf = (tcb: TCB): AddressSpace => {
    const k = kernel!;
    const root = tcb.vspaceRoot;
    let space: AddressSpace;
    if (isValidVTableRoot(k, root)) {
      space = vspaces!.spaceFor(k, vspaceRootOf(root).root, tcb.name, true);
    } else {
      noVSpace ??= new AddressSpace("no VSpace", abi.arch, memory, []);
      space = noVSpace;
    }
    tcb.vspace = space;
    return space;
  };
  const host: KernelHost = {
    putChar: (byte) => consoleOut.put(DEBUG_CONSOLE, byte),
    debugPrint: (line) => {
      diagnostics.push(line);
      o.onDiagnostic?.(line);
    },
    ackIrq: (irq) => devices?.interrupts.unmask(irq),
    enableIrq: (irq, trigger) => devices?.interrupts.enable(irq, trigger),
    disableIrq: (irq) => devices?.interrupts.disable(irq),
    halt: () => machine?.halt(),
    smc: firmwareSmc(board.name, () => devices, (line) => host.debugPrint(line), () => machine?.halt()),
    get vspace() {
      return vspaces;
    },
  };
  try {
    kernel = new Kernel(abi, host, { maxIrq: platform.irq.max, reservedIrqs: kernelIrqs(abi, platform, tree) });
    const k = kernel;
    const m = () => machine!;
    const attached = createBoard(board, o, { kernel: k, host, memory, consoleOut, timerFrequencyHz: timerHz, maxIrq: platform.irq.max, now: () => m().now });
    devices = attached.devices;
    vspaces = attached.vspaces;

    // The elfloader's copies: the segments at their physical addresses; then the kernel's BootInfo.
    const pvOffset = images.userImage.start - images.userImage.vstart;
    for (const s of elf.segments) memory.write(s.vaddr + pvOffset, s.data);
    memory.write(images.dtb.paddr, dtb);
    memory.write(plan.objects.bootInfo, encodeBootInfo(plan, abi.kernelConfig["KERNEL_MCS"] === true));
    if (plan.objects.extraBootInfo !== undefined) memory.write(plan.objects.extraBootInfo, encodeExtraBootInfo(plan, dtb));
    for (const line of ["Bootstrapping kernel", ...plan.bootLog, "Booting all finished, dropped to user space"]) host.debugPrint(line);

    const root = createRootTask(k, plan, elf.entry);
    machine = new Machine(k, board.arch, spaceOf(root.tcb));
    machine.addressSpaceOf = spaceOf;
    // A root task reads console input only from --input; it may drive the UART at any time.
    connectBoard(machine, devices, o, { board: board.name, abi, kernel: k, consoleOut, timerRegisters: exportedTimerRegisters(abi, devices), uartInUse: true });
    o.onStart?.({
      system: o.elf, board: board.name, config: abi.config, arch: abi.arch, sel4: abi.source.sel4, microkit: abi.source.microkit,
      pds: [], threads: [{ ...actor(root.tcb), priority: root.tcb.priority, state: root.tcb.state }],
    });
    if (o.onEvent !== undefined) k.subscribe(o.onEvent);
    const stopReason = machine.run(runLimits(o));
    consoleOut.flush();
    return { output, diagnostics, stopReason, stats: { ...machine.stats }, virtualTimeUs: machine.now / 1000n, virtualTimeNs: machine.now, protectionDomains: ["rootserver"] };
  } finally {
    vspaces?.close();
    noVSpace?.close();
    memory.close();
  }
}
