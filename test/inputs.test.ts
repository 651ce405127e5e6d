import { describe, expect, it } from 'vitest';
import { parseInputs, splitList, toSeconds } from '../src/inputs.ts';
import type { Config } from '../src/model.ts';
import { problemsOf } from './helpers/input-refusals.ts';

const WORKSPACE = '/ws';
const env = { GITHUB_WORKSPACE: WORKSPACE };
const files = new Set(['/ws/deploy/job.yaml']);
const exists = (p: string) => files.has(p);

/** Minimal valid inputs for an input-driven deploy. */
const base = {
  job: 'nightly-report',
  image: 'us-docker.pkg.dev/app-prod/containers/report:1.2',
  project_id: 'app-prod',
};

function parse(inputs: Record<string, string>): Config {
  return parseInputs((name) => inputs[name] ?? '', env, exists);
}
const problems = (inputs: Record<string, string>): string[] => problemsOf(() => parse(inputs));

describe('parseInputs: valid forms', () => {
  const cases: Array<{ name: string; inputs: Record<string, string>; expect: Partial<Config> }> = [
    {
      name: 'defaults',
      inputs: base,
      expect: {
        region: 'us-central1',
        iam: 'check',
        failOn: 'missing',
        execute: false,
        wait: true,
        dryRun: false,
        allowPrivilegedRuntimeAccount: false,
        prComment: true,
        skipDefaultLabels: false,
        universe: 'googleapis.com',
        envVars: {},
        secrets: {},
        labels: {},
      },
    },
    {
      name: 'env vars one per line keep commas in values',
      inputs: { ...base, env_vars: 'A=1\nLIST=a,b,c\n\nEMPTY=' },
      expect: { envVars: { A: '1', LIST: 'a,b,c', EMPTY: '' } },
    },
    {
      name: 'env vars comma separated with escaped comma',
      inputs: { ...base, env_vars: 'A=1, B=x\\,y' },
      expect: { envVars: { A: '1', B: 'x,y' } },
    },
    {
      name: 'secrets short and full forms',
      inputs: { ...base, secrets: 'DB=db-pass:latest\nAPI=projects/shared-sec/secrets/api-key:3' },
      expect: {
        secrets: {
          DB: { secret: 'db-pass', version: 'latest' },
          API: { project: 'shared-sec', secret: 'api-key', version: '3' },
        },
      },
    },
    {
      name: 'labels',
      inputs: { ...base, labels: 'team=data,tier=batch' },
      expect: { labels: { team: 'data', tier: 'batch' } },
    },
    {
      name: 'command as JSON and args as list',
      inputs: { ...base, command: '["python","-m","report"]', args: '--day,today' },
      expect: { command: ['python', '-m', 'report'], args: ['--day', 'today'] },
    },
    {
      name: 'resources and counts',
      inputs: {
        ...base,
        cpu: '2',
        memory: '512Mi',
        tasks: '4',
        parallelism: '2',
        max_retries: '0',
        task_timeout: '1h30m',
      },
      expect: { cpu: '2', memory: '512Mi', tasks: 4, parallelism: 2, maxRetries: 0, taskTimeout: '5400s' },
    },
    {
      name: 'workload identity with impersonation',
      inputs: {
        ...base,
        workload_identity_provider:
          'projects/123456/locations/global/workloadIdentityPools/gh/providers/repo',
        impersonate_service_account: 'deployer@app-prod.iam.gserviceaccount.com',
      },
      expect: {
        workloadIdentityProvider: 'projects/123456/locations/global/workloadIdentityPools/gh/providers/repo',
        impersonateServiceAccount: 'deployer@app-prod.iam.gserviceaccount.com',
      },
    },
    {
      name: 'provider given with its //iam prefix',
      inputs: {
        ...base,
        workload_identity_provider:
          '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q',
      },
      expect: { workloadIdentityProvider: 'projects/1/locations/global/workloadIdentityPools/p/providers/q' },
    },
    {
      name: 'metadata alone',
      inputs: {
        metadata: 'deploy/job.yaml',
        iam: 'fix',
        fail_on: 'never',
        dry_run: 'true',
        labels: 'team=data',
      },
      expect: {
        metadata: 'deploy/job.yaml',
        iam: 'fix',
        failOn: 'never',
        dryRun: true,
        labels: { team: 'data' },
      },
    },
  ];
  it.each(cases)('$name', ({ inputs, expect: want }) => {
    expect(parse(inputs)).toMatchObject(want);
  });
});

