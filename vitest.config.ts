import { defineConfig } from "vitest/config";

// Vitest needs a default export; this file is the one exception to named exports.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/setup/report-node.ts"],
    setupFiles: ["tests/setup/node-version.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
