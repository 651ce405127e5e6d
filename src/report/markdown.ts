// Markdown pieces shared by the job summary and the pull-request comment: the checks table,
// what to do about each gap (who acts, the exact grant, the command), the grants made, and the
// full names behind the short ones. Every value passes through escape.ts (md, mdCode) or
// prose.ts (which puts e-mails and resource names in code).
import { commandLines } from '../iam/commands.ts';
import type { DeployPlan, Finding, FindingStatus, Grant, SourceLocation } from '../model.ts';
import { mdCode, mdCodeBlock } from '../output/escape.ts';
import { actorFor } from './actors.ts';
import { identityKey, type Name, nameOf, shortRole } from './names.ts';
import { mdProse } from './prose.ts';
import { statusLabel } from './vocabulary.ts';

const ORDER: FindingStatus[] = ['failed', 'missing', 'unverified', 'warning', 'granted', 'satisfied'];

/** Worst first, stable within a status. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
}

export function isGap(f: Finding): boolean {
  return f.status === 'missing' || f.status === 'failed';
}

export function needsAttention(f: Finding): boolean {
  return f.status !== 'satisfied' && f.status !== 'granted';
}

/** "runtime account `runtime@…`": the kind in words, the identifying part as code. */
export function mdName(n: Name): string {
  return [n.kind, n.short ? mdCode(n.short) : ''].filter(Boolean).join(' ');
}

/** The full names behind the short ones a table used, collapsed. */
export function fullNames(names: readonly Name[]): string {
  const seen = new Map<string, Name>();
  for (const n of names) if (n.short !== n.full) seen.set(identityKey(n.full), n);
  if (seen.size === 0) return '';
  const items = [...seen.values()].map((n) => `- ${mdName(n)}: ${mdCode(n.full)}`);
  return `<details><summary>Full names</summary>\n\n${items.join('\n')}\n\n</details>`;
}

type Plan = DeployPlan | undefined;

/** One row per check: status, who, which role, on what, and the check id annotations carry. */
export function checksTable(findings: readonly Finding[], plan?: Plan): string {
  const names: Name[] = [];
  const name = (full: string | undefined) => {
    if (!full) return '—';
    const n = nameOf(full, plan);
    names.push(n);
    return mdName(n);
  };
  const rows = sortFindings(findings).map((f) => {
    const role = f.role ? mdCode(shortRole(f.role)) : '—';
    return `| ${statusLabel(f)} | ${name(f.principal)} | ${role} | ${name(f.resource)} | ${mdCode(f.check)} |`;
  });
  const table = ['| Status | Who | Needs role | On | Check |', '|---|---|---|---|---|', ...rows].join('\n');
  const details = fullNames(names);
  return details ? `${table}\n\n${details}` : table;
}

export function where(
  loc: SourceLocation | undefined,
  blobUrl?: (l: SourceLocation) => string | undefined,
): string {
  if (!loc) return '';
  const text = mdCode(`${loc.file}:${loc.line}`);
  const url = blobUrl?.(loc);
  return url ? `[${text}](${url})` : text;
}

/** How far a grant reaches, in words a reviewer checks at a glance. */
const SCOPE: Record<Grant['kind'], string> = {
  serviceAccount: 'on this service account only',
  repository: 'on this repository only',
  secret: 'on this secret only',
  project: 'on the whole project',
  subnetwork: 'on this subnetwork only',
  bucket: 'on this bucket only',
  cryptoKey: 'on this key only',
  job: 'on this job only',
};

/** "Grant `roles/x` to <who> on <what>, on this repository only." */
export function grantSentence(g: Grant, plan?: Plan): string {
  return `${mdCode(g.role)} to ${mdName(nameOf(g.member, plan))} on ${mdName(nameOf(g.resource, plan))}, ${SCOPE[g.kind]}`;
}

