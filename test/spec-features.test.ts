// Job-feature inputs -> the v2 Job (pure): what a create sends, and what an update keeps,
// replaces and removes under each update strategy.
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/inputs.ts';
import { checkJobPatch, mergePatch } from '../src/job/patch.ts';
import { buildJob, mergeJob, type V2Job } from '../src/job/spec.ts';
import type { Config } from '../src/model.ts';
import { provisionalPlan } from '../src/plan.ts';
import { config as baseConfig } from './fixtures/config.ts';

const config = (over: Partial<Config> = {}): Config =>
  baseConfig({
    job: 'migrate',
    image: 'us-docker.pkg.dev/app/c/migrate:2',
    skipDefaultLabels: true,
    ...over,
  });
const task = (job: V2Job) => job.template?.template ?? {};
const main = (job: V2Job) => task(job).containers?.[0] ?? {};

/** A job that already uses most features, plus a sidecar that mounts one of its secret volumes. */
const EXISTING: V2Job = {
  name: 'projects/app/locations/us-central1/jobs/migrate',
  etag: '"e1"',
  binaryAuthorization: { useDefault: true, breakglassJustification: 'last incident' },
  template: {
    template: {
      encryptionKey: 'projects/k/locations/us-central1/keyRings/r/cryptoKeys/old',
      vpcAccess: { networkInterfaces: [{ network: 'default', tags: ['old-tag'] }], egress: 'ALL_TRAFFIC' },
      volumes: [
        { name: 'cloudsql', cloudSqlInstance: { instances: ['app:us-central1:old'] } },
        { name: 'certs', secret: { secret: 'tls', items: [{ path: 'ca.pem', version: '1' }] } },
        { name: 'cfg', secret: { secret: 'config', items: [{ path: 'app.yaml', version: '4' }] } },
        { name: 'shared', secret: { secret: 'token', items: [{ path: 't', version: '1' }] } },
        { name: 'cache', emptyDir: { medium: 'MEMORY' } },
      ],
      containers: [
        {
          image: 'us-docker.pkg.dev/app/c/migrate:1',
          env: [
            { name: 'PLAIN_KEEP', value: '1' },
            { name: 'PLAIN_CHANGE', value: 'old' },
            { name: 'SECRET_KEEP', valueSource: { secretKeyRef: { secret: 's-keep', version: '1' } } },
            { name: 'SECRET_CHANGE', valueSource: { secretKeyRef: { secret: 's-old', version: '1' } } },
          ],
          volumeMounts: [
            { name: 'cloudsql', mountPath: '/cloudsql' },
            { name: 'certs', mountPath: '/certs' },
            { name: 'cfg', mountPath: '/etc/app' },
            { name: 'shared', mountPath: '/token' },
            { name: 'cache', mountPath: '/cache' },
          ],
        },
        { name: 'sidecar', image: 'gcr.io/app/proxy:1', volumeMounts: [{ name: 'shared', mountPath: '/t' }] },
      ],
    },
  },
};

