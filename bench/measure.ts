// Runs one process and measures it: wall time, peak resident memory, and the moment it was
// spawned (so the caller can compute cold start against the emulator's request log).
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`, exact, read from wait4) when it is
// installed; otherwise from polling the child's VmHWM high-water mark in /proc, which needs
// nothing installed but can miss growth in the last few milliseconds before exit.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Epoch milliseconds (fractional) just before spawn. */
  spawnedAt: number;
  wallMs: number;
  peakRssBytes: number;
  rssSource: 'gnu-time' | 'proc-poll';
}

export interface MeasureOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Force a method (tests use this to exercise both). */
  rssSource?: Measured['rssSource'];
}

const GNU_TIME = '/usr/bin/time';

/** Epoch milliseconds with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export async function gnuTimeAvailable(): Promise<boolean> {
  try {
    await access(GNU_TIME, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function measure(command: string, args: string[], opts: MeasureOptions): Promise<Measured> {
  const source = opts.rssSource ?? ((await gnuTimeAvailable()) ? 'gnu-time' : 'proc-poll');
  const dir = await mkdtemp(join(tmpdir(), 'bench-measure-'));
  const rssFile = join(dir, 'rss');
  try {
    const [cmd, argv] =
      source === 'gnu-time' ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
    const spawnedAt = nowMs();
    const child = spawn(cmd, argv, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    let polledKb = 0;
    const poll =
      source === 'proc-poll' && child.pid !== undefined
        ? startHwmPolling(child.pid, (kb) => (polledKb = kb))
        : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const wallMs = nowMs() - spawnedAt;
    clearTimeout(timer);
    poll?.stop();
    const peakKb = source === 'gnu-time' ? parseGnuTimeKb(await readFile(rssFile, 'utf8')) : polledKb;
    return { exitCode, stdout, stderr, spawnedAt, wallMs, peakRssBytes: peakKb * 1024, rssSource: source };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** GNU time writes "Command exited with non-zero status N" before the value when the command fails. */
export function parseGnuTimeKb(text: string): number {
  const last = text.trim().split('\n').pop() ?? '';
  const kb = Number(last.trim());
  if (!Number.isFinite(kb) || last.trim() === '') throw new Error(`unexpected GNU time output: ${text}`);
  return kb;
}

/** VmHWM of /proc/PID/status in kB, or undefined once the process is gone. */
export function parseVmHwmKb(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

function startHwmPolling(pid: number, onValue: (kb: number) => void): { stop(): void } {
  let stopped = false;
  const tick = async (): Promise<void> => {
    while (!stopped) {
      try {
        const kb = parseVmHwmKb(await readFile(`/proc/${pid}/status`, 'utf8'));
        if (kb !== undefined) onValue(kb);
      } catch {
        return; // the process has exited: the last value read is the peak we saw
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  void tick();
  return {
    stop() {
      stopped = true;
    },
  };
}
