// Behaviours brought to Google's: Compute's 412 for a stale subnetwork etag; Cloud Logging's
// query language (OR, NOT, parentheses) and paging, including the empty page with a token a
// search cut short answers; deny policy names with the project number, gcloud's double-encoded
// names, 1000 policies a page; the job id limit; STS's malformed-audience refusal; and the lists
// gcloud needs (projects, networks, subnetworks), driven by gcloud and decoded with its classes.
import { describe, expect, it } from 'vitest';
import { emulatorJson } from './helpers/emulator.ts';
import { hasGcloud, useGcloudEmulator } from './helpers/gcloud.ts';
import { hasSchemas, schemaProblems } from './helpers/schema-check.ts';

const ADMIN = 'user:admin@acme.example';
const SUBNET = 'projects/host/regions/us-central1/subnetworks/jobs';
const denyPolicy = (i: number) => ({
  attachmentPoint: 'projects/app',
  id: `deny-${String(i).padStart(4, '0')}`,
  rules: [
    {
      denyRule: {
        deniedPrincipals: ['principal://goog/subject/x@acme.example'],
        deniedPermissions: ['run.googleapis.com/jobs.delete'],
      },
    },
  ],
});

const { emu, gcloud } = useGcloudEmulator(
  {
    organizations: [{ id: '1000', policy: { bindings: [{ role: 'roles/owner', members: [ADMIN] }] } }],
    projects: [
      { id: 'app', number: '111111111111', parent: 'organizations/1000' },
      { id: 'host', number: '222222222222', parent: 'organizations/1000' },
    ],
    subnetworks: [
      { name: SUBNET, network: 'projects/host/global/networks/shared', policy: {} },
      {
        name: 'projects/host/regions/europe-west1/subnetworks/eu',
        network: 'projects/host/global/networks/shared',
        policy: {},
      },
    ],
    denyPolicies: Array.from({ length: 1001 }, (_, i) => denyPolicy(i)),
    providers: [{ name: 'projects/111111111111/locations/global/workloadIdentityPools/github/providers/gh' }],
    tokens: { 'admin-token': ADMIN },
  },
  { COMPUTE: 'compute/v1/', CLOUDRESOURCEMANAGER: '', LOGGING: '', IAM: '' },
  120_000,
  { recordResponses: true },
);

const admin = (method: string, path: string, body?: unknown) =>
  emulatorJson(emu(), 'admin-token', method, path, body);

