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

export default tseslint.config(
  { ignores: ["node_modules/**", "coverage/**", "out/**", "data/**", "demo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports only." },
        { selector: "TSEnumDeclaration", message: "Enums are not erasable syntax; use a union of literals." },
      ],
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
    // The domain is pure: time is an argument, no IO, no logger, no clock.
    files: ["src/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: impureModules, message: "src/domain is pure: no IO, no Node built-ins." },
            { group: ["../*", "!../domain/*"], message: "src/domain may only import from src/domain." },
          ],
        },
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
        { selector: "ExportDefaultDeclaration", message: "Use named exports only." },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Time is an argument.",
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
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
    // Tool configuration files that must use a default export.
    files: ["vitest.config.ts", "eslint.config.js"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
