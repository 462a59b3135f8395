#!/usr/bin/env node
// Entry point: runs the compiled CLI (the set-up compiles it into build/dist).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "build", "dist", "emulator", "cli.js");
if (!existsSync(cli)) {
  process.stderr.write("microkit-emu: not set up yet: run `npm start` (or `bash scripts/setup.sh`) in the repository first\n");
  process.exit(1);
}
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = main(process.argv.slice(2));
