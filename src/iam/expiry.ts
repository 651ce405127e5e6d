// Time-bound grants: a binding whose condition ends at a request.time bound. The finding shows
// when it ends; a lapsed one gets two commands (renew it with the same condition and a new end,
// or grant without a condition); one that still holds but ends within 30 days is a warning.
// gcloud's --condition flag takes expression=...,title=...,description=... and, when a value
// holds a comma, another delimiter announced as ^:^ (gcloud's command_lib/iam/iam_util.py).
import type { Finding, Grant } from '../model.ts';
import { grantCommand, shellQuote } from './commands.ts';

export interface BoundCondition {
  expression: string;
  title?: string;
  description?: string;
}

/** A conditional binding that concerns the member and the permission. */
export interface ConditionalBinding {
  resource: string;
  role: string;
  condition: BoundCondition;
}

export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

// request.time < timestamp('T'), request.time <= timestamp("T"), or timestamp('T') > request.time.
const UPPER = [
  /request\.time\s*<=?\s*timestamp\(\s*['"]([^'"]+)['"]\s*\)/g,
  /timestamp\(\s*['"]([^'"]+)['"]\s*\)\s*>=?\s*request\.time/g,
];

/** The end of a time-bound condition (its earliest upper bound on request.time), if it has one. */
export function expiryOf(expression: string): Date | undefined {
  let out: Date | undefined;
  for (const re of UPPER) {
    for (const m of expression.matchAll(re)) {
      const t = new Date(m[1] as string);
      if (!Number.isNaN(t.getTime()) && (!out || t < out)) out = t;
    }
  }
  return out;
}

/** The same condition ending at `end` instead (every upper bound replaced). */
export function renewed(c: BoundCondition, end: Date): BoundCondition {
  const iso = end.toISOString().replace(/\.\d{3}Z$/, 'Z');
  let expression = c.expression;
  for (const re of UPPER) expression = expression.replace(re, (whole, t: string) => whole.replace(t, iso));
  return { ...c, expression };
}

function conditionFlag(c: BoundCondition): string {
  const pairs = [`expression=${c.expression}`];
  if (c.title) pairs.push(`title=${c.title}`);
  if (c.description) pairs.push(`description=${c.description}`);
  const value = pairs.some((p) => p.slice(p.indexOf('=') + 1).includes(','))
    ? `^:^${pairs.join(':')}`
    : pairs.join(',');
  return `--condition=${shellQuote(value)}`;
}

/** The grant's command with a condition (kinds whose command takes one). */
export function conditionalGrantCommand(grant: Grant, c: BoundCondition): string {
  return grantCommand(grant).replace(/--condition=None$/, conditionFlag(c));
}

/** A date as the report shows it. */
export const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The lapsed time-bound bindings among `bindings` (their end is before `now`), with the two
 * commands: renew with the same condition and a new end (now + the time it had, at least 30
 * days), or grant without a condition.
 */
export function lapsedAdvice(
  bindings: readonly ConditionalBinding[],
  grant: Grant | undefined,
  now: Date,
): { evidence: string; remedy: string; command: string } | undefined {
  const lapsed = bindings
    .map((b) => ({ b, end: expiryOf(b.condition.expression) }))
    .filter((x): x is { b: ConditionalBinding; end: Date } => !!x.end && x.end <= now);
  const first = lapsed[0];
  if (!first || !grant) return undefined;
  const fresh = new Date(now.getTime() + 90 * DAY_MS);
  const renew = renewed(first.b.condition, fresh);
  const renewGrant: Grant = { ...grant, role: first.b.role };
  const where = lapsed.map(
    ({ b, end }) =>
      `${b.role} on ${b.resource} (condition '${b.condition.title ?? b.condition.expression}') expired on ${day(end)}`,
  );
  return {
    evidence: ` The time-bound grant ${where.join('; ')}.`,
    remedy: `Renew the time-bound grant with the same condition and a new end (first command; ${day(fresh)} is a placeholder: choose the end), or grant it without a condition (second command).`,
    command: [conditionalGrantCommand(renewGrant, renew), grantCommand(grant)].join('\n'),
  };
}

/** A warning for a satisfying time-bound grant that ends within 30 days, with the renew command. */
export function expiringWarning(
  base: Finding,
  condition: BoundCondition,
  role: string,
  grant: Grant | undefined,
  now: Date,
): Finding | undefined {
  const end = expiryOf(condition.expression);
  if (!end || end <= now || end.getTime() - now.getTime() > EXPIRY_WARNING_DAYS * DAY_MS) return undefined;
  const days = Math.ceil((end.getTime() - now.getTime()) / DAY_MS);
  const warning: Finding = {
    check: base.check,
    status: 'warning',
    title: `${base.title}, but only until ${day(end)} (${days} day${days === 1 ? '' : 's'} left)`,
    evidence: `The binding of ${role} that grants it is time-bound (condition '${condition.title ?? condition.expression}') and expires on ${end.toISOString()}.`,
    remedy: 'Renew the time-bound grant with a later end before it lapses, or make it permanent.',
  };
  if (base.subject) warning.subject = base.subject;
  if (base.resource) warning.resource = base.resource;
  if (base.principal) warning.principal = base.principal;
  if (grant) {
    const g = { ...grant, role };
    warning.command = conditionalGrantCommand(g, renewed(condition, new Date(end.getTime() + 90 * DAY_MS)));
  }
  return warning;
}
