// The system's console: bytes from the kernel's debug console (seL4_DebugPutChar) and from board
// UARTs, assembled into lines per source. By default every source goes to the output unlabelled;
// one source can be selected, or each line labelled with its source.
export type ConsoleMode = { readonly kind: "all" } | { readonly kind: "labels" } | { readonly kind: "only"; readonly source: string };

/** The kernel debug console's source name. */
export const DEBUG_CONSOLE = "debug";

export class Console {
  private readonly partial = new Map<string, number[]>();
  /** Sources whose current line was already started on the output (by an early flush). */
  private readonly midLine = new Set<string>();
  private readonly decoder = new TextDecoder();
  readonly sources = new Set<string>();

  constructor(
    private readonly mode: ConsoleMode,
    private readonly emit: (text: string) => void,
  ) {}

  put(source: string, byte: number): void {
    this.sources.add(source);
    if (this.mode.kind === "only" && this.mode.source !== source) return;
    let line = this.partial.get(source);
    if (line === undefined) {
      line = [];
      this.partial.set(source, line);
    }
    line.push(byte & 0xff);
    if (byte === 10) this.flushSource(source, line);
  }

  /** Emits every unfinished line (at the end of a run). */
  flush(): void {
    for (const [source, line] of this.partial) if (line.length > 0) this.flushSource(source, line);
  }

  private flushSource(source: string, line: number[]): void {
    const text = this.decoder.decode(Uint8Array.from(line));
    line.length = 0;
    const label = this.mode.kind === "labels" && !this.midLine.has(source) ? `[${source}] ` : "";
    if (text.endsWith("\n")) this.midLine.delete(source);
    else this.midLine.add(source);
    this.emit(label + text);
  }
}
