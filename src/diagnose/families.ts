// The refusal families that no grant closes or that a grant closes only on a narrow resource:
// org-policy constraints (a job setting, or a grant under the domain restriction), invalid
// arguments, quotas, a job that does not exist, a secret or Cloud SQL instance that does not
// exist. Decided on the signals (structure first, src/diagnose/signals.ts); called before any
// permission reading, so a constraint's message is never read as a missing role.
import type { ApiError } from '../gcp/errors.ts';
import type { Finding } from '../model.ts';
import {
  type DiagnoseContext,
  emailsIn,
  isServiceAgent,
  jobProject,
  projectIdOf,
  projectOfServiceAccount,
  secretIn,
  secretOf,
} from './facts.ts';
import { jobNotFound } from './remedies-exec.ts';
import { orgPolicy } from './remedies-iam.ts';
import { invalidArgument } from './remedies-input.ts';
import { quota, secretMissing } from './remedies-missing.ts';
import { grantBlocked, orgConstraint, policyProject, refusedMember } from './remedies-policy.ts';
import type { Signals } from './signals.ts';

const REFUSAL_WORDS = /permission|denied|not found|does not exist|not authorized/i;
const XPROJECT = 'iam.disableCrossProjectServiceAccountUsage';
const DOMAINS = 'iam.allowedPolicyMemberDomains';

interface In {
  api: ApiError;
  ctx: DiagnoseContext;
  text: string;
  status: string;
  evidence: string;
  signals: Signals;
}

function constraintFinding({ ctx, text, evidence, signals }: In): Finding | undefined {
  const is = (x: { name: string }, name: string) => x.name.toLowerCase() === name.toLowerCase();
  const c = signals.constraints.find((x) => !is(x, XPROJECT)) ?? signals.constraints[0];
  if (!c) return undefined;
  if (is(c, XPROJECT)) {
    // The account the message names (not the deployer, not the service agent), else the job's.
    const deployer = ctx.plan?.deployer?.toLowerCase();
    const named = emailsIn(text).find((e) => !isServiceAgent(e) && e !== deployer);
    const sa = named ?? ctx.plan?.serviceAccount ?? ctx.config?.serviceAccount;
    return orgPolicy({
      evidence,
      saProject: (sa && projectOfServiceAccount(sa, ctx.plan)) ?? ctx.plan?.serviceAccountProject,
    });
  }
  const project = projectIdOf(policyProject(c.subject, text), ctx) ?? jobProject(ctx);
  if (is(c, DOMAINS)) {
    const member = refusedMember(c.subject, `${c.description ?? ''} ${text}`);
    return grantBlocked({ evidence, member, project });
  }
  return orgConstraint({ evidence, constraint: c.name, project, from: c.from });
}

/** NOT_FOUND of the job itself (v2 "Resource 'J' of kind 'JOB' ... does not exist", or a :run of nothing). */
function jobMissing({ ctx, text, status, evidence, signals }: In): Finding | undefined {
  const kind =
    /Resource '([a-z][a-z0-9-]*)' of kind 'JOB' in region '([a-z0-9-]+)' in project '([a-z0-9-]+)'/i.exec(
      text,
    );
  // Cloud Run's sentence names the kind itself; otherwise a NOT_FOUND must be about the job.
  const typed = status === 'NOT_FOUND' && signals.resource?.type && /job$/i.test(signals.resource.type);
  const running =
    status === 'NOT_FOUND' &&
    ctx.stage === 'execute' &&
    !/\b(?:image|secret|service ?account|executions?\/)/i.test(text);
  if (!kind && !typed && !running) return undefined;
  return jobNotFound({
    evidence,
    job: kind?.[1] ?? ctx.plan?.job ?? ctx.config?.job,
    region: kind?.[2] ?? ctx.plan?.region ?? ctx.config?.region,
    project: kind?.[3] ?? jobProject(ctx),
  });
}

function secretNotFound({ ctx, text, status, evidence, signals }: In): Finding | undefined {
  const typed = signals.resource?.type && /secret/i.test(signals.resource.type);
  const named = secretIn(`${signals.resource?.name ?? ''} ${text}`);
  if (status !== 'NOT_FOUND' || !(typed || named) || /permission/i.test(text)) return undefined;
  const { secret, ref, subject } = secretOf(`${signals.resource?.name ?? ''} ${text}`, ctx);
  const version = /\/versions\/([\w-]+)/.exec(text)?.[1] ?? ref?.version;
  return secretMissing({ evidence, secret, version, ...(subject ? { subject } : {}) });
}

export function classifyFamily(o: In): Finding | undefined {
  const constraint = constraintFinding(o);
  if (constraint) return constraint;
  const { signals, status, evidence, ctx } = o;
  const quotaReason = /QUOTA|RATE_LIMIT|quotaExceeded|rateLimitExceeded/i.test(o.api.reason ?? '');
  if (signals.quota || quotaReason || status === 'RESOURCE_EXHAUSTED') {
    const q = signals.quota;
    return quota({
      evidence,
      project: jobProject(ctx),
      ...(q?.metric ? { metric: q.metric } : {}),
      said: `${q?.description ?? ''} ${o.text}`,
    });
  }
  // A path quoted in words before "Permission denied on secret" is where a refusal happened, not a bad value.
  const field = signals.fields.find((f) => f.from === 'structure' || !REFUSAL_WORDS.test(f.description));
  if (field)
    return invalidArgument({
      evidence,
      field: field.field,
      description: field.description,
      from: field.from,
    });
  return jobMissing(o) ?? secretNotFound(o);
}
