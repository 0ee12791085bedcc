import { z } from "zod";
import { configSchema } from "./config-schema.ts";

const START = "<!-- config-reference:start -->";
const END = "<!-- config-reference:end -->";

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
};

/** The JSON Schema of the config file (input side: keys with defaults are optional). */
function configJsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum !== undefined) return schema.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants !== undefined) return variants.map(typeOf).join(" \\| ");
  if (schema.type === "array" && schema.items !== undefined) return `${typeOf(schema.items)}[]`;
  return Array.isArray(schema.type) ? schema.type.join(" \\| ") : (schema.type ?? "any");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function rowsOf(schema: JsonSchema, prefix: string, required: boolean, rows: string[]): void {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants !== undefined && variants.every((v) => v.properties !== undefined)) {
    // A discriminated union (the source types): document each variant's keys.
    rows.push(
      `| \`${prefix}\` | one of the variants below | ${required ? "yes" : "no"} | | ${cell(schema.description ?? "")} |`,
    );
    for (const variant of variants) {
      const tag = variant.properties?.type?.const;
      rowsOf({ ...variant, description: undefined }, `${prefix}{type=${String(tag)}}`, true, rows);
    }
    return;
  }
  if (schema.properties !== undefined) {
    if (prefix !== "" && !prefix.endsWith("}")) {
      rows.push(
        `| \`${prefix}\` | object | ${required ? "yes" : "no"} | | ${cell(schema.description ?? "")} |`,
      );
    }
    for (const [key, child] of Object.entries(schema.properties)) {
      if (key === "$schema") continue;
      const path = prefix === "" ? key : `${prefix}.${key}`;
      rowsOf(child, path, schema.required?.includes(key) ?? false, rows);
    }
    return;
  }
  if (schema.type === "array" && schema.items?.properties !== undefined) {
    rows.push(
      `| \`${prefix}\` | object[] | ${required ? "yes" : "no"} | | ${cell(schema.description ?? "")} |`,
    );
    rowsOf({ ...schema.items, description: undefined }, `${prefix}[]`, true, rows);
    return;
  }
  const defaultText = schema.default === undefined ? "" : `\`${JSON.stringify(schema.default)}\``;
  rows.push(
    `| \`${prefix}\` | ${typeOf(schema)} | ${required ? "yes" : "no"} | ${cell(defaultText)} | ${cell(schema.description ?? "")} |`,
  );
}

/** The README reference table, one row per key. */
function configReferenceTable(): string {
  const rows: string[] = [];
  rowsOf(configJsonSchema(), "", true, rows);
  return [
    "| key | type | required | default | description |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** README with the reference table replaced between its markers, and the schema file text. */
export function renderConfigDocs(readme: string): { readme: string; schema: string } {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  const table = configReferenceTable();
  const updated = `${readme.slice(0, start + START.length)}\n\n${table}\n\n${readme.slice(end)}`;
  return { readme: updated, schema: `${JSON.stringify(configJsonSchema(), null, 2)}\n` };
}
