// The job summary: what was deployed, one table of every check, the remedies with their
// commands, the principal -> resource graph, and the bindings granted in fix mode.
import type { RunResult, SourceLocation } from '../model.ts';
import { md, mdCode, mdCodeBlock, mdLink } from './escape.ts';
import { renderExecutionDetails } from './execution.ts';
import { checksTable, isGap, needsAttention, remedies } from './markdown.ts';
import { renderMermaid } from './mermaid.ts';

export interface SummaryContext {
  /** Link to a file line in the repository at this commit, when known. */
  blobUrl?: (loc: SourceLocation) => string | undefined;
}

export function headline(result: RunResult): string {
  const gaps = result.findings.filter(isGap).length;
  // Before the plan is resolved (bad input, job.yaml not read) the job's name may be unknown.
  const job = result.plan?.job ?? result.config?.job;
  const state = result.failure ? 'failed' : gaps ? `${gaps} gap${gaps > 1 ? 's' : ''}` : 'IAM ok';
  return `Cloud Run job${job ? ` ${mdCode(job)}` : ''}: ${state}`;
}

export function renderSummary(result: RunResult, ctx: SummaryContext = {}): string {
  const out: string[] = [`## ${headline(result)}`];
  const facts: string[] = [];
  if (result.job)
    facts.push(`**Job** ${mdLink(result.job.name, result.job.consoleUrl)} (${md(result.job.action)})`);
  if (result.execution) {
    const logs = result.execution.logUri ? ` — ${mdLink('logs', result.execution.logUri)}` : '';
    facts.push(`**Execution** ${mdCode(result.execution.name)}: ${md(result.execution.status)}${logs}`);
  }
  if (result.iamStatus) facts.push(`**IAM** ${md(result.iamStatus)}`);
  if (facts.length) out.push(facts.join(' · '));
  if (result.failure) out.push(`> [!CAUTION]\n> ${md(result.failure.title)}`);
  const execution = renderExecutionDetails(result.execution);
  if (execution) out.push(execution);

  if (result.findings.length) {
    out.push('### Checks', checksTable(result.findings));
    if (result.findings.some(needsAttention))
      out.push('### What to do', remedies(result.findings, ctx.blobUrl));
    const graph = renderMermaid(result.findings);
    if (graph) out.push('### Who needs what', mdCodeBlock(graph, 'mermaid'));
  } else {
    out.push('No IAM checks ran.');
  }
  if (result.granted.length) {
    out.push(
      '### Granted',
      result.granted
        .map((g) => `- ${mdCode(g.role)} to ${mdCode(g.member)} on ${mdCode(g.resource)}`)
        .join('\n'),
    );
  }
  return `${out.join('\n\n')}\n`;
}
