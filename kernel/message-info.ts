// seL4_MessageInfo_t: one word of bitfields whose offsets come from the ABI tables. Decoding runs
// on every IPC, so each architecture's shifts and masks are computed once.
import type { KernelAbi } from "./abi.js";

export interface MessageInfo {
  readonly label: bigint;
  readonly capsUnwrapped: number;
  readonly extraCaps: number;
  readonly length: number;
}

interface Field {
  readonly shift: bigint;
  readonly mask: bigint;
}

type Layout = Readonly<Record<"label" | "capsUnwrapped" | "extraCaps" | "length", Field>> & {
  /** The label field in place (mask << shift). */
  readonly labelBits: bigint;
};

const layouts = new WeakMap<KernelAbi["messageInfo"], Layout>();
/** The layout asked for last: a system has one ABI, so this spares the WeakMap on the IPC path. */
let last: { readonly key: KernelAbi["messageInfo"]; readonly layout: Layout } | undefined;

function layout(abi: KernelAbi): Layout {
  if (last?.key === abi.messageInfo) return last.layout;
  let l = layouts.get(abi.messageInfo);
  if (l === undefined) {
    const f = (name: keyof KernelAbi["messageInfo"]): Field => ({
      shift: BigInt(abi.messageInfo[name].offset),
      mask: (1n << BigInt(abi.messageInfo[name].width)) - 1n,
    });
    const label = f("label");
    l = { label, capsUnwrapped: f("capsUnwrapped"), extraCaps: f("extraCaps"), length: f("length"), labelBits: label.mask << label.shift };
    layouts.set(abi.messageInfo, l);
  }
  last = { key: abi.messageInfo, layout: l };
  return l;
}

const get = (word: bigint, f: Field): bigint => (word >> f.shift) & f.mask;
const put = (value: bigint, f: Field): bigint => (value & f.mask) << f.shift;

export function decodeMessageInfo(abi: KernelAbi, word: bigint): MessageInfo {
  const l = layout(abi);
  return {
    label: get(word, l.label),
    capsUnwrapped: Number(get(word, l.capsUnwrapped)),
    extraCaps: Number(get(word, l.extraCaps)),
    length: Number(get(word, l.length)),
  };
}

/** The length field of a message-info word (no MessageInfo object: this runs on every IPC). */
export function infoLength(abi: KernelAbi, word: bigint): number {
  return Number(get(word, layout(abi).length));
}

/** The extraCaps field of a message-info word. */
export function infoExtraCaps(abi: KernelAbi, word: bigint): number {
  return Number(get(word, layout(abi).extraCaps));
}

/** encodeMessageInfo({ label of `word`, no caps, `length` }), from the word itself. */
export function plainMessageInfo(abi: KernelAbi, word: bigint, length: number): bigint {
  const l = layout(abi);
  return (word & l.labelBits) | put(BigInt(length), l.length);
}

export function encodeMessageInfo(abi: KernelAbi, info: MessageInfo): bigint {
  const l = layout(abi);
  return put(info.label, l.label) | put(BigInt(info.capsUnwrapped), l.capsUnwrapped) | put(BigInt(info.extraCaps), l.extraCaps) | put(BigInt(info.length), l.length);
}
