// The benchmark's process measurement against a trivial Node script with a known footprint.
import { describe, expect, it } from 'vitest';
import { gnuTimeAvailable, measure, parseGnuTimeKb, parseVmHwmKb } from '../bench/measure.ts';

// Holds ~120 MB of touched memory for ~300 ms, then exits with code 3.
const SCRIPT =
  "const b = Buffer.alloc(120e6, 1); setTimeout(() => { process.stdout.write('done ' + b[7]); process.exit(3); }, 300);";

describe('parsers', () => {
  it.each<[string, number]>([
    ['51234\n', 51234],
    ['Command exited with non-zero status 3\n98765\n', 98765],
  ])('GNU time output %j -> %d kB', (text, kb) => {
    expect(parseGnuTimeKb(text)).toBe(kb);
  });

  it('rejects GNU time output without a number', () => {
    expect(() => parseGnuTimeKb('Command terminated by signal 9\n')).toThrow(/unexpected GNU time output/);
  });

  it.each<[string, number | undefined]>([
    ['Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t   45678 kB\nVmRSS:\t 40000 kB\n', 45678],
    ['Name:\tnode\nState:\tZ (zombie)\n', undefined],
  ])('VmHWM of %j -> %s', (status, kb) => {
    expect(parseVmHwmKb(status)).toBe(kb);
  });
});

describe('measure', async () => {
  const sources = (await gnuTimeAvailable())
    ? (['gnu-time', 'proc-poll'] as const)
    : (['proc-poll'] as const);
  if (sources.length === 1)
    console.log('GNU time (/usr/bin/time) is not installed: only the /proc fallback is tested');

  it.each(sources)('measures wall time, exit code, output and peak RSS via %s', async (rssSource) => {
    const m = await measure(process.execPath, ['-e', SCRIPT], { env: process.env, rssSource });
    expect(m.rssSource).toBe(rssSource);
    expect(m.exitCode).toBe(3);
    expect(m.stdout).toBe('done 1');
    expect(m.wallMs).toBeGreaterThanOrEqual(300);
    expect(m.peakRssBytes).toBeGreaterThan(120e6);
    expect(m.peakRssBytes).toBeLessThan(400e6);
    expect(m.spawnedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});
