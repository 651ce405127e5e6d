// What a job connects to, read from the v2 Job the plan deploys and from a job.yaml (v1):
// both shapes must yield the same records, short names resolved in the job's project/region.
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../src/job/metadata.ts';
import { parseCloudSql, resourcesOfManifest, resourcesOfV2, subnetOf } from '../src/job/resources.ts';

const HOST_SUBNET = 'projects/host/regions/us-central1/subnetworks/shared-a';
const KEY = 'projects/keys/locations/us-central1/keyRings/ring/cryptoKeys/run';

describe('parseCloudSql', () => {
  it.each([
    ['db-proj:us-central1:main', { project: 'db-proj', region: 'us-central1', instance: 'main' }],
    ['example.com:db:europe-west1:x', { project: 'example.com:db', region: 'europe-west1', instance: 'x' }],
  ])('%s', (name, want) => {
    expect(parseCloudSql(name)).toMatchObject({ connectionName: name, ...want });
  });
  it.each(['main', 'p:main', 'p::main'])('refuses %s', (name) => {
    expect(parseCloudSql(name)).toBeUndefined();
  });
});

describe('subnetOf', () => {
  it.each([
    [{ network: 'default' }, 'projects/app/regions/us-central1/subnetworks/default'],
    [{ subnetwork: 'jobs' }, 'projects/app/regions/us-central1/subnetworks/jobs'],
    [{ network: 'projects/host/global/networks/shared', subnetwork: 'shared-a' }, HOST_SUBNET],
    [{ subnetwork: HOST_SUBNET }, HOST_SUBNET],
  ])('%j -> %s', (iface, name) => {
    expect(subnetOf(iface, 'app', 'us-central1')?.name).toBe(name);
  });
  it('keeps the network (in its own project) when named', () => {
    expect(subnetOf({ network: 'projects/host/global/networks/shared' }, 'app', 'us-central1')).toEqual({
      name: 'projects/host/regions/us-central1/subnetworks/shared',
      project: 'host',
      region: 'us-central1',
      subnetwork: 'shared',
      network: 'projects/host/global/networks/shared',
    });
  });
});

const want = {
  cloudSql: [
    {
      connectionName: 'db-proj:us-central1:main',
      project: 'db-proj',
      region: 'us-central1',
      instance: 'main',
    },
  ],
  buckets: [
    { volume: 'inputs', bucket: 'app-inputs', readOnly: true },
    { volume: 'outputs', bucket: 'app-outputs', readOnly: false },
  ],
  subnets: [{ name: HOST_SUBNET, project: 'host', region: 'us-central1', subnetwork: 'shared-a' }],
  connector: { name: 'projects/net/locations/us-central1/connectors/egress', project: 'net' },
  kmsKey: KEY,
  // No egress set: the v2 default once a VPC is set (v1: the annotation's default).
  vpcEgress: 'private-ranges-only',
};

describe('resourcesOfV2', () => {
  it('reads volumes, vpcAccess and encryptionKey of the task template', () => {
    const job = {
      template: {
        template: {
          encryptionKey: KEY,
          vpcAccess: {
            connector: 'projects/net/locations/us-central1/connectors/egress',
            networkInterfaces: [{ subnetwork: HOST_SUBNET }],
            egress: 'PRIVATE_RANGES_ONLY',
          },
          volumes: [
            { name: 'cloudsql', cloudSqlInstance: { instances: ['db-proj:us-central1:main'] } },
            { name: 'inputs', gcs: { bucket: 'app-inputs', readOnly: true } },
            { name: 'outputs', gcs: { bucket: 'app-outputs' } },
            { name: 'scratch', emptyDir: { medium: 'MEMORY' } },
          ],
        },
      },
    };
    expect(resourcesOfV2(job, 'app', 'us-central1')).toEqual(want);
  });
  it('a short connector name lives in the job project and region', () => {
    const job = { template: { template: { vpcAccess: { connector: 'egress' } } } };
    expect(resourcesOfV2(job, 'app', 'europe-west1').connector).toEqual({
      name: 'projects/app/locations/europe-west1/connectors/egress',
      project: 'app',
    });
  });
  it('a plain job connects to nothing', () => {
    expect(resourcesOfV2({}, 'app', 'us-central1')).toEqual({ cloudSql: [], buckets: [], subnets: [] });
  });
});

describe('resourcesOfManifest', () => {
  it('maps the v1 annotations and csi volumes to the same records', () => {
    const yaml = `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/cloudsql-instances: db-proj:us-central1:main
        run.googleapis.com/vpc-access-connector: projects/net/locations/us-central1/connectors/egress
        run.googleapis.com/network-interfaces: '[{"subnetwork":"${HOST_SUBNET}"}]'
        run.googleapis.com/encryption-key: ${KEY}
    spec:
      template:
        spec:
          containers:
            - image: us-docker.pkg.dev/app/images/migrate:1
          volumes:
            - name: inputs
              csi: { driver: gcsfuse.run.googleapis.com, readOnly: true, volumeAttributes: { bucketName: app-inputs } }
            - name: outputs
              csi: { driver: gcsfuse.run.googleapis.com, volumeAttributes: { bucketName: app-outputs } }
`;
    const manifest = parseManifest(yaml, 'job.yaml');
    expect(resourcesOfManifest(manifest.job, 'app', 'us-central1')).toEqual(want);
  });
  it('ignores malformed network interfaces and keys rather than guessing', () => {
    const job = {
      spec: {
        template: {
          metadata: {
            annotations: {
              'run.googleapis.com/network-interfaces': 'not json',
              'run.googleapis.com/encryption-key': 'my-key',
            },
          },
        },
      },
    };
    expect(resourcesOfManifest(job, 'app', 'us-central1')).toEqual({
      cloudSql: [],
      buckets: [],
      subnets: [],
    });
  });
});
