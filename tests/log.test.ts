import { describe, expect, it } from "vitest";
import { createCapturingLogger } from "./support/capturing-logger.ts";

describe("createLogger redaction", () => {
  const cases = [
    { name: "a top-level employee id", fields: { employeeId: "E101-000001" } },
    { name: "a nested staff name", fields: { row: { name: "Anna Hansen" } } },
    { name: "staff inside a list", fields: { rows: [{ employee_id: "E101-000002", name: "Bo Holm" }] } },
  ];

  it.each(cases)("censors $name", ({ fields }) => {
    const { logger, lines } = createCapturingLogger("info");
    logger.info(fields, "a line that carries staff data by mistake");
    const text = JSON.stringify(lines);
    for (const secret of ["E101-000001", "E101-000002", "Anna Hansen", "Bo Holm"])
      expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });
});
