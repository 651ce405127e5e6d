// The failed execution, for people: which tasks failed with which exit code and the last lines
// the first failing task logged, or the log link and the permission that would show them here.
// Every value passes through the neutralising escapes (task logs are untrusted text).
import type { RunResult } from '../model.ts';
import { md, mdCell, mdCode, mdCodeBlock, mdLink } from '../output/escape.ts';

export function renderExecutionDetails(execution: RunResult['execution']): string | undefined {
  const d = execution?.details;
  if (!execution || !d) return undefined;
  const out: string[] = ['### Failed execution'];
  if (d.failedTasks.length) {
    const rows = d.failedTasks.map(
      (t) => `| ${t.index} | ${t.exitCode ?? '—'} | ${t.retried ?? 0} | ${mdCell(t.message ?? '')} |`,
    );
    out.push(['| Task | Exit code | Retries | Message |', '|---|---|---|---|', ...rows].join('\n'));
  } else if (d.tasksUnavailable) {
    out.push(`The tasks could not be listed: ${md(d.tasksUnavailable)}`);
  }
  const link = execution.logUri ? mdLink('the execution’s logs', execution.logUri) : 'the execution’s logs';
  if (d.log?.lines.length) {
    const attempt = d.log.attempt ? `, attempt ${d.log.attempt + 1}` : '';
    out.push(`Last lines of task ${d.log.task}${attempt} (${link}):`, mdCodeBlock(d.log.lines.join('\n')));
  } else if (d.logUnavailable?.permission) {
    out.push(
      `See ${link}. To show the failing task’s last lines here, grant the deploying identity ${mdCode(d.logUnavailable.permission)} (${mdCode(d.logUnavailable.role ?? '')}) on the job’s project.`,
    );
  } else if (d.logUnavailable) {
    out.push(`See ${link} (reading them failed: ${md(d.logUnavailable.reason)}).`);
  } else {
    out.push(`Task ${d.log?.task ?? 0} logged nothing; see ${link}.`);
  }
  return out.join('\n\n');
}