describe('Compute: a stale subnetwork etag', () => {
  it('answers 412 FAILED_PRECONDITION, errors[] conditionNotMet, and changes nothing', async () => {
    const read = await admin('GET', `/compute/v1/${SUBNET}/getIamPolicy`);
    const etag = read.body.etag as string;
    const first = await admin('POST', `/compute/v1/${SUBNET}/setIamPolicy`, {
      policy: { etag, bindings: [{ role: 'roles/compute.networkUser', members: ['user:a@acme.example'] }] },
    });
    expect(first.status).toBe(200);
    const stale = await admin('POST', `/compute/v1/${SUBNET}/setIamPolicy`, {
      policy: { etag, bindings: [{ role: 'roles/compute.networkUser', members: ['user:b@acme.example'] }] },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({
      code: 412,
      status: 'FAILED_PRECONDITION',
      message: 'Precondition check failed.',
      errors: [{ reason: 'conditionNotMet', domain: 'global' }],
    });
    const after = await admin('GET', `/compute/v1/${SUBNET}/getIamPolicy`);
    expect(JSON.stringify(after.body.bindings)).toContain('a@acme.example');
    expect(JSON.stringify(after.body.bindings)).not.toContain('b@acme.example');
  });
});

describe('Cloud Logging entries.list', () => {
  const entry = (n: number, severity: string, text: string, execution: string) => ({
    insertId: `id-${n}`,
    logName: 'projects/app/logs/run.googleapis.com%2Fstderr',
    resource: { type: 'cloud_run_job', labels: { job_name: 'nightly', location: 'us-central1' } },
    labels: { 'run.googleapis.com/execution_name': execution },
    severity,
    textPayload: text,
    timestamp: `2026-01-01T00:00:0${n}Z`,
  });
  const seed = () => {
    emu().world.connected.logEntries = [
      entry(1, 'INFO', 'starting', 'nightly-a'),
      entry(2, 'ERROR', 'relation "x" does not exist', 'nightly-a'),
      entry(3, 'WARNING', 'retrying', 'nightly-b'),
      entry(4, 'ERROR', 'Container called exit(1).', 'nightly-b'),
    ];
  };
  const list = (body: Record<string, unknown>) =>
    admin('POST', '/v2/entries:list', { resourceNames: ['projects/app'], ...body });
  const ids = (r: { body: Record<string, unknown> }) =>
    ((r.body.entries ?? []) as Array<{ insertId: string }>).map((e) => e.insertId);

  it('reads OR, NOT, parentheses, value groups, regular expressions, and ignores case', async () => {
    seed();
    expect(ids(await list({ filter: 'severity=ERROR OR severity=WARNING' }))).toEqual([
      'id-2',
      'id-3',
      'id-4',
    ]);
    expect(ids(await list({ filter: 'NOT severity>=WARNING' }))).toEqual(['id-1']);
    expect(
      ids(
        await list({
          filter:
            'resource.type="cloud_run_job" AND (labels."run.googleapis.com/execution_name"="nightly-b" OR textPayload:"RELATION")',
        }),
      ),
    ).toEqual(['id-2', 'id-3', 'id-4']);
    expect(ids(await list({ filter: 'severity=("INFO" OR "WARNING")' }))).toEqual(['id-1', 'id-3']);
    expect(ids(await list({ filter: 'textPayload=~"exit\\\\([0-9]\\\\)"' }))).toEqual(['id-4']);
    expect(ids(await list({ filter: '-severity=ERROR severity>=INFO' }))).toEqual(['id-1', 'id-3']);
    // OR binds tighter than AND in this language: a OR b AND c OR d is (a OR b) AND (c OR d).
    expect(
      ids(
        await list({
          filter: 'severity=INFO OR severity=ERROR AND textPayload:starting OR textPayload:exit',
        }),
      ),
    ).toEqual(['id-1', 'id-4']);
    expect((await list({ filter: 'severity=(ERROR' })).status).toBe(400);
  });

  it('pages with pageSize and nextPageToken; a token from another search is refused', async () => {
    seed();
    const first = await list({ pageSize: 3 });
    expect(ids(first)).toEqual(['id-1', 'id-2', 'id-3']);
    const second = await list({ pageSize: 3, pageToken: first.body.nextPageToken });
    expect(ids(second)).toEqual(['id-4']);
    expect(second.body.nextPageToken).toBeUndefined();
    expect(
      (await list({ pageSize: 3, filter: 'severity=ERROR', pageToken: first.body.nextPageToken })).status,
    ).toBe(400);
  });

  it('a search cut short answers empty pages with a token, then its entries', async () => {
    seed();
    emu().world.logSearchCutShort = 2;
    try {
      const a = await list({ filter: 'severity=ERROR' });
      expect(a.body.entries).toBeUndefined();
      expect(typeof a.body.nextPageToken).toBe('string');
      const b = await list({ filter: 'severity=ERROR', pageToken: a.body.nextPageToken });
      expect(b.body.entries).toBeUndefined();
      const c = await list({ filter: 'severity=ERROR', pageToken: b.body.nextPageToken });
      expect(ids(c)).toEqual(['id-2', 'id-4']);
    } finally {
      delete emu().world.logSearchCutShort;
    }
  });

  it.skipIf(!hasGcloud)('gcloud logging read follows the pages of a search cut short', async () => {
    seed();
    emu().world.logSearchCutShort = 1;
    try {
      const r = await gcloud([
        'logging',
        'read',
        'severity>=WARNING AND NOT textPayload:retrying',
        '--project=app',
        // gcloud adds timestamp>=now-freshness to the filter; the entries are from January.
        '--freshness=3650d',
      ]);
      expect(r.code, r.stderr).toBe(0);
      // The first page was empty with a token: gcloud asked again.
      const sent = emu().requestLog.filter(
        (e) => e.path === '/v2/entries:list' && /gcloud/.test(e.userAgent ?? ''),
      );
      expect(sent.length, r.stdout).toBeGreaterThanOrEqual(2);
      expect((JSON.parse(r.stdout) as Array<{ insertId: string }>).map((e) => e.insertId).sort()).toEqual([
        'id-2',
        'id-4',
      ]);
    } finally {
      delete emu().world.logSearchCutShort;
    }
  });
});

describe('IAM v2 deny policies', () => {
  const parent = (point: string) => `/v2/policies/${point}/denypolicies`;
  it('names carry the project number, 1000 a page, the rest on the next', async () => {
    const first = await admin('GET', parent('cloudresourcemanager.googleapis.com%2Fprojects%2Fapp'));
    expect(first.status).toBe(200);
    expect(first.body.policies).toHaveLength(1000);
    expect(first.body.policies[0].name).toBe(
      'policies/cloudresourcemanager.googleapis.com%2Fprojects%2F111111111111/denypolicies/deny-0000',
    );
    const second = await admin(
      'GET',
      `${parent('cloudresourcemanager.googleapis.com%2Fprojects%2Fapp')}?pageSize=5&pageToken=${first.body.nextPageToken}`,
    );
    expect(second.body.policies).toHaveLength(1);
    expect(second.body.nextPageToken).toBeUndefined();
  });

  it("decodes gcloud's double-encoded attachment point", async () => {
    const r = await admin(
      'GET',
      `${parent('cloudresourcemanager.googleapis.com%252Fprojects%252F111111111111')}/deny-0007`,
    );
    expect(r.status).toBe(200);
    expect(r.body.rules).toHaveLength(1);
  });

  it.skipIf(!hasGcloud)('gcloud iam policies get reaches the policy', async () => {
    const r = await gcloud([
      'iam',
      'policies',
      'get',
      'deny-0001',
      '--attachment-point=cloudresourcemanager.googleapis.com/projects/app',
      '--kind=denypolicies',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).name).toMatch(/projects%2F111111111111\/denypolicies\/deny-0001$/);
  });
});

describe('Cloud Run job ids', () => {
  it('63 characters are accepted; 64 are refused naming job_id', async () => {
    const body = {
      template: { template: { containers: [{ image: 'docker.io/library/busybox:1.36' }] } },
    };
    const ok = await admin(
      'POST',
      `/v2/projects/app/locations/us-central1/jobs?jobId=${'a'.repeat(63)}&validateOnly=true`,
      body,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const tooLong = await admin(
      'POST',
      `/v2/projects/app/locations/us-central1/jobs?jobId=${'a'.repeat(64)}`,
      body,
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details[0].fieldViolations[0].field).toBe(
      'Violation in CreateJobRequest.job_id',
    );
  });
});

describe('STS', () => {
  it('a malformed audience is invalid_request in STS words; an unknown provider invalid_target', async () => {
    const form = (audience: string) =>
      fetch(`${emu().url}/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          subject_token: 'x',
          audience,
        }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    const malformed = await form('projects/111111111111/locations/global/workloadIdentityPools/github');
    expect(malformed.body.error).toBe('invalid_request');
    expect(malformed.body.error_description).toMatch(
      /^Invalid value for "audience"\. This value should be the full resource name/,
    );
    const unknown = await form(
      '//iam.googleapis.com/projects/111111111111/locations/global/workloadIdentityPools/github/providers/none',
    );
    expect(unknown.body.error).toBe('invalid_target');
  });
});

describe.skipIf(!hasGcloud)('lists gcloud needs', () => {
  it('gcloud projects list shows the projects the caller may get', async () => {
    const r = await gcloud(['projects', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ projectId: string }>).map((p) => p.projectId)).toEqual([
      'app',
      'host',
    ]);
  });

  it('gcloud compute networks list and networks subnets list', async () => {
    const nets = await gcloud(['compute', 'networks', 'list', '--project=host']);
    expect(nets.code, nets.stderr).toBe(0);
    expect((JSON.parse(nets.stdout) as Array<{ name: string }>).map((n) => n.name)).toEqual(['shared']);
    const subnets = await gcloud(['compute', 'networks', 'subnets', 'list', '--project=host']);
    expect(subnets.code, subnets.stderr).toBe(0);
    expect((JSON.parse(subnets.stdout) as Array<{ name: string }>).map((s) => s.name).sort()).toEqual([
      'eu',
      'jobs',
    ]);
    const regional = await gcloud([
      'compute',
      'networks',
      'subnets',
      'list',
      '--project=host',
      '--regions=us-central1',
    ]);
    expect(regional.code, regional.stderr).toBe(0);
    expect((JSON.parse(regional.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['jobs']);
  });

  it.skipIf(!hasSchemas)("every list body decodes with gcloud's message classes", () => {
    const { checked, problems } = schemaProblems(
      emu().requestLog,
      /^\/(v1\/projects$|compute\/v1\/projects\/[^/]+\/(global\/networks|regions\/[^/]+\/subnetworks|aggregated\/subnetworks)$|v2\/entries:list$|v2\/policies\/)/,
    );
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
