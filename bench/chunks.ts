// `node bench/chunks.ts [--runs N] [--dist DIR]`: what each chunk of the bundle costs to load,
// not only its size. For every chunk, N fresh processes import its static dependencies first,
// then time the import of the chunk itself (compile + evaluate): the minimum over the runs of
// its wall time and of the process's CPU time (user + sys), the least noisy figures on a shared
// machine. Also the bytes each stage of a run loads beyond the entry's: authentication (main),
// the pipeline, the report. Prints a Markdown table with the load average.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Relative chunk paths a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`). */
export function staticImports(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+\.js)"/g)].map((m) => m[1] as string);
}

/** `file` and every chunk it reaches through static imports, given a reader of chunk sources. */
export function staticClosure(file: string, read: (path: string) => string): Set<string> {
  const seen = new Set([file]);
  const walk = (f: string) => {
    for (const rel of staticImports(read(f))) {
      const dep = resolve(dirname(f), rel);
      if (!seen.has(dep)) {
        seen.add(dep);
        walk(dep);
      }
    }
  };
  walk(file);
  return seen;
}

const PROBE = `await import('data:text/javascript,0');
const [deps, file] = JSON.parse(process.argv[1]);
for (const d of deps) await import(d);
const cpu = process.cpuUsage();
const t = performance.now();
await import(file);
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify([performance.now() - t, (used.user + used.system) / 1000]));`;

function cost(file: string, deps: string[], runs: number): { wallMs: number; cpuMs: number } {
  let wallMs = Number.POSITIVE_INFINITY;
  let cpuMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', PROBE, JSON.stringify([deps, file])],
      {
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    const [wall, cpu] = JSON.parse(out.toString()) as [number, number];
    wallMs = Math.min(wallMs, wall);
    cpuMs = Math.min(cpuMs, cpu);
  }
  return { wallMs, cpuMs };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '7' }, dist: { type: 'string', default: 'dist' } },
  });
  const runs = Number(values.runs);
  const dist = resolve(values.dist ?? 'dist');
  const read = (f: string) => readFileSync(f, 'utf8');
  const chunks = readdirSync(join(dist, 'chunks'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dist, 'chunks', f));
  const kib = (files: Iterable<string>) => [...files].reduce((n, f) => n + statSync(f).size, 0) / 1024;
  const load = loadavg()[0] ?? 0;
  const rows = chunks.map((f) => {
    const deps = [...staticClosure(f, read)].filter((d) => d !== f);
    return { name: basename(f), kib: kib([f]), ...cost(f, deps, runs) };
  });
  rows.sort((a, b) => b.cpuMs - a.cpuMs);
  const entry = staticClosure(join(dist, 'index.js'), read);
  const stage = (prefixes: string[]) => {
    const all = new Set<string>();
    for (const p of prefixes)
      for (const f of chunks.filter((c) => basename(c).startsWith(`${p}-`)))
        for (const x of staticClosure(f, read)) if (!entry.has(x)) all.add(x);
    return kib(all).toFixed(0);
  };
  console.log(
    `Load average ${load.toFixed(2)} before / ${(loadavg()[0] ?? 0).toFixed(2)} after; min of ${runs} fresh processes per chunk, its static dependencies loaded first.\n`,
  );
  console.log('| chunk | size | wall (min) | CPU (min) |\n|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.kib.toFixed(0)} KiB | ${r.wallMs.toFixed(1)} ms | ${r.cpuMs.toFixed(1)} ms |`,
    );
  console.log(
    `\nBeyond the entry: authentication (main) ${stage(['main'])} KiB; + the pipeline ${stage(['main', 'iam', 'target', 'projects', 'run'])} KiB; + the report ${stage(['main', 'iam', 'target', 'projects', 'run', 'report'])} KiB.`,
  );
}
