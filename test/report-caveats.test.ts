// The preflight's caveats (what it could not read, with every verdict standing) in the job
// summary and the sticky comment: one NOTE callout, each caveat once however many targets met
// it, every word through the neutralising writer.
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/model.ts';
import { renderCaveats } from '../src/report/caveats.ts';
import { renderComment } from '../src/report/comment.ts';
import { mergedForComment, renderManySummary } from '../src/report/many.ts';
import { renderSummary } from '../src/report/summary.ts';
import type { TargetRun } from '../src/targets.ts';

const DENY =
  'Some deny policies could not be read (the deployer lacks iam.denypolicies.list): a deny rule there could still take a permission away.';
const ORG = 'The organization policies on projects/app-proj could not be read (run.allowedVPCEgress).';

const ok = (caveats?: string[]): RunResult => ({
  findings: [],
  granted: [],
  iamStatus: 'ok',
  ...(caveats ? { caveats } : {}),
});

const count = (text: string, part: string) => text.split(part).length - 1;

describe('renderCaveats', () => {
  it('is nothing without caveats', () => {
    expect(renderCaveats(undefined)).toBeUndefined();
    expect(renderCaveats([])).toBeUndefined();
    expect(renderSummary(ok())).not.toContain('[!NOTE]');
  });

  it('lists each distinct caveat once in a NOTE callout, resource names as code', () => {
    const md = renderCaveats([DENY, ORG, DENY]) ?? '';
    const lines = md.split('\n');
    expect(lines[0]).toBe('> [!NOTE]');
    expect(lines[1]).toMatch(/^> \*\*2 caveats of the IAM checks:\*\*/);
    expect(lines.filter((l) => l.startsWith('> - '))).toHaveLength(2);
    expect(count(md, 'deny policies could not be read')).toBe(1);
    expect(md).toContain('`projects/app-proj`');
    expect(md).toContain('\\(run.allowedVPCEgress\\)');
  });

  it('neutralises what a caveat quotes: no HTML, no mention, no newline breaking the callout', () => {
    const md = renderCaveats(['<img src=x> @org/admins **x**\n# not a heading']) ?? '';
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;img');
    expect(md).not.toMatch(/(^|\s)@org/);
    expect(md).toContain('\\*\\*x\\*\\*');
    // Every line is still inside the blockquote.
    expect(md.split('\n').every((l) => l.startsWith('> '))).toBe(true);
  });
});

describe('the summary and the comment', () => {
  it('the summary says a caveat once, right under the callout', () => {
    const md = renderSummary(ok([DENY]));
    expect(md).toMatch(/> \[!TIP\]\n> [^\n]*\n\n> \[!NOTE\]\n> \*\*A caveat of the IAM checks:\*\*/);
    expect(count(md, 'deny policies could not be read')).toBe(1);
  });

  it('the sticky comment carries it too', () => {
    const body = renderComment(ok([ORG]));
    expect(body).toContain('> [!NOTE]');
    expect(count(body, 'could not be read')).toBe(1);
  });
});

describe('many targets', () => {
  const run = (region: string, caveats?: string[]): TargetRun => ({
    key: { job: 'a', region },
    outcome: { result: ok(caveats) },
  });
  const runs = [run('us-east1', [DENY]), run('europe-west1', [DENY, ORG]), run('asia-east1')];

  it('the summary says each caveat once for the step, above the targets', () => {
    const md = renderManySummary(runs);
    expect(count(md, '> [!NOTE]')).toBe(1);
    expect(count(md, 'deny policies could not be read')).toBe(1);
    expect(count(md, 'allowedVPCEgress')).toBe(1);
    expect(md.indexOf('[!NOTE]')).toBeLessThan(md.indexOf('**a in us-east1**'));
  });

  it('the merged comment carries their union, each once', () => {
    expect(mergedForComment(runs).caveats).toEqual([DENY, ORG]);
    expect(mergedForComment([run('us-east1')]).caveats).toBeUndefined();
    expect(count(renderComment(mergedForComment(runs)), 'deny policies could not be read')).toBe(1);
  });
});
