// The entry point's token exchange (src/auth/exchange-prefetch.ts) and the replay of its answers
// to google-auth-library (src/auth/replay.ts), checked against the library itself: the requests
// it sends are the ones the library's IdentityPoolClient sends, the library given the recorded
// answers makes none of those requests again and ends with the same token, and a refusal
// reaches the library as the same error it would have raised on the network.
import { readFileSync } from 'node:fs';
import { IdentityPoolClient } from 'google-auth-library';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  exchangeKey,
  exchangeParams,
  type PrefetchedExchange,
  paramsFromEnv,
  prefetchExchange,
  startExchange,
} from '../src/auth/exchange-prefetch.ts';
import { prefetchAnswer } from '../src/auth/prefetch-http.ts';
import { replayAnswers } from '../src/auth/replay.ts';
import { parseInputs } from '../src/inputs.ts';
import { type RecordingServer, recordingServer, type Seen } from './helpers/recording-server.ts';
import { actionDefaults } from './helpers/runner-env.ts';

const PROVIDER = 'projects/123/locations/global/workloadIdentityPools/pool/providers/github';
const SA = 'deployer@app.iam.gserviceaccount.com';
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2ln';

let server: RecordingServer;
let root = '';
let seen: Seen[] = [];
/** What the fake STS answers: a token, or a refusal as STS words one (OAuth error body). */
let refuse = false;

beforeAll(async () => {
  server = await recordingServer(({ path }, res) => {
    res.setHeader('content-type', 'application/json');
    if (path === '/v1/token' && refuse) {
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          error: 'unauthorized_client',
          error_description: 'The given credential is rejected by the attribute condition.',
        }),
      );
    } else if (path === '/v1/token')
      res.end(
        JSON.stringify({
          access_token: 'sts-token',
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    else res.end(JSON.stringify({ accessToken: 'ya29.impersonated', expireTime: '2099-01-01T00:00:00Z' }));
  });
  root = `${server.url}/`;
  seen = server.seen;
});
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
  refuse = false;
});

const env = () => ({ GHA_ENDPOINT_OVERRIDE_sts: root, GHA_ENDPOINT_OVERRIDE_iamcredentials: root });
const params = (reason?: string) => exchangeParams(PROVIDER, 'googleapis.com', env(), SA, reason);

/** google-auth-library's own client for the same exchange (what credentials.ts configures). */
function libraryClient() {
  const p = params();
  const client = new IdentityPoolClient({
    type: 'external_account',
    audience: p.audience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: p.tokenUrl,
    universe_domain: 'googleapis.com',
    subject_token_supplier: { getSubjectToken: async () => ID_TOKEN },
    service_account_impersonation_url: p.impersonationUrl ?? '',
  });
  client.scopes = ['https://www.googleapis.com/auth/cloud-platform'];
  return client;
}

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));
/** Every answer of an exchange, once all have come (the last may still be on its way). */
const statuses = async (e: PrefetchedExchange | undefined) =>
  (await Promise.all((e?.answers ?? []).map((a) => a.answer))).map((a) => a?.status);

