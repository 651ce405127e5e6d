// The job plan as a reviewer reads it in the job summary and the pull-request comment: one line
// ("3 changes: image …:abc → …:def, env +FEATURE_X, memory 512Mi → 1Gi") and a compact table,
// or "No changes". Every value comes from the job or the inputs, so it passes escape.ts; long
// ones are cut in the middle so no cell is wider than its share of GitHub's column.
import type { JobChange, JobPlan, RunResult } from '../model.ts';
import { md, mdCode } from '../output/escape.ts';

/** Widest value (before/after) and widest word of a setting, in characters (see report-gfm budget). */
export const VALUE_WIDTH = 28;
export const SETTING_WIDTH = 24;
/** Rows a table shows before pointing at the job_changes output. */
const MAX_ROWS = { create: 12, change: 40 };
/** Changes named in the one-line headline. */
const INLINE = 4;

/** A long value cut in the middle, which keeps both its start and its (often telling) end. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  const tail = Math.floor((width - 1) / 2);
  return `${chars.slice(0, width - 1 - tail).join('')}…${chars.slice(-tail).join('')}`;
}

/** Two images of one repository shown by what differs: `…:v1` → `…:v2`, `…@sha256:…`. */
function imagePair(before: string | undefined, after: string | undefined): Array<string | undefined> {
  const repository = (image: string) => image.replace(/(@.*|:[^/:@]*)$/, '');
  if (!before || !after || repository(before) !== repository(after)) return [before, after];
  const at = repository(before).length;
  return [`…${before.slice(at)}`, `…${after.slice(at)}`];
}

const value = (v: string | undefined, hidden: boolean | undefined) =>
  v === undefined ? (hidden ? 'value hidden' : '—') : mdCode(cut(v, VALUE_WIDTH));

function values(c: JobChange): [string, string] {
  const [before, after] = c.setting.startsWith('image') ? imagePair(c.before, c.after) : [c.before, c.after];
  const had = c.change !== 'added';
  const has = c.change !== 'removed';
  return [had ? value(before, c.hidden) : '—', has ? value(after, c.hidden) : '—'];
}

/** The setting's cell: its words (none wider than SETTING_WIDTH) and its key as code. */
function setting(c: JobChange): string {
  const words = md(
    c.setting
      .split(' ')
      .map((w) => cut(w, SETTING_WIDTH))
      .join(' '),
  );
  return c.key === undefined ? words : `${words} ${mdCode(cut(c.key, SETTING_WIDTH))}`;
}

/** One change in a few words: `env +FEATURE_X`, `memory 512Mi → 1Gi`. */
function inline(c: JobChange): string {
  if (c.key !== undefined && c.change !== 'changed')
    return `${md(c.setting)} ${mdCode(`${c.change === 'added' ? '+' : '-'}${cut(c.key, SETTING_WIDTH)}`)}`;
  if (c.key !== undefined && c.hidden) return `${md(c.setting)} ${mdCode(`~${cut(c.key, SETTING_WIDTH)}`)}`;
  const [before, after] = values(c);
  return `${setting(c)} ${before} → ${after}`;
}

function table(changes: readonly JobChange[], create: boolean): string {
  const max = create ? MAX_ROWS.create : MAX_ROWS.change;
  const rows = changes.slice(0, max).map((c) => {
    const [before, after] = values(c);
    return create ? `| ${setting(c)} | ${after} |` : `| ${setting(c)} | ${before} | ${after} |`;
  });
  const head = create
    ? ['| Setting | Value |', '|---|---|']
    : ['| Setting | Before | After |', '|---|---|---|'];
  const more = changes.length - rows.length;
  const tail = more > 0 ? [`\n… and ${more} more in the ${mdCode('job_changes')} output.`] : [];
  return [...head, ...rows].join('\n') + tail.join('');
}

const NOT_READY =
  'the job is not ready (its last write did not reconcile), so the deploy writes it again for Cloud Run to retry.';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Whether the run wrote the job, would have (dry run, or stopped before the deploy), or found it already matching. */
function tense(r: RunResult): { title: string; none: string } {
  const action = r.job?.action;
  if (action === 'planned')
    return { title: 'Job plan (dry run)', none: 'the job already matches, so a deploy writes nothing.' };
  if (action) return { title: 'Job changes', none: 'the job already matched, so nothing was written.' };
  return { title: 'Job plan (not deployed)', none: 'the job already matches.' };
}

/** The plan section, or undefined when there is no plan (the job could not be read). */
export function renderJobPlan(r: RunResult, heading: '###' | '####'): string | undefined {
  const plan: JobPlan | undefined = r.jobPlan;
  if (!plan) return undefined;
  const { title, none } = tense(r);
  const out = [`${heading} ${title}`];
  const changes = plan.changes;
  if (plan.action !== 'create' && changes.length === 0) {
    out.push(plan.notReady ? `**No setting changes**: ${NOT_READY}` : `**No changes**: ${none}`);
    return out.join('\n\n');
  }
  if (plan.action === 'create') {
    out.push(`**New job** with ${plural(changes.length, 'setting')}:`, table(changes, true));
  } else {
    const named = changes.slice(0, INLINE).map(inline);
    const rest = changes.length > INLINE ? `, and ${changes.length - INLINE} more` : '';
    const head =
      r.job && r.job.action !== 'planned'
        ? `Changed ${plural(changes.length, 'setting')}`
        : plural(changes.length, 'change');
    out.push(`**${head}**: ${named.join(', ')}${rest}.`, table(changes, false));
  }
  if (changes.some((c) => c.hidden))
    out.push(
      `Env var values are hidden; ${mdCode('show_env_values: true')} shows plain ones (never secrets).`,
    );
  return out.join('\n\n');
}
