/** Keys that would carry staff data; summaries hold counts and municipality figures only. */
const STAFF_KEYS = new Set(["employeeid", "employee_id", "staff", "staffname", "staff_name", "members"]);

function assertNoStaffKeys(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertNoStaffKeys(item, `${path}[${index}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (STAFF_KEYS.has(key.toLowerCase())) {
        throw new Error(`summary: key ${path}.${key} would carry staff data; summaries hold counts only`);
      }
      assertNoStaffKeys(item, `${path}.${key}`);
    }
  }
}

/**
 * `summary.json`: the object as given (keys in their insertion order, so the caller fixes the
 * order), 2-space indent, trailing newline. Refuses keys that carry staff ids or names.
 */
export function renderSummaryJson(summary: unknown): Uint8Array {
  assertNoStaffKeys(summary, "$");
  return new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`);
}
