// Injection attempts against every sink: runner log lines, annotation commands, Markdown/HTML
// in the summary and comment, and Mermaid labels.
import * as core from '@actions/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../src/model.ts';
import { forLog, md, mdCell, mdCode, mdCodeBlock, mdLink, oneLine, safeUrl } from '../src/output/escape.ts';
import { annotate } from '../src/report/annotations.ts';
import { mermaidText } from '../src/report/mermaid.ts';

const ATTACKS = [
  '::set-output name=iam_status::ok',
  'denied\n::error file=x::fake\n::add-mask::x',
  'x%0A::error::forged',
  '##[set-output name=x;]y',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '![img](https://evil.example/x.png)',
  '@acme/admins please look',
  '| a | b |',
  '`code` ``` fence',
  'bidi \u202eevil\u202c and \u001b[31mred',
];

/** Lines the runner would treat as commands. */
function commandLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*(::|##\[)/.test(l));
}

describe('forLog / oneLine', () => {
  it.each(ATTACKS)('%j cannot start a workflow command', (attack) => {
    expect(commandLines(forLog(attack))).toEqual([]);
    expect(oneLine(attack)).not.toContain('\n');
  });
  it('strips control and bidi characters but keeps text', () => {
    expect(forLog('a\u202eb\u001bc\td')).toBe('abc\td');
  });
});

describe('annotations through @actions/core', () => {
  afterEach(() => vi.restoreAllMocks());
  it('emit exactly one command line per finding, whatever the API said', () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const evil: Finding = {
      check: 'unknown',
      status: 'failed',
      title: 'title\n::set-output name=x::y',
      evidence: ATTACKS.join('\n'),
      remedy: '%0A::warning::no',
      location: { file: 'a.yml\n::error::x', line: 3 },
    };
    expect(annotate([evil, { ...evil, status: 'satisfied' }])).toBe(1);
    const lines = out.join('').split(/\r?\n/).filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error /);
    expect(commandLines(lines.join('\n'))).toHaveLength(1);
    expect(lines[0]).toContain('line=3');
    // core's own escaping of the message body still applies on top
    expect(lines[0]).toContain('%0A');
    expect(core).toBeDefined();
  });
});

describe('md', () => {
  it('neutralises HTML', () => {
    const s = md('<img src=x onerror=alert(1)><script>x</script>');
    expect(s).not.toMatch(/<[a-z/]/i);
    expect(s).toContain('&lt;img');
  });
  it('neutralises link and image syntax', () => {
    for (const a of [
      '[click](javascript:alert(1))',
      '![img](https://evil.example/x.png)',
      '<https://evil.example>',
    ]) {
      expect(md(a)).not.toMatch(/(?<!\\)\]\(/);
      expect(md(a)).not.toMatch(/(?<!\\)!\[/);
    }
  });
  it('breaks @mentions of users and teams but keeps emails readable', () => {
    const s = md('@acme/admins and @octocat, mail deployer@app-prod.iam.gserviceaccount.com');
    expect(s).not.toMatch(/(^|[^\w])@acme/);
    expect(s).not.toMatch(/(^|[^\w])@octocat/);
    expect(s).toContain('deployer@app-prod.iam.gserviceaccount.com');
  });
  it('escapes emphasis, code and table pipes', () => {
    expect(md('*a* _b_ `c` |')).toBe('\\*a\\* \\_b\\_ \\`c\\` \\|');
    expect(mdCell('a\n| b |')).not.toMatch(/(?<!\\)\|/);
  });
  it('neutralises list/heading markers at line start', () => {
    expect(md('# title\n- item\n1. one')).toBe('\\# title\n\\- item\n1\\. one');
  });
});

describe('mdCode / mdCodeBlock', () => {
  it('uses a fence longer than any backtick run and escapes table pipes', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('``x``')).toBe('``` ``x`` ```');
    expect(mdCode('a|b')).toBe('`a\\|b`');
  });
  it('code blocks cannot be closed by their content', () => {
    const block = mdCodeBlock('x\n```\n<script>alert(1)</script>\n````', 'sh');
    const fence = block.split('\n')[0]?.replace('sh', '') ?? '';
    expect(fence.length).toBeGreaterThan(4);
    const inner = block.split('\n').slice(1, -1);
    expect(inner.some((l) => l.startsWith(fence))).toBe(false);
    expect(block.endsWith(fence)).toBe(true);
  });
});

describe('links', () => {
  it('accepts only http(s) targets and encodes characters that end a link', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,x')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(safeUrl('https://console.cloud.google.com/x?a=(b)')).toBe(
      'https://console.cloud.google.com/x?a=%28b%29',
    );
    expect(mdLink('x](javascript:1)', 'javascript:alert(1)')).toBe('x\\]\\(javascript:1\\)');
  });
});

describe('mermaidText', () => {
  it.each(['"]; click n0 call alert() %%', 'a<br/>b', 'x\n  n9 --> n0', '`md` **b**'])(
    '%j stays inside its label',
    (a) => {
      const t = mermaidText(a);
      expect(t).not.toMatch(/["[\]()<>`*%\n|]/);
    },
  );
  it('keeps ordinary names readable', () => {
    expect(mermaidText('serviceAccount:runner@identity-hub.iam.gserviceaccount.com')).toBe(
      'serviceAccount:runner@identity-hub.iam.gserviceaccount.com',
    );
  });
});
