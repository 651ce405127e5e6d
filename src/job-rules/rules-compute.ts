// Compute and execution shape: CPU and memory and their combinations, GPUs, task count,
// parallelism, retries and the task timeout.
import { quote } from './names.ts';
import type { At, ContainerView, JobView } from './view.ts';
import { type Violation, violation } from './violation.ts';

/** "1", "0.5", "500m" -> CPUs; undefined when not a quantity. */
export function cpuOf(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) / (m[2] ? 1000 : 1);
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** "512Mi", "2Gi", "1G" -> bytes; undefined when not a quantity. */
export function bytesOf(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[m[2] ?? ''] ?? 1);
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/**
 * https://cloud.google.com/run/docs/configuring/jobs/cpu: whole CPUs 1, 2, 4, 6 or 8, or a
 * fraction from 0.08 up to 1; 4 CPUs need at least 2 GiB, 6 and 8 at least 4 GiB; below 1 CPU,
 * more than 512 MiB needs 0.5 CPU and more than 1 GiB needs 1.
 * https://cloud.google.com/run/docs/configuring/jobs/memory-limits: at most 32 GiB, at least
 * 512 MiB in the second generation environment (jobs' default); more than 4/8/16/24 GiB needs
 * at least 2/4/6/8 CPUs. Defaults when unset: 1 CPU, 512 MiB.
 */
const WHOLE_CPUS = [1, 2, 4, 6, 8];
const MIN_MEMORY_FOR_CPU: Array<[number, number]> = [
  [8, 4 * GiB],
  [6, 4 * GiB],
  [4, 2 * GiB],
];
const MIN_CPU_FOR_MEMORY: Array<[number, number]> = [
  [24 * GiB, 8],
  [16 * GiB, 6],
  [8 * GiB, 4],
  [4 * GiB, 2],
  [1 * GiB, 1],
  [512 * MiB, 0.5],
];

/**
 * GPU types and their minimum CPU and memory (https://cloud.google.com/run/docs/configuring/jobs/gpu:
 * an L4 needs at least 4 CPU and 16 GiB; one GPU per instance, on one container).
 */
const GPU_MINIMUM: Record<string, { cpu: number; memory: number }> = {
  'nvidia-l4': { cpu: 4, memory: 16 * GiB },
};

function resources(c: ContainerView, gpuType: string | undefined, gen1: boolean, out: Violation[]): void {
  const cpuAt = c.cpu?.at ?? [...c.at, 'resources', 'limits', 'cpu'];
  const memAt = c.memory?.at ?? [...c.at, 'resources', 'limits', 'memory'];
  const cpu = c.cpu ? cpuOf(c.cpu.value) : 1;
  const memory = c.memory ? bytesOf(c.memory.value) : 512 * MiB;
  if (cpu === undefined)
    out.push(
      violation(
        'cpu-memory',
        cpuAt,
        `CPU must be a quantity like 1, 2 or 500m, got ${quote(c.cpu?.value ?? '')}`,
      ),
    );
  if (memory === undefined)
    out.push(
      violation(
        'cpu-memory',
        memAt,
        `memory must be a quantity like 512Mi or 2Gi, got ${quote(c.memory?.value ?? '')}`,
      ),
    );
  if (cpu === undefined || memory === undefined) return;
  const gpu = gpuType !== undefined && c.gpu !== undefined;
  const min = gpu ? GPU_MINIMUM[gpuType] : undefined;
  if (min && (cpu < min.cpu || memory < min.memory)) {
    out.push(
      violation(
        'gpu',
        c.cpu && cpu < min.cpu ? cpuAt : memAt,
        `a ${gpuType} GPU needs at least ${min.cpu} CPU and ${min.memory / GiB} GiB of memory, got ${cpu} CPU and ${c.memory?.value ?? '512Mi'}`,
      ),
    );
    return;
  }
  // Larger GPU machines go beyond the CPU-only table; their own minimum is checked above.
  if (!gpu) {
    if (cpu < 0.08 || (cpu > 1 && !WHOLE_CPUS.includes(cpu)))
      out.push(
        violation(
          'cpu-memory',
          cpuAt,
          `CPU must be 1, 2, 4, 6 or 8, or a fraction from 0.08 to 1, got ${quote(c.cpu?.value ?? '')}`,
        ),
      );
    if (memory > 32 * GiB)
      out.push(
        violation('cpu-memory', memAt, `memory must be at most 32Gi, got ${quote(c.memory?.value ?? '')}`),
      );
  }
  if (!gen1 && memory < 512 * MiB)
    out.push(
      violation('cpu-memory', memAt, `memory must be at least 512Mi, got ${quote(c.memory?.value ?? '')}`),
    );
  const needsCpu = MIN_CPU_FOR_MEMORY.find(([mem]) => memory > mem)?.[1];
  if (needsCpu !== undefined && cpu < needsCpu)
    out.push(
      violation(
        'cpu-memory',
        c.cpu ? cpuAt : memAt,
        `memory ${c.memory?.value ?? '512Mi'} needs at least ${needsCpu} CPU, got ${cpu}`,
      ),
    );
  const needsMemory = MIN_MEMORY_FOR_CPU.find(([n]) => cpu >= n)?.[1];
  if (needsMemory !== undefined && memory < needsMemory)
    out.push(
      violation(
        'cpu-memory',
        c.memory ? memAt : cpuAt,
        `${cpu} CPU need at least ${needsMemory / GiB}Gi of memory, got ${c.memory?.value ?? '512Mi'}`,
      ),
    );
}

