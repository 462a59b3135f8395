import { describe, expect, test } from "vitest";
import { shortCount, STATUS_DELAY_MS, StatusLine, statusText } from "../../emulator/status-line.js";

const progress = { virtualTimeNs: 4_863_423_000, instructions: 4_759_488_177, syscalls: 2_721_297 };

describe("the progress line of a long run on a terminal", () => {
  test("counts are short: G, M and k with three digits", () => {
    expect(shortCount(4_759_488_177)).toBe("4.76 G");
    expect(shortCount(2_721_297)).toBe("2.72 M");
    expect(shortCount(1_500)).toBe("1.50 k");
    expect(shortCount(812)).toBe("812");
  });

  test("it says how long the run has taken, the virtual time, instructions and syscalls", () => {
    expect(statusText(progress, 12_400)).toBe("microkit-emu: 12 s running, 4.863 s virtual, 4.76 G instructions, 2.72 M syscalls");
  });

  test("it appears only after the delay, is rewritten in place, fits the terminal, and is erased before other output", () => {
    const out: string[] = [];
    let now = 0;
    const line = new StatusLine((s) => out.push(s), () => 40, (s) => s, () => now);
    line.report(progress);
    line.clear();
    expect(out).toEqual([]); // not yet shown: nothing to draw or erase
    now = STATUS_DELAY_MS + 1;
    line.report(progress);
    expect(out).toHaveLength(1);
    expect(out[0]!.startsWith("\r")).toBe(true);
    expect(out[0]!.endsWith("\x1b[K")).toBe(true);
    expect(out[0]!.slice(1, -3)).toHaveLength(39);
    line.clear();
    line.clear();
    expect(out.slice(1)).toEqual(["\r\x1b[K"]);
  });
});
