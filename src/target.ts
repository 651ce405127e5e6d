// One deploy target, a job in a region: plan -> IAM preflight -> deploy -> execute. Whatever
// happens, its RunResult is filled in, a failure diagnosed into it; the failure itself is
// returned, not thrown, so main.ts can run many targets after one authentication and report
// them together.
import type { AuthClient } from 'google-auth-library';
import type { Env } from './auth/endpoints.ts';
import { serviceAccountMixup } from './diagnose/mixup.ts';
import { regionWarning } from './diagnose/remedies-setup.ts';
import type { ApiContext } from './gcp/clients.ts';
import { StepError } from './gcp/errors.ts';
import { scaled } from './gcp/timeout.ts';
import { type PreflightSession, preflight, warmPreflight } from './iam/index.ts';
import { InputError } from './inputs.ts';
import { ConditionFailed } from './job/condition-error.ts';
import { deployAndStart, deployJob, newExecutionToken, tokenFits } from './job/deploy.ts';
import { planV1, planV2, readyV1, readyV2, unchanged } from './job/diff.ts';
import {
  describeOverrides,
  type ExecutionResult,
  executeJob,
  followExecution,
  WaitExpired,
} from './job/execute.ts';
import { executionDetails } from './job/execution-details.ts';
import { manifestForReplace } from './job/spec.ts';
import type { Config, DeployPlan, FailOn, Finding, JobPlan, RunResult } from './model.ts';
import { log } from './output/log.ts';
import { type LocalPlan, provisionalPlan, type Resolved, resolvePlan, UNKNOWN_NUMBER } from './plan.ts';
import { ReportedFailure } from './reported-failure.ts';
import { scheduleStage } from './schedule/step.ts';

export type Stage = 'inputs' | 'auth' | 'resolve' | 'iam' | 'deploy' | 'execute';

/** After grants, how long a PERMISSION_DENIED deploy is retried while IAM propagates. */
const PROPAGATION_RETRY_MS = scaled(120_000);

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

/** What every target of a step shares: one authentication, one preflight session. */
export interface Shared {
  ctx: ApiContext;
  auth: AuthClient;
  env: Env;
  principal?: string;
  session: PreflightSession;
  /** wait_timeout (scaled), when the step follows executions. */
  waitMs?: number;
  /** Told each stage a target enters (the step's watchdog names it). */
  enter?: (stage: Stage) => void;
}

export interface TargetOutcome {
  result: RunResult;
  failure?: Error;
}

const loadDiagnosis = () => Promise.all([import('./diagnose/index.ts'), import('./diagnose/merge.ts')]);

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

export { ReportedFailure };

/** Diagnose a failure at `stage` into the result's findings (the report shows it at its line). */
export async function diagnoseInto(result: RunResult, e: unknown, stage: Stage): Promise<Error> {
  const raw = e instanceof Error ? e : new Error(String(e));
  const [{ diagnose, diagnoseCondition }, { mergeFailure }] = await loadDiagnosis();
  const config = result.config;
  // An input that contradicts the existing job is found once the job is read: still an input error.
  const at: Stage = e instanceof InputError ? 'inputs' : stage;
  result.failedAt = at;
  const ctx = { stage: at, ...(config ? { config } : {}), ...(result.plan ? { plan: result.plan } : {}) };
  const finding =
    (e instanceof WaitExpired ? waitExpiredFinding(e) : undefined) ??
    (e instanceof ConditionFailed
      ? diagnoseCondition(e.condition, {
          ...ctx,
          ...(e.execution ? { execution: e.execution } : {}),
          ...(e.logUri ? { logUri: e.logUri } : {}),
          ...(result.execution?.details ? { details: result.execution.details } : {}),
        })
      : undefined) ??
    diagnose(e, ctx);
  // A refused job.yaml value carries its line: the annotation goes there. Any other refused
  // value is annotated on the input that set it (the first problem names it).
  if (e instanceof InputError && e.location && !finding.location) finding.location = e.location;
  else if (e instanceof InputError) {
    // The one input the first problem names (not words of the message that look like one).
    const input = /^Input "([a-z_]+)"[ :]/.exec(e.problems[0] ?? '')?.[1];
    if (input) finding.subject = input === finding.subject ? finding.subject : `input:${input}`;
  }
  // A preflight stop is already explained by its findings; don't add a second, vaguer one.
  if (!(stage === 'iam' && e instanceof StepError && e.api === undefined)) {
    const merged = mergeFailure(result.findings, finding);
    result.findings = merged.findings;
    result.failure = merged.failure;
  }
  // Every failure is now a finding the report annotates: the step says it once, briefly.
  return new ReportedFailure(result.failure ? `${result.failure.title}. See its annotation.` : raw.message);
}

