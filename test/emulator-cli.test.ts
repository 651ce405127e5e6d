// `npm run emulator` runs the emulator's TypeScript directly on Node (strip-types): this
// proves every emulator module uses erasable syntax and answers over HTTP when started so.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('emulator CLI', () => {
  it('prints the URL it listens on and serves the scenario', async () => {
    const child = spawn(
      process.execPath,
      [
        '--experimental-strip-types',
        'test/emulator/main.ts',
        '--port',
        '0',
        '--scenario',
        'test/emulator/scenarios/demo.yaml',
        '--latency-ms',
        '5',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${err}`)));
      });
      const res = await fetch(`${url}/v3/projects/demo-app`, {
        headers: { authorization: 'Bearer admin-token' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ name: 'projects/123456789012', projectId: 'demo-app' });
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });

  it('refuses to start without a scenario', async () => {
    const child = spawn(process.execPath, ['--experimental-strip-types', 'test/emulator/main.ts'], {
      stdio: 'pipe',
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('--scenario FILE');
  });
});
