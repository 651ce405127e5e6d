// `npm run bench`: runs the bundled action (and gcloud, where installed) against the emulator
// with injected latency, prints the Markdown report and writes bench/results.md.
// Options: --latency-ms N (50), --runs N (5), --only id,id, --no-gcloud, --out FILE, --verbose,
// --ratio-latencies N,N (20,100: the action/gcloud pairs again at those latencies; '' for none).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type RequestLogEntry, startEmulator } from '../test/emulator/server.ts';
import { parseOutputFile } from '../test/helpers/run-action.ts';
import { dependentDepth } from './depth.ts';
import { gcloudConfigDir, gcloudEnv, gcloudVersion } from './gcloud.ts';
import { measure } from './measure.ts';
import type { BenchReport, LatencyRatio, RunSample, ScenarioResult } from './results.ts';
import { runnerEnv, runnerFiles } from './runner.ts';
import { gcloudDeploy, SCENARIOS, type Scenario, unexpectedOutputs, writeJobYaml } from './scenarios.ts';
import { summarize } from './stats.ts';
import { renderReport } from './table.ts';
import { IDS, RATIO_PAIRS } from './targets.ts';
import { APP, DEPLOYER } from './worlds.ts';

const ROOT = resolve(import.meta.dirname, '..');
const ACTION = join(ROOT, 'dist', 'index.js');

const { values: opts } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '50' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    'no-gcloud': { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench', 'results.md') },
    verbose: { type: 'boolean', default: false },
    'ratio-latencies': { type: 'string', default: '20,100' },
  },
});
const latencyMs = Number(opts['latency-ms']);
const runs = Number(opts.runs);
if (!Number.isFinite(latencyMs) || latencyMs < 0)
  throw new Error(`--latency-ms must be a number >= 0, got ${opts['latency-ms']}`);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number >= 1, got ${opts.runs}`);
const LOG_DIR = join(tmpdir(), 'bench-logs');

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(path) : (await stat(path)).size;
  }
  return total;
}

interface Invocation {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process one scenario runs (or, with `first`, the unmeasured deploy before an update). */
function invocation(
  s: Scenario,
  world: ReturnType<Scenario['world']>,
  ctx: RunCtx,
  first: boolean,
): Invocation {
  if (s.tool === 'action') {
    const inputs = first
      ? (SCENARIOS.find((x) => x.id === IDS.create)?.inputs?.(world) ?? {})
      : (s.inputs?.(world) ?? {});
    return {
      command: process.execPath,
      args: [ACTION],
      env: runnerEnv(ctx.url, ctx.files, inputs),
      cwd: ctx.files.dir,
    };
  }
  const args = first ? gcloudDeploy(world) : (s.gcloudArgs?.(world, ctx.files.dir) ?? []);
  const env = gcloudEnv({ configDir: ctx.gcloudConfig, port: ctx.port, token: ctx.token, project: APP.id });
  return { command: 'gcloud', args, env, cwd: ctx.files.dir };
}

interface RunCtx {
  url: string;
  port: number;
  token: string;
  files: Awaited<ReturnType<typeof runnerFiles>>;
  gcloudConfig: string;
}

function describeChain(log: RequestLogEntry[], chain: number[], t0: number): string[] {
  return chain.map((i) => {
    const r = log[i] as RequestLogEntry;
    return `${r.method} ${r.host.replace(/:\d+$/, '')}${r.path} -> ${r.status} [at +${Math.round(r.start - t0)} ms, ${r.end - r.start} ms]`;
  });
}

async function runOnce(
  s: Scenario,
  gcloudConfig: string,
  index: number,
  latencyMs: number,
): Promise<{ sample: RunSample; chain: string[]; output: string }> {
  const world = s.world();
  const emulator = await startEmulator({ scenario: world.scenario, latencyMs });
  const files = await runnerFiles();
  try {
    await writeJobYaml(files.dir, world);
    const ctx: RunCtx = {
      url: emulator.url,
      port: emulator.port,
      token: emulator.issueToken(`serviceAccount:${DEPLOYER}`),
      files,
      gcloudConfig,
    };
    if (s.deployFirst) {
      const first = invocation(s, world, ctx, true);
      const done = await measure(first.command, first.args, { env: first.env, cwd: first.cwd });
      if (done.exitCode !== 0) {
        throw new Error(
          `${s.id}: the first deploy (setup) failed with ${done.exitCode}:\n${done.stdout}\n${done.stderr}`,
        );
      }
    }
    const from = emulator.requestLog.length;
    const inv = invocation(s, world, ctx, false);
    const m = await measure(inv.command, inv.args, { env: inv.env, cwd: inv.cwd });
    const log = emulator.requestLog.slice(from);
    await mkdir(LOG_DIR, { recursive: true });
    await writeFile(
      join(LOG_DIR, `${s.id}-${index}.json`),
      JSON.stringify({ spawnedAt: m.spawnedAt, log }, null, 1),
    );
    const { depth, chain } = dependentDepth(log);
    const unexpected =
      s.tool === 'action'
        ? unexpectedOutputs(s, parseOutputFile(await readFile(files.output, 'utf8')))
        : undefined;
    const serverMs =
      chain.reduce((n, i) => n + ((log[i]?.end ?? 0) - (log[i]?.start ?? 0)), 0) - depth * latencyMs;
    const first = log.reduce((a, r) => Math.min(a, r.start), Number.POSITIVE_INFINITY);
    const sample: RunSample = {
      wallMs: m.wallMs,
      requests: log.length,
      depth,
      peakRssBytes: m.peakRssBytes,
      coldStartMs: Number.isFinite(first) ? Math.max(0, first - m.spawnedAt) : Number.NaN,
      serverMs: Math.max(0, serverMs),
      exitCode: m.exitCode,
      ...(unexpected ? { unexpected } : {}),
    };
    return { sample, chain: describeChain(log, chain, m.spawnedAt), output: `${m.stdout}\n${m.stderr}` };
  } finally {
    await emulator.stop();
    await rm(files.dir, { recursive: true, force: true });
  }
}

async function runScenario(s: Scenario, gcloudConfig: string, latencyMs: number): Promise<ScenarioResult> {
  const samples: RunSample[] = [];
  let chain: string[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(s, gcloudConfig, i, latencyMs);
    samples.push(r.sample);
    if (i === 0) chain = r.chain;
    if (r.sample.unexpected)
      console.error(`! ${s.id} run ${i + 1}: unexpected outputs ${r.sample.unexpected}`);
    if (r.sample.exitCode !== 0 && (opts.verbose || samples.filter((x) => x.exitCode !== 0).length === 1)) {
      console.error(
        `! ${s.id} run ${i + 1} exited ${r.sample.exitCode}; output (tail):\n${r.output.trim().split('\n').slice(-25).join('\n')}`,
      );
    }
    process.stderr.write(
      `  ${s.id} #${i + 1}: ${Math.round(r.sample.wallMs)} ms, ${r.sample.requests} requests, depth ${r.sample.depth}, exit ${r.sample.exitCode}\n`,
    );
  }
  const med = (f: (r: RunSample) => number) => summarize(samples.map(f)).median;
  return {
    id: s.id,
    title: s.title,
    tool: s.tool,
    runs: samples,
    wall: summarize(samples.map((r) => r.wallMs)),
    requests: med((r) => r.requests),
    depth: med((r) => r.depth),
    overheadMs: med((r) => r.wallMs - r.depth * latencyMs - r.serverMs),
    serverMs: med((r) => r.serverMs),
    peakRssBytes: Math.max(...samples.map((r) => r.peakRssBytes)),
    coldStartMs: med((r) => r.coldStartMs),
    chain,
  };
}

