// The --trace stream: a header record, then one record per kernel event (kernel/events.ts), then an
// end record, as JSON lines (the schema is docs/trace.md) or as aligned text lines for people.
// Machine words (bigints) are written as "0x..." hex strings; counts and times as JSON numbers.
import { closeSync, openSync, writeSync } from "node:fs";
import { TRACE_VERSION, type KernelEvent } from "../kernel/events.js";

export type TraceFormat = "json" | "text";

/** What the header record says about the run (everything but `type` and `version`). */
export interface TraceHeader {
  readonly system: string;
  readonly board: string;
  readonly config: string;
  readonly arch: string;
  readonly sel4: string;
  readonly microkit: string;
  readonly pds: readonly { readonly name: string; readonly priority: number; readonly passive: boolean }[];
  readonly threads: readonly { readonly thread: string; readonly pd?: string; readonly priority: number; readonly state: string }[];
}

/** What the end record says: why the run stopped, when, after how many instructions. */
export interface TraceEnd {
  readonly time_ns: number;
  readonly stop: string;
  readonly instructions: number;
}

const words = (_key: string, value: unknown): unknown =>
  typeof value === "bigint" ? (value < 0n ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`) : value;

/** One JSON line (without the newline) for a header, event or end record. */
export function jsonRecord(record: object): string {
  return JSON.stringify(record, words);
}

function textValue(v: unknown): string {
  if (typeof v === "bigint") return `0x${v.toString(16)}`;
  if (typeof v === "object" && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}=${textValue(x)}`).join(" ")}}`;
  return String(v);
}

/** One text line: time, the thread it concerns, the event type, then its other fields as key=value. */
export function textRecord(e: KernelEvent): string {
  const rest = Object.entries(e)
    .filter(([k]) => k !== "type" && k !== "time_ns" && k !== "thread" && k !== "pd")
    .map(([k, v]) => `${k}=${textValue(v)}`);
  const who = "thread" in e && e.thread !== undefined ? e.thread : "-";
  return `${String(e.time_ns).padStart(12)} ns  ${who.padEnd(16)} ${e.type.padEnd(16)} ${rest.join(" ")}`.trimEnd();
}

/**
 * Writes a trace to a file (or to standard error for "-") as the run goes, buffered: records are
 * flushed in blocks and at the end.
 */
export class TraceWriter {
  private readonly fd: number;
  private readonly own: boolean;
  private pending: string[] = [];
  private size = 0;
  private closed = false;

  constructor(readonly path: string, readonly format: TraceFormat) {
    this.own = path !== "-";
    this.fd = this.own ? openSync(path, "w") : 2;
  }

  header(h: TraceHeader): void {
    if (this.format === "json") this.line(jsonRecord({ type: "header", version: TRACE_VERSION, generator: "microkit-emu", ...h }));
    else this.line(`trace version ${TRACE_VERSION}: ${h.system} on ${h.board} (${h.config}); PDs ${h.pds.map((p) => p.name).join(", ")}`);
  }

  readonly event = (e: KernelEvent): void => {
    this.line(this.format === "json" ? jsonRecord(e) : textRecord(e));
  };

  /** The end record, then everything is written and the file closed. */
  end(e: TraceEnd): void {
    this.line(this.format === "json" ? jsonRecord({ type: "end", ...e }) : `${String(e.time_ns).padStart(12)} ns  end: ${e.stop}, ${e.instructions} instructions`);
    this.close();
  }

  /** Writes what is buffered and closes the file (also after a failed run). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.own) closeSync(this.fd);
  }

  private line(text: string): void {
    this.pending.push(text, "\n");
    this.size += text.length + 1;
    // Standard error is not buffered, so the trace stays in order with the run's diagnostics.
    if (!this.own || this.size >= 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.size = 0;
  }
}
