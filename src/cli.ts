#!/usr/bin/env node
import { parseArgs } from "node:util";
import { createClock } from "./clock.ts";
import { defaultConfigPath, loadConfig, type Config } from "./config.ts";
import { parseIsoWeek, weekAt, type IsoWeek } from "./domain/calendar.ts";
import { ConfigError, TestrotaError } from "./errors.ts";
import { createLogger, type Logger } from "./log.ts";
import { createApp, type App } from "./worker/app.ts";
import { formatRunSummary, type RunReport } from "./worker/run-report.ts";

const USAGE = `usage: testrota <command> [options]

commands:
  demo                         run the embedded demo (bundled SSI data, synthetic roster), week 2020-W40
  run [--week YYYY-Www]        classify one week now and publish the rota of the next week
  replay --from W --to W       run week by week over history (simulation)
  validate                     check the config and the inputs (reference, sites, roster) only
  worker                       long-running scheduler with /healthz, /readyz and /metrics
  status                       last runs, next fire, lock holder, pause state
  override add|list|remove     STPS decisions kept in the store (audited)
  pause|resume --note TEXT     stop/restart scheduled runs

options:
  --config FILE      config file (default $TESTROTA_CONFIG or config/testrota.json)
  --data-dir DIR     state directory (default from config or $TESTROTA_DATA_DIR)
  --out-dir DIR      output directory (default from config or $TESTROTA_OUT_DIR)
  --json             machine-readable output
`;

type Io = { stdout: (text: string) => void; stderr: (text: string) => void };

const DEMO_WEEK = "2020-W40";

function requireWeek(text: string | undefined, flag: string): IsoWeek {
  const week = text === undefined ? undefined : parseIsoWeek(text);
  if (week === undefined)
    throw new ConfigError([`${flag}: got ${JSON.stringify(text ?? "")}, expected an ISO week like 2020-W44`]);
  return week;
}

function printReports(reports: readonly RunReport[], json: boolean, io: Io): void {
  if (json) {
    io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
    return;
  }
  for (const report of reports) io.stdout(`${formatRunSummary(report)}\n`);
}

async function withApp<T>(config: Config, logger: Logger, fn: (app: App) => Promise<T> | T): Promise<T> {
  const app = await createApp({ config, logger, env: process.env, clock: createClock(process.env) });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Runs one CLI invocation; returns the process exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: "string" },
      "data-dir": { type: "string" },
      "out-dir": { type: "string" },
      week: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      offline: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      id: { type: "string" },
      municipality: { type: "string" },
      action: { type: "string" },
      sites: { type: "string" },
      reason: { type: "string" },
      author: { type: "string" },
      note: { type: "string" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (command === undefined) {
    io.stderr(USAGE);
    return 64;
  }
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? (command === "worker" ? "info" : "warn") });
  const configFile = values.config ?? defaultConfigPath(process.env);
  const flags = { dataDir: values["data-dir"], outDir: values["out-dir"] };
  const config = loadConfig(configFile, process.env, flags);
  const clock = createClock(process.env);

  switch (command) {
    case "validate": {
      return withApp(config, logger, async (app) => {
        const result = await app.validateInputs();
        io.stdout(
          `${configFile}: ok (${result.municipalities} municipalities, ${result.sites} sites, ${result.staff} staff)\n`,
        );
        return 0;
      });
    }
    case "run":
    case "demo": {
      const week =
        values.week !== undefined
          ? requireWeek(values.week, "--week")
          : command === "demo"
            ? requireWeek(DEMO_WEEK, "demo week")
            : weekAt(clock(), config.timezone);
      return withApp(config, logger, async (app) => {
        const report = await app.runWeek(week, { trigger: "cli" });
        printReports([report], values.json, io);
        return 0;
      });
    }
    case "replay": {
      const from = requireWeek(values.from, "--from");
      const to = requireWeek(values.to, "--to");
      return withApp(config, logger, async (app) => {
        const reports = await app.replay(from, to, { offline: values.offline });
        printReports(reports, values.json, io);
        return 0;
      });
    }
    case "worker": {
      return withApp(config, logger, async (app) => {
        const worker = await app.startWorker(clock);
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, "shutting down");
          void worker.stop(signal);
        };
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
        await worker.done;
        return 0;
      });
    }
    case "status": {
      return withApp(config, logger, (app) => {
        const status = app.status(clock());
        io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : status.text);
        return 0;
      });
    }
    case "override": {
      const [action] = rest;
      return withApp(config, logger, (app) => {
        const text = app.override(action, {
          id: values.id,
          municipality: values.municipality,
          action: values.action,
          from: values.from,
          to: values.to,
          sites: values.sites,
          reason: values.reason,
          author: values.author ?? process.env.USER ?? "unknown",
          at: new Date(clock()).toISOString(),
        });
        io.stdout(text);
        return 0;
      });
    }
    case "pause":
    case "resume": {
      return withApp(config, logger, (app) => {
        app.setPaused(command === "pause", {
          note: values.note ?? "",
          author: values.author ?? process.env.USER ?? "unknown",
          at: new Date(clock()).toISOString(),
        });
        io.stdout(`scheduled runs ${command === "pause" ? "paused" : "resumed"}\n`);
        return 0;
      });
    }
    default:
      io.stderr(`testrota: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 64;
  }
}

/** Maps an error to its exit code and one-line message. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof TestrotaError) return { code: error.exitCode, message: error.message };
  if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
    return { code: 64, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 70, message: `internal error: ${message.split("\n")[0] ?? ""}` };
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.filename === entry;
}

if (isEntryPoint()) {
  const io: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const failure = describeFailure(error);
      io.stderr(`testrota: ${failure.message}\n`);
      process.exit(failure.code);
    },
  );
}
