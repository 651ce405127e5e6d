// Time bounds. Every timeout and wait of the action is written in real units and passed
// through scaled(): the test-only CLOUD_RUN_JOB_ACTION_TIME_SCALE (a number in (0, 1], e.g.
// 0.05) shrinks them all at once so fault tests meet every bound in seconds instead of
// minutes. It can only shrink them; unset (as on every real runner) it is 1.
import type { Env } from '../auth/endpoints.ts';

export const TIME_SCALE_ENV = 'CLOUD_RUN_JOB_ACTION_TIME_SCALE';

export function timeScale(env: Env = process.env): number {
  const v = Number(env[TIME_SCALE_ENV]);
  return Number.isFinite(v) && v > 0 && v < 1 ? v : 1;
}

/** A bound in ms, scaled for tests; never below 1 ms. */
export function scaled(ms: number, env: Env = process.env): number {
  return Math.max(1, Math.round(ms * timeScale(env)));
}

/** Seconds for messages: "30 s", "1.5 s". */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(s < 1 ? 2 : s < 10 ? 1 : 0)} s`;
}

/** Bounds a call that takes no timeout option of its own (a library's internal request). */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly service: string;
  readonly ms: number;
  constructor(what: string, ms: number, service: string) {
    super(`no answer from ${service} after ${seconds(ms)} while trying to ${what}`);
    this.name = 'TimeoutError';
    this.service = service;
    this.ms = ms;
  }
}

export async function withTimeout<T>(
  call: Promise<T>,
  ms: number,
  what: string,
  service: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms, service)), ms);
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
  }
}

// The step's own bound (set once by main.ts from wait_timeout): retries and waits never plan
// past it, so the step ends with its report before the watchdog has to stop it.
let stepDeadline = Number.POSITIVE_INFINITY;

export function setStepDeadline(epochMs: number): void {
  stepDeadline = epochMs;
}

/** Time left before the step's bound (Infinity when none is set). */
export function stepTimeLeft(now: number = Date.now()): number {
  return stepDeadline - now;
}
