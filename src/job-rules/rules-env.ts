// Environment variables: names, the names Cloud Run reserves, the secret each secret-backed
// var reads, and (against the job as it exists) a var changing between literal and secret.
import { nameProblem, quote } from './names.ts';
import type { EnvView, JobView } from './view.ts';
import { type Violation, violation } from './violation.ts';

/**
 * The variables Cloud Run sets in a job's tasks (https://cloud.google.com/run/docs/container-contract,
 * jobs environment variables; https://cloud.google.com/run/docs/create-jobs names the task index
 * and count): the container contract's names "are reserved and cannot be set"
 * (https://cloud.google.com/run/docs/configuring/jobs/environment-variables).
 */
export const RESERVED_ENV = new Set([
  'CLOUD_RUN_JOB',
  'CLOUD_RUN_EXECUTION',
  'CLOUD_RUN_TASK_INDEX',
  'CLOUD_RUN_TASK_ATTEMPT',
  'CLOUD_RUN_TASK_COUNT',
]);

/** A secret reference: an id, or projects/P/secrets/S (GoogleCloudRunV2SecretKeySelector.secret). */
function secretProblem(secret: string): string | undefined {
  const full = /^projects\/([^/]+)\/secrets\/([^/]+)$/.exec(secret);
  if (full) {
    const project = full[1] as string;
    if (!/^\d{1,20}$/.test(project)) {
      const p = nameProblem('project', project);
      if (p) return `its project ${p}`;
    }
    return nameProblem('secret', full[2] as string);
  }
  return nameProblem('secret', secret);
}

function envRules(env: EnvView, out: Violation[]): void {
  const name = env.name.value;
  const problem = nameProblem('envName', name);
  if (problem) out.push(violation('env-name', env.name.at, `environment variable name ${problem}`));
  else if (RESERVED_ENV.has(name))
    out.push(
      violation(
        'env-reserved',
        env.name.at,
        `environment variable ${quote(name)} is set by Cloud Run in every task (reserved by the container contract); use another name`,
      ),
    );
  if (env.secret) {
    const p = secretProblem(env.secret.value);
    if (p) out.push(violation('secret-ref', env.secret.at, `the secret of ${quote(name)} ${p}`));
  }
  if (env.version) {
    const p = nameProblem('secretVersion', env.version.value);
    if (p) out.push(violation('secret-ref', env.version.at, `the secret version of ${quote(name)} ${p}`));
  }
}

export function envNameRules(view: JobView): Violation[] {
  const out: Violation[] = [];
  for (const c of view.containers) for (const e of c.env) envRules(e, out);
  for (const v of view.volumes) {
    if (v.secret) {
      const p = secretProblem(v.secret.value);
      if (p)
        out.push(violation('secret-ref', v.secret.at, `the secret of volume ${quote(v.name.value)} ${p}`));
    }
    for (const item of v.items) {
      if (!item.version) continue;
      const p = nameProblem('secretVersion', item.version.value);
      if (p)
        out.push(
          violation('secret-ref', item.version.at, `a secret version of volume ${quote(v.name.value)} ${p}`),
        );
    }
  }
  return out;
}

/**
 * A var that was literal becoming secret-backed, or the reverse. gcloud refuses both on
 * --set/--update-env-vars and --set/--update-secrets ("already been set with a different
 * type": EnvVarLiteralChanges and SecretEnvVarChanges in command_lib/run/config_changes.py):
 * a typo in env_vars would otherwise replace a secret with plaintext. The user allows it
 * explicitly by naming the var in `allow_env_type_change` (Config.allowEnvTypeChange).
 */
export function envKindChanges(existing: JobView, final: JobView, allowed: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  final.containers.forEach((c, i) => {
    const before = existing.containers[i];
    if (!before) return;
    const was = new Map(before.env.map((e) => [e.name.value, e]));
    for (const e of c.env) {
      const old = was.get(e.name.value);
      if (!old || old.literal === e.literal || allowed.has(e.name.value)) continue;
      const change = old.literal ? 'from a literal value to a secret' : 'from a secret to a literal value';
      out.push(
        violation(
          'env-kind-change',
          e.name.at,
          `would change environment variable ${quote(e.name.value)} ${change}, as gcloud refuses to; if that is meant, name it in "allow_env_type_change"`,
        ),
      );
    }
  });
  return out;
}
