import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Each engine is native and single-threaded; forks keep one crashing test from taking the rest.
    pool: "forks",
    reporters: ["default", "./tests/summary-reporter.ts"],
  },
});
