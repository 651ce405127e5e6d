// Orchestration only: inputs -> auth -> plan -> IAM preflight -> deploy -> execute -> report.
// Whatever happens, a RunResult is built and published; the one failure (if any) is thrown
// once, after the report, for index.ts to set.
import { authenticate, type IdTokenSource } from './auth/credentials.ts';
import type { Env } from './auth/endpoints.ts';
import { diagnose, diagnoseCondition } from './diagnose/index.ts';
import { mergeFailure } from './diagnose/merge.ts';
import { serviceAccountMixup } from './diagnose/mixup.ts';
import { regionWarning } from './diagnose/remedies-setup.ts';
import type { ApiContext } from './gcp/clients.ts';
import { StepError } from './gcp/errors.ts';
import { scaled } from './gcp/timeout.ts';
import { createPreflightSession, preflight, warmPreflight } from './iam/index.ts';
import { InputError, readInputs } from './inputs.ts';
import { ConditionFailed } from './job/condition-error.ts';
import { deployJob } from './job/deploy.ts';
import { executeJob, WaitExpired } from './job/execute.ts';
import { executionDetails } from './job/execution-details.ts';
import type { Config, DeployPlan, FailOn, Finding, RunResult } from './model.ts';
import { log } from './output/log.ts';
import { provisionalPlan, resolveLocal, resolvePlan, UNKNOWN_NUMBER } from './plan.ts';
import { publish } from './report/index.ts';
import { startWatchdog, stepBoundMs } from './watchdog.ts';

type Stage = 'inputs' | 'auth' | 'resolve' | 'iam' | 'deploy' | 'execute';

/** After grants, how long a PERMISSION_DENIED deploy is retried while IAM propagates. */
const PROPAGATION_RETRY_MS = scaled(120_000);

export interface RunOptions {
  env?: Env;
  getIdToken?: IdTokenSource;
}

export function consoleUrl(plan: Pick<DeployPlan, 'region' | 'job' | 'project'>): string {
  return `https://console.cloud.google.com/run/jobs/details/${plan.region}/${plan.job}?project=${plan.project}`;
}

/** Findings that stop the run before deploying, per fail_on. Planned fixes (dry run + fix) do not. */
export function blocking(findings: readonly Finding[], failOn: FailOn, plannedFixes: boolean): Finding[] {
  if (failOn === 'never') return [];
  const stops = failOn === 'unverified' ? ['missing', 'unverified'] : ['missing'];
  return findings.filter(
    // A dry run of `fix` lets through a gap it planned a grant for (shown as a diff): the real
    // run would close it. A gap it could not plan for stops it, as it would stop the real run.
    (f) => stops.includes(f.status) && !(plannedFixes && f.plannedChange !== undefined),
  );
}

function waitExpiredFinding(e: WaitExpired): Finding {
  return {
    check: 'wait-timeout',
    status: 'failed',
    title: 'The execution was still running at wait_timeout',
    evidence: e.message,
    remedy:
      'Nothing failed yet: raise wait_timeout (up to 5h30m) for long executions, or set wait: false to deploy and start the job without following it.',
    resource: e.execution,
    subject: 'execute',
  };
}

