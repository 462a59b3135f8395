// The debug kernel's lines for refused invocations (kernel/user-error.ts), reduced to what a test
// compares: the invocation and the error, in order.
const LINE = /^<<seL4\(CPU 0\) \[(.+?) T[0-9a-fx]+ "[^"]*" @[0-9a-f]+\]: .*\((\w+)\)>>$/;

/** "ARMPageMap FailedLookup" for each refusal line among the diagnostics; other lines are left out. */
export function refusals(diagnostics: readonly string[]): string[] {
  return diagnostics.flatMap((l) => {
    const m = LINE.exec(l);
    return m === null ? [] : [`${m[1]} ${m[2]}`];
  });
}