function gpuRules(view: JobView, out: Violation[]): void {
  const withGpu = view.containers.filter((c) => c.gpu !== undefined);
  for (const c of withGpu) {
    const gpu = c.gpu as At<string>;
    // One GPU per instance (the GPU page; gcloud's --gpu help: "supports values 0 or 1").
    if (gpu.value !== '1')
      out.push(violation('gpu', gpu.at, `GPUs per task must be 1, got ${quote(gpu.value)}`));
  }
  if (withGpu.length > 1)
    out.push(
      violation('gpu', withGpu[1]?.gpu?.at ?? [], 'a GPU attaches to one container only; keep it on one'),
    );
  if (withGpu.length && !view.accelerator)
    out.push(
      violation('gpu', withGpu[0]?.gpu?.at ?? [], 'a GPU needs its type (the accelerator, e.g. nvidia-l4)'),
    );
  if (view.accelerator) {
    if (!withGpu.length)
      out.push(violation('gpu', view.accelerator.at, 'a GPU type needs a GPU limit (nvidia.com/gpu: 1)'));
    if (!/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(view.accelerator.value))
      out.push(
        violation(
          'gpu',
          view.accelerator.at,
          `GPU type must be an accelerator name like nvidia-l4, got ${quote(view.accelerator.value)}`,
        ),
      );
    // Jobs run GPUs in the second generation environment (https://cloud.google.com/run/docs/create-jobs).
    const env = view.executionEnvironment?.value;
    if (env === 'gen1' || env === 'EXECUTION_ENVIRONMENT_GEN1')
      out.push(
        violation(
          'gpu',
          view.executionEnvironment?.at ?? [],
          'a GPU job runs in the second generation execution environment, not gen1',
        ),
      );
  }
}

function wholeNumber(v: At<unknown>): number | undefined {
  const n = typeof v.value === 'string' && /^\d+$/.test(v.value) ? Number(v.value) : v.value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
}

/** Up to 10,000 tasks (https://cloud.google.com/run/docs/create-jobs); at least 1 (gcloud's --tasks bound, command_lib/run/flags.py). */
const MAX_TASKS = 10_000;
/** 0 to 10 retries (https://cloud.google.com/run/docs/configuring/max-retries). */
const MAX_RETRIES = 10;
/** Up to 168 hours (create-jobs page), at least 1 s (gcloud's --task-timeout bound); 1 hour for GPU tasks (create-jobs page). */
const MAX_TIMEOUT_S = 168 * 3600;
const MAX_GPU_TIMEOUT_S = 3600;

function shapeRules(view: JobView, out: Violation[]): void {
  const tasks = view.taskCount ? wholeNumber(view.taskCount) : 1;
  if (view.taskCount && (tasks === undefined || tasks < 1 || tasks > MAX_TASKS))
    out.push(
      violation(
        'task-count',
        view.taskCount.at,
        `task count must be a whole number from 1 to ${MAX_TASKS}, got ${quote(String(view.taskCount.value))}`,
      ),
    );
  if (view.parallelism) {
    const p = wholeNumber(view.parallelism);
    // 0 means "as many as possible" (ExecutionTemplate.parallelism); gcloud: at most the task count.
    if (p === undefined || p < 0)
      out.push(
        violation(
          'parallelism',
          view.parallelism.at,
          `parallelism must be a whole number, got ${quote(String(view.parallelism.value))}`,
        ),
      );
    else if (tasks !== undefined && p > tasks)
      out.push(
        violation(
          'parallelism',
          view.parallelism.at,
          `parallelism (${p}) must not exceed the task count (${tasks})`,
        ),
      );
  }
  if (view.maxRetries) {
    const r = wholeNumber(view.maxRetries);
    if (r === undefined || r < 0 || r > MAX_RETRIES)
      out.push(
        violation(
          'max-retries',
          view.maxRetries.at,
          `max retries must be a whole number from 0 to ${MAX_RETRIES}, got ${quote(String(view.maxRetries.value))}`,
        ),
      );
  }
  if (view.timeout) {
    const s = typeof view.timeout.value === 'number' ? view.timeout.value : wholeNumber(view.timeout);
    const max = view.accelerator ? MAX_GPU_TIMEOUT_S : MAX_TIMEOUT_S;
    if (s === undefined || s < 1 || s > max)
      out.push(
        violation(
          'task-timeout',
          view.timeout.at,
          `task timeout must be from 1s to ${max / 3600}h${view.accelerator ? ' for a GPU job' : ''}, got ${quote(String(view.timeout.value))}`,
        ),
      );
  }
}

export function computeRules(view: JobView): Violation[] {
  const out: Violation[] = [];
  const env = view.executionEnvironment?.value;
  const gen1 = env === 'gen1' || env === 'EXECUTION_ENVIRONMENT_GEN1';
  for (const c of view.containers) resources(c, view.accelerator?.value, gen1, out);
  gpuRules(view, out);
  shapeRules(view, out);
  return out;
}
