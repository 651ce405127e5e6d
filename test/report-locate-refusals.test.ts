// The job.yaml line of the settings a refusal names (field violations, constraints, timeouts).
import { describe, expect, it } from 'vitest';
import { locateInJobYaml } from '../src/report/locate.ts';

const YAML = `apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly
spec:
  template:
    metadata:
      annotations:
        run.googleapis.com/vpc-access-egress: all-traffic
    spec:
      taskCount: 4
      parallelism: 2
      template:
        spec:
          timeoutSeconds: 600
          maxRetries: 3
          containers:
          - image: us-docker.pkg.dev/p/r/app:1
            resources:
              limits:
                memory: 64Gi
                cpu: '9'
`;
const line = (key: string) => YAML.split('\n').findIndex((l) => l.trimStart().startsWith(key)) + 1;

describe('locateInJobYaml for refused settings', () => {
  it.each([
    ['task_timeout', 'timeoutSeconds:'],
    ['max_retries', 'maxRetries:'],
    ['tasks', 'taskCount:'],
    ['parallelism', 'parallelism:'],
    ['memory', 'memory:'],
    ['cpu', 'cpu:'],
    ['vpc_egress', 'run.googleapis.com/vpc-access-egress:'],
  ] as const)('%s -> %s', (subject, key) => {
    expect(locateInJobYaml(YAML, 'job.yaml', subject)?.line).toBe(line(key));
  });
});
