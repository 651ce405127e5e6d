// esbuild options for the bundle, shared by scripts/build.mjs and the test that checks the
// licences shipped beside it (test/licenses.test.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

// googleapis-common pins its own copies of google-auth-library and gaxios (same major as
// ours); bundling one copy of each keeps ~150 KiB out of the cold start.
const top = (name) => fileURLToPath(new URL(`node_modules/${name}`, root));

export const ROOT = fileURLToPath(root);

/** @type {import('esbuild').BuildOptions} */
export const buildOptions = {
  absWorkingDir: ROOT,
  entryPoints: ['src/index.ts'],
  // dist/index.js plus dist/chunks/*: what only some runs need loads on demand (cold start).
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  // Licence texts of bundled packages go to dist/licenses.txt instead (scripts/licenses.mjs).
  legalComments: 'none',
  metafile: true,
  write: false,
  logLevel: 'warning',
  alias: { 'google-auth-library': top('google-auth-library'), gaxios: top('gaxios') },
  // The version is fixed at build time: the User-Agent and the Job's clientVersion carry it.
  define: { __ACTION_VERSION__: JSON.stringify(pkg.version) },
  // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
};
