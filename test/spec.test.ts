import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildJob, factsOfV2, mergeJob, type V2Job } from '../src/job/spec.ts';
import type { Config } from '../src/model.ts';
import { config as baseConfig } from './fixtures/config.ts';

/** The version the build stamps on every write (package.json, never read by the action at run time). */
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const SHA = '0123456789abcdef0123456789abcdef01234567';
const config = (over: Partial<Config> = {}): Config =>
  baseConfig({ job: 'nightly', image: 'us-docker.pkg.dev/app-prod/c/report:2', ...over });

/** A job as the API returns it, with settings the inputs never mention. */
const EXISTING: V2Job = {
  name: 'projects/app-prod/locations/us-central1/jobs/nightly',
  uid: 'u-1',
  generation: '3',
  etag: '"abc"',
  createTime: '2024-01-01T00:00:00Z',
  terminalCondition: { type: 'Ready', state: 'CONDITION_SUCCEEDED' },
  labels: { team: 'data', 'managed-by': 'someone-else' },
  annotations: { 'example.com/owner': 'ops' },
  template: {
    taskCount: 3,
    parallelism: 1,
    template: {
      serviceAccount: 'runner@app-prod.iam.gserviceaccount.com',
      maxRetries: 2,
      timeout: '300s',
      vpcAccess: { connector: 'projects/app-prod/locations/us-central1/connectors/c1' },
      volumes: [{ name: 'certs', secret: { secret: 'tls', items: [{ version: '2', path: 'c.pem' }] } }],
      containers: [
        {
          image: 'us-docker.pkg.dev/app-prod/c/report:1',
          env: [
            { name: 'KEEP', value: 'kept' },
            { name: 'CHANGE', value: 'old' },
            { name: 'DB', valueSource: { secretKeyRef: { secret: 'db', version: '1' } } },
          ],
          resources: { limits: { cpu: '1', memory: '512Mi' } },
          volumeMounts: [{ name: 'certs', mountPath: '/certs' }],
        },
        { name: 'sidecar', image: 'gcr.io/app-prod/proxy:1' },
      ],
    },
  },
};

describe('buildJob', () => {
  it('maps every input and adds default labels', () => {
    const job = buildJob(
      config({
        serviceAccount: 'runner@app-prod.iam.gserviceaccount.com',
        envVars: { A: '1' },
        secrets: {
          S: { secret: 'db', version: 'latest' },
          T: { project: 'other-p', secret: 'k', version: '2' },
        },
        labels: { team: 'data' },
        command: ['python'],
        args: ['-m', 'x'],
        cpu: '2',
        memory: '1Gi',
        tasks: 5,
        parallelism: 2,
        maxRetries: 0,
        taskTimeout: '600s',
      }),
      SHA,
    );
    expect(job).toEqual({
      labels: { 'managed-by': 'github-actions', 'commit-sha': SHA, team: 'data' },
      client: 'cloud-run-job-deploy',
      clientVersion: version,
      template: {
        taskCount: 5,
        parallelism: 2,
        template: {
          serviceAccount: 'runner@app-prod.iam.gserviceaccount.com',
          maxRetries: 0,
          timeout: '600s',
          containers: [
            {
              image: 'us-docker.pkg.dev/app-prod/c/report:2',
              command: ['python'],
              args: ['-m', 'x'],
              resources: { limits: { cpu: '2', memory: '1Gi' } },
              env: [
                { name: 'A', value: '1' },
                { name: 'S', valueSource: { secretKeyRef: { secret: 'db', version: 'latest' } } },
                {
                  name: 'T',
                  valueSource: { secretKeyRef: { secret: 'projects/other-p/secrets/k', version: '2' } },
                },
              ],
            },
          ],
        },
      },
    });
  });

  it.each([
    { name: 'skip_default_labels', over: { skipDefaultLabels: true }, sha: SHA, labels: {} },
    { name: 'no sha', over: {}, sha: undefined, labels: { 'managed-by': 'github-actions' } },
    {
      name: 'user label wins',
      over: { labels: { 'managed-by': 'me' } },
      sha: undefined,
      labels: { 'managed-by': 'me' },
    },
  ])('labels: $name', ({ over, sha, labels }) => {
    expect(buildJob(config(over), sha).labels).toEqual(labels);
  });
});

describe('mergeJob: inputs override, everything else is kept', () => {
  const merged = mergeJob(EXISTING, config({ envVars: { CHANGE: 'new', ADDED: 'a' }, memory: '2Gi' }), SHA);
  const task = merged.template?.template;
  const main = task?.containers?.[0];

  it('replaces named env vars in place, keeps others, appends new ones', () => {
    expect(main?.env).toEqual([
      { name: 'KEEP', value: 'kept' },
      { name: 'CHANGE', value: 'new' },
      { name: 'DB', valueSource: { secretKeyRef: { secret: 'db', version: '1' } } },
      { name: 'ADDED', value: 'a' },
    ]);
  });
  it('applies the image and merges resource limits', () => {
    expect(main?.image).toBe('us-docker.pkg.dev/app-prod/c/report:2');
    expect(main?.resources).toEqual({ limits: { cpu: '1', memory: '2Gi' } });
    expect(main?.volumeMounts).toEqual([{ name: 'certs', mountPath: '/certs' }]);
  });
  it('keeps settings no input names', () => {
    expect(task?.serviceAccount).toBe('runner@app-prod.iam.gserviceaccount.com');
    expect(task?.maxRetries).toBe(2);
    expect(task?.timeout).toBe('300s');
    expect(task?.vpcAccess).toEqual(EXISTING.template?.template?.vpcAccess);
    expect(task?.volumes).toEqual(EXISTING.template?.template?.volumes);
    expect(task?.containers?.[1]).toEqual({ name: 'sidecar', image: 'gcr.io/app-prod/proxy:1' });
    expect(merged.template?.taskCount).toBe(3);
    expect(merged.annotations).toEqual({ 'example.com/owner': 'ops' });
  });
  it('merges labels (ours override same keys) and keeps the etag, drops output-only fields', () => {
    expect(merged.labels).toEqual({
      team: 'data',
      'managed-by': 'github-actions',
      'commit-sha': SHA,
    });
    expect(merged.etag).toBe('"abc"');
    expect(merged.name).toBe(EXISTING.name);
    for (const f of ['uid', 'generation', 'createTime', 'terminalCondition'])
      expect(merged).not.toHaveProperty(f);
  });
  it('does not modify the existing job', () => {
    expect(EXISTING.template?.template?.containers?.[0]?.env?.[1]).toEqual({ name: 'CHANGE', value: 'old' });
    expect(EXISTING.uid).toBe('u-1');
  });
  it('an env var can become a secret', () => {
    const job = mergeJob(EXISTING, config({ secrets: { KEEP: { secret: 's', version: '1' } } }), SHA);
    expect(job.template?.template?.containers?.[0]?.env?.[0]).toEqual({
      name: 'KEEP',
      valueSource: { secretKeyRef: { secret: 's', version: '1' } },
    });
  });
});

describe('factsOfV2', () => {
  it('reads image, service account and every secret (env and volume)', () => {
    expect(factsOfV2(EXISTING)).toEqual({
      image: 'us-docker.pkg.dev/app-prod/c/report:1',
      serviceAccount: 'runner@app-prod.iam.gserviceaccount.com',
      secrets: [
        { name: 'DB', secret: 'db', version: '1' },
        { name: 'certs', secret: 'tls', version: '2' },
      ],
    });
  });
});
