// microkit-emu's command line: a thin layer over runSystem. Exit status: 0 the run ended normally
// (idle, halted or a stop condition), 1 bad input, 2 an internal error.
import { Chalk } from "chalk";
import { BOARDS } from "../boards/board.js";
import { existsSync, fstatSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { bytesSource, stdinSource, type InputSource } from "./console-input.js";
import { readBundle, unpackBundle } from "./image-bundle.js";
import type { ConsoleMode } from "./console.js";
import { StatusLine, STATUS_EVERY_MS } from "./status-line.js";
import { TraceWriter, type TraceFormat, type TraceHeader } from "./trace.js";
import { checkSystem } from "./check.js";
import { bootRootTask } from "./boot.js";
import { CONFIGS, runSystem, UserError, type RunResult } from "./system.js";

const HELP = `microkit-emu: run seL4 Microkit systems without hardware

Usage:
  microkit-emu run <file.system> --board <board> [options]
  microkit-emu check <file.system> --board <board> [--config C] [--search-path DIR...] [--report FILE] [-o IMAGE]
  microkit-emu run <IMAGE>                 (an image written by check -o, e.g. by the SDK's bin/microkit)
  microkit-emu boot <root-task.elf> --board <board> (--config C | --kernel-config FILE) [options]

  Loads the System Description File, finds each protection domain's ELF, builds the
  system as the Microkit tool and monitor would, and runs it on an emulated seL4 (MCS)
  kernel. The run ends when no thread can run and nothing can wake one.

  check validates the system (the SDF, every program image, setvar symbols, maps against
  program segments) without running it, on any board Microkit supports, and exits 0 with
  a one-line summary when it is valid. With -o IMAGE it also writes the system and its files
  as one image that "run IMAGE" runs; the SDK's bin/microkit is "check" with upstream's
  arguments (<system> --board B --config C -o IMAGE -r REPORT --search-path DIR...).

  boot starts an ELF as seL4 starts its initial thread: the image, IPC buffer, BootInfo
  and the board's device tree where the kernel puts them, every initial cap in the root
  CNode, untyped caps for all free memory and device space. C is a kernel configuration
  preset (sel4test-aarch64, sel4test-riscv64) or a Microkit config of the board (debug,
  release, benchmark); --kernel-config takes a seL4 build's gen_config.json. The kernel's
  own messages (boot log, faults without a handler) go to stderr.

Options for run (and boot, which also takes --ram):
  --board <name>          the board to emulate (required): ${BOARDS.map((b) => b.name).join(", ")}
  --config <name>         kernel configuration: ${CONFIGS.join(", ")} (default: debug)
  --search-path <dir>...  folders to search for program images after the current
                          directory; takes one or more folders and may be repeated
  --stop-after <time>     stop at this virtual time, e.g. 5s, 250ms, 100us (exit 0);
                          no limit by default
  --max-instructions <n>  stop after n instructions (exit 0)
  --disk <file>           a disk image for the QEMU boards' virtio block device (virtio-mmio
                          version 2, on the transport with the highest address, as QEMU's
                          first -device); the run writes to a copy, the file is not changed
  --kernel-entry-cost <t> virtual time each kernel entry (syscall, fault, interrupt) takes,
                          e.g. 2us, billed to the entering thread's scheduling context
                          as seL4 bills kernel time; default 0: kernel work is free and
                          the clock counts user instructions only (1 ns each)
  --realtime              let waiting for a timer take as long in real time as on the
                          virtual clock (interactive use; output stays the same, only
                          its pace changes)
  --console <which>       all (default): every console, unlabelled; labels: every
                          line prefixed with its source ([debug] for seL4_DebugPutChar,
                          [uart0] for the board's UART); or one source's name alone
  --input <file>          feed the file to the console UART's receiver (when a PD
                          drives that UART); without it, standard input is used
                          when it is a pipe, a file or a terminal. A run waiting for
                          input ends only when the input does (Ctrl-D on a terminal)
  --trace <file>          write every kernel event to the file, as it happens: syscalls
                          and their results, IPC transfers (badge, length, caps),
                          signals, faults and their delivery, thread state changes,
                          scheduling decisions, budgets and refills, interrupts raised
                          and acknowledged, device register accesses, each with its
                          virtual time in ns and thread and PD names. One JSON object
                          a line, a header record first (schema: docs/trace.md);
                          "-" writes to stderr
  --trace-format <f>      json (default) or text: one aligned line per event for people
  --ram <size>            (boot) the machine's RAM as QEMU's -m takes it: 2G, 512M, or
                          a number of MiB (default: for a preset, the machine its kernel
                          was built for; otherwise what Microkit configures for the board)
  --report <file>         (run and check) write a report of the system: PDs with their
                          scheduling parameters, every mapping with its physical
                          address, memory regions, channels, IRQs
  --json                  print the summary as one JSON object on stderr
  --quiet                 no summary line

  For a system under examples/<name>/, the folder where the set-up built that
  example for the chosen board and config is searched too.

Output:
  stdout carries exactly what the system prints (seL4_DebugPutChar and the board's UARTs);
  the monitor's fault reports (MON|...), the debug kernel's messages (fault reports,
  seL4_DebugSnapshot's capDL dump), microkit-emu's own diagnostics and the closing
  summary go to stderr. On a terminal, a run that takes longer than a second shows a
  progress line on stderr (virtual time, instructions, syscalls), erased when the run ends
  or anything else is printed; --quiet and --json turn it off. check takes any config
  Microkit builds for the board, smp-* too.

Exit status:
  0  the run ended normally (idle, halted, or a stop condition), even if a PD faulted
  1  bad input: flags, system description, ELF or board; one line per problem
  2  an internal error in microkit-emu (please report it)

Examples:
  microkit-emu run examples/hello/hello.system --board qemu_virt_aarch64
  microkit-emu run my.system --board qemu_virt_riscv64 --search-path build/riscv
`;

interface RunArgs {
  system: string;
  board: string | undefined;
  config: string | undefined;
  kernelConfig: string | undefined;
  ramBytes: bigint | undefined;
  searchPaths: string[];
  maxInstructions: bigint | undefined;
  stopAfterNs: bigint | undefined;
  kernelEntryNs: bigint | undefined;
  disk: string | undefined;
  input: string | undefined;
  console: ConsoleMode | undefined;
  realtime: boolean;
  report: string | undefined;
  output: string | undefined;
  json: boolean;
  quiet: boolean;
  trace: string | undefined;
  traceFormat: TraceFormat;
}

function parseRunArgs(args: readonly string[], command: string): RunArgs {
  const out: RunArgs = { system: "", board: undefined, config: undefined, kernelConfig: undefined, ramBytes: undefined, searchPaths: [], maxInstructions: undefined, stopAfterNs: undefined, kernelEntryNs: undefined, disk: undefined, input: undefined, console: undefined, realtime: false, report: undefined, output: undefined, json: false, quiet: false, trace: undefined, traceFormat: "json" };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new UserError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--board":
        out.board = value();
        break;
      case "--config":
        out.config = value();
        break;
      case "--kernel-config":
        out.kernelConfig = value();
        break;
      case "--ram":
        out.ramBytes = parseRamSize(value());
        break;
      case "--search-path": {
        const start = out.searchPaths.length;
        // Folders up to the next option, short ones (-o, -r) included, as upstream's argparse reads them.
        while (args[i + 1] !== undefined && !args[i + 1]!.startsWith("-")) out.searchPaths.push(args[++i]!);
        if (out.searchPaths.length === start) throw new UserError("--search-path needs at least one folder");
        break;
      }
      case "--max-instructions": {
        const v = value();
        if (!/^[0-9]+$/.test(v)) throw new UserError(`--max-instructions takes a whole number, not '${v}'`);
        out.maxInstructions = BigInt(v);
        break;
      }
      case "--stop-after":
        out.stopAfterNs = parseDuration(value());
        break;
      case "--disk":
        out.disk = value();
        break;
      case "--kernel-entry-cost":
        out.kernelEntryNs = parseDuration(value(), "--kernel-entry-cost", "2us or 500ns");
        break;
      case "--input":
        out.input = value();
        break;
      case "--console": {
        const v = value();
        out.console = v === "all" ? { kind: "all" } : v === "labels" ? { kind: "labels" } : { kind: "only", source: v };
        break;
      }
      case "--report":
      case "-r":
        out.report = value();
        break;
      case "--output":
      case "-o":
        out.output = value();
        break;
      case "--realtime":
        out.realtime = true;
        break;
      case "--json":
        out.json = true;
        break;
      case "--quiet":
        out.quiet = true;
        break;
      case "--trace": {
        // "-" (stderr) is a value here, not an option.
        const v = args[++i];
        if (v === undefined || (v.startsWith("-") && v !== "-")) throw new UserError("--trace needs a file to write the trace to (- for stderr)");
        out.trace = v;
        break;
      }
      case "--trace-format": {
        const v = value();
        if (v !== "json" && v !== "text") throw new UserError(`--trace-format takes json or text, not '${v}'`);
        out.traceFormat = v;
        break;
      }
      default:
        if (a.startsWith("-")) throw new UserError(`unknown option ${a} (see microkit-emu --help)`);
        positional.push(a);
    }
  }
  const what = command === "boot" ? "root-task ELF" : "system description file";
  if (positional.length !== 1) throw new UserError(positional.length === 0 ? `a ${what} is needed (see microkit-emu --help)` : `one ${what} is expected, got: ${positional.join(" ")}`);
  out.system = positional[0]!;
  return out;
}

