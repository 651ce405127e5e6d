// The demo's job summaries and PR comments, produced by the bundled action against the emulator
// (npm run demo's own runs), parsed by a GFM parser (marked) and held to what a reviewer needs:
// tables that fit github.com's column, code lines that show whole, every e-mail inside code,
// and one vocabulary whose IAM word is the iam_status output.
import { readFileSync } from 'node:fs';
import { Lexer, type Token, type Tokens } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_PX } from '../scripts/demo/render-html.ts';
import { DEMO_WORLD, demoRun } from '../scripts/demo/runs.ts';
import type { RunResult } from '../src/model.ts';
import { CODE_WIDTH } from '../src/report/markdown.ts';
import { renderSummary } from '../src/report/summary.ts';
import { FINDING_WORD, IAM_WORDS, MARK, WORDS } from '../src/report/vocabulary.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { withEmulator } from './helpers/e2e-emulator.ts';
import { minTableWidth } from './helpers/gfm-width.ts';
import { ensureBuilt, type RunActionResult } from './helpers/run-action.ts';

type Doc = { name: string; markdown: string; iamStatus: string };

function walk(tokens: readonly Token[], visit: (t: Token, parents: Token[]) => void, parents: Token[] = []) {
  for (const t of tokens) {
    visit(t, parents);
    const kids: Token[] = [];
    if ('tokens' in t && Array.isArray(t.tokens)) kids.push(...t.tokens);
    if (t.type === 'list') for (const item of (t as Tokens.List).items) kids.push(item);
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) kids.push(...cell.tokens);
    }
    walk(kids, visit, [...parents, t]);
  }
}

/** Text as a cell shows it: code spans and text, no Markdown. */
function cellText(tokens: readonly Token[]): string {
  let out = '';
  walk(tokens, (t) => {
    if (t.type === 'codespan' || (t.type === 'text' && !('tokens' in t && t.tokens)) || t.type === 'escape')
      out += (t as Tokens.Text).text;
  });
  return out.replace(/&#x2F;|&amp;|&lt;|&gt;|&quot;/g, 'x');
}

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;

/** Every rule a document must keep; returns what breaks it, so a failure says where. */
function problems(markdown: string, iamStatus: string): string[] {
  const out: string[] = [];
  const tokens = new Lexer({ gfm: true }).lex(markdown);
  let heading = '';
  walk(tokens, (t, parents) => {
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      const width = minTableWidth(table, cellText);
      if (width > COLUMN_PX) out.push(`table ${width}px wide > ${COLUMN_PX}px: ${table.raw.split('\n')[0]}`);
      if (table.header[0]?.text === 'Status')
        for (const row of table.rows) {
          const cell = row[0]?.text ?? '';
          if (!WORDS.some((w) => cell === `${MARK[w]} ${w}`))
            out.push(`status cell outside the vocabulary: ${cell}`);
        }
    }
    if (t.type === 'code') {
      for (const line of (t as Tokens.Code).text.split('\n'))
        if ([...line].length > CODE_WIDTH)
          out.push(`code line of ${[...line].length} > ${CODE_WIDTH}: ${line}`);
    }
    // A leaf of text outside code: GitHub would turn an e-mail in it into a mailto: link.
    if (t.type === 'text' && !('tokens' in t && t.tokens) && EMAIL.test((t as Tokens.Text).text))
      out.push(`e-mail outside code: ${(t as Tokens.Text).text}`);
    if (t.type === 'link' && /^mailto:/.test((t as Tokens.Link).href)) out.push(`mailto link: ${t.raw}`);
    if (t.type === 'html' && EMAIL.test(t.raw)) out.push(`e-mail in raw HTML: ${t.raw}`);
    if (t.type === 'heading' && !heading && parents.length === 0) heading = (t as Tokens.Heading).text;
  });
  if (!heading.includes(`IAM ${iamStatus}`)) out.push(`headline "${heading}" does not say IAM ${iamStatus}`);
  for (const jargon of [/\bgaps?, \d+ to review/, /\bsatisfied\b/, /\| 🔧 granted/])
    if (jargon.test(markdown)) out.push(`word outside the vocabulary: ${jargon}`);
  return out;
}

describe('the rules themselves catch what they are meant to', () => {
  it('flags a wide table, a long code line, a bare e-mail and a stray status word', () => {
    const wide = `| Status | Who |\n|---|---|\n| ✅ ok | \`serviceAccount:${'x'.repeat(60)}@p.iam.gserviceaccount.com\` and ${'y'.repeat(40)} |`;
    const found = problems(
      `## ✅ job: IAM ok\n\n${wide}\n\n\`\`\`sh\n${'z'.repeat(CODE_WIDTH + 1)}\n\`\`\`\n\nAsk a@b.example.\n\n| Status | X |\n|---|---|\n| ✅ satisfied | y |`,
      'ok',
    );
    expect(found.some((p) => p.startsWith('table '))).toBe(true);
    expect(found.some((p) => p.startsWith('code line of'))).toBe(true);
    expect(found.some((p) => p.startsWith('e-mail outside code'))).toBe(true);
    expect(found).toContain('status cell outside the vocabulary: ✅ satisfied');
    expect(problems('## ✅ job: IAM ok', 'fixed')).toEqual([
      'headline "✅ job: IAM ok" does not say IAM fixed',
    ]);
  });
});

