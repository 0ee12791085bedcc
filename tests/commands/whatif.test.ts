import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.ts";

/** Usage mistakes are refused before any config is read (exit 64, the problem and the usage). */
async function run(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const code = await runCli(
    ["whatif", ...args, "--config", "/nonexistent/testrota.json"],
    { stdout: () => undefined, stderr: (text) => (stderr += text) },
    { env: { LOG_LEVEL: "silent" } },
  );
  return { code, stderr };
}

describe("testrota whatif: usage", () => {
  const cases = [
    {
      name: "no weeks",
      args: [],
      problem: "testrota whatif: --from: missing, expected an ISO week like 2020-W44",
    },
    {
      name: "--to before --from",
      args: ["--from", "2021-W10", "--to", "2020-W36"],
      problem: "testrota whatif: --to: got 2020-W36, expected a week on or after --from 2021-W10",
    },
    {
      name: "a scale that is not a number",
      args: ["--from", "2020-W36", "--to", "2021-W10", "--capacity-scale", "70%"],
      problem: 'testrota whatif: --capacity-scale: got "70%", expected a number above 0 and at most 100',
    },
    {
      name: "a scale of 0",
      args: ["--from", "2020-W36", "--to", "2021-W10", "--capacity-scale", "0"],
      problem: 'testrota whatif: --capacity-scale: got "0", expected a number above 0 and at most 100',
    },
    {
      name: "both a capacity file and a scale",
      args: ["--from", "2020-W36", "--to", "2021-W10", "--capacity", "c.csv", "--capacity-scale", "0.7"],
      problem: "testrota whatif: --capacity, --capacity-scale: expected one of them, not both",
    },
  ];
  it.each(cases)("$name: exit 64", async ({ args, problem }) => {
    const result = await run(args);
    expect(result.code).toBe(64);
    expect(result.stderr.split("\n")).toContain(problem);
    expect(result.stderr).toContain("usage: testrota whatif ");
  });
});