export async function run(options: RunOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const result: RunResult = { findings: [], granted: [] };
  let stage: Stage = 'inputs';
  let config: Config | undefined;
  let failure: Error | undefined;
  let stopWatchdog: (() => void) | undefined;
  try {
    config = readInputs(env);
    result.config = config;
    const region = regionWarning(config.region);
    if (region) result.findings.push(region);
    const waitMs =
      config.execute && config.wait && config.waitTimeoutMs ? scaled(config.waitTimeoutMs) : undefined;
    const doing: Record<Stage, string> = {
      inputs: 'read the inputs',
      auth: 'authenticate',
      resolve: 'read the project and the job',
      iam: 'check (or grant) IAM',
      deploy: 'deploy the job',
      execute: 'follow the execution',
    };
    stopWatchdog = startWatchdog(stepBoundMs(waitMs), () => doing[stage]);
    const local = resolveLocal(config, env);

    stage = 'auth';
    const auth = await authenticate(config, env, {
      project: local.project,
      ...(options.getIdToken ? { getIdToken: options.getIdToken } : {}),
    });
    const ctx: ApiContext = { auth: auth.client, universe: config.universe, env };
    log.info(`Authenticated${auth.principal ? ` as ${auth.principal}` : ''}`);

    stage = 'resolve';
    const sha = env.GITHUB_SHA;
    // The preflight's reads start now, beside the job and project reads, not after them.
    const session = createPreflightSession({ config, auth: auth.client, env, log });
    if (config.iam !== 'off')
      warmPreflight(session, provisionalPlan(config, local, sha, auth.principal), UNKNOWN_NUMBER);
    const { plan, existing, existingKnown } = await resolvePlan(ctx, config, local, sha, auth.principal);
    result.plan = plan;
    const job = { name: plan.jobName, consoleUrl: consoleUrl(plan) };
    const willCreate = !local.manifest && !existing;
    log.info(`Job ${plan.jobName} runs as ${plan.serviceAccount}, image ${plan.image.url}`);

    stage = 'iam';
    // Beside the preflight and through its cached reads: at most one more read, never more depth.
    const [iam, mixup] = await Promise.all([
      preflight({ plan, config, auth: auth.client, env, log, session }),
      serviceAccountMixup(plan, config.iam === 'off' ? undefined : (sa) => session.reader.policy(sa)),
    ]);
    if (mixup) result.findings.push(mixup);
    result.findings.push(...iam.findings);
    result.granted = iam.granted;
    if (config.iam !== 'off') result.iamStatus = iam.status;
    const stops = blocking(iam.findings, config.failOn, config.dryRun && config.iam === 'fix');
    if (stops.length)
      throw new StepError(
        `deploy: the IAM preflight found ${stops.length} ${config.failOn === 'unverified' ? 'missing or unverified' : 'missing'} requirement(s) (fail_on: ${config.failOn}): ${stops.map((f) => f.title).join('; ')}`,
      );

    if (config.dryRun) {
      result.job = { ...job, action: 'planned' };
      const verb = local.manifest ? 'replace (v1)' : willCreate ? 'create' : 'update';
      log.info(
        `Dry run: would ${verb} job ${plan.jobName}${config.execute ? ' and execute it' : ''}; nothing changed`,
      );
      return;
    }

    stage = 'deploy';
    const action = await deployJob(ctx, plan, config, local.manifest, sha, {
      ...(iam.granted.length ? { retryPermissionDeniedForMs: PROPAGATION_RETRY_MS } : {}),
      ...(existingKnown ? { known: { job: existing } } : {}),
      log: log.info,
    });
    result.job = { ...job, action };
    log.info(`Job ${plan.jobName} ${action}: ${job.consoleUrl}`);

    if (config.execute) {
      stage = 'execute';
      const execution = await executeJob(ctx, plan.jobName, {
        wait: config.wait,
        log: log.info,
        ...(config.overrides ? { overrides: config.overrides } : {}),
        ...(waitMs !== undefined ? { waitTimeoutMs: waitMs } : {}),
      }).catch((e: unknown) => {
        // Left running at wait_timeout: the outputs still name it, with its link.
        if (e instanceof WaitExpired)
          result.execution = {
            name: e.execution,
            status: 'running',
            ...(e.logUri ? { logUri: e.logUri } : {}),
          };
        throw e;
      });
      result.execution = { name: execution.name, status: execution.status };
      if (execution.logUri) result.execution.logUri = execution.logUri;
      if (execution.status === 'failed')
        result.execution.details = await executionDetails(ctx, execution.name);
      if (execution.status === 'failed' || execution.status === 'cancelled')
        throw new ConditionFailed(
          `complete execution ${execution.name}`,
          execution.condition ?? {
            type: 'Completed',
            state: 'CONDITION_FAILED',
            message: `execution ${execution.status}`,
          },
          { execution: execution.name, ...(execution.logUri ? { logUri: execution.logUri } : {}) },
        );
    }
  } catch (e) {
    failure = e instanceof Error ? e : new Error(String(e));
    // An input that contradicts the existing job is found once the job is read: still an input error.
    const at: Stage = e instanceof InputError ? 'inputs' : stage;
    const ctx = { stage: at, ...(config ? { config } : {}), ...(result.plan ? { plan: result.plan } : {}) };
    const finding =
      (e instanceof WaitExpired ? waitExpiredFinding(e) : undefined) ??
      (e instanceof ConditionFailed
        ? diagnoseCondition(e.condition, {
            ...ctx,
            ...(e.execution ? { execution: e.execution } : {}),
            ...(e.logUri ? { logUri: e.logUri } : {}),
          })
        : undefined) ??
      diagnose(e, ctx);
    // A preflight stop is already explained by its findings; don't add a second, vaguer one.
    if (!(stage === 'iam' && e instanceof StepError && e.api === undefined)) {
      const merged = mergeFailure(result.findings, finding);
      result.findings = merged.findings;
      result.failure = merged.failure;
    }
  } finally {
    await publish(result, env).catch((e: unknown) =>
      log.warning(`Could not publish the report: ${String(e)}`),
    );
    stopWatchdog?.();
  }
  if (failure) throw failure;
}
