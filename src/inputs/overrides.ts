// Per-execution overrides (RunJobRequest.overrides) from execute_args, execute_env_vars,
// execute_tasks and execute_task_timeout: they change one execution, never the job.
import { RESERVED_ENV } from '../job-rules/index.ts';
import type { RunOverrides } from '../model.ts';
import { type Bad, splitList, splitPair, toSeconds } from './lists.ts';
import { ENV_NAME } from './secrets.ts';

/** Cloud Run jobs accept task timeouts up to 168 hours. */
export const MAX_TASK_TIMEOUT_S = 168 * 3600;
export const OVERRIDE_INPUTS = [
  'execute_args',
  'execute_env_vars',
  'execute_tasks',
  'execute_task_timeout',
] as const;

/** A JSON array of strings, or a comma separated list (`\,` keeps a comma). */
export function parseArgList(name: string, raw: string, bad: Bad): string[] | undefined {
  if (!raw) return undefined;
  if (raw.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    bad(name, 'a JSON array of strings like ["python","main.py"] or a comma separated list', raw);
    return undefined;
  }
  return raw.split(/(?<!\\),/).map((p) => p.replace(/\\,/g, ',').trim());
}

/** A task timeout between 1 s and 168 h as "Ns", or undefined (reported) when it is not one. */
export function parseTaskTimeout(name: string, raw: string, bad: Bad): string | undefined {
  if (!raw) return undefined;
  const seconds = toSeconds(raw);
  const n = seconds ? Number.parseInt(seconds, 10) : 0;
  if (!seconds || n < 1 || n > MAX_TASK_TIMEOUT_S) {
    bad(name, 'a duration between 1s and 168h like 600s, 10m or 1h30m', raw);
    return undefined;
  }
  return seconds;
}

export function parseOverrides(get: (name: string) => string, bad: Bad): RunOverrides | undefined {
  const overrides: RunOverrides = {};
  const container: NonNullable<RunOverrides['containerOverrides']>[number] = {};
  const args = parseArgList('execute_args', get('execute_args'), bad);
  // `[]` is the one way to say "no args for this execution" (an empty input is "not set").
  if (args?.length === 0) container.clearArgs = true;
  else if (args) container.args = args;
  const env: Array<{ name: string; value: string }> = [];
  for (const entry of splitList(get('execute_env_vars'))) {
    const pair = splitPair(entry);
    if (!pair || !ENV_NAME.test(pair[0]))
      bad('execute_env_vars', 'KEY=VALUE entries, one per line or comma separated', entry);
    // The same reserved names as the job's env (src/job-rules/rules-env.ts): Cloud Run sets them.
    else if (RESERVED_ENV.has(pair[0]))
      bad('execute_env_vars', 'KEY=VALUE entries whose KEY is not one Cloud Run sets in every task', entry);
    else env.push({ name: pair[0], value: pair[1] });
  }
  if (env.length) container.env = env;
  if (Object.keys(container).length) overrides.containerOverrides = [container];
  const tasks = get('execute_tasks');
  if (tasks) {
    if (/^[1-9]\d{0,5}$/.test(tasks)) overrides.taskCount = Number(tasks);
    else bad('execute_tasks', 'a whole number of tasks, at least 1', tasks);
  }
  const timeout = parseTaskTimeout('execute_task_timeout', get('execute_task_timeout'), bad);
  if (timeout) overrides.timeout = timeout;
  return Object.keys(overrides).length ? overrides : undefined;
}
