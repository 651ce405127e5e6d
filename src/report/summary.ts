// The job summary: a headline that answers deployed? ran? IAM?, one callout that says what to
// do (or that all holds), what to do about each gap, the grants made, the checks table and the
// principal -> resource graph.
import type { RunResult, SourceLocation } from '../model.ts';
import { md, mdCode, mdCodeBlock, mdLink } from '../output/escape.ts';
import { renderCaveats } from './caveats.ts';
import { renderExecutionDetails } from './execution.ts';
import { renderJobPlan } from './job-plan.ts';
import { checksTable, grantsList, isGap, needsAttention, remedies } from './markdown.ts';
import { LEGEND, renderMermaid } from './mermaid.ts';
import { mdProse } from './prose.ts';
import { renderSchedule, renderTimings } from './schedule.ts';

export interface SummaryContext {
  /** Link to a file line in the repository at this commit, when known. */
  blobUrl?: (loc: SourceLocation) => string | undefined;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Deployed or not: "deployed (updated)", "not deployed", "deploy failed", "not deployed (dry run)". */
export function deployWords(r: RunResult): string {
  if (r.job?.action === 'planned') return 'not deployed (dry run)';
  if (r.job?.action === 'unchanged') return 'deployed (unchanged, nothing written)';
  if (r.job) return `deployed (${r.job.action})`;
  return r.failedAt === 'deploy' ? 'deploy failed' : 'not deployed';
}

/** Ran or not, with the result: "ran: succeeded", "not run", "not run (execute: false)". */
export function runWords(r: RunResult): string {
  if (r.execution) return `ran: ${r.execution.status}`;
  if (r.failedAt === 'execute') return 'run failed';
  if (r.config?.execute === false) return 'not run (execute: false)';
  return 'not run';
}

/** The IAM outcome in the one vocabulary (vocabulary.ts): the `iam_status` output's word. */
export function iamWords(r: RunResult): string {
  if (r.iamStatus) return `IAM ${r.iamStatus}`;
  return r.config?.iam === 'off' ? 'IAM not checked (iam: off)' : 'IAM not checked';
}

function succeeded(r: RunResult): boolean {
  return !r.failure && !r.failedAt && !r.findings.some(isGap);
}

/** One line: the mark, the job, deployed or not, ran or not, and the IAM word. */
export function headline(r: RunResult): string {
  // Before the plan is resolved (bad input, job.yaml not read) the job's name may be unknown.
  const job = r.plan?.job ?? r.config?.job;
  const mark = !succeeded(r) ? '❌' : r.findings.some(needsAttention) ? '⚠️' : '✅';
  const parts = [deployWords(r), runWords(r), iamWords(r)];
  return `${mark} Cloud Run job${job ? ` ${mdCode(job)}` : ''}: ${parts.join(' · ')}`;
}

/** The callout under the headline: what stopped the run and who can close it, or that all holds. */
export function callout(r: RunResult): string {
  const gaps = r.findings.filter((f) => f.status === 'missing');
  const unverified = r.findings.filter((f) => f.status === 'unverified');
  const box = (kind: string, lines: string[]) => `> [!${kind}]\n${lines.map((l) => `> ${l}`).join('\n>\n')}`;
  if (r.failure) {
    const f = r.failure;
    const stage = r.job ? runWords(r) : deployWords(r);
    const lines = [
      `**${md(stage[0]?.toUpperCase() + stage.slice(1))}:** ${mdProse(f.title)} (${mdCode(f.check)}).`,
    ];
    if (f.grant)
      lines.push(
        `Re-running with ${mdCode('iam: fix')} grants the binding it needs, if the deployer may set that IAM policy; otherwise an administrator runs the command below.`,
      );
    else if (f.remedy) lines.push(mdProse(f.remedy));
    return box('CAUTION', lines);
  }
  if (gaps.length) {
    const fixable = gaps.filter((f) => f.grant).length;
    // A schedule's gap stops after the job is deployed (the trigger's run right on a new job).
    const stopped = r.failedAt === 'iam' && !r.job ? ', so nothing was deployed' : '';
    const lines = [
      `**${plural(gaps.length, 'binding')} the job needs ${gaps.length === 1 ? 'is' : 'are'} missing${stopped}.**`,
    ];
    // The preflight tested whether the deployer may set each policy: say so, not "if".
    const may = gaps.map((f) => f.deployerMayGrant);
    if (fixable === gaps.length && may.every((m) => m === true))
      lines.push(
        `Re-running with ${mdCode('iam: fix')} grants ${gaps.length === 1 ? 'it' : 'them'} at the narrowest scope: the deployer may set ${gaps.length === 1 ? 'that IAM policy' : 'those IAM policies'}.`,
      );
    else if (fixable === gaps.length && may.every((m) => m === false))
      lines.push(
        `An administrator must grant ${gaps.length === 1 ? 'it' : 'them'} (commands below): the deployer may not set ${gaps.length === 1 ? 'that IAM policy' : 'those IAM policies'}.`,
      );
    else if (fixable === gaps.length)
      lines.push(
        `Re-running with ${mdCode('iam: fix')} grants ${gaps.length === 1 ? 'it' : 'them'} at the narrowest scope, if the deployer may set those IAM policies; otherwise an administrator runs the commands below.`,
      );
    else if (fixable)
      lines.push(
        `${mdCode('iam: fix')} can grant ${fixable} of them; the other ${gaps.length - fixable} need an administrator (commands below).`,
      );
    else lines.push(`An administrator must grant ${gaps.length === 1 ? 'it' : 'them'} (commands below).`);
    return box('CAUTION', lines);
  }
  const done = doneSentence(r);
  if (!succeeded(r)) return box('CAUTION', [`**The run stopped.** ${done}`]);
  if (unverified.length)
    return box('WARNING', [
      `**${plural(unverified.length, 'requirement')} could not be proven.** Nothing is known to be missing; each one's evidence says what the deployer could not read. ${done}`,
    ]);
  const fixed = r.granted.length
    ? `; ${plural(r.granted.length, 'binding')} granted by ${mdCode('iam: fix')}`
    : '';
  return box('TIP', [`**All IAM requirements hold**${fixed}. ${done}`]);
}

/** "The job was created and its execution succeeded." from what happened. */
function doneSentence(r: RunResult): string {
  if (r.job?.action === 'planned') return 'Dry run: nothing was deployed or run.';
  if (!r.job) return 'Nothing was deployed.';
  const ran = r.execution
    ? ` and its execution ${md(r.execution.status)}`
    : r.config?.execute === false
      ? `; it was not run (${mdCode('execute: false')})`
      : '';
  return `The job was ${md(r.job.action)}${ran}.`;
}

/** Links and names of what was deployed and run. */
export function facts(r: RunResult): string {
  const out: string[] = [];
  if (r.job && r.job.action !== 'planned')
    out.push(`**Job** ${mdLink(r.plan?.job ?? r.job.name, r.job.consoleUrl)} ${md(r.job.action)}`);
  if (r.execution) {
    const name = r.execution.name.split('/').at(-1) ?? r.execution.name;
    const logs = r.execution.logUri ? ` (${mdLink('logs', r.execution.logUri)})` : '';
    out.push(`**Execution** ${mdCode(name)} ${md(r.execution.status)}${logs}`);
  }
  return out.join(' · ');
}

export function renderSummary(result: RunResult, ctx: SummaryContext = {}): string {
  const out: string[] = [`## ${headline(result)}`, callout(result)];
  const caveats = renderCaveats(result.caveats);
  if (caveats) out.push(caveats);
  const line = facts(result);
  if (line) out.push(line);
  const execution = renderExecutionDetails(result.execution);
  if (execution) out.push(execution);
  const jobPlan = renderJobPlan(result, '###');
  if (jobPlan) out.push(jobPlan);
  for (const part of [renderSchedule(result), renderTimings(result)]) if (part) out.push(part);
  const plan = result.plan;
  if (result.findings.length) out.push('### Checks', checksTable(result.findings, plan));
  else out.push('No IAM checks ran.');
  if (result.findings.some(needsAttention))
    out.push('### What to do', remedies(result.findings, ctx.blobUrl, true, plan));
  if (result.granted.length)
    out.push('### Granted by `iam: fix`', grantsList(result.granted, plan, result.findings.length === 0));
  const graph = renderMermaid(result.findings, plan);
  if (graph) out.push('### Who needs what', mdCodeBlock(graph, 'mermaid'), LEGEND);
  return `${out.join('\n\n')}\n`;
}
