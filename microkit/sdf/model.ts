// The validated system description: every default applied, nothing left implicit.
import type { Location } from "./xml.js";

export interface ProgramImage {
  readonly path: string;
  readonly pathForSymbols: string | undefined;
  readonly loc: Location;
}

export interface ProtectionDomain {
  readonly name: string;
  /** Position in SDF order: the monitor's PD index, and the source of fault/SC badges. */
  readonly index: number;
  readonly priority: number;
  readonly budgetUs: bigint;
  readonly periodUs: bigint;
  readonly passive: boolean;
  readonly stackSize: bigint;
  readonly fpu: boolean;
  readonly cpu: number;
  readonly programImage: ProgramImage;
  readonly loc: Location;
}

export interface ChannelEnd {
  readonly pd: string;
  readonly id: number;
  readonly pp: boolean;
  readonly notify: boolean;
  readonly loc: Location;
}

export interface Channel {
  readonly ends: readonly [ChannelEnd, ChannelEnd];
  readonly loc: Location;
}

export interface SystemDescription {
  readonly file: string;
  readonly protectionDomains: readonly ProtectionDomain[];
  readonly channels: readonly Channel[];
}

/** A located problem in an SDF: printed as `file:line:column: error: message`. */
export interface SdfError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatSdfError(e: SdfError): string {
  return `${e.file}:${e.line}:${e.column}: error: ${e.message}`;
}
