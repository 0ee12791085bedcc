// Printed once per test run, so CI logs show which Node ran the suite (the project targets 24).
export function setup(): void {
  process.stdout.write(`testrota tests on Node ${process.version} (${process.execPath})\n`);
}