/**
 * `run IMAGE` for an image bundle written by check -o (our SDK's bin/microkit): unpack it and run
 * its system for the board and config it was checked for.
 */
function adoptImage(a: RunArgs): void {
  if (!existsSync(a.system) || !statSync(a.system).isFile()) return;
  const bundle = readBundle(a.system);
  if (bundle === undefined) return;
  if (a.board !== undefined && a.board !== bundle.board) throw new UserError(`${a.system} was built for ${bundle.board}, not ${a.board}`);
  if (a.config !== undefined && a.config !== bundle.config) throw new UserError(`${a.system} was built for config ${bundle.config}, not ${a.config}`);
  a.board = bundle.board;
  a.config = bundle.config;
  a.system = unpackBundle(bundle);
  a.searchPaths = [dirname(a.system)];
}

/** --input FILE, else standard input when it is a pipe (or socket), a file or a terminal. */
function inputSource(file: string | undefined): InputSource | undefined {
  if (file !== undefined) {
    if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--input ${file}: no such file`);
    return bytesSource(new Uint8Array(readFileSync(file)));
  }
  let stdin;
  try {
    stdin = fstatSync(0);
  } catch {
    return undefined; // no standard input at all (closed descriptor)
  }
  return stdin.isFIFO() || stdin.isSocket() || stdin.isFile() || process.stdin.isTTY ? stdinSource() : undefined;
}

const RAM_UNITS: Readonly<Record<string, bigint>> = { "": 1n << 20n, K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

/** A RAM size as QEMU's -m reads it: a whole number with K, M, G or T (binary units); no unit means MiB. */
export function parseRamSize(text: string): bigint {
  const m = /^([0-9]+)([KMGT]?)$/i.exec(text);
  if (m === null || BigInt(m[1]!) === 0n) throw new UserError(`--ram takes a size such as 2G, 512M or 3072 (MiB); not '${text}'`);
  return BigInt(m[1]!) * RAM_UNITS[m[2]!.toUpperCase()]!;
}

const UNITS: Readonly<Record<string, bigint>> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1_000n, ns: 1n };

/** A virtual-time duration such as 5s, 250ms, 100us or 1500ns, in nanoseconds. */
export function parseDuration(text: string, flag = "--stop-after", examples = "5s or 250ms"): bigint {
  const m = /^([0-9]+)(s|ms|us|ns)$/.exec(text);
  if (m === null) throw new UserError(`${flag} takes a whole number with a unit (s, ms, us, ns), e.g. ${examples}; not '${text}'`);
  return BigInt(m[1]!) * UNITS[m[2]!]!;
}

/** The --disk image, read whole; writes to it change the run's copy only. */
function readDisk(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UserError(`--disk ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Opens the --trace file, or says clearly why it cannot be written. */
function openTrace(path: string, format: TraceFormat): TraceWriter {
  try {
    return new TraceWriter(path, format);
  } catch (e) {
    throw new UserError(`--trace ${path}: cannot write the trace there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function summary(r: RunResult, rootTask: boolean): string {
  const how = { idle: "system idle", halted: "halted (seL4_DebugHalt, or the firmware powered off)", "instruction-limit": "instruction limit reached", "time-limit": "--stop-after time reached" }[r.stopReason];
  return `microkit-emu: ${how} at ${r.virtualTimeUs} us of virtual time, ${r.stats.instructions} instructions; ` +
    `${rootTask ? "root task" : `${r.protectionDomains.length} PDs`}, ${r.stats.syscalls} syscalls, ${r.stats.faults} faults`;
}

export function main(argv: readonly string[]): number {
  // A progress line on a terminal's stderr, erased before anything else is printed.
  let status: StatusLine | undefined;
  const err = (s: string): void => {
    status?.clear();
    process.stderr.write(s + "\n");
  };
  const paint = new Chalk({ level: process.stderr.isTTY ? 1 : 0 });
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(HELP);
      return command === undefined ? 1 : 0;
    }
    if (command !== "run" && command !== "check" && command !== "boot") throw new UserError(`unknown command '${command}' (expected run, check or boot; see microkit-emu --help)`);
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(HELP);
      return 0;
    }
    const a = parseRunArgs(rest, command);
    if (command === "run") adoptImage(a);
    if (a.board === undefined) throw new UserError(`${command} needs --board <name> (${command === "run" ? "one of: " + BOARDS.map((b) => b.name).join(", ") : "any Microkit board"})`);
    if (command === "check") {
      const r = checkSystem({
        systemFile: a.system, board: a.board, searchPaths: a.searchPaths,
        ...(a.config === undefined ? {} : { config: a.config }),
        ...(a.report === undefined ? {} : { reportFile: a.report }),
        ...(a.output === undefined ? {} : { imageFile: a.output }),
        onDiagnostic: (line) => err(paint.yellow(line)),
      });
      err(r.summary + (a.output === undefined ? "" : `; image written to ${a.output}`));
      return 0;
    }
    if (command !== "boot" && (a.kernelConfig !== undefined || a.ramBytes !== undefined)) {
      throw new UserError(`${a.kernelConfig !== undefined ? "--kernel-config" : "--ram"} applies to boot only`);
    }
    if (a.traceFormat !== "json" && a.trace === undefined) throw new UserError("--trace-format needs --trace <file>");
    // A root task reads console input only from --input; a system also from a piped standard input.
    const input = command === "boot" && a.input === undefined ? undefined : inputSource(a.input);
    const trace = a.trace === undefined ? undefined : openTrace(a.trace, a.traceFormat);
    if (process.stderr.isTTY && !a.quiet && !a.json && a.trace !== "-") {
      status = new StatusLine((t) => void process.stderr.write(t), () => process.stderr.columns || 80, (t) => paint.dim(t));
    }
    let result: RunResult;
    try {
      const common = {
        board: a.board,
        ...(a.maxInstructions === undefined ? {} : { maxInstructions: a.maxInstructions }),
        ...(a.stopAfterNs === undefined ? {} : { stopAfterNs: a.stopAfterNs }),
        ...(a.kernelEntryNs === undefined ? {} : { kernelEntryNs: a.kernelEntryNs }),
        ...(a.disk === undefined ? {} : { disk: readDisk(a.disk) }),
        ...(input === undefined ? {} : { input }),
        ...(a.console === undefined ? {} : { console: a.console }),
        ...(a.realtime ? { realtime: true } : {}),
        onOutput: (t: string) => {
          if (process.stdout.isTTY) status?.clear();
          process.stdout.write(t);
        },
        ...(status === undefined ? {} : { progress: { everyMs: STATUS_EVERY_MS, report: status.report } }),
        ...(trace === undefined ? {} : { onStart: (h: TraceHeader) => trace.header(h), onEvent: trace.event }),
      };
      result = command === "boot" ? bootRootTask({
        ...common, elf: a.system,
        ...(a.config === undefined ? {} : { config: a.config }),
        ...(a.kernelConfig === undefined ? {} : { kernelConfigFile: a.kernelConfig }),
        ...(a.ramBytes === undefined ? {} : { ramBytes: a.ramBytes }),
        // The kernel's own console lines, as a debug kernel prints them.
        onDiagnostic: (line) => err(paint.yellow(line)),
      }) : runSystem({
        ...common, systemFile: a.system, searchPaths: a.searchPaths,
        ...(a.config === undefined ? {} : { config: a.config }),
        ...(a.report === undefined ? {} : { reportFile: a.report }),
        // The monitor's reports carry their own MON| prefix, as upstream's do.
        onDiagnostic: (line) => err(paint.yellow(line.startsWith("MON|") ? line : `microkit-emu: ${line}`)),
      });
      trace?.end({ time_ns: Number(result.virtualTimeNs), stop: result.stopReason, instructions: Number(result.stats.instructions) });
    } finally {
      status?.clear();
      trace?.close();
    }
    if (a.json) {
      err(JSON.stringify({
        stop: result.stopReason, instructions: result.stats.instructions.toString(), virtualTimeUs: result.virtualTimeUs.toString(),
        syscalls: result.stats.syscalls, faults: result.stats.faults, protectionDomains: result.protectionDomains, diagnostics: result.diagnostics,
      }));
    } else if (!a.quiet) {
      err(paint.dim(summary(result, command === "boot")));
    }
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      for (const line of e.message.split("\n")) err(paint.red(line.includes(": error:") ? line : `microkit-emu: error: ${line}`));
      return 1;
    }
    err(paint.red(`microkit-emu: internal error: ${(e as Error).stack ?? String(e)}`));
    err("This is a bug in microkit-emu; please report it with the command line and system file.");
    return 2;
  }
}
