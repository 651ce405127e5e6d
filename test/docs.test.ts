// README's inputs and outputs tables are generated from action.yml (npm run docs); they must not drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderTables, updateReadme } from '../scripts/docs.mjs';

const root = new URL('../', import.meta.url);
const actionYml = readFileSync(new URL('action.yml', root), 'utf8');
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('README tables from action.yml', () => {
  it('README.md matches action.yml (run `npm run docs` after changing an input)', () => {
    expect(updateReadme(readme, actionYml)).toBe(readme);
  });

  it('every input and output is documented, and the action description fits the Marketplace', () => {
    const action = parse(actionYml) as {
      description: string;
      author?: string;
      inputs: Record<string, { description?: string }>;
      outputs: Record<string, { description?: string }>;
    };
    expect(action.description.length).toBeLessThan(125);
    expect(action.author?.trim()).toBeTruthy();
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)])
      expect(spec.description?.trim(), name).toBeTruthy();
  });

  it('renders a changed description and escapes pipes', () => {
    const yml =
      'inputs:\n  a:\n    description: "x | y"\n    default: "1"\noutputs:\n  o:\n    description: out\n';
    expect(renderTables(yml).inputs).toContain('| `a` | `1` | x \\| y |');
    expect(() => updateReadme('no markers', yml)).toThrow(/markers/);
  });
});

describe('.ci/run runs what README tells users to run', () => {
  const ci = readFileSync(new URL('.ci/run', root), 'utf8');
  const commands = [...readme.matchAll(/```sh\n(npm ci && [^\n]+)\n```/g)].map((m) => m[1] as string);

  it('README gives the demo and the test commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['npm ci && npm run demo', 'npm ci && npm test']));
  });

  it('the test command exactly, and the demo in a fresh copy holding only tracked files', () => {
    const lines = ci.split('\n').map((l) => l.trim());
    expect(lines).toContain('npm ci && npm test');
    expect(lines).toContain('(cd "$copy" && npm ci && npm run demo)');
    expect(ci).toMatch(/git -C "\$root" ls-files -z \| tar/);
    expect(ci).toContain('copy=$(mktemp -d');
  });
});

describe('README shows how to use the published action', () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    license: string;
    repository: { url: string };
  };
  const repo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)?.[1] ?? '';

  it('every uses: line of this action names the published repository at @v1 or a pinned SHA', () => {
    expect(repo).toMatch(/^[\w-]+\/[\w-]+$/);
    const uses = [...readme.matchAll(/uses: ([\w-]+\/cloud-run-job[\w-]*)@(\S+)/g)];
    expect(uses.length).toBeGreaterThanOrEqual(3);
    for (const [, name, ref] of uses) {
      expect(name).toBe(repo);
      expect(ref).toMatch(/^(?:v1|<sha)$/);
    }
    expect(readme).toContain(`git ls-remote https://github.com/${repo} 'refs/tags/v1.2.3^{}'`);
  });

  it('the licence is Apache-2.0 everywhere', () => {
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(new URL('LICENSE', root), 'utf8')).toContain(
      'Apache License\n                           Version 2.0',
    );
  });
});
