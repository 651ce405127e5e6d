// The schedule stage of a target, after the job is deployed (or planned, in a dry run): the
// trigger's right to run a job that did not exist at the preflight is proven (and with fix
// granted) now that the job has a policy, then the trigger is written. A gap stops the stage
// before the trigger is written: a trigger whose every run would answer 403 is not made.
import type { ApiContext } from '../gcp/clients.ts';
import { StepError } from '../gcp/errors.ts';
import { runChecks } from '../iam/check.ts';
import { applyFixes } from '../iam/fix.ts';
import { iamStatus, type PreflightSession } from '../iam/index.ts';
import { triggerRunRequirement } from '../iam/requirements-schedule.ts';
import type { Config, DeployPlan, Finding, RunResult } from '../model.ts';
import { log } from '../output/log.ts';
import { applySchedule, ForeignTrigger } from './apply.ts';

export interface ScheduleStepDeps {
  ctx: ApiContext;
  session: PreflightSession;
  /** Told when the stage's IAM part starts (the step's watchdog and diagnosis name it). */
  enterIam: () => void;
}

/** The run right of the trigger's account on a job created by this deploy (or about to be, in a dry run). */
async function newJobRunRight(plan: DeployPlan, config: Config, deps: ScheduleStepDeps): Promise<Finding[]> {
  const trigger = plan.trigger;
  if (!trigger || trigger.remove || plan.jobExists === true || config.iam === 'off') return [];
  const req = triggerRunRequirement(plan, trigger);
  if (config.dryRun)
    return [
      {
        check: req.check,
        status: 'unverified',
        title: `Could not verify that ${req.holds.charAt(0).toLowerCase()}${req.holds.slice(1)}`,
        evidence: `Job ${plan.job} does not exist yet, so it has no policy to read; ${config.iam === 'fix' ? `the real run grants ${req.role} on the job once it is created` : `grant ${req.role} on the job once it is created`}.`,
        subject: req.subject,
        principal: req.principal,
        permission: req.permission,
        role: req.role,
        resource: req.resource.name,
        grant: req.grant,
      },
    ];
  const [result] = await runChecks([req], {
    reader: deps.session.reader,
    roles: deps.session.roles,
    allowPrivilegedRuntimeAccount: config.allowPrivilegedRuntimeAccount,
    projectNumbers: { [plan.project]: plan.projectNumber },
  });
  return result ? [result.finding] : [];
}

export async function scheduleStage(
  plan: DeployPlan,
  config: Config,
  result: RunResult,
  deps: ScheduleStepDeps,
): Promise<void> {
  const trigger = plan.trigger;
  if (!trigger) return;
  const findings = await newJobRunRight(plan, config, deps);
  if (findings.length && !config.dryRun && config.iam === 'fix') {
    const granted = await applyFixes(findings, {
      backend: deps.session.backend,
      reader: deps.session.reader,
      dryRun: false,
      log,
    });
    for (const f of findings)
      if (f.status === 'granted') f.title = triggerRunRequirement(plan, trigger).holds;
    result.granted.push(...granted);
  }
  result.findings.push(...findings);
  if (config.iam !== 'off' && findings.length) result.iamStatus = iamStatus(result.findings, result.granted);
  const gaps = findings.filter((f) => f.status === 'missing' && config.failOn !== 'never');
  if (gaps.length) {
    deps.enterIam();
    throw new StepError(
      `schedule: the trigger's account lacks what it needs to run the job; the trigger was not written. Each gap is annotated on the line that set it.`,
    );
  }
  try {
    result.schedule = await applySchedule(deps.ctx, trigger, config, {
      dryRun: config.dryRun,
      log: log.info,
    });
  } catch (e) {
    if (!(e instanceof ForeignTrigger)) throw e;
    result.findings.push(e.finding);
    deps.enterIam();
    throw new StepError(`schedule: ${e.message}; it was left as it is.`);
  }
}
