// First-run input behaviour a new user meets: booleans as core.getBooleanInput reads them,
// request_reason as a header value, and every problem reported in one run.
import { describe, expect, it } from 'vitest';
import { overrideRoot } from '../src/auth/endpoints.ts';
import { parseInputs } from '../src/inputs.ts';
import { refusalOf } from './helpers/input-refusals.ts';

const base = { job: 'nightly', image: 'us-docker.pkg.dev/app/c/report:1', project_id: 'app-prod' };
const parse = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  parseInputs(
    (n) => inputs[n] ?? '',
    env,
    () => true,
  );
const problems = (inputs: Record<string, string>, env: Record<string, string> = {}): string[] =>
  refusalOf(() => parse(inputs, env));

describe('boolean inputs accept what core.getBooleanInput accepts', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
  ])('%s', (raw, want) => {
    const c = parse({
      ...base,
      execute: raw,
      dry_run: raw,
      pr_comment: raw,
      wait: raw,
      skip_default_labels: raw,
    });
    expect([c.execute, c.dryRun, c.prComment, c.wait, c.skipDefaultLabels]).toEqual([
      want,
      want,
      want,
      want,
      want,
    ]);
  });
  it.each(['yes', 'tRUE', '1', 'on'])('%s is refused, naming the input', (raw) => {
    expect(problems({ ...base, dry_run: raw })).toEqual([
      `Input "dry_run" must be true or false (True, TRUE, False and FALSE also work), got ${JSON.stringify(raw)}`,
    ]);
  });
});

describe('request_reason', () => {
  it('is kept as given', () => {
    expect(parse({ ...base, request_reason: 'PR #7: nightly report' }).requestReason).toBe(
      'PR #7: nightly report',
    );
    expect(parse(base).requestReason).toBeUndefined();
  });
  it.each(['two\nlines', 'tab\there', 'é', 'x'.repeat(513)])(
    'refuses %j (not a safe header value)',
    (raw) => {
      expect(problems({ ...base, request_reason: raw })[0]).toMatch(
        /^Input "request_reason" must be printable ASCII/,
      );
    },
  );
});

describe('every input problem in the first run', () => {
  it('a missing project_id is reported together with the other problems', () => {
    const got = problems({ job: 'Bad_Name', image: '', region: 'us central', execute: 'yes' });
    expect(got).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Input "project_id" is required/),
        expect.stringMatching(/^Input "job" must be/),
        expect.stringMatching(/^Input "image" is required/),
        expect.stringMatching(/^Input "region" must be/),
        expect.stringMatching(/^Input "execute" must be/),
      ]),
    );
  });
  it('a project exported by google-github-actions/auth satisfies it', () => {
    expect(problems({ ...base, project_id: '' }, { GOOGLE_CLOUD_PROJECT: 'app-prod' })).toEqual([]);
  });
});

describe('GHA_ENDPOINT_OVERRIDE_<api> forms', () => {
  it.each([
    ['https://sts.example', 'https://sts.example/'],
    ['https://sts.example/', 'https://sts.example/'],
    ['https://sts.example/v1', 'https://sts.example/'],
    ['https://sts.example/v1/', 'https://sts.example/'],
    ['https://run.example/v2', 'https://run.example/'],
    ['https://x.example/proxy/v1beta1', 'https://x.example/proxy/'],
    ['http://127.0.0.1:8080/vault', 'http://127.0.0.1:8080/vault/'],
  ])('%s -> %s', (value, root) => expect(overrideRoot(value)).toBe(root));
});
