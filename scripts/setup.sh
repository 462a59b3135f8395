#!/usr/bin/env bash
# Sets microkit-emu up on a Debian machine, doing only what is missing or out of date:
# Debian packages (the Unicorn engine, clang/lld/llvm for PD code, dtc to check device trees), npm packages, the native CPU
# helper, the TypeScript build, and every example for every emulated board (debug config).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

packages=(libunicorn2 libunicorn-dev clang lld llvm make gcc device-tree-compiler)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    say "missing Debian packages; install them with:"
    say "  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p build/native
if [ ! -f build/native/libmkcpu.so ] || [ emulator/native/mkcpu.c -nt build/native/libmkcpu.so ]; then
  say "building the native CPU helper"
  cc -O2 -fPIC -shared -Wall -Wextra -Werror -o build/native/libmkcpu.so emulator/native/mkcpu.c -lunicorn
fi

npx tsc -p .

for board in qemu_virt_aarch64 qemu_virt_riscv64 odroidc4; do
  make -s --no-print-directory -f scripts/pd.mk BOARD="$board" CONFIG=debug -j"$(nproc)"
done

# Root-task test programs (tests/roottasks/): for the two sel4test kernel configurations, and for
# Microkit's AArch64 debug kernel (the hypervisor one).
for config in sel4test-aarch64 sel4test-riscv64 qemu_virt_aarch64; do
  make -s --no-print-directory -f scripts/roottask.mk CONFIG="$config" -j"$(nproc)"
done

# The SDK's bin/microkit: upstream's tool interface (<system> --board B --config C -o IMAGE -r REPORT
# --search-path DIR...), answered by `microkit-emu check`; the IMAGE runs with `microkit-emu run IMAGE`.
mkdir -p build/sdk/bin
tool="build/sdk/bin/microkit"
want="#!/bin/sh
exec node \"$(pwd)/bin/microkit-emu.js\" check \"\$@\""
if [ ! -f "$tool" ] || [ "$(cat "$tool")" != "$want" ]; then
  printf '%s\n' "$want" > "$tool"
  chmod +x "$tool"
fi
