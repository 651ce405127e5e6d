// List routes page as Google's do: pageSize/pageToken -> nextPageToken, and Cloud Run v1's
// limit/continue -> metadata.continue; a forged token is refused. Also: Secret Manager
// versions.list, Artifact Registry packages/tags, and v2 job etags that follow every change.
import { describe, expect, it, onTestFinished } from 'vitest';
import { TIMING } from './emulator/run-model.ts';
import { emulatorJson, useEmulator } from './helpers/emulator.ts';

const REPO = 'projects/img-proj/locations/us-central1/repositories/containers';
const IMAGE = 'us-central1-docker.pkg.dev/img-proj/containers/a/one:v1';
const AGENT = 'serviceAccount:service-111111111111@serverless-robot-prod.iam.gserviceaccount.com';
const job = (name: string) => ({
  name: `projects/app-proj/locations/us-central1/jobs/${name}`,
  template: { template: { containers: [{ image: IMAGE }] } },
});

const emu = useEmulator({
  scenario: {
    projects: [
      {
        id: 'app-proj',
        number: '111111111111',
        policy: { bindings: [{ role: 'roles/owner', members: ['user:admin@acme.example'] }] },
      },
      {
        id: 'img-proj',
        number: '222222222222',
        policy: { bindings: [{ role: 'roles/owner', members: ['user:admin@acme.example'] }] },
      },
    ],
    repositories: [
      {
        name: REPO,
        policy: { bindings: [{ role: 'roles/artifactregistry.reader', members: [AGENT] }] },
        images: { 'a/one': ['v1'], 'b/two': ['v1', 'v2', 'latest'], three: ['x'] },
      },
    ],
    secrets: [{ name: 'projects/app-proj/secrets/s', versions: ['1', '2', '3'] }],
    jobs: Object.fromEntries(['j1', 'j2', 'j3'].map((n) => [job(n).name, job(n)])),
    tokens: { t: 'user:admin@acme.example' },
  },
});

const get = (path: string) => emulatorJson(emu(), 't', 'GET', path);

/** Every page of a pageSize/pageToken list, by following nextPageToken. */
async function all(path: string, key: string, size: number): Promise<{ pages: number; names: string[] }> {
  const names: string[] = [];
  let token = '';
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await get(
      `${path}${sep}pageSize=${size}${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((r.body[key] ?? []).length).toBeLessThanOrEqual(size);
    names.push(...(r.body[key] ?? []).map((x: { name: string }) => x.name));
    token = r.body.nextPageToken ?? '';
    pages++;
  } while (token);
  return { pages, names };
}

describe('paging', () => {
  it('pageSize/pageToken on Cloud Run v2, Artifact Registry and Secret Manager lists', async () => {
    const jobs = await all('/v2/projects/app-proj/locations/us-central1/jobs', 'jobs', 2);
    expect(jobs).toEqual({ pages: 2, names: ['j1', 'j2', 'j3'].map((n) => job(n).name) });
    const images = await all(`/v1/${REPO}/dockerImages`, 'dockerImages', 1);
    expect(images.pages).toBe(3);
    const packages = await all(`/v1/${REPO}/packages`, 'packages', 2);
    expect(packages.names).toEqual([
      `${REPO}/packages/a%2Fone`,
      `${REPO}/packages/b%2Ftwo`,
      `${REPO}/packages/three`,
    ]);
    const tags = await all(`/v1/${REPO}/packages/b%2Ftwo/tags`, 'tags', 2);
    expect(tags.names).toEqual(['v1', 'v2', 'latest'].map((t) => `${REPO}/packages/b%2Ftwo/tags/${t}`));
    // Versions: newest first, with the total.
    const versions = await get('/v1/projects/app-proj/secrets/s/versions?pageSize=2');
    expect(versions.body.totalSize).toBe(3);
    expect(versions.body.versions.map((v: { name: string }) => v.name)).toEqual([
      'projects/111111111111/secrets/s/versions/3',
      'projects/111111111111/secrets/s/versions/2',
    ]);
    expect(versions.body.nextPageToken).toBeTruthy();
  });

  it('refuses a forged token, a token from another list and a negative page size', async () => {
    const first = await get('/v2/projects/app-proj/locations/us-central1/jobs?pageSize=1');
    const token = encodeURIComponent(first.body.nextPageToken);
    const other = await get(`/v1/${REPO}/dockerImages?pageSize=1&pageToken=${token}`);
    expect(other.status).toBe(400);
    expect(other.body.error.status).toBe('INVALID_ARGUMENT');
    expect((await get('/v2/projects/app-proj/locations/us-central1/jobs?pageToken=bm9wZQ')).status).toBe(400);
    expect((await get('/v2/projects/app-proj/locations/us-central1/jobs?pageSize=-1')).status).toBe(400);
  });

  it('limit/continue on Cloud Run v1 lists, the token in metadata.continue', async () => {
    const base = '/apis/run.googleapis.com/v1/namespaces/app-proj/jobs';
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await get(`${base}?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      expect(r.status).toBe(200);
      names.push(...r.body.items.map((j: { metadata: { name: string } }) => j.metadata.name));
      cont = r.body.metadata.continue ?? '';
      pages++;
    } while (cont);
    expect({ pages, names }).toEqual({ pages: 2, names: ['j1', 'j2', 'j3'] });
  });
});

describe('v2 job etags', () => {
  it('change when the job changes: a write, its reconcile, an execution', async () => {
    // The first read must come before the reconcile, even on a loaded machine.
    const reconcileMs = TIMING.reconcileMs;
    TIMING.reconcileMs = 1_500;
    onTestFinished(() => {
      TIMING.reconcileMs = reconcileMs;
    });
    const name = 'projects/app-proj/locations/us-central1/jobs/e1';
    const etag = async () => (await get(`/v2/${name}`)).body.etag as string;
    const post = (path: string, body: unknown) =>
      fetch(`${emu().url}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post('/v2/projects/app-proj/locations/us-central1/jobs?jobId=e1', {
      template: { template: { containers: [{ image: IMAGE }] } },
    });
    expect(created.status).toBe(200);
    const seen = [await etag()];
    const operation = ((await created.json()) as { name: string }).name;
    await post(`/v2/${operation}:wait`, {});
    seen.push(await etag());
    expect((await post(`/v2/${name}:run`, {})).status).toBe(200);
    seen.push(await etag());
    expect(new Set(seen).size).toBe(3);
    // Reading does not change it.
    expect(await etag()).toBe(seen[2]);
  });
});