/**
 * Whether a refusal is one a grant of this run may still be propagating for: its diagnosis is the
 * check a grant just closed. A refusal no grant touched (an org policy, another permission) is
 * reported at once rather than retried for minutes.
 */
async function grantedHere(
  findings: readonly Finding[],
  result: RunResult,
): Promise<(e: unknown) => boolean> {
  const closed = new Set(findings.filter((f) => f.status === 'granted').map((f) => f.check));
  const [{ diagnose }] = await loadDiagnosis();
  const ctx = {
    stage: 'deploy' as const,
    ...(result.config ? { config: result.config } : {}),
    ...(result.plan ? { plan: result.plan } : {}),
  };
  return (e) => closed.has(diagnose(e, ctx).check);
}

export async function runTarget(config: Config, local: LocalPlan, shared: Shared): Promise<TargetOutcome> {
  const result: RunResult = { config, findings: [], granted: [] };
  const region = regionWarning(config.region);
  if (region) result.findings.push(region);
  let stage: Stage = 'resolve';
  shared.enter?.(stage);
  try {
    await deploy(config, local, shared, result, (s) => {
      stage = s;
      shared.enter?.(s);
    });
    return { result };
  } catch (e) {
    return { result, failure: await diagnoseInto(result, e, stage) };
  }
}

