// Bundles src/index.ts into dist/index.js: one minified ESM file the runner loads with node24,
// and dist/licenses.txt, the licences of every package in it.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildOptions, ROOT } from './build-options.mjs';
import { renderLicenses } from './licenses.mjs';

const result = await build(buildOptions);
const files = [
  ...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })),
  { path: join(ROOT, 'dist/licenses.txt'), contents: renderLicenses(ROOT, result.metafile) },
];
await mkdir(join(ROOT, 'dist'), { recursive: true });
// Write then rename, so a test that is running dist/index.js never sees half a file.
for (const file of files) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
}
const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
console.log(`dist/index.js: ${(bytes / 1024).toFixed(0)} KiB, dist/licenses.txt written`);
