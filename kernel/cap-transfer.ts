// Extra caps of a message: the sender names up to seL4_MsgMaxExtraCaps caps by cptr in its IPC
// buffer's caps_or_badges words; the kernel looks them up (lookupExtraCaps, seL4 src/object/tcb.c)
// for a kernel-object invocation or, when the endpoint cap has grant right, transfers them
// (transferCaps, seL4 src/kernel/thread.c): a cap to the very endpoint the message crosses is
// unwrapped into its badge, anything else goes into the one receive slot the receiver names.
import { WORD_BITS } from "./cap.js";
import { cteInsert, deriveSlotCap, lookupTargetSlot, slotCap } from "./cspace.js";
import type { Kernel } from "./kernel.js";
import { resolveAddressBits, type LookupFault, type Slot } from "./objects/cnode.js";
import type { Endpoint } from "./objects/endpoint.js";
import type { TCB } from "./objects/tcb.js";

export type ExtraCaps =
  | { readonly ok: true; readonly slots: readonly Slot[] }
  /** The cptr that failed and why: a cap fault when the syscall blocks. */
  | { readonly ok: false; readonly cptr: bigint; readonly fault: LookupFault };

const NO_CAPS: ExtraCaps = Object.freeze({ ok: true, slots: Object.freeze([]) });

/** The slot a thread names by cptr, resolving all 64 bits from its CSpace root (lookupSlot). */
export function lookupSlot(thread: TCB, cptr: bigint): { readonly ok: true; readonly slot: Slot } | { readonly ok: false; readonly fault: LookupFault } {
  const r = resolveAddressBits(thread.cspaceRoot, cptr, WORD_BITS);
  return r.ok ? { ok: true, slot: r.slot } : r;
}

function word(k: Kernel, buffer: DataView, field: string, i = 0): bigint {
  const f = k.abi.ipcBuffer.fields[field];
  if (f === undefined) throw new Error(`the ABI tables lack the IPC buffer field ${field}`);
  return buffer.getBigUint64(f.offset + 8 * i, true);
}

/** The `count` extra caps named in the buffer (lookupExtraCaps); without a buffer, none. */
export function lookupExtraCaps(k: Kernel, thread: TCB, buffer: DataView | undefined, count: number): ExtraCaps {
  if (buffer === undefined || count === 0) return NO_CAPS;
  const slots: Slot[] = [];
  for (let i = 0; i < count; i++) {
    const cptr = word(k, buffer, "caps_or_badges", i);
    const r = lookupSlot(thread, cptr);
    if (!r.ok) return { ok: false, cptr, fault: r.fault };
    slots.push(r.slot);
  }
  return { ok: true, slots };
}

/**
 * The empty slot the receiver offers for a cap (getReceiveSlots): receiveCNode is a cptr in its
 * CSpace naming a CNode, receiveIndex/receiveDepth a slot in that CNode. Any failure means no slot.
 */
function getReceiveSlot(k: Kernel, receiver: TCB, buffer: DataView): Slot | undefined {
  const root = lookupSlot(receiver, word(k, buffer, "receiveCNode"));
  if (!root.ok) return undefined;
  const r = lookupTargetSlot(slotCap(root.slot), word(k, buffer, "receiveIndex"), word(k, buffer, "receiveDepth"));
  if (!r.ok || slotCap(r.slot).type !== "null") return undefined;
  return r.slot;
}

/**
 * Moves the extra caps into the receiver (transferCaps). Caps to `endpoint` are unwrapped: their
 * badge goes into caps_or_badges[i] and bit i of capsUnwrapped is set. The first other cap is
 * derived into the receive slot; the transfer stops at the next cap that cannot go anywhere.
 * Returns the msginfo extraCaps (how many caps were handled) and capsUnwrapped.
 */
export function transferCaps(k: Kernel, caps: readonly Slot[], endpoint: Endpoint | undefined, receiver: TCB, receiveBuffer: DataView): { extraCaps: number; capsUnwrapped: number } {
  let dest = getReceiveSlot(k, receiver, receiveBuffer);
  let capsUnwrapped = 0;
  const badges = k.abi.ipcBuffer.fields["caps_or_badges"]!;
  let i = 0;
  for (; i < caps.length && i < k.abi.ipcBuffer.msgMaxExtraCaps; i++) {
    const slot = caps[i]!;
    const cap = slotCap(slot);
    if (cap.type === "endpoint" && endpoint !== undefined && cap.object === endpoint) {
      receiveBuffer.setBigUint64(badges.offset + 8 * i, cap.badge, true); // setExtraBadge
      capsUnwrapped |= 1 << i;
      continue;
    }
    if (dest === undefined) break;
    const derived = deriveSlotCap(slot, cap);
    if (!derived.ok || derived.cap.type === "null") break;
    cteInsert(k, derived.cap, slot, dest);
    dest = undefined;
  }
  return { extraCaps: i, capsUnwrapped };
}
