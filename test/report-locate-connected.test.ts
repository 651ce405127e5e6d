// Findings about what a job connects to are annotated on the job.yaml line that set it: the
// execution template's annotation (Cloud SQL, network interfaces, connector, key) or the
// task's volumes.
import { describe, expect, it } from 'vitest';
import type { Subject } from '../src/model.ts';
import { locateInJobYaml } from '../src/report/locate.ts';

const yaml = `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: migrate
  annotations:
    run.googleapis.com/encryption-key: projects/k/locations/us-central1/keyRings/r/cryptoKeys/k
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/cloudsql-instances: db:us-central1:main
        run.googleapis.com/network-interfaces: '[{"subnetwork":"jobs"}]'
        run.googleapis.com/vpc-access-connector: egress
    spec:
      template:
        spec:
          containers:
          - image: us-docker.pkg.dev/app/images/migrate:1
          volumes:
          - name: inputs
            csi: { driver: gcsfuse.run.googleapis.com, volumeAttributes: { bucketName: b } }
`;

describe('job.yaml lines of connected resources', () => {
  it.each<[Subject, number]>([
    ['kms_key', 6],
    ['cloudsql_instances', 11],
    ['network', 12],
    ['vpc_connector', 13],
    ['volumes', 19],
  ])('%s -> line %i', (subject, line) => {
    expect(locateInJobYaml(yaml, 'deploy/job.yaml', subject)?.line).toBe(line);
  });
  it('a subject the file does not set has no line there', () => {
    expect(
      locateInJobYaml(
        'apiVersion: run.googleapis.com/v1\nkind: Job\nmetadata: { name: j }\n',
        'j.yaml',
        'kms_key',
      ),
    ).toBeUndefined();
  });
});
