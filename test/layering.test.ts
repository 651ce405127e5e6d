// Layers import downward only. From the bottom: model.ts (imports nothing of the action), the
// job's rules (src/job-rules/: only the model and the neutral writers), the job layer (src/job/,
// never the inputs), the inputs layer (src/inputs*), then plan, target and main. The inputs
// and the job both judge values with the rules, so no rule needs the other layer. Read from
// the source's import lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each local import of a source file, as a path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s+'(\.[^']+)'/g)].map(
    (m) => m[1],
  );
  const dynamic = [...text.matchAll(/import\('(\.[^']+)'\)/g)].map((m) => m[1]);
  return [...specs, ...dynamic].map((s) => relative(SRC, resolve(file, '..', s as string)));
}

const all = files(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));
const under = (prefix: string) => all.filter((f) => f.file === prefix || f.file.startsWith(`${prefix}/`));

describe('layering', () => {
  it('reads the imports of every source file (the parser sees them)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.find((f) => f.file === 'plan.ts')?.imports).toContain('job/metadata.ts');
  });

  it('model.ts imports nothing of the action', () => {
    expect(under('model.ts').flatMap((f) => f.imports)).toEqual([]);
  });

  it('the job rules import only the model, the neutral writers and themselves', () => {
    const bad = under('job-rules').flatMap((f) =>
      f.imports
        .filter((i) => !(i === 'model.ts' || i.startsWith('job-rules/') || i.startsWith('output/escape')))
        .map((i) => `${f.file} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('the job layer never imports the inputs layer', () => {
    const bad = under('job').flatMap((f) =>
      f.imports.filter((i) => i === 'inputs.ts' || i.startsWith('inputs/')).map((i) => `${f.file} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });
});
