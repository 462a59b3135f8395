// The programmatic API: run a Microkit system and get its console output, statistics and outcome.
// The CLI is a thin layer over this; tests and benchmarks use it directly. Bad input raises
// UserError (one line per problem); anything else thrown is a bug.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { systemReport } from "../microkit/report.js";
import { basename, dirname, join, resolve } from "node:path";
import { kernelAbi, microkitBoards, platformFacts, type KernelAbi, type KernelConfigName } from "../kernel/abi.js";
import type { KernelHost } from "../kernel/kernel.js";
import { actor, type EventListener } from "../kernel/events.js";
import { BOARDS, findBoard } from "../boards/board.js";
import { buildSystem, BuildError, type SystemImage, type TestCap } from "../microkit/builder.js";
import { ElfError, parseElf, type ElfImage } from "../microkit/elf.js";
import { formatSdfError } from "../microkit/sdf/model.js";
import { sdfBoard } from "../microkit/sdf/board.js";
import { parseSystem } from "../microkit/sdf/parse.js";
import type { AddressSpace } from "./address-space.js";
import { EngineVSpaces } from "./vspaces.js";
import { isValidVTableRoot } from "../kernel/vspace.js";
import { Console, DEBUG_CONSOLE, type ConsoleMode } from "./console.js";
import type { InputSource } from "./console-input.js";
import type { BoardInstance } from "../boards/board.js";
import { firmwareSmc } from "./firmware.js";
import { Machine, type MachineStats, type RunLimits, type RunProgress, type StopReason } from "./machine.js";
import type { TraceHeader } from "./trace.js";
import { exampleBuildDir, repoRoot } from "./paths.js";
import { PhysicalMemory, type PhysicalRange } from "./physical-memory.js";
import { connectBoard, createBoard } from "./board-setup.js";
import { defaultRamBytes, kernelPlatform } from "../kernel/boot/platform.js";

export class UserError extends Error {}

export const CONFIGS: readonly KernelConfigName[] = ["debug", "release", "benchmark"];

/** What any run takes, of a Microkit system or a root task: its limits, and where what it does goes. */
export interface RunControls {
  readonly board: string;
  /** Stop after this many instructions; no limit by default. */
  readonly maxInstructions?: bigint;
  /** Stop at this virtual time (nanoseconds); no limit by default. */
  readonly stopAfterNs?: bigint;
  /** Let waiting for a timer take real time (interactive use). */
  readonly realtime?: boolean;
  /** Receives console output as the system prints it (line by line, and the rest at the end). */
  readonly onOutput?: (text: string) => void;
  /** Receives kernel diagnostics (faults without a handler, ...), one line each. */
  readonly onDiagnostic?: (line: string) => void;
  /** Receives every kernel event (kernel/events.ts) as the run goes; see also onStart. */
  readonly onEvent?: EventListener;
  /** Called once the system is built, before it runs: what a trace's header record says. */
  readonly onStart?: (header: TraceHeader) => void;
  /** Which console sources reach the output, and whether lines are labelled (default: all, unlabelled). */
  readonly console?: ConsoleMode;
  /** Input for the board's console UART (used when a PD maps that UART). */
  readonly input?: InputSource;
  /** Called about every `everyMs` of host time with where the run has got to (a progress display). */
  readonly progress?: { readonly everyMs: number; report(p: RunProgress): void };
  /** Virtual time each kernel entry takes (ns); none by default. */
  readonly kernelEntryNs?: bigint;
  /** A disk image for the board's virtio block device (changed in memory only). */
  readonly disk?: Uint8Array;
}



/** The machine's limits for a run, from its controls. */
export function runLimits(o: RunControls): RunLimits {
  return {
    ...(o.maxInstructions === undefined ? {} : { maxInstructions: o.maxInstructions }),
    ...(o.stopAfterNs === undefined ? {} : { stopAt: o.stopAfterNs }),
    ...(o.realtime === true ? { realtime: true } : {}),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.kernelEntryNs === undefined ? {} : { kernelEntryNs: Number(o.kernelEntryNs) }),
  };
}

