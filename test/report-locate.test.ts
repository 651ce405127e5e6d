// locate(): the job.yaml line or this step's `with:` input line, and no line when in doubt.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Subject } from '../src/model.ts';
import {
  locate,
  locateInJobYaml,
  locateInWorkflow,
  type StepHints,
  workflowPathFromRef,
} from '../src/report/locate.ts';

const dir = join(import.meta.dirname, 'fixtures/report');
const jobYaml = readFileSync(join(dir, 'job.yaml'), 'utf8');
const workflow = readFileSync(join(dir, 'workflow.yml'), 'utf8');
const WF = '.github/workflows/deploy.yml';
const REPO = 'acme/cloud-run-job-action';

describe('locateInJobYaml', () => {
  it.each<[Subject, number | undefined]>([
    ['service_account', 13],
    ['image', 15],
    ['job', 4],
    ['project_id', 5],
    ['region', 7],
    ['secret:DB_PASSWORD', 22],
    ['secret:tls', 27],
    ['secret:MODE', undefined],
    ['secret:NOPE', undefined],
    ['workload_identity_provider', undefined],
  ])('%s -> line %s', (subject, line) => {
    expect(locateInJobYaml(jobYaml, 'deploy/job.yaml', subject)?.line).toBe(line);
  });

  it('refuses to pick among several containers unless the image matches one', () => {
    const two = jobYaml.replace(
      '              env:',
      '            - image: us-docker.pkg.dev/x/y/sidecar:1\n              name: sidecar\n              env:',
    );
    // the sidecar sits between; re-read lines from the text to stay honest
    const sidecarLine = two.split('\n').findIndex((l) => l.includes('sidecar:1')) + 1;
    expect(locateInJobYaml(two, 'j.yaml', 'image')).toBeUndefined();
    expect(locateInJobYaml(two, 'j.yaml', 'image', 'us-docker.pkg.dev/x/y/sidecar:1')?.line).toBe(
      sidecarLine,
    );
  });

  it('gives nothing for broken YAML', () => {
    expect(locateInJobYaml('a: [', 'j.yaml', 'job')).toBeUndefined();
  });
});

describe('locateInWorkflow', () => {
  const hints = (h: StepHints) => h;
  it.each<[string, Subject, StepHints, number | undefined]>([
    ['step id + job', 'service_account', { action: 'deploy', job: 'deploy', actionRepository: REPO }, 25],
    [
      'step id, job unknown: the run step with the same id makes it ambiguous',
      'service_account',
      { action: 'deploy' },
      undefined,
    ],
    [
      'input not set -> the with: line',
      'region',
      { action: 'deploy', job: 'deploy', actionRepository: REPO },
      19,
    ],
    [
      'secret inside a block scalar',
      'secret:DB_PASSWORD',
      { action: 'deploy', job: 'deploy', actionRepository: REPO },
      28,
    ],
    [
      'unknown secret -> the secrets: key',
      'secret:OTHER',
      { action: 'deploy', job: 'deploy', actionRepository: REPO },
      26,
    ],
    [
      'id that belongs to another action',
      'job',
      { action: 'deploy', job: 'deploy', actionRepository: 'other/action' },
      undefined,
    ],
    ['run step with our id', 'job', { action: 'deploy', job: 'lint', actionRepository: REPO }, undefined],
    [
      'single use in the job, generated id',
      'job',
      { action: '__acme_cloud-run-job-action', job: 'deploy', actionRepository: REPO },
      23,
    ],
    [
      'two uses, first by generated id (no region input: the with: line)',
      'region',
      { action: '__acme_cloud-run-job-action', job: 'replace', actionRepository: REPO },
      33,
    ],
    [
      'two uses, second by ordinal',
      'region',
      { action: '__acme_cloud-run-job-action_2', job: 'replace', actionRepository: REPO },
      38,
    ],
    ['two uses and no ordinal', 'region', { job: 'replace', actionRepository: REPO }, undefined],
    [
      'metadata step: subject in job.yaml falls back to metadata:',
      'image',
      { action: '__acme_cloud-run-job-action', job: 'replace', actionRepository: REPO },
      34,
    ],
    [
      'local action ./ without with: -> the uses: line',
      'job',
      { action: '__self', job: 'local', actionPath: '.' },
      42,
    ],
    [
      'local action, other path',
      'job',
      { action: '__self', job: 'local', actionPath: 'tools/deploy' },
      undefined,
    ],
    ['job not in this file', 'job', { action: 'deploy', job: 'release', actionRepository: REPO }, undefined],
    ['nothing to match on', 'job', {}, undefined],
  ])('%s', (_, subject, h, line) => {
    const viaMetadata = subject === 'image' && h.job === 'replace';
    expect(locateInWorkflow(workflow, WF, subject, hints(h), viaMetadata)?.line).toBe(line);
  });
});

describe('locate', () => {
  const step: StepHints = { action: 'deploy', job: 'deploy', actionRepository: REPO };
  it('prefers the job.yaml line, then the workflow', () => {
    const sources = {
      metadata: { file: 'deploy/job.yaml', text: jobYaml },
      workflow: { file: WF, text: workflow, step },
    };
    expect(locate('service_account', sources)).toEqual({ file: 'deploy/job.yaml', line: 13, column: 11 });
    expect(locate('workload_identity_provider', sources)).toEqual({ file: WF, line: 20, column: 11 });
    expect(locate(undefined, sources)).toBeUndefined();
  });
});

describe('workflowPathFromRef', () => {
  it.each([
    ['acme/app/.github/workflows/deploy.yml@refs/heads/main', 'acme/app', '.github/workflows/deploy.yml'],
    ['acme/app/.github/workflows/deploy.yml@refs/pull/3/merge', 'ACME/App', '.github/workflows/deploy.yml'],
    ['other/shared/.github/workflows/reusable.yml@refs/tags/v1', 'acme/app', undefined],
    ['', 'acme/app', undefined],
  ])('%s', (ref, repo, path) => {
    expect(workflowPathFromRef(ref, repo)).toBe(path);
  });
});
