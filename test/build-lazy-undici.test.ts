// The build keeps undici off the start path (scripts/build-options.mjs): @actions/http-client
// gets a stand-in ProxyAgent that builds the real one once @actions/github has loaded undici.
// Bundled with the real build options and run as a process: with a proxy configured, the GitHub
// client's fetch goes through it (undici's own ProxyAgent); without one it goes straight to the
// host; and @actions/core alone bundles no undici.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOptions, ROOT } from '../scripts/build-options.mjs';

let dir = '';

/** Bundles `source` with the action's build options; returns the output's path, or its inputs. */
async function bundle(name: string, source: string) {
  const entry = join(dir, `${name}.ts`);
  await writeFile(entry, source);
  const result = await build({
    ...buildOptions,
    entryPoints: [entry],
    outdir: join(dir, `out-${name}`),
    splitting: false,
    write: true,
    // The entry lives outside the repository: resolve packages from it.
    nodePaths: [join(ROOT, 'node_modules')],
  });
  const outputs = Object.entries(result.metafile?.outputs ?? {});
  return {
    file: join(ROOT, outputs[0]?.[0] ?? ''),
    inputs: outputs.flatMap(([, o]) => Object.keys(o.inputs)),
  };
}

// Asynchronous: the proxy answering the child runs in this process.
const run = async (file: string, env: Record<string, string>) =>
  (
    await promisify(execFile)(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', ...env } })
  ).stdout.trim();

describe('undici stand-in for @actions/http-client', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lazy-undici-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("the GitHub client fetches through a configured proxy (undici's ProxyAgent)", async () => {
    // @actions/github builds its fetch (and the proxy dispatcher) when its module loads.
    const { file } = await bundle(
      'github',
      `import { defaults } from '@actions/github/lib/utils';
try {
  console.log('status ' + (await defaults.request.fetch('http://api.github.invalid/x')).status);
} catch {
  console.log('no answer');
}`,
    );
    // A proxy that records what it is asked and answers {} itself.
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    proxy.on('connect', (req, socket) => {
      seen.push(`CONNECT ${req.url}`);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      socket.once('data', () =>
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}'),
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as AddressInfo).port;
      const env = { GITHUB_API_URL: 'http://api.github.invalid' };
      expect(await run(file, { ...env, HTTP_PROXY: `http://127.0.0.1:${port}` })).toBe('status 200');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/^(CONNECT api\.github\.invalid:80|GET http:\/\/api\.github\.invalid\/x)$/);
      // Without a proxy the request goes straight to the (unresolvable) host.
      expect(await run(file, env)).toBe('no answer');
      expect(seen).toHaveLength(1);
    } finally {
      proxy.close();
    }
  });

  it('the client alone bundles no undici: only the GitHub client brings it', async () => {
    const undici = (files: string[]) => files.filter((f) => f.includes('node_modules/undici/'));
    const core = await bundle(
      'core',
      `import * as core from '@actions/core';\nconsole.log(typeof core.getIDToken);`,
    );
    expect(core.inputs.some((f) => f.includes('node_modules/@actions/http-client/'))).toBe(true);
    expect(undici(core.inputs)).toEqual([]);
    const github = await bundle(
      'gh',
      `import { getOctokit } from '@actions/github';\nconsole.log(typeof getOctokit);`,
    );
    expect(undici(github.inputs).length).toBeGreaterThan(10);
  });
});
