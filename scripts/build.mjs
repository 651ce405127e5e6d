// Bundles src/index.ts into dist/index.js: one minified ESM file the runner loads with node24.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// googleapis-common pins its own copies of google-auth-library and gaxios (same major as
// ours); bundling one copy of each keeps ~150 KiB out of the cold start.
const top = (name) => fileURLToPath(new URL(`../node_modules/${name}`, import.meta.url));

const result = await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
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
await mkdir('dist', { recursive: true });
// Write then rename, so a test that is running dist/index.js never sees half a file.
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
}
const bytes = result.outputFiles.reduce((n, f) => n + f.contents.length, 0);
console.log(`dist/index.js: ${(bytes / 1024).toFixed(0)} KiB`);
