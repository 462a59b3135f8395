// `microkit-emu check`: validate a system without running it, on any board upstream Microkit knows,
// and optionally write its report. Boards we do not emulate are checked as far as their facts go.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { writeBundle } from "./image-bundle.js";
import { kernelAbi, microkitBoards, platformFacts, type Arch, type KernelConfigName } from "../kernel/abi.js";
import { buildSystem, type SystemImage } from "../microkit/builder.js";
import { systemReport } from "../microkit/report.js";
import { sdfBoard } from "../microkit/sdf/board.js";
import { buildOrExplain, CONFIGS, loadSystem, UserError, type LoadOptions } from "./system.js";

export interface CheckOptions extends LoadOptions {
  readonly board: string;
  readonly config?: string;
  /** Write the system report here. */
  readonly reportFile?: string;
  /** Write a runnable image bundle of the checked system here (the SDK's bin/microkit -o). */
  readonly imageFile?: string;
}

export interface CheckResult {
  readonly summary: string;
  readonly report: string;
}

const NO_HOST = { putChar: () => {}, debugPrint: () => {}, ackIrq: () => {}, halt: () => {} };

export function checkSystem(o: CheckOptions): CheckResult {
  const config = o.config ?? "debug";
  const facts = sdfBoard(o.board, config);
  if (facts === undefined) {
    if (!microkitBoards().includes(o.board)) throw new UserError(`unknown board '${o.board}'; Microkit knows: ${microkitBoards().join(", ")}`);
    throw new UserError(`board ${o.board} has no ${config} configuration in Microkit`);
  }
  const { parsed, elves } = loadSystem(o, o.board, facts.arch, config);
  // Building (setvars, maps against program segments, physical placement) needs the kernel ABI of
  // the board's architecture and config; x86 and SMP configs are checked up to the ELFs.
  let image: SystemImage | undefined;
  const platform = platformFacts(o.board);
  if (facts.arch !== "x86_64" && (CONFIGS as readonly string[]).includes(config) && platform !== undefined) {
    const abi = kernelAbi(facts.arch as Arch, config as KernelConfigName);
    image = buildOrExplain(o.systemFile, () => buildSystem(parsed.system, { abi, host: NO_HOST, ram: platform.ram, elves, board: o.board }));
  }
  const report = systemReport(parsed.system, o.board, config, image);
  if (o.reportFile !== undefined) writeFileSync(o.reportFile, report);
  if (o.imageFile !== undefined) {
    // Program images (and their symbol files) and prefill files, under the names the SDF uses.
    const files = new Map<string, Uint8Array>();
    for (const pd of parsed.system.protectionDomains) {
      const elf = elves.get(pd.name);
      if (elf === undefined) continue;
      files.set(pd.programImage.path, new Uint8Array(readFileSync(elf.path)));
      const symbols = pd.programImage.pathForSymbols;
      if (symbols !== undefined && elf.symbolsPath !== undefined) files.set(symbols, new Uint8Array(readFileSync(elf.symbolsPath)));
    }
    for (const mr of parsed.system.memoryRegions) if (mr.prefill !== undefined) files.set(mr.prefill.path, mr.prefill.bytes);
    writeBundle(o.imageFile, { board: o.board, config, systemName: basename(o.systemFile), system: readFileSync(o.systemFile, "utf8"), files });
  }
  const s = parsed.system;
  const summary = `${o.systemFile}: valid for ${o.board} (${config}): ${s.protectionDomains.length} PDs, ${s.memoryRegions.length} memory regions, ` +
    `${s.channels.length} channels${parsed.warnings.length > 0 ? `, ${parsed.warnings.length} warnings` : ""}`;
  return { summary, report };
}
