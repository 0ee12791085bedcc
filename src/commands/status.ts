import { systemClock } from "../clock.ts";
import { nextWednesdayRuns } from "../domain/schedule.ts";
import type { RunRecord } from "../store/state-store.ts";
import type { App } from "../worker/app.ts";
import { formatInstant, printJson, usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "status [--json] [common options]",
  description: `The state of the installation: the last runs with their one-line errors, the next
scheduled runs (or, while paused, since when, by whom and why), and who holds the lock. Times
are ISO 8601 in the config's timezone, with their offset.`,
  options: `  --json             print the status as JSON`,
  examples: `  testrota status
  testrota status --json | jq '.runs[0]'`,
});

/** What `status` reports; every time ISO 8601 in the config's zone. */
export type StatusReport = {
  readonly dataDir: string;
  readonly timezone: string;
  readonly paused:
    | { readonly paused: false }
    | { readonly paused: true; readonly since: string; readonly by: string; readonly note: string };
  /** The next three scheduled runs; empty while paused. */
  readonly nextRuns: readonly string[];
  /**
   * The live holder of the store's run lock: `name` what it holds (`week:2020-W44`, `data:…`),
   * `where` the lock (SQLite: the lock file; PostgreSQL: the store's advisory locks).
   */
  readonly lock: {
    pid: number;
    host: string;
    since: string;
    purpose: string;
    name: string;
    where: string;
  } | null;
  readonly weekLocks: readonly { name: string; pid: number; host: string; since: string }[];
  readonly runs: readonly RunRecord[];
};

/** Reads the status of the installation from the store, its run lock and the schedule. */
async function readStatus(app: App): Promise<StatusReport> {
  const { config, store } = app;
  const zone = config.timezone;
  const at = (instant: number | string) => formatInstant(instant, zone);
  const pause = await store.getPaused();
  // SQLite's lock is its data directory's lock file; PostgreSQL's the advisory locks every replica sees.
  const locks = await store.readRunLockHolders();
  const holder = locks.holders[0];
  // Lock rows are stamped with the machine's clock (not a simulated TESTROTA_NOW): expire them by it.
  const now = systemClock();
  return {
    dataDir: config.dataDir,
    timezone: zone,
    paused: pause.paused
      ? {
          paused: true,
          since: pause.at ? at(pause.at) : "?",
          by: pause.author ?? "?",
          note: pause.note ?? "",
        }
      : { paused: false },
    nextRuns: pause.paused
      ? []
      : nextWednesdayRuns(app.clock(), { time: config.worker.time, zone }, 3).map((ms) => at(ms)),
    lock:
      holder === undefined
        ? null
        : {
            pid: holder.pid,
            host: holder.host,
            since: at(holder.startedAt),
            purpose: holder.purpose,
            name: holder.name,
            where: locks.where,
          },
    weekLocks: (await store.listRowLocks())
      .filter((row) => row.expiresAt >= now)
      .map((row) => ({
        name: row.name,
        pid: row.holder.pid,
        host: row.holder.host,
        since: at(row.acquiredAt),
      })),
    runs: (await store.listRuns(10)).map((run) => ({
      ...run,
      scheduledFor: at(run.scheduledFor),
      startedAt: at(run.startedAt),
      finishedAt: run.finishedAt === null ? null : at(run.finishedAt),
    })),
  };
}

/** The status as text, one fact per line. */
function formatStatus(status: StatusReport): string {
  const lines = [
    `data: ${status.dataDir} (times in ${status.timezone})`,
    status.paused.paused
      ? `paused since ${status.paused.since} by ${status.paused.by}: ${status.paused.note}`
      : "paused: no",
    ...(status.paused.paused ? [] : [`next runs: ${status.nextRuns.join(", ")}`]),
    status.lock
      ? `lock: held by pid ${status.lock.pid} on ${status.lock.host} since ${status.lock.since} (${status.lock.purpose})`
      : "lock: free",
    ...status.weekLocks.map(
      (row) => `week lock: ${row.name} held by pid ${row.pid} on ${row.host} since ${row.since}`,
    ),
    "last runs:",
    ...status.runs.map(
      (r) =>
        `  ${r.week}  ${r.status.padEnd(9)} ${r.trigger.padEnd(8)} ${r.startedAt}${r.error ? `  ${r.error}` : ""}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

export const statusCommand: Command = {
  name: "status",
  summary: "last runs, next scheduled runs, lock holder, pause state",
  usage,
  options: { json: { type: "boolean" } },
  run(flags, ctx) {
    return withApp(this, flags, ctx, async (app) => {
      const status = await readStatus(app);
      if (flags.json === true) printJson(ctx.io, status);
      else ctx.io.stdout(formatStatus(status));
      return 0;
    });
  },
};
