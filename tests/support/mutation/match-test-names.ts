/*
 * Vitest setup file for mutation testing only (tests/support/mutation/vitest-mutation.config.ts).
 *
 * Stryker's vitest runner (9.6) runs each mutant against the tests that cover it by setting
 * `testNamePattern` to the tests' names, suite and test joined with a space. Vitest 5 matches
 * the pattern against the name chain joined with " > " (a documented breaking change), so the
 * filter matches no test inside a `describe`, every mutant runs zero tests and "survives"
 * (stryker-js issue #6210, fixed upstream by PR #6214, not yet released). Until then this setup
 * file, which runs in the test worker before each file's tests are selected, lets the pattern
 * match the chain as Stryker writes it.
 */

/** A name pattern that reads " > " in a test's full name as the single space Stryker wrote. */
class SpaceJoinedNamePattern extends RegExp {
  override [Symbol.match](text: string): RegExpMatchArray | null {
    return RegExp.prototype[Symbol.match].call(this, text.replaceAll(" > ", " "));
  }
}

type WorkerState = { readonly config?: { testNamePattern?: RegExp | string } };

const state = (globalThis as { __vitest_worker__?: WorkerState }).__vitest_worker__;
const pattern = state?.config?.testNamePattern;
if (
  state?.config !== undefined &&
  pattern instanceof RegExp &&
  !(pattern instanceof SpaceJoinedNamePattern)
) {
  state.config.testNamePattern = new SpaceJoinedNamePattern(pattern.source, pattern.flags);
}
