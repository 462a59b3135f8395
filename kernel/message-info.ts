// seL4_MessageInfo_t: one word of bitfields whose offsets come from the ABI tables.
import type { KernelAbi } from "./abi.js";

export interface MessageInfo {
  readonly label: bigint;
  readonly capsUnwrapped: number;
  readonly extraCaps: number;
  readonly length: number;
}

function field(word: bigint, f: { offset: number; width: number }): bigint {
  return (word >> BigInt(f.offset)) & ((1n << BigInt(f.width)) - 1n);
}

function put(value: bigint, f: { offset: number; width: number }): bigint {
  return (value & ((1n << BigInt(f.width)) - 1n)) << BigInt(f.offset);
}

export function decodeMessageInfo(abi: KernelAbi, word: bigint): MessageInfo {
  const f = abi.messageInfo;
  return {
    label: field(word, f.label),
    capsUnwrapped: Number(field(word, f.capsUnwrapped)),
    extraCaps: Number(field(word, f.extraCaps)),
    length: Number(field(word, f.length)),
  };
}

export function encodeMessageInfo(abi: KernelAbi, info: MessageInfo): bigint {
  const f = abi.messageInfo;
  return put(info.label, f.label) | put(BigInt(info.capsUnwrapped), f.capsUnwrapped) | put(BigInt(info.extraCaps), f.extraCaps) | put(BigInt(info.length), f.length);
}
