// Cloud Run's GPU allocation quota as a deploy meets it (the rate quota is run-model.ts's).
// - GPU allocation quota (world.gpuQuota: region -> GPUs allowed; Cloud Run grants none until
//   requested, https://cloud.google.com/run/docs/configuring/services/gpu-zonal-redundancy):
//   found while reconciling, so it fails the job's terminal condition. The wording follows
//   Cloud Run's allocation-quota refusals ("Consider running your workload in a region with
//   greater capacity, or requesting an increase in quota ... Quota violated: NAME requested: N
//   allowed: M", googlecodelabs/feedback#1856); the quota's name for jobs' GPUs is not public
//   in the sources found, so it is named after the documented "Total Nvidia L4 GPU allocation,
//   per project per region" quota.
import type { World } from './contract.ts';
import type { Failure } from './run-checks.ts';
import { asArray, asJson, type JobRef, type Json } from './run-model.ts';

/** GPUs the job asks for at once: its concurrently running tasks times the GPUs each one gets. */
export function gpusRequested(job: Json): number {
  const template = asJson(job.template);
  const task = asJson(template.template);
  const perTask = asArray(task.containers).reduce(
    (sum, c) => sum + Number(asJson(asJson(c.resources).limits)['nvidia.com/gpu'] ?? 0),
    0,
  );
  if (!(perTask > 0)) return 0;
  const tasks = typeof template.taskCount === 'number' ? template.taskCount : 1;
  const parallelism =
    typeof template.parallelism === 'number' && template.parallelism > 0 ? template.parallelism : tasks;
  return perTask * Math.min(tasks, parallelism);
}

/** The reconcile failure when the job's GPUs exceed the region's quota (RESOURCE_EXHAUSTED, 8). */
export function gpuQuotaFailure(world: World, ref: JobRef, job: Json): Failure | undefined {
  const allowed = world.gpuQuota?.[ref.location];
  if (allowed === undefined) return undefined;
  const requested = gpusRequested(job);
  if (requested === 0 || requested <= allowed) return undefined;
  return {
    code: 8,
    message:
      `Quota exceeded for GPUs in region ${ref.location}: the job asks for ${requested} GPU(s) at once. ` +
      'Consider running your workload in a region with greater capacity, or requesting an increase in quota ' +
      'for this region, see https://cloud.google.com/run/quotas.\n\n' +
      `Quota violated:\nNvidiaL4GpuAllocPerProjectRegion requested: ${requested} allowed: ${allowed}`,
  };
}
