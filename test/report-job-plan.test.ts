// The job plan as rendered in the job summary and the PR comment: parsed by a GFM parser
// (marked) and held to github.com's column (the budget of test/helpers/gfm-width.ts: 760px, 27px of
// padding a cell, 7.5px a character of its longest unbreakable word), with a 30-setting change
// of long and hostile values; every value neutralised, every row one row.
import { Lexer, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { COLUMN_PX } from '../scripts/demo/render-html.ts';
import type { JobChange, JobPlan, RunResult } from '../src/model.ts';
import { renderComment } from '../src/report/comment.ts';
import { cut, renderJobPlan } from '../src/report/job-plan.ts';
import { renderSummary } from '../src/report/summary.ts';
import { config } from './fixtures/config.ts';
import { minTableWidth } from './helpers/gfm-width.ts';

function tables(markdown: string): Tokens.Table[] {
  const out: Tokens.Table[] = [];
  const visit = (tokens: readonly Token[]) => {
    for (const t of tokens) {
      if (t.type === 'table') out.push(t as Tokens.Table);
      if ('tokens' in t && Array.isArray(t.tokens)) visit(t.tokens);
    }
  };
  visit(new Lexer({ gfm: true }).lex(markdown));
  return out;
}

/** Text a cell shows (code and text, Markdown escapes resolved). */
function shown(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === 'codespan' || t.type === 'escape') return (t as Tokens.Codespan).text;
      if ('tokens' in t && Array.isArray(t.tokens) && t.tokens.length) return shown(t.tokens);
      return 'text' in t ? String(t.text) : '';
    })
    .join('')
    .replace(/&#x2F;|&amp;|&lt;|&gt;|&quot;/g, 'x');
}

const LONG_IMAGE = `us-central1-docker.pkg.dev/a-very-long-project-id-for-images/containers/${'team/'.repeat(6)}report`;
const HOSTILE = 'x | y `z` <img src=x onerror=alert(1)> @octocat\n| injected | row |';

/** 30 changes: every kind, long keys and values, and hostile text from the job. */
function thirty(): JobChange[] {
  const changes: JobChange[] = [
    {
      setting: 'image',
      change: 'changed',
      before: `${LONG_IMAGE}:v1`,
      after: `${LONG_IMAGE}@sha256:${'f'.repeat(64)}`,
    },
    {
      setting: 'service account',
      change: 'changed',
      before: 'runner-with-a-long-name@a-very-long-project-id.iam.gserviceaccount.com',
      after: 'other@p.iam.gserviceaccount.com',
    },
    { setting: 'memory', change: 'changed', before: '512Mi', after: '1Gi' },
    { setting: 'env', key: 'FEATURE_X', change: 'added', hidden: true },
    { setting: 'env', key: 'OLD', change: 'removed', hidden: true },
    {
      setting: 'env',
      key: 'A_VERY_LONG_ENVIRONMENT_VARIABLE_NAME_THAT_GOES_ON',
      change: 'changed',
      hidden: true,
    },
    {
      setting: 'env',
      key: 'DB',
      change: 'changed',
      before: 'secret projects/p/secrets/db:1',
      after: 'secret projects/p/secrets/db:2',
    },
    { setting: 'label', key: 'team', change: 'changed', before: HOSTILE, after: 'data' },
    { setting: 'image (a-sidecar-container-with-a-very-long-name)', change: 'added', after: 'busybox' },
    {
      setting: 'other',
      key: 'template.template.containers[0].livenessProbe.httpGet.path',
      change: 'added',
      after: '/healthz',
    },
  ];
  for (let i = 0; changes.length < 30; i++)
    changes.push({
      setting: 'execution annotation',
      key: `example.com/annotation-${i}`,
      change: 'added',
      after: `${'v'.repeat(80)}${i}`,
    });
  return changes;
}

const result = (plan: JobPlan, action: NonNullable<RunResult['job']>['action'] = 'planned'): RunResult => ({
  config: config({ job: 'nightly', dryRun: action === 'planned' }),
  findings: [],
  granted: [],
  iamStatus: 'ok',
  job: {
    name: 'projects/p/locations/us-central1/jobs/nightly',
    consoleUrl: 'https://console.cloud.google.com/run',
    action,
  },
  jobPlan: plan,
});

describe('the job plan in the summary and the comment', () => {
  const plan: JobPlan = { action: 'update', changes: thirty() };

  it("a 30-setting change keeps every table within github.com's column, one row per change", () => {
    for (const doc of [renderSummary(result(plan)), renderComment(result(plan))]) {
      const found = tables(doc);
      expect(found.length).toBeGreaterThan(0);
      for (const table of found)
        expect(minTableWidth(table, shown), table.raw.split('\n')[0]).toBeLessThanOrEqual(COLUMN_PX);
      const planTable = found.find((t) => t.header.map((h) => h.text).join() === 'Setting,Before,After');
      expect(planTable?.rows).toHaveLength(30);
      expect(planTable?.header).toHaveLength(3);
      for (const row of planTable?.rows ?? []) expect(row).toHaveLength(3);
    }
  });

  it('neutralises what the job holds: HTML only inside code, no row of its own', () => {
    const doc = renderJobPlan(result(plan), '###') ?? '';
    const html: string[] = [];
    const visit = (tokens: readonly Token[]) => {
      for (const t of tokens) {
        if (t.type === 'html') html.push(t.raw);
        if ('tokens' in t && Array.isArray(t.tokens)) visit(t.tokens);
        if (t.type === 'table')
          for (const cell of [...(t as Tokens.Table).header, ...(t as Tokens.Table).rows.flat()])
            visit(cell.tokens);
      }
    };
    visit(new Lexer({ gfm: true }).lex(doc));
    expect(html).toEqual([]);
    expect(doc.split('\n').filter((l) => l.startsWith('| label'))).toEqual([
      '| label `team` | ``x \\| y `z` <img…ected \\| row \\|`` | `data` |',
    ]);
  });

  it('the line names the first changes briefly; images by what differs', () => {
    const doc = renderJobPlan(result(plan), '###') ?? '';
    expect(doc).toContain('### Job plan (dry run)');
    expect(doc).toMatch(/^\*\*30 changes\*\*: image `…:v1` → `…@sha256:f+…f+`, service account /m);
    expect(doc).toContain('env `+FEATURE_X`');
    expect(doc).toContain(', and 26 more.');
    expect(doc).toContain('`show_env_values: true`');
  });

  it('a real run says changed; an unchanged job says so; a new job lists what it sets', () => {
    const small: JobPlan = { action: 'update', changes: thirty().slice(2, 4) };
    expect(renderJobPlan(result(small, 'updated'), '####')).toContain(
      '**Changed 2 settings**: memory `512Mi` → `1Gi`, env `+FEATURE_X`.',
    );
    expect(renderJobPlan(result({ action: 'update', changes: [] }, 'unchanged'), '###')).toBe(
      '### Job changes\n\n**No changes**: the job already matched, so nothing was written.',
    );
    const created = renderJobPlan(
      result({ action: 'create', changes: [{ setting: 'image', change: 'added', after: 'gcr.io/p/i:1' }] }),
      '###',
    );
    expect(created).toContain(
      '**New job** with 1 setting:\n\n| Setting | Value |\n|---|---|\n| image | `gcr.io/p/i:1` |',
    );
    expect(renderJobPlan({ findings: [], granted: [] }, '###')).toBeUndefined();
  });

  it('cuts in the middle, keeping both ends', () => {
    expect(cut('abcdefghij', 7)).toBe('abc…hij');
    expect(cut('short', 7)).toBe('short');
  });
});
