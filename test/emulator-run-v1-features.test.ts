// The emulator's v1 <-> v2 conversion of job features: the annotations and volume sources
// gcloud writes on the v1 surface become the v2 fields the store holds, and back, losslessly.
import { describe, expect, it } from 'vitest';
import type { V2Job } from '../src/job/spec.ts';
import type { JobRef } from './emulator/run-model.ts';
import { jobBodyToV2, jobToV1 } from './emulator/run-v1-shape.ts';

const REF: JobRef = { project: undefined, projectId: 'app-proj', location: 'us-central1', job: 'j' };
const KEY = 'projects/app-proj/locations/us-central1/keyRings/r/cryptoKeys/k';

/** A v1 Job as gcloud run jobs deploy writes it with the feature flags. */
const V1 = {
  apiVersion: 'run.googleapis.com/v1',
  kind: 'Job',
  metadata: {
    name: 'j',
    annotations: {
      'run.googleapis.com/binary-authorization': 'default',
      'run.googleapis.com/binary-authorization-breakglass': 'incident',
      'example.com/keep': 'yes',
    },
  },
  spec: {
    template: {
      metadata: {
        annotations: {
          'run.googleapis.com/cloudsql-instances': 'app-proj:us-central1:main,other:europe-west1:db',
          'run.googleapis.com/network-interfaces':
            '[{"network": "default", "subnetwork": "jobs", "tags": ["db"]}]',
          'run.googleapis.com/vpc-access-egress': 'all-traffic',
          'run.googleapis.com/encryption-key': KEY,
          'run.googleapis.com/execution-environment': 'gen2',
          'example.com/template': 'kept',
        },
      },
      spec: {
        template: {
          spec: {
            containers: [{ image: 'img', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
            volumes: [
              {
                name: 'data',
                csi: {
                  driver: 'gcsfuse.run.googleapis.com',
                  readOnly: true,
                  volumeAttributes: { bucketName: 'b' },
                },
              },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
              { name: 'share', nfs: { server: '10.0.0.2', path: '/x' } },
            ],
          },
        },
      },
    },
  },
};

describe('v1 job features -> v2', () => {
  const v2 = jobBodyToV2(V1) as V2Job;
  const task = v2.template?.template ?? {};
  it('maps the annotations to their v2 fields and keeps the others', () => {
    expect(v2.binaryAuthorization).toEqual({ useDefault: true, breakglassJustification: 'incident' });
    expect(v2.annotations).toEqual({ 'example.com/keep': 'yes' });
    expect(v2.template?.annotations).toEqual({ 'example.com/template': 'kept' });
    expect(task.vpcAccess).toEqual({
      networkInterfaces: [{ network: 'default', subnetwork: 'jobs', tags: ['db'] }],
      egress: 'ALL_TRAFFIC',
    });
    expect(task.encryptionKey).toBe(KEY);
    expect(task.executionEnvironment).toBe('EXECUTION_ENVIRONMENT_GEN2');
  });
  it('maps volume sources and the Cloud SQL annotation to v2 volumes and a /cloudsql mount', () => {
    expect(task.volumes).toEqual([
      { name: 'data', gcs: { bucket: 'b', readOnly: true } },
      { name: 'tmp', emptyDir: { medium: 'MEMORY', sizeLimit: '64Mi' } },
      { name: 'share', nfs: { server: '10.0.0.2', path: '/x' } },
      {
        name: 'cloudsql',
        cloudSqlInstance: { instances: ['app-proj:us-central1:main', 'other:europe-west1:db'] },
      },
    ]);
    expect(task.containers?.[0]?.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'cloudsql', mountPath: '/cloudsql' },
    ]);
  });
  it('round-trips: v2 -> v1 -> v2 is the same job', () => {
    const back = jobToV1(v2 as Record<string, unknown>, REF, undefined) as {
      metadata: { annotations: Record<string, string> };
      spec: { template: { metadata: { annotations: Record<string, string> } } };
    };
    expect(back.metadata.annotations['run.googleapis.com/binary-authorization']).toBe('default');
    const templateAnnotations = back.spec.template.metadata.annotations;
    expect(templateAnnotations['run.googleapis.com/vpc-access-egress']).toBe('all-traffic');
    expect(templateAnnotations['run.googleapis.com/execution-environment']).toBe('gen2');
    // The v1 view spells out the default task count; everything else comes back as it was.
    expect(jobBodyToV2(back)).toEqual({ ...v2, template: { ...v2.template, taskCount: 1 } });
  });
});
