// The extra caps of an invocation as caps: the syscall layer looked up their slots (ctx.extraCaps,
// seL4 lookupExtraCaps); decoders of TCB and scheduling-context invocations only need the caps.
import type { Cap } from "./cap.js";
import type { InvocationContext } from "./invocation.js";
import { slotCap } from "./objects/cnode.js";

export function invocationExtraCaps(ctx: InvocationContext): readonly Cap[] {
  return ctx.extraCaps.map(slotCap);
}