/** Who must act on a gap: the deployer through `iam: fix`, or an administrator, by permission. */
function whoActs(f: Finding, plan?: Plan): string | undefined {
  const actor = actorFor(f);
  if (!actor.permission) return f.command ? '**Who:** an administrator, with the command below.' : undefined;
  const perm = mdCode(actor.permission);
  if (!actor.byFix) {
    const own =
      plan?.deployer && f.principal?.toLowerCase() === `serviceaccount:${plan.deployer.toLowerCase()}`;
    return `**Who:** an administrator who holds ${perm}${own ? ' (the action never grants the deployer its own access)' : ''}.`;
  }
  const deployer = plan?.deployer ? ` ${mdCode(plan.deployer)}` : '';
  // The preflight tested the deployer's permission on that resource: say who, not "if".
  if (actor.deployerMay === true)
    return `**Who:** the deployer${deployer} can close this with ${mdCode('iam: fix')} (it holds ${perm} there).`;
  if (actor.deployerMay === false)
    return `**Who:** an administrator must, with the command below (the deployer${deployer} lacks ${perm} there).`;
  return `**Who:** the deployer${deployer}, by re-running with ${mdCode('iam: fix')}, if it holds ${perm} there; otherwise an administrator who does, with the command below.`;
}

/**
 * The widest code line that shows whole in a github.com column (~760px, 14px text: a code
 * block holds about 96 monospace characters); test/report-gfm.test.ts holds every block to it.
 */
export const CODE_WIDTH = 96;

/** Hard-wrap text at word boundaries (a word longer than the width is cut), line by line. */
export function wrap(text: string, width = CODE_WIDTH): string {
  return text
    .split('\n')
    .flatMap((line) => {
      const out: string[] = [];
      let cur = '';
      for (let word of line.split(/ +/)) {
        while (word.length > width) {
          if (cur) out.push(cur);
          cur = '';
          out.push(word.slice(0, width));
          word = word.slice(width);
        }
        if (cur && cur.length + 1 + word.length > width) {
          out.push(cur);
          cur = word;
        } else cur = cur ? `${cur} ${word}` : word;
      }
      out.push(cur);
      return out;
    })
    .join('\n');
}

/** Evidence in a code block (inert whatever Google wrote), wrapped to the column, collapsed. */
export function evidence(text: string): string {
  return `<details><summary>Evidence</summary>\n\n${mdCodeBlock(wrap(text.trim()), 'text')}\n\n</details>`;
}

/** One block per finding that needs attention: what, who acts, the grant, the command, why. */
export function remedies(
  findings: readonly Finding[],
  blobUrl?: (l: SourceLocation) => string | undefined,
  withEvidence = true,
  plan?: Plan,
): string {
  return sortFindings(findings)
    .filter(needsAttention)
    .map((f) => {
      const parts = [`#### ${statusLabel(f)}: ${mdProse(f.title)}`];
      const at = where(f.location, blobUrl);
      parts.push(`Check ${mdCode(f.check)}${at ? `, set at ${at}` : ''}.`);
      if (f.grant) parts.push(`**Grant** ${grantSentence(f.grant, plan)}.`);
      else if (f.remedy) parts.push(mdProse(f.remedy));
      const who = whoActs(f, plan);
      if (who) parts.push(who);
      if (f.command) parts.push(mdCodeBlock(commandLines(f.command), 'sh'));
      if (withEvidence) parts.push(evidence(f.evidence));
      return parts.join('\n\n');
    })
    .join('\n\n');
}

/** The bindings `iam: fix` made, each with its scope (and the full names, unless a table above has them). */
export function grantsList(granted: readonly Grant[], plan?: Plan, withNames = true): string {
  const items = granted.map((g) => `- ${grantSentence(g, plan)}.`);
  if (!withNames) return items.join('\n');
  const names = granted.flatMap((g) => [nameOf(g.member, plan), nameOf(g.resource, plan)]);
  const details = fullNames(names);
  return details ? `${items.join('\n')}\n\n${details}` : items.join('\n');
}
