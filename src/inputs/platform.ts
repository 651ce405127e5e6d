// Keys, policies and compute: kms_key (CMEK), binary_authorization and breakglass, gpu,
// gpu_type, gpu_zonal_redundancy, execution_environment.
import type { JobFeatures } from '../model.ts';
import { type Bad, matching } from './lists.ts';

const ID = '[A-Za-z0-9_-]{1,63}';
// A project number or id (6-30 lowercase letters, digits, hyphens, a letter first, no hyphen
// last: https://cloud.google.com/sdk/gcloud/reference/projects/create), optionally domain-scoped;
// never `..` or anything else that would change the resource path.
const PROJECT = '(?:\\d+|(?:[a-z0-9-]+(?:\\.[a-z0-9-]+)+:)?[a-z][a-z0-9-]{4,28}[a-z0-9])';
const KMS_KEY = new RegExp(`^projects/${PROJECT}/locations/[a-z0-9-]+/keyRings/${ID}/cryptoKeys/${ID}$`);
const POLICY_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const POLICY = new RegExp(
  `^projects/${PROJECT}/platforms/cloudRun/policies/[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$`,
);
const GPU_TYPE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const ENVIRONMENTS: Record<string, NonNullable<JobFeatures['executionEnvironment']>> = {
  gen1: 'EXECUTION_ENVIRONMENT_GEN1',
  gen2: 'EXECUTION_ENVIRONMENT_GEN2',
};

export function parsePlatform(
  get: (name: string) => string,
  bad: Bad,
  problem: (message: string) => void,
): Partial<JobFeatures> {
  const out: Partial<JobFeatures> = {};
  const key = matching(
    get('kms_key'),
    KMS_KEY,
    bad,
    'kms_key',
    'a Cloud KMS key name projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY',
  );
  if (key) out.kmsKey = key;
  const binauthz = get('binary_authorization');
  if (binauthz === 'default') out.binaryAuthorization = { useDefault: true };
  else if (POLICY.test(binauthz)) out.binaryAuthorization = { policy: binauthz };
  else if (binauthz && POLICY_NAME.test(binauthz)) out.binaryAuthorization = { policy: binauthz };
  else if (binauthz)
    bad(
      'binary_authorization',
      'default, a policy name, or projects/PROJECT/platforms/cloudRun/policies/POLICY',
      binauthz,
    );
  const breakglass = get('breakglass');
  if (breakglass) {
    if (!binauthz)
      problem(
        'Input "breakglass" needs "binary_authorization": a justification only bypasses a Binary Authorization policy the job enforces',
      );
    else out.breakglass = breakglass;
  }

  const gpu = get('gpu');
  if (gpu) {
    if (/^[1-9]\d?$/.test(gpu)) out.gpu = Number(gpu);
    else bad('gpu', 'a number of GPUs like 1', gpu);
  }
  const gpuType = matching(get('gpu_type'), GPU_TYPE, bad, 'gpu_type', 'an accelerator type like nvidia-l4');
  if (gpuType) out.gpuType = gpuType;
  const redundancy = get('gpu_zonal_redundancy');
  if (redundancy) {
    if (redundancy === 'true' || redundancy === 'false') out.gpuZonalRedundancy = redundancy === 'true';
    else bad('gpu_zonal_redundancy', 'true or false', redundancy);
  }
  const environment = get('execution_environment');
  if (environment) {
    const value = ENVIRONMENTS[environment];
    if (value) out.executionEnvironment = value;
    else bad('execution_environment', 'gen1 or gen2', environment);
  }
  return out;
}
