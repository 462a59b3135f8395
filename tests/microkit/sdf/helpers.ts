// Reads a fixture of tests/microkit/sdf/fixtures against a board and config, the way the CLI does:
// prefill files are searched in fixtures/prefill. Problems are given as "line:column: message".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sdfBoard } from "../../../microkit/sdf/board.js";
import type { SdfError, SystemDescription } from "../../../microkit/sdf/model.js";
import { parseSystem, type ParseResult } from "../../../microkit/sdf/parse.js";

export const FIXTURES = join("tests", "microkit", "sdf", "fixtures");
export const PREFILL = join(FIXTURES, "prefill");

/** `board` is a board name, optionally with "/config" (default debug). */
export function parseFixture(fixture: string, board = "qemu_virt_aarch64"): ParseResult {
  return parseSource(fixture, readFileSync(join(FIXTURES, fixture)), board);
}

export function parseSource(file: string, source: string | Uint8Array, board = "qemu_virt_aarch64"): ParseResult {
  const [name, config = "debug"] = board.split("/") as [string, string?];
  const facts = sdfBoard(name, config);
  if (facts === undefined) throw new Error(`no board ${board}`);
  return parseSystem(file, source, { board: facts, searchPaths: [PREFILL] });
}

export const located = (e: SdfError): string => `${e.line}:${e.column}: ${e.message}`;

/** The errors of a fixture that must be refused. */
export function rejects(fixture: string, board?: string): string[] {
  const r = parseFixture(fixture, board);
  if (r.ok) throw new Error(`${fixture} was accepted on ${board ?? "the default board"}`);
  return r.errors.map(located);
}

/** The system and warnings of a fixture that must be accepted. */
export function accepts(fixture: string, board?: string): { system: SystemDescription; warnings: string[] } {
  const r = parseFixture(fixture, board);
  if (!r.ok) throw new Error(`${fixture} was refused on ${board ?? "the default board"}:\n${r.errors.map(located).join("\n")}`);
  return { system: r.system, warnings: r.warnings.map(located) };
}
