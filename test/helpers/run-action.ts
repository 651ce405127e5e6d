// Runs the bundled action (dist/index.js) the way the GitHub runner does: a Node 24 child
// process with INPUT_* variables (action.yml defaults filled in), GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, an event payload, the OIDC token endpoint and every Google API
// pointed at the emulator through GHA_ENDPOINT_OVERRIDE_<api>.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_ID_TOKEN_REQUEST_TOKEN } from '../emulator/apis/github.ts';
import type { Emulator } from '../emulator/server.ts';
import { issuedTokens } from '../emulator/tokens.ts';
import { actionDefaults, endpointOverrides, inputEnv, OIDC_PATH } from './runner-env.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const DIST = join(ROOT, 'dist/index.js');
/** Everything the build writes: a missing one means dist/ predates the build script. */
const BUILT = [DIST, join(ROOT, 'dist/licenses.txt')];

export interface RunActionOptions {
  /** Input name (as in action.yml) -> value. Unset inputs get action.yml defaults, as on the runner. */
  inputs: Record<string, string>;
  /** Extra or overriding environment variables (set a value to '' to remove one). */
  env?: Record<string, string>;
  emulator?: Emulator;
  /** Files to create in the workspace: relative path -> content. */
  files?: Record<string, string>;
  /** The event payload (GITHUB_EVENT_PATH); default {} for a push. */
  event?: { name: string; payload: Record<string, unknown> };
  /** Called with the workspace path after `files` are written, before the action starts. */
  prepare?: (workspace: string) => void;
  /** Kill the child after this long. */
  timeoutMs?: number;
}

export interface RunActionResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Build dist/ unless it is newer than every source file (several e2e files share one build). */
export function ensureBuilt(): void {
  const built = (() => {
    try {
      return Math.min(...BUILT.map((f) => statSync(f).mtimeMs));
    } catch {
      return 0;
    }
  })();
  if (built > newestMtime(join(ROOT, 'src'))) return;
  const res = spawnSync(NODE, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`build failed:\n${res.stdout}\n${res.stderr}`);
}

/** `name<<DELIM\nvalue\nDELIM` blocks, as @actions/core writes GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^=<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (m?.[1] && m[2]) {
      const end = lines.indexOf(m[2], i + 1);
      out[m[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else {
      const eq = (lines[i] ?? '').indexOf('=');
      if (eq > 0) out[(lines[i] ?? '').slice(0, eq)] = (lines[i] ?? '').slice(eq + 1);
    }
  }
  return out;
}

export async function runAction(options: RunActionOptions): Promise<RunActionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'));
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  for (const [path, content] of Object.entries(options.files ?? {})) {
    const full = join(workspace, path);
    mkdirSync(resolve(full, '..'), { recursive: true });
    writeFileSync(full, content);
  }
  options.prepare?.(workspace);
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  const eventFile = join(dir, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const event = options.event ?? { name: 'push', payload: {} };
  writeFileSync(eventFile, JSON.stringify(event.payload));

  const emu = options.emulator;
  const repository = emu?.world.github.repository ?? 'octo-org/octo-repo';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: event.name,
    GITHUB_REPOSITORY: repository,
    GITHUB_SHA: '4f1c0d5e3b2a19876543210fedcba9876543210f',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '1',
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/deploy.yml@refs/heads/main`,
    // No ambient Google credentials leak in from the machine running the tests.
    CLOUDSDK_CONFIG: join(dir, 'gcloud'),
  };
  if (emu) {
    env.ACTIONS_ID_TOKEN_REQUEST_URL = `${emu.url}${OIDC_PATH}`;
    env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = DEFAULT_ID_TOKEN_REQUEST_TOKEN;
    env.GITHUB_API_URL = `${emu.url}/_github/api`;
    env.GITHUB_SERVER_URL = `${emu.url}/_github`;
    Object.assign(env, endpointOverrides(emu.url));
  }
  Object.assign(
    env,
    inputEnv({ ...actionDefaults(readFileSync(join(ROOT, 'action.yml'), 'utf8')), ...options.inputs }),
  );
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === '') delete env[k];
    else env[k] = v;
  }

  const child = spawn(NODE, [DIST], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  const result: RunActionResult = {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
  };
  rmSync(join(dir, 'gcloud'), { recursive: true, force: true });
  if (emu) assertNoTokenIn(result, emu);
  return result;
}

/**
 * Every run of the suite is scanned: no token the emulator issued (access tokens, OIDC JWTs,
 * the runner's request token) may appear in stdout, stderr, outputs, the summary or a PR
 * comment. `::add-mask::TOKEN` is the masking command itself (the runner consumes that line).
 */
export function assertNoTokenIn(result: RunActionResult, emu: Emulator): void {
  const comments = Object.values(emu.world.github.comments ?? {}).flatMap((list) => list.map((c) => c.body));
  const produced = [
    result.stdout.replace(/^::add-mask::.*$/gm, ''),
    result.stderr,
    result.summary,
    ...Object.values(result.outputs),
    ...comments,
  ].join('\n');
  for (const token of [...issuedTokens(emu.world), DEFAULT_ID_TOKEN_REQUEST_TOKEN])
    if (produced.includes(token))
      throw new Error(`a token the emulator issued leaked into the run's output: ${token.slice(0, 12)}…`);
}
