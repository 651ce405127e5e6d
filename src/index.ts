// Entry point the runner loads (dist/index.js): run, and fail the step once with its reason.
import { ReportedFailure, run } from './main.ts';
import { fail, log } from './output/log.ts';

// The reason can quote API messages and inputs: the writer neutralises it like every other line.
// Then exit at once: the work is done, and no library socket or timer left behind (a request
// that timed out, a keep-alive connection) may keep the step alive.
run()
  .catch((e: unknown) => {
    if (e instanceof ReportedFailure) {
      // Already an annotation on the line that caused it: one failure is one annotation.
      process.exitCode = 1;
      log.info(`Step failed: ${e.message}`);
    } else fail(e instanceof Error ? e.message : String(e));
  })
  .finally(() => process.exit());
