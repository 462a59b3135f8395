// `microkit-emu check` and `--report`: validation without running, on any Microkit board.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["bin/microkit-emu.js", ...args], { encoding: "utf8", input: "" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ECHO = ["tests/pds/echo/echo-qemu_virt_aarch64.system", "--board", "qemu_virt_aarch64", "--search-path", "build/test-pds/echo/qemu_virt_aarch64/debug"];

test("check: a valid system exits 0 with a one-line summary and runs nothing", () => {
  const r = cli("check", ...ECHO);
  expect(r.status).toBe(0);
  expect(r.stdout).toBe("");
  expect(r.stderr).toBe("tests/pds/echo/echo-qemu_virt_aarch64.system: valid for qemu_virt_aarch64 (debug): 2 PDs, 3 memory regions, 1 channels\n");
});

test("check --report: PDs with scheduling parameters, every mapping with its physical address, channels, IRQs", () => {
  const report = join(mkdtempSync(join(tmpdir(), "mkemu-")), "report.txt");
  expect(cli("check", ...ECHO, "--report", report).status).toBe(0);
  const text = readFileSync(report, "utf8");
  expect(text).toMatch(/^ {2}driver {2}200 {7}1000 us {2}1000 us {2}no {7}8 KiB {2}-$/m);
  expect(text).toMatch(/^ {4}0x2000000 {2}0x1000 {2}rw- {4}mr uart \(uncached\) {2}0x9000000$/m);
  expect(text).toContain("    irqs: id 0 = irq 33 (level)");
  expect(text).toMatch(/^ {2}driver {2}1 {3}client {2}0 {3}- {3}driver -> client, client -> driver$/m);
});

test("check works on Microkit boards that are not emulated, and names unknown boards", () => {
  const ok = cli("check", "examples/hello/hello.system", "--board", "maaxboard", "--search-path", "build/examples/hello/qemu_virt_aarch64/debug");
  expect(ok.status).toBe(0);
  expect(ok.stderr).toBe("examples/hello/hello.system: valid for maaxboard (debug): 1 PDs, 0 memory regions, 0 channels\n");
  const bad = cli("check", "examples/hello/hello.system", "--board", "pc99");
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/^microkit-emu: error: unknown board 'pc99'; Microkit knows: kria_k26, .*x86_64_generic_vtx\n$/);
});

test("check reports SDF problems at their place and exits 1", () => {
  const file = join(mkdtempSync(join(tmpdir(), "mkemu-")), "bad.system");
  writeFileSync(file, `<system>\n  <protection_domain name="a" priority="300">\n    <program_image path="a.elf" />\n  </protection_domain>\n</system>\n`);
  const r = cli("check", file, "--board", "qemu_virt_riscv64");
  expect(r.status).toBe(1);
  // Column 31 is where the priority attribute starts.
  expect(r.stderr).toBe(`${file}:2:31: error: <protection_domain name="a"> priority="300" is out of range: expected 0..254 (255 is the monitor's)\n`);
});

test("run --report writes the same report before running", () => {
  const report = join(mkdtempSync(join(tmpdir(), "mkemu-")), "report.txt");
  const r = cli("run", "examples/hello/hello.system", "--board", "qemu_virt_riscv64", "--report", report, "--quiet");
  expect(r.stdout).toBe("hello, world\n");
  expect(readFileSync(report, "utf8")).toMatch(/^System examples\/hello\/hello.system on qemu_virt_riscv64 \(debug\)\n/);
});

test("a program image must define the symbols the Microkit tool patches", () => {
  const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
  const strip = spawnSync("llvm-objcopy", ["--strip-symbol=microkit_pps", "build/examples/hello/qemu_virt_aarch64/debug/hello.elf", join(dir, "hello.elf")]);
  expect(strip.status).toBe(0);
  const r = cli("check", "examples/hello/hello.system", "--board", "qemu_virt_aarch64", "--search-path", dir);
  expect(r.status).toBe(1);
  // The current directory is searched first; run from the repository, it has no hello.elf.
  expect(r.stderr).toBe(`examples/hello/hello.system:4:9: error: ${join(dir, "hello.elf")} does not define 'microkit_pps', which the Microkit tool patches (is it linked with libmicrokit?)\n`);
});

test("the SDK's bin/microkit takes upstream's arguments and writes an image that `run IMAGE` runs from anywhere", () => {
  const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
  const image = join(dir, "loader.img");
  const tool = spawnSync("build/sdk/bin/microkit", [
    "examples/mr_prefill/mr_prefill.system", "--board", "qemu_virt_riscv64", "--config", "debug",
    "-o", image, "-r", join(dir, "report.txt"), "--search-path", "build/examples/mr_prefill/qemu_virt_riscv64/debug",
  ], { encoding: "utf8" });
  expect(tool.status).toBe(0);
  expect(readFileSync(join(dir, "report.txt"), "utf8")).toContain("mr_prefill.system on qemu_virt_riscv64 (debug)");
  // Run from another directory: the image carries the program images and the prefill file.
  const r = spawnSync(process.execPath, [join(process.cwd(), "bin/microkit-emu.js"), "run", image, "--quiet"], { encoding: "utf8", cwd: dir, input: "" });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe("reader: 57 bytes prefilled\nreader: | Prefilled by the Microkit tool.\nreader: | Second line of the file.\nreader: byte after the file is 0\n");
  const wrong = cli("run", image, "--board", "qemu_virt_aarch64");
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toBe(`microkit-emu: error: ${image} was built for qemu_virt_riscv64, not qemu_virt_aarch64\n`);
});