async function deploy(
  config: Config,
  local: LocalPlan,
  { ctx, auth, env, principal, session, waitMs }: Shared,
  result: RunResult,
  enter: (stage: Stage) => void,
): Promise<void> {
  const sha = env.GITHUB_SHA;
  // The preflight's reads start now, beside the job and project reads, not after them.
  if (config.iam !== 'off') {
    const provisional = provisionalPlan(config, local, sha, principal);
    warmPreflight(session, provisional, UNKNOWN_NUMBER);
    // The mix-up check's policy read too (answered from the cache below).
    void serviceAccountMixup(provisional, (sa) => session.reader.policy(sa)).catch(() => undefined);
  }
  const resolved = await resolvePlan(ctx, config, local, sha, principal);
  const { plan, existing, existingKnown } = resolved;
  result.plan = plan;
  const jobPlan = existingKnown ? planOf(resolved, local, config, sha) : undefined;
  if (jobPlan) result.jobPlan = jobPlan;
  const job = { name: plan.jobName, consoleUrl: consoleUrl(plan) };
  const willCreate = !local.manifest && !existing;
  log.info(`Job ${plan.jobName} runs as ${plan.serviceAccount}, image ${plan.image.url}`);

  enter('iam');
  const mixupCheck = () =>
    serviceAccountMixup(
      plan,
      config.iam === 'off' ? undefined : (sa) => session.reader.policy(sa),
      (sa, perms) => session.reader.testPermissions(sa, perms),
    );
  // fix asks first: a deployer passed as service_account must not make fix widen anyone. Otherwise
  // the check runs beside the preflight, through its cached reads.
  const early = config.iam === 'fix' ? await mixupCheck() : undefined;
  if (early) log.warning(`${early.title}: iam: fix grants nothing until this is resolved (checking only).`);
  const [iam, mixup] = await Promise.all([
    preflight({ plan, config: early ? { ...config, iam: 'check' } : config, auth, env, log, session }),
    early ? Promise.resolve(early) : mixupCheck(),
  ]);
  if (mixup) result.findings.push(mixup);
  result.findings.push(...iam.findings);
  result.granted = iam.granted;
  if (config.iam !== 'off') result.iamStatus = iam.status;
  if (iam.caveats?.length) result.caveats = iam.caveats;
  const stops = blocking(iam.findings, config.failOn, config.dryRun && config.iam === 'fix');
  if (stops.length)
    throw new StepError(
      `deploy: the IAM preflight found ${stops.length} ${config.failOn === 'unverified' ? 'missing or unverified' : 'missing'} requirement(s) (fail_on: ${config.failOn}); nothing was deployed. Each is annotated on the line that set it.`,
    );

  if (config.dryRun) {
    result.job = { ...job, action: 'planned' };
    const verb = unchanged(jobPlan)
      ? 'leave unchanged (it already matches)'
      : local.manifest
        ? 'replace (v1)'
        : willCreate
          ? 'create'
          : 'update';
    log.info(
      `Dry run: would ${verb} job ${plan.jobName}${config.execute ? ` and execute it${describeOverrides(config.overrides)}` : ''}; nothing changed`,
    );
    await scheduleStage(plan, config, result, { ctx, session, enterIam: () => enter('iam') });
    return;
  }

  enter('deploy');
  const deployOptions = {
    ...(iam.granted.length
      ? {
          retryPermissionDeniedForMs: PROPAGATION_RETRY_MS,
          propagating: await grantedHere(iam.findings, result),
        }
      : {}),
    ...(existingKnown
      ? { known: { job: existing, ...(resolved.existingV1 ? { v1: resolved.existingV1 } : {}) } }
      : {}),
    log: log.info,
  };
  // Deploy and run in one write when the job is deployed from inputs (v2) without execute_*
  // overrides, a token fits and the preflight proved the deployer may run it: otherwise a
  // refused run would also refuse the deploy, where separate calls deploy the job and then
  // report the refused :run.
  const token = newExecutionToken();
  const runProven = iam.findings.some((f) => f.check === 'deployer-run' && f.status === 'satisfied');
  // A job that already matches is not written, so its run is a plain :run.
  const fold =
    config.execute &&
    runProven &&
    !config.overrides &&
    !local.manifest &&
    !unchanged(jobPlan) &&
    tokenFits(plan.job, token);
  const until = config.wait ? 'completed' : 'started';
  const startedAt = Date.now();
  const tokenWrite = { token, until, ...(waitMs !== undefined ? { waitMs } : {}) } as const;
  const folded = fold ? await deployAndStart(ctx, plan, config, sha, tokenWrite, deployOptions) : undefined;
  const action = folded?.action ?? (await deployJob(ctx, plan, config, local.manifest, sha, deployOptions));
  result.job = { ...job, action };
  result.timings = { ...result.timings, deployed: new Date().toISOString() };
  log.info(`Job ${plan.jobName} ${action}: ${job.consoleUrl}`);
  await scheduleStage(plan, config, result, { ctx, session, enterIam: () => enter('iam') });

  if (!config.execute) return;
  enter('execute');
  const execOptions = {
    wait: config.wait,
    log: log.info,
    ...(config.overrides ? { overrides: config.overrides } : {}),
    ...(waitMs !== undefined ? { waitTimeoutMs: waitMs } : {}),
  };
  // Folded into the deploy call, the execution started within it: now is when that call returned.
  result.timings = { ...result.timings, executed: new Date().toISOString() };
  const following: Promise<ExecutionResult> = folded
    ? followExecution(ctx, folded.execution, { ...execOptions, startedAt })
    : executeJob(ctx, plan.jobName, execOptions);
  const execution = await following.catch((e: unknown) => {
    // Left running at wait_timeout: the outputs still name it, with its link.
    if (e instanceof WaitExpired)
      result.execution = { name: e.execution, status: 'running', ...(e.logUri ? { logUri: e.logUri } : {}) };
    throw e;
  });
  result.execution = { name: execution.name, status: execution.status };
  if (execution.logUri) result.execution.logUri = execution.logUri;
  if (execution.status === 'failed') result.execution.details = await executionDetails(ctx, execution.name);
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

/** The job plan: the job as read against the job the deploy sends (src/job/diff.ts). */
function planOf(
  resolved: Resolved,
  local: LocalPlan,
  config: Config,
  sha: string | undefined,
): JobPlan | undefined {
  const options = {
    ...(config.showEnvValues ? { showEnvValues: true } : {}),
    defaultServiceAccount: `${resolved.plan.projectNumber}-compute@developer.gserviceaccount.com`,
  };
  const notReady = (plan: JobPlan, ready: boolean): JobPlan =>
    plan.action === 'create' || ready ? plan : { ...plan, notReady: true };
  if (local.manifest) {
    const body = manifestForReplace(local.manifest, resolved.plan.project, config, sha);
    const existing = resolved.existingV1;
    return notReady(planV1(existing, body, options), !existing || readyV1(existing));
  }
  const existing = resolved.existing;
  if (!resolved.merged) return undefined;
  return notReady(planV2(existing, resolved.merged, options), !existing || readyV2(existing));
}
