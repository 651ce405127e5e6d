// Orchestration only: inputs -> targets -> one authentication -> each target (src/target.ts:
// plan -> IAM preflight -> deploy -> execute; several run in parallel, src/targets.ts) -> one
// report. Whatever happens, the results are published; the one failure (if any) is thrown
// once, after the report, for index.ts to set. The whole step is bounded (watchdog.ts).
// Only what checking the inputs needs is imported here; authentication and the rest load while
// requests are in flight (loading.ts), so the token exchange never waits for code it does not run.
import type { IdTokenSource } from './auth/credentials.ts';
import type { Env } from './auth/endpoints.ts';
import type { ExchangePrefetch } from './auth/exchange-prefetch.ts';
import { scaled } from './gcp/timeout.ts';
import { expandTargets } from './inputs/targets.ts';
import { readInputs } from './inputs.ts';
import { afterNextRequestSent, loadFetchClasses, yieldToIo } from './loading.ts';
import type { RunResult } from './model.ts';
import { log } from './output/log.ts';
import { resolveLocal } from './plan.ts';
import type { commentClient } from './report/comment.ts';
import { ReportedFailure } from './reported-failure.ts';
import type { Stage } from './target.ts';
import { runTargets, type TargetRun, targetKeys } from './targets.ts';
import { startWatchdog, stepBoundMs } from './watchdog.ts';

export { ReportedFailure };

export interface RunOptions {
  env?: Env;
  getIdToken?: IdTokenSource;
  /** The token exchange the entry point prepared (auth/exchange-prefetch.ts). */
  exchange?: ExchangePrefetch;
}

/** The report chunk, loaded while the deploy is in flight rather than before the first request. */
let reportModule: Promise<typeof import('./report/index.ts')> | undefined;
const report = () => {
  reportModule ??= import('./report/index.ts');
  return reportModule;
};
const reportMany = () => import('./report/many.ts');

/** The target pipeline: the preflight, the plan's reads, the deploy and the API clients. */
const pipeline = () =>
  Promise.all([
    import('./iam/index.ts'),
    import('./target.ts'),
    import('./gcp/projects.ts'),
    import('./gcp/run.ts'),
  ]);

/** How long the OIDC answer is awaited before the rest compiles anyway (it would hold STS back). */
const EXCHANGE_WAIT_MS = scaled(250);

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
  let reportQueued = false;
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
    // Every input and job.yaml is valid: the entry point's token exchange may go ahead. Nothing
    // compiles until STS's request has left (the OIDC answer may still be on its way): the rest
    // compiles while STS and impersonation answer, which leaves the thread free to send each.
    options.exchange?.allow(true);
    await options.exchange?.sent(EXCHANGE_WAIT_MS);
    // Loaded now, not with this chunk: the inputs were checked, and the exchange sent, first.
    const credentials = import('./auth/credentials.ts');
    const authenticating = credentials.then(({ authenticate }) =>
      authenticate(config, env, {
        project: locals[0]?.project ?? '',
        ...(options.getIdToken ? { getIdToken: options.getIdToken } : {}),
        ...(options.exchange ? { prefetched: options.exchange.answers } : {}),
      }),
    );
    // gaxios builds Node's fetch classes (Headers, Response) for every request: load them now,
    // while the exchange is on its way.
    void credentials.then(yieldToIo).then(loadFetchClasses, () => undefined);
    // The pipeline compiles while the token exchange is on the wire, not before it is sent (the
    // entry point's exchange is on its way already: piece by piece, each answer read between).
    const loading = (
      options.exchange ? credentials.then(yieldToIo) : afterNextRequestSent(authenticating)
    ).then(pipeline);
    loading.catch(() => undefined);
    const auth = await authenticating;
    log.info(`Authenticated${auth.principal ? ` as ${auth.principal}` : ''}`);
    const [{ createPreflightSession }] = await loading;
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
        // The report compiles while the deploy (or the last preflight read) is in flight.
        if (s === 'iam' && !reportQueued) {
          reportQueued = true;
          void afterNextRequestSent()
            .then(
              (): Promise<{ commentClient: typeof commentClient }> =>
                configs.length > 1 ? reportMany() : report(),
            )
            .then((r) => r.commentClient({ config }, env))
            .catch(() => undefined);
        }
      },
    };
    runs = await runTargets(configs, locals, keys, shared);
  } catch (e) {
    // Refused inputs: the entry point's exchange never starts (no-op once it was allowed).
    options.exchange?.allow(false);
    const { diagnoseInto } = await import('./target.ts');
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
