// Regenerates docs/config.schema.json and the README's configuration reference from the zod
// schema in src/config-schema.ts, so the documentation cannot drift from the code.
// Usage: node scripts/generate-config-docs.ts [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderConfigDocs } from "../src/config-docs.ts";

const root = join(import.meta.dirname, "..");
const readmePath = join(root, "README.md");
const schemaPath = join(root, "docs", "config.schema.json");
const check = process.argv.includes("--check");

const readme = readFileSync(readmePath, "utf8");
const docs = renderConfigDocs(readme);
const stale = [
  docs.readme !== readme ? "README.md" : undefined,
  readFileSync(schemaPath, { encoding: "utf8", flag: "a+" }) !== docs.schema
    ? "docs/config.schema.json"
    : undefined,
].filter((f) => f !== undefined);

if (check) {
  if (stale.length > 0) {
    process.stderr.write(`config docs out of date: ${stale.join(", ")} (run npm run docs:config)\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(readmePath, docs.readme);
  writeFileSync(schemaPath, docs.schema);
  process.stdout.write(`updated ${stale.length > 0 ? stale.join(", ") : "nothing (already current)"}\n`);
}
