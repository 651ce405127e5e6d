// The schedule and the run timings in the job summary: the trigger (a console link), its
// schedule in words and its next three runs in its own time zone, then when the step started,
// deployed and executed and how long it took.
import type { RunResult } from '../model.ts';
import { md, mdCode, mdLink } from '../output/escape.ts';
import { formatInZone } from '../schedule/cron.ts';

const ACTION_WORDS: Record<string, string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged (nothing written)',
  deleted: 'deleted',
  absent: 'not present (nothing to delete)',
  planned: 'dry run',
};

export function renderSchedule(r: RunResult): string | undefined {
  const s = r.schedule;
  if (!s) return undefined;
  const id = s.name.split('/').at(-1) ?? s.name;
  const lines = [
    `**Trigger** ${mdLink(id, s.consoleUrl)} ${md(ACTION_WORDS[s.action] ?? s.action)}${s.change ? `: ${md(s.change)}` : ''}`,
  ];
  if (s.cron) {
    const words = s.words ? `${md(s.words)} ` : '';
    lines.push(
      `- Schedule ${mdCode(s.cron)}: ${words}(${md(s.timeZone ?? 'Etc/UTC')})${s.paused ? ', paused' : ''}`,
    );
  }
  if (s.serviceAccount) lines.push(`- Runs the job as ${mdCode(s.serviceAccount)}`);
  const next = (s.nextRuns ?? []).map((t) => formatInZone(new Date(t), s.timeZone ?? 'Etc/UTC'));
  if (next.length) lines.push(`- Next runs: ${next.map((t) => md(t)).join(', ')}`);
  return lines.join('\n');
}

export function renderTimings(r: RunResult): string | undefined {
  const t = r.timings;
  if (!t?.started) return undefined;
  const parts = [`started ${md(t.started)}`];
  if (t.deployed) parts.push(`deployed ${md(t.deployed)}`);
  if (t.executed) parts.push(`executed ${md(t.executed)}`);
  if (t.durationMs !== undefined) parts.push(`took ${(t.durationMs / 1000).toFixed(1)} s`);
  return `**Timings** ${parts.join(' · ')}`;
}
