// temporary (not committed): timeline of module evaluation and requests for one scenario
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startEmulator } from '../test/emulator/server.ts';
import { measure } from './measure.ts';
import { runnerEnv, runnerFiles } from './runner.ts';
import { SCENARIOS, writeJobYaml } from './scenarios.ts';
const ROOT = resolve(import.meta.dirname, '..');
const id = process.argv[2] ?? 'create';
const s = SCENARIOS.find((x) => x.id === id)!;
const world = s.world();
const emulator = await startEmulator({ scenario: world.scenario, latencyMs: 50 });
const files = await runnerFiles();
await writeJobYaml(files.dir, world);
const first = SCENARIOS.find((x) => x.id === 'create')!;
const env0 = runnerEnv(emulator.url, files, first.inputs?.(world) ?? {});
if (s.deployFirst) await measure(process.execPath, [join(ROOT, 'dist/index.js')], { env: env0, cwd: files.dir });
const from = emulator.requestLog.length;
const env = runnerEnv(emulator.url, files, s.inputs?.(world) ?? {});
const m = await measure(process.execPath, [...(process.env.HOOK ? ['--import', process.env.HOOK] : []), join(ROOT, 'dist/index.js')], { env, cwd: files.dir });
const ev: [number, string][] = [];
for (const l of m.stderr.split('\n')) { const x = /^@@ (\S+) (.*)$/.exec(l); if (x) ev.push([Number(x[1]), x[2]]); }
for (const r of emulator.requestLog.slice(from)) { ev.push([r.start, `REQ> ${r.method} ${r.path.slice(0, 90)}`]); ev.push([r.end, `<RES ${r.status} ${r.path.slice(0, 60)}`]); }
ev.sort((a, b) => a[0] - b[0]);
for (const [t, w] of ev) console.log(`${(t - m.spawnedAt).toFixed(1).padStart(7)}  ${w}`);
console.log(`wall ${m.wallMs.toFixed(0)} exit ${m.exitCode}`);
await emulator.stop(); await rm(files.dir, { recursive: true, force: true });
