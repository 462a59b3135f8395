// A one-line progress display for long runs on a terminal: it appears after a second, is rewritten
// in place, and steps aside (is erased) whenever something else is printed, so the system's output
// and the summary are never mixed with it.
import type { RunProgress } from "./machine.js";

/** How long a run goes before the status line appears, and how often it is redrawn (ms of host time). */
export const STATUS_DELAY_MS = 1000;
export const STATUS_EVERY_MS = 250;

const SCALES: readonly [number, string][] = [[1e9, " G"], [1e6, " M"], [1e3, " k"]];

/** 4759488177 → "4.76 G", 2721297 → "2.72 M", 812 → "812". */
export function shortCount(n: number): string {
  for (const [scale, suffix] of SCALES) if (n >= scale) return (n / scale).toPrecision(3) + suffix;
  return String(n);
}

/** The status text: virtual time, instructions, syscalls, and how long the run has taken. */
export function statusText(p: RunProgress, hostMs: number): string {
  return `microkit-emu: ${Math.floor(hostMs / 1000)} s running, ${(p.virtualTimeNs / 1e9).toFixed(3)} s virtual, ` +
    `${shortCount(p.instructions)} instructions, ${shortCount(p.syscalls)} syscalls`;
}

export class StatusLine {
  private shown = false;
  private readonly start: number;

  constructor(
    private readonly write: (s: string) => void,
    /** The terminal's width: a longer line would wrap, and \r could not erase it. */
    private readonly columns: () => number,
    private readonly paint: (s: string) => string = (s) => s,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.start = clock();
  }

  /** Redraws the line with the run's progress, once the run has gone on for STATUS_DELAY_MS. */
  readonly report = (p: RunProgress): void => {
    const hostMs = this.clock() - this.start;
    if (hostMs < STATUS_DELAY_MS) return;
    this.write(`\r${this.paint(statusText(p, hostMs).slice(0, Math.max(0, this.columns() - 1)))}\x1b[K`);
    this.shown = true;
  };

  /** Erases the line (before other output, and at the end of the run). */
  clear(): void {
    if (!this.shown) return;
    this.write("\r\x1b[K");
    this.shown = false;
  }
}
