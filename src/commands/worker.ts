import { usageText, withApp, type Command } from "./command.ts";

const usage = usageText({
  synopsis: "worker [common options]",
  description: `The long-running scheduler: every Wednesday at worker.time (config timezone) it runs the
week, catches up a missed Wednesday at start-up (worker.catchUpWeeks), retries a failed run
every worker.retryEveryMinutes until worker.lastAttempt, and serves /healthz, /readyz and
/metrics on worker.host:worker.port ($TESTROTA_HEALTH_PORT wins over worker.port).
SIGTERM/SIGINT: stop scheduling, let a run in flight finish for worker.shutdownGraceSeconds,
then abort it (nothing is published) and exit 0. A second signal aborts at once (exit 130).
Logs are JSON lines on stdout (LOG_LEVEL, default info).`,
  examples: `  testrota worker
  TESTROTA_HEALTH_PORT=9500 testrota worker --config /etc/testrota/testrota.json`,
});

export const workerCommand: Command = {
  name: "worker",
  summary: "long-running scheduler with /healthz, /readyz and /metrics",
  usage,
  options: {},
  logLevel: "info",
  run(flags, ctx) {
    return withApp(this, flags, ctx, async (app) => {
      const worker = await app.startWorker();
      const stop = () => {
        const reason: unknown = ctx.signal.reason;
        void worker.stop(reason instanceof Error ? reason.message : "signal");
      };
      // A signal while the worker was starting is handled as soon as it runs.
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener("abort", stop, { once: true });
      await worker.done;
      return 0;
    });
  },
};
