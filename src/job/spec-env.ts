// The managed container's env: plain vars from `env_vars`, secret-backed vars from `secrets`.
// A named var is replaced in place (or appended); what else the container holds is kept under
// `merge` and removed under `overwrite`, each strategy over its own kind of var (plain vs.
// secret-backed), as gcloud's --set-env-vars / --set-secrets do.
import type { run_v2 } from '@googleapis/run/build/v2';
import type { Config } from '../model.ts';

type V2EnvVar = run_v2.Schema$GoogleCloudRunV2EnvVar;

export const secretName = (ref: { project?: string; secret: string }) =>
  ref.project ? `projects/${ref.project}/secrets/${ref.secret}` : ref.secret;

function envFromInputs(config: Config): V2EnvVar[] {
  const env: V2EnvVar[] = Object.entries(config.envVars).map(([name, value]) => ({ name, value }));
  for (const [name, ref] of Object.entries(config.secrets))
    env.push({ name, valueSource: { secretKeyRef: { secret: secretName(ref), version: ref.version } } });
  return env;
}

/** The env list after the inputs; `undefined` when nothing changes it (the field stays as it is). */
export function mergeEnv(existing: V2EnvVar[] | undefined, config: Config): V2EnvVar[] | undefined {
  const updates = envFromInputs(config);
  const overwriteEnv = config.envVarsUpdateStrategy === 'overwrite';
  const overwriteSecrets = config.secretsUpdateStrategy === 'overwrite';
  if (!updates.length && !overwriteEnv && !overwriteSecrets) return undefined;
  const byName = new Map(updates.map((e) => [e.name, e]));
  const env: V2EnvVar[] = [];
  for (const e of existing ?? []) {
    const next = e.name ? byName.get(e.name) : undefined;
    if (next) {
      env.push(next);
      byName.delete(e.name as string);
      continue;
    }
    const isSecret = Boolean(e.valueSource?.secretKeyRef);
    if (isSecret ? !overwriteSecrets : !overwriteEnv) env.push(e);
  }
  return [...env, ...byName.values()];
}
