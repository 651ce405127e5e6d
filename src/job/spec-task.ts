// Task-level settings from inputs: VPC access (Direct VPC egress or a connector, and egress),
// the CMEK key, GPU (the container limit, accelerator and zonal redundancy) and the execution
// environment. Each is set only when its input names it; a check at the end refuses a
// combination Cloud Run would reject (egress without a network, a GPU without its type).
import type { run_v2 } from '@googleapis/run/build/v2';
import { InputError } from '../job-rules/input-error.ts';
import type { Config } from '../model.ts';
import type { Where } from './spec-volumes.ts';

type V2Task = run_v2.Schema$GoogleCloudRunV2TaskTemplate;
type V2Container = run_v2.Schema$GoogleCloudRunV2Container;
type V2VpcAccess = run_v2.Schema$GoogleCloudRunV2VpcAccess;

/** The container limit Cloud Run reads the GPU count from. */
export const GPU_LIMIT = 'nvidia.com/gpu';

/** A connector's short name -> projects/P/locations/REGION/connectors/NAME (the v2 API takes full names). */
export function connectorName(connector: string, where: Where): string {
  return connector.includes('/') || !where.project
    ? connector
    : `projects/${where.project}/locations/${where.region}/connectors/${connector}`;
}

function mergeVpc(existing: V2VpcAccess | undefined, config: Config, where: Where): V2VpcAccess | undefined {
  const direct = config.network !== undefined || config.subnet !== undefined;
  if (!direct && !config.vpcConnector && !config.networkTags && !config.vpcEgress) return undefined;
  const vpc: V2VpcAccess = { ...(existing ?? {}) };
  if (config.vpcConnector) {
    vpc.connector = connectorName(config.vpcConnector, where);
    delete vpc.networkInterfaces;
  }
  if (direct) {
    const tags = config.networkTags ?? existing?.networkInterfaces?.[0]?.tags;
    vpc.networkInterfaces = [
      {
        ...(config.network ? { network: config.network } : {}),
        ...(config.subnet ? { subnetwork: config.subnet } : {}),
        ...(tags?.length ? { tags } : {}),
      },
    ];
    delete vpc.connector;
  } else if (config.networkTags) {
    const [first, ...rest] = vpc.networkInterfaces ?? [];
    if (!first)
      throw new InputError([
        'Input "network_tags" needs Direct VPC egress: set "network" or "subnet" (the job has no network interface)',
      ]);
    vpc.networkInterfaces = [{ ...first, tags: config.networkTags }, ...rest];
  }
  if (config.vpcEgress) vpc.egress = config.vpcEgress;
  if (!vpc.connector && !vpc.networkInterfaces?.length)
    throw new InputError([
      'Input "vpc_egress" needs a network: set "network"/"subnet" (Direct VPC egress) or "vpc_connector"',
    ]);
  return vpc;
}

/** Apply the task-level inputs to `task` and GPU inputs to its managed container `main` (both modified). */
export function applyTaskInputs(task: V2Task, main: V2Container, config: Config, where: Where): void {
  const vpc = mergeVpc(task.vpcAccess, config, where);
  if (vpc) task.vpcAccess = vpc;
  if (config.kmsKey) task.encryptionKey = config.kmsKey;
  if (config.executionEnvironment) task.executionEnvironment = config.executionEnvironment;
  if (config.gpu !== undefined) {
    const limits = { ...(main.resources?.limits ?? {}), [GPU_LIMIT]: String(config.gpu) };
    main.resources = { ...(main.resources ?? {}), limits };
  }
  if (config.gpuType) task.nodeSelector = { ...(task.nodeSelector ?? {}), accelerator: config.gpuType };
  if (config.gpuZonalRedundancy !== undefined) task.gpuZonalRedundancyDisabled = !config.gpuZonalRedundancy;
  const gpuInputs = config.gpu !== undefined || config.gpuType || config.gpuZonalRedundancy !== undefined;
  if (gpuInputs && !main.resources?.limits?.[GPU_LIMIT])
    throw new InputError(['Inputs "gpu_type" and "gpu_zonal_redundancy" need "gpu" (GPUs per task, e.g. 1)']);
  if (gpuInputs && !task.nodeSelector?.accelerator)
    throw new InputError(['Input "gpu" needs "gpu_type" (the accelerator, e.g. nvidia-l4)']);
}
