// The kernel's IPC fast paths (kernel/fastpath.ts) change nothing a system can observe: whole systems
// of real PD code run with them on and off give the same output, diagnostics, statistics and virtual
// time (to the nanosecond, so every scheduling decision was the same), while the fast paths do handle
// most of the syscalls. While someone listens to kernel events the general path runs, so a trace is
// always complete.
import { describe, expect, test } from "vitest";
import { runSystem, type RunOptions } from "../../emulator/system.js";

const BOARDS = ["qemu_virt_aarch64", "qemu_virt_riscv64"] as const;
/** The benchmark systems make 40,000 syscalls, twice: allow for a loaded machine. */
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

function run(board: string, options: Omit<RunOptions, "board">, fastpath: boolean, listen = false) {
  let events = 0;
  const r = runSystem({ ...options, board, fastpath, ...(listen ? { onEvent: () => void events++ } : {}) });
  return { r, events };
}

describe.each(BOARDS)("fast paths on %s", (board) => {
  test.each(SYSTEMS)("$name: same output, statistics and virtual time with the fast paths on and off", ({ options }) => {
    const on = run(board, options(board), true);
    const off = run(board, options(board), false);
    expect(off.r.stats.fastpaths).toBe(0);
    expect(on.r.stats.fastpaths).toBeGreaterThan(0);
    expect(on.r.output).toBe(off.r.output);
    expect(on.r.diagnostics).toEqual(off.r.diagnostics);
    expect(on.r.stopReason).toBe(off.r.stopReason);
    expect(on.r.virtualTimeUs).toBe(off.r.virtualTimeUs);
    expect({ ...on.r.stats, fastpaths: 0 }).toEqual(off.r.stats);
  }, TIMEOUT_MS);

  test("while kernel events are listened to, every syscall takes the general path", () => {
    const { r, events } = run(board, SYSTEMS[2]!.options(board), true, true);
    expect(r.stats.fastpaths).toBe(0);
    expect(events).toBeGreaterThan(0);
  }, TIMEOUT_MS);

  test("in ipcbench every Call and ReplyRecv takes the fast paths", () => {
    const { r } = run(board, SYSTEMS[0]!.options(board), true);
    expect(r.output).toContain("ipcbench: ok");
    // 20,000 Calls and 20,000 ReplyRecvs (a reply and a receive each).
    expect(r.stats.fastpaths).toBeGreaterThanOrEqual(60_000);
  }, TIMEOUT_MS);
});

test("--kernel-entry-cost: every kernel entry takes that much virtual time, the output is the same", () => {
  const board = "qemu_virt_aarch64";
  const options = { systemFile: "tests/pds/ipcbench/ipcbench.system", board, searchPaths: [`build/test-pds/ipcbench/${board}/debug`] };
  const free = runSystem(options);
  const costly = runSystem({ ...options, kernelEntryNs: 1000n });
  expect(costly.output).toBe(free.output);
  expect(free.virtualTimeNs).toBe(free.stats.instructions);
  // Nothing here waits for a device: the clock is the instructions plus a microsecond per syscall.
  expect(costly.virtualTimeNs).toBe(costly.stats.instructions + 1000n * BigInt(costly.stats.syscalls + costly.stats.faults));
  expect(costly.stats.syscalls).toBeGreaterThanOrEqual(40_000);
});
