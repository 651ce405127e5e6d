// Many targets in one step: each (job, region) runs target.ts's pipeline, a bounded number at a
// time so a step with dozens of jobs stays within Cloud Run's write quotas (a 429 that still
// happens is retried with backoff where the write is made, gcp/clients.ts). A failure in one
// target never stops the others.
import { InputError } from './inputs.ts';
import type { Config } from './model.ts';
import type { LocalPlan } from './plan.ts';
import type { Shared, TargetOutcome } from './target.ts';

/** Targets deployed at the same time: each makes a handful of writes, well under the quota. */
export const MAX_PARALLEL_TARGETS = 10;

export interface TargetKey {
  job: string;
  region: string;
}

export interface TargetRun {
  key: TargetKey;
  outcome: TargetOutcome;
}

/** Two targets that would write the same job in the same region are an input error. */
export function targetKeys(configs: readonly Config[], locals: readonly LocalPlan[]): TargetKey[] {
  const keys = configs.map((c, i) => ({
    job: locals[i]?.job ?? '',
    region: c.region,
    project: locals[i]?.project,
  }));
  const seen = new Map<string, Config>();
  const problems: string[] = [];
  keys.forEach((k, i) => {
    const id = `${k.project}/${k.region}/${k.job}`;
    const other = seen.get(id);
    if (other)
      problems.push(
        `Input "metadata": ${other.metadata ?? 'the inputs'} and ${configs[i]?.metadata ?? 'the inputs'} both deploy job ${k.job} to ${k.region}; keep one`,
      );
    else seen.set(id, configs[i] as Config);
  });
  if (problems.length) throw new InputError(problems);
  return keys.map(({ job, region }) => ({ job, region }));
}

/** Runs `work` over `items`, at most `limit` at once, keeping the input order in the result. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** Every target, `limit` at once; `keys` from targetKeys (checked before any remote call). */
export async function runTargets(
  configs: readonly Config[],
  locals: readonly LocalPlan[],
  keys: readonly TargetKey[],
  shared: Shared,
  limit = MAX_PARALLEL_TARGETS,
): Promise<TargetRun[]> {
  // Not imported above: main.ts checks targetKeys before authenticating, without the pipeline.
  const { runTarget } = await import('./target.ts');
  return mapBounded(configs, limit, async (config, i) => ({
    key: keys[i] as TargetKey,
    outcome: await runTarget(config, locals[i] as LocalPlan, shared),
  }));
}
