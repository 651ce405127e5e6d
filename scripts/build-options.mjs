// esbuild options for the bundle, shared by scripts/build.mjs and the test that checks the
// licences shipped beside it (test/licenses.test.ts).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

export const ROOT = fileURLToPath(root);

// @actions/http-client imports undici (~400 KiB, ~55 ms of CPU to evaluate on a loaded 2-core
// machine, min of 9) at its top for one class, ProxyAgent, which it constructs only when a
// proxy is configured and only for a fetch dispatcher (@actions/github's). @actions/core imports the client for OIDC tokens, so every
// run paid for undici before its first request. Here the client gets a stand-in whose
// ProxyAgent builds the real one; the real undici is handed over by whoever imports it for
// itself (@actions/github, in the report chunk, which loads it anyway before asking for a
// dispatcher). Without a proxy the stand-in is never constructed.
const LAZY = 'lazy-undici';
const STAND_IN = `let undici;
export function provide(m) { undici = m; }
export class ProxyAgent {
  constructor(options) {
    if (!undici) throw new Error('an HTTP proxy is configured, but undici (its ProxyAgent) was not loaded');
    return new undici.ProxyAgent(options);
  }
}`;
/** @type {import('esbuild').Plugin} */
const lazyProxyAgent = {
  name: 'lazy-proxy-agent',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => {
      // The provider's own import below: the real package.
      if (args.namespace === LAZY) return undefined;
      if (/[\\/]node_modules[\\/]@actions[\\/]http-client[\\/]/.test(args.importer))
        return { path: 'stand-in', namespace: LAZY };
      return { path: 'provider', namespace: LAZY, pluginData: args.resolveDir };
    });
    build.onResolve({ filter: /^lazy-undici:stand-in$/ }, () => ({ path: 'stand-in', namespace: LAZY }));
    build.onLoad({ filter: /.*/, namespace: LAZY }, (args) =>
      args.path === 'stand-in'
        ? { contents: STAND_IN, loader: 'js' }
        : {
            contents: `import * as real from 'undici';\nimport { provide } from 'lazy-undici:stand-in';\nprovide(real);\nexport * from 'undici';`,
            loader: 'js',
            resolveDir: args.pluginData,
          },
    );
  },
};

// An ESM `import … from 'node:http'` makes Node build the module's ESM facade, which reads every
// export, getters included: node:http's WebSocket/CloseEvent/MessageEvent getters then compile
// Node's internal undici (~25 ms before the first request, measured with
// `node --cpu-prof dist/index.js`), and node:module's facade costs ~10 ms more. require() hands
// back the module object without touching its getters, so every built-in the bundle imports
// goes through the bundle's require (the banner's, itself from process.getBuiltinModule).
const BUILTIN = 'builtin-by-require';
const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
/** @type {import('esbuild').Plugin} */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
      const name = args.path.replace(/^node:/, '');
      return BUILTINS.has(name) ? { path: `node:${name}`, namespace: BUILTIN } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: BUILTIN }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

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
  // The version is fixed at build time: the User-Agent and the Job's clientVersion carry it.
  define: { __ACTION_VERSION__: JSON.stringify(pkg.version) },
  // Some CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  plugins: [lazyProxyAgent, builtinsByRequire],
  banner: { js: "const require=process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
};