export interface RunOptions extends RunControls {
  readonly systemFile: string;
  readonly config?: string;
  /** Folders searched for program images after the current directory, in order. */
  readonly searchPaths?: readonly string[];
  /** Write the system report here before running. */
  readonly reportFile?: string;
  readonly cwd?: string;
  /** Test only: capabilities Microkit never gives a PD (microkit/builder.ts TestCap). */
  readonly testCaps?: readonly TestCap[];
  /** Take the kernel's IPC fast paths (kernel/fastpath.ts); on by default. Results are the same either way. */
  readonly fastpath?: boolean;
}

export interface RunResult {
  readonly output: string;
  readonly diagnostics: readonly string[];
  readonly stopReason: StopReason;
  readonly stats: Readonly<MachineStats>;
  readonly virtualTimeUs: bigint;
  readonly virtualTimeNs: bigint;
  readonly protectionDomains: readonly string[];
}

/**
 * The machine's RAM. On a QEMU board that is all of QEMU's -m, also what the kernel leaves to user
 * level as device memory (below the hypervisor kernel's RAM, OpenSBI's): sDDF places DMA regions
 * there with phys_addr. On a real board, the kernel's RAM.
 */
function machineRam(board: string, abi: KernelAbi, kernelRam: readonly PhysicalRange[]): readonly PhysicalRange[] {
  if (defaultRamBytes(board) === undefined) return kernelRam;
  const { ram } = kernelPlatform(board, abi);
  return [{ base: ram.start, size: ram.end - ram.start }];
}

/** Reads the SDF at `path`, naming it in errors as the user wrote it (`shown`). */
function readSystemFile(path: string, shown: string): string {
  if (!existsSync(path)) throw new UserError(`${shown}: no such system description file`);
  if (!statSync(path).isFile()) throw new UserError(`${shown}: not a file`);
  return readFileSync(path, "utf8");
}

/**
 * The default search path of an example: where the set-up built its ELFs for this board and config,
 * then the example's own folder (for files such as prefill data).
 */
function exampleSearchPath(systemFile: string, board: string, config: string): string[] {
  const dir = dirname(systemFile);
  const name = basename(dir);
  if (resolve(dirname(dir)) !== join(repoRoot, "examples") || basename(systemFile) !== `${name}.system`) return [];
  return [exampleBuildDir(name, board, config), dir];
}

function loadElves(file: string, pds: ReturnType<typeof parseSystem> & { ok: true }, dirs: readonly string[], arch: string, board: string): Map<string, ElfImage> {
  const elves = new Map<string, ElfImage>();
  const problems: string[] = [];
  for (const pd of pds.system.protectionDomains) {
    const img = pd.programImage;
    const found = dirs.map((d) => resolve(d, img.path)).find((p) => existsSync(p) && statSync(p).isFile());
    const at = `${file}:${img.loc.line}:${img.loc.column}: error:`;
    if (found === undefined) {
      problems.push(`${at} program_image '${img.path}' of '${pd.name}' not found; searched: ${dirs.join(", ")}`);
      continue;
    }
    try {
      let elf = parseElf(found, new Uint8Array(readFileSync(found)));
      // path_for_symbols: an unstripped copy whose symbol table locates what to patch in the image.
      if (img.pathForSymbols !== undefined) {
        const symbolsPath = dirs.map((d) => resolve(d, img.pathForSymbols!)).find((p) => existsSync(p) && statSync(p).isFile());
        if (symbolsPath === undefined) {
          problems.push(`${at} path_for_symbols '${img.pathForSymbols}' of '${pd.name}' not found; searched: ${dirs.join(", ")}`);
          continue;
        }
        elf = { ...elf, symbols: parseElf(symbolsPath, new Uint8Array(readFileSync(symbolsPath))).symbols, symbolsPath };
      }
      if (elf.arch !== arch) problems.push(`${at} ${found} is a ${elf.arch} ELF, but board ${board} is ${arch}`);
      else elves.set(pd.name, elf);
    } catch (e) {
      if (e instanceof ElfError) problems.push(`${at} ${e.message}`);
      else throw e;
    }
  }
  if (problems.length > 0) throw new UserError(problems.join("\n"));
  return elves;
}

