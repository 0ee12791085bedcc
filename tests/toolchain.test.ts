import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PRODUCTION_ENV } from "../bench/bench-child.ts";
import { renderConfigDocs } from "../src/config-docs.ts";
import { configSchema } from "../src/config-schema.ts";
import { REPO } from "./support/run-fixture.ts";

const read = (file: string) => readFileSync(join(REPO, file), "utf8");

describe("toolchain: Node 24 LTS everywhere", () => {
  it("runs this suite on Node 24", () => {
    expect(process.versions.node.split(".")[0]).toBe("24");
  });

  it("engines, .nvmrc, the node devDependency, the Dockerfile base and CI agree on 24", () => {
    const pkg = JSON.parse(read("package.json")) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(pkg.engines.node).toMatch(/^>=24\.\d+\.\d+ <25$/);
    expect(read(".nvmrc").trim()).toBe("24");
    expect(pkg.devDependencies.node).toMatch(/^\^?24\./);
    expect(read("Dockerfile")).toMatch(/^ARG BASE=node:24-slim$/m);
    expect(read(".ci/run")).toMatch(/^npm test$/m);
  });

  it("the benchmark runs with the container image's runtime settings", () => {
    const dockerfile = read("Dockerfile");
    for (const [name, value] of Object.entries(PRODUCTION_ENV)) {
      expect(dockerfile).toContain(`    ${name}=${value} \\\n`);
    }
  });
});

describe("documentation generated from the config schema", () => {
  it("README's configuration reference and docs/config.schema.json are current", () => {
    const docs = renderConfigDocs(read("README.md"));
    expect(docs.readme).toBe(read("README.md"));
    expect(docs.schema).toBe(read("docs/config.schema.json"));
  });

  it("every source example in the README is a valid source config", () => {
    const section = read("README.md").split("### Incidence sources")[1]?.split("\n## ")[0] ?? "";
    const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].flatMap((m) =>
      // A block may hold several one-object examples, one per top-level `{ … }`.
      (m[1] ?? "").split(/\n\s*(?=\{)/).map((text) => JSON.parse(text) as unknown),
    );
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const sourceSchema = configSchema.shape.source;
    for (const example of examples) {
      const result = sourceSchema.safeParse(example);
      expect(result.success, JSON.stringify(example)).toBe(true);
    }
  });
});
