// dist/licenses.txt names every npm package esbuild bundles, with its licence text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { buildOptions, ROOT } from '../scripts/build-options.mjs';
import { bundledPackageDirs, packageDirOf, renderLicenses } from '../scripts/licenses.mjs';
import { ensureBuilt } from './helpers/run-action.ts';

describe('third-party licences shipped in dist/', () => {
  it('maps metafile inputs to their package, scoped and nested', () => {
    expect(packageDirOf('node_modules/@actions/core/lib/core.js')).toBe('node_modules/@actions/core');
    expect(packageDirOf('node_modules/a/node_modules/b/x.js')).toBe('node_modules/a/node_modules/b');
    expect(packageDirOf('src/main.ts')).toBeUndefined();
  });

  it('dist/licenses.txt is what the build writes and lists every bundled package', async () => {
    const result = await build(buildOptions);
    const dirs = bundledPackageDirs(result.metafile);
    expect(dirs.length).toBeGreaterThan(30);
    ensureBuilt();
    const shipped = readFileSync(join(ROOT, 'dist/licenses.txt'), 'utf8');
    expect(shipped).toBe(renderLicenses(ROOT, result.metafile));
    const sections = shipped.split(`\n${'-'.repeat(78)}\n\n`).slice(1);
    for (const dir of dirs) {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      const section = sections.find((s) => s.startsWith(`${pkg.name}@${pkg.version}\n`));
      expect(section, `${pkg.name}@${pkg.version}`).toBeDefined();
      // A licence, not just a name: at least the permission or copyright wording.
      expect(section, pkg.name).toMatch(/permission|copyright|licen[cs]e/i);
    }
    expect(shipped).toContain('@actions/core@');
    expect(shipped).toContain('google-auth-library@');
  });
});