export interface LoadOptions {
  readonly systemFile: string;
  readonly searchPaths?: readonly string[];
  readonly cwd?: string;
  readonly onDiagnostic?: (line: string) => void;
}

/** Reads and validates the SDF for a board and config, then finds and checks every program image. */
export function loadSystem(o: LoadOptions, boardName: string, arch: string, config: string) {
  const cwd = o.cwd ?? process.cwd();
  const systemFile = resolve(cwd, o.systemFile);
  const source = readSystemFile(systemFile, o.systemFile);
  const dirs = [cwd, ...(o.searchPaths ?? []).map((d) => resolve(cwd, d)), ...exampleSearchPath(systemFile, boardName, config)];
  const parsed = parseSystem(o.systemFile, source, { board: sdfBoard(boardName, config), searchPaths: dirs });
  for (const w of parsed.warnings) o.onDiagnostic?.(formatSdfError(w).replace(": error: ", ": warning: "));
  if (!parsed.ok) throw new UserError(parsed.errors.map(formatSdfError).join("\n"));
  const elves = loadElves(o.systemFile, parsed, dirs, arch, boardName);
  return { parsed, elves };
}

/** Builds the system's kernel objects and memory plan, turning build problems into user errors. */
export function buildOrExplain(systemFile: string, build: () => SystemImage): SystemImage {
  try {
    return build();
  } catch (e) {
    if (e instanceof BuildError || e instanceof ElfError) throw new UserError(e.message.includes(": error: ") ? e.message : `${systemFile}: ${e.message}`);
    throw e;
  }
}

