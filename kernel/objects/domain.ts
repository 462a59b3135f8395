// The domain cap (seL4 src/object/domain.c): moves threads between scheduling domains and edits the
// domain schedule at run time. There is one such cap; it names no object.
import type { SyscallError } from "../errors.js";
import { invocationExtraCaps } from "../extra-caps.js";
import type { InvocationContext } from "../invocation.js";
import { DSCHED_MAX_DURATION, type Kernel } from "../kernel.js";
import { methodLayout } from "../abi.js";
import { argMr, capArg } from "../marshalling.js";
import { labelName } from "./tcb-invocation.js";
import type { TCB } from "./tcb.js";

export type DomainInvocation =
  | { readonly kind: "DomainSetSet"; readonly tcb: TCB; readonly domain: number }
  | { readonly kind: "DomainScheduleConfigure"; readonly index: number; readonly domain: number; readonly duration: bigint }
  | { readonly kind: "DomainScheduleSetStart"; readonly index: number };

type Decoded = { readonly ok: true; readonly invocation: DomainInvocation } | { readonly ok: false; readonly error: SyscallError };

const ok = (invocation: DomainInvocation): Decoded => ({ ok: true, invocation });
const fail = (error: SyscallError): Decoded => ({ ok: false, error });

export function decodeDomainInvocation(k: Kernel, ctx: InvocationContext): Decoded {
  const label = labelName(k, ctx.label);
  const buffer = k.ipcBuffer(ctx.thread, false);
  // The kernel reads whole words (getSyscallArg), whatever width the stub packs.
  const arg = (method: string, name: string): bigint => k.getMR(ctx.thread, buffer, argMr(methodLayout(k.abi.arch, method), name));
  const numDomains = BigInt(k.numDomains);
  const scheduleLength = BigInt(k.domainScheduleLength);
  switch (label) {
    case "DomainSetSet": {
      if (ctx.length === 0) return fail({ type: "seL4_TruncatedMessage" });
      const domain = arg(label, "domain");
      if (domain >= numDomains) return fail({ type: "seL4_InvalidArgument", argument: 0 });
      const thread = invocationExtraCaps(ctx)[capArg(methodLayout(k.abi.arch, label), "thread")];
      if (thread === undefined) return fail({ type: "seL4_TruncatedMessage" });
      if (thread.type !== "tcb") return fail({ type: "seL4_InvalidArgument", argument: 1 });
      return ok({ kind: label, tcb: thread.object, domain: Number(domain) });
    }
    case "DomainScheduleConfigure": {
      if (ctx.length < methodLayout(k.abi.arch, label).msgLength) return fail({ type: "seL4_TruncatedMessage" });
      const index = arg(label, "index");
      const domain = arg(label, "domain");
      const duration = arg(label, "duration");
      // The last entry stays an end marker.
      if (index >= scheduleLength - 1n) return fail({ type: "seL4_RangeError", min: 0n, max: scheduleLength - 2n });
      if (domain >= numDomains) return fail({ type: "seL4_RangeError", min: 0n, max: numDomains - 1n });
      if (duration > DSCHED_MAX_DURATION) return fail({ type: "seL4_InvalidArgument", argument: 2 });
      if (duration === 0n && domain !== 0n) return fail({ type: "seL4_InvalidArgument", argument: 1 });
      if (index === BigInt(k.domainScheduleStart) && duration === 0n) return fail({ type: "seL4_InvalidArgument", argument: 2 });
      return ok({ kind: label, index: Number(index), domain: Number(domain), duration });
    }
    case "DomainScheduleSetStart": {
      if (ctx.length < 1) return fail({ type: "seL4_TruncatedMessage" });
      const index = arg(label, "index");
      if (index >= scheduleLength) return fail({ type: "seL4_RangeError", min: 0n, max: scheduleLength - 1n });
      if (k.isDomainScheduleEnd(Number(index))) return fail({ type: "seL4_InvalidArgument", argument: 0 });
      return ok({ kind: label, index: Number(index) });
    }
    default:
      return fail({ type: "seL4_IllegalOperation" });
  }
}

export function performDomainInvocation(k: Kernel, inv: DomainInvocation): void {
  switch (inv.kind) {
    case "DomainSetSet":
      k.setDomain(inv.tcb, inv.domain);
      break;
    case "DomainScheduleConfigure":
      k.configureDomainSchedule(inv.index, inv.domain, inv.duration);
      break;
    case "DomainScheduleSetStart":
      k.setDomainScheduleStart(inv.index);
      break;
  }
}
