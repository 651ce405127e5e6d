// listLogEntries (src/gcp/logging.ts) over real HTTP against the emulator's Cloud Logging:
// it follows nextPageToken across an empty page with a token (a search cut short, as
// ListLogEntriesResponse documents), across ordinary pages, stops once it has the entries it
// asked for, and never makes more than MAX_LOG_PAGES requests for one search.
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiContext } from '../src/gcp/clients.ts';
import { listLogEntries, MAX_LOG_PAGES } from '../src/gcp/logging.ts';
import { type Emulator, startEmulator } from './emulator/server.ts';
import { endpointOverrides } from './helpers/runner-env.ts';

const READER = 'user:reader@acme.example';
let emu: Emulator;
let ctx: ApiContext;

beforeAll(async () => {
  emu = await startEmulator({
    scenario: {
      projects: [
        {
          id: 'app',
          number: '111111111111',
          policy: { bindings: [{ role: 'roles/logging.viewer', members: [READER] }] },
        },
      ],
      tokens: { 'reader-token': READER },
    },
  });
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'reader-token', expiry_date: Date.now() + 3_600_000 });
  ctx = {
    auth,
    universe: 'googleapis.com',
    env: endpointOverrides(`${emu.url}/`),
    retry: { sleep: async () => undefined },
  };
}, 60_000);
afterAll(() => emu.stop());

const entry = (n: number) => ({
  insertId: `id-${n}`,
  logName: 'projects/app/logs/run.googleapis.com%2Fstderr',
  resource: { type: 'cloud_run_job', labels: { job_name: 'nightly', location: 'us-central1' } },
  severity: n % 2 === 0 ? 'ERROR' : 'INFO',
  textPayload: `line ${n}`,
  timestamp: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`,
});

const FILTER = 'resource.type="cloud_run_job"';
const calls = () => emu.requestLog.filter((r) => r.path === '/v2/entries:list').length;
const lines = (es: Array<{ textPayload?: string }>) => es.map((e) => e.textPayload);

beforeEach(() => {
  emu.world.connected.logEntries = Array.from({ length: 12 }, (_, i) => entry(i + 1));
  delete emu.world.logSearchCutShort;
  emu.requestLog.length = 0;
});

describe('listLogEntries follows nextPageToken, bounded', () => {
  it('an empty page with a token is a search cut short, not the end: the entries come after it', async () => {
    emu.world.logSearchCutShort = 2;
    const found = await listLogEntries(ctx, 'app', FILTER, 3);
    expect(lines(found)).toEqual(['line 12', 'line 11', 'line 10']);
    // Two empty pages, then the page with the entries; the search had more, but 3 were enough.
    expect(calls()).toBe(3);
  });

  it('one page when the first page holds what was asked for', async () => {
    const found = await listLogEntries(ctx, 'app', FILTER, 5);
    expect(found).toHaveLength(5);
    expect(calls()).toBe(1);
  });

  it('a search that ends before pageSize entries stops at its last page', async () => {
    const found = await listLogEntries(ctx, 'app', 'severity=ERROR', 20);
    expect(lines(found)).toEqual(['line 12', 'line 10', 'line 8', 'line 6', 'line 4', 'line 2']);
    expect(calls()).toBe(1);
  });

  it(`a search still cut short after ${MAX_LOG_PAGES} requests ends with what it found`, async () => {
    emu.world.logSearchCutShort = MAX_LOG_PAGES + 3;
    const found = await listLogEntries(ctx, 'app', FILTER, 3);
    expect(found).toEqual([]);
    expect(calls()).toBe(MAX_LOG_PAGES);
  });
});
