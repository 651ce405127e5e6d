// Pure pieces of the bounds: Retry-After parsing and honouring, which service a URL is, and the
// metadata file rules.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StepError } from '../src/gcp/errors.ts';
import { withRetry } from '../src/gcp/retry.ts';
import { retryAfterMs } from '../src/gcp/retry-after.ts';
import { serviceOfUrl } from '../src/gcp/services.ts';
import { checkMetadataPath } from '../src/job/metadata-file.ts';

const throttled = (retryAfter: string) =>
  Object.assign(new Error('Quota exceeded.'), {
    response: {
      status: 429,
      headers: { 'retry-after': retryAfter },
      data: { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } },
    },
  });

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5_000).toUTCString(), Date.now())).toBeGreaterThan(3_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('is waited for, never less than the backoff would', async () => {
    const waits: number[] = [];
    let n = 0;
    const value = await withRetry(
      async () => {
        if (n++ === 0) throw throttled('4');
        return 'ok';
      },
      { sleep: async (ms) => void waits.push(ms), random: () => 0 },
    );
    expect(value).toBe('ok');
    expect(waits).toEqual([4000]);
  });

  it('that asks for longer than allowed is not waited for: the failure is reported', async () => {
    let n = 0;
    const err = await withRetry(
      async () => {
        n++;
        throw throttled('3600');
      },
      { sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(n).toBe(1);
    expect(new StepError('read job x', err).message).toContain('RESOURCE_EXHAUSTED (HTTP 429)');
  });
});

describe('serviceOfUrl', () => {
  it.each([
    ['https://run.googleapis.com/v2/projects/p/locations/l/jobs/j', 'run.googleapis.com'],
    [
      'https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/p/jobs',
      'run.googleapis.com',
    ],
    ['http://127.0.0.1:1/apis/run.googleapis.com/v1/namespaces/p/jobs', 'run.googleapis.com'],
    [
      'http://127.0.0.1:1/v1/projects/-/serviceAccounts/a@p.iam.gserviceaccount.com:getIamPolicy',
      'iam.googleapis.com',
    ],
    ['http://127.0.0.1:1/v1/token', 'sts.googleapis.com'],
    ['http://127.0.0.1:1/_github/oidc/token?x=1', 'GitHub'],
    ['http://127.0.0.1:1/v3/projects/p', 'cloudresourcemanager.googleapis.com'],
  ])('%s -> %s', (url, service) => expect(serviceOfUrl(url)).toBe(service));
});

describe('checkMetadataPath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metadata-'));
  const ws = join(dir, 'ws');
  mkdirSync(join(ws, 'd'), { recursive: true });
  writeFileSync(join(ws, 'd/job.yaml'), 'a: 1');
  writeFileSync(join(dir, 'out.yaml'), 'a: 1');
  symlinkSync(join(dir, 'out.yaml'), join(ws, 'out-link.yaml'));
  symlinkSync(join(ws, 'd/job.yaml'), join(ws, 'in-link.yaml'));
  writeFileSync(join(ws, 'big.yaml'), Buffer.alloc(1024 * 1024 + 1));

  it('accepts a regular file in the workspace, also through a symlink that stays inside', () => {
    expect(checkMetadataPath('d/job.yaml', ws)).toHaveProperty('full');
    expect(checkMetadataPath('in-link.yaml', ws)).toHaveProperty('full');
  });
  it.each([
    ['out-link.yaml', 'through a symlink'],
    ['../out.yaml', 'outside the workspace'],
    ['/etc/passwd', 'outside the workspace'],
    ['/proc/self/environ', 'outside the workspace'],
    ['/dev/zero', 'outside the workspace'],
    ['d', 'not a regular file'],
    ['nope.yaml', 'does not exist'],
    ['big.yaml', 'at most 1048576 bytes'],
  ])('refuses %s (%s)', (path, why) => {
    const r = checkMetadataPath(path, ws);
    expect(r).toHaveProperty('problem');
    expect((r as { problem: string }).problem).toMatch(/^Input "metadata"/);
    expect((r as { problem: string }).problem).toContain(why);
  });
});
