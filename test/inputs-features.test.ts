// Every job-feature input (issue 11): the forms it takes, and the error naming the input for
// each form it refuses. Through parseInputs, the one reader of inputs.
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../src/inputs.ts';
import type { Config } from '../src/model.ts';
import { resolveLocal } from '../src/plan.ts';
import { problemsOf } from './helpers/input-refusals.ts';

const base = { job: 'migrate', image: 'us-docker.pkg.dev/app/c/migrate:1', project_id: 'app-prod' };
const parse = (inputs: Record<string, string>): Config =>
  parseInputs(
    (name) => ({ ...base, ...inputs })[name as keyof typeof base] ?? '',
    {},
    () => true,
  );
/** Refused as the action refuses before any request: the inputs, then the job they build (src/job-rules/). */
const problems = (inputs: Record<string, string>): string[] =>
  problemsOf(() => resolveLocal(parse(inputs), {}));

describe('job-feature inputs: accepted forms', () => {
  const cases: Array<{ name: string; inputs: Record<string, string>; expect: Partial<Config> }> = [
    {
      name: 'cloudsql_instances, full and short, deduplicated',
      inputs: { cloudsql_instances: 'app-prod:us-central1:main, replica ,app-prod:us-central1:main' },
      expect: { cloudSqlInstances: ['app-prod:us-central1:main', 'replica'] },
    },
    {
      name: 'cloudsql_instances in a legacy domain-scoped project',
      inputs: { cloudsql_instances: 'example.com:legacy-proj:europe-west1:db' },
      expect: { cloudSqlInstances: ['example.com:legacy-proj:europe-west1:db'] },
    },
    {
      name: 'Direct VPC on a Shared VPC subnet with tags',
      inputs: {
        network: 'projects/host-proj/global/networks/shared',
        subnet: 'projects/host-proj/regions/us-central1/subnetworks/jobs',
        network_tags: 'db-client,egress',
        vpc_egress: 'all-traffic',
      },
      expect: {
        network: 'projects/host-proj/global/networks/shared',
        subnet: 'projects/host-proj/regions/us-central1/subnetworks/jobs',
        networkTags: ['db-client', 'egress'],
        vpcEgress: 'ALL_TRAFFIC',
      },
    },
    {
      name: 'a connector by name, private ranges only',
      inputs: { vpc_connector: 'conn-1', vpc_egress: 'private-ranges-only' },
      expect: { vpcConnector: 'conn-1', vpcEgress: 'PRIVATE_RANGES_ONLY' },
    },
    {
      name: "gcloud's deprecated egress spelling all",
      inputs: { vpc_egress: 'all' },
      expect: { vpcEgress: 'ALL_TRAFFIC' },
    },
    {
      name: 'volumes of every type and their mounts',
      inputs: {
        volumes: [
          'name=data,type=cloud-storage,bucket=app-data,readonly=true',
          'name=out,type=cloud-storage,bucket=app-out,mount-options=implicit-dirs;uid=1000',
          'name=share,type=nfs,location=10.0.0.2:/exports/share',
          'name=scratch,type=in-memory,size-limit=256Mi',
        ].join('\n'),
        volume_mounts: 'volume=data,mount-path=/data\nvolume=scratch,mount-path=/tmp/scratch',
      },
      expect: {
        volumes: [
          { name: 'data', gcs: { bucket: 'app-data', readOnly: true } },
          { name: 'out', gcs: { bucket: 'app-out', mountOptions: ['implicit-dirs', 'uid=1000'] } },
          { name: 'share', nfs: { server: '10.0.0.2', path: '/exports/share' } },
          { name: 'scratch', emptyDir: { medium: 'MEMORY', sizeLimit: '256Mi' } },
        ],
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'scratch', mountPath: '/tmp/scratch' },
        ],
      },
    },
    {
      name: 'secrets as env vars and as files',
      inputs: {
        secrets:
          'DB_USER=db-user:1\n/secrets/db/password=db-pass:latest\n/secrets/db/ca=db-pass:2\n/etc/other/key=projects/sec-proj/secrets/key:3',
      },
      expect: {
        secrets: { DB_USER: { secret: 'db-user', version: '1' } },
        secretFiles: {
          '/secrets/db/password': { secret: 'db-pass', version: 'latest' },
          '/secrets/db/ca': { secret: 'db-pass', version: '2' },
          '/etc/other/key': { project: 'sec-proj', secret: 'key', version: '3' },
        },
      },
    },
    {
      name: 'update strategies',
      inputs: { env_vars_update_strategy: 'overwrite', secrets_update_strategy: 'merge' },
      expect: { envVarsUpdateStrategy: 'overwrite', secretsUpdateStrategy: 'merge' },
    },
    {
      name: 'CMEK, Binary Authorization default with breakglass',
      inputs: {
        kms_key: 'projects/keys-proj/locations/us-central1/keyRings/run/cryptoKeys/jobs',
        binary_authorization: 'default',
        breakglass: 'incident 42',
      },
      expect: {
        kmsKey: 'projects/keys-proj/locations/us-central1/keyRings/run/cryptoKeys/jobs',
        binaryAuthorization: { useDefault: true },
        breakglass: 'incident 42',
      },
    },
    {
      name: 'a named Binary Authorization policy',
      inputs: { binary_authorization: 'projects/app-prod/platforms/cloudRun/policies/strict' },
      expect: { binaryAuthorization: { policy: 'projects/app-prod/platforms/cloudRun/policies/strict' } },
    },
    {
      name: 'GPU and execution environment',
      inputs: {
        gpu: '1',
        gpu_type: 'nvidia-l4',
        gpu_zonal_redundancy: 'false',
        execution_environment: 'gen2',
      },
      expect: {
        gpu: 1,
        gpuType: 'nvidia-l4',
        gpuZonalRedundancy: false,
        executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
      },
    },
    {
      name: 'execution overrides',
      inputs: {
        execute: 'true',
        execute_args: '["migrate","--to","42"]',
        execute_env_vars: 'DRY_RUN=false\nLOG=debug',
        execute_tasks: '2',
        execute_task_timeout: '30m',
      },
      expect: {
        overrides: {
          containerOverrides: [
            {
              args: ['migrate', '--to', '42'],
              env: [
                { name: 'DRY_RUN', value: 'false' },
                { name: 'LOG', value: 'debug' },
              ],
            },
          ],
          taskCount: 2,
          timeout: '1800s',
        },
      },
    },
    {
      name: 'execute_args [] clears the args of one execution',
      inputs: { execute: 'true', execute_args: '[]' },
      expect: { overrides: { containerOverrides: [{ clearArgs: true }] } },
    },
    {
      name: 'job_patch in YAML, scalars normalised to the field types',
      inputs: {
        job_patch:
          'template:\n  template:\n    containers:\n      - image: x\n        resources:\n          limits: {cpu: 2}\n    vpcAccess: null\n',
      },
      expect: {
        jobPatch: {
          template: {
            template: { containers: [{ image: 'x', resources: { limits: { cpu: '2' } } }], vpcAccess: null },
          },
        },
      },
    },
    {
      name: 'job_patch in JSON',
      inputs: { job_patch: '{"template": {"taskCount": 4}, "annotations": {"a": "b"}}' },
      expect: { jobPatch: { template: { taskCount: 4 }, annotations: { a: 'b' } } },
    },
  ];
  it.each(cases)('$name', ({ inputs, expect: want }) => {
    expect(parse(inputs)).toMatchObject(want);
  });

  it('leaves every feature absent when no input names it', () => {
    const c = parse({});
    for (const key of [
      'cloudSqlInstances',
      'network',
      'volumes',
      'secretFiles',
      'overrides',
      'jobPatch',
      'gpu',
    ])
      expect(c).not.toHaveProperty(key);
  });
});