describe('the demo, as a reviewer sees it on GitHub', () => {
  let emu: Emulator;
  const docs: Doc[] = [];
  let check: RunActionResult;
  let fix: RunActionResult;
  beforeAll(async () => {
    ensureBuilt();
    emu = await startEmulator({ scenario: DEMO_WORLD });
    const comment = () => emu.world.github.comments[7]?.at(-1)?.body ?? '';
    check = await demoRun(emu, 'check');
    docs.push({ name: 'run 1 summary', markdown: check.summary, iamStatus: check.outputs.iam_status ?? '' });
    docs.push({ name: 'run 1 comment', markdown: comment(), iamStatus: check.outputs.iam_status ?? '' });
    fix = await demoRun(emu, 'fix');
    docs.push({ name: 'run 2 summary', markdown: fix.summary, iamStatus: fix.outputs.iam_status ?? '' });
    docs.push({ name: 'run 2 comment', markdown: comment(), iamStatus: fix.outputs.iam_status ?? '' });
  }, 120_000);
  afterAll(async () => emu?.stop());

  it('run 1 (check) proves both gaps missing and deploys nothing; run 2 (fix) grants, deploys and runs', () => {
    expect(check.code).toBe(1);
    expect(check.outputs.iam_status).toBe('missing');
    expect(check.outputs.job).toBe('');
    expect(fix.code).toBe(0);
    expect(fix.outputs.iam_status).toBe('fixed');
    expect(fix.outputs.execution_status).toBe('succeeded');
  });

  it.each([0, 1, 2, 3])('document %i keeps every rule', (i) => {
    const doc = docs[i] as Doc;
    expect(doc.markdown.length, doc.name).toBeGreaterThan(200);
    expect(problems(doc.markdown, doc.iamStatus), doc.name).toEqual([]);
  });

  it('run 1 says who acts on each gap, with the narrow grant and the command laid out', () => {
    const summary = docs[0]?.markdown ?? '';
    expect(summary.split('\n')[0]).toBe(
      '## ❌ Cloud Run job `nightly-report`: not deployed · not run · IAM missing',
    );
    expect(summary).toContain(
      'Re-running with `iam: fix` grants them at the narrowest scope: the deployer may set those IAM policies.',
    );
    expect(summary).toContain(
      '**Grant** `roles/artifactregistry.reader` to Cloud Run service agent of demo-app on repository `containers`, on this repository only.',
    );
    // The preflight asked: the deployer holds it, so the report says who acts, not "if".
    expect(summary).toContain(
      'can close this with `iam: fix` (it holds `secretmanager.secrets.setIamPolicy` there)',
    );
    expect(summary).toContain(
      '```sh\ngcloud secrets add-iam-policy-binding db-password \\\n  --project=demo-app \\\n  --member=serviceAccount:runtime@demo-app.iam.gserviceaccount.com \\\n',
    );
  });

  it('run 2 says what was granted where, and that the job was deployed and ran', () => {
    for (const doc of docs.slice(2)) {
      expect(doc.markdown, doc.name).toMatch(
        /^#+ ✅ Cloud Run job `nightly-report`: deployed \(\w+\) · ran: succeeded · IAM fixed$/m,
      );
      expect(doc.markdown, doc.name).toContain(
        '> [!TIP]\n> **All IAM requirements hold**; 2 bindings granted by `iam: fix`.',
      );
      expect(doc.markdown, doc.name).toContain('on repository `containers`, on this repository only.');
      expect(doc.markdown, doc.name).toContain('on secret `db-password`, on this secret only.');
      expect(doc.markdown, doc.name).toMatch(/\*\*Execution\*\* `nightly-report-\w+` succeeded/);
    }
  });

  it('the log speaks the same words: one annotation per finding, none saying "Grant" for a grant made', () => {
    const lines = check.stdout.split('\n');
    expect(lines).toContain('IAM missing (7 checks: 5 ok, 2 missing, 0 unverified, 0 fixed)');
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('::error::'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('Step failed: '))).toHaveLength(1);
    const notices = fix.stdout.split('\n').filter((l) => l.startsWith('::notice'));
    expect(notices).toHaveLength(2);
    for (const n of notices) expect(n).toMatch(/::Granted roles\/\S+ to serviceAccount:/);
    expect(fix.stdout).toContain('IAM fixed (7 checks: 5 ok, 0 missing, 0 unverified, 2 fixed)');
  });
});

describe('a failed deploy', () => {
  it('keeps the rules, says "deploy failed", and carries a long Google message once', async () => {
    ensureBuilt();
    await withEmulator(DEMO_WORLD, async (emu) => {
      const res = await demoRun(emu, 'off');
      expect(res.code).toBe(1);
      expect(res.summary.split('\n')[0]).toBe(
        '## ❌ Cloud Run job `nightly-report`: deploy failed · not run · IAM not checked (iam: off)',
      );
      expect(problems(res.summary, 'not checked')).toEqual([]);
      // Google's sentence is in the failure's one annotation, not repeated by a second error.
      const google = 'Ensure that the provided container image URL is correct';
      expect(res.stdout.split(google)).toHaveLength(2);
      expect(res.stdout.split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(1);
    });
  }, 60_000);
});

describe('the vocabulary', () => {
  it('is the one README defines, word for word', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Reading the report'));
    for (const [word, meaning] of Object.entries(IAM_WORDS))
      expect(section).toContain(`| ${MARK[word as keyof typeof MARK]} \`${word}\` | ${meaning} |`);
  });
  it('maps every finding status to one word and every IAM outcome to itself', () => {
    expect(Object.values(FINDING_WORD).sort()).toEqual([...WORDS].sort());
    const r: RunResult = { findings: [], granted: [], iamStatus: 'ok' };
    expect(renderSummary(r).split('\n')[0]).toContain('IAM ok');
  });
});
