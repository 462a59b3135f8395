// A flattened device tree (DTB) writer, version 17 of the Devicetree Specification's format
// (chapter 5, "Flattened Devicetree (DTB) Format"): header, memory reservation block, structure
// block, strings block; every number big-endian.

/** A property value: raw bytes, a string, a string list, or 32-bit cells. */
export type PropValue = Uint8Array | string | readonly string[] | { readonly cells: readonly (number | bigint)[] };

export interface DtNode {
  /** node-name@unit-address; "" for the root. */
  readonly name: string;
  readonly props: readonly (readonly [string, PropValue])[];
  readonly children: readonly DtNode[];
}

export const node = (name: string, props: DtNode["props"], children: DtNode["children"] = []): DtNode => ({ name, props, children });

/** <cells>: each value one big-endian 32-bit cell. */
export const cells = (...values: (number | bigint)[]): PropValue => ({ cells: values });

/** A 64-bit address or size as two cells (#address-cells = <2>). */
export const u64 = (v: bigint): bigint[] => [v >> 32n, v & 0xffff_ffffn];

/** An empty (boolean) property. */
export const FLAG: PropValue = new Uint8Array(0);

const MAGIC = 0xd00dfeed;
const VERSION = 17;
const LAST_COMPATIBLE_VERSION = 16;
const HEADER_BYTES = 40;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;

const text = new TextEncoder();

function valueBytes(v: PropValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return text.encode(`${v}\0`);
  if ("cells" in v) {
    const out = new Uint8Array(4 * v.cells.length);
    const view = new DataView(out.buffer);
    v.cells.forEach((c, i) => {
      const n = BigInt(c);
      if (n < 0n || n > 0xffff_ffffn) throw new Error(`device tree cell ${n} does not fit 32 bits`);
      view.setUint32(4 * i, Number(n));
    });
    return out;
  }
  return text.encode((v as readonly string[]).map((s) => `${s}\0`).join(""));
}

/** Bytes that grow in 4-byte words (the structure block's alignment). */
class Words {
  private bytes: number[] = [];
  u32(v: number): void {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  raw(b: Uint8Array): void {
    for (const x of b) this.bytes.push(x);
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
  }
  get data(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/**
 * The DTB of a tree. Property names are stored once in the strings block; `reserved` lists the
 * memory reservation block's entries (address, size).
 */
export function encodeDtb(root: DtNode, reserved: readonly { readonly address: bigint; readonly size: bigint }[] = []): Uint8Array {
  const structure = new Words();
  const strings: number[] = [];
  const offsets = new Map<string, number>();
  const nameOffset = (name: string): number => {
    let off = offsets.get(name);
    if (off === undefined) {
      off = strings.length;
      offsets.set(name, off);
      for (const b of text.encode(`${name}\0`)) strings.push(b);
    }
    return off;
  };
  const walk = (n: DtNode): void => {
    structure.u32(FDT_BEGIN_NODE);
    structure.raw(text.encode(`${n.name}\0`));
    for (const [name, value] of n.props) {
      const bytes = valueBytes(value);
      structure.u32(FDT_PROP);
      structure.u32(bytes.length);
      structure.u32(nameOffset(name));
      structure.raw(bytes);
    }
    for (const c of n.children) walk(c);
    structure.u32(FDT_END_NODE);
  };
  walk(root);
  structure.u32(FDT_END);
  const struct = structure.data;

  const rsvOffset = HEADER_BYTES; // 8-byte aligned
  const rsvBytes = 16 * (reserved.length + 1);
  const structOffset = rsvOffset + rsvBytes;
  const stringsOffset = structOffset + struct.length;
  const total = stringsOffset + strings.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  [MAGIC, total, structOffset, stringsOffset, rsvOffset, VERSION, LAST_COMPATIBLE_VERSION, 0, strings.length, struct.length]
    .forEach((v, i) => view.setUint32(4 * i, v));
  reserved.forEach((r, i) => {
    view.setBigUint64(rsvOffset + 16 * i, r.address);
    view.setBigUint64(rsvOffset + 16 * i + 8, r.size);
  });
  out.set(struct, structOffset);
  out.set(strings, stringsOffset);
  return out;
}

/** The child of `n` called `name` (its node name before any @unit-address). */
export function childNamed(n: DtNode, name: string): DtNode | undefined {
  return n.children.find((c) => c.name === name || c.name.startsWith(`${name}@`));
}

/** A property's 32-bit cells, if it has that property and it is written as cells. */
export function propCells(n: DtNode, prop: string): bigint[] | undefined {
  const v = n.props.find(([name]) => name === prop)?.[1];
  return v !== undefined && typeof v === "object" && "cells" in v ? v.cells.map((c) => BigInt(c)) : undefined;
}
