// The bound on the whole step. Every request and wait has its own bound, and retries never plan
// past the step's deadline; this is the last line: if the step is still busy at its bound, it
// says what it was doing, fails and exits, leaving whatever it started (an execution) running.

import { scaled, seconds, setStepDeadline } from './gcp/timeout.ts';
import { fail, log } from './output/log.ts';

/** Auth, IAM preflight and deploy together (each bounded far below this). */
export const STEP_OVERHEAD_MS = 30 * 60_000;
/** Kept for the report: retries stop planning this long before the bound. */
const REPORT_MARGIN_MS = 2 * 60_000;

export function stepBoundMs(waitMs: number | undefined): number {
  return (waitMs ?? 0) + scaled(STEP_OVERHEAD_MS);
}

/** Start the bound; `doing` says what the step is busy with when it expires. Never keeps the process alive. */
export function startWatchdog(
  boundMs: number,
  doing: () => string,
  exit: (code: number) => void = process.exit,
): () => void {
  setStepDeadline(Date.now() + boundMs - Math.min(scaled(REPORT_MARGIN_MS), boundMs / 4));
  const timer = setTimeout(() => {
    const reason = `The step did not finish within its bound of ${seconds(boundMs)} (wait_timeout plus ${seconds(scaled(STEP_OVERHEAD_MS))} for the rest); it was still trying to ${doing()}. Stopped; anything already started (an execution) keeps running.`;
    log.error(reason);
    fail(reason);
    exit(1);
  }, boundMs);
  timer.unref();
  return () => clearTimeout(timer);
}
