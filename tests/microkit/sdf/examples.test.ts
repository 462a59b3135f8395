// Systems in the shape of upstream's examples (written here from the manual) are accepted on boards
// they target, and so are the systems this repository runs.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sdfBoard } from "../../../microkit/sdf/board.js";
import { parseSystem } from "../../../microkit/sdf/parse.js";
import { describe, expect, it } from "vitest";
import { accepts, located } from "./helpers.js";

describe("shapes of upstream's examples", () => {
  const cases: readonly (readonly [string, string])[] = [
    ["ex_hello.system", "qemu_virt_aarch64"],
    ["ex_hello.system", "qemu_virt_riscv64"],
    ["ex_hello.system", "x86_64_generic"],
    ["ex_passive_server.system", "odroidc4"],
    ["ex_hierarchy.system", "maaxboard"],
    ["ex_hierarchy.system", "star64"],
    ["ex_setvar.system", "qemu_virt_aarch64"],
    ["ex_mr_prefill.system", "qemu_virt_riscv64"],
    ["ex_cap_sharing.system", "qemu_virt_aarch64"],
    ["ex_domains.system", "qemu_virt_aarch64"],
    ["ex_domains.system", "rock3b/release"],
    ["ex_timer_aarch64.system", "odroidc4"],
    ["ex_timer_riscv64.system", "qemu_virt_riscv64"],
    ["ex_ethernet.system", "imx8mm_evk/benchmark"],
  ];
  it.each(cases)("accepts %s on %s without warnings", (fixture, board) => {
    expect(accepts(fixture, board).warnings).toEqual([]);
  });

  it("keeps the ethernet system's large and small pages apart", () => {
    const { system } = accepts("ex_ethernet.system", "imx8mm_evk");
    expect(system.memoryRegions.map((m) => [m.name, m.pageSize, m.placement])).toEqual([
      ["eth_regs", 0x1000n, "fixed"],
      ["hw_rings", 0x1000n, "tool_allocated"],
      ["rx_buffers", 0x200000n, "tool_allocated"],
      ["tx_buffers", 0x200000n, "tool_allocated"],
      ["rx_queue", 0x1000n, "any"],
      ["tx_queue", 0x1000n, "any"],
    ]);
  });
});

describe("the systems this repository runs", () => {
  const systems = [
    ...readdirSync("examples").map((d) => join("examples", d, `${d}.system`)),
    ...readdirSync(join("tests", "pds")).flatMap((d) => readdirSync(join("tests", "pds", d)).filter((f) => f.endsWith(".system")).map((f) => join("tests", "pds", d, f))),
  ];
  it("finds them", () => {
    expect(systems).toContain(join("examples", "hello", "hello.system"));
    expect(systems).toContain(join("examples", "pingpong", "pingpong.system"));
  });
  // A system named <name>-<board>.system is for that board (its addresses and IRQs are the
  // board's); one with an smc="true" PD for the AArch64 boards (examples/arm_smc); the others are
  // checked on both QEMU boards.
  const boards = ["qemu_virt_aarch64", "qemu_virt_riscv64", "odroidc4"];
  const targets = (s: string): string[] => {
    const own = boards.find((b) => s.endsWith(`-${b}.system`));
    if (own !== undefined) return [own];
    return readFileSync(s, "utf8").includes('smc="true"') ? ["qemu_virt_aarch64", "odroidc4"] : ["qemu_virt_aarch64", "qemu_virt_riscv64"];
  };
  it.each(systems.flatMap((s) => targets(s).map((b) => [s, b] as const)))("accepts %s on %s", (file, board) => {
    // As `run` does for examples, the system's own folder is on the search path (prefill files).
    const r = parseSystem(file, readFileSync(file, "utf8"), { board: sdfBoard(board)!, searchPaths: [dirname(file)] });
    expect(r.ok ? [] : r.errors.map(located)).toEqual([]);
    expect(r.warnings.map(located)).toEqual([]);
  });
});