/** Every job-feature input at once. */
const ALL: Partial<Config> = {
  cloudSqlInstances: ['main', 'other-proj:europe-west1:reports'],
  network: 'projects/host-proj/global/networks/shared',
  subnet: 'projects/host-proj/regions/us-central1/subnetworks/jobs',
  networkTags: ['db'],
  vpcEgress: 'PRIVATE_RANGES_ONLY',
  volumes: [
    { name: 'data', gcs: { bucket: 'app-data', readOnly: true, mountOptions: ['implicit-dirs'] } },
    { name: 'share', nfs: { server: '10.0.0.2', path: '/exports', readOnly: false } },
    { name: 'tmp', emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' } },
  ],
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
  envVars: { A: '1' },
  secrets: { S: { secret: 's', version: '1' } },
  secretFiles: { '/secrets/db/password': { secret: 'db-pass', version: '3' } },
  kmsKey: 'projects/keys-proj/locations/us-central1/keyRings/run/cryptoKeys/jobs',
  binaryAuthorization: { policy: 'strict' },
  breakglass: 'hotfix',
  gpu: 1,
  gpuType: 'nvidia-l4',
  gpuZonalRedundancy: false,
  executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
  tasks: 2,
  maxRetries: 1,
  taskTimeout: '60s',
};

describe('buildJob: every feature in the v2 shape', () => {
  it("writes only fields of Google's v2 Job message, with their types (the generated schema)", () => {
    const job = buildJob(config(ALL), '0123456789abcdef0123456789abcdef01234567', 'app');
    expect(checkJobPatch(job).problems).toEqual([]);
    // The check does catch a misspelt field where the builder writes them.
    const wrong = structuredClone(job) as Record<string, unknown> & V2Job;
    (wrong.template?.template as Record<string, unknown>).vpcAcess = {};
    expect(checkJobPatch(wrong).problems).toEqual([
      expect.stringMatching(/^template\.template\.vpcAcess is not a field/),
    ]);
  });

  it('maps Cloud SQL, Direct VPC, volumes, secret files, CMEK, Binary Authorization, GPU, environment', () => {
    const job = buildJob(
      config({
        cloudSqlInstances: ['main', 'other-proj:europe-west1:reports'],
        network: 'projects/host-proj/global/networks/shared',
        subnet: 'projects/host-proj/regions/us-central1/subnetworks/jobs',
        networkTags: ['db'],
        vpcEgress: 'PRIVATE_RANGES_ONLY',
        volumes: [{ name: 'data', gcs: { bucket: 'app-data', readOnly: true } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        secretFiles: {
          '/secrets/db/password': { secret: 'db-pass', version: '3' },
          '/secrets/db/user': { secret: 'db-pass', version: '2' },
        },
        kmsKey: 'projects/keys-proj/locations/us-central1/keyRings/run/cryptoKeys/jobs',
        binaryAuthorization: { policy: 'strict' },
        breakglass: 'hotfix',
        gpu: 1,
        gpuType: 'nvidia-l4',
        gpuZonalRedundancy: false,
        executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      }),
      undefined,
      'app',
    );
    expect(job.binaryAuthorization).toEqual({
      policy: 'projects/app/platforms/cloudRun/policies/strict',
      breakglassJustification: 'hotfix',
    });
    const secretVolume = task(job).volumes?.find((v) => v.secret)?.name;
    expect(secretVolume).toMatch(/^db-pass-[0-9a-f]{8}$/);
    expect(task(job)).toEqual({
      containers: [
        {
          image: 'us-docker.pkg.dev/app/c/migrate:2',
          resources: { limits: { 'nvidia.com/gpu': '1' } },
          volumeMounts: [
            { name: 'cloudsql', mountPath: '/cloudsql' },
            { name: secretVolume, mountPath: '/secrets/db' },
            { name: 'data', mountPath: '/data' },
          ],
        },
      ],
      volumes: [
        {
          name: 'cloudsql',
          cloudSqlInstance: { instances: ['app:us-central1:main', 'other-proj:europe-west1:reports'] },
        },
        { name: 'data', gcs: { bucket: 'app-data', readOnly: true } },
        {
          name: secretVolume,
          secret: {
            secret: 'db-pass',
            items: [
              { path: 'password', version: '3' },
              { path: 'user', version: '2' },
            ],
          },
        },
      ],
      vpcAccess: {
        networkInterfaces: [
          {
            network: 'projects/host-proj/global/networks/shared',
            subnetwork: 'projects/host-proj/regions/us-central1/subnetworks/jobs',
            tags: ['db'],
          },
        ],
        egress: 'PRIVATE_RANGES_ONLY',
      },
      encryptionKey: 'projects/keys-proj/locations/us-central1/keyRings/run/cryptoKeys/jobs',
      executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      nodeSelector: { accelerator: 'nvidia-l4' },
      gpuZonalRedundancyDisabled: true,
    });
  });

  it('names a secret volume the same on every deploy (idempotent updates)', () => {
    const c = config({ secretFiles: { '/s/key': { secret: 'k', version: '1' } } });
    expect(mergeJob(buildJob(c, undefined), c, undefined)).toEqual(buildJob(c, undefined));
  });

  it('completes a short connector name with the job project and region', () => {
    const job = buildJob(config({ vpcConnector: 'conn' }), undefined, 'app');
    expect(task(job).vpcAccess).toEqual({ connector: 'projects/app/locations/us-central1/connectors/conn' });
  });
});

describe('update strategies', () => {
  const inputs = {
    envVars: { PLAIN_CHANGE: 'new', PLAIN_ADD: 'a' },
    secrets: { SECRET_CHANGE: { secret: 's-new', version: '2' } },
    secretFiles: { '/etc/app/app.yaml': { secret: 'config', version: '5' } },
  };

  it('merge (default) replaces what the inputs name and keeps every other env var and secret', () => {
    const job = mergeJob(EXISTING, config(inputs), undefined);
    expect(main(job).env).toEqual([
      { name: 'PLAIN_KEEP', value: '1' },
      { name: 'PLAIN_CHANGE', value: 'new' },
      { name: 'SECRET_KEEP', valueSource: { secretKeyRef: { secret: 's-keep', version: '1' } } },
      { name: 'SECRET_CHANGE', valueSource: { secretKeyRef: { secret: 's-new', version: '2' } } },
      { name: 'PLAIN_ADD', value: 'a' },
    ]);
    expect(task(job).volumes?.map((v) => v.name)).toEqual(['cloudsql', 'certs', 'cfg', 'shared', 'cache']);
    expect(task(job).volumes?.[2]).toEqual({
      name: 'cfg',
      secret: { secret: 'config', items: [{ path: 'app.yaml', version: '5' }] },
    });
    expect(main(job).volumeMounts).toEqual(EXISTING.template?.template?.containers?.[0]?.volumeMounts);
  });

  it('overwrite ends with exactly the env vars and secrets the inputs name; other volumes stay', () => {
    const job = mergeJob(
      EXISTING,
      config({ ...inputs, envVarsUpdateStrategy: 'overwrite', secretsUpdateStrategy: 'overwrite' }),
      undefined,
    );
    expect(main(job).env).toEqual([
      { name: 'PLAIN_CHANGE', value: 'new' },
      { name: 'SECRET_CHANGE', valueSource: { secretKeyRef: { secret: 's-new', version: '2' } } },
      { name: 'PLAIN_ADD', value: 'a' },
    ]);
    // certs is dropped; shared stays because the sidecar still mounts it (only its mount in the
    // managed container goes); Cloud SQL and the in-memory volume are not secrets.
    expect(task(job).volumes?.map((v) => v.name)).toEqual(['cloudsql', 'cfg', 'shared', 'cache']);
    expect(main(job).volumeMounts).toEqual([
      { name: 'cloudsql', mountPath: '/cloudsql' },
      { name: 'cfg', mountPath: '/etc/app' },
      { name: 'cache', mountPath: '/cache' },
    ]);
    expect(task(job).containers?.[1]).toEqual(EXISTING.template?.template?.containers?.[1]);
  });

  it('each strategy governs its own kind: env overwrite keeps secret-backed vars', () => {
    const job = mergeJob(
      EXISTING,
      config({ envVars: { ONLY: '1' }, envVarsUpdateStrategy: 'overwrite' }),
      undefined,
    );
    expect(main(job).env?.map((e) => e.name)).toEqual(['SECRET_KEEP', 'SECRET_CHANGE', 'ONLY']);
    expect(task(job).volumes).toEqual(EXISTING.template?.template?.volumes);
  });

  it('an empty input removes its kind only under overwrite', () => {
    expect(main(mergeJob(EXISTING, config(), undefined)).env).toEqual(main(EXISTING).env);
    const cleared = mergeJob(
      EXISTING,
      config({ envVarsUpdateStrategy: 'overwrite', secretsUpdateStrategy: 'overwrite' }),
      undefined,
    );
    expect(main(cleared).env).toEqual([]);
    expect(
      task(cleared)
        .volumes?.filter((v) => v.secret)
        .map((v) => v.name),
    ).toEqual(['shared']);
  });

  it('under overwrite, a directory keeps only the files the input names', () => {
    const existing = mergeJob(
      {},
      config({
        secretFiles: { '/s/a': { secret: 'k', version: '1' }, '/s/b': { secret: 'k', version: '1' } },
      }),
      undefined,
    );
    const next = config({ secretFiles: { '/s/b': { secret: 'k', version: '2' } } });
    expect(task(mergeJob(existing, next, undefined)).volumes?.[0]?.secret?.items).toEqual([
      { path: 'a', version: '1' },
      { path: 'b', version: '2' },
    ]);
    expect(
      task(mergeJob(existing, { ...next, secretsUpdateStrategy: 'overwrite' }, undefined)).volumes?.[0]
        ?.secret?.items,
    ).toEqual([{ path: 'b', version: '2' }]);
  });
});

describe('mergeJob: feature inputs on an existing job', () => {
  it('keeps every feature setting no input names, and clears a previous breakglass', () => {
    const job = mergeJob(EXISTING, config({ image: 'us-docker.pkg.dev/app/c/migrate:1' }), undefined);
    expect(task(job)).toEqual(EXISTING.template?.template);
    expect(job.binaryAuthorization).toEqual({ useDefault: true });
  });

  it('sets the Cloud SQL instances on the existing Cloud SQL volume', () => {
    const job = mergeJob(EXISTING, config({ cloudSqlInstances: ['new'] }), undefined, 'app');
    expect(task(job).volumes?.[0]).toEqual({
      name: 'cloudsql',
      cloudSqlInstance: { instances: ['app:us-central1:new'] },
    });
    expect(main(job).volumeMounts?.filter((m) => m.name === 'cloudsql')).toHaveLength(1);
  });

  it('switches Direct VPC to a connector and back, keeping egress and tags', () => {
    const connector = mergeJob(
      EXISTING,
      config({ vpcConnector: 'projects/app/locations/us-central1/connectors/c' }),
      undefined,
    );
    expect(task(connector).vpcAccess).toEqual({
      connector: 'projects/app/locations/us-central1/connectors/c',
      egress: 'ALL_TRAFFIC',
    });
    const direct = mergeJob(EXISTING, config({ subnet: 'jobs' }), undefined);
    expect(task(direct).vpcAccess).toEqual({
      networkInterfaces: [{ subnetwork: 'jobs', tags: ['old-tag'] }],
      egress: 'ALL_TRAFFIC',
    });
    const tags = mergeJob(
      EXISTING,
      config({ networkTags: ['new-tag'], vpcEgress: 'PRIVATE_RANGES_ONLY' }),
      undefined,
    );
    expect(task(tags).vpcAccess).toEqual({
      networkInterfaces: [{ network: 'default', tags: ['new-tag'] }],
      egress: 'PRIVATE_RANGES_ONLY',
    });
  });

  it('replaces a volume of the same name and a mount at the same path', () => {
    const job = mergeJob(
      EXISTING,
      config({
        volumes: [{ name: 'cache', emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' } }],
        volumeMounts: [{ name: 'cache', mountPath: '/certs' }],
      }),
      undefined,
    );
    expect(task(job).volumes?.[4]).toEqual({
      name: 'cache',
      emptyDir: { medium: 'MEMORY', sizeLimit: '1Gi' },
    });
    expect(main(job).volumeMounts?.find((m) => m.mountPath === '/certs')).toEqual({
      name: 'cache',
      mountPath: '/certs',
    });
  });

  it('mounts a new secret volume when the directory is shared with another container', () => {
    const job = mergeJob(
      EXISTING,
      config({ secretFiles: { '/token/t': { secret: 'token', version: '2' } } }),
      undefined,
    );
    const mount = main(job).volumeMounts?.find((m) => m.mountPath === '/token');
    expect(mount?.name).not.toBe('shared');
    expect(task(job).volumes?.find((v) => v.name === 'shared')).toEqual(
      EXISTING.template?.template?.volumes?.[3],
    );
  });

  it.each([
    [{ volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, /^Input "volume_mounts" mounts volume nope/],
    [
      { secretFiles: { '/cache/k': { secret: 'k', version: '1' } } },
      /^Input "secrets" mounts a secret at \/cache/,
    ],
    [{ gpuType: 'nvidia-l4' }, /need "gpu"/],
    [{ gpu: 1 }, /^Input "gpu" needs "gpu_type"/],
  ] as Array<[Partial<Config>, RegExp]>)('refuses inputs that contradict the job: %#', (over, error) => {
    let thrown: unknown;
    try {
      mergeJob(EXISTING, config(over), undefined);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect(
      (thrown as InputError).problems.some((p) => error.test(p)),
      String(thrown),
    ).toBe(true);
  });

  it.each([
    [{ networkTags: ['t'] }, /^Input "network_tags" needs Direct VPC egress/],
    [{ vpcEgress: 'ALL_TRAFFIC' }, /^Input "vpc_egress" needs a network/],
  ] as Array<[Partial<Config>, RegExp]>)(
    'refuses network settings a job without a network cannot take: %#',
    (over, error) => {
      expect(() => buildJob(config(over), undefined)).toThrow(error);
    },
  );
});

describe('job_patch: a JSON Merge Patch applied last', () => {
  it('merges objects, replaces lists, removes with null', () => {
    const job = mergeJob(
      EXISTING,
      config({
        jobPatch: {
          annotations: { 'run.googleapis.com/launch-stage': 'BETA' },
          template: {
            taskCount: 4,
            template: { vpcAccess: null, volumes: [{ name: 'only', emptyDir: {} }] },
          },
        },
      }),
      undefined,
    );
    expect(job.annotations).toEqual({ 'run.googleapis.com/launch-stage': 'BETA' });
    expect(job.template?.taskCount).toBe(4);
    expect(task(job).vpcAccess).toBeUndefined();
    expect(task(job).volumes).toEqual([{ name: 'only', emptyDir: {} }]);
    expect(task(job).encryptionKey).toBe(EXISTING.template?.template?.encryptionKey);
    expect(main(job).image).toBe('us-docker.pkg.dev/app/c/migrate:2');
  });
  it('does not modify its inputs', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { c: [1] } };
    expect(mergePatch(target, patch)).toEqual({ a: { b: 1, c: [1] } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('provisionalPlan: before the job is read', () => {
  it('does not refuse inputs that need the existing job; the real plan decides', () => {
    const local = { project: 'app', job: 'migrate' };
    for (const over of [
      { vpcEgress: 'ALL_TRAFFIC' },
      { networkTags: ['t'] },
      { gpuType: 'nvidia-l4' },
    ] as Partial<Config>[]) {
      const plan = provisionalPlan(
        config({ ...over, secrets: { S: { secret: 's', version: '1' } } }),
        local,
        undefined,
      );
      expect(plan.secrets).toEqual([{ name: 'S', project: 'app', secret: 's', version: '1' }]);
    }
  });
});
