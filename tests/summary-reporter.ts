// Ends the run with one plain line, `tests: N passed, N failed`, that any CI log reader can count.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    const failedModules = modules.filter((m) => m.state() === "failed" && m.children.size === 0).length;
    process.stdout.write(`\ntests: ${passed} passed, ${failed + failedModules} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`);
  }
}
