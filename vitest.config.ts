import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Each engine is native and single-threaded; forks keep one crashing test from taking the rest.
    pool: "forks",
    // End-to-end tests run real systems; on a busy or slow machine some take seconds. A hang still fails.
    testTimeout: 30_000,
    reporters: ["default", "./tests/summary-reporter.ts"],
  },
});
