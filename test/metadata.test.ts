import { describe, expect, it } from 'vitest';
import { parseManifest } from '../src/job/metadata.ts';

const JOB = `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly-report
  namespace: app-prod
  labels:
    team: data
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/secrets: shared-key:projects/shared-sec/secrets/api-key
    spec:
      taskCount: 2
      template:
        spec:
          serviceAccountName: runner@app-prod.iam.gserviceaccount.com
          containers:
          - image: us-docker.pkg.dev/app-prod/containers/report:1.2
            env:
            - name: PLAIN
              value: x
            - name: DB_PASS
              valueFrom:
                secretKeyRef:
                  name: db-pass
                  key: '3'
            - name: API_KEY
              valueFrom:
                secretKeyRef:
                  name: shared-key
                  key: latest
          volumes:
          - name: certs
            secret:
              secretName: tls-cert
              items:
              - key: '1'
                path: cert.pem
`;

/** 1-based line of the first line containing `text`, and the column where it starts. */
function at(text: string, nth = 0): { line: number; column: number } {
  const lines = JOB.split('\n');
  const hits = lines.flatMap((l, i) =>
    l.includes(text) ? [{ line: i + 1, column: l.indexOf(text) + 1 }] : [],
  );
  const hit = hits[nth];
  if (!hit) throw new Error(`fixture has no ${text}`);
  return hit;
}

describe('parseManifest', () => {
  const m = parseManifest(JOB, 'deploy/job.yaml');

  it('extracts name, namespace, image and service account with their lines', () => {
    expect(m.name).toBe('nightly-report');
    expect(m.namespace).toBe('app-prod');
    expect(m.image).toBe('us-docker.pkg.dev/app-prod/containers/report:1.2');
    expect(m.serviceAccountName).toBe('runner@app-prod.iam.gserviceaccount.com');
    expect(m.locations.name).toEqual({ file: 'deploy/job.yaml', ...at('nightly-report') });
    expect(m.locations.serviceAccountName).toEqual({ file: 'deploy/job.yaml', ...at('runner@') });
    expect(m.locations.image).toEqual({ file: 'deploy/job.yaml', ...at('us-docker.pkg.dev') });
  });

  it('extracts env and volume secrets, resolving the alias annotation', () => {
    expect(m.secrets).toEqual([
      {
        name: 'DB_PASS',
        secret: 'db-pass',
        version: '3',
        location: { file: 'deploy/job.yaml', ...at('db-pass') },
      },
      {
        name: 'API_KEY',
        secret: 'api-key',
        project: 'shared-sec',
        version: 'latest',
        location: { file: 'deploy/job.yaml', ...at('shared-key', 1) },
      },
      {
        name: 'certs',
        secret: 'tls-cert',
        version: '1',
        location: { file: 'deploy/job.yaml', ...at('tls-cert') },
      },
    ]);
  });

  it('keeps the whole document to send', () => {
    expect((m.job.spec as { template: { spec: { taskCount: number } } }).template.spec.taskCount).toBe(2);
  });

  it.each([
    { name: 'not YAML', text: 'a: [1,', error: 'not valid YAML' },
    { name: 'a list', text: '- 1', error: 'expected a mapping' },
    {
      name: 'wrong apiVersion',
      text: JOB.replace('run.googleapis.com/v1', 'serving.knative.dev/v1'),
      error: 'apiVersion must be run.googleapis.com/v1',
    },
    {
      name: 'a Service',
      text: JOB.replace('kind: Job', 'kind: Service'),
      error: 'kind must be Job, got "Service"',
    },
    {
      name: 'no name',
      text: JOB.replace('  name: nightly-report\n', ''),
      error: 'metadata.name is required',
    },
    {
      name: 'no image',
      text: JOB.replace(
        '- image: us-docker.pkg.dev/app-prod/containers/report:1.2\n            env:',
        '- env:',
      ),
      error: 'containers[0].image is required',
    },
  ])('rejects $name', ({ text, error }) => {
    expect(() => parseManifest(text, 'job.yaml')).toThrow(`Input "metadata": job.yaml: `);
    expect(() => parseManifest(text, 'job.yaml')).toThrow(error);
  });
});
