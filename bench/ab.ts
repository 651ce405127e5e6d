// `node bench/ab.ts --a DIR --b DIR [--only create,update] [--runs N]`: two builds of the action
// (e.g. dist/ of two commits) run interleaved, A B B A …, against fresh emulators with L = 50 ms,
// so both see the same machine load: on a shared machine wall times move with the load, but the
// difference between two builds measured side by side stays meaningful. Per scenario and build:
// depth, wall, wall - depth x L - server work, cold start, the gap between the OIDC answer and
// the STS request, peak RSS.
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulator } from '../test/emulator/server.ts';
import { dependentDepth } from './depth.ts';
import { measure } from './measure.ts';
import { runnerEnv, runnerFiles } from './runner.ts';
import { SCENARIOS, type Scenario, writeJobYaml } from './scenarios.ts';
import { summarize } from './stats.ts';
import { IDS } from './targets.ts';

const L = 50;

interface Sample {
  wall: number;
  overhead: number;
  cold: number;
  gap: number | undefined;
  depth: number;
  rssMb: number;
}

async function once(s: Scenario, dist: string): Promise<Sample> {
  const world = s.world();
  const emulator = await startEmulator({ scenario: world.scenario, latencyMs: L });
  const files = await runnerFiles();
  try {
    await writeJobYaml(files.dir, world);
    const action = join(dist, 'index.js');
    if (s.deployFirst) {
      const create = SCENARIOS.find((x) => x.id === IDS.create)?.inputs?.(world) ?? {};
      await measure(process.execPath, [action], {
        env: runnerEnv(emulator.url, files, create),
        cwd: files.dir,
      });
    }
    const from = emulator.requestLog.length;
    const env = runnerEnv(emulator.url, files, s.inputs?.(world) ?? {});
    const m = await measure(process.execPath, [action], { env, cwd: files.dir });
    if (m.exitCode !== 0) throw new Error(`${s.id} with ${dist} exited ${m.exitCode}:\n${m.stdout}`);
    const log = emulator.requestLog.slice(from);
    const { depth, chain } = dependentDepth(log);
    const server = chain.reduce((n, i) => n + ((log[i]?.end ?? 0) - (log[i]?.start ?? 0)), 0) - depth * L;
    const oidc = log.find((r) => r.path.includes('/oidc/token'));
    const sts = log.find((r) => r.path === '/v1/token');
    return {
      wall: m.wallMs,
      overhead: m.wallMs - depth * L - Math.max(0, server),
      cold: Math.min(...log.map((r) => r.start)) - m.spawnedAt,
      gap: oidc && sts ? sts.start - oidc.end : undefined,
      depth,
      rssMb: m.peakRssBytes / 1e6,
    };
  } finally {
    await emulator.stop();
    await rm(files.dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      a: { type: 'string' },
      b: { type: 'string', default: 'dist' },
      only: { type: 'string', default: `${IDS.create},${IDS.update},${IDS.replace}` },
      runs: { type: 'string', default: '7' },
    },
  });
  if (!values.a) throw new Error('--a DIR is required (a built dist/ directory to compare with --b)');
  const builds = { A: resolve(values.a), B: resolve(values.b ?? 'dist') };
  const runs = Number(values.runs);
  const before = loadavg()[0] ?? 0;
  const ms = (xs: number[]) => {
    const s = summarize(xs);
    return `${Math.round(s.median)} (${Math.round(s.min)})`;
  };
  console.log(
    '| scenario | build | depth | wall median (min) | wall - depth x L - server | cold start | OIDC answer -> STS | peak RSS |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const id of (values.only ?? '').split(',')) {
    const s = SCENARIOS.find((x) => x.id === id.trim() && x.tool === 'action');
    if (!s) throw new Error(`no action scenario ${id}`);
    const samples: Record<'A' | 'B', Sample[]> = { A: [], B: [] };
    for (let i = 0; i < runs; i++)
      for (const which of i % 2 ? (['B', 'A'] as const) : (['A', 'B'] as const))
        samples[which].push(await once(s, builds[which]));
    for (const which of ['A', 'B'] as const) {
      const x = samples[which];
      const gaps = x.flatMap((r) => (r.gap === undefined ? [] : [r.gap]));
      console.log(
        `| ${id} | ${which} | ${x.map((r) => r.depth).join(',')} | ${ms(x.map((r) => r.wall))} ms | ${ms(x.map((r) => r.overhead))} ms | ${ms(x.map((r) => r.cold))} ms | ${gaps.length ? `${ms(gaps)} ms` : 'n/a'} | ${Math.max(...x.map((r) => r.rssMb)).toFixed(1)} MB |`,
      );
    }
  }
  console.log(
    `\nA = ${builds.A}, B = ${builds.B}; ${runs} runs each, interleaved; medians (min); load average ${before.toFixed(2)} before / ${(loadavg()[0] ?? 0).toFixed(2)} after.`,
  );
}
