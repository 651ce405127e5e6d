// The organization's list constraints on the job's settings: every effective policy read at
// once, a violation is a finding per constraint (before any write), a policy whose verdict
// cannot be told (a tag condition, a value group not expanded) is unverified, and a constraint
// that restricts nothing says nothing. When the policies cannot be read, Cloud Run still
// enforces them on the write (and diagnosis reads its PreconditionFailure): that is said once
// per run as a caveat, and is an unverified finding only in the strict view (fail_on: unverified).
import type { Finding } from '../model.ts';
import { openFinding } from './finding.ts';
import {
  exactMatch,
  type ListVerdict,
  listVerdict,
  locationMatch,
  type Matcher,
  restricts,
  underMatch,
} from './org-constraints.ts';
import type { Reader } from './reader.ts';
import type { ConstraintCheck, OrgConstraintsRequirement } from './requirements.ts';

export interface OrgConstraintDeps {
  reader: Reader;
  /** fail_on: unverified: what cannot be read is unverified, not a caveat. */
  strict?: boolean;
  caveat?: (text: string) => void;
}

/** projects/P and everything above it, as far as it can be read. */
async function ancestry(reader: Reader, project: string): Promise<string[]> {
  const out = [`projects/${project}`];
  for (let depth = 0; depth < 12; depth++) {
    const parent = await reader.parent(out[out.length - 1] as string);
    if (!parent.ok || !parent.value) break;
    out.push(parent.value);
  }
  return out;
}

async function matcherFor(c: ConstraintCheck, reader: Reader): Promise<Matcher> {
  if (c.match === 'location') return locationMatch;
  if (c.match === 'under' && c.value) return underMatch(await ancestry(reader, c.value));
  return exactMatch;
}

export async function checkOrgConstraints(
  req: OrgConstraintsRequirement,
  deps: OrgConstraintDeps,
): Promise<Finding[]> {
  const read = await Promise.all(
    req.constraints.map(async (c) => {
      const policy = await deps.reader.orgPolicy(req.project, c.constraint);
      if (!policy.ok) return { c, error: policy.error.message };
      const verdict = listVerdict(policy.value, c.value, await matcherFor(c, deps.reader));
      return { c, verdict, restricting: restricts(policy.value) };
    }),
  );
  const where = `project ${req.project}`;
  const violated = read.flatMap((r) => (r.verdict?.state === 'denied' ? [{ c: r.c, v: r.verdict }] : []));
  if (violated.length > 0) return violated.map(({ c, v }) => violation(req, c, v));
  const findings: Finding[] = [];
  const unreadable = read.filter((r) => r.error !== undefined);
  if (unreadable.length > 0) {
    const reasons = unreadable.map((r) => `${r.c.constraint} (${r.error})`).join('; ');
    if (deps.strict) {
      const f = base(req, 'unverified', `Could not read the effective org policies on ${where}: ${reasons}.`);
      findings.push(f);
    } else {
      deps.caveat?.(
        `The organization's policies on ${where} could not be read (${unreadable.map((r) => r.c.constraint).join(', ')}): Cloud Run enforces them when the job is written, and a refusal is reported then. Failing on unverified checks (the strict view) makes this an unverified check instead.`,
      );
    }
  }
  const unknown = read.filter((r) => r.verdict?.state === 'unknown');
  if (unknown.length > 0) {
    findings.push(
      base(
        req,
        'unverified',
        unknown.map((r) => `${r.c.constraint} on ${where} ${r.verdict?.why}`).join('; '),
      ),
    );
  }
  const held = read.filter((r) => r.verdict?.state === 'allowed' && r.restricting);
  if (findings.length === 0 && held.length > 0) {
    findings.push(
      base(
        req,
        'satisfied',
        `${held.map((r) => `${r.c.constraint} on ${where} ${r.verdict?.why} for the job's ${r.c.setting}`).join('; ')}.`,
      ),
    );
  }
  return findings;
}

function base(req: OrgConstraintsRequirement, status: Finding['status'], evidence: string): Finding {
  return { ...openFinding(req), status, evidence, resource: `projects/${req.project}` };
}

function violation(req: OrgConstraintsRequirement, c: ConstraintCheck, v: ListVerdict): Finding {
  const value = c.value ?? 'none';
  return {
    ...base(
      req,
      'missing',
      `The effective policy of ${c.constraint} on project ${req.project} ${v.why}; the job's ${c.setting} is ${value}. Cloud Run would refuse the write (FAILED_PRECONDITION).`,
    ),
    title: `The organization policy ${c.constraint} does not allow the job's ${c.setting} (${value})`,
    subject: c.subject,
    remedy: c.remedy,
    command: `gcloud org-policies describe ${c.constraint} --project=${req.project} --effective`,
  };
}
