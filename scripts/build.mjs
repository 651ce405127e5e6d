// Bundles src/index.ts into dist/index.js, the minified ESM entry the runner loads with node24,
// plus the chunks it imports on demand (dist/chunks/): code only some runs need (the PR comment
// client, the YAML parser, report rendering, diagnosis) is not compiled at every start.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// googleapis-common pins its own copies of google-auth-library and gaxios (same major as
// ours); bundling one copy of each keeps ~150 KiB out of the cold start.
const top = (name) => fileURLToPath(new URL(`../node_modules/${name}`, import.meta.url));

const result = await build({
  entryPoints: ['src/index.ts'],
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
  alias: { 'google-auth-library': top('google-auth-library'), gaxios: top('gaxios') },
  // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
});
await mkdir('dist/chunks', { recursive: true });
// Write then rename, so a test that is running dist/index.js never sees half a file; chunks
// first (content-hashed names), the entry last.
const entryLast = [...result.outputFiles].sort(
  (a, b) => Number(a.path.endsWith('index.js')) - Number(b.path.endsWith('index.js')),
);
for (const file of entryLast) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
}
// Chunks of earlier builds go, so dist/ holds exactly this build (same source, same names).
const current = new Set(result.outputFiles.map((f) => f.path));
for (const name of await readdir('dist/chunks')) {
  const path = fileURLToPath(new URL(`../dist/chunks/${name}`, import.meta.url));
  // A parallel build's half-written file is its own to rename.
  if (!current.has(path) && !name.endsWith('.tmp')) await rm(path, { force: true });
}
const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
const entry = result.outputFiles.find((f) => f.path.endsWith('index.js'))?.contents.length ?? 0;
console.log(
  `dist/index.js + ${result.outputFiles.length - 1} chunks: ${(bytes / 1024).toFixed(0)} KiB (entry ${(entry / 1024).toFixed(0)} KiB)`,
);
