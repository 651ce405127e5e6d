// Releases as users of actions expect: scripts/release.mjs (what release.yml runs) tags vX.Y.Z
// once and moves vN; the workflows call it and .ci/run; CHANGELOG has the current version.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { changelogSection } from '../scripts/release.mjs';
import { ROOT } from './helpers/run-action.ts';

const SCRIPT = join(ROOT, 'scripts/release.mjs');
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist/index.js'), '//\n');
  writeFileSync(join(dir, 'dist/licenses.txt'), 'x\n');
  return dir;
}
function commitVersion(dir: string, version: string) {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version }));
  const old = (() => {
    try {
      return readFileSync(join(dir, 'CHANGELOG.md'), 'utf8').replace('# Changelog\n', '');
    } catch {
      return '';
    }
  })();
  writeFileSync(join(dir, 'CHANGELOG.md'), `# Changelog\n\n## [${version}]\n\n- change ${version}\n${old}`);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', version);
}
const release = (dir: string, version: string) =>
  spawnSync(process.execPath, [SCRIPT, version], { cwd: dir, encoding: 'utf8' });
const commitOf = (dir: string, ref: string) => git(dir, 'rev-parse', `${ref}^{commit}`);

describe('scripts/release.mjs', () => {
  it('tags vX.Y.Z, moves vN on the next release and never moves vX.Y.Z', () => {
    const dir = repo();
    commitVersion(dir, '1.0.0');
    expect(release(dir, '1.0.0').status).toBe(0);
    const first = git(dir, 'rev-parse', 'HEAD');
    expect(commitOf(dir, 'v1.0.0')).toBe(first);
    expect(commitOf(dir, 'v1')).toBe(first);
    expect(git(dir, 'tag', '-l', '--format=%(contents)', 'v1.0.0')).toContain('- change 1.0.0');

    commitVersion(dir, '1.1.0');
    expect(release(dir, '1.1.0').status).toBe(0);
    const second = git(dir, 'rev-parse', 'HEAD');
    expect(commitOf(dir, 'v1')).toBe(second);
    expect(commitOf(dir, 'v1.0.0')).toBe(first);

    const again = release(dir, '1.1.0');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('v1.1.0 exists already');
  });

  it.each([
    ['a version package.json does not carry', '2.0.0', 'package.json has version 1.0.0'],
    ['a malformed version', 'v1', 'version must be X.Y.Z'],
  ])('refuses %s', (_name, version, message) => {
    const dir = repo();
    commitVersion(dir, '1.0.0');
    const res = release(dir, version);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(message);
    expect(git(dir, 'tag', '-l')).toBe('');
  });

  it('refuses without a CHANGELOG section or with dist/ uncommitted', () => {
    const dir = repo();
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    writeFileSync(join(dir, 'CHANGELOG.md'), '# Changelog\n\n## [0.9.0]\n- old\n');
    git(dir, 'add', 'package.json', 'CHANGELOG.md');
    git(dir, 'commit', '-qm', 'x');
    expect(release(dir, '1.0.0').stderr).toContain('CHANGELOG.md has no "## [1.0.0]" section');
    writeFileSync(join(dir, 'CHANGELOG.md'), '# Changelog\n\n## [1.0.0]\n- new\n');
    git(dir, 'commit', '-qam', 'y');
    expect(release(dir, '1.0.0').stderr).toContain('dist/index.js is not committed');
  });
});

describe('release and CI workflows', () => {
  it('CHANGELOG.md has a section for the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(changelogSection(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), version)).toBeTruthy();
  });

  it('release.yml runs .ci/run, then tags with the release script; ci.yml runs .ci/run', () => {
    type Wf = { on: unknown; jobs: Record<string, { steps: Array<{ run?: string; uses?: string }> }> };
    const read = (f: string) => parse(readFileSync(join(ROOT, '.github/workflows', f), 'utf8')) as Wf;
    const runs = (wf: Wf) => Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    const rel = runs(read('release.yml'));
    const ci = rel.findIndex((r) => r.trim() === 'bash .ci/run');
    const tag = rel.findIndex((r) => r.includes('node scripts/release.mjs "$VERSION" --push'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(tag).toBeGreaterThan(ci);
    expect(runs(read('ci.yml'))).toContain('bash .ci/run');
    // The version input reaches the shell only through env, never interpolated into a script.
    expect(rel.join('\n')).not.toContain('${{');
  });
});
