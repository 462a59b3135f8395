// The "system image" our SDK's bin/microkit writes where upstream's tool writes a bootable image:
// one file holding the system description, every program image and prefill file under the names
// the SDF uses, and the board and config it was checked for. `microkit-emu run IMAGE` unpacks it
// into a temporary folder and runs it there, so upstream Makefiles that end in `microkit ... -o
// loader.img` work unchanged.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize, isAbsolute, basename } from "node:path";

const FORMAT = "microkit-emu-image";
const VERSION = 1;

export interface ImageBundle {
  readonly board: string;
  readonly config: string;
  readonly systemName: string;
  readonly system: string;
  /** File contents by the path the SDF names them with. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export function writeBundle(path: string, b: ImageBundle): void {
  const files = Object.fromEntries([...b.files].map(([name, bytes]) => [name, Buffer.from(bytes).toString("base64")]));
  writeFileSync(path, JSON.stringify({ format: FORMAT, version: VERSION, board: b.board, config: b.config, systemName: b.systemName, system: b.system, files }) + "\n");
}

/** The bundle in a file, or undefined when the file is not one (a .system file, say). */
export function readBundle(path: string): ImageBundle | undefined {
  const head = readFileSync(path).subarray(0, 64).toString("utf8");
  if (!head.startsWith(`{"format":"${FORMAT}"`)) return undefined;
  const raw = JSON.parse(readFileSync(path, "utf8")) as { version: number; board: string; config: string; systemName: string; system: string; files: Record<string, string> };
  if (raw.version !== VERSION) throw new Error(`${path}: image format version ${raw.version}; this microkit-emu reads version ${VERSION}`);
  return {
    board: raw.board, config: raw.config, systemName: raw.systemName, system: raw.system,
    files: new Map(Object.entries(raw.files).map(([name, b64]) => [name, new Uint8Array(Buffer.from(b64, "base64"))])),
  };
}

/** Writes the bundle's files into a new temporary folder; returns the system file's path there. */
export function unpackBundle(b: ImageBundle): string {
  const dir = mkdtempSync(join(tmpdir(), "microkit-emu-image-"));
  const place = (name: string): string => {
    const rel = normalize(name);
    if (isAbsolute(rel) || rel.startsWith("..")) return join(dir, basename(rel));
    return join(dir, rel);
  };
  const systemPath = place(b.systemName);
  mkdirSync(dirname(systemPath), { recursive: true });
  writeFileSync(systemPath, b.system);
  for (const [name, bytes] of b.files) {
    const p = place(name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
  return systemPath;
}
