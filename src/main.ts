// Orchestration only: inputs -> targets -> one authentication -> each target (src/target.ts:
// plan -> IAM preflight -> deploy -> execute; several run in parallel, src/targets.ts) -> one
// report. Whatever happens, the results are published; the one failure (if any) is thrown
// once, after the report, for index.ts to set. The whole step is bounded (watchdog.ts).
import { authenticate, type IdTokenSource } from './auth/credentials.ts';
import type { Env } from './auth/endpoints.ts';
import { scaled } from './gcp/timeout.ts';
import { createPreflightSession } from './iam/index.ts';
import { expandTargets } from './inputs/targets.ts';
import { readInputs } from './inputs.ts';
import type { RunResult } from './model.ts';
import { log } from './output/log.ts';
import { resolveLocal } from './plan.ts';
import { diagnoseInto, ReportedFailure, type Stage } from './target.ts';
import { runTargets, type TargetRun, targetKeys } from './targets.ts';
import { startWatchdog, stepBoundMs } from './watchdog.ts';

export { blocking, consoleUrl, ReportedFailure } from './target.ts';

export interface RunOptions {
  env?: Env;
  getIdToken?: IdTokenSource;
}

/** The report chunk, loaded while the first requests are in flight rather than before them. */
let reportModule: Promise<typeof import('./report/index.ts')> | undefined;
const report = () => {
  reportModule ??= import('./report/index.ts');
  return reportModule;
};
const reportMany = () => import('./report/many.ts');

const DOING: Record<Stage, string> = {
  inputs: 'read the inputs',
  auth: 'authenticate',
  resolve: 'read the project and the job',
  iam: 'check (or grant) IAM',
  deploy: 'deploy the job',
  execute: 'follow the execution',
};

export async function run(options: RunOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const stepStart = Date.now();
  // Holds what fails before any target runs (inputs, authentication).
  const result: RunResult = { findings: [], granted: [] };
  let stage: Stage = 'inputs';
  let runs: TargetRun[] | undefined;
  let failure: Error | undefined;
  let stopWatchdog: (() => void) | undefined;
  try {
    const config = readInputs(env);
    result.config = config;
    const waitMs =
      config.execute && config.wait && config.waitTimeoutMs ? scaled(config.waitTimeoutMs) : undefined;
    stopWatchdog = startWatchdog(stepBoundMs(waitMs), () => DOING[stage]);
    const configs = expandTargets(config);
    const locals = configs.map((c) => resolveLocal(c, env));
    const keys = targetKeys(configs, locals);

    stage = 'auth';
    const authenticating = authenticate(config, env, {
      project: locals[0]?.project ?? '',
      ...(options.getIdToken ? { getIdToken: options.getIdToken } : {}),
    });
    void report().catch(() => undefined);
    const auth = await authenticating;
    log.info(`Authenticated${auth.principal ? ` as ${auth.principal}` : ''}`);
    const session = createPreflightSession({ config, auth: auth.client, env, log });
    const shared = {
      ctx: { auth: auth.client, universe: config.universe, env },
      auth: auth.client,
      env,
      session,
      ...(auth.principal ? { principal: auth.principal } : {}),
      ...(waitMs !== undefined ? { waitMs } : {}),
      enter: (s: Stage) => {
        stage = s;
      },
    };
    runs = await runTargets(configs, locals, keys, shared);
  } catch (e) {
    failure = await diagnoseInto(result, e, stage);
  } finally {
    const timed = runs?.map((r) => r.outcome.result) ?? [result];
    for (const r of timed)
      r.timings = {
        ...r.timings,
        started: new Date(stepStart).toISOString(),
        durationMs: Date.now() - stepStart,
      };
    const published =
      runs && runs.length > 1
        ? reportMany().then((r) => r.publishMany(runs ?? [], env))
        : report().then((r) => r.publish(runs?.[0]?.outcome.result ?? result, env));
    await published.catch((e: unknown) => log.warning(`Could not publish the report: ${String(e)}`));
    stopWatchdog?.();
  }
  failure ??= stepFailure(runs ?? []);
  if (failure) throw failure;
}

/** One target: its own failure. Many: the step fails if any did, naming each. */
function stepFailure(runs: readonly TargetRun[]): Error | undefined {
  if (runs.length === 1) return runs[0]?.outcome.failure;
  const failed = runs.filter((r) => r.outcome.failure);
  if (failed.length === 0) return undefined;
  const each = failed.map((r) => `${r.key.job} (${r.key.region}): ${r.outcome.failure?.message ?? ''}`);
  // Each target's failure is annotated already: one closing line, not one more annotation.
  return new ReportedFailure(`${failed.length} of ${runs.length} targets failed: ${each.join('; ')}`);
}