describe('the exchange the entry point starts', () => {
  it('sends the requests google-auth-library sends, field for field', async () => {
    await libraryClient().getAccessToken();
    const library = [...seen];
    seen.length = 0;
    const exchange = await prefetchExchange(params(), Promise.resolve(ID_TOKEN), Promise.resolve(true));
    expect(await statuses(exchange)).toEqual([200, 200]);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(library.map((s) => `${s.method} ${s.path}`));
    expect(form(seen[0]?.body ?? '')).toEqual(form(library[0]?.body ?? ''));
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual(JSON.parse(library[1]?.body ?? ''));
    expect(seen[1]?.headers.authorization).toBe('Bearer sts-token');
    expect(seen[0]?.headers['content-type']).toBe(library[0]?.headers['content-type']);
  });

  it('sends nothing for a run whose inputs are refused', async () => {
    expect(
      await prefetchExchange(params(), Promise.resolve(ID_TOKEN), Promise.resolve(false)),
    ).toBeUndefined();
    const started = startExchange(params(), Promise.resolve(ID_TOKEN));
    started.allow(false);
    expect(await started.answers).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it('carries the request reason and the User-Agent on both requests', async () => {
    await statuses(
      await prefetchExchange(params('ticket 42'), Promise.resolve(ID_TOKEN), Promise.resolve(true)),
    );
    expect(seen.map((s) => s.headers['x-goog-request-reason'])).toEqual(['ticket 42', 'ticket 42']);
    expect(seen.every((s) => s.headers['user-agent']?.startsWith('cloud-run-job-deploy/'))).toBe(true);
  });

  it('sent() waits for the OIDC answer and the STS request, within its bounds', async () => {
    let give: (t: string) => void = () => undefined;
    const token = new Promise<string>((r) => {
      give = r;
    });
    const started = startExchange(params(), token);
    started.allow(true);
    const t0 = Date.now();
    await started.sent(30);
    // No OIDC answer yet: sent() gives up after its bound and nothing was sent.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(seen).toEqual([]);
    give(ID_TOKEN);
    await started.sent(1_000);
    await statuses(await started.answers);
    expect(seen.map((s) => s.path)).toEqual([
      '/v1/token',
      `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
    ]);
  });
});

describe('the library reads the recorded answers', () => {
  it('reads STS while impersonation is still on its way, and takes its answer when it comes', async () => {
    const exchange = await prefetchExchange(params(), Promise.resolve(ID_TOKEN), Promise.resolve(true));
    // Resolved once STS answered: impersonation's answer is a promise still.
    expect(exchange?.answers.map((a) => a.url)).toEqual([params().tokenUrl, params().impersonationUrl]);
    const client = libraryClient();
    replayAnswers(client, exchange?.answers ?? []);
    expect((await client.getAccessToken()).token).toBe('ya29.impersonated');
    // The exchange's own two requests only: the library asked nothing itself.
    expect(seen.map((s) => s.path)).toEqual([
      '/v1/token',
      `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
    ]);
  });

  it('asks impersonation itself when the exchange got no answer to it', async () => {
    const exchange = await prefetchExchange(
      params(),
      Promise.resolve(ID_TOKEN),
      Promise.resolve(true),
      (url, init) =>
        url.includes('generateAccessToken') ? Promise.resolve(undefined) : prefetchAnswer(url, init),
    );
    seen.length = 0;
    const client = libraryClient();
    replayAnswers(client, exchange?.answers ?? []);
    expect((await client.getAccessToken()).token).toBe('ya29.impersonated');
    expect(seen.map((s) => s.path)).toEqual([`/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`]);
  });

  it('makes neither request again and ends with the same token', async () => {
    const exchange = await prefetchExchange(params(), Promise.resolve(ID_TOKEN), Promise.resolve(true));
    await statuses(exchange);
    seen.length = 0;
    const client = libraryClient();
    replayAnswers(client, exchange?.answers ?? []);
    expect((await client.getAccessToken()).token).toBe('ya29.impersonated');
    expect(seen).toEqual([]);
    // Each answer is used once: a later exchange (a refresh) goes to the network.
    client.setCredentials({ access_token: 'old', expiry_date: 1 });
    await client.getAccessToken();
    expect(seen.map((s) => s.path)).toEqual([
      '/v1/token',
      `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
    ]);
  });

  it("turns a recorded refusal into the library's own error, without asking again", async () => {
    refuse = true;
    const direct = await libraryClient()
      .getAccessToken()
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    seen.length = 0;
    const exchange = await prefetchExchange(params(), Promise.resolve(ID_TOKEN), Promise.resolve(true));
    expect(await statuses(exchange)).toEqual([400]);
    seen.length = 0;
    const client = libraryClient();
    replayAnswers(client, exchange?.answers ?? []);
    const replayed = await client.getAccessToken().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(seen).toEqual([]);
    expect(replayed?.message).toBe(direct?.message);
    expect(replayed?.constructor).toBe(direct?.constructor);
  });
});

describe('the parameters both sides derive', () => {
  const ENV_INPUTS = {
    INPUT_WORKLOAD_IDENTITY_PROVIDER: PROVIDER,
    INPUT_IMPERSONATE_SERVICE_ACCOUNT: SA,
    INPUT_REQUEST_REASON: 'release 1.2',
  };

  it('are the same from the raw inputs and from the validated config', () => {
    const defaults = actionDefaults(readFileSync(new URL('../action.yml', import.meta.url), 'utf8'));
    const all: Record<string, string> = {
      ...defaults,
      project_id: 'app-proj-1',
      job: 'worker',
      region: 'us-central1',
      image: 'us-docker.pkg.dev/app/r/i:1',
    };
    const raw = { ...env(), ...ENV_INPUTS };
    const get = (name: string) =>
      (raw as Record<string, string>)[`INPUT_${name.toUpperCase()}`]?.trim() ?? all[name]?.trim() ?? '';
    const config = parseInputs(get, raw);
    const fromConfig = exchangeParams(
      config.workloadIdentityProvider ?? '',
      config.universe,
      raw,
      config.impersonateServiceAccount,
      config.requestReason,
    );
    expect(exchangeKey(paramsFromEnv(raw) ?? fromConfig)).toBe(exchangeKey(fromConfig));
    expect(paramsFromEnv(raw)).toEqual(fromConfig);
  });

  it.each([
    [
      'an impersonation target that is not an email',
      { INPUT_IMPERSONATE_SERVICE_ACCOUNT: 'a/../../b@c.com' },
    ],
    ['a reason on two lines', { INPUT_REQUEST_REASON: 'one\ntwo' }],
    ['a malformed provider', { INPUT_WORKLOAD_IDENTITY_PROVIDER: 'projects/x/providers/y' }],
  ])('are none for %s (nothing is prefetched)', (_what, over) => {
    expect(paramsFromEnv({ ...env(), ...ENV_INPUTS, ...over })).toBeUndefined();
  });
});
