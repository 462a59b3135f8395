// The domain cap (seL4 src/object/domain.c decodeDomainInvocation): moves a thread to a scheduling
// domain and edits the domain schedule. Decode checks in seL4's order; the Kernel does the rest.
import type { SyscallError } from "../errors.js";
import { invocationExtraCaps } from "../extra-caps.js";
import { InvocationArgs } from "../invocation-args.js";
import type { InvocationContext } from "../invocation.js";
import { DSCHED_MAX_DURATION, type Kernel } from "../kernel.js";
import type { TCB } from "./tcb.js";
import { labelName } from "./tcb-invocation.js";

export type DomainInvocation =
  | { readonly kind: "DomainSetSet"; readonly tcb: TCB; readonly domain: number }
  | { readonly kind: "DomainScheduleConfigure"; readonly index: number; readonly domain: number; readonly duration: bigint }
  | { readonly kind: "DomainScheduleSetStart"; readonly index: number };

type Decoded = { readonly ok: true; readonly invocation: DomainInvocation } | { readonly ok: false; readonly error: SyscallError };

const fail = (error: SyscallError): Decoded => ({ ok: false, error });
const ok = (invocation: DomainInvocation): Decoded => ({ ok: true, invocation });
const TRUNCATED: SyscallError = { type: "seL4_TruncatedMessage" };

export function decodeDomainInvocation(k: Kernel, ctx: InvocationContext): Decoded {
  const label = labelName(k, ctx.label);
  switch (label) {
    case "DomainSetSet": {
      const args = new InvocationArgs(k, ctx, label);
      if (ctx.length === 0) return fail(TRUNCATED);
      const domain = args.word("domain");
      if (domain >= BigInt(k.numDomains)) return fail({ type: "seL4_InvalidArgument", argument: 0 });
      const thread = invocationExtraCaps(ctx)[args.capIndex("thread")];
      if (thread === undefined) return fail(TRUNCATED);
      if (thread.type !== "tcb") return fail({ type: "seL4_InvalidArgument", argument: 1 });
      return ok({ kind: "DomainSetSet", tcb: thread.object, domain: Number(domain) });
    }
    case "DomainScheduleConfigure": {
      const args = new InvocationArgs(k, ctx, label);
      if (ctx.length < args.layout.msgLength) return fail(TRUNCATED);
      const index = args.word("index");
      const domain = args.word("domain");
      const duration = args.word("duration");
      const length = BigInt(k.domainScheduleLength);
      if (index >= length - 1n) return fail({ type: "seL4_RangeError", min: 0n, max: length - 2n });
      if (domain >= BigInt(k.numDomains)) return fail({ type: "seL4_RangeError", min: 0n, max: BigInt(k.numDomains - 1) });
      if (duration > DSCHED_MAX_DURATION) return fail({ type: "seL4_InvalidArgument", argument: 2 });
      if (duration === 0n && domain !== 0n) return fail({ type: "seL4_InvalidArgument", argument: 1 });
      if (index === BigInt(k.domainScheduleStart) && duration === 0n) return fail({ type: "seL4_InvalidArgument", argument: 2 });
      return ok({ kind: "DomainScheduleConfigure", index: Number(index), domain: Number(domain), duration });
    }
    case "DomainScheduleSetStart": {
      const args = new InvocationArgs(k, ctx, label);
      if (ctx.length < 1) return fail(TRUNCATED);
      const index = args.word("index");
      const length = BigInt(k.domainScheduleLength);
      if (index >= length) return fail({ type: "seL4_RangeError", min: 0n, max: length - 1n });
      if (k.isDomainEndMarker(Number(index))) return fail({ type: "seL4_InvalidArgument", argument: 0 });
      return ok({ kind: "DomainScheduleSetStart", index: Number(index) });
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