export function runSystem(o: RunOptions): RunResult {
  const board = findBoard(o.board);
  if (board === undefined) {
    const known = microkitBoards().includes(o.board);
    throw new UserError(known
      ? `board ${o.board} is a Microkit board this version does not emulate yet; emulated: ${BOARDS.map((b) => b.name).join(", ")}`
      : `unknown board '${o.board}'; emulated boards: ${BOARDS.map((b) => b.name).join(", ")}`);
  }
  const config = o.config ?? "debug";
  if (config.startsWith("smp-")) throw new UserError(`config ${config}: SMP configurations are not emulated; use one of ${CONFIGS.join(", ")}`);
  if (!(CONFIGS as readonly string[]).includes(config)) throw new UserError(`unknown config '${config}'; expected one of ${CONFIGS.join(", ")}`);
  const facts = platformFacts(board.name);
  if (facts === undefined) throw new Error(`boards.json has no ${board.name}`);

  const { parsed, elves } = loadSystem(o, board.name, board.arch, config);

  let output = "";
  const diagnostics: string[] = [];
  const emit = (text: string): void => {
    output += text;
    o.onOutput?.(text);
  };
  let machine: Machine | undefined;
  let devices: BoardInstance | undefined;
  let vspaces: EngineVSpaces | undefined;
  const consoleOut = new Console(o.console ?? { kind: "all" }, emit);
  const host: KernelHost = {
    putChar: (byte) => consoleOut.put(DEBUG_CONSOLE, byte),
    debugPrint: (line) => {
      diagnostics.push(line);
      o.onDiagnostic?.(line);
    },
    ackIrq: (irq) => {
      devices?.interrupts.unmask(irq);
      machine?.interruptsChanged();
    },
    halt: () => machine?.halt(),
    enableIrq: (irq, trigger) => devices?.interrupts.enable(irq, trigger),
    disableIrq: (irq) => devices?.interrupts.disable(irq),
    // The engines exist once the system is built; the builder's own mappings reach them from the tables.
    get vspace() {
      return vspaces;
    },
    smc: firmwareSmc(board.name, () => devices, (line) => host.debugPrint(line), () => machine?.halt()),
  };

  const abi = kernelAbi(board.arch, config as KernelConfigName);
  const image = buildOrExplain(o.systemFile, () => buildSystem(parsed.system, { abi, host, ram: facts.ram, maxIrq: facts.maxIrq, elves, board: board.name, ...(o.testCaps === undefined ? {} : { testCaps: o.testCaps }) }));
  if (o.reportFile !== undefined) writeFileSync(o.reportFile, systemReport(parsed.system, board.name, config, image));

  const memory = new PhysicalMemory(machineRam(board.name, abi, facts.ram));
  const spaces: AddressSpace[] = [];
  try {
    for (const chunk of image.memory) memory.write(chunk.pa, chunk.bytes);
    const m = () => machine!;
    const kernel = image.kernel;
    const attached = createBoard(board, o, { kernel, host, memory, consoleOut, timerFrequencyHz: facts.timerFrequencyHz, maxIrq: facts.maxIrq, now: () => m().now });
    devices = attached.devices;
    vspaces = attached.vspaces;
    const bus = attached.bus;
    for (const p of image.pds) {
      const space = vspaces.spaceFor(image.kernel, p.vspace, p.pd.name, p.pd.fpu);
      spaces.push(space);
      p.tcb.vspace = space;
      p.tcb.host = space;
    }
    machine = new Machine(image.kernel, board.arch, spaces[0]!);
    const engines = vspaces;
    machine.addressSpaceOf = (tcb) => {
      if (!isValidVTableRoot(image.kernel, tcb.vspaceRoot)) return undefined;
      // A root no PD was built with (made at run time) gets its engine now, with the FPU on as seL4 starts threads.
      const space = engines.spaceFor(image.kernel, tcb.vspaceRoot.object, tcb.name, true);
      tcb.vspace = space;
      return space;
    };
    // The console UART takes input only when a PD maps it.
    const uart = devices.uarts[0];
    const uartInUse = uart !== undefined && image.pds.some((p) => p.mappings.some((x) => !x.ram && bus.at(x.pa)?.device === uart.device));
    connectBoard(machine, devices, o, { board: board.name, abi, kernel, consoleOut, timerRegisters: devices.sysregs, uartInUse });
    // The kernel refuses IRQ numbers outside [minIRQ, maxIRQ] (IRQControl Get), so the system cannot start.
    const refused = image.irqLines.filter((l) => l.irq > facts.maxIrq || l.irq < facts.minIrq);
    if (refused.length > 0) {
      throw new UserError(refused.map((l) => `${l.loc.file}:${l.loc.line}:${l.loc.column}: error: <irq irq="${l.irq}">: the ${board.name} kernel accepts IRQ numbers ${facts.minIrq} to ${facts.maxIrq} only`).join("\n"));
    }
    for (const line of image.irqLines) devices.interrupts.enable(line.irq, line.trigger);
    kernel.fastpath = o.fastpath ?? true;
    o.onStart?.({
      system: o.systemFile, board: board.name, config, arch: board.arch, sel4: abi.source.sel4, microkit: abi.source.microkit,
      pds: image.pds.map((p) => ({ name: p.pd.name, priority: p.pd.priority, passive: p.pd.passive })),
      threads: [image.monitor, ...image.pds.map((p) => p.tcb), ...image.virtualMachines.flatMap((v) => v.vcpus.map((c) => c.tcb))]
        .map((t) => ({ ...actor(t), priority: t.priority, state: t.state })),
    });
    if (o.onEvent !== undefined) kernel.subscribe(o.onEvent);
    const stopReason = machine.run(runLimits(o));
    consoleOut.flush();
    return {
      output,
      diagnostics,
      stopReason,
      stats: { ...machine.stats },
      virtualTimeUs: machine.now / 1000n,
      virtualTimeNs: machine.now,
      protectionDomains: image.pds.map((p) => p.pd.name),
    };
  } finally {
    vspaces?.close();
    memory.close();
  }
}
