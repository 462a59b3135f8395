// Writes a generated file only when its content changes (atomically, via a rename), so make sees
// an unchanged header as up to date and rebuilds nothing.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function writeIfChanged(file, text) {
  let old = null;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    /* not there yet */
  }
  if (old === text) return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