if (!existsSync(ACTION))
  throw new Error(`${ACTION} is missing: run \`npm run build\` first (npm run bench does)`);
const gcloud = opts['no-gcloud'] ? undefined : await gcloudVersion();
if (!opts['no-gcloud'] && !gcloud)
  console.error('gcloud is not installed: the side-by-side gcloud rows are skipped');
const only = opts.only?.split(',').map((x) => x.trim());
const selected = SCENARIOS.filter((s) => (s.tool === 'action' || gcloud) && (!only || only.includes(s.id)));
const gcloudConfig = await gcloudConfigDir();
const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
const results: ScenarioResult[] = [];
const ratios: LatencyRatio[] = [];
const ratioLatencies = (opts['ratio-latencies'] ?? '')
  .split(',')
  .filter((x) => x.trim() !== '')
  .map(Number);
if (ratioLatencies.some((l) => !Number.isFinite(l) || l < 0))
  throw new Error(`--ratio-latencies must be numbers >= 0, got ${opts['ratio-latencies']}`);

/** Median wall of a bare `node -e 0`: the floor of the action's cold start, in the same run. */
async function bareNode(n: number): Promise<number> {
  const walls: number[] = [];
  for (let i = 0; i < n; i++)
    walls.push((await measure(process.execPath, ['-e', '0'], { env: process.env })).wallMs);
  return summarize(walls).median;
}

let bareNodeMs: number | undefined;
try {
  const bareBefore = await bareNode(Math.max(5, runs));
  for (const s of selected) {
    process.stderr.write(`${s.title}\n`);
    results.push(await runScenario(s, gcloudConfig, latencyMs));
  }
  bareNodeMs = Math.min(bareBefore, await bareNode(Math.max(5, runs)));
  for (const l of gcloud ? ratioLatencies : []) {
    for (const [action, other, label] of RATIO_PAIRS) {
      const pair = [action, other].map((id) => selected.find((s) => s.id === id));
      if (!pair[0] || !pair[1]) continue;
      process.stderr.write(`${label} at L = ${l} ms\n`);
      const [a, g] = [
        await runScenario(pair[0], gcloudConfig, l),
        await runScenario(pair[1], gcloudConfig, l),
      ];
      ratios.push({ latencyMs: l, label, actionMs: a.wall.median, gcloudMs: g.wall.median });
    }
  }
} finally {
  await rm(gcloudConfig, { recursive: true, force: true });
}

const report: BenchReport = {
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
  gcloud,
  latencyMs,
  runsPerScenario: runs,
  loadAverage: [loadBefore, loadavg()[0] ?? 0],
  bundleBytes: await dirBytes(join(ROOT, 'dist')),
  ...(bareNodeMs !== undefined ? { bareNodeMs } : {}),
  ...(ratios.length ? { ratios } : {}),
  scenarios: results,
};
const markdown = renderReport(report);
console.log(markdown);
await writeFile(opts.out, markdown);
console.error(
  `wrote ${opts.out} in ${Math.round((Date.now() - started) / 1000)} s; request logs in ${LOG_DIR}`,
);
