// The v1 (Knative) surface names a secret of another project through an alias: the execution
// template's run.googleapis.com/secrets annotation holds `ALIAS:projects/NUMBER/secrets/NAME`
// pairs separated by commas, and env secretKeyRef.name / volume secretName use the alias
// (run_v1_messages.py SecretKeySelector.name; gcloud's command_lib/run/secrets_mapping.py, which
// makes aliases from the secret's first five letters, a dash and a unique suffix). The v2
// surface holds the full secret name instead.
import { createHash } from 'node:crypto';
import { asArray, asJson, type Json, str } from './run-model.ts';

export const SECRETS_ANNOTATION = 'run.googleapis.com/secrets';

/** `a:projects/1/secrets/x,b:projects/2/secrets/y` -> { a: 'projects/1/secrets/x', ... } (malformed pairs are ignored). */
export function parseSecretAliases(annotation: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (annotation ?? '').split(',')) {
    const m = /^\s*([^:\s]+):(projects\/[^/\s]+\/secrets\/[^/\s]+)\s*$/.exec(pair);
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out;
}

// Where each surface keeps a secret's name: an env var's source and its secretKeyRef field, a
// secret volume's field (v2 Job message; Cloud Run's Knative v1 surface).
const SECRET_FIELDS = {
  v2: { source: 'valueSource', ref: 'secret', volume: 'secret' },
  v1: { source: 'valueFrom', ref: 'name', volume: 'secretName' },
} as const;

/** Every secret reference of a task, through `rename`, in the field names of `shape`. */
function renameSecrets(
  task: Json,
  shape: keyof typeof SECRET_FIELDS,
  rename: (name: string) => string,
): void {
  const f = SECRET_FIELDS[shape];
  for (const c of asArray(task.containers)) {
    for (const e of asArray(c.env)) {
      const ref = asJson(asJson(e[f.source]).secretKeyRef);
      const s = str(ref[f.ref]);
      if (s) ref[f.ref] = rename(s);
    }
  }
  for (const v of asArray(task.volumes)) {
    const sv = asJson(v.secret);
    const s = str(sv[f.volume]);
    if (s) sv[f.volume] = rename(s);
  }
}

/** v1 -> v2: resolve the aliases the annotation declares (the task is modified). */
export function resolveSecretAliases(annotation: string | undefined, task: Json): void {
  const aliases = parseSecretAliases(annotation);
  if (Object.keys(aliases).length > 0) renameSecrets(task, 'v2', (name) => aliases[name] ?? name);
}

/** v2 -> v1: give each full secret name an alias; returns the annotation, or undefined when none. */
export function aliasRemoteSecrets(spec: Json): string | undefined {
  const aliases = new Map<string, string>();
  const aliasOf = (full: string) => {
    const m = /^projects\/[^/]+\/secrets\/([^/]+)$/.exec(full);
    if (!m?.[1]) return full;
    const known = aliases.get(full);
    if (known) return known;
    const alias = `${m[1].slice(0, 5)}-${createHash('sha256').update(full).digest('hex').slice(0, 8)}`;
    aliases.set(full, alias);
    return alias;
  };
  renameSecrets(spec, 'v1', aliasOf);
  if (aliases.size === 0) return undefined;
  return [...aliases.entries()]
    .sort(([, a], [, b]) => a.localeCompare(b))
    .map(([full, alias]) => `${alias}:${full}`)
    .join(',');
}