describe('parseInputs: each bad value names the input and the expected form', () => {
  const cases: Array<{ name: string; inputs: Record<string, string>; message: string }> = [
    {
      name: 'memory',
      inputs: { ...base, memory: 'lots' },
      message: 'Input "memory" must be a quantity like 512Mi or 2Gi, got "lots"',
    },
    {
      name: 'job upper case',
      inputs: { ...base, job: 'Nightly' },
      message: 'Input "job" must be a job name',
    },
    {
      name: 'job trailing hyphen',
      inputs: { ...base, job: 'nightly-' },
      message: 'Input "job" must be a job name',
    },
    {
      name: 'job too long',
      inputs: { ...base, job: `a${'b'.repeat(63)}` },
      message: 'Input "job" must be a job name',
    },
    {
      name: 'region',
      inputs: { ...base, region: 'US Central' },
      message: 'Input "region" must be a Cloud Run region',
    },
    {
      name: 'service account',
      inputs: { ...base, service_account: 'runner' },
      message: 'Input "service_account" must be a service account email',
    },
    {
      name: 'image',
      inputs: { ...base, image: 'Not An Image' },
      message: 'Input "image" must be an image URL',
    },
    {
      name: 'secret without version',
      inputs: { ...base, secrets: 'DB=db-pass' },
      message: 'Input "secrets" must be NAME=SECRET:VERSION',
    },
    {
      name: 'secret bad version',
      inputs: { ...base, secrets: 'DB=db-pass:newest' },
      message: 'Input "secrets" must be',
    },
    {
      name: 'env var without =',
      inputs: { ...base, env_vars: 'JUSTNAME' },
      message: 'Input "env_vars" must be KEY=VALUE',
    },
    {
      name: 'label upper case',
      inputs: { ...base, labels: 'Team=data' },
      message: 'Input "labels" must be key=value',
    },
    {
      name: 'label value too long',
      inputs: { ...base, labels: `t=${'x'.repeat(64)}` },
      message: 'Input "labels" must be key=value',
    },
    {
      name: 'command bad JSON',
      inputs: { ...base, command: '["python",' },
      message: 'Input "command" must be a JSON array',
    },
    { name: 'cpu', inputs: { ...base, cpu: 'two' }, message: 'Input "cpu" must be a CPU quantity' },
    {
      name: 'tasks negative',
      inputs: { ...base, tasks: '-1' },
      message: 'Input "tasks" must be a non-negative whole number',
    },
    {
      name: 'max_retries decimal',
      inputs: { ...base, max_retries: '1.5' },
      message: 'Input "max_retries" must be a non-negative',
    },
    {
      name: 'task_timeout unit',
      inputs: { ...base, task_timeout: '10d' },
      message: 'Input "task_timeout" must be a duration',
    },
    {
      name: 'task_timeout too long',
      inputs: { ...base, task_timeout: '169h' },
      message: 'Input "task_timeout" must be a duration',
    },
    {
      name: 'boolean',
      inputs: { ...base, execute: 'yes' },
      message: 'Input "execute" must be true or false (True, TRUE, False and FALSE also work), got "yes"',
    },
    {
      name: 'iam enum',
      inputs: { ...base, iam: 'auto' },
      message: 'Input "iam" must be one of off, check, fix, got "auto"',
    },
    {
      name: 'fail_on enum',
      inputs: { ...base, fail_on: 'all' },
      message: 'Input "fail_on" must be one of missing, unverified, never',
    },
    {
      name: 'provider',
      inputs: { ...base, workload_identity_provider: 'my-pool' },
      message: 'Input "workload_identity_provider" must be a provider name',
    },
    { name: 'image missing', inputs: { job: 'j1' }, message: 'Input "image" is required' },
    { name: 'job missing', inputs: { image: 'gcr.io/app-prod/x' }, message: 'Input "job" is required' },
    {
      name: 'metadata missing file',
      inputs: { metadata: 'nope.yaml' },
      message: 'Input "metadata" must be the path of a job.yaml',
    },
    {
      name: 'metadata with image',
      inputs: { metadata: 'deploy/job.yaml', image: 'gcr.io/p/x' },
      message: 'Inputs "metadata" and "image" conflict',
    },
    {
      name: 'metadata with env_vars',
      inputs: { metadata: 'deploy/job.yaml', env_vars: 'A=1' },
      message: 'Inputs "metadata" and "env_vars" conflict',
    },
    {
      name: 'parallelism above tasks',
      inputs: { ...base, tasks: '2', parallelism: '3' },
      message: 'Input "parallelism" (3) must not exceed "tasks" (2)',
    },
    {
      name: 'same name in env and secrets',
      inputs: { ...base, env_vars: 'DB=x', secrets: 'DB=s:1' },
      message: 'Inputs "env_vars" and "secrets" both set "DB"',
    },
  ];
  it.each(cases)('$name', ({ inputs, message }) => {
    expect(problems(inputs).join('\n')).toContain(message);
  });

  it('reports every problem at once', () => {
    expect(problems({ ...base, memory: 'lots', cpu: 'two', iam: 'auto' })).toHaveLength(3);
  });
});

describe('helpers', () => {
  it.each([
    ['600', '600s'],
    ['90s', '90s'],
    ['10m', '600s'],
    ['1h30m', '5400s'],
    ['2h', '7200s'],
  ])('toSeconds(%s) = %s', (raw, want) => expect(toSeconds(raw)).toBe(want));
  it.each(['', '10d', 'm', '1.5h'])('toSeconds(%j) is undefined', (raw) =>
    expect(toSeconds(raw)).toBeUndefined(),
  );
  it.each([
    ['a,b', ['a', 'b']],
    ['a\nb,c', ['a', 'b,c']],
    ['  ', []],
  ])('splitList(%j)', (raw, want) => expect(splitList(raw)).toEqual(want));
});
