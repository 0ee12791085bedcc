#!/usr/bin/env node
// Runs a command with the project's dependencies installed and Node 24 first on PATH.
//
// The machines this project is developed on ship an older Node; the project targets Node 24 LTS.
// The `node` devDependency (from the npm registry) carries the official Node 24 binary, so a fresh
// clone needs no manual step: `npm test` / `npm run demo` install the locked dependencies when
// they are missing or stale and then run on that binary. This file is plain JavaScript on purpose:
// it must run on whatever Node started it, before any dependency exists.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const REQUIRED_MAJOR = 24;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockFile = join(root, "package-lock.json");
const stampFile = join(root, "node_modules", ".testrota-installed");

function lockDigest() {
  const hash = createHash("sha256");
  // The lock file alone decides what is installed (npm ci installs exactly it).
  hash.update(readFileSync(lockFile));
  return hash.digest("hex");
}

function ensureDependencies() {
  const digest = lockDigest();
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest) return;
  process.stderr.write("testrota: installing locked dependencies (npm ci)…\n");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) {
    process.stderr.write(`testrota: npm ci failed (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
  writeFileSync(stampFile, digest);
}

function findNode24() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major === REQUIRED_MAJOR) return process.execPath;
  const bundled = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(bundled)) {
    process.stderr.write(`testrota: Node ${REQUIRED_MAJOR} not found at ${bundled}\n`);
    process.exit(1);
  }
  const version = spawnSync(bundled, ["--version"], { encoding: "utf8" }).stdout.trim();
  if (!version.startsWith(`v${REQUIRED_MAJOR}.`)) {
    process.stderr.write(`testrota: ${bundled} is ${version}, expected v${REQUIRED_MAJOR}.x\n`);
    process.exit(1);
  }
  return bundled;
}

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: with-node24.mjs <command> [args…]\n");
  process.exit(2);
}
ensureDependencies();
const node = findNode24();
const binDirs = [join(root, "node_modules", ".bin"), dirname(node)];
const env = {
  ...process.env,
  PATH: [...binDirs, process.env.PATH ?? ""].join(delimiter),
};
const child = spawn(command === "node" ? node : command, args, { cwd: process.cwd(), env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  process.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
});
