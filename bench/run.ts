// `npm run bench`: wall-clock speed of the emulator on fixed workloads (tests/pds), per board.
// Prints a table and writes bench/results/latest.json. Timings are host time, so they vary with
// the machine; instruction and syscall counts are virtual and identical every run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { repoRoot } from "../emulator/paths.js";
import { runSystem, type RunResult } from "../emulator/system.js";
import { formatSdfError } from "../microkit/sdf/model.js";
import { parseSystem } from "../microkit/sdf/parse.js";

interface Workload {
  readonly name: string;
  readonly what: string;
  readonly system: string;
  readonly dir: string;
}

const WORKLOADS: readonly Workload[] = [
  { name: "hello", what: "start-up and one line of output", system: "examples/hello/hello.system", dir: "" },
  { name: "ipcbench", what: "20,000 ppcalls (Call + ReplyRecv) with one MR", system: "tests/pds/ipcbench/ipcbench.system", dir: "build/test-pds/ipcbench" },
  { name: "spin", what: "150M instructions of arithmetic, no syscalls", system: "tests/pds/spin/spin.system", dir: "build/test-pds/spin" },
];
const BOARDS = ["qemu_virt_aarch64", "qemu_virt_riscv64"];
const REPEAT = 3;

interface Row {
  board: string;
  workload: string;
  bestMs: number;
  instructions: string;
  syscalls: number;
  mips: number;
  usPerSyscall: number;
}

function once(w: Workload, board: string): { ms: number; r: RunResult } {
  const t0 = performance.now();
  const r = runSystem({ systemFile: join(repoRoot, w.system), board, searchPaths: w.dir === "" ? [] : [join(repoRoot, w.dir, board, "debug")] });
  return { ms: performance.now() - t0, r };
}

const rows: Row[] = [];
for (const board of BOARDS) {
  for (const w of WORKLOADS) {
    let best = Infinity;
    let result: RunResult | undefined;
    for (let i = 0; i < REPEAT; i++) {
      const { ms, r } = once(w, board);
      if (ms < best) best = ms;
      result = r;
    }
    const r = result!;
    rows.push({
      board, workload: w.name, bestMs: Math.round(best * 10) / 10, instructions: r.stats.instructions.toString(), syscalls: r.stats.syscalls,
      mips: Math.round(Number(r.stats.instructions) / (best * 1000)),
      usPerSyscall: r.stats.syscalls > 1000 ? Math.round((best * 1000 / r.stats.syscalls) * 100) / 100 : 0,
    });
  }
}

const header = ["board", "workload", "best ms", "instructions", "syscalls", "MIPS", "us/syscall"];
const table = [header, ...rows.map((r) => [r.board, r.workload, String(r.bestMs), r.instructions, String(r.syscalls), String(r.mips), r.usPerSyscall === 0 ? "-" : String(r.usPerSyscall)])];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
for (const w of WORKLOADS) console.log(`  ${w.name}: ${w.what}`);

// SDF reading on hostile input: each must be refused with a clear error, well under a second.
const sdfCases: [string, string | Uint8Array][] = [
  ["malformed XML", "<system><protection_domain name='a'></system>"],
  ["empty file", ""],
  ["binary file", Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) & 0xff)],
  ["10 MB of nested elements", "<system>" + "<protection_domain name='x'>".repeat(370_000) + "</system>"],
];
console.log("");
for (const [what, source] of sdfCases) {
  const t0 = performance.now();
  const r = parseSystem("bench.system", source);
  const ms = performance.now() - t0;
  const first = r.ok ? "accepted" : formatSdfError(r.errors[0]!);
  console.log(`  sdf ${what}: ${ms.toFixed(1)} ms: ${first.length > 110 ? first.slice(0, 107) + "..." : first}`);
}

const out = join(repoRoot, "bench", "results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "latest.json"), JSON.stringify({ repeat: REPEAT, rows }, null, 2) + "\n");