describe('job-feature inputs: refused forms name the input', () => {
  const cases: Array<{ inputs: Record<string, string>; error: RegExp }> = [
    {
      inputs: { cloudsql_instances: 'app-prod:us-central1' },
      error: /^Input "cloudsql_instances" must be PROJECT:REGION:INSTANCE/,
    },
    { inputs: { cloudsql_instances: 'App:us-central1:db' }, error: /^Input "cloudsql_instances"/ },
    { inputs: { network: 'projects/h/networks/x' }, error: /^Input "network" must be/ },
    { inputs: { subnet: 'Sub_1' }, error: /^Input "subnet" must be/ },
    {
      inputs: { subnet: 'projects/host-proj/regions/europe-west1/subnetworks/jobs' },
      error: /^Input "subnet": subnet must be in the job's region us-central1, got one in "europe-west1"/,
    },
    { inputs: { network_tags: 'ok,Not_OK' }, error: /^Input "network_tags" must be/ },
    {
      inputs: { vpc_connector: 'projects/net-proj/locations/europe-west1/connectors/c' },
      error: /^Input "vpc_connector": VPC connector must be in the job's region us-central1/,
    },
    { inputs: { vpc_connector: 'c1', network: 'default' }, error: /^Inputs "vpc_connector" and "network"/ },
    {
      inputs: { vpc_egress: 'everything' },
      error: /^Input "vpc_egress" must be all-traffic or private-ranges-only/,
    },
    {
      inputs: { volumes: 'name=data,type=cloud-storage' },
      error: /^Input "volumes" must be for type cloud-storage: bucket=/,
    },
    {
      inputs: { volumes: 'name=data,type=cloud-storage,bucket=b1,size-limit=1G' },
      error: /unknown key size-limit/,
    },
    { inputs: { volumes: 'name=data,type=disk' }, error: /^Input "volumes" must be one volume per line/ },
    { inputs: { volumes: 'name=share,type=nfs,location=10.0.0.2' }, error: /location=SERVER:\/PATH/ },
    { inputs: { volumes: 'name=m,type=in-memory,size-limit=lots' }, error: /size-limit as a quantity/ },
    {
      inputs: { volumes: 'name=d,type=cloud-storage,bucket=bkt,readonly=yes' },
      error: /readonly=true or readonly=false/,
    },
    { inputs: { volumes: 'name=a,type=in-memory\nname=a,type=in-memory' }, error: /names volume a twice/ },
    { inputs: { volume_mounts: 'volume=data' }, error: /^Input "volume_mounts" must be one mount per line/ },
    {
      inputs: { volume_mounts: 'volume=data,mount-path=/a:b' },
      error: /^Input "volume_mounts" must be mount-path/,
    },
    {
      inputs: { volume_mounts: 'volume=Data,mount-path=/data' },
      error: /^Input "volume_mounts": volume name must be a name of lowercase letters, digits and hyphens/,
    },
    {
      inputs: { volume_mounts: 'volume=a,mount-path=/x\nvolume=b,mount-path=/x' },
      error: /mounts two volumes at \/x/,
    },
    { inputs: { secrets: '/password=db:1' }, error: /^Input "secrets" must be a file path like/ },
    { inputs: { secrets: '/s/../x=db:1' }, error: /^Input "secrets" must be a file path/ },
    { inputs: { secrets: '/s/a=db:1\n/s/b=other:1' }, error: /one secret per directory/ },
    { inputs: { secrets: '/s/a=db:1\n/s/a=db:2' }, error: /mounts \/s\/a twice/ },
    { inputs: { secrets: '/s/a=db' }, error: /^Input "secrets" must be NAME=SECRET:VERSION/ },
    {
      inputs: {
        secrets: '/data/key=db:1',
        volumes: 'name=d,type=in-memory',
        volume_mounts: 'volume=d,mount-path=/data',
      },
      error: /^Inputs "volume_mounts" and "secrets" both mount something at \/data/,
    },
    {
      inputs: { env_vars_update_strategy: 'replace' },
      error: /^Input "env_vars_update_strategy" must be merge or overwrite/,
    },
    {
      inputs: { secrets_update_strategy: 'Merge' },
      error: /^Input "secrets_update_strategy" must be merge or overwrite/,
    },
    {
      inputs: { kms_key: 'projects/p/keyRings/r/cryptoKeys/k' },
      error: /^Input "kms_key" must be a Cloud KMS key name/,
    },
    {
      inputs: { binary_authorization: 'Strict Policy' },
      error: /^Input "binary_authorization" must be default, a policy name/,
    },
    { inputs: { breakglass: 'because' }, error: /^Input "breakglass" needs "binary_authorization"/ },
    { inputs: { gpu: '0' }, error: /^Input "gpu" must be a number of GPUs/ },
    { inputs: { gpu_type: 'NVIDIA L4' }, error: /^Input "gpu_type" must be/ },
    { inputs: { gpu_zonal_redundancy: 'no' }, error: /^Input "gpu_zonal_redundancy" must be true or false/ },
    {
      inputs: { execution_environment: 'gen3' },
      error: /^Input "execution_environment" must be gen1 or gen2/,
    },
    {
      inputs: { execute_tasks: '2' },
      error: /^Input "execute_tasks" overrides an execution: set "execute: true"/,
    },
    {
      inputs: { execute: 'true', execute_tasks: '0' },
      error: /^Input "execute_tasks" must be a whole number of tasks/,
    },
    {
      inputs: { execute: 'true', execute_task_timeout: '200h' },
      error: /^Input "execute_task_timeout" must be a duration/,
    },
    {
      inputs: { execute: 'true', execute_env_vars: 'no-equals' },
      error: /^Input "execute_env_vars" must be KEY=VALUE/,
    },
    {
      inputs: { execute: 'true', execute_env_vars: 'CLOUD_RUN_TASK_INDEX=1' },
      error: /^Input "execute_env_vars" must be KEY=VALUE entries whose KEY is not one Cloud Run sets/,
    },
    {
      inputs: { execute: 'true', execute_args: '[1,2]' },
      error: /^Input "execute_args" must be a JSON array of strings/,
    },
    { inputs: { job_patch: 'template: [unclosed' }, error: /^Input "job_patch" must be YAML or JSON/ },
    { inputs: { job_patch: '- a\n- b' }, error: /^Input "job_patch": must be a mapping of v2 Job fields/ },
    {
      inputs: { job_patch: 'template:\n  template:\n    vpcAcess: {}' },
      error:
        /^Input "job_patch": template\.template\.vpcAcess is not a field of GoogleCloudRunV2TaskTemplate \(its fields: .*vpcAccess/,
    },
    {
      inputs: { job_patch: '{"template":{"template":{"containers":[{"env":[{"nam":"A"}]}]}}}' },
      error:
        /^Input "job_patch": template\.template\.containers\[0\]\.env\[0\]\.nam is not a field of GoogleCloudRunV2EnvVar/,
    },
    { inputs: { job_patch: 'uid: x' }, error: /^Input "job_patch": uid is output only/ },
    { inputs: { job_patch: 'name: other' }, error: /^Input "job_patch": name comes from the job input/ },
    {
      inputs: { job_patch: 'template: {taskCount: many}' },
      error: /template\.taskCount must be a whole number, got "many"/,
    },
    {
      inputs: { job_patch: 'template: {template: {executionEnvironment: GEN2}}' },
      error: /must be one of EXECUTION_ENVIRONMENT_UNSPECIFIED/,
    },
    {
      inputs: { job_patch: 'template: {template: {volumes: {name: a}}}' },
      error: /template\.template\.volumes must be a list/,
    },
    {
      inputs: { job_patch: 'launchStage: BETA', metadata: 'job.yaml' },
      error: /^Inputs "metadata" and "job_patch" conflict/,
    },
    {
      inputs: { cloudsql_instances: 'db', metadata: 'job.yaml' },
      error: /^Inputs "metadata" and "cloudsql_instances" conflict/,
    },
  ];
  it.each(cases)('$error', ({ inputs, error }) => {
    expect(
      problems(inputs).some((p) => error.test(p)),
      problems(inputs).join('\n'),
    ).toBe(true);
  });

  it('reports every bad feature input at once', () => {
    const all = problems({ vpc_egress: 'x', gpu: 'x', kms_key: 'x', volumes: 'x' });
    expect(all.map((p) => /^Input "(\w+)"/.exec(p)?.[1]).sort()).toEqual([
      'gpu',
      'kms_key',
      'volumes',
      'vpc_egress',
    ]);
  });
});

describe('job-feature inputs with metadata', () => {
  it('the update strategies at their action.yml default do not conflict with a job.yaml', () => {
    const c = parseInputs(
      (name) =>
        ({ metadata: 'job.yaml', env_vars_update_strategy: 'merge', secrets_update_strategy: 'merge' })[
          name
        ] ?? '',
      {},
      () => true,
    );
    expect(c.metadata).toBe('job.yaml');
  });
});
