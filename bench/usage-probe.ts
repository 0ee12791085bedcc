/**
 * Preloaded into the benchmark's child processes (`node --import bench/usage-probe.ts …`): at exit
 * it writes the process's CPU time (user + system, every thread) and peak RSS to the file named by
 * `TESTROTA_BENCH_USAGE`. The command itself runs unchanged, exactly as a user runs it.
 */
import { writeFileSync } from "node:fs";

const file = process.env.TESTROTA_BENCH_USAGE;
if (file !== undefined && file !== "") {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        userMs: usage.userCPUTime / 1000,
        systemMs: usage.systemCPUTime / 1000,
        // maxRSS is in kilobytes on Linux and macOS.
        maxRssBytes: usage.maxRSS * 1024,
      }),
    );
  });
}
