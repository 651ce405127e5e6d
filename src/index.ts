// Entry point the runner loads (dist/index.js): run, and fail the step once with its reason.
import { run } from './main.ts';
import { fail } from './output/log.ts';

// The reason can quote API messages and inputs: the writer neutralises it like every other line.
// Then exit at once: the work is done, and no library socket or timer left behind (a request
// that timed out, a keep-alive connection) may keep the step alive.
run()
  .catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)))
  .finally(() => process.exit());
