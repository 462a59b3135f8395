// Reading an invocation's arguments where marshalling.json says libsel4 puts them. The kernel reads
// whole message words (seL4 getSyscallArg): a seL4_Uint8 depth travels masked by the stub, but a
// hand-made message may hold any word there, and decode checks the word it finds.
import { methodLayout, type MethodLayout } from "./abi.js";
import type { InvocationContext } from "./invocation.js";
import type { Kernel } from "./kernel.js";

export class InvocationArgs {
  readonly layout: MethodLayout;
  private readonly buffer: DataView | undefined;

  constructor(private readonly k: Kernel, private readonly ctx: InvocationContext, label: string) {
    this.layout = methodLayout(k.abi.arch, label);
    this.buffer = ctx.length > k.abi.roles.mrs.length ? k.ipcBuffer(ctx.thread, false) : undefined;
  }

  private mrIndex(name: string): number {
    const p = this.layout.params[name];
    if (p === undefined || !("mr" in p)) throw new Error(`${this.layout.label} has no message-register argument ${name}`);
    return p.mr;
  }

  /** The message length that carries argument `name`: decode answers TruncatedMessage below it. */
  lengthFor(name: string): number {
    return this.mrIndex(name) + 1;
  }

  /** The whole message word that carries argument `name` (getSyscallArg). */
  word(name: string): bigint {
    return this.k.getMR(this.ctx.thread, this.buffer, this.mrIndex(name));
  }

  /** Which extra cap (caps_or_badges index) carries argument `name`. */
  capIndex(name: string): number {
    const p = this.layout.params[name];
    if (p === undefined || !("cap" in p)) throw new Error(`${this.layout.label} has no cap argument ${name}`);
    return p.cap;
  }
}
