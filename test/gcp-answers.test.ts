// Every src/gcp/ function that talks to Google, called for real (HTTP, the emulator) while every
// answer is a garbled HTTP 200 or a redirect: each must refuse it with one error naming the API
// and what was wrong, never return it, never quote the body, never follow the redirect. The test
// enumerates src/gcp's exports itself, so a new function that calls an API fails it until it is
// listed here (and so decodes its answer).
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_ANSWER, REDIRECT_REFUSED } from '../src/gcp/answer.ts';
import type { ApiContext } from '../src/gcp/clients.ts';
import { toApiError } from '../src/gcp/errors.ts';
import { FaultInjector, type FaultKind, GARBLE_KINDS, REDIRECT_KINDS } from './emulator/faults.ts';
import { type Emulator, type StartOptions, startEmulator } from './emulator/server.ts';
import { endpointOverrides } from './helpers/runner-env.ts';

const GCP = new URL('../src/gcp/', import.meta.url);
const JOB = 'projects/app/locations/us-central1/jobs/worker';
const POLICY = { etag: 'BwX=', bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'] }] };
const SA = 'runtime@app.iam.gserviceaccount.com';

/** Exports that make no call (decoders, helpers, the call plumbing itself). */
const NO_CALL = new Set([
  'answer.ts:decodeAnswer',
  'answer.ts:fail',
  'answer.ts:integer',
  'answer.ts:isRecord',
  'answer.ts:list',
  'answer.ts:matching',
  'answer.ts:objectAnswer',
  'answer.ts:only',
  'answer.ts:optional',
  'answer.ts:permissionsAnswer',
  'answer.ts:record',
  'answer.ts:required',
  'answer.ts:shapeOf',
  'answer.ts:string',
  'answer.ts:strings',
  'answer.ts:text',
  'answer.ts:BadAnswer',
  'clients.ts:read',
  'clients.ts:write',
  'deny-policies.ts:attachmentPoint',
  'errors.ts:*',
  'iam.ts:decodePolicy',
  'iam.ts:policyDecoder',
  'rest.ts:rest',
  'rest.ts:requestJson',
  'rest.ts:serviceName',
  'retry.ts:*',
  'run.ts:OperationFailed',
  'run.ts:OperationTimeout',
  'run.ts:decodeJob',
  'run.ts:decodeOperation',
  'run.ts:jobDecoder',
  'run.ts:runCall',
  'iam.ts:policyCalls',
  'rest.ts:resourcePath',
  'run-v1.ts:readyCondition',
  'services.ts:*',
  'storage.ts:bucketOf',
  'timeout.ts:*',
  'transport.ts:*',
  // gaxios' fetch (the transport every call above goes through), not a call of its own.
  'http-fetch.ts:*',
  'node-request.ts:*',
  'retry-after.ts:*',
  'answer.ts:Mismatch',
  // Pure readers of error bodies (google.rpc.Status details, permission names): no calls.
  'permission-grammar.ts:*',
  'status.ts:*',
  'orgpolicy.ts:decodeEffectivePolicy',
  'orgpolicy.ts:MalformedOrgPolicy',
  'scheduler.ts:MalformedAnswer',
  'scheduler.ts:decodeSchedulerJob',
]);

type Call = (ctx: ApiContext) => Promise<unknown>;
type Module = Record<string, unknown>;
const client = (m: Module, factory: string, ctx: ApiContext) =>
  (m[factory] as (c: ApiContext) => Record<string, (...a: unknown[]) => Promise<unknown>>)(ctx);

/** Every call, by file:function (file:factory.method for clients), with arguments that reach the API. */
function calls(mods: Record<string, Module>): Record<string, Call> {
  const c = (file: string, factory: string, method: string, ...args: unknown[]): [string, Call] => [
    `${file}:${factory}.${method}`,
    (ctx) => client(mods[file] as Module, factory, ctx)[method]?.(...args) as Promise<unknown>,
  ];
  const f = (file: string, fn: string, ...args: unknown[]): [string, Call] => [
    `${file}:${fn}`,
    (ctx) => ((mods[file] as Module)[fn] as (...a: unknown[]) => Promise<unknown>)(ctx, ...args),
  ];
  const repo = 'projects/app/locations/us-central1/repositories/containers';
  const secret = 'projects/app/secrets/db';
  const subnet = 'projects/host/regions/us-central1/subnetworks/a';
  const key = 'projects/app/locations/us-central1/keyRings/r/cryptoKeys/k';
  const bucket = 'projects/_/buckets/b';
  const job = { name: JOB, etag: '"e1"', template: { template: { containers: [{ image: 'x' }] } } };
  const op = { name: 'projects/app/locations/us-central1/operations/o1', done: false };
  const trigger = {
    name: 'projects/app/locations/us-central1/jobs/worker-github-trigger',
    schedule: '0 3 * * *',
    timeZone: 'Etc/UTC',
  };
  return Object.fromEntries([
    c('iam.ts', 'createIamClient', 'getServiceAccount', SA),
    c('iam.ts', 'createIamClient', 'getIamPolicy', SA),
    c('iam.ts', 'createIamClient', 'setIamPolicy', SA, POLICY),
    c('iam.ts', 'createIamClient', 'testIamPermissions', SA, ['iam.serviceAccounts.actAs']),
    c('iam.ts', 'createIamClient', 'getRole', 'roles/run.admin'),
    c('artifactregistry.ts', 'createArtifactRegistryClient', 'getRepository', repo),
    c('artifactregistry.ts', 'createArtifactRegistryClient', 'getIamPolicy', repo),
    c('artifactregistry.ts', 'createArtifactRegistryClient', 'setIamPolicy', repo, POLICY),
    c('artifactregistry.ts', 'createArtifactRegistryClient', 'testIamPermissions', repo, ['a.b.c']),
    c('secretmanager.ts', 'createSecretManagerClient', 'getIamPolicy', secret),
    c('secretmanager.ts', 'createSecretManagerClient', 'setIamPolicy', secret, POLICY),
    c('secretmanager.ts', 'createSecretManagerClient', 'testIamPermissions', secret, ['a.b.c']),
    c('run-iam.ts', 'createJobPoliciesClient', 'getIamPolicy', JOB),
    c('run-iam.ts', 'createJobPoliciesClient', 'setIamPolicy', JOB, POLICY),
    c('run-iam.ts', 'createJobPoliciesClient', 'testIamPermissions', JOB, ['run.jobs.run']),
    c('resource-policies.ts', 'createResourcePoliciesClient', 'getParent', 'projects/app'),
    c('resource-policies.ts', 'createResourcePoliciesClient', 'getIamPolicy', 'projects/app'),
    c('resource-policies.ts', 'createResourcePoliciesClient', 'setIamPolicy', 'projects/app', POLICY),
    c('resource-policies.ts', 'createResourcePoliciesClient', 'testIamPermissions', 'projects/app', [
      'a.b.c',
    ]),
    c('compute.ts', 'createComputeClient', 'getSubnetworkIamPolicy', subnet),
    c('compute.ts', 'createComputeClient', 'setSubnetworkIamPolicy', subnet, POLICY),
    c('compute.ts', 'createComputeClient', 'testSubnetworkPermissions', subnet, ['a.b.c']),
    c('compute.ts', 'createComputeClient', 'getSubnetwork', subnet),
    c('compute.ts', 'createComputeClient', 'getNetwork', 'projects/host/global/networks/n'),
    c('storage.ts', 'createStorageClient', 'getBucketIamPolicy', bucket),
    c('storage.ts', 'createStorageClient', 'setBucketIamPolicy', bucket, POLICY),
    c('storage.ts', 'createStorageClient', 'testBucketPermissions', bucket, ['a.b.c']),
    c('storage.ts', 'createStorageClient', 'bucketProject', bucket),
    c('kms.ts', 'createKmsClient', 'getKeyIamPolicy', key),
    c('kms.ts', 'createKmsClient', 'setKeyIamPolicy', key, POLICY),
    c('kms.ts', 'createKmsClient', 'testKeyPermissions', key, ['a.b.c']),
    c('lookups.ts', 'createLookupClient', 'sqlInstance', 'projects/app/instances/db'),
    c('lookups.ts', 'createLookupClient', 'connector', 'projects/app/locations/us-central1/connectors/c'),
    c('lookups.ts', 'createLookupClient', 'service', 'projects/app/services/run.googleapis.com'),
    c('deny-policies.ts', 'createDenyPoliciesClient', 'denyPolicies', 'projects/app'),
    c(
      'policy-troubleshooter.ts',
      'createTroubleshooterClient',
      'troubleshoot',
      {
        principal: SA,
        fullResourceName: '//run.googleapis.com/x',
        permission: 'run.jobs.run',
      },
      new Date(),
    ),
    f('logging.ts', 'listLogEntries', 'app', 'severity>=ERROR', 10),
    c('orgpolicy.ts', 'createOrgPolicyClient', 'getEffectivePolicy', 'app', 'gcp.resourceLocations'),
    f('scheduler.ts', 'getSchedulerJob', trigger.name),
    f('scheduler.ts', 'createSchedulerJob', trigger),
    f('scheduler.ts', 'patchSchedulerJob', trigger, ['schedule']),
    f('scheduler.ts', 'setSchedulerJobPaused', trigger.name, true),
    f('scheduler.ts', 'deleteSchedulerJob', trigger.name),
    // A fresh project id per call: the number is cached per run.
    [
      'projects.ts:projectNumber',
      (ctx) => f('projects.ts', 'projectNumber', `p-${Math.random().toString(36).slice(2, 8)}`)[1](ctx),
    ],
    f('run.ts', 'getJob', JOB),
    f('run.ts', 'createJob', 'projects/app/locations/us-central1', 'worker', job),
    f('run.ts', 'updateJob', JOB, job),
    f('run.ts', 'runJob', JOB),
    f('run.ts', 'getExecution', `${JOB}/executions/worker-abc`),
    f('run.ts', 'listTasks', `${JOB}/executions/worker-abc`),
    f('run.ts', 'waitOperation', op, { deadlineMs: 5_000 }),
    f('run-v1.ts', 'getJobV1', 'us-central1', 'app', 'worker'),
    f('run-v1.ts', 'createJobV1', 'us-central1', 'app', {
      metadata: { name: 'worker' },
      spec: { template: {} },
    }),
    f('run-v1.ts', 'replaceJobV1', 'us-central1', 'app', {
      metadata: { name: 'worker' },
      spec: { template: {} },
    }),
  ]) as Record<string, Call>;
}

let mods: Record<string, Module>;
let table: Record<string, Call>;
let trap: Server;
let trapHits: string[] = [];
let trapPort = 0;

beforeAll(async () => {
  mods = {};
  for (const file of readdirSync(GCP).filter((f) => f.endsWith('.ts')))
    mods[file] = await import(new URL(file, GCP).href);
  table = calls(mods);
  trap = createServer((req, res) => {
    trapHits.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => trap.listen(0, '0.0.0.0', () => r()));
  trapPort = (trap.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => trap.close(() => r())));

describe('every src/gcp/ call decodes its answer', () => {
  it('lists every exported function that calls an API (a new one must be added with a decoder)', () => {
    const found: string[] = [];
    for (const [file, m] of Object.entries(mods)) {
      if (NO_CALL.has(`${file}:*`)) continue;
      for (const [name, v] of Object.entries(m)) {
        if (typeof v !== 'function' || NO_CALL.has(`${file}:${name}`)) continue;
        if (/^create\w+Client$/.test(name)) {
          const methods = Object.keys(
            (v as (c: unknown) => object)({ auth: new OAuth2Client(), universe: 'googleapis.com', env: {} }),
          );
          for (const method of methods) found.push(`${file}:${name}.${method}`);
        } else found.push(`${file}:${name}`);
      }
    }
    expect(found.sort()).toEqual(Object.keys(table).sort());
  });

  async function withFault(kind: FaultKind, run: (ctx: ApiContext, emu: Emulator) => Promise<void>) {
    const options: StartOptions = { scenario: {} };
    options.faults = new FaultInjector([{ kind, path: /./, times: Number.MAX_SAFE_INTEGER }], { trapPort });
    const emu = await startEmulator(options);
    try {
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: 'ya29.test-token', expiry_date: Date.now() + 3_600_000 });
      const ctx: ApiContext = {
        auth,
        universe: 'googleapis.com',
        env: endpointOverrides(`${emu.url}/`),
        retry: { sleep: async () => undefined },
      };
      await run(ctx, emu);
    } finally {
      await emu.stop();
    }
  }

  it.each([...GARBLE_KINDS])(
    'refuses a %s answer on every call, naming the API and never quoting the body',
    async (kind) => {
      await withFault(kind, async (ctx) => {
        for (const [name, call] of Object.entries(table)) {
          const e = await call(ctx).then(
            (v) => new Error(`${name} returned ${JSON.stringify(v)?.slice(0, 200)}`),
            (err: unknown) => err,
          );
          const api = toApiError(e);
          // `{}` is a valid answer where every field is a list Google leaves out when empty.
          if (kind === 'garbled-empty' && /Permissions$|denyPolicies|listLogEntries|listTasks/.test(name)) {
            expect(await call(ctx), name).toEqual([]);
            continue;
          }
          // google.protobuf.Empty is `{}` (cloudscheduler_v1_messages.py: jobs.delete answers Empty).
          if (kind === 'garbled-empty' && name === 'scheduler.ts:deleteSchedulerJob') {
            expect(await call(ctx), name).toBeUndefined();
            continue;
          }
          expect(api.reason, `${name}: ${String(e)}`).toBe(BAD_ANSWER);
          const message = (e as Error).message;
          expect(message, name).toMatch(
            /\.googleapis\.com answered HTTP 200 with a body that is not an? \w+: /,
          );
          expect(message, name).not.toMatch(/<!DOCTYPE|<html|xxxxxxxx|served by proxy/);
          expect(message.length, name).toBeLessThan(600);
        }
      });
    },
    120_000,
  );

  it.each([...REDIRECT_KINDS])(
    'never follows a %s: an error names the endpoint, nothing reaches the other origin',
    async (kind) => {
      trapHits = [];
      await withFault(kind, async (ctx) => {
        for (const [name, call] of Object.entries(table)) {
          const e = await call(ctx).then(
            () => new Error(`${name} followed the redirect`),
            (err: unknown) => err,
          );
          expect(toApiError(e).reason, `${name}: ${String(e)}`).toBe(REDIRECT_REFUSED);
          expect((e as Error).message, name).toMatch(
            /answered HTTP 307 with a redirect to http:\/\/127\.0\.0\.[12]:\d+;/,
          );
        }
      });
      expect(trapHits).toEqual([]);
    },
    120_000,
  );
});
