// Which of Google's generated message classes (gcloud's apitools *_messages.py) describes the
// success body of each emulator route: (api, version, class) per method and path. Used by
// test/emulator-schema.test.ts to validate every body the emulator served.

export interface MessageType {
  api: string;
  version: string;
  type: string;
}

type Row = [method: string, path: RegExp, api: string, version: string, type: string];

const ID = '[^/:]+';
const LOC = `/v1/projects/${ID}/locations/${ID}`;
const RUN2 = `^/v2/projects/${ID}/locations/${ID}`;
const NS = `^/apis/run\\.googleapis\\.com/v1/namespaces/${ID}`;
const re = (s: string) => new RegExp(s.startsWith('^') ? `${s}$` : `^${s}$`);

/** IAM methods on a resource: policy reads/writes and permission tests. */
function iamRows(method: string, base: string, api: string, version: string, prefix = ''): Row[] {
  return [
    [method, re(`${base}:getIamPolicy`), api, version, `${prefix}Policy`],
    ['POST', re(`${base}:setIamPolicy`), api, version, `${prefix}Policy`],
    ['POST', re(`${base}:testIamPermissions`), api, version, `${prefix}TestIamPermissionsResponse`],
  ];
}

const ROWS: Row[] = [
  [
    'POST',
    re(`/v1/projects/${ID}/serviceAccounts/${ID}:generateAccessToken`),
    'iamcredentials',
    'v1',
    'GenerateAccessTokenResponse',
  ],
  ['GET', re(`/v1/projects/${ID}/serviceAccounts/${ID}`), 'iam', 'v1', 'ServiceAccount'],
  ['GET', re(`/v1/projects/${ID}/serviceAccounts`), 'iam', 'v1', 'ListServiceAccountsResponse'],
  ...iamRows('POST', `/v1/projects/${ID}/serviceAccounts/${ID}`, 'iam', 'v1'),
  ['GET', re(`/v1/roles/${ID}`), 'iam', 'v1', 'Role'],
  ['GET', re(`/v1/(?:projects|organizations)/${ID}/roles/${ID}`), 'iam', 'v1', 'Role'],
  ['GET', re(`/v1/projects/${ID}`), 'cloudresourcemanager', 'v1', 'Project'],
  ['GET', re('/v1/projects'), 'cloudresourcemanager', 'v1', 'ListProjectsResponse'],
  ['GET', re(`/v3/projects/${ID}`), 'cloudresourcemanager', 'v3', 'Project'],
  ['GET', re(`/v2/folders/${ID}`), 'cloudresourcemanager', 'v2', 'Folder'],
  ['GET', re(`/v3/folders/${ID}`), 'cloudresourcemanager', 'v3', 'Folder'],
  ['GET', re(`/v1/organizations/${ID}`), 'cloudresourcemanager', 'v1', 'Organization'],
  ['GET', re(`/v3/organizations/${ID}`), 'cloudresourcemanager', 'v3', 'Organization'],
  ...iamRows('POST', `/v1/projects/${ID}`, 'cloudresourcemanager', 'v1'),
  ...iamRows('POST', `/v3/projects/${ID}`, 'cloudresourcemanager', 'v3'),
  ...iamRows('POST', `/v2/folders/${ID}`, 'cloudresourcemanager', 'v2'),
  ...iamRows('POST', `/v3/folders/${ID}`, 'cloudresourcemanager', 'v3'),
  ...iamRows('POST', `/v1/organizations/${ID}`, 'cloudresourcemanager', 'v1'),
  ...iamRows('POST', `/v3/organizations/${ID}`, 'cloudresourcemanager', 'v3'),
  [
    'GET',
    re(`/v2/projects/${ID}/policies/${ID}:getEffectivePolicy`),
    'orgpolicy',
    'v2',
    'GoogleCloudOrgpolicyV2Policy',
  ],
  ['GET', re(`${LOC}/repositories/${ID}`), 'artifactregistry', 'v1', 'Repository'],
  ['GET', re(`${LOC}/repositories/${ID}/dockerImages`), 'artifactregistry', 'v1', 'ListDockerImagesResponse'],
  ['GET', re(`${LOC}/repositories/${ID}/dockerImages/.+`), 'artifactregistry', 'v1', 'DockerImage'],
  ['GET', re(`${LOC}/repositories/${ID}/packages`), 'artifactregistry', 'v1', 'ListPackagesResponse'],
  ['GET', re(`${LOC}/repositories/${ID}/packages/${ID}`), 'artifactregistry', 'v1', 'Package'],
  ['GET', re(`${LOC}/repositories/${ID}/packages/${ID}/tags`), 'artifactregistry', 'v1', 'ListTagsResponse'],
  ...iamRows('GET', `${LOC}/repositories/${ID}`, 'artifactregistry', 'v1'),
  ['GET', re(`/v1/projects/${ID}/secrets/${ID}`), 'secretmanager', 'v1', 'Secret'],
  [
    'GET',
    re(`/v1/projects/${ID}/secrets/${ID}/versions`),
    'secretmanager',
    'v1',
    'ListSecretVersionsResponse',
  ],
  ['GET', re(`/v1/projects/${ID}/secrets/${ID}/versions/${ID}`), 'secretmanager', 'v1', 'SecretVersion'],
  [
    'GET',
    re(`/v1/projects/${ID}/secrets/${ID}/versions/${ID}:access`),
    'secretmanager',
    'v1',
    'AccessSecretVersionResponse',
  ],
  ...iamRows('GET', `/v1/projects/${ID}/secrets/${ID}`, 'secretmanager', 'v1'),
  ['POST|PATCH|DELETE', re(`${RUN2}/jobs(?:/${ID}(?::run)?)?`), 'run', 'v2', 'GoogleLongrunningOperation'],
  ['GET', re(`${RUN2}/jobs/${ID}`), 'run', 'v2', 'GoogleCloudRunV2Job'],
  ['GET', re(`${RUN2}/jobs`), 'run', 'v2', 'GoogleCloudRunV2ListJobsResponse'],
  ['GET', re(`${RUN2}/jobs/${ID}/executions/${ID}`), 'run', 'v2', 'GoogleCloudRunV2Execution'],
  ['GET', re(`${RUN2}/jobs/${ID}/executions`), 'run', 'v2', 'GoogleCloudRunV2ListExecutionsResponse'],
  ['GET', re(`${RUN2}/operations/${ID}`), 'run', 'v2', 'GoogleLongrunningOperation'],
  ['POST', re(`${RUN2}/operations/${ID}:wait`), 'run', 'v2', 'GoogleLongrunningOperation'],
  ...iamRows('POST', `${RUN2}/jobs/${ID}`, 'run', 'v2', 'GoogleIamV1'),
  ...iamRows('POST', `/v1/projects/${ID}/locations/${ID}/jobs/${ID}`, 'run', 'v1'),
  ['GET', re(`/v2/policies/${ID}/denypolicies`), 'iam', 'v2', 'GoogleIamV2ListPoliciesResponse'],
  ['GET', re(`/v2/policies/${ID}/denypolicies/${ID}`), 'iam', 'v2', 'GoogleIamV2Policy'],
  [
    'POST',
    re('/v3/iam:troubleshoot'),
    'policytroubleshooter',
    'v3',
    'GoogleCloudPolicytroubleshooterIamV3TroubleshootIamPolicyResponse',
  ],
  ['GET', re(`${RUN2}/jobs/${ID}/executions/${ID}/tasks`), 'run', 'v2', 'GoogleCloudRunV2ListTasksResponse'],
  ['GET', re(`${RUN2}/jobs/${ID}/executions/${ID}/tasks/${ID}`), 'run', 'v2', 'GoogleCloudRunV2Task'],
  ['GET', re(`/v1/projects/${ID}/services/${ID}`), 'serviceusage', 'v1', 'GoogleApiServiceusageV1Service'],
  ['GET', re(`/v1/projects/${ID}/services`), 'serviceusage', 'v1', 'ListServicesResponse'],
  ['POST', re(`/v1/projects/${ID}/services/${ID}:enable`), 'serviceusage', 'v1', 'Operation'],
  ['POST', re(`/v1/projects/${ID}/services:batchEnable`), 'serviceusage', 'v1', 'Operation'],
  ['GET', re('/v1/operations/[^/]+'), 'serviceusage', 'v1', 'Operation'],
  [
    'GET',
    re(`/(?:v1|sql/v1beta4)/projects/${ID}/instances/${ID}`),
    'sqladmin',
    'v1beta4',
    'DatabaseInstance',
  ],
  ['GET', re(`/compute/v1/projects/${ID}/regions/${ID}/subnetworks/${ID}`), 'compute', 'v1', 'Subnetwork'],
  [
    'GET',
    re(`/compute/v1/projects/${ID}/regions/${ID}/subnetworks/${ID}/getIamPolicy`),
    'compute',
    'v1',
    'Policy',
  ],
  [
    'POST',
    re(`/compute/v1/projects/${ID}/regions/${ID}/subnetworks/${ID}/setIamPolicy`),
    'compute',
    'v1',
    'Policy',
  ],
  [
    'POST',
    re(`/compute/v1/projects/${ID}/regions/${ID}/subnetworks/${ID}/testIamPermissions`),
    'compute',
    'v1',
    'TestPermissionsResponse',
  ],
  ['GET', re(`/compute/v1/projects/${ID}/global/networks/${ID}`), 'compute', 'v1', 'Network'],
  ['GET', re(`/compute/v1/projects/${ID}/global/networks`), 'compute', 'v1', 'NetworkList'],
  ['GET', re(`/compute/v1/projects/${ID}/regions/${ID}/subnetworks`), 'compute', 'v1', 'SubnetworkList'],
  [
    'GET',
    re(`/compute/v1/projects/${ID}/aggregated/subnetworks`),
    'compute',
    'v1',
    'SubnetworkAggregatedList',
  ],
  ['GET', re(`${LOC}/connectors/${ID}`), 'vpcaccess', 'v1', 'Connector'],
  ['GET', re('/storage/v1/b/[^/]+'), 'storage', 'v1', 'Bucket'],
  ['GET|PUT', re('/storage/v1/b/[^/]+/iam'), 'storage', 'v1', 'Policy'],
  ['GET', re('/storage/v1/b/[^/]+/iam/testPermissions'), 'storage', 'v1', 'TestIamPermissionsResponse'],
  ...iamRows('GET', `${LOC}/keyRings/${ID}/cryptoKeys/${ID}`, 'cloudkms', 'v1'),
  ...iamRows('GET', `${LOC}/keyRings/${ID}`, 'cloudkms', 'v1'),
  ['POST', re('/v2/entries:list'), 'logging', 'v2', 'ListLogEntriesResponse'],
  ['POST|PUT', re(`${NS}/jobs(?:/${ID})?`), 'run', 'v1', 'Job'],
  ['GET', re(`${NS}/jobs/${ID}`), 'run', 'v1', 'Job'],
  ['GET', re(`${NS}/jobs`), 'run', 'v1', 'ListJobsResponse'],
  ['DELETE', re(`${NS}/jobs/${ID}`), 'run', 'v1', 'Status'],
  ['POST', re(`${NS}/jobs/${ID}:run`), 'run', 'v1', 'Execution'],
  ['GET', re(`${NS}/executions/${ID}`), 'run', 'v1', 'Execution'],
  ['GET', re(`${NS}/executions`), 'run', 'v1', 'ListExecutionsResponse'],
];

/** The message class of a success body, or undefined for a route no generated client covers. */
export function messageTypeOf(method: string, path: string): MessageType | undefined {
  for (const [m, p, api, version, type] of ROWS) {
    if (m.split('|').includes(method) && p.test(path)) return { api, version, type };
  }
  return undefined;
}

/** Routes whose bodies have no generated class in gcloud: STS (OAuth token exchange), GitHub, OIDC. */
export function outsideGcloudSchemas(path: string): boolean {
  return path === '/v1/token' || path.startsWith('/_github/') || path.startsWith('/.well-known/');
}
