// Host input for the board's UART, delivered as a terminal with flow control would: a byte enters
// the receive FIFO only when the device has room, at a virtual-time point of the machine loop, so
// nothing is lost and a run with the same input is the same run. A system waiting for input is not
// idle until the input has ended.
import { readSync } from "node:fs";

/** Reads the next chunk of input, blocking until there is one; null at end of input. */
export type InputSource = () => Uint8Array | null;

export function bytesSource(bytes: Uint8Array): InputSource {
  let given = false;
  return () => {
    if (given) return null;
    given = true;
    return bytes;
  };
}

/** Standard input (a pipe or a terminal), read only when the system waits for it. */
export function stdinSource(fd = 0): InputSource {
  const chunk = new Uint8Array(64 * 1024);
  return () => {
    for (;;) {
      try {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        return n === 0 ? null : chunk.slice(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a non-blocking fd: poll
          continue;
        }
        if (code === "EOF") return null;
        throw e;
      }
    }
  };
}

export class ConsoleInput {
  private pending: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private ended = false;
  delivered = 0;

  constructor(
    private readonly source: InputSource,
    private readonly target: { receive(byte: number): boolean },
  ) {}

  /** Moves buffered bytes into the device while it has room. */
  feed(): void {
    while (this.offset < this.pending.length && this.target.receive(this.pending[this.offset]!)) {
      this.offset++;
      this.delivered++;
    }
  }

  /**
   * Called when nothing else can happen: reads more input if all buffered input was taken.
   * False when no input can ever arrive (ended) or the device cannot take what is buffered.
   */
  waitForMore(): boolean {
    if (this.offset < this.pending.length || this.ended) return false;
    const next = this.source();
    if (next === null) {
      this.ended = true;
      return false;
    }
    this.pending = next;
    this.offset = 0;
    return true;
  }
}
