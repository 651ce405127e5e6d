import { describe, expect, it } from 'vitest';
import { parseImage } from '../src/job/image.ts';

describe('parseImage', () => {
  it.each([
    {
      url: 'us-docker.pkg.dev/app-prod/containers/report:1.2',
      want: {
        registry: 'artifact-registry',
        project: 'app-prod',
        location: 'us',
        repository: 'containers',
        path: 'report',
        tag: '1.2',
        repositoryName: 'projects/app-prod/locations/us/repositories/containers',
      },
    },
    {
      url: `europe-west1-docker.pkg.dev/shared-images/base/tools/report@sha256:${'a'.repeat(64)}`,
      want: {
        registry: 'artifact-registry',
        project: 'shared-images',
        location: 'europe-west1',
        repository: 'base',
        path: 'tools/report',
        digest: `sha256:${'a'.repeat(64)}`,
      },
    },
    {
      url: `us-central1-docker.pkg.dev/p1-project/r/img:v1@sha256:${'b'.repeat(64)}`,
      want: {
        registry: 'artifact-registry',
        location: 'us-central1',
        path: 'img',
        tag: 'v1',
        digest: `sha256:${'b'.repeat(64)}`,
      },
    },
    {
      url: 'gcr.io/legacy-proj/worker',
      want: {
        registry: 'gcr',
        project: 'legacy-proj',
        location: 'us',
        repository: 'gcr.io',
        path: 'worker',
        repositoryName: 'projects/legacy-proj/locations/us/repositories/gcr.io',
      },
    },
    {
      url: 'eu.gcr.io/p2-proj/a/b:latest',
      want: { registry: 'gcr', location: 'europe', repository: 'eu.gcr.io', path: 'a/b', tag: 'latest' },
    },
    { url: 'asia.gcr.io/p3-proj/x', want: { registry: 'gcr', location: 'asia', repository: 'asia.gcr.io' } },
    { url: 'us.gcr.io/p4-proj/x', want: { registry: 'gcr', location: 'us', repository: 'us.gcr.io' } },
    { url: 'docker.io/library/busybox:1', want: { registry: 'other', tag: '1' } },
    { url: 'localhost:5000/img:2', want: { registry: 'other', tag: '2' } },
  ])('$url', ({ url, want }) => {
    const ref = parseImage(url);
    expect(ref).toMatchObject({ url, ...want });
  });

  it('leaves project/repository unknown for other registries', () => {
    const ref = parseImage('ghcr.io/org/tool:1');
    expect(ref.project).toBeUndefined();
    expect(ref.repositoryName).toBeUndefined();
  });
});
