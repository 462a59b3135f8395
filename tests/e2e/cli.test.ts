// The command line as a user meets it: exit status, stdout carrying only the system's output,
// and one clear line on stderr for bad input.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return cliWithInput("", ...args);
}

function cliWithInput(input: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/microkit-emu.js", ...args], { encoding: "utf8", input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Each test starts the CLI (a Node start-up per run) up to five times: slow on a loaded machine.
describe("microkit-emu run", { timeout: 30_000 }, () => {
  test.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("hello on %s: stdout is exactly the system's output", (board) => {
    const r = cli("run", "examples/hello/hello.system", "--board", board);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("hello, world\n");
    expect(r.stderr).toMatch(/^microkit-emu: system idle at \d+ us of virtual time, \d+ instructions; 1 PDs, \d+ syscalls, 0 faults\n$/);
  });

  test("--json prints a machine-readable summary", () => {
    const r = cli("run", "examples/hello/hello.system", "--board", "qemu_virt_riscv64", "--json");
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stderr) as { stop: string; faults: number; protectionDomains: string[] };
    expect(summary.stop).toBe("idle");
    expect(summary.protectionDomains).toEqual(["hello"]);
  });

  test("--trace FILE writes JSON lines: a header, every kernel event in virtual time order, an end record", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mkemu-")), "hello.jsonl");
    const r = cli("run", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--trace", file, "--quiet");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("hello, world\n");
    expect(r.stderr).toBe("");
    const records = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]).toMatchObject({
      type: "header", version: 1, system: "examples/hello/hello.system", board: "qemu_virt_aarch64", config: "debug", arch: "aarch64",
      pds: [{ name: "hello", priority: 254, passive: false }],
    });
    expect(records.at(-1)).toMatchObject({ type: "end", stop: "idle" });
    const events = records.slice(1, -1);
    const times = events.map((e) => e["time_ns"] as number);
    expect(times.every((t) => Number.isInteger(t))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // 'h' (0x68) is the first character printed; the PD then waits in its event loop on INPUT_CAP (1).
    const syscalls = events.filter((e) => e["type"] === "syscall" && e["pd"] === "hello");
    expect(syscalls[0]).toMatchObject({ thread: "hello", syscall: "seL4_SysDebugPutChar", cap: "0x68" });
    expect(syscalls.at(-1)).toMatchObject({ thread: "hello", syscall: "seL4_SysRecv", cap: "0x1" });
    expect(syscalls[0]!["pc"]).toMatch(/^0x[0-9a-f]+$/);
    expect(events.at(-1)).toMatchObject({ type: "schedule", reason: "choose", from: "hello" }); // nothing left to run: idle
    expect(events.at(-1)).not.toHaveProperty("thread");
  });

  test("--trace - --trace-format text writes one readable line per event to stderr", () => {
    const r = cli("run", "examples/hello/hello.system", "--board", "qemu_virt_riscv64", "--trace", "-", "--trace-format", "text", "--quiet");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("hello, world\n");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe("trace version 1: examples/hello/hello.system on qemu_virt_riscv64 (debug); PDs hello");
    expect(lines).toContainEqual(expect.stringMatching(/^ +\d+ ns {2}hello +syscall +syscall=seL4_SysDebugPutChar number=-12 cap=0x68 pc=0x[0-9a-f]+$/));
    expect(lines.at(-1)).toMatch(/^ +\d+ ns {2}end: idle, \d+ instructions$/);
  });

  test.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("the same system run twice writes a byte-identical --trace on %s", (board) => {
    const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
    // Timers, notifications, a fault reported by the monitor: a varied trace.
    const args = ["run", "examples/faults/faults.system", "--board", board, "--quiet"];
    expect(cli(...args, "--trace", join(dir, "a.jsonl")).status).toBe(0);
    expect(cli(...args, "--trace", join(dir, "b.jsonl")).status).toBe(0);
    const a = readFileSync(join(dir, "a.jsonl"));
    expect(a.length).toBeGreaterThan(10_000);
    expect(readFileSync(join(dir, "b.jsonl")).equals(a)).toBe(true);
  });

  test("--stop-after ends a run that would go on, at that virtual time, with exit 0", () => {
    const r = cli("run", "tests/pds/spin/spin.system", "--board", "qemu_virt_riscv64", "--search-path", "build/test-pds/spin/qemu_virt_riscv64/debug", "--stop-after", "2ms", "--json");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(""); // spin prints only when done, after 150 ms
    const s = JSON.parse(r.stderr) as { stop: string; virtualTimeUs: string };
    expect(s.stop).toBe("time-limit");
    expect(s.virtualTimeUs).toBe("2000");
  });

  test("standard input, or --input FILE, feeds the console UART; the run ends when the input does", () => {
    const args = ["run", "tests/pds/echo/echo-qemu_virt_riscv64.system", "--board", "qemu_virt_riscv64", "--search-path", "build/test-pds/echo/qemu_virt_riscv64/debug", "--quiet"];
    expect(cliWithInput("piped text\n", ...args).stdout).toBe("> PIPED TEXT\n");
    const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
    writeFileSync(join(dir, "in.txt"), "from a file\n");
    expect(cli(...args, "--input", join(dir, "in.txt")).stdout).toBe("> FROM A FILE\n");
    expect(cli(...args, "--input", join(dir, "missing.txt")).stderr).toBe(`microkit-emu: error: --input ${join(dir, "missing.txt")}: no such file\n`);
  });

  test("--console labels each line with its source, or selects one source", () => {
    const base = ["run", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--quiet"];
    expect(cli(...base, "--console", "labels").stdout).toBe("[debug] hello, world\n");
    expect(cli(...base, "--console", "debug").stdout).toBe("hello, world\n");
    expect(cli(...base, "--console", "uart0").stdout).toBe("");
    const echo = ["run", "tests/pds/echo/echo-qemu_virt_riscv64.system", "--board", "qemu_virt_riscv64", "--search-path", "build/test-pds/echo/qemu_virt_riscv64/debug", "--quiet"];
    expect(cliWithInput("ab\n", ...echo, "--console", "labels").stdout).toBe("[uart0] > AB\n");
    const bad = cli(...base, "--console", "uart7");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("microkit-emu: error: --console uart7: no such console on qemu_virt_aarch64; expected one of: labels, all, debug, uart0\n");
  });

  test("--help documents the command, boards and exit status", () => {
    const r = cli("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("microkit-emu run <file.system> --board <board>");
    expect(r.stdout).toContain("qemu_virt_riscv64");
    expect(r.stdout).toContain("Exit status:");
  });

  const bad: [string, string[], RegExp][] = [
    ["unknown board", ["run", "examples/hello/hello.system", "--board", "pc99"], /^microkit-emu: error: unknown board 'pc99'; emulated boards: qemu_virt_aarch64, qemu_virt_riscv64, odroidc4\n$/],
    ["a Microkit board not emulated yet", ["run", "examples/hello/hello.system", "--board", "odroidc2"], /board odroidc2 is a Microkit board this version does not emulate yet/],
    ["an SMP config", ["run", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--config", "smp-debug"], /SMP configurations are not emulated/],
    ["no board", ["run", "examples/hello/hello.system"], /run needs --board/],
    ["an unknown flag", ["run", "x.system", "--board", "qemu_virt_aarch64", "--fast"], /unknown option --fast/],
    ["a missing system file", ["run", "nope.system", "--board", "qemu_virt_aarch64"], /^microkit-emu: error: nope.system: no such system description file\n$/],
    ["an unknown command", ["build"], /unknown command 'build'/],
    ["a duration without a unit", ["run", "x.system", "--board", "qemu_virt_aarch64", "--stop-after", "5"], /--stop-after takes a whole number with a unit \(s, ms, us, ns\), e.g. 5s or 250ms; not '5'/],
    ["a kernel entry cost without a unit", ["run", "x.system", "--board", "qemu_virt_aarch64", "--kernel-entry-cost", "2"], /--kernel-entry-cost takes a whole number with a unit \(s, ms, us, ns\), e.g. 2us or 500ns; not '2'/],
    ["--trace without a file", ["run", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--trace", "--quiet"], /^microkit-emu: error: --trace needs a file to write the trace to \(- for stderr\)\n$/],
    ["an unknown trace format", ["run", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--trace", "-", "--trace-format", "xml"], /^microkit-emu: error: --trace-format takes json or text, not 'xml'\n$/],
    ["a trace file that cannot be written", ["run", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--trace", "/nonexistent/dir/t.jsonl"], /^microkit-emu: error: --trace \/nonexistent\/dir\/t.jsonl: cannot write the trace there \(ENOENT\)\n$/],
  ];
  test.each(bad)("%s: exit 1 with one clear line", (_what, args, message) => {
    const r = cli(...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
  });

  test("a program image that is not found is reported at its SDF line", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
    const file = join(dir, "lost.system");
    writeFileSync(file, `<system>\n  <protection_domain name="lost">\n    <program_image path="lost.elf" />\n  </protection_domain>\n</system>\n`);
    const r = cli("run", file, "--board", "qemu_virt_aarch64");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:3:5: error: program_image 'lost.elf' of 'lost' not found; searched: `);
  });

  test("checks that need the ELF: setvar symbols must exist, maps must not overlap program segments", () => {
    const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
    const file = join(dir, "bad.system");
    const hello = "build/examples/hello/qemu_virt_aarch64/debug";
    writeFileSync(file, `<system>\n  <memory_region name="buf" size="0x1000" />\n  <protection_domain name="hello">\n    <program_image path="hello.elf" />\n    <map mr="buf" vaddr="0x200000" perms="rw" />\n    <setvar symbol="no_such_symbol" region_paddr="buf" />\n  </protection_domain>\n</system>\n`);
    const r = cli("run", file, "--board", "qemu_virt_aarch64", "--search-path", hello);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file}:6:5: error: setvar symbol 'no_such_symbol' is not in .*hello\\.elf\\n$`));
    writeFileSync(file, `<system>\n  <memory_region name="buf" size="0x1000" />\n  <protection_domain name="hello">\n    <program_image path="hello.elf" />\n    <map mr="buf" vaddr="0x200000" perms="rw" />\n  </protection_domain>\n</system>\n`);
    const o = cli("run", file, "--board", "qemu_virt_aarch64", "--search-path", hello);
    expect(o.status).toBe(1);
    expect(o.stderr).toMatch(new RegExp(`^${file}:5:5: error: <map mr="buf" vaddr="0x200000"> \\(size 0x1000\\) overlaps the segment of .*hello\\.elf at \\[0x200000, 0x201000\\)\\n$`));
  });

  test("an ELF for the other architecture is refused", () => {
    const r = cli("run", "examples/hello/hello.system", "--board", "qemu_virt_riscv64", "--search-path", "build/examples/hello/qemu_virt_aarch64/debug");
    // The current directory and --search-path come first, so the AArch64 ELF is found and refused.
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/hello\.elf is a aarch64 ELF, but board qemu_virt_riscv64 is riscv64/);
  });
});