test("an IRQ number the board's kernel refuses stops run with a located error (the tool only warns)", () => {
  const file = join(mkdtempSync(join(tmpdir(), "mkemu-")), "irq.system");
  writeFileSync(file, `<system>\n  <protection_domain name="hello">\n    <program_image path="hello.elf" />\n    <irq irq="290" id="0" />\n  </protection_domain>\n</system>\n`);
  const r = cli("run", file, "--board", "odroidc4", "--search-path", "build/examples/hello/odroidc4/debug");
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${file}:4:5: error: <irq irq="290">: the odroidc4 kernel accepts IRQ numbers 0 to 255 only\n`);
  // RISC-V's IRQ 0 is the PLIC's "no interrupt"; seL4 refuses it.
  writeFileSync(file, `<system>\n  <protection_domain name="hello">\n    <program_image path="hello.elf" />\n    <irq irq="0" id="0" />\n  </protection_domain>\n</system>\n`);
  const riscv = cli("run", file, "--board", "qemu_virt_riscv64", "--search-path", "build/examples/hello/qemu_virt_riscv64/debug");
  expect(riscv.status).toBe(1);
  expect(riscv.stderr).toContain(`${file}:4:5: error: <irq irq="0">: the qemu_virt_riscv64 kernel accepts IRQ numbers 1 to 96 only\n`);
});

test("the SDK has kernel/gen_config.h, from which upstream Makefiles read the architecture", () => {
  for (const [board, arch] of [["qemu_virt_aarch64", "aarch64"], ["qemu_virt_riscv64", "riscv64"], ["odroidc4", "aarch64"]]) {
    const text = readFileSync(`build/sdk/board/${board}/debug/include/kernel/gen_config.h`, "utf8");
    // Upstream's Makefiles: grep 'CONFIG_SEL4_ARCH  ' | cut -d' ' -f4
    const line = text.split("\n").find((l) => l.includes("CONFIG_SEL4_ARCH  "))!;
    expect(line.split(" ")[3]).toBe(arch);
    expect(text).toContain("#define CONFIG_KERNEL_MCS  1\n");
  }
});

test("microkit.h gives a PD the whole kernel configuration, as upstream's libsel4 does (sDDF tests CONFIG_ARCH_* and CONFIG_PLAT_*)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
  const source = join(dir, "config.c");
  for (const [board, target, arch, plat] of [
    ["qemu_virt_aarch64", "aarch64-none-elf", "AARCH64", "QEMU_ARM_VIRT"],
    ["qemu_virt_riscv64", "riscv64-unknown-elf", "RISCV64", "QEMU_RISCV_VIRT"],
    ["odroidc4", "aarch64-none-elf", "AARCH64", "ODROIDC4"],
  ]) {
    writeFileSync(source, `#include <microkit.h>\n#if !defined(CONFIG_ARCH_${arch}) || !defined(CONFIG_PLAT_${plat}) || !defined(CONFIG_KERNEL_MCS)\n#error configuration missing\n#endif\n`);
    const r = spawnSync("clang", [`--target=${target}`, "-ffreestanding", "-fsyntax-only", "-Werror", `-Ibuild/sdk/board/${board}/debug/include`, source], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }
});

test("path_for_symbols: symbols to patch are found in the unstripped copy", () => {
  const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
  const built = "build/examples/hello/qemu_virt_riscv64/debug/hello.elf";
  expect(spawnSync("llvm-objcopy", ["--strip-all", built, join(dir, "stripped.elf")]).status).toBe(0);
  writeFileSync(join(dir, "hello.elf"), readFileSync(built));
  const file = join(dir, "s.system");
  writeFileSync(file, `<system>\n  <protection_domain name="hello">\n    <program_image path="stripped.elf" path_for_symbols="hello.elf" />\n  </protection_domain>\n</system>\n`);
  const r = cli("run", file, "--board", "qemu_virt_riscv64", "--search-path", dir, "--quiet");
  expect(r.stdout).toBe("hello, world\n");
  writeFileSync(file, `<system>\n  <protection_domain name="hello">\n    <program_image path="stripped.elf" />\n  </protection_domain>\n</system>\n`);
  expect(cli("run", file, "--board", "qemu_virt_riscv64", "--search-path", dir).stderr).toContain("stripped.elf does not define 'microkit_name'");
});

test("an image bundle carries the path_for_symbols file, so the image runs on its own", () => {
  const dir = mkdtempSync(join(tmpdir(), "mkemu-"));
  const built = "build/examples/hello/qemu_virt_aarch64/debug/hello.elf";
  expect(spawnSync("llvm-objcopy", ["--strip-all", built, join(dir, "stripped.elf")]).status).toBe(0);
  writeFileSync(join(dir, "hello.elf"), readFileSync(built));
  const file = join(dir, "s.system");
  writeFileSync(file, `<system>\n  <protection_domain name="hello">\n    <program_image path="stripped.elf" path_for_symbols="hello.elf" />\n  </protection_domain>\n</system>\n`);
  const image = join(mkdtempSync(join(tmpdir(), "mkemu-")), "loader.img");
  expect(cli("check", file, "--board", "qemu_virt_aarch64", "--search-path", dir, "-o", image).status).toBe(0);
  expect(cli("run", image, "--quiet").stdout).toBe("hello, world\n");
});
