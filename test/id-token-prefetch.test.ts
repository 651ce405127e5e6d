// The entry point's early OIDC token request (src/auth/id-token-prefetch.ts): used once for the
// audience credentials.ts asks for, and @actions/core's getIDToken for everything else.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedAudience, getJsonValue, prefetchIdToken } from '../src/auth/id-token-prefetch.ts';

const PROVIDER = 'projects/1/locations/global/workloadIdentityPools/p/providers/gh';
const AUD = `https://iam.googleapis.com/${PROVIDER}`;
let server: Server;
let url = '';
const seen: { url: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.url?.includes('throttle')) {
      res.writeHead(429, { 'retry-after': '2' });
      res.end('{}');
      return;
    }
    if (req.url?.includes('fail')) {
      res.statusCode = 500;
      res.end('{}');
      return;
    }
    res.end(JSON.stringify({ value: 'early-token' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const env = (over: Record<string, string> = {}) => ({
  INPUT_WORKLOAD_IDENTITY_PROVIDER: ` ${PROVIDER} `,
  ACTIONS_ID_TOKEN_REQUEST_URL: url,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-bearer',
  ...over,
});
const fallback = async () => async (aud: string) => `fallback:${aud}`;

describe('prefetchIdToken', () => {
  it('asks for the expected audience at once and answers it from that request, once', async () => {
    seen.length = 0;
    const prefetch = prefetchIdToken(env(), fallback);
    expect(prefetch).toBeDefined();
    await prefetch?.sent;
    const source = prefetch?.source;
    expect(await source?.(AUD)).toBe('early-token');
    expect(seen).toEqual([
      { url: `/token?api-version=2.0&audience=${encodeURIComponent(AUD)}`, auth: 'Bearer runner-bearer' },
    ]);
    // A second token (e.g. a refresh) comes from the library.
    expect(await source?.(AUD)).toBe(`fallback:${AUD}`);
  });

  it('hands another audience, or a failed prefetch, to the library', async () => {
    expect(await prefetchIdToken(env(), fallback)?.source('https://other')).toBe('fallback:https://other');
    const failing = prefetchIdToken(env({ ACTIONS_ID_TOKEN_REQUEST_URL: `${url}&fail=1` }), fallback);
    expect(await failing?.source(AUD)).toBe(`fallback:${AUD}`);
  });

  it("waits for a throttled prefetch's Retry-After before the library asks again", async () => {
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    const throttled = prefetchIdToken(
      env({ ACTIONS_ID_TOKEN_REQUEST_URL: `${url}&throttle=1` }),
      fallback,
      undefined,
      sleep,
    );
    expect(await throttled?.source(AUD)).toBe(`fallback:${AUD}`);
    expect(slept).toEqual([2000]);
    // A failure without Retry-After hands over at once.
    const failing = prefetchIdToken(
      env({ ACTIONS_ID_TOKEN_REQUEST_URL: `${url}&fail=1` }),
      fallback,
      undefined,
      sleep,
    );
    await failing?.source(AUD);
    expect(slept).toEqual([2000]);
  });

  it('does nothing without federation, without the runner variables, or behind a proxy', () => {
    expect(prefetchIdToken(env({ INPUT_WORKLOAD_IDENTITY_PROVIDER: '' }), fallback)).toBeUndefined();
    expect(prefetchIdToken(env({ ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' }), fallback)).toBeUndefined();
    expect(prefetchIdToken(env({ HTTPS_PROXY: 'http://proxy:3128' }), fallback)).toBeUndefined();
    // A malformed provider or universe never leaves the process: inputs.ts refuses it.
    expect(
      prefetchIdToken(env({ INPUT_WORKLOAD_IDENTITY_PROVIDER: 'projects/1\n::warning::x' }), fallback),
    ).toBeUndefined();
    expect(prefetchIdToken(env({ INPUT_UNIVERSE: 'evil.com/x?' }), fallback)).toBeUndefined();
  });

  it('derives the audience the way credentials.ts does, universe included', () => {
    expect(expectedAudience(env({ INPUT_UNIVERSE: 'example.goog' }))).toBe(
      `https://iam.example.goog/${PROVIDER}`,
    );
    expect(expectedAudience({})).toBeUndefined();
    expect(
      expectedAudience(env({ INPUT_WORKLOAD_IDENTITY_PROVIDER: `//iam.googleapis.com/${PROVIDER}` })),
    ).toBe(AUD);
  });

  it('getJsonValue resolves undefined on a refused connection', async () => {
    expect(await getJsonValue('http://127.0.0.1:1/x', {})).toBeUndefined();
  });
});
