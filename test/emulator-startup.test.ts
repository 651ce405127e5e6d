// An emulator that cannot load its world or its role data says why and exits 1 before it
// listens; it never starts and then answers requests with a 500 that hides the cause.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from './emulator/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'emu-startup-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

async function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--experimental-strip-types', 'test/emulator/main.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    // A started emulator would run until killed: stop it, the test then sees it listened.
    if (out.includes('listening on')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const [code] = await once(child, 'exit');
  return { code, out, err };
}

const DEMO = 'test/emulator/scenarios/demo.yaml';

describe('emulator start-up', () => {
  it.each([
    ['a missing world file', ['--scenario', join(dir, 'absent.yaml')], /cannot start: .*absent\.yaml/],
    [
      'a malformed world',
      ['--scenario', file('bad.yaml', 'projects: 3\n')],
      /cannot start: .*bad\.yaml: .*projects/,
    ],
    [
      'missing role data',
      ['--scenario', DEMO, '--roles', join(dir, 'none.json')],
      /cannot load the role data .*none\.json/,
    ],
    [
      'role data that is not JSON',
      ['--scenario', DEMO, '--roles', file('r1.json', '{')],
      /cannot load the role data/,
    ],
    [
      'role data without permission lists',
      ['--scenario', DEMO, '--roles', file('r2.json', '{"roles":{"roles/x":{}}}')],
      /"roles\/x" needs .*includedPermissions/,
    ],
  ])('%s: exits 1 with the cause, never listens', async (_name, args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(message);
    expect(res.out).not.toContain('listening on');
  });

  it('says what it loaded when it starts', async () => {
    const res = await cli(['--scenario', DEMO, '--port', '0']);
    expect(res.out).toMatch(/emulator: world test\/emulator\/scenarios\/demo\.yaml, \d+ predefined roles/);
    expect(res.out).toContain('listening on http://127.0.0.1:');
  });

  it('startEmulator rejects broken role data before listening', async () => {
    await expect(startEmulator({ scenario: DEMO, rolesFile: join(dir, 'none.json') })).rejects.toThrow(
      /cannot load the role data/,
    );
  });
});
