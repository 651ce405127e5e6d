// Bundles src/index.ts into dist/index.js, the minified ESM entry the runner loads with node24,
// plus the chunks it imports on demand (dist/chunks/: code only some runs need is not compiled
// at every start), and dist/licenses.txt, the licences of every package in them.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildOptions, ROOT } from './build-options.mjs';
import { renderLicenses } from './licenses.mjs';

const result = await build(buildOptions);
const files = [
  ...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })),
  { path: join(ROOT, 'dist/licenses.txt'), contents: renderLicenses(ROOT, result.metafile) },
];
await mkdir(join(ROOT, 'dist/chunks'), { recursive: true });
// Write then rename, so a test that is running dist/index.js never sees half a file; the entry
// last, once the chunks it imports are in place.
const isEntry = (f) => f.path === join(ROOT, 'dist/index.js');
for (const file of [...files.filter((f) => !isEntry(f)), ...files.filter(isEntry)]) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
}
// Chunks of earlier builds go, so dist/ holds exactly this build (same source, same names).
const current = new Set(result.outputFiles.map((f) => f.path));
for (const name of await readdir(join(ROOT, 'dist/chunks'))) {
  const path = join(ROOT, 'dist/chunks', name);
  // A parallel build's half-written file is its own to rename.
  if (!current.has(path) && !name.endsWith('.tmp')) await rm(path, { force: true });
}
const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
const entry = result.outputFiles.find(isEntry)?.contents.length ?? 0;
console.log(
  `dist/index.js + ${result.outputFiles.length - 1} chunks: ${(bytes / 1024).toFixed(0)} KiB (entry ${(entry / 1024).toFixed(0)} KiB), dist/licenses.txt written`,
);
