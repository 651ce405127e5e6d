// A clone must work with nothing beside it: no tracked file names a path outside the
// repository, whether a sibling folder, a machine path or a relative import that climbs out.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'coverage', '.tmp']);

/** Tracked files (git ls-files); in a copy without .git (an archive), every file but the skipped folders. */
function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && !f.startsWith('dist/'));
  } catch {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(rel);
        } else out.push(rel);
      }
    };
    walk('');
    return out;
  }
}

// Built from parts so this file does not match itself.
const SIBLING = new RegExp(`\\.\\./${'shared'}\\b`);
const MACHINE = new RegExp(`(?:^|[\\s'"\`(=:])/(?:${['work', 'home', 'Users', 'root'].join('|')})/`);
// import ... from '../x', import('../x'), new URL('../x', import.meta.url), readFileSync('../x')
const RELATIVE = /(?:from\s+|import\(\s*|new URL\(\s*|require\(\s*)['"`](\.\.?\/[^'"`$]*)['"`]/g;

function textOf(file: string): string | undefined {
  const full = join(ROOT, file);
  if (statSync(full).size > 5_000_000) return undefined;
  const buf = readFileSync(full);
  return buf.includes(0) ? undefined : buf.toString('utf8');
}

describe('the repository is self-contained', () => {
  const files = trackedFiles();

  it('lists the files it checks', () => {
    expect(files).toContain('package.json');
    expect(files.some((f) => f.startsWith('src/'))).toBe(true);
  });

  it('no tracked file names a sibling folder (the shared one) or a machine path', () => {
    const hits: string[] = [];
    for (const file of files) {
      const text = textOf(file);
      if (!text) continue;
      text.split('\n').forEach((line, i) => {
        if (SIBLING.test(line) || MACHINE.test(line))
          hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('no relative import or URL in code climbs out of the repository', () => {
    const hits: string[] = [];
    for (const file of files.filter((f) => /\.(?:ts|mts|mjs|js)$/.test(f))) {
      const text = textOf(file) ?? '';
      for (const m of text.matchAll(RELATIVE)) {
        const target = resolve(dirname(join(ROOT, file)), m[1] as string);
        if (relative(ROOT, target).startsWith('..')) hits.push(`${file}: ${m[1]}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('the checks see a bad path (self-test)', () => {
    expect(SIBLING.test(`readFileSync('../../${'shared'}/data/roles.json')`)).toBe(true);
    expect(MACHINE.test(` see /${'work'}/x`)).toBe(true);
    expect(MACHINE.test('us-docker.pkg.dev/shared/work/x')).toBe(false);
  });
});
