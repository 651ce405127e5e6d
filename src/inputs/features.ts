// The job-feature inputs (issue 11) -> JobFeatures and the run overrides: networking, data,
// volumes, keys, compute, update strategies and job_patch. inputs.ts calls this once.
import { parse as parseYaml } from 'yaml';
import { checkJobPatch } from '../job/patch.ts';
import type { JobFeatures, RunOverrides, UpdateStrategy } from '../model.ts';
import type { Bad } from './lists.ts';
import { parseNetwork } from './network.ts';
import { OVERRIDE_INPUTS, parseOverrides } from './overrides.ts';
import { parsePlatform } from './platform.ts';
import { parseVolumes } from './volumes.ts';

/**
 * Feature inputs that describe the job itself: a job.yaml (metadata) sets these instead. The
 * update strategies are not among them: they default to merge and a replace ignores them.
 */
export const FEATURE_SPEC_INPUTS = [
  'cloudsql_instances',
  'network',
  'subnet',
  'network_tags',
  'vpc_connector',
  'vpc_egress',
  'volumes',
  'volume_mounts',
  'kms_key',
  'binary_authorization',
  'breakglass',
  'gpu',
  'gpu_type',
  'gpu_zonal_redundancy',
  'execution_environment',
  'job_patch',
] as const;

export interface ParsedFeatures {
  features: JobFeatures;
  overrides?: RunOverrides;
}

function parsePatch(raw: string, problem: (message: string) => void): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(raw, { maxAliasCount: 100 });
  } catch (e) {
    problem(
      `Input "job_patch" must be YAML or JSON of a v2 Job fragment: ${(e as Error).message.split('\n')[0]}`,
    );
    return undefined;
  }
  const { patch, problems } = checkJobPatch(doc);
  for (const p of problems) problem(`Input "job_patch": ${p}`);
  return problems.length ? undefined : patch;
}

export function parseFeatures(
  get: (name: string) => string,
  region: string,
  bad: Bad,
  problem: (message: string) => void,
): ParsedFeatures {
  const strategy = (name: string): UpdateStrategy | undefined => {
    const v = get(name);
    if (!v) return undefined;
    if (v === 'merge' || v === 'overwrite') return v;
    bad(name, 'merge or overwrite', v);
    return undefined;
  };
  const features: JobFeatures = {
    ...parseNetwork(get, region, bad, problem),
    ...parseVolumes(get, bad, problem),
    ...parsePlatform(get, bad, problem),
  };
  const envStrategy = strategy('env_vars_update_strategy');
  if (envStrategy) features.envVarsUpdateStrategy = envStrategy;
  const secretsStrategy = strategy('secrets_update_strategy');
  if (secretsStrategy) features.secretsUpdateStrategy = secretsStrategy;
  const patch = parsePatch(get('job_patch'), problem);
  if (patch) features.jobPatch = patch;

  const parsed: ParsedFeatures = { features };
  const overrides = parseOverrides(get, bad);
  if (overrides) {
    if (get('execute') !== 'true')
      for (const name of OVERRIDE_INPUTS.filter((n) => get(n)))
        problem(`Input "${name}" overrides an execution: set "execute: true" too, or remove it`);
    parsed.overrides = overrides;
  }
  return parsed;
}
