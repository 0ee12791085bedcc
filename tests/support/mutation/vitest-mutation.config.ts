import { mergeConfig } from "vitest/config";
import base from "../../../vitest.config.ts";

/*
 * The vitest configuration `npm run mutation` uses (see stryker.config.json and
 * docs/mutation-testing.md): the project's own, plus a setup file that lets Stryker's per-test
 * filter find tests inside `describe` blocks under Vitest 5 (see match-test-names.ts).
 */
// eslint-disable-next-line no-restricted-syntax -- vitest reads the configuration from the default export.
export default mergeConfig(base, {
  test: { setupFiles: ["tests/support/mutation/match-test-names.ts"] },
});
