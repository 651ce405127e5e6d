// The job rules Cloud Run enforces itself on create/update, refused with 400 INVALID_ARGUMENT and
// a google.rpc.BadRequest naming the field, in the v2 form Cloud Run uses: the message and the
// violation's field read "Violation in CreateJobRequest.job.template...: DESCRIPTION"
// (GoogleCloudPlatform/magic-modules#10173 quotes the Admin API's body). The descriptions are
// the emulator's own words for these documented limits:
// - memory 512 MiB to 32 GiB; more than 4/8/16/24 GiB needs at least 2/4/6/8 CPUs
//   (https://cloud.google.com/run/docs/configuring/jobs/memory-limits);
// - CPU: at least 1, whole numbers up to 8; 4 CPUs need 2 GiB, 6 or 8 CPUs need 4 GiB
//   (https://cloud.google.com/run/docs/configuring/jobs/cpu);
// - maxRetries 0 to 10 (https://cloud.google.com/run/docs/configuring/max-retries);
// - task timeout up to 168 hours, 1 hour for tasks with GPUs
//   (https://cloud.google.com/run/docs/configuring/task-timeout);
// - an L4 GPU needs at least 4 CPUs and 16 GiB (https://cloud.google.com/run/docs/configuring/jobs/gpu).
import { HttpError } from './contract.ts';
import { asArray, asJson, type Json, parseDuration } from './run-model.ts';

const GI = 1024 ** 3;
const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: GI,
  Ti: 1024 ** 4,
};

/** A Kubernetes quantity in bytes, or NaN. */
export function bytesOf(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(k|M|G|Ki|Mi|Gi|Ti)?$/.exec(q.trim());
  return m?.[1] ? Number(m[1]) * (UNITS[m[2] ?? ''] ?? Number.NaN) : Number.NaN;
}

/** A CPU quantity in CPUs ("2", "1000m", "0.5"), or NaN. */
export function cpusOf(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(q.trim());
  return m?.[1] ? Number(m[1]) / (m[2] ? 1000 : 1) : Number.NaN;
}

const MEMORY_NEEDS_CPU: Array<[number, number]> = [
  [24 * GI, 8],
  [16 * GI, 6],
  [8 * GI, 4],
  [4 * GI, 2],
];
const CPU_NEEDS_MEMORY: Array<[number, number]> = [
  [8, 4 * GI],
  [6, 4 * GI],
  [4, 2 * GI],
];

interface Violation {
  field: string;
  description: string;
}

function containerViolations(c: Json, at: string, gpuTask: boolean): Violation[] {
  const limits = asJson(asJson(c.resources).limits);
  const out: Violation[] = [];
  const cpuText = typeof limits.cpu === 'string' ? limits.cpu : '1';
  const memText = typeof limits.memory === 'string' ? limits.memory : '512Mi';
  const cpu = cpusOf(cpuText);
  const mem = bytesOf(memText);
  const f = (name: string) => `${at}.resources.limits.${name}`;
  if (!(cpu >= 1 && cpu <= 8 && Number.isInteger(cpu)))
    out.push({
      field: f('cpu'),
      description: `CPU must be a whole number from 1 to 8 for a job, got ${cpuText}.`,
    });
  if (!(mem >= 512 * 1024 ** 2 && mem <= 32 * GI))
    out.push({ field: f('memory'), description: `Memory must be from 512Mi to 32Gi, got ${memText}.` });
  if (out.length > 0) return out;
  const needCpu = MEMORY_NEEDS_CPU.find(([over]) => mem > over)?.[1];
  if (needCpu && cpu < needCpu)
    out.push({
      field: f('memory'),
      description: `Memory ${memText} needs at least ${needCpu} CPUs; the container has ${cpuText}.`,
    });
  const needMem = CPU_NEEDS_MEMORY.find(([cpus]) => cpu >= cpus)?.[1];
  if (needMem && mem < needMem)
    out.push({
      field: f('memory'),
      description: `${cpuText} CPUs need at least ${needMem / GI}Gi of memory; the container has ${memText}.`,
    });
  if (gpuTask && Number(limits['nvidia.com/gpu'] ?? 0) > 0 && (cpu < 4 || mem < 16 * GI))
    out.push({
      field: f('nvidia.com/gpu'),
      description: `A GPU needs at least 4 CPUs and 16Gi of memory; the container has ${cpuText} and ${memText}.`,
    });
  return out;
}

/** Every violation of the stored job (its v2 template), with fields under `prefix` (e.g. CreateJobRequest.job). */
export function jobViolations(job: Json, prefix: string): Violation[] {
  const template = asJson(job.template);
  const task = asJson(template.template);
  const at = `${prefix}.template.template`;
  const out: Violation[] = [];
  const containers = asArray(task.containers);
  const gpu = containers.some((c) => Number(asJson(asJson(c.resources).limits)['nvidia.com/gpu'] ?? 0) > 0);
  containers.forEach((c, i) => {
    out.push(...containerViolations(c, `${at}.containers[${i}]`, gpu));
  });
  const retries = task.maxRetries;
  if (typeof retries === 'number' && (!Number.isInteger(retries) || retries < 0 || retries > 10))
    out.push({ field: `${at}.max_retries`, description: `maxRetries must be from 0 to 10, got ${retries}.` });
  const timeoutMs = parseDuration(task.timeout, 600_000);
  const maxMs = (gpu ? 1 : 168) * 3_600_000;
  if (timeoutMs > maxMs)
    out.push({
      field: `${at}.timeout`,
      description: `The task timeout may not exceed ${gpu ? '1 hour for tasks with GPUs' : '168 hours'}, got ${String(task.timeout)}.`,
    });
  return out;
}

/** The v1 (Knative) spelling of a v2 field path: `spec.template.spec.template.spec.containers[0]...`. */
function v1Field(field: string): string {
  return field
    .replace(/^(Create|Update)JobRequest\.job\.template\.template/, 'spec.template.spec.template.spec')
    .replace(/\.max_retries$/, '.maxRetries')
    .replace(/\.timeout$/, '.timeoutSeconds');
}

/**
 * Throws Cloud Run's 400 for the violations found; `update` picks UpdateJobRequest. The v1
 * surface names the Knative field first, as its refusals do ("spec.template.spec.containers
 * .resources.limits.memory: Invalid value specified for memory. ...", googlecodelabs/feedback#1210).
 */
export function requireValidJob(job: Json, update: boolean, legacy: boolean): void {
  const prefix = `${update ? 'UpdateJobRequest' : 'CreateJobRequest'}.job`;
  const found = jobViolations(job, prefix).map((v) => (legacy ? { ...v, field: v1Field(v.field) } : v));
  const first = found[0];
  if (!first) return;
  const label = (f: string) => (legacy ? f : `Violation in ${f}`);
  const fieldViolations = found.map((v) => ({ field: label(v.field), description: v.description }));
  throw new HttpError(
    400,
    'INVALID_ARGUMENT',
    `${label(first.field)}: ${first.description}`,
    [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations }],
    legacy,
  );
}
