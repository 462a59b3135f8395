// Capabilities: what a CNode slot holds. Field names follow seL4's cap types (structures_64.bf).
import type { CNode } from "./objects/cnode.js";
import type { Endpoint } from "./objects/endpoint.js";
import type { IRQHandler } from "./objects/interrupt.js";
import type { Notification } from "./objects/notification.js";
import type { Reply } from "./objects/reply.js";
import type { SchedContext } from "./objects/schedcontext.js";
import type { TCB } from "./objects/tcb.js";

export interface CapRights {
  readonly write: boolean;
  readonly read: boolean;
  readonly grant: boolean;
  readonly grantReply: boolean;
}

export const ALL_RIGHTS: CapRights = Object.freeze({ write: true, read: true, grant: true, grantReply: true });

export type Cap =
  | { readonly type: "null" }
  | { readonly type: "endpoint"; readonly object: Endpoint; readonly badge: bigint; readonly rights: CapRights }
  | { readonly type: "notification"; readonly object: Notification; readonly badge: bigint; readonly rights: CapRights }
  | { readonly type: "reply"; readonly object: Reply; readonly canGrant: boolean }
  | { readonly type: "cnode"; readonly object: CNode; readonly guard: bigint; readonly guardSize: number }
  | { readonly type: "tcb"; readonly object: TCB }
  | { readonly type: "sched_context"; readonly object: SchedContext }
  | { readonly type: "irq_handler"; readonly object: IRQHandler }
  /** An address space root; the model keeps the mappings on the emulator side. */
  | { readonly type: "vspace"; readonly object: unknown };

export type CapType = Cap["type"];

export const NULL_CAP: Cap = Object.freeze({ type: "null" });
