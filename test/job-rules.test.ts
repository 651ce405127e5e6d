// The job's rules on their own (pure): each limit accepted at its edge and refused one step
// past it, in both shapes a job comes in (v2 from the inputs and job_patch, v1 from a job.yaml),
// with the path of the refused value so the caller can point at its source.
import { describe, expect, it } from 'vitest';
import { checkJob, type RuleId, viewOfV1, viewOfV2 } from '../src/job-rules/index.ts';

const IMAGE = 'us-central1-docker.pkg.dev/p/r/i:v1';
const where = { region: 'us-central1' };

/** A v2 job with one container; `task` and `container` fields merged in. */
function v2(container: Record<string, unknown> = {}, task: Record<string, unknown> = {}, execution = {}) {
  return { template: { ...execution, template: { ...task, containers: [{ image: IMAGE, ...container }] } } };
}
const rulesOf = (job: Record<string, unknown>): RuleId[] =>
  checkJob(viewOfV2(job, 'job'), where).map((v) => v.rule);
const limits = (cpu?: string, memory?: string) => ({
  resources: { limits: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
});

describe('CPU and memory (Cloud Run jobs: cpu and memory-limits pages)', () => {
  it.each([
    ['1', '512Mi'],
    ['0.08', '512Mi'],
    ['1000m', '4Gi'],
    ['2', '8Gi'],
    ['4', '2Gi'],
    ['4', '16Gi'],
    ['6', '24Gi'],
    ['8', '32Gi'],
    ['0.5', '1Gi'],
  ])('accepts %s CPU with %s', (cpu, memory) => {
    expect(rulesOf(v2(limits(cpu, memory)))).toEqual([]);
  });

  it.each([
    ['0.07', '512Mi', 'CPU below 0.08'],
    ['3', '2Gi', 'a whole CPU count Cloud Run does not offer'],
    ['1.5', '2Gi', 'a fraction above 1'],
    ['1', '4097Mi', 'more than 4 GiB on 1 CPU'],
    ['4', '1Gi', '4 CPU under 2 GiB'],
    ['8', '33Gi', 'more than 32 GiB'],
    ['1', '256Mi', 'under 512 MiB in the second generation'],
    ['0.4', '1Gi', 'more than 512 MiB under 0.5 CPU'],
    ['lots', '1Gi', 'not a quantity'],
  ])('refuses %s CPU with %s (%s)', (cpu, memory) => {
    expect(rulesOf(v2(limits(cpu, memory)))).toContain('cpu-memory');
  });

  it('judges an unset value at its default (1 CPU, 512 MiB), pointing at the value that was set', () => {
    const [v] = checkJob(viewOfV2(v2(limits('4')), 'job'), where);
    expect(v?.rule).toBe('cpu-memory');
    expect(v?.at).toEqual(['template', 'template', 'containers', 0, 'resources', 'limits', 'cpu']);
  });
});

describe('GPUs (Cloud Run jobs: gpu page)', () => {
  const gpu = (cpu: string, memory: string, count = '1') => ({
    resources: { limits: { cpu, memory, 'nvidia.com/gpu': count } },
  });
  const l4 = { nodeSelector: { accelerator: 'nvidia-l4' } };
  it('accepts one L4 with 4 CPU and 16 GiB', () => expect(rulesOf(v2(gpu('4', '16Gi'), l4))).toEqual([]));
  it('refuses an L4 with 2 CPU and 4 GiB', () => expect(rulesOf(v2(gpu('2', '4Gi'), l4))).toEqual(['gpu']));
  it('refuses two GPUs', () => expect(rulesOf(v2(gpu('4', '16Gi', '2'), l4))).toContain('gpu'));
  it('refuses a GPU without its type, and a type without a GPU', () => {
    expect(rulesOf(v2(gpu('4', '16Gi')))).toContain('gpu');
    expect(rulesOf(v2({}, l4))).toContain('gpu');
  });
  it('refuses a GPU in the first generation environment and a timeout over 1 h', () => {
    expect(
      rulesOf(v2(gpu('4', '16Gi'), { ...l4, executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN1' })),
    ).toContain('gpu');
    expect(rulesOf(v2(gpu('4', '16Gi'), { ...l4, timeout: '3601s' }))).toEqual(['task-timeout']);
    expect(rulesOf(v2(gpu('4', '16Gi'), { ...l4, timeout: '3600s' }))).toEqual([]);
  });
});

describe('tasks, parallelism, retries, timeout', () => {
  it.each([
    [{ taskCount: 10_000 }, {}, []],
    [{ taskCount: 10_001 }, {}, ['task-count']],
    [{ taskCount: 0 }, {}, ['task-count']],
    [{ taskCount: 2, parallelism: 2 }, {}, []],
    [{ taskCount: 2, parallelism: 0 }, {}, []],
    [{ taskCount: 2, parallelism: 3 }, {}, ['parallelism']],
    [{}, { maxRetries: 10 }, []],
    [{}, { maxRetries: 11 }, ['max-retries']],
    [{}, { timeout: `${168 * 3600}s` }, []],
    [{}, { timeout: `${168 * 3600 + 1}s` }, ['task-timeout']],
    [{}, { timeout: '0s' }, ['task-timeout']],
  ])('%j %j -> %j', (execution, task, expected) => {
    expect(rulesOf(v2({}, task, execution))).toEqual(expected);
  });
});

describe('names, labels, env', () => {
  it('accepts the forms gcloud writes', () => {
    const job = {
      labels: { team: 'data', empty: '' },
      ...v2(
        { name: 'main', env: [{ name: '_A.b-c', value: 'x' }] },
        { volumes: [{ name: 'v-1', emptyDir: {} }] },
      ),
    };
    expect(rulesOf(job)).toEqual([]);
  });
  it.each([
    [{ labels: { 'a:b': 'x' } }, 'label'],
    [{ labels: { team: 'Data' } }, 'label'],
    [{ labels: { 'run.googleapis.com/x': 'y' } }, 'label'],
    [v2({ env: [{ name: 'A=B', value: 'x' }] }), 'env-name'],
    [v2({ env: [{ name: 'A\nB', value: 'x' }] }), 'env-name'],
    [v2({ env: [{ name: 'CLOUD_RUN_TASK_COUNT', value: '1' }] }), 'env-reserved'],
    [v2({ name: 'Main' }), 'container-name'],
    [
      v2(
        {},
        {
          volumes: [
            { name: 'a', emptyDir: {} },
            { name: 'a', emptyDir: {} },
          ],
        },
      ),
      'volume-name',
    ],
    [v2({ image: 'us-docker.pkg.dev/p/r/i@sha256:abc' }), 'image'],
    [v2({}, { serviceAccount: 'runtime' }), 'service-account'],
  ])('%j is refused by %s', (job, rule) => {
    expect(rulesOf(job as Record<string, unknown>)).toContain(rule);
  });
  it('accepts an image by digest', () => {
    expect(rulesOf(v2({ image: `us-docker.pkg.dev/p/r/i@sha256:${'a'.repeat(64)}` }))).toEqual([]);
  });
});

describe('mounts, secret files, Cloud SQL, network, key', () => {
  const mount = (mountPath: string) =>
    v2({ volumeMounts: [{ name: 'v', mountPath }] }, { volumes: [{ name: 'v', emptyDir: {} }] });
  it.each(['/data', '/var/lib/x', '/devices'])('accepts a mount at %s', (p) =>
    expect(rulesOf(mount(p))).toEqual([]),
  );
  it.each(['/dev', '/proc/x', '/sys/fs', 'data', '/a/../b', '/a:b', '/', '/a//b'])(
    'refuses a mount at %s',
    (p) => expect(rulesOf(mount(p))).toEqual(['mount-path']),
  );
  it('accepts a Cloud SQL volume mounted at /cloudsql or with no path', () => {
    for (const mountPath of ['/cloudsql', ''])
      expect(
        rulesOf(
          v2(
            { volumeMounts: [{ name: 'sql', mountPath }] },
            { volumes: [{ name: 'sql', cloudSqlInstance: { instances: ['p-123456:us-central1:db'] } }] },
          ),
        ),
      ).toEqual([]);
  });
  it('refuses secret file paths that leave the mount or repeat', () => {
    const items = (...paths: string[]) =>
      v2(
        {},
        {
          volumes: [
            { name: 's', secret: { secret: 'db', items: paths.map((path) => ({ path, version: '1' })) } },
          ],
        },
      );
    expect(rulesOf(items('a', 'dir/b'))).toEqual([]);
    for (const bad of [['../x'], ['/etc/passwd'], ['a\nb'], ['a/./b'], ['c', 'c']])
      expect(rulesOf(items(...bad)), bad.join()).toEqual(['secret-item-path']);
  });
  it('refuses a Cloud SQL name that is not PROJECT:REGION:INSTANCE, in both shapes', () => {
    const v1 = (value: string) =>
      checkJob(
        viewOfV1({
          metadata: { name: 'job' },
          spec: {
            template: {
              metadata: { annotations: { 'run.googleapis.com/cloudsql-instances': value } },
              spec: { template: { spec: { containers: [{ image: IMAGE }] } } },
            },
          },
        }),
        where,
      ).map((v) => v.rule);
    expect(v1('example.com:p-1234:us-central1:db, p-123456:europe-west1:db')).toEqual([]);
    expect(v1(':us-central1:orders')).toEqual(['cloudsql-name']);
    expect(v1('orders')).toEqual(['cloudsql-name']);
  });
  it('takes a connector, subnet and key in the job region (a key also multi-regional), not elsewhere', () => {
    const net = (task: Record<string, unknown>) => rulesOf(v2({}, task));
    expect(net({ vpcAccess: { connector: 'projects/p/locations/us-central1/connectors/c' } })).toEqual([]);
    expect(net({ vpcAccess: { connector: 'c' } })).toEqual([]);
    expect(net({ vpcAccess: { connector: 'projects/p/locations/europe-west1/connectors/c' } })).toEqual([
      'connector-region',
    ]);
    expect(
      net({
        vpcAccess: { networkInterfaces: [{ subnetwork: 'projects/h/regions/us-east1/subnetworks/s' }] },
      }),
    ).toEqual(['subnet-region']);
    expect(net({ encryptionKey: 'projects/p/locations/us/keyRings/r/cryptoKeys/k' })).toEqual([]);
    expect(net({ encryptionKey: 'projects/p/locations/us-central1/keyRings/r/cryptoKeys/k' })).toEqual([]);
    expect(net({ encryptionKey: 'projects/p/locations/asia-east1/keyRings/r/cryptoKeys/k' })).toEqual([
      'kms-key',
    ]);
    expect(net({ encryptionKey: 'projects/p/keyRings/r/cryptoKeys/k' })).toEqual(['kms-key']);
  });
});
