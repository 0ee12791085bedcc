import { dirname, relative, resolve, sep } from "node:path";
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// Node built-ins and IO packages that must never be imported by the pure domain layer.
const impureModules = [
  "node:*",
  "fs",
  "fs/*",
  "path",
  "http",
  "https",
  "net",
  "os",
  "child_process",
  "undici",
  "pino",
  "node-cron",
  "exceljs",
  "csv-parse",
  "csv-parse/*",
  "csv-stringify",
  "csv-stringify/*",
  "prom-client",
  "fflate",
];

/*
 * Layer fences. `layers/fence` resolves every import (relative or `#src/…`) to its file in the
 * repository, so a fence holds at any folder depth. A target ending in `/` is a folder, otherwise
 * one file; `except` re-allows targets inside a forbidden folder.
 */
function importTarget(filename, specifier) {
  if (specifier.startsWith("#src/")) return `src/${specifier.slice("#src/".length)}`;
  if (!specifier.startsWith(".")) return undefined;
  return relative(import.meta.dirname, resolve(dirname(filename), specifier))
    .split(sep)
    .join("/");
}

function matches(target, entry) {
  return entry.endsWith("/") ? target.startsWith(entry) : target === entry;
}

const fenceRule = {
  meta: {
    type: "problem",
    docs: { description: "Keeps a layer from importing the layers it must not know." },
    schema: [
      {
        type: "array",
        items: {
          type: "object",
          properties: {
            forbid: { type: "array", items: { type: "string" } },
            except: { type: "array", items: { type: "string" } },
            message: { type: "string" },
          },
          required: ["forbid", "message"],
          additionalProperties: false,
        },
      },
    ],
  },
  create(context) {
    const fences = context.options[0] ?? [];
    function check(node, source) {
      if (source?.type !== "Literal" || typeof source.value !== "string") return;
      const target = importTarget(context.filename, source.value);
      if (target === undefined) return;
      for (const fence of fences) {
        const forbidden = fence.forbid.some((entry) => matches(target, entry));
        const excepted = (fence.except ?? []).some((entry) => matches(target, entry));
        if (forbidden && !excepted) {
          context.report({ node: source, message: `${fence.message} (imports ${target})` });
          return;
        }
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

const layers = { rules: { fence: fenceRule } };

/** The composition root: the only code that wires every layer together. */
const compositionRoot = [
  "src/cli.ts",
  "src/commands/**/*.ts",
  "src/worker/app.ts",
  "src/worker/run-once.ts",
  "src/worker/week-folder.ts",
];

const namedExportsOnly = { selector: "ExportDefaultDeclaration", message: "Use named exports only." };
const noEnums = {
  selector: "TSEnumDeclaration",
  message: "Enums are not erasable syntax; use a union of literals.",
};
const clockMessage = "Read the time from the injected Clock (src/clock.ts).";
// The system clock, read directly; `new Date(ms)` (a conversion) stays allowed.
const readsTheClock = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: clockMessage },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: clockMessage },
  { selector: "CallExpression[callee.name='Date']", message: clockMessage },
  {
    selector:
      "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|local|utc)$/][arguments.length=0]",
    message: clockMessage,
  },
];
export default tseslint.config(
  { ignores: ["node_modules/**", "coverage/**", "out/**", "data/**", "demo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { layers },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", namedExportsOnly, noEnums],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/cli.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "exit", message: "Only src/cli.ts may exit the process." },
      ],
    },
  },
  {
    // One injected clock: only src/clock.ts reads the system clock.
    files: ["src/**/*.ts"],
    ignores: ["src/clock.ts"],
    rules: { "no-restricted-syntax": ["error", namedExportsOnly, noEnums, ...readsTheClock] },
  },
  {
    // The domain is pure: time is an argument, no IO, no logger, no clock.
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: impureModules, message: "src/domain is pure: no IO, no Node built-ins." }] },
      ],
      "layers/fence": [
        "error",
        [
          {
            forbid: ["src/"],
            except: ["src/domain/"],
            message: "src/domain may only import from src/domain.",
          },
        ],
      ],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "src/domain is pure: pass values in." },
        { name: "console", message: "src/domain is pure: no logging." },
        { name: "fetch", message: "src/domain is pure: no IO." },
        { name: "setTimeout", message: "src/domain is pure: no timers." },
      ],
      "no-restricted-syntax": [
        "error",
        namedExportsOnly,
        noEnums,
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Time is an argument.",
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: "Time is an argument.",
        },
        {
          selector: "CallExpression[callee.object.name='DateTime'][callee.property.name='now']",
          message: "Time is an argument.",
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: "Randomness is an argument.",
        },
      ],
    },
  },
  {
    // Low-level helpers (durable writes, the CSV table reader, redaction) know no layer.
    files: ["src/lib/**/*.ts"],
    rules: {
      "layers/fence": [
        "error",
        [{ forbid: ["src/"], except: ["src/lib/", "src/errors.ts"], message: "src/lib knows no layer." }],
      ],
    },
  },
  {
    // Adapters of the incidence sources: never the outputs, never the roster reading.
    files: ["src/sources/**/*.ts"],
    rules: {
      "layers/fence": [
        "error",
        [
          { forbid: ["src/outputs/"], message: "src/sources never imports src/outputs." },
          { forbid: ["src/roster/"], message: "src/sources never imports src/roster." },
          {
            forbid: ["src/worker/", "src/commands/"],
            message: "src/sources never imports the composition root.",
          },
        ],
      ],
    },
  },
  {
    files: ["src/store/**/*.ts"],
    rules: {
      "layers/fence": [
        "error",
        [
          { forbid: ["src/outputs/"], message: "src/store never imports src/outputs." },
          {
            forbid: ["src/worker/", "src/commands/"],
            message: "src/store never imports the composition root.",
          },
        ],
      ],
    },
  },
  {
    // Reading the inputs (reference, sites, roster) knows nothing of sources, store, outputs or runs.
    files: ["src/roster/**/*.ts"],
    rules: {
      "layers/fence": [
        "error",
        [
          {
            forbid: ["src/sources/", "src/store/", "src/outputs/", "src/worker/", "src/commands/"],
            message: "src/roster never imports src/sources, src/store, src/outputs or src/worker.",
          },
        ],
      ],
    },
  },
  {
    files: ["src/outputs/**/*.ts"],
    rules: {
      "layers/fence": [
        "error",
        [
          {
            forbid: ["src/roster/", "src/sources/", "src/worker/", "src/commands/"],
            message: "src/outputs renders and publishes domain results: no inputs, sources or runs.",
          },
        ],
      ],
    },
  },
  {
    // The worker machinery (scheduler, health server, ledger, locks) knows the store, never the
    // inputs, sources or outputs: only the composition root wires those in.
    files: ["src/worker/**/*.ts"],
    ignores: compositionRoot,
    rules: {
      "layers/fence": [
        "error",
        [
          {
            forbid: [
              "src/roster/",
              "src/sources/",
              "src/outputs/",
              "src/commands/",
              "src/worker/app.ts",
              "src/worker/run-once.ts",
              "src/worker/week-folder.ts",
            ],
            message:
              "only the composition root (src/worker/app.ts, src/worker/run-once.ts with week-folder.ts, src/commands, src/cli.ts) imports every layer",
          },
        ],
      ],
    },
  },
  {
    // Nobody imports the composition root but the composition root.
    files: ["src/**/*.ts"],
    ignores: [
      ...compositionRoot,
      "src/domain/**",
      "src/lib/**",
      "src/sources/**",
      "src/store/**",
      "src/roster/**",
      "src/outputs/**",
      "src/worker/**",
    ],
    rules: {
      "layers/fence": [
        "error",
        [
          {
            forbid: [
              "src/commands/",
              "src/cli.ts",
              "src/worker/app.ts",
              "src/worker/run-once.ts",
              "src/worker/week-folder.ts",
            ],
            message: "only src/cli.ts and src/commands use the composition root",
          },
        ],
      ],
    },
  },
  {
    // Tool configuration files that must use a default export.
    files: ["vitest.config.ts", "eslint.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
