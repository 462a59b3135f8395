// The kernel's IPC fast paths (kernel/fastpath.ts) change nothing a system can observe: whole systems
// of real PD code run with them on and off give the same output, diagnostics, statistics, virtual
// time and kernel trace, byte for byte, while the fast paths do handle most of the syscalls.
import { describe, expect, test } from "vitest";
import { runSystem, type RunOptions } from "../../emulator/system.js";
import type { TraceEvent } from "../../emulator/machine.js";

const BOARDS = ["qemu_virt_aarch64", "qemu_virt_riscv64"] as const;
/** The benchmark systems make 40,000 syscalls, traced, twice: allow for a loaded machine. */
const TIMEOUT_MS = 120_000;

const SYSTEMS: readonly { readonly name: string; readonly options: (board: string) => Omit<RunOptions, "board"> }[] = [
  { name: "ipcbench", options: (board) => ({ systemFile: "tests/pds/ipcbench/ipcbench.system", searchPaths: [`build/test-pds/ipcbench/${board}/debug`] }) },
  { name: "ntfnbench", options: (board) => ({ systemFile: "tests/pds/ntfnbench/ntfnbench.system", searchPaths: [`build/test-pds/ntfnbench/${board}/debug`] }) },
  { name: "pingpong", options: () => ({ systemFile: "examples/pingpong/pingpong.system" }) },
  { name: "passive", options: () => ({ systemFile: "examples/passive/passive.system" }) },
  { name: "ppcall", options: () => ({ systemFile: "examples/ppcall/ppcall.system" }) },
  // Faults go to the monitor through the fault endpoint: the general path among the fast ones.
  { name: "faults", options: () => ({ systemFile: "examples/faults/faults.system", stopAfterNs: 20_000_000n }) },
];

/** Every trace event as one line of text (bigints in hex), in order. */
function traced(board: string, options: Omit<RunOptions, "board">, fastpath: boolean) {
  const lines: string[] = [];
  const trace = (e: TraceEvent): void => {
    lines.push(JSON.stringify(e, (_, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
  };
  const r = runSystem({ ...options, board, fastpath, trace });
  return { r, lines };
}

describe.each(BOARDS)("fast paths on %s", (board) => {
  test.each(SYSTEMS)("$name: same output, statistics, virtual time and kernel trace with the fast paths on and off", ({ options }) => {
    const on = traced(board, options(board), true);
    const off = traced(board, options(board), false);
    expect(off.r.stats.fastpaths).toBe(0);
    expect(on.r.stats.fastpaths).toBeGreaterThan(0);
    expect(on.r.output).toBe(off.r.output);
    expect(on.r.diagnostics).toEqual(off.r.diagnostics);
    expect(on.r.stopReason).toBe(off.r.stopReason);
    expect(on.r.virtualTimeUs).toBe(off.r.virtualTimeUs);
    expect({ ...on.r.stats, fastpaths: 0 }).toEqual(off.r.stats);
    expect(on.lines.length).toBe(off.lines.length);
    expect(on.lines.join("\n")).toBe(off.lines.join("\n"));
  }, TIMEOUT_MS);

  test("in ipcbench every Call and ReplyRecv takes the fast paths", () => {
    const { r } = traced(board, SYSTEMS[0]!.options(board), true);
    expect(r.output).toContain("ipcbench: ok");
    // 20,000 Calls and 20,000 ReplyRecvs (a reply and a receive each).
    expect(r.stats.fastpaths).toBeGreaterThanOrEqual(60_000);
  }, TIMEOUT_MS);
});
