// The final job merged onto the existing one (src/job/validate.ts): what the job already held
// unchanged is not refused, a combination the inputs break is (blamed on the input that
// changed), a literal/secret swap is refused unless allow_env_type_change names the var, and
// job_patch is named whenever it set the refused value.
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../src/inputs.ts';
import { mergeJob, type V2Job } from '../src/job/spec.ts';
import { validateV2Job } from '../src/job/validate.ts';
import { refusalOf } from './helpers/input-refusals.ts';

const IMAGE = 'us-central1-docker.pkg.dev/p/r/i:v1';

function existing(container: Record<string, unknown> = {}, labels: Record<string, string> = {}): V2Job {
  return {
    labels,
    template: { template: { containers: [{ image: IMAGE, ...container }] } },
  } as V2Job;
}

/** The problems the inputs get on top of `job`, as the plan judges them after the read. */
function judge(job: V2Job, inputs: Record<string, string>): string[] {
  const all: Record<string, string> = { project_id: 'app-proj', job: 'worker', image: IMAGE, ...inputs };
  const config = parseInputs(
    (n) => all[n] ?? '',
    {},
    () => true,
  );
  return refusalOf(() => validateV2Job(mergeJob(job, config, undefined, 'app-proj'), config, job, 'worker'));
}

describe('the final job, merged onto the existing one', () => {
  it('does not refuse what the job already holds unchanged', () => {
    // A label the API would now refuse, kept as the job holds it while the image changes.
    expect(judge(existing({}, { Legacy: 'X' }), { image: `${IMAGE}-2` })).toEqual([]);
  });

  it('refuses a combination the inputs break, naming the input that changed', () => {
    const job = existing({ resources: { limits: { cpu: '4', memory: '2Gi' } } });
    expect(judge(job, { cpu: '8' })).toEqual(['Input "cpu": 8 CPU need at least 4Gi of memory, got 2Gi']);
    expect(judge(job, { memory: '1Gi' })).toEqual([
      'Input "memory": 4 CPU need at least 2Gi of memory, got 1Gi',
    ]);
    expect(judge(job, { memory: '16Gi' })).toEqual([]);
  });

  it('refuses a secret-backed var becoming literal (and the reverse) unless allow_env_type_change names it', () => {
    const job = existing({
      env: [
        { name: 'DB_PASSWORD', valueSource: { secretKeyRef: { secret: 'db', version: '1' } } },
        { name: 'MODE', value: 'batch' },
      ],
    });
    expect(judge(job, { env_vars: 'DB_PASSWORD=x' })).toEqual([
      'Input "env_vars": would change environment variable "DB_PASSWORD" from a secret to a literal value, as gcloud refuses to; if that is meant, name it in "allow_env_type_change"',
    ]);
    expect(judge(job, { secrets: 'MODE=mode:1' })[0]).toMatch(
      /^Input "secrets": would change environment variable "MODE" from a literal value to a secret/,
    );
    expect(judge(job, { env_vars: 'DB_PASSWORD=x', allow_env_type_change: 'DB_PASSWORD' })).toEqual([]);
    // A literal that stays literal, a secret that stays secret: nothing to refuse.
    expect(judge(job, { env_vars: 'MODE=stream', secrets: 'DB_PASSWORD=db:2' })).toEqual([]);
  });

  it('names job_patch with the field when the patch set the refused value, even one the job held', () => {
    const job = existing({}, { Legacy: 'X' });
    expect(judge(job, { job_patch: JSON.stringify({ labels: { Legacy: 'X' } }) })).toEqual([
      'Input "job_patch": labels.Legacy: label key must be a label key: a lowercase letter, then lowercase letters, digits, _ or -, at most 63, got "Legacy"',
      'Input "job_patch": labels.Legacy: label "Legacy": value must be a label value: lowercase letters, digits, _ or -, at most 63, got "X"',
    ]);
  });
});
